"""What an evaluator yields: an identity to judge (a sum or a rate over ``Term``s), or a ready outcome
(``Skip`` = not checked, ``Violation``, ``Passed``). Identities can be re-judged with substituted values,
which is how digit repairs are tested."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from extractor.validate.index import Term
from extractor.validate.tolerance import (
    CENT,
    MAX_ADDENDS,
    YUAN_PER_WAN,
    Outcome,
    classify,
    classify_percent,
    quantize,
    rounding_unit,
    sum_tolerance,
)

Overrides = dict[str, Decimal]


@dataclass
class Judgement:
    outcome: Outcome | None  # None: not checked
    expected: Decimal | None = None
    actual: Decimal | None = None
    difference: Decimal | None = None
    reason: str = ""
    not_applicable: bool = False  # not checked because an input is printed —— (a layout property, not a defect)


@dataclass
class Skip:
    """The rule could not be evaluated here (table/row/column missing, unreadable, not applicable)."""

    reason: str
    where: str = ""
    terms: list[Term] = field(default_factory=list)
    table_ids: list[str] = field(default_factory=list)


@dataclass
class Violation:
    message: str
    terms: list[Term] = field(default_factory=list)
    table_ids: list[str] = field(default_factory=list)


@dataclass
class Passed:
    terms: list[Term] = field(default_factory=list)


def _unreadable(terms: list[Term]) -> str | None:
    for t in terms:
        if t.state == "missing":
            return f"{t.label} 无法读取（{t.printed.strip()}）"
    return None


def fmt(value: Decimal, decimals: int) -> str:
    return f"{value:,.{max(decimals, 0)}f}".replace(",", "")


def const(value: Decimal | int, label: str) -> Term:
    v = Decimal(value)
    return Term(key=f"const:{label}:{v}", label=label, name=label, value=v, printed=str(v), step=Decimal(0), decimals=0)


@dataclass
class SumIdentity:
    """Σ left = Σ right (signed terms), within the rounding tolerance unless ``exact``."""

    left: list[tuple[int, Term]]
    right: list[tuple[int, Term]]
    where: str
    left_name: str
    right_name: str
    exact: bool = False
    quantize: bool = False  # compare at the coarser printed precision (a 元 figure against a 万元 one)
    skip_blank: bool = True

    def terms(self) -> list[Term]:
        return [t for _, t in self.left + self.right]

    @property
    def table_ids(self) -> list[str]:
        return list(dict.fromkeys(t.table_id for t in self.terms() if t.table_id))

    @property
    def blank(self) -> bool:
        return self.skip_blank and all(t.blank for t in self.terms())

    def judge(self, overrides: Overrides | None = None) -> Judgement:
        ov = overrides or {}
        sides = []
        for side in (self.left, self.right):
            total, nonzero, kept, step = Decimal(0), 0, 0, Decimal(0)
            for sign, t in side:
                if t.state == "missing":
                    return Judgement(None, reason=f"{t.label} 无法读取（{t.printed.strip()}）")
                if t.state == "na":
                    continue
                kept += 1
                v = ov.get(t.key, t.value) if ov else t.value
                if v:
                    nonzero += 1
                    total += v if sign > 0 else -v
                if t.step > step and t.printed.strip():
                    step = t.step
            if side and not kept:  # every operand of this side is —— (not applicable, never 0)
                na = side[0][1]
                return Judgement(None, reason=f"{na.label} 为“{na.printed.strip()}”（不适用）", not_applicable=True)
            sides.append((total, nonzero, step))
        (lv, nl, ls), (rv, nr, rs) = sides
        n = max(nl, nr, 1)
        if self.quantize:
            q = rounding_unit([x for x in (ls, rs) if x])
            lv, rv = quantize(lv, q), quantize(rv, q)
            tolerance = q * min(n, MAX_ADDENDS)
        else:
            tolerance = sum_tolerance([x for x in (ls, rs) if x], n)
        diff = lv - rv
        return Judgement(classify(diff, Decimal(0) if self.exact else tolerance), rv, lv, diff)

    def message(self, j: Judgement, suffix: str) -> str:
        """Values in 万元 (or in 元 when every figure was printed in 元), at the printed precision."""
        assert j.actual is not None and j.expected is not None and j.difference is not None
        shown = [t for t in self.terms() if not t.blank]
        yuan = bool(shown) and all(t.scale != 1 for t in shown)
        if yuan:
            factor, d, unit = YUAN_PER_WAN, max(t.decimals for t in shown), "元"
        elif self.quantize:
            factor, unit = Decimal(1), ""
            d = max(-int(rounding_unit([t.step for t in shown if t.step]).as_tuple().exponent), 0)
        else:
            factor, d, unit = Decimal(1), max([t.decimals if t.scale == 1 else 2 for t in shown] or [2]), ""

        def show(value: Decimal, side: list[tuple[int, Term]]) -> str:
            text = fmt(value * factor, d) + unit
            if not yuan and len(side) == 1 and side[0][1].scale != 1 and not side[0][1].blank:
                text += f"（印为 {side[0][1].printed.strip()} 元）"
            return text

        return (f"{self.where}{self.left_name} {show(j.actual, self.left)} ≠ {self.right_name} "
                f"{show(j.expected, self.right)}，差 {fmt(abs(j.difference) * factor, d)}{unit}{suffix}")


@dataclass
class RatioIdentity:
    """A printed percentage = numerator ÷ denominator × 100, at the printed precision."""

    numerator: Term
    denominator: Term
    rate: Term
    where: str
    skip_blank: bool = False

    def terms(self) -> list[Term]:
        return [self.rate, self.numerator, self.denominator]

    @property
    def table_ids(self) -> list[str]:
        return list(dict.fromkeys(t.table_id for t in self.terms() if t.table_id))

    @property
    def blank(self) -> bool:
        return False

    def judge(self, overrides: Overrides | None = None) -> Judgement:
        if reason := _unreadable(self.terms()):
            return Judgement(None, reason=reason)
        if any(t.state == "na" for t in self.terms()):
            return Judgement(None, reason="有单元格为“——”（不适用）", not_applicable=True)
        ov = overrides or {}
        num, den = ov.get(self.numerator.key, self.numerator.value), ov.get(self.denominator.key, self.denominator.value)
        printed = ov.get(self.rate.key, self.rate.value)
        if den == 0:
            return Judgement(None, reason=f"{self.denominator.label} 为 0，比率无定义")
        d = self.rate.decimals
        outcome = classify_percent(num, den, printed, d, self.numerator.step or CENT, self.denominator.step or CENT)
        computed = quantize(num * 100 / den, Decimal(1).scaleb(-d))
        return Judgement(outcome, computed, printed, printed - computed)

    def message(self, j: Judgement, suffix: str) -> str:
        d = self.rate.decimals
        num, den = self.numerator, self.denominator
        assert j.actual is not None and j.difference is not None
        exact = num.value * 100 / den.value if den.value else Decimal(0)
        return (f"{self.where}{self.rate.name} 印为 {self.rate.printed.strip()} ≠ {num.name} {num.printed.strip()} ÷ "
                f"{den.name} {den.printed.strip()} = {fmt(exact, d + 2)}%，差 {fmt(abs(j.difference), d)}{suffix}")


class Judged(Protocol):
    """Any other identity (a narrative quote, a count): judged and phrased the same way."""

    where: str

    def terms(self) -> list[Term]: ...

    @property
    def table_ids(self) -> list[str]: ...

    @property
    def blank(self) -> bool: ...

    def judge(self, overrides: Overrides | None = None) -> Judgement: ...

    def message(self, j: Judgement, suffix: str) -> str: ...


Identity = SumIdentity | RatioIdentity | Judged
Item = SumIdentity | RatioIdentity | Judged | Skip | Violation | Passed
