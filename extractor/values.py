"""Parse a printed cell into a typed ``Value``. Pure functions; the printed text is always kept."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from schemas.values import MoneyUnit, Value, ValueKind

NOT_APPLICABLE = {"——", "—", "--", "－－", "-", "/", "—— ", "————"}
MISSING = {"#DIV/0!", "#VALUE!", "#REF!", "#N/A", "#NUM!", "#NAME?"}

_NUM = r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_PLAIN_NUMBER = re.compile(rf"^{_NUM}$")
_SCI = re.compile(r"^[-+]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_PERCENT = re.compile(rf"^(?P<q>[≥≤<>=]*)\s*(?P<n>{_NUM})?\s*%$")
_WITH_UNIT = re.compile(rf"^(?P<q>[≥≤<>=]*)\s*(?P<n>{_NUM})\s*(?P<u>万元|元|亿元)(?:/(?P<per>\S+))?$")
_COUNT = re.compile(rf"^(?P<q>[≥≤<>=]*)\s*(?P<n>{_NUM})\s*(?P<u>[个套辆人次批件台名座项家所户天月年条份张本处户间台]|人次|批次|平方米)$")
_DATE = re.compile(r"^\d{2,4}年(?:\d{1,2}月)?(?:\d{1,2}日)?(?:[至\-—~]\S*)?$")


def clean_cell_text(text: str) -> str:
    """Normalise a printed cell: full-width digits/punctuation to ASCII, stray spaces removed."""
    t = unicodedata.normalize("NFKC", text).strip()
    return t.replace("，", ",").replace(" ", "") if re.fullmatch(r"[\d,.\s%\-+]+", t) else t


def to_decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def parse_value(printed: str, money_unit: MoneyUnit | None = MoneyUnit.WAN) -> Value:
    """Interpret a printed cell. ``money_unit`` is the table's unit line, applied to plain numbers."""
    raw = printed
    t = clean_cell_text(printed)
    if not t:
        return Value(printed=raw, kind=ValueKind.EMPTY)
    if t in NOT_APPLICABLE or set(t) <= {"—", "-", "－"}:
        return Value(printed=raw, kind=ValueKind.NOT_APPLICABLE)
    if t.upper() in MISSING or t.startswith("#"):
        return Value(printed=raw, kind=ValueKind.MISSING)
    if _PLAIN_NUMBER.match(t):
        return Value(printed=raw, kind=ValueKind.MONEY, number=to_decimal(t), money_unit=money_unit)
    if _SCI.match(t):  # Excel residue such as 7E+06: the digits are lost, keep as missing
        return Value(printed=raw, kind=ValueKind.MISSING)
    if m := _PERCENT.match(t):
        n = m.group("n")
        if n is None:  # "≥%": an Excel template residue with no figure
            return Value(printed=raw, kind=ValueKind.TEXT)
        return Value(printed=raw, kind=ValueKind.PERCENT, number=to_decimal(n), qualifier=m.group("q") or None)
    if m := _WITH_UNIT.match(t):
        unit = m.group("u")
        number = to_decimal(m.group("n"))
        if unit == "亿元" and number is not None:
            number, unit = number * 10000, "万元"
        if m.group("per"):  # 1950元/套: a unit price, not an amount of this table
            return Value(printed=raw, kind=ValueKind.COUNT, number=number, count_unit=f"元/{m.group('per')}",
                         qualifier=m.group("q") or None)
        return Value(printed=raw, kind=ValueKind.MONEY, number=number, money_unit=MoneyUnit(unit),
                     qualifier=m.group("q") or None)
    if m := _COUNT.match(t):
        return Value(printed=raw, kind=ValueKind.COUNT, number=to_decimal(m.group("n")), count_unit=m.group("u"),
                     qualifier=m.group("q") or None)
    if _DATE.match(t):
        return Value(printed=raw, kind=ValueKind.DATE)
    return Value(printed=raw, kind=ValueKind.TEXT)


def is_number_text(text: str) -> bool:
    return bool(_PLAIN_NUMBER.match(clean_cell_text(text)))


NUMBER_IN_TEXT = re.compile(rf"(?<![\d.]){_NUM}(?![\d])")
