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
from schemas.tables import Table, TableKind
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
    want, got = numeric_cells(reference), numeric_cells(tables)
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
