"""问答: the conversation with answers, tables, charts and citations; a selected citation shows its
source (the text lines, highlighted; or the PDF page with the cell's box)."""

from __future__ import annotations

import sys
import types

import pytest

from extractor.store import open_store
from schemas.answers import Answer, AnswerTable, ChartSpec, Citation
from tests.app.helpers import YANGCHENG, engine_available, make_app, markup_texts

QUESTION = "阳城县应急管理局2024年哪些项目预算执行率偏低？"


def test_missing_engine_says_so(app_home, monkeypatch):
    monkeypatch.setitem(sys.modules, "qa_app.engine", None)  # import fails as if not installed
    at = make_app()
    assert not at.exception
    assert any("问答引擎尚未安装" in w.value for w in at.warning)
    at.chat_input(key="chat_q").set_value(QUESTION).run()
    assert not at.exception and any("问答引擎尚未安装" in w.value for w in at.warning)


def _stub(app_home, calls):
    store = open_store(app_home)
    doc = store.resolve(YANGCHENG)
    table = store.table(doc.id, "final_summary#1")
    cell = table.row("本年收入合计").cell("收入/金额")
    pdf_id = "f" * 64
    _write_pdf(app_home / "files" / f"{pdf_id}.pdf")

    def answer(store, question, history=None):
        calls.append((question, len(history or [])))
        return Answer(
            question=question, text="本年收入合计 **9316.63** 万元 <script>alert(1)</script>", tool="stub",
            table=AnswerTable(columns=["项目", "金额"], rows=[["本年收入合计", "9316.63"], ["<b>x</b>", "1"]]),
            chart=ChartSpec(kind="bar", x="项目", y=["金额"], data=[{"项目": "本年收入合计", "金额": 9316.63}]),
            citations=[Citation(doc_id=doc.id, doc_name=doc.file_name, page=1, table_id=table.id,
                                table_title=table.title, row_label="本年收入合计", column="收入/金额",
                                value=cell.value.printed, line_start=cell.provenance.line_start,
                                line_end=cell.provenance.line_end),
                       Citation(doc_id=pdf_id, doc_name="scan.pdf", page=1, value="123.45",
                                bbox=(72.0, 90.0, 200.0, 110.0))])

    return types.SimpleNamespace(answer=answer), cell.provenance.line_start


def _write_pdf(path):
    import pymupdf

    with pymupdf.open() as pdf:
        page = pdf.new_page(width=595, height=842)
        page.insert_text((75, 105), "123.45", fontsize=12)
        pdf.save(path)


def test_answer_table_chart_citations_and_sources(app_home, monkeypatch):
    calls: list = []
    stub, line = _stub(app_home, calls)
    monkeypatch.setitem(sys.modules, "qa_app.engine", stub)
    at = make_app()
    at.chat_input(key="chat_q").set_value(QUESTION).run()
    assert not at.exception, [e.value for e in at.exception]
    assert calls == [(QUESTION, 0)]
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert len(at.get("vega_lite_chart")) == 1
    answer_table = at.dataframe[0].value
    assert list(answer_table.columns) == ["项目", "金额"] and answer_table.iloc[1, 0] == "<b>x</b>"
    cites = at.dataframe(key="df-cite-0").value
    assert list(cites["值"]) == ["9316.63", "123.45"]
    texts = markup_texts(at)
    assert any(r"\*\*9316\.63\*\*" in t and r"\<script\>" in t for t in texts)  # answer text escaped
    # select the text citation: the source lines, the cited one marked
    at.session_state["df-cite-0"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    lines = at.dataframe[-1].value
    assert list(lines.loc[lines["标记"] == "▶", "行号"]) == [line]
    assert "9316.63" in lines.loc[lines["行号"] == line, "原文"].item()
    # select the PDF citation: the page image with the box
    at.session_state["df-cite-0"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception and len(at.get("image")) == 1
    # a follow-up passes the history
    at.chat_input(key="chat_q").set_value("原因是什么？").run()
    assert calls[-1] == ("原因是什么？", 1) and len(at.chat_message) == 4


def test_page_png_draws_the_box(tmp_path):
    from qa_app.app.source import page_png

    pdf = tmp_path / "p.pdf"
    _write_pdf(pdf)
    plain = page_png(str(pdf), 0.0, 1, ())
    boxed = page_png(str(pdf), 0.0, 1, (((72.0, 90.0, 200.0, 110.0), "cited"),))
    assert plain.startswith(b"\x89PNG") and boxed != plain
    with pytest.raises(ValueError, match="outside"):
        page_png(str(pdf), 0.0, 3, ())


@pytest.mark.skipif(not engine_available(), reason="qa_app.engine (answer) is not installed yet")
def test_real_engine_answers_with_citations(app_home):
    at = make_app(timeout=120)
    at.chat_input(key="chat_q").set_value(QUESTION).run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    cites = at.dataframe(key="df-cite-0").value
    assert len(cites) > 0 and YANGCHENG in set(cites["文档"])
