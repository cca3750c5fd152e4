from decimal import Decimal

import pytest

from extractor.values import parse_value
from schemas.values import MoneyUnit, ValueKind


@pytest.mark.parametrize(("printed", "kind", "number"), [
    ("9,236.44", ValueKind.MONEY, Decimal("9236.44")),
    ("——", ValueKind.NOT_APPLICABLE, None),
    ("#DIV/0!", ValueKind.MISSING, None),
    ("100.00%", ValueKind.PERCENT, Decimal("100.00")),
    ("≥90%", ValueKind.PERCENT, Decimal("90")),
    ("=63套", ValueKind.COUNT, Decimal("63")),
    ("2024年12月", ValueKind.DATE, None),
    ("7E+06", ValueKind.MISSING, None),
    ("优", ValueKind.TEXT, None),
    ("", ValueKind.EMPTY, None),
])
def test_parse_value_kinds(printed, kind, number):
    v = parse_value(printed)
    assert v.kind == kind
    assert v.number == number
    assert v.printed == printed  # the printed text is always kept


def test_money_normalised_to_wan():
    assert parse_value("245700", MoneyUnit.YUAN).wan == Decimal("24.57")
    assert parse_value("5.2万元").wan == Decimal("5.2")
    assert parse_value("40529.01元").money_unit == MoneyUnit.YUAN


def test_not_applicable_is_never_zero():
    assert parse_value("——").wan is None
    assert parse_value("#DIV/0!").number is None
