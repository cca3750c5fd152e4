"""Exact amounts and how they are printed.

Every amount is an integer number of 分 (0.01 元), so sums are exact. A table prints each cell
rounded on its own (half up) to 0.01 万元 (= 100 元) or 0.001 万元 (self-evaluation tables), which
is why a printed total can miss the sum of its printed parts by 0.01: the 尾数 of real documents.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000


def _round_div(n: int, d: int) -> int:
    """n / d rounded half away from zero (d > 0)."""
    q, r = divmod(abs(n), d)
    if 2 * r >= d:
        q += 1
    return q if n >= 0 else -q


def wan_units(fen: int, decimals: int = 2) -> int:
    """The amount in units of 10^-decimals 万元, rounded half up."""
    return _round_div(fen, FEN_PER_WAN // 10**decimals)


def fmt_units(units: int, decimals: int, *, thousands: bool = False, strip: bool = False) -> str:
    sign = "-" if units < 0 else ""
    units = abs(units)
    whole, frac = divmod(units, 10**decimals) if decimals else (units, 0)
    w = f"{whole:,}" if thousands else str(whole)
    if not decimals:
        return sign + w
    f = str(frac).rjust(decimals, "0")
    if strip:
        f = f.rstrip("0")
    return sign + (f"{w}.{f}" if f else w)


def wan(fen: int, decimals: int = 2, *, thousands: bool = False, strip: bool = False) -> str:
    """Printed 万元 amount: ``wan(923239000000) == '9232.39'``."""
    if decimals == 2 and not thousands and not strip and fen >= 0:  # the common case, fast
        u = (fen + 5000) // 10000
        return f"{u // 100}.{u % 100:02d}"
    return fmt_units(wan_units(fen, decimals), decimals, thousands=thousands, strip=strip)


def yuan(fen: int, decimals: int = 0, *, thousands: bool = False, strip: bool = False) -> str:
    """Printed 元 amount (0 or 2 decimals)."""
    units = _round_div(fen, FEN_PER_YUAN // 10**decimals)
    return fmt_units(units, decimals, thousands=thousands, strip=strip)


def wan_decimal(fen: int, decimals: int = 2) -> Decimal:
    return Decimal(wan_units(fen, decimals)).scaleb(-decimals)


def dec(printed: str) -> Decimal:
    return Decimal(printed.replace(",", "").rstrip("%") or "0")


def pct(num: Decimal | int, den: Decimal | int, decimals: int = 2) -> Decimal:
    """num / den × 100, rounded half up; 0 when den is 0."""
    if not den:
        return Decimal(0)
    q = Decimal(10) ** -decimals
    return (Decimal(num) * 100 / Decimal(den)).quantize(q, rounding=ROUND_HALF_UP)


def fmt_pct(p: Decimal, *, strip: bool = False) -> str:
    s = f"{p}"
    if strip and "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def round_yuan(fen: int, step_yuan: int) -> int:
    """Round an amount (分) to a multiple of ``step_yuan`` 元, at least one step."""
    step = step_yuan * FEN_PER_YUAN
    return max(step, _round_div(fen, step) * step)
