"""Tables from plain page text (``page.get_text()`` joined by form feeds): one cell per line, empty cells
gone, wrapped names, page numbers and repeated headers. The stream path must give the tables the TAB path
gives for the same document."""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from extractor.extract import extract_tables
from extractor.layout import LoadedDocument
from extractor.load_text import load_text
from extractor.tables.stream import is_stream_document, stream_segment
from schemas.tables import RowRole, Table, TableKind
from tests.conftest import DATONG, FENYANG, YANGCHENG

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
DEV_SEED, HELD_OUT_SEED = 1, 101  # 101 was never looked at while the stream path was written
MIN_AGREEMENT = 0.97


def build_stream_tables(doc: LoadedDocument) -> list[Table]:
    """The stream path, even for documents too small for ``is_stream_document`` to pick it."""
    from extractor.extract import build_tables

    return build_tables(doc, stream_segment(doc))


def numeric_cells(tables: list[Table]) -> set[tuple[str, str, str, str]]:
    return {(t.id, r.key, c.column, c.value.printed.strip())
            for t in tables for r in t.rows for c in r.cells if c.value.number is not None}


def indicator_cells(tables: list[Table]) -> set[tuple[str, str, str, str]]:
    """Self-evaluation indicator rows (keyed by 三级指标): the stream path does not produce them yet (a plain
    text stream loses the blank cells that line a row's values up with the header), so they are not compared."""
    return {(t.id, r.key, c.column, c.value.printed.strip()) for t in tables if t.kind == TableKind.SELF_EVALUATION
            for r in t.rows if r.role == RowRole.DATA and r.key not in ("资金总额", "项目绩效分析")
            for c in r.cells if c.value.number is not None}


def kinds(tables: list[Table]) -> Counter[TableKind]:
    return Counter(t.kind for t in tables if t.kind != TableKind.UNCLASSIFIED)


@cache
def page_text(name: str, seed: int) -> str:
    """The plain text a user gets from the PDF: get_text() of every page, joined by form feeds."""
    pymupdf = pytest.importorskip("pymupdf")
    try:
        from eval.render import read_text, render_digital
    except ImportError as e:  # the renderer belongs to another part of the project
        pytest.skip(f"eval.render unavailable: {e}")
    pdf, _ = render_digital(read_text(CORPUS / name), seed)
    return "\f".join(page.get_text() for page in pymupdf.open("pdf", pdf))


@cache
def tab_tables(name: str) -> list[Table]:
    return extract_tables(load_text((CORPUS / name).read_bytes(), "d" * 64, name))[0]


@pytest.mark.parametrize("seed", [DEV_SEED, HELD_OUT_SEED])
@pytest.mark.parametrize("name", [DATONG, FENYANG, YANGCHENG])
def test_stream_text_matches_tab_path(corpus, name, seed):
    doc = load_text(page_text(name, seed).encode("utf-8"), "d" * 64, name)
    assert is_stream_document(doc)
    tables = build_stream_tables(doc)
    reference = tab_tables(name)
    assert kinds(tables) == kinds(reference)
    want, got = numeric_cells(reference) - indicator_cells(reference), numeric_cells(tables)
    agreement = len(want & got) / len(want)
    missing = sorted(want - got)[:10]
    assert agreement >= MIN_AGREEMENT, f"{name} seed {seed}: {agreement:.2%} of {len(want)} cells; e.g. {missing}"


def test_tab_documents_are_not_streams(corpus):
    for name in (DATONG, FENYANG, YANGCHENG):
        assert not is_stream_document(load_text((corpus / name).read_bytes(), "d" * 64, name))


# --- hand-made streams ---

HEADER = ["项目", "2024年预算数", "科目编码", "科目名称", "合计", "基本支出", "项目支出"]


def _doc(lines: list[str]) -> LoadedDocument:
    return load_text("\n".join(lines).encode("utf-8"), "t" * 64, "stream.txt")


def _table(lines: list[str], kind: TableKind) -> Table:
    tables = [t for t in build_stream_tables(_doc(lines)) if t.kind == kind]
    assert len(tables) == 1, [t.kind for t in tables]
    return tables[0]


def _values(table: Table, key: str) -> dict[str, str]:
    row = table.row(key)
    assert row is not None, [r.key for r in table.rows]
    return {c.column: c.value.printed for c in row.cells if c.value.printed}


FUNCTION_TABLE = [
    "2024年一般公共预算支出表", "单位名称：某某局", "单位：万元", *HEADER,
    "合计", "300.00", "200.00", "100.00",
    "224 灾害防治及应急管理支出", "300.00", "200.00", "100.00",
    "22401 应急管理事务", "300.00", "200.00", "100.00",
    "2240101 行政运行", "200.00", "200.00",
    "2240108 应急救援", "100.00", "100.00",
]


def test_collapsed_cells_settled_by_rollup():
    """2240108 prints two numbers for three columns: 合计 = 基本 + 项目 holds either way; only 款 = Σ 项
    (基本 200 = 行政运行 alone) puts its 100.00 under 项目支出 rather than the leftmost 基本支出."""
    table = _table(FUNCTION_TABLE, TableKind.BUDGET_GENERAL_EXPENDITURE)
    assert table.columns == ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
    assert _values(table, "2240101") == {"合计": "200.00", "基本支出": "200.00"}
    assert _values(table, "2240108") == {"合计": "100.00", "项目支出": "100.00"}
    assert table.row("2240108").label == "应急救援"
    assert table.org == "某某局"
    assert any("2240108" in r and "项目支出" in r for r in table.repairs), table.repairs


def test_wrapped_names_rejoined():
    lines = FUNCTION_TABLE[:FUNCTION_TABLE.index("合计", 8)] + [
        "合计", "134.12", "134.12",
        "208 社会保障和就业支出", "134.12", "134.12",
        "20805 行政事业单位养老支出", "134.12", "134.12",
        "2080505 机关事业单位基本养老保险缴", "费支出", "134.12", "134.12",
    ]
    table = _table(lines, TableKind.BUDGET_GENERAL_EXPENDITURE)
    row = table.row("2080505")
    assert row.label == "机关事业单位基本养老保险缴费支出"
    assert row.provenance.line_end > row.provenance.line_start
    projects = _table([
        "2024年项目支出预算表（本年预算）", "单位：万元", "项目名称", "合计", "2024年财政拨款", "一般公共预算",
        "政府性基金预算", "国有资本经营预算", "某某局", "150.00", "150.00",
        "某某区综合应急救援装备购置及演练项目经", "费", "100.00", "100.00",
        "安全生产宣传经费", "50.00", "50.00",
    ], TableKind.BUDGET_PROJECTS)
    assert [r.key for r in projects.rows] == ["某某局", "某某区综合应急救援装备购置及演练项目经费", "安全生产宣传经费"]
    assert _values(projects, "安全生产宣传经费") == {"合计": "50.00", "一般公共预算": "50.00"}


def test_page_number_and_repeated_header_mid_table():
    cut = FUNCTION_TABLE.index("2240101 行政运行")
    lines = FUNCTION_TABLE[:cut] + ["- 3 -", "\f" + HEADER[0], *HEADER[1:]] + FUNCTION_TABLE[cut:]
    table = _table(lines, TableKind.BUDGET_GENERAL_EXPENDITURE)
    assert [r.key for r in table.rows] == ["合计", "224", "22401", "2240101", "2240108"]
    assert _values(table, "2240108") == {"合计": "100.00", "项目支出": "100.00"}
    assert table.row("2240101").provenance.page == 2
    assert table.pages == [1, 2]


def test_two_sided_table_sides_and_row_numbers():
    """收入 and 支出 labels interleave; 行次 numbers are dropped; 总计 is first income, then expenditure."""
    lines = [
        "收入支出决算总表", "金额单位：万元", "收入", "支出", "项目", "行次", "金额", "项目", "行次", "金额",
        "栏次", "1 栏次", "2",
        "一、一般公共预算财政拨款收入", "1", "500.00 一、一般公共服务支出", "30", "120.00",
        "二、政府性基金预算财政拨款收入", "2", "二、外交支出", "31",
        "3", "三、灾害防治及应急管理支出", "32", "380.00",
        "本年收入合计", "4", "500.00 本年支出合计", "33", "500.00",
        "总计", "5", "500.00 总计", "34", "500.00",
    ]
    table = _table(lines, TableKind.FINAL_SUMMARY)
    assert table.columns == ["收入/项目", "收入/金额", "支出/项目", "支出/金额"]
    assert _values(table, "一、一般公共预算财政拨款收入") == {"收入/金额": "500.00"}
    assert _values(table, "三、灾害防治及应急管理支出") == {"支出/金额": "380.00"}
    totals = [{c.column: c.value.printed for c in r.cells if c.value.printed} for r in table.rows if r.key == "总计"]
    assert totals == [{"收入/金额": "500.00"}, {"支出/金额": "500.00"}]  # each side keys its own rows


# --- space-separated rows (plain text export: a row on one line, cells separated by runs of spaces) ---


def _form(name: str, total: str, county_label: str = "市县（区）财政资金") -> list[str]:
    return [
        f"项目名称 {name}",
        "主管部门及代码 202-某某局 实施单位 某某局",
        "项目属性 一次性项目 项目期 1年",
        f"项目资金（元） 实施期资金总额： {total} 年度资金总额： {total}",
        "其中：中央财政资金 0 其中：中央财政资金 0",
        "省级财政资金 0 省级财政资金 0",
        f"{county_label} {total} {county_label} {total}",
        "单位自筹 0 单位自筹 0",
        "项目概况 某某工作经费。",
        "绩效指标 一级指标 二级指标 三级指标 指标值 二级指标 三级指标 指标值",
        "产出指标 数量指标 人数 10人 数量指标 人数 10人",
    ]


def test_space_row_forms_without_title_are_found():
    """Title-less 绩效目标表 whose rows are printed one per line: ``项目名称 <name>`` starts each form
    (the key of the whole line is no longer ``项目名称``). A fund label one character off a known one
    (市县 read as 市市) is read as the known label."""
    lines = ["附件", *_form("乡村安全专管员补助", "245700"), *_form("应急值班补贴", "20000", "市市（区）财政资金")]
    targets = [t for t in build_stream_tables(_doc(lines)) if t.kind == TableKind.PERFORMANCE_TARGET]
    assert [t.label for t in targets] == ["乡村安全专管员补助", "应急值班补贴"]
    assert _values(targets[0], "实施期资金")["市县(区)财政资金"] == "245700"
    assert _values(targets[1], "年度资金")["市县(区)财政资金"] == "20000"
    assert any("市市" in r for r in targets[1].repairs), targets[1].repairs


SPACE_INCOME = [
    "2024年预算收入总表", "单位名称：某某局", "单位：万元",
    "项目 本年收入 上年结转",
    "科目编码 科目名称 合计 一般公共预算 政府性基金",
    "合计 305.00 305.00",
    "224 灾害防治及应急管理支出 305.00 305.00",
    "22401 应急管理事务 300.00 300.00",
    "2240101 行政运行 300.00 300.00",
    "22407 自然灾害救灾及恢复重建支出 5.00 5.00",
    "2240703 自然灾害救灾补助 5.00 5.00",
]


def test_space_row_before_a_title_stays_a_row():
    """The table's last row (with figures) right before the next title is no first half of a wrapped title."""
    lines = SPACE_INCOME + ["2024年预算支出总表", "单位名称：某某局", "单位：万元"]
    table = _table(lines, TableKind.BUDGET_INCOME)
    assert _values(table, "2240703") == {"合计": "5.00", "一般公共预算": "5.00"}


def test_space_row_wrapped_name_tail_below_the_row():
    """A long name cell wrapped in a row printed on one line: its rest comes on a line of its own under the
    row (after the row's figures). It completes the name; a header cell wrapped the same way too."""
    at = SPACE_INCOME.index("2240101 行政运行 300.00 300.00")
    lines = SPACE_INCOME[:at] + ["2240101 行政运行及应急管理综合 300.00 300.00", "事务支出"] + SPACE_INCOME[at + 1:]
    table = _table(lines, TableKind.BUDGET_INCOME)
    assert table.row("2240101").label == "行政运行及应急管理综合事务支出"
    assert _values(table, "2240101") == {"合计": "300.00", "一般公共预算": "300.00"}
    economic = _table([
        "2024年一般公共预算安排基本支出分经济科目表", "单位：万元",
        "部门预算支出经济科目名称 政府预算支出经济 2024年预算数", "科目名称", "合计 人员经费 公用经费",
        "合计 50.00 30.00 20.00",
        "工资福利支出 30.00 30.00",
        "机关事业 社会保障缴费 30.00 30.00", "单位基本养老保险缴费",
        "商吕和服务支出 20.00 20.00",
        "办公费 办公经费 20.00 20.00",
    ], TableKind.BUDGET_BASIC_ECONOMIC)
    assert economic.columns[:2] == ["部门预算支出经济科目名称", "政府预算支出经济科目名称"]
    assert _values(economic, "机关事业单位基本养老保险缴费/社会保障缴费") == {"合计": "30.00", "人员经费": "30.00"}
    assert _values(economic, "商品和服务支出") == {"合计": "20.00", "公用经费": "20.00"}  # 品 read as 吕


def test_enumerated_row_under_a_row_is_no_wrapped_tail():
    """``①公务用车购置费`` under a row with figures is a row of its own (an enumerated item), even empty."""
    table = _table([
        "2024年财政拨款安排“三公”经费支出预算表", "单位：万元",
        "项目 2024年预算数", "合计 一般公共预算 政府性基金预算 国有资本经营预算",
        "因公出国（境）费", "公务接待费",
        "公务用车购置及运行费 5.00 5.00", "①公务用车购置费", "②公务用车运行维护费 5.00 5.00",
        "合计 5.00 5.00",
    ], TableKind.BUDGET_SANGONG)
    assert _values(table, "公务用车购置及运行费") == {"合计": "5.00", "一般公共预算": "5.00"}


def test_collapsed_tabs_read_as_space_rows():
    """TAB rows where empty cells were dropped (no row has an empty cell, row lengths vary): the TABs keep
    no column positions, so the rows are read like space-separated ones — figures after a gap are placed
    by the table's sums, not shifted left into the wrong column."""
    rows = ["合计\t1300.00\t1100.00\t200.00", "224\t灾害防治及应急管理支出\t1300.00\t1100.00\t200.00",
            "22401\t应急管理事务\t1100.00\t1100.00"]
    rows += [f"22401{k:02d}\t事务{k}\t{20 * k}.00\t{20 * k}.00" for k in range(1, 11)]  # 20+…+200 = 1100
    rows += ["22402\t消防救援事务\t200.00\t200.00"]
    rows += [f"22402{k:02d}\t项目{k}\t{20 * k}.00\t{20 * k}.00" for k in range(1, 5)]  # 20+…+80 = 200
    lines = [f"（{k}）本单位职责第{k}项。" for k in range(1, 11)]
    lines += ["2024年一般公共预算支出表", "单位：万元", "项目\t2024年预算数", "科目编码\t科目名称\t合计\t基本支出\t项目支出",
             *rows, "以上为本单位预算。"]
    doc = _doc(lines)
    assert all(ln.sep.name == "SPACE" for ln in doc.lines)
    assert [c.text for c in doc.lines[13].cells] == ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
    tables = [t for t in extract_tables(doc)[0] if t.kind == TableKind.BUDGET_GENERAL_EXPENDITURE]
    assert len(tables) == 1
    assert _values(tables[0], "2240101") == {"合计": "20.00", "基本支出": "20.00"}
    assert _values(tables[0], "2240201") == {"合计": "20.00", "项目支出": "20.00"}  # the TAB path said 基本支出


def test_tab_rows_with_empty_cells_keep_their_positions():
    text = "\n".join(["科目编码\t科目名称\t合计\t基本支出\t项目支出"] + [f"2240{k:03d}\t事务\t5.00\t\t5.00" for k in range(30)])
    doc = _doc(text.split("\n"))
    assert all(ln.sep.name == "TAB" for ln in doc.lines)


def test_space_row_form_funds_glued_and_side_by_side_labels():
    """Funds lines of a 绩效目标表 printed one row a line: an empty slot collapsed (中期资金总额： with no
    amount next to 年度资金总额：), a label and its amount in one cell (其中：财政拨款 3514万元), two labels side
    by side; and a label cut off by a narrow cell with an OCR slip (市市（区）财政资 for 市县（区）财政资金)."""
    lines = ["附件",
             "项目名称 应急装备购置", "主管部门及代码 202-某某局 实施单位 某某局", "项目属性 重点项目 项目期 2年",
             "项目资金 (万元) 中期资金总额：3514万元 年度资金总额： 3514万元",
             "其中：财政拨款 3514万元 其中：财政拨款 3514万元",
             "其他资金 其他资金",
             "项目概况 某某装备购置。",
             "项目名称 物业管理经费", "主管部门及代码 202-某某局 实施单位 某某局", "项目属性 一次性项目 项目期 1年",
             "项目资金 （元） 实施期资金总额： 600,000 年度资金总额： 600,000",
             "其中：中央财政资金 0 其中：中央财政资金 0",
             "市市（区）财政资 600,000 市县（区）财政资 600,000",
             "项目概况 某某物业管理。"]
    first, second = [t for t in build_stream_tables(_doc(lines)) if t.kind == TableKind.PERFORMANCE_TARGET]
    assert _values(first, "实施期资金") == {"实施期资金总额": "3514万元", "财政拨款": "3514万元"}
    assert _values(first, "年度资金") == {"年度资金总额": "3514万元", "财政拨款": "3514万元"}
    assert _values(second, "实施期资金")["市县(区)财政资金"] == "600,000"
    assert _values(second, "年度资金")["市县(区)财政资金"] == "600,000"
