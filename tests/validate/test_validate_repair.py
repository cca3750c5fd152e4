"""Repairs proposed by the identities: column assignment of collapsed rows, misread digits."""

from __future__ import annotations

from decimal import Decimal as D

from tablekit import DOC, make_table

from extractor.validate import assign_columns, suggest_digit_repairs, validate
from extractor.validate.checks import ColumnSumCheck
from extractor.validate.repair import digit_variants
from schemas.findings import Severity
from schemas.tables import TableKind

BASIC = ("合计", ("基本支出", "项目支出"))


def test_assignment_decided_by_the_row_identity() -> None:
    got = assign_columns(["10.00", "4.00", "6.00"], ["合计", "基本支出", "项目支出", "备注数"], [BASIC])
    assert got is not None and got.values == {"合计": "10.00", "基本支出": "4.00", "项目支出": "6.00"}
    assert "备注数 为空" in got.note


def test_assignment_of_a_collapsed_budget_row() -> None:
    cols = ["合计", "基本支出", "项目支出"]
    got = assign_columns(["135.67", "4.05"], cols, [BASIC])
    assert got is None  # no order-preserving assignment satisfies 合计 = 基本 + 项目
    got = assign_columns(["4.05", "4.05"], cols, [BASIC])
    assert got is None  # 基本 or 项目? the identity cannot decide
    got = assign_columns(["4.05", "4.05"], cols, [BASIC], known={"项目支出": D("4.05")})
    assert got is not None and got.values == {"合计": "4.05", "项目支出": "4.05"}


def test_assignment_with_several_identities_and_check_objects() -> None:
    cols = ["小计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]
    ident = ColumnSumCheck(total="小计", parts=("一般公共预算", "政府性基金预算", "国有资本经营预算"))
    got = assign_columns(["30.00", "10.00", "20.00"], cols, [ident, ("政府性基金预算", ())])
    assert got is not None and got.values == {"小计": "30.00", "一般公共预算": "10.00", "国有资本经营预算": "20.00"}
    assert assign_columns(["1", "2", "3", "4", "5"], cols, [ident]) is None  # more numbers than columns


def test_digit_variants() -> None:
    v = digit_variants("389.45")
    assert "389.54" in v and "389.46" in v and "089.45" not in v and "389.45" not in v
    assert "1,389,152" not in digit_variants("1,389,152") and "1,398,152" in digit_variants("1,389,152")


def general(kuan_basic: str, lei_basic: str = "389.54") -> list:
    cols = ["合计", "基本支出", "项目支出"]
    rows = [("合计", "合计", ["400.00", "389.54", "10.46"]), ("224", "灾害防治及应急管理支出", ["400.00", lei_basic, "10.46"]),
            ("22401", "应急管理事务", ["400.00", kuan_basic, "10.46"]), ("2240101", "行政运行", ["131.62", "131.62", ""]),
            ("2240150", "事业运行", ["257.92", "257.92", ""]), ("2240199", "其他", ["10.46", "", "10.46"])]
    return [make_table(TableKind.BUDGET_GENERAL_EXPENDITURE, cols, rows)]


def test_swapped_digits_suggested_never_applied() -> None:
    tables = general("389.45")
    report = validate(tables, [], DOC)
    assert report.count(Severity.ERROR) == 3  # 款 = Σ项, 类 = Σ款, 合计 = 基本 + 项目 on the 22401 row
    (s,) = suggest_digit_repairs(tables, report)
    assert s.severity == Severity.INFO and s.rule_id == "repair.digit"
    assert s.suggestion is not None and "由 389.45 改为 389.54 可使 3 条规则全部成立" in s.suggestion
    assert [(c.key.row_key, c.key.column, c.printed) for c in s.cells] == [("22401", "基本支出", "389.45")]
    assert tables[0].row("22401").cell("基本支出").value.printed == "389.45"  # untouched


def test_misread_digit_suggested_from_a_report_without_identities() -> None:
    tables = general("389.54", lei_basic="388.54")
    report = validate(tables, [], DOC)
    copy = report.model_validate_json(report.model_dump_json())  # a stored report carries no identities
    assert not copy.identities()
    (s,) = suggest_digit_repairs(tables, copy)
    assert "224 灾害防治及应急管理支出 “基本支出” 由 388.54 改为 389.54 可使 3 条规则全部成立" in (s.suggestion or "")


def test_no_suggestion_when_no_single_change_fixes_it() -> None:
    tables = general("350.00")
    assert suggest_digit_repairs(tables, validate(tables, [], DOC)) == []
