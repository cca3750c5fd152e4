"""Rounding tolerance: small pure functions deciding pass / rounding (尾数) / failure.

Printed amounts are rounded, so a sum can miss by a cent per addend. Amounts are compared in 万元
(``Value.wan``); a value printed in 元 has a finer step (1 元 = 0.0001 万元). Percentages are compared at
the precision they were printed with, accepting both rounding and truncation.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")  # one printed cent of 万元: the rounding unit of the standard tables
MAX_ADDENDS = 5  # the tolerance grows by one unit per addend up to this many (0.05 万元)
YUAN_PER_WAN = Decimal(10000)


class Outcome(StrEnum):
    PASS = "pass"
    ROUNDING = "rounding"
    FAIL = "fail"


def step_of(decimals: int, yuan: bool = False) -> Decimal:
    """The value of one unit in the last printed digit, in 万元 when ``yuan`` (元 printed)."""
    step = Decimal(1).scaleb(-decimals)
    return step / YUAN_PER_WAN if yuan else step


def rounding_unit(steps: list[Decimal]) -> Decimal:
    """The coarsest printed step among the values involved, never more than one cent of 万元."""
    return min(max(steps, default=CENT), CENT)


def sum_tolerance(steps: list[Decimal], addends: int) -> Decimal:
    """One rounding unit per addend, at most ``MAX_ADDENDS`` units (0.01 万元 each → 0.05)."""
    return rounding_unit(steps) * min(max(addends, 1), MAX_ADDENDS)


def classify(difference: Decimal, tolerance: Decimal) -> Outcome:
    if difference == 0:
        return Outcome.PASS
    return Outcome.ROUNDING if abs(difference) <= tolerance else Outcome.FAIL


def quantize(value: Decimal, step: Decimal) -> Decimal:
    """Round half-up to a multiple of ``step`` (a power of ten)."""
    return value.quantize(step, rounding=ROUND_HALF_UP)


def yuan_to_wan(yuan: Decimal, decimals: int = 2) -> Decimal:
    """元 ÷ 10000, rounded half-up to ``decimals`` (how a 万元 table prints a 元 amount)."""
    return quantize(yuan / YUAN_PER_WAN, Decimal(1).scaleb(-decimals))


def truncate(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)


def percent_matches(computed: Decimal, printed: Decimal, decimals: int) -> bool:
    """``9.8`` matches 9.83 (rounded) and 9.86 (truncated); ``100`` matches 100.00."""
    return quantize(computed, Decimal(1).scaleb(-decimals)) == printed or truncate(computed, decimals) == printed


def ratio_bounds(numerator: Decimal, denominator: Decimal, num_step: Decimal, den_step: Decimal) -> tuple[Decimal, Decimal]:
    """The range of numerator ÷ denominator × 100 when both were rounded to half their step."""
    n_lo, n_hi = numerator - num_step / 2, numerator + num_step / 2
    d_lo, d_hi = denominator - den_step / 2, denominator + den_step / 2
    if d_lo <= 0:
        d_lo = denominator
    candidates = [n * 100 / d for n in (n_lo, n_hi) for d in (d_lo, d_hi)]
    return min(candidates), max(candidates)


def classify_percent(numerator: Decimal, denominator: Decimal, printed: Decimal, decimals: int,
                     num_step: Decimal, den_step: Decimal) -> Outcome:
    """Pass when the printed rate is the computed one rounded or truncated; rounding when the inputs'
    own rounding could explain it, or a rate first rounded to two decimals and then to the printed one
    (62.946 → 62.95 → 63.0); failure otherwise."""
    computed = numerator * 100 / denominator
    if percent_matches(computed, printed, decimals):
        return Outcome.PASS
    unit = Decimal(1).scaleb(-decimals)
    if decimals < 2 and quantize(quantize(computed, CENT), unit) == printed:
        return Outcome.ROUNDING
    lo, hi = ratio_bounds(numerator, denominator, num_step, den_step)
    # a printed p stands for a true rate in [p − unit/2, p + unit) (rounded or truncated)
    if lo < printed + unit and hi >= printed - unit / 2:
        return Outcome.ROUNDING
    return Outcome.FAIL
