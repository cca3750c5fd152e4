"""Text path on the real corpus: tables found with their kinds, cells keyed by code/label."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from extractor.extract import document_identity, extract_tables
from extractor.load_text import load_text
from schemas.tables import DocKind, TableKind, TableStatus
from tests.conftest import DATONG, FENYANG, YANGCHENG

BUDGET_KINDS = {
    TableKind.BUDGET_SUMMARY, TableKind.BUDGET_INCOME, TableKind.BUDGET_EXPENDITURE, TableKind.BUDGET_FISCAL_SUMMARY,
    TableKind.BUDGET_GENERAL_EXPENDITURE, TableKind.BUDGET_BASIC_ECONOMIC, TableKind.BUDGET_FUND_INCOME,
    TableKind.BUDGET_FUND_EXPENDITURE, TableKind.BUDGET_STATE_CAPITAL, TableKind.BUDGET_SANGONG,
    TableKind.BUDGET_OPERATING_COST, TableKind.BUDGET_PROJECTS, TableKind.BUDGET_PROJECTS_CARRYOVER,
}
FINAL_KINDS = {
    TableKind.FINAL_SUMMARY, TableKind.FINAL_INCOME, TableKind.FINAL_EXPENDITURE, TableKind.FINAL_FISCAL_SUMMARY,
    TableKind.FINAL_GENERAL_EXPENDITURE, TableKind.FINAL_BASIC_DETAIL, TableKind.FINAL_FUND,
    TableKind.FINAL_STATE_CAPITAL, TableKind.FINAL_SANGONG, TableKind.FINAL_INFO_STATS,
}


def _extract(corpus, name):
    doc = load_text((corpus / name).read_bytes(), "d" * 64, name)
    return extract_tables(doc)


def _cell(tables, kind, row, column):
    t = next(t for t in tables if t.kind == kind)
    r = t.row(row)
    assert r is not None, f"{kind} has no row {row}: {[x.key for x in t.rows][:10]}"
    c = r.cell(column)
    assert c is not None, f"{kind}/{row} has no column {column}: {[x.column for x in r.cells]}"
    return c


@pytest.mark.parametrize("name", [FENYANG, DATONG])
def test_budget_tables_all_found_once(corpus, name):
    tables, seg = _extract(corpus, name)
    kinds = Counter(t.kind for t in tables)
    for kind in BUDGET_KINDS:
        assert kinds[kind] == 1, f"{kind}: {kinds[kind]}"
    org, year, kind = document_identity(seg, tables)
    assert kind == DocKind.BUDGET and org and org.endswith("应急管理局")


def test_final_account_tables_and_26_self_evaluations(corpus):
    tables, seg = _extract(corpus, YANGCHENG)
    kinds = Counter(t.kind for t in tables)
    for kind in FINAL_KINDS:
        assert kinds[kind] == 1, kind
    assert kinds[TableKind.SELF_EVALUATION] == 26
    assert kinds[TableKind.UNCLASSIFIED] == 0  # the table of contents is not a table
    assert document_identity(seg, tables)[2] == DocKind.FINAL_ACCOUNTS


def test_empty_tables_recorded_as_present_and_empty(corpus):
    tables, _ = _extract(corpus, YANGCHENG)
    fund = next(t for t in tables if t.kind == TableKind.FINAL_FUND)
    assert fund.status == TableStatus.EMPTY


def test_shifted_header_settled_by_row_identity(corpus):
    """Fenyang's 收入总表 prints 上年结转 one cell left of its figures (line 94/96 of the file)."""
    tables, _ = _extract(corpus, FENYANG)
    assert _cell(tables, TableKind.BUDGET_INCOME, "合计", "上年结转").value.number == Decimal("4.05")
    income = next(t for t in tables if t.kind == TableKind.BUDGET_INCOME)
    assert income.repairs, "the column swap must be recorded"


def test_function_lines_keyed_by_code_with_levels(corpus):
    tables, _ = _extract(corpus, FENYANG)
    c = _cell(tables, TableKind.BUDGET_GENERAL_EXPENDITURE, "2240108", "项目支出")
    assert c.value.number == Decimal("2007.14")
    assert c.provenance.line_start is not None
    row = next(t for t in tables if t.kind == TableKind.BUDGET_GENERAL_EXPENDITURE).row("22401")
    assert row.level == 2


def test_two_sided_summary_and_side_by_side_detail(corpus):
    tables, _ = _extract(corpus, YANGCHENG)
    assert _cell(tables, TableKind.FINAL_SUMMARY, "本年支出合计", "支出/金额").value.number == Decimal("9316.63")
    assert _cell(tables, TableKind.FINAL_BASIC_DETAIL, "30217", "决算数").value.number == Decimal("0.42")
    assert _cell(tables, TableKind.FINAL_BASIC_DETAIL, "公用经费合计", "决算数").value.number == Decimal("99.05")
    assert _cell(tables, TableKind.FINAL_SANGONG, "数据", "决算数/公务接待费").value.number == Decimal("0.42")


def test_self_evaluation_layouts(corpus):
    tables, _ = _extract(corpus, YANGCHENG)
    se = {t.label: t for t in tables if t.kind == TableKind.SELF_EVALUATION}
    # split layout, 全年预算数 printed twice in a merged cell (lines 845-849)
    funds = se["煤矿整治重大隐患特别行动工作专项经费"].row("资金总额")
    assert funds.cell("年初预算数").value.number == Decimal("202.788")
    assert funds.cell("全年预算数").value.number == Decimal("192.994")
    assert funds.cell("全年执行数").value.number == Decimal("192.994")
    # money added during the year: 目标申报数 0, 预算编制数 200, adjusted to 11.544
    funds = se["应急救援专项资金"].row("资金总额")
    assert funds.cell("年初预算数").value.number == Decimal("200")
    assert funds.cell("全年执行数").value.number == Decimal("11.544")
    narrative = se["应急救援专项资金"].row("项目绩效分析")
    assert narrative.cell("预算执行率(%)").value.number == Decimal("5.77")
    # central transfer layout: no 年初预算数 printed, so none is invented
    central = next(t for t in se.values() if t.label and t.label.startswith("2023年安全生产预防"))
    assert central.row("资金总额").cell("年初预算数") is None


def test_label_wrapped_over_two_lines_keeps_the_table():
    """A label printed in a narrow cell comes out as ``表`` / ``一`` on two lines (and ``表`` then repeats on
    every table, so it must not be taken for a watermark): the table goes on below it."""
    parts = []
    for n, title in (("一", "2023年度部门收入决算表"), ("二", "2023年度部门支出决算表"), ("三", "2023年度部门收支决算总表")):
        parts += [title, "", "表", "", n, "", "单位名称：某某局", "金额单位：万元",
                  "科目编码\t科目名称\t合计", "201\t一般公共服务支出\t12.50", "合计\t\t12.50", ""]
    text = "\n".join(parts).encode()
    tables, _ = extract_tables(load_text(text, "d" * 64, "wrapped.txt"))
    assert [t.label for t in tables] == ["表一", "表二", "表三"]
    assert all(len(t.rows) >= 2 for t in tables), [(t.title, len(t.rows)) for t in tables]
