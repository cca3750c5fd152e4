"""Missing inputs are reported ``not_checked`` with the reason, and never counted as passed."""

from __future__ import annotations

from sample_docs import budget_doc, final_doc
from tablekit import DOC, drop_table, set_cell

from extractor.validate import validate
from schemas.findings import Severity


def nc(report, rule_id: str) -> list:
    return [f for f in report.by_rule(rule_id) if f.severity == Severity.NOT_CHECKED]


def test_missing_table_is_not_checked_never_passed() -> None:
    report = validate(drop_table(final_doc(), "final_income#1"), [], DOC)
    for rule_id in ("xtable.income_vs_summary", "income.row_total"):
        (f,) = nc(report, rule_id)
        assert "收入决算表" in f.message and f.message.startswith("未检查")
        counts = report.rules[rule_id]
        assert counts.not_checked == 1 and counts.passed == counts.checked == 0


def test_div0_cell_is_not_checked_with_its_printed_text() -> None:
    report = validate(set_cell(final_doc(), "self_evaluation#2", "资金总额", "执行率", "#DIV/0!"), [], DOC)
    (f,) = nc(report, "selfeval.rate")
    assert "#DIV/0!" in f.message and "无法读取" in f.message
    assert {c.key.column for c in f.cells} == {"执行率", "全年执行数", "全年预算数"}
    assert report.rules["selfeval.rate"].passed == 1  # the other table still checked


def test_zero_budget_rate_is_undefined() -> None:
    tables = set_cell(final_doc(), "self_evaluation#2", "资金总额", "全年预算数", "0.00")
    (f,) = nc(validate(tables, [], DOC), "selfeval.rate")
    assert "比率无定义" in f.message


def test_not_applicable_total_is_not_checked() -> None:
    report = validate(set_cell(final_doc(), "final_basic_detail#1", "公用经费合计", "决算数", "——"), [], DOC)
    (f,) = nc(report, "basic.final_public")
    assert "不适用" in f.message
    assert report.rules["basic.final_public"].passed == 0


def test_not_applicable_addend_is_left_out_not_zeroed() -> None:
    counts = validate(final_doc(), [], DOC).rules["basic.final_public"]  # 309 is printed ——
    assert counts.passed == 1 and counts.not_checked == 0


def test_missing_column_and_missing_row() -> None:
    no_balance = validate(final_doc(), [], DOC)
    (f,) = nc(no_balance, "selfeval.balance")  # the plain layout prints no 资金结(转)余
    assert "资金结(转)余" in f.message and "self_evaluation#2" in f.table_ids
    tables = [t.model_copy(deep=True) for t in final_doc()]
    detail = next(t for t in tables if t.id == "final_basic_detail#1")
    detail.rows = [r for r in detail.rows if r.key != "人员经费合计"]
    (f,) = nc(validate(tables, [], DOC), "basic.final_personnel")
    assert "人员经费合计" in f.message


def test_rules_of_the_other_document_family_stay_silent() -> None:
    report = validate(budget_doc(), [], DOC)
    assert not report.by_rule("selfeval.rate") and not report.by_rule("basic.final_public")
    assert report.rules["selfeval.rate"].not_checked == 0


def test_budget_without_performance_targets() -> None:
    tables = [t for t in budget_doc() if not t.id.startswith("performance_target")]
    report = validate(tables, [], DOC)
    for rule_id in ("perf.annual_vs_project", "perf.coverage", "perf.annual_sources", "perf.duplicate_copies"):
        (f,) = nc(report, rule_id)
        assert "绩效目标表" in f.message


def test_empty_carryover_table_counts_as_zero() -> None:
    tables = budget_doc()
    for t in tables:
        if t.id == "budget_projects_carryover#1":
            t.rows, t.status = [], t.status.EMPTY
    tables = set_cell(tables, "budget_summary#1", "上年结转", "收入/2024年", "")
    report = validate(tables, [], DOC)
    assert report.rules["xtable.carryover_vs_summary"].passed == 1
    (f,) = [f for f in report.by_rule("xtable.projects_vs_expenditure")]
    assert f.severity == Severity.ERROR and "本表无数据" in f.message
