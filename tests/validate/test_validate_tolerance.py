"""Rounding (尾数) vs error, and percentages compared at their printed precision."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sample_docs import budget_doc, final_doc
from tablekit import DOC, make_table, set_cell

from extractor.validate import validate
from extractor.validate.tolerance import (
    Outcome,
    classify,
    classify_percent,
    percent_matches,
    sum_tolerance,
    yuan_to_wan,
)
from schemas.findings import Severity
from schemas.tables import TableKind

COLS = ["合计", "基本支出", "项目支出"]


def general(kuan: str, items: list[str]) -> list:
    total = f"{sum(D(i) for i in items):.2f}"
    rows = [("合计", "合计", [total, total, ""]), ("224", "灾害防治及应急管理支出", [total, total, ""]),
            ("22401", "应急管理事务", [kuan, kuan, ""])]
    rows += [(f"22401{n:02d}", f"项{n}", [v, v, ""]) for n, v in enumerate(items, 1)]
    return [make_table(TableKind.BUDGET_GENERAL_EXPENDITURE, COLS, rows)]


def rollup_findings(kuan: str, items: list[str]) -> list:
    report = validate(general(kuan, items), [], DOC)
    return [f for f in report.by_rule("func.rollup") if f.severity != Severity.NOT_CHECKED]


def test_a_cent_is_rounding_with_a_readable_message() -> None:
    found = rollup_findings("389.53", ["131.62", "257.92"])
    assert {f.severity for f in found} == {Severity.ROUNDING}
    msg = next(f.message for f in found if "“基本支出”" in f.message and "22401" in f.message)
    assert msg == "一般公共预算支出表 22401 应急管理事务 “基本支出” 列：款 389.53 ≠ 其下各项之和 389.54，差 0.01（尾数误差）"
    f = next(f for f in found if f.message == msg)
    assert (f.expected, f.actual, f.difference) == (D("389.54"), D("389.53"), D("-0.01"))
    assert {c.key.row_key for c in f.cells} == {"22401", "2240101", "2240102"}
    assert all(c.provenance.line_start for c in f.cells)


@pytest.mark.parametrize("miss,addends,severity", [
    ("0.02", 2, Severity.ROUNDING), ("0.03", 2, Severity.ERROR),  # one cent per addend
    ("0.05", 8, Severity.ROUNDING), ("0.06", 8, Severity.ERROR),  # capped at five cents
])
def test_tolerance_grows_per_addend_and_is_capped(miss: str, addends: int, severity: Severity) -> None:
    items = ["10.00"] * addends
    kuan = f"{D(10) * addends + D(miss):.2f}"
    found = [f for f in rollup_findings(kuan, items) if "22401 应急管理事务 “基本支出”" in f.message]
    assert [f.severity for f in found] == [severity]


def test_pure_functions() -> None:
    assert sum_tolerance([D("0.01")], 3) == D("0.03") and sum_tolerance([D("0.01")], 9) == D("0.05")
    assert sum_tolerance([D("0.001")], 2) == D("0.002")  # 3-decimal self-evaluation tables
    assert sum_tolerance([D("0.0001")], 1) == D("0.0001")  # amounts printed in 元
    assert classify(D(0), D("0.01")) == Outcome.PASS
    assert classify(D("-0.01"), D("0.01")) == Outcome.ROUNDING and classify(D("0.011"), D("0.01")) == Outcome.FAIL
    assert yuan_to_wan(D("651661")) == D("65.17") and yuan_to_wan(D("990111")) == D("99.01")


def test_percent_at_printed_precision_rounded_or_truncated() -> None:
    assert percent_matches(D("9.83"), D("9.8"), 1)  # rounded
    assert percent_matches(D("9.86"), D("9.8"), 1)  # truncated
    assert not percent_matches(D("9.91"), D("9.8"), 1)
    for printed, decimals in ((D("100"), 0), (D("100.00"), 2)):
        assert classify_percent(D("4.03"), D("4.03"), printed, decimals, D("0.01"), D("0.01")) == Outcome.PASS
    assert classify_percent(D("349.87"), D("350.00"), D("99.96"), 2, D("0.01"), D("0.01")) == Outcome.PASS
    assert classify_percent(D("1"), D("3"), D("33.4"), 1, D("0.01"), D("0.01")) == Outcome.ROUNDING
    assert classify_percent(D("18"), D("20"), D("95"), 0, D("0.01"), D("0.01")) == Outcome.FAIL


@pytest.mark.parametrize("printed,executed", [
    ("100", "62.00"), ("100.00", "62.00"), ("100.00%", "62.00"),  # every printed form of 100%
    ("100", "61.95"),  # 99.919…% rounded to the printed precision
    ("99.9", "61.97"), ("100.0", "61.97"),  # 99.951…%: truncated or rounded
])
def test_printed_rate_forms_pass(printed: str, executed: str) -> None:
    tables = set_cell(final_doc(), "self_evaluation#2", "资金总额", "执行率", printed)
    tables = set_cell(tables, "self_evaluation#2", "资金总额", "全年执行数", executed)
    counts = validate(tables, [], DOC).rules["selfeval.rate"]
    assert counts.errors == counts.rounding == counts.not_checked == 0 and counts.passed == 2


def test_yuan_target_compared_in_wan_at_two_decimals() -> None:
    report = validate(set_cell(budget_doc(), "performance_target#1", "年度资金", "年度资金总额", "100,049"), [], DOC)
    sev = {f.severity for f in report.by_rule("perf.annual_vs_project")}
    assert sev == set()  # 10.0049 → 10.00
    report = validate(set_cell(budget_doc(), "performance_target#1", "年度资金", "年度资金总额", "100,100"), [], DOC)
    (f,) = report.by_rule("perf.annual_vs_project")
    assert f.severity == Severity.ROUNDING and "印为 100,100 元" in f.message
