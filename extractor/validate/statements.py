"""The narrative rules: every figure quoted in the 情况说明 against the tables it names.

- amount: = the table value its subject names (``subjects``); a subject naming no printed cell is not
  checked, with the reason (one finding per line and reason, citing every figure concerned);
- share: = part ÷ whole at the printed precision (truncation allowed): the part is the amount before it
  on the line, the whole the one the sentence names (占本年支出合计的) or else the section's lead figure;
- change: 增减率 = 增减额 ÷ (本年数 − 增减额), 本年数 from the table (else the narrative);
- count: 自评个数 / 项目绩效目标 / 二级项目 N个 = the tables or project rows printed; the amount quoted
  with such a count (涉及金额) = the project total;
- sum: a stated total = Σ its stated parts (政府采购 = 货物 + 工程 + 服务).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from extractor.validate.catalog import Rule
from extractor.validate.checks import CellSpec, NarrativeCheck
from extractor.validate.context import DocContext
from extractor.validate.cross import resolve
from extractor.validate.identity import Item, RatioIdentity, Skip, SumIdentity
from extractor.validate.index import Term
from extractor.validate.projects import matches, structure
from extractor.validate.quotes import CountIdentity, Quote, QuoteIdentity, computed, quotes
from extractor.validate.subjects import PROJ, Candidate, concept_candidates, concept_for, name_candidates, name_key
from extractor.validate.tolerance import Outcome
from schemas.tables import TableKind as K

UNRESOLVED = "表格中找不到同名的行或列"
_WHOLE = re.compile(r"占(?P<whole>.+?)的\s*[\d.]+\s*%")
PROJECT_TOTAL = ((CellSpec(tables=(K.BUDGET_PROJECTS,), row="@org_total", column="合计", absent="skip"),
                  CellSpec(tables=(K.BUDGET_PROJECTS_CARRYOVER,), row="@org_total", column="合计", absent="skip")),
                 (CellSpec(tables=(K.BUDGET_EXPENDITURE, K.FINAL_EXPENDITURE), row="合计", column="项目支出",
                           absent="skip"),))
SUM_GROUPS = (("政府采购总额", ("政府采购货物", "政府采购工程", "政府采购服务")),)


def narrative(check: NarrativeCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    qs = quotes(ctx)
    if not qs:
        return
    yield from {"amount": _amounts, "share": _shares, "change": _changes, "count": _counts, "sum": _sums}[
        check.metric](qs, ctx)


# --- amounts -------------------------------------------------------------------------------------
def candidates(subject: str, ctx: DocContext) -> tuple[list[Candidate], str]:
    concept = concept_for(subject)
    if concept is not None:
        return concept_candidates(concept, subject, ctx)
    return name_candidates(subject, ctx), UNRESOLVED


def _best(identities: list[QuoteIdentity]) -> QuoteIdentity:
    rank = {Outcome.PASS: 0, Outcome.ROUNDING: 1, Outcome.FAIL: 2, None: 3}

    def key(i: QuoteIdentity) -> tuple[int, Decimal]:
        j = i.judge()
        return rank[j.outcome], abs(j.difference) if j.difference is not None else Decimal(0)

    return min(identities, key=key)


def _quote_identity(q: Quote, cands: list[Candidate]) -> QuoteIdentity:
    ids = [QuoteIdentity(q.term, c.terms, f"第{q.line}行：",
                         c.terms[0].label if len(c.terms) == 1 else f"{c.name}（{len(c.terms)} 项之和）") for c in cands]
    best = _best(ids)
    if best.judge().outcome == Outcome.FAIL:  # none equal: cite every cell the subject may name
        best.others = [t for i in ids if i is not best for t in i.cells if all(t is not c for c in best.cells)]
    return best


def _count_context(q: Quote, qs: list[Quote], ctx: DocContext) -> tuple[list[Candidate], str] | None:
    """``N个项目，涉及金额X万元``: the amount right after a project count is the project total."""
    prev = qs[q.n - 1] if q.n else None
    if prev is None or prev.metric != "count" or prev.line != q.line:
        return None
    what = _count_kind(prev)
    if what == "category":
        return [], "项目支出表未列项目类别（其他运转类 / 特定目标类）"
    if what is None:
        return None
    out: list[Candidate] = []
    for first, *extra in PROJECT_TOTAL:
        got = resolve(first, ctx)
        if isinstance(got, list):
            for spec in extra:
                more = resolve(spec, ctx)
                got += more if isinstance(more, list) else []
            out.append(Candidate(got, "项目支出合计"))
    return out, "文档中未找到项目支出表或支出总表"


def _amounts(qs: list[Quote], ctx: DocContext) -> Iterator[Item]:
    unresolved: dict[tuple[int, str], list[Quote]] = {}
    for q in qs:
        if q.metric != "amount":
            continue
        got = _count_context(q, qs, ctx) if q.generic else None
        cands, reason = got if got is not None else (([], "未说明是哪一项金额") if q.generic else candidates(q.subject, ctx))
        if cands:
            yield _quote_identity(q, cands)
        else:
            unresolved.setdefault((q.line, reason), []).append(q)
    for (line, reason), group in unresolved.items():
        names = "、".join(f"“{g.subject or g.st.subject}”{g.term.printed}" for g in group)
        yield Skip(f"{names} 未能对应到表格（{reason}）", where=f"情况说明第{line}行：", terms=[g.term for g in group])


# --- shares --------------------------------------------------------------------------------------
def _before(q: Quote, qs: list[Quote], metric: str = "amount") -> Quote | None:
    return next((p for p in reversed(qs[: q.n]) if p.line == q.line and p.metric == metric), None)


def _whole(q: Quote, part: Quote, qs: list[Quote], ctx: DocContext) -> Term | None:
    if m := _WHOLE.search(q.st.sentence):
        cands, _ = candidates(m.group("whole"), ctx)
        if cands and len(cands[0].terms) == 1:
            return cands[0].terms[0]
    if q.st.section:
        lead = next((p for p in qs if p.st.section == q.st.section and p.metric == "amount"), None)
        if lead is not None and lead is not part and lead.n < part.n:
            return lead.term
    lead = next((p for p in qs[: part.n] if p.line == q.line and p.metric == "amount"), None)
    return lead.term if lead is not None else None


def _shares(qs: list[Quote], ctx: DocContext) -> Iterator[Item]:
    for q in qs:
        if q.metric != "share":
            continue
        part = _before(q, qs)
        whole = _whole(q, part, qs, ctx) if part is not None else None
        if part is None or whole is None:
            yield Skip("找不到占比的分子或分母金额", where=f"情况说明第{q.line}行：", terms=[q.term])
            continue
        q.term.name = f"“{part.subject or part.st.subject}”占比(%)"
        yield RatioIdentity(part.term, whole, q.term, where=f"情况说明第{q.line}行：")


# --- changes -------------------------------------------------------------------------------------
def _delta(q: Quote, qs: list[Quote]) -> Quote | None:
    for p in reversed(qs[: q.n]):
        if p.line != q.line or p.metric == "change_pct":
            return None
        if p.metric == "change":
            return p
    return None


def _current(delta: Quote, qs: list[Quote], ctx: DocContext) -> list[list[Term]]:
    """本年数: the table cells the change's subject names (the sentence's topic and, when the clause names
    nothing itself, the figure just before it: the text is ambiguous, either reading may be meant)."""
    out: list[list[Term]] = []
    for subject in dict.fromkeys(s for s in (delta.subject, delta.alt_subject) if s):
        cands, _ = candidates(subject, ctx)
        if cands:
            out += [c.terms for c in cands]
            continue
        same = [p for p in qs if p.line == delta.line and p.metric == "amount" and p.subject == subject]
        out += [[same[0].term]] if same else []
    return out


def _changes(qs: list[Quote], ctx: DocContext) -> Iterator[Item]:
    paired: set[int] = set()
    for q in qs:
        if q.metric != "change_pct" or q.direction == "same":
            continue
        delta = _delta(q, qs)
        if delta is None or delta.direction == "same":
            yield Skip("只给出增减率，没有增减额", where=f"情况说明第{q.line}行：", terms=[q.term])
            continue
        paired.add(delta.n)
        currents = _current(delta, qs, ctx)
        if not currents:
            yield Skip(f"“{delta.subject}”的本年数在表格中找不到", where=f"情况说明第{q.line}行：",
                       terms=[q.term, delta.term])
            continue
        yield _best_change(q, delta, currents)
    lone = [q for q in qs if q.metric == "change" and q.direction != "same" and q.n not in paired]
    if lone:
        lines = "、".join(str(n) for n in dict.fromkeys(q.line for q in lone))
        yield Skip(f"{len(lone)} 个增减额没有对应的增减率，上年数无从核对（第{lines}行）", terms=[q.term for q in lone])


def _best_change(q: Quote, delta: Quote, currents: list[list[Term]]) -> RatioIdentity:
    sign = 1 if delta.direction == "increase" else -1
    q.term.name = f"“{delta.subject}”增减率(%)"
    found: list[ChangeIdentity] = []
    for terms in currents:
        current = sum((t.value for t in terms), Decimal(0))
        step = max([t.step for t in terms] + [delta.term.step])
        base = computed(f"{q.term.key}|{len(found)}", f"上年数（{current} {'−' if sign > 0 else '+'} {delta.term.printed}）",
                        current - sign * delta.term.value, step)
        found.append(ChangeIdentity(delta.term, base, q.term, where=f"情况说明第{q.line}行：", current=terms))
    rank = {Outcome.PASS: 0, Outcome.ROUNDING: 1, Outcome.FAIL: 2, None: 3}
    return min(found, key=lambda i: rank[i.judge().outcome])


class ChangeIdentity(RatioIdentity):
    """增减率 = 增减额 ÷ 上年数, citing the 本年数 cells the 上年数 was derived from."""

    def __init__(self, numerator: Term, denominator: Term, rate: Term, where: str, current: list[Term]):
        super().__init__(numerator, denominator, rate, where)
        self.current = current

    def terms(self) -> list[Term]:
        return [self.rate, self.numerator, *self.current]

    @property
    def table_ids(self) -> list[str]:
        return list(dict.fromkeys(t.table_id for t in self.current if t.table_id and t.table_id != "narrative"))


# --- counts --------------------------------------------------------------------------------------
def _count_kind(q: Quote) -> str | None:
    s = q.st.sentence
    at = s.find(q.term.printed + "个")
    before = s[:at] if at >= 0 else s
    if re.search(r"运转类|特定目标类|类项目$", before[-10:]):
        return "category"
    if "自评" in before:
        return "selfeval"
    if before.endswith("绩效目标"):
        return "targets"
    if before.endswith("项目"):
        return "projects"
    return None


def _count_of(what: str, ctx: DocContext) -> tuple[int, str, list[str]] | None:
    if what == "selfeval" or (what == "projects" and not ctx.tables_of(PROJ)):
        tabs = ctx.tables_of([K.SELF_EVALUATION])
        names = {name_key(t.table.label or t.table.id) for t in tabs}
        return (len(names), "打印的项目支出绩效自评表（同名重复的只计一次）", [t.table.id for t in tabs]) if tabs else None
    if what == "targets":
        found = matches(ctx)
        if not found:
            return None
        if ctx.tables_of(PROJ):  # targets matching no project are perf.coverage's business
            found = [m for m in found if m.project is not None]
        keys = {id(m.project) if m.project is not None else name_key(m.name) for m in found}
        return len(keys), "打印了绩效目标表的项目", list(dict.fromkeys(m.target.table.id for m in found))
    tabs = [ix for ix in ctx.tables_of(PROJ) if not ix.empty]
    if not ctx.tables_of(PROJ):
        return None
    n = sum(len(structure(ix, ctx).projects) for ix in tabs)
    return n, "项目支出表所列项目", [ix.table.id for ix in tabs]


def _counts(qs: list[Quote], ctx: DocContext) -> Iterator[Item]:
    skipped: dict[tuple[int, str], list[Quote]] = {}
    for q in qs:
        if q.metric != "count":
            continue
        what = _count_kind(q)
        got = _count_of(what, ctx) if what not in (None, "category") else None
        if got is None:
            reason = {"category": "项目支出表未列项目类别（其他运转类 / 特定目标类）", None: "不知所计为何"}.get(
                what, "文档中未找到所计的表格")
            skipped.setdefault((q.line, reason), []).append(q)
            continue
        n, label, ids = got
        yield CountIdentity(q.term, n, label, ids)
    for (line, reason), group in skipped.items():
        yield Skip(reason, where=f"情况说明第{line}行 {'、'.join(g.term.printed + '个' for g in group)}：",
                   terms=[g.term for g in group])


# --- sums within the narrative -------------------------------------------------------------------
def _sums(qs: list[Quote], ctx: DocContext) -> Iterator[Item]:
    for total_name, part_names in SUM_GROUPS:
        for q in qs:
            concept = concept_for(q.subject) if q.metric == "amount" else None
            if concept is None or concept.name != total_name:
                continue
            parts = [p for p in qs if p.line == q.line and p.metric == "amount" and p is not q
                     and (c := concept_for(p.subject)) is not None and c.name in part_names]
            if parts:
                yield SumIdentity(left=[(1, q.term)], right=[(1, p.term) for p in parts],
                                  where=f"情况说明第{q.line}行：", left_name=f"“{total_name}”",
                                  right_name=" + ".join(f"“{p.subject}”" for p in parts))
