"""Real answers over the real corpus: numbers checked against the cells (and by hand)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from extractor.store import Store
from qa_app.engine import answer
from qa_app.engine.grounding import check
from schemas.answers import Answer, AnswerKind
from tests.qa.helpers import CORPUS, doc_id

YANGCHENG = "阳城县应急管理局2024年哪些项目预算执行率偏低？原因是什么？"
FENYANG = "汾阳市应急管理局2024年预算收入总计多少？基本支出和项目支出各占多少？"


def _cell(store: Store, doc: str, table_id: str, row: str, col: str) -> Decimal | None:
    hit = store.db.execute("SELECT number FROM cells WHERE doc_id=? AND table_id=? AND row_key=? AND column_name=?",
                           (doc, table_id, row, col)).fetchone()
    return Decimal(hit[0]) if hit and hit[0] is not None else None


def _below_from_cells(store: Store, doc: str) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Independently of the engine: every self-evaluation's two rates, straight from the cells."""
    out = {}
    for t in store.tables(doc):
        if t.kind.value != "self_evaluation":
            continue
        ex, init, adj = (_cell(store, doc, t.id, "资金总额", c) for c in ("全年执行数", "年初预算数", "全年预算数"))
        ri = ex / init * 100 if ex is not None and init else None
        ra = ex / adj * 100 if ex is not None and adj else None
        if (ri is not None and ri < 100) or (ra is not None and ra < 100):
            out[t.label or t.title] = (ri, ra)
    return out


def test_yangcheng_under_execution_lists_exactly_the_projects_below_100_on_either_basis(store: Store) -> None:
    a = answer(store, YANGCHENG)
    assert a.kind == AnswerKind.COMPUTED and a.tool == "execution" and a.table is not None
    expected = _below_from_cells(store, doc_id(store, "yangcheng"))
    rows = {r[1]: r for r in a.table.rows}
    assert set(rows) == set(expected) and len(rows) == 14
    cols = a.table.columns
    for name, (ri, ra) in expected.items():
        row = rows[name]
        shown_i, shown_a = row[cols.index("执行率·年初预算数口径(%)")], row[cols.index("执行率·全年预算数口径(%)")]
        assert (shown_i == "—") == (ri is None)
        if ri is not None:
            assert abs(Decimal(shown_i) - ri) < Decimal("0.006")
        assert abs(Decimal(shown_a) - ra) < Decimal("0.006")
    # by hand from the document (应急救援专项资金: 年初预算数 200 万元, 全年执行数 11.544 → 5.77%)
    r = rows["应急救援专项资金"]
    assert r[2:7] == ["200", "11.544", "11.544", "5.77", "100.00"]
    assert rows["应急规划及预案管理经费"][5] == "51.41"
    assert rows["阳东一级消防站建设项目经费（二）"][2] == "无" and rows["阳东一级消防站建设项目经费（二）"][6] == "99.96"
    assert "按年初预算数（预算编制数）计算的执行率从低到高" in a.text
    assert "事故率下降" in r[8]  # the narrative's reason, quoted
    assert "说明中执行率78.11%，按表内数字计算为44.78%" in a.text  # table vs narrative disagreement
    assert a.text.index("应急救援专项资金") < a.text.index("地震检测预警防治经费") < a.text.index("应急规划及预案管理经费")


def test_fenyang_income_total_and_shares(store: Store) -> None:
    a = answer(store, FENYANG)
    assert a.tool == "totals"
    # 538.58 / 9236.44 = 5.83%, 8697.86 / 9236.44 = 94.17% (by hand)
    for s in ("收入总计9236.44万元", "基本支出538.58万元，占支出合计的5.83%", "项目支出8697.86万元，占支出合计的94.17%"):
        assert s in a.text


def test_function_class_2240108_in_fenyang(store: Store) -> None:
    a = answer(store, "汾阳市应急管理局2024年预算中，应急救援(2240108)安排了多少？")
    assert a.tool == "function"
    assert "2240108 应急救援：合计2007.14万元" in a.text
    assert {c.value for c in a.citations if c.row_label == "应急救援"} >= {"2007.14"}


def test_datong_top_five_projects(store: Store) -> None:
    a = answer(store, "大同市应急管理局2025年最大的五个项目是什么？")
    assert a.tool == "top_projects" and a.table is not None
    assert [r[1] for r in a.table.rows] == ["Z森林防火工作经费", "Z安全专项检查和聘请专家", "J应急管理专项资金",
                                            "X矿山安全生产督导工作经费", "Z应急管理干部培训经费"]
    assert [r[2] for r in a.table.rows] == ["100.00", "99.30", "99.01", "65.17", "60.00"]


def test_sangong_change_comes_from_the_narrative(store: Store) -> None:
    a = answer(store, "阳城县应急管理局2024年“三公”经费比上年变化多少？")
    assert a.tool == "sangong"
    assert "决算数3.50万元" in a.text and "「比上年度减少0.15万元，下降4.11%」" in a.text
    cite = next(c for c in a.citations if c.value == "比上年度减少0.15万元，下降4.11%")
    assert cite.line_start == 542 and cite.table_id is None
    many = answer(store, "各单位“三公”经费预算是多少？哪个单位最高？")
    assert "以下分别回答每份文件" in many.text and "最高的是大同市应急管理局2025年预算（10.50万元）" in many.text
    op = answer(store, "汾阳市应急管理局机关运行经费比上年增减多少？")
    assert "38.21万元" in op.text and "「比2023年预算减少4.15万元，下降9.8%」" in op.text


def test_follow_ups_resolve_against_the_previous_answer(store: Store) -> None:
    first = answer(store, FENYANG)
    second = answer(store, "那大同呢？", [first])
    assert second.tool == "totals" and second.context["orgs"] == ["大同市应急管理局"]
    assert "收入总计2233.22万元" in second.text
    third = answer(store, "去年呢？", [first, second])
    assert third.kind == AnswerKind.NONE and "没有找到大同市应急管理局2024年的文件" in third.text
    ex = answer(store, "阳城县应急管理局2024年执行率最低的三个项目")
    assert ex.table is not None and len(ex.table.rows) == 3 and ex.table.rows[0][1] == "应急救援专项资金"
    adjusted = answer(store, "按全年预算数算呢？", [ex])
    assert adjusted.tool == "execution" and adjusted.table is not None
    assert [r[1] for r in adjusted.table.rows] == ["阳东一级消防站建设项目经费（二）"]


def test_no_answer_says_so_and_search_says_it_is_a_search(store: Store) -> None:
    none = answer(store, "火星探测器的发射费用是多少？")
    assert none.kind == AnswerKind.NONE and "无法回答" in none.text and not none.citations
    found = answer(store, "阳城县应急管理局的内设机构有哪些？")
    assert found.kind == AnswerKind.SEARCH and "检索结果" in found.text
    assert any("16个内设股室" in (c.value or "") for c in found.citations)


QUESTIONS = [YANGCHENG, FENYANG, "大同市应急管理局2025年最大的五个项目是什么？", "各单位“三公”经费预算是多少？哪个单位最高？",
             "机关运行经费比上年增减多少？", "灾害防治及应急管理支出中，应急救援(2240108)安排了多少？", "哪些表的数字对不上？",
             "汾阳市第二城市消防站装备购置花了多少钱", "阳城县应急管理局的内设机构有哪些？", "汾阳市应急管理局2024年的人员经费和公用经费各多少"]


def _assert_cited_cells_exist(store: Store, a: Answer) -> None:
    for c in a.citations:
        if c.table_id == "derived":
            continue
        if c.column:
            hit = store.db.execute("SELECT printed FROM cells WHERE doc_id=? AND table_id=? AND column_name=? AND row_label=? "
                                   "AND printed=?", (c.doc_id, c.table_id, c.column, c.row_label, c.value)).fetchone()
            assert hit is not None, c
        else:
            assert c.line_start and c.value, c


def test_every_number_in_every_answer_is_cited(store: Store) -> None:
    for q in QUESTIONS:
        a = answer(store, q)
        report = check(store, a)
        assert report.ok, (q, report.problems())
        assert report.numbers > 0 or a.kind != AnswerKind.COMPUTED, q
        assert not a.warnings, (q, a.warnings)
        _assert_cited_cells_exist(store, a)


def test_grounding_catches_an_invented_number_and_a_wrong_derivation(store: Store) -> None:
    a = answer(store, FENYANG)
    bad = a.model_copy(update={"text": a.text + "另有专项资金123.45万元。"})
    assert check(store, bad).ungrounded == ["123.45"]
    wrong = a.model_copy(deep=True)
    derived = next(c for c in wrong.citations if c.table_id == "derived" and c.column == "derived:pct")
    derived.value = "6.00"
    assert not check(store, wrong).ok


def test_an_org_the_store_does_not_have_is_named_not_guessed(store: Store) -> None:
    a = answer(store, "太原市应急管理局2024年三公经费是多少？")
    assert a.kind == AnswerKind.NONE and "没有找到太原市应急管理局的文件" in a.text
    short = answer(store, "阳城县应急局的三公经费")
    assert short.tool == "sangong" and short.context["orgs"] == ["阳城县应急管理局"]


def test_under_execution_from_a_digital_pdf_quotes_the_reasons(tmp_path: Path, monkeypatch) -> None:
    """The same question over the final accounts as a digital PDF (rendered from the corpus text with ruled
    tables and an embedded CJK font): the reasons come from the PDF's text layer, not a text file."""
    from eval.render import read_text, render_digital
    from eval.render_layout import font_file
    from extractor import hooks
    from extractor.pipeline import ingest_file
    from extractor.store import open_store
    from schemas.provenance import SourceKind

    src = CORPUS / "yangcheng-emergency-2024-final-accounts.txt"
    if not src.exists():
        pytest.skip(f"corpus not found at {CORPUS}")
    try:
        font_file()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    monkeypatch.setattr(hooks, "ON_DOCUMENT_CHANGED", [])
    pdf = tmp_path / "yangcheng.pdf"
    pdf.write_bytes(render_digital(read_text(src), 7)[0])
    home = tmp_path / "home"
    pdf_store = open_store(home)
    assert ingest_file(pdf, pdf_store, home).error is None
    assert pdf_store.documents()[0].source == SourceKind.PDF
    a = answer(pdf_store, YANGCHENG)
    assert a.tool == "execution" and a.table is not None
    rows = {r[1]: r for r in a.table.rows}
    assert len(rows) == 14 and rows["应急救援专项资金"][5] == "5.77"
    assert "事故率下降" in rows["应急救援专项资金"][8]  # quoted from the PDF's 项目绩效分析
    with_reason = [name for name, r in rows.items() if r[8]]
    assert len(with_reason) >= 10, with_reason
