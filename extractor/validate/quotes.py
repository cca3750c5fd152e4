"""Narrative statements prepared for the rules: each figure as a ``Term`` citing its line, its subject
cleaned (and, for 支出决算 / a change, taken from the sentence's topic), and the identities that compare
a quoted figure with the table: ``QuoteIdentity`` (an amount) and ``CountIdentity`` (a count)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from extractor.validate.context import DocContext
from extractor.validate.identity import Judgement, fmt
from extractor.validate.index import ONE, YUAN_SCALE, Term
from extractor.validate.subjects import GENERIC, clean
from extractor.validate.tolerance import CENT, Outcome, quantize, step_of
from schemas.records import NarrativeStatement
from schemas.values import MoneyUnit

NARRATIVE = "narrative"  # the table id narrative figures are cited under
_CHANGE_WORD = re.compile(r"(增加|减少|增长|下降)$")
_BUDGET_WORD = re.compile(r"(年初|全年)预算数?$")
_DECISION = re.compile(r"^(支出)?决算数?$")
_COMPARE = re.compile(r"(比|较|与)(上年|\d{4}年)")


@dataclass
class Quote:
    n: int  # position among the document's statements
    st: NarrativeStatement
    term: Term
    subject: str  # cleaned; for a change, what changed
    metric: str  # amount | change | change_pct | share | count
    direction: str | None = None
    alt_subject: str = ""  # a change whose clause names nothing: the figure just before it (else the topic)

    @property
    def line(self) -> int:
        return self.st.value.provenance.line_start or 0

    @property
    def generic(self) -> bool:
        return bool(GENERIC.match(self.subject))


def _term(doc_id: str, st: NarrativeStatement, n: int, subject: str) -> Term:
    v, prov = st.value.value, st.value.provenance
    line = prov.line_start or 0
    t = Term(key=f"{NARRATIVE}|{line}|{n}", label=f"情况说明第{line}行“{subject or st.subject}”", name=subject or st.subject,
             printed=v.printed, table_id=NARRATIVE, source=(doc_id, f"L{line}#{n}", NARRATIVE, prov))
    if v.number is None:
        t.state = "missing"
        return t
    yuan = v.money_unit == MoneyUnit.YUAN
    t.scale = YUAN_SCALE if yuan else ONE
    t.value = v.number * t.scale
    exp = v.number.as_tuple().exponent
    t.decimals = -exp if isinstance(exp, int) and exp < 0 else 0
    t.step = step_of(t.decimals, yuan)
    return t


def quotes(ctx: DocContext) -> list[Quote]:
    """Every statement as a ``Quote`` (memoised): an amount whose subject ends in 增加/减少 is a change;
    a bare 支出决算 takes the subject of the figure before it on the line (年初/全年预算 dropped)."""
    if "quotes" in ctx.memo:
        return ctx.memo["quotes"]
    out: list[Quote] = []
    for n, st in enumerate(ctx.statements):
        subject, metric, direction = clean(st.subject), st.metric, st.direction
        if metric == "amount" and (m := _CHANGE_WORD.search(subject)):
            subject, metric = subject[: m.start()], "change"
            direction = "increase" if m.group(1) in ("增加", "增长") else "decrease"
        elif metric in ("change", "change_pct"):
            subject = _CHANGE_WORD.sub("", subject)
        alt = ""
        if metric == "change" and not _own_subject(st):  # '…费0万元，比上年减少…': the topic, or the figure before
            alt = next((q.subject for q in reversed(out) if q.line == line_of(st) and q.metric == "amount"
                        and not q.generic), "")
        if metric in ("change", "change_pct") and not subject:
            subject = next((q.subject for q in reversed(out) if q.line == line_of(st) and q.metric == "amount"
                            and not q.generic), "")
        if metric == "amount" and _DECISION.match(subject):
            topic = next((q.subject for q in reversed(out) if q.line == line_of(st) and q.metric == "amount"
                          and not q.generic and not _DECISION.match(q.subject)), "")
            subject = _BUDGET_WORD.sub("", topic) or subject
        if metric in ("change", "change_pct"):
            subject, alt = _BUDGET_WORD.sub("", subject), _BUDGET_WORD.sub("", alt)
        out.append(Quote(n, st, _term(ctx.doc_id, st, n, subject), subject, metric, direction, alt))
    ctx.memo["quotes"] = out
    return out


def _own_subject(st: NarrativeStatement) -> bool:
    """The change's clause names what changed ('收入总计比上年增加…'), rather than starting with 比/较/与."""
    m = _COMPARE.search(st.sentence)
    return m is None or bool(clean(st.sentence[: m.start()]))


def line_of(st: NarrativeStatement) -> int:
    return st.value.provenance.line_start or 0


def computed(key: str, name: str, value: Decimal, step: Decimal) -> Term:
    """A value derived from printed ones (上年数 = 本年数 − 增减额): an operand without a cell of its own."""
    return Term(key=f"calc:{key}", label=name, name=name, value=value, printed=fmt(value, 2), step=step, decimals=2)


def _ids(terms: list[Term]) -> list[str]:
    return list(dict.fromkeys(t.table_id for t in terms if t.table_id and t.table_id != NARRATIVE))


@dataclass
class QuoteIdentity:
    """A quoted amount = the table value it names (Σ of ``cells``). Equal → pass; equal once the table
    value is rounded to the quoted precision, or within one cent (尾数) → rounding; else a failure."""

    quote: Term
    cells: list[Term]
    where: str
    cells_name: str
    others: list[Term] = field(default_factory=list)  # other cells the subject may name, none equal: cited too

    def terms(self) -> list[Term]:
        return [self.quote, *self.cells, *self.others]

    @property
    def table_ids(self) -> list[str]:
        return _ids(self.cells + self.others)

    @property
    def blank(self) -> bool:
        return False

    def judge(self, overrides: dict[str, Decimal] | None = None) -> Judgement:
        ov = overrides or {}
        for t in self.terms():
            if t.state == "missing":
                return Judgement(None, reason=f"{t.label} 无法读取（{t.printed.strip()}）")
        kept = [t for t in self.cells if t.state != "na"]
        if not kept:
            return Judgement(None, reason=f"{self.cells[0].label} 为“——”（不适用）", not_applicable=True)
        quoted = ov.get(self.quote.key, self.quote.value)
        table = sum((ov.get(t.key, t.value) for t in kept), Decimal(0))
        diff = quoted - table
        if diff == 0:
            outcome = Outcome.PASS
        elif abs(diff) <= CENT or (self.quote.step > CENT and quantize(table, self.quote.step) == quoted):
            outcome = Outcome.ROUNDING
        else:
            outcome = Outcome.FAIL
        return Judgement(outcome, table, quoted, diff)

    def message(self, j: Judgement, suffix: str) -> str:
        assert j.expected is not None and j.difference is not None
        unit = "元" if self.quote.scale != ONE else "万元"
        factor = Decimal(10000) if unit == "元" else ONE
        also = "；亦不等于 " + "、".join(t.label for t in self.others[:3]) if self.others else ""
        return (f"{self.where}情况说明所述“{self.quote.name}” {self.quote.printed.strip()}{unit} ≠ {self.cells_name} "
                f"{fmt(j.expected * factor, 2)}{unit}，差 {fmt(abs(j.difference) * factor, 2)}{unit}{also}{suffix}")


@dataclass
class CountIdentity:
    """A quoted count (N个) = the number of tables or rows counted; exact."""

    quote: Term
    count: int
    what: str
    counted: list[str] = field(default_factory=list)  # table ids counted
    where: str = ""

    def terms(self) -> list[Term]:
        return [self.quote]

    @property
    def table_ids(self) -> list[str]:
        return self.counted

    @property
    def blank(self) -> bool:
        return False

    def judge(self, overrides: dict[str, Decimal] | None = None) -> Judgement:
        if self.quote.state == "missing":
            return Judgement(None, reason=f"{self.quote.label} 无法读取")
        quoted = (overrides or {}).get(self.quote.key, self.quote.value)
        diff = quoted - self.count
        return Judgement(Outcome.PASS if diff == 0 else Outcome.FAIL, Decimal(self.count), quoted, diff)

    def message(self, j: Judgement, suffix: str) -> str:
        return (f"{self.quote.label} 称 {self.quote.printed.strip()} 个，但{self.what}为 {self.count} 个，"
                f"差 {fmt(abs(j.difference or Decimal(0)), 0)} 个{suffix}")
