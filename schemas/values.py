"""Typed cell values: what was printed, and what it means.

A printed cell keeps its text verbatim; the parsed meaning sits beside it. Money is kept in the
printed ``money_unit`` (元/万元) and normalised to 万元 for arithmetic.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class MoneyUnit(StrEnum):
    YUAN = "元"
    WAN = "万元"


class ValueKind(StrEnum):
    MONEY = "money"
    COUNT = "count"  # 63套, 8个, 1辆
    PERCENT = "percent"  # 100, 100.00%, ≥90%
    DATE = "date"  # 2024年12月
    TEXT = "text"
    NOT_APPLICABLE = "not_applicable"  # —— : not applicable, never 0
    MISSING = "missing"  # #DIV/0! and other unreadable cells, never 0
    EMPTY = "empty"  # blank cell


class Value(BaseModel):
    """One printed value. ``number`` is the parsed figure in the printed unit."""

    model_config = ConfigDict(frozen=True)

    printed: str
    kind: ValueKind
    number: Decimal | None = None
    money_unit: MoneyUnit | None = None
    count_unit: str | None = None  # 套, 个, 辆, 人 ... for counts
    qualifier: str | None = None  # ≥, ≤, =, > printed before a figure

    @property
    def wan(self) -> Decimal | None:
        """The amount normalised to 万元 (None when not money)."""
        if self.number is None or self.kind != ValueKind.MONEY:
            return None
        if self.money_unit == MoneyUnit.YUAN:
            return self.number / Decimal(10000)
        return self.number

    @property
    def is_numeric(self) -> bool:
        return self.number is not None

    @property
    def decimals(self) -> int:
        """How many decimals were printed (precision of the printed figure)."""
        if self.number is None:
            return 0
        exp = self.number.as_tuple().exponent
        return -exp if isinstance(exp, int) and exp < 0 else 0
