"""Document-level rules (standard tables present), duplicated self-evaluations, and not-checked noise:
a layout that prints —— is reported once per rule and table, not once per cell."""

from __future__ import annotations

from sample_docs import budget_doc, final_doc, self_eval_plain
from tablekit import DOC, drop_table, make_table, set_cell

from extractor.validate import validate
from extractor.validate.catalog import TABLE_NAMES
from schemas.findings import Severity
from schemas.tables import TableKind as K


def warnings(tables: list, rule: str = "doc.tables_present") -> list:
    return [f for f in validate(tables, [], DOC).by_rule(rule) if f.severity == Severity.WARNING]


def test_standard_tables_present_passes_then_names_the_missing_one() -> None:
    for doc in (budget_doc, final_doc):
        report = validate(doc(), [], DOC)
        counts = report.rules["doc.tables_present"]
        assert counts.passed >= 9 and counts.warnings == 0
    (f,) = warnings(drop_table(budget_doc(), "budget_sangong#1"))
    assert TABLE_NAMES[K.BUDGET_SANGONG] in f.message
    (f,) = warnings(drop_table(final_doc(), "final_info_stats#1"))
    assert TABLE_NAMES[K.FINAL_INFO_STATS] in f.message


def test_extended_budget_layout_expects_all_its_tables() -> None:
    """A 13-table layout (it prints 机关运行经费 and 项目支出表) missing its 上年结转 table is incomplete; the 9-table
    layout (none of them) is not."""
    (f,) = warnings(drop_table(budget_doc(), "budget_projects_carryover#1"))
    assert TABLE_NAMES[K.BUDGET_PROJECTS_CARRYOVER] in f.message
    nine = [t for t in budget_doc() if t.kind not in (K.BUDGET_FUND_INCOME, K.BUDGET_OPERATING_COST, K.BUDGET_PROJECTS,
                                                     K.BUDGET_PROJECTS_CARRYOVER, K.PERFORMANCE_TARGET)]
    assert warnings(nine) == []


def test_an_excerpt_is_not_checked_for_completeness() -> None:
    tables = [t for t in budget_doc() if t.kind in (K.BUDGET_SUMMARY, K.BUDGET_INCOME)]
    report = validate(tables, [], DOC)
    assert report.rules["doc.tables_present"].warnings == 0 and report.rules["doc.tables_present"].not_checked == 1


def duplicated() -> list:
    copy = self_eval_plain().model_copy(update={"id": "self_evaluation#3"})
    return [*final_doc(), copy]


def test_duplicated_self_evaluation_copies_must_agree() -> None:
    clean = validate(duplicated(), [], DOC).rules["selfeval.duplicate_copies"]
    assert clean.passed == 1 and clean.errors == 0
    tables = set_cell(duplicated(), "self_evaluation#3", "资金总额", "全年执行数", "60.00")
    (f,) = [f for f in validate(tables, [], DOC).by_rule("selfeval.duplicate_copies") if f.severity == Severity.ERROR]
    assert "基建补助资金" in f.message and {c.key.table_id for c in f.cells} == {"self_evaluation#2", "self_evaluation#3"}


def test_not_applicable_inputs_reported_once_per_table() -> None:
    """Two 类 printed —— in one 明细表: one not-checked finding naming both places, never counted as passed."""
    tables = final_doc()
    detail = next(t for t in tables if t.kind == K.FINAL_BASIC_DETAIL)
    rows = [(r.key, r.label, [r.cells[0].value.printed]) for r in detail.rows]
    rows += [("311", "311", ["——"]), ("31101", "31101", ["——"])]
    tables[tables.index(detail)] = make_table(K.FINAL_BASIC_DETAIL, ["决算数"], rows)
    report = validate(tables, [], DOC)
    na = [f for f in report.by_rule("basic.class_sum") if f.severity == Severity.NOT_CHECKED]
    assert len(na) == 1 and "2 处" in na[0].message and "309" in na[0].message and "311" in na[0].message
    assert report.rules["basic.class_sum"].not_checked == 1
