"""问答: the conversation; each answer with its text, table, chart and citations; selecting a
citation shows its source (page image with the cell's box, or the cited text lines)."""

from __future__ import annotations

import importlib
from types import ModuleType

import altair as alt
import pandas as pd
import streamlit as st

from qa_app.app import state
from qa_app.app.frames import show_table
from qa_app.app.safe import md, md_text
from qa_app.app.source import show_citation
from schemas.answers import Answer, ChartSpec, Citation

HISTORY = "chat_history"
ENGINE_MISSING = "问答引擎尚未安装（qa_app.engine）：现在还不能回答问题。文档、审核和概览页可以正常使用。"
EXAMPLES = ["阳城县应急管理局2024年哪些项目预算执行率偏低？", "汾阳市应急管理局2024年预算收入总计多少？",
            "大同市应急管理局2025年最大的五个项目是什么？"]


def load_engine() -> ModuleType | None:
    """``qa_app.engine`` when it is installed and offers ``answer``; None otherwise (a half-written package
    without ``answer`` counts as missing; other import errors propagate)."""
    try:
        engine = importlib.import_module("qa_app.engine")
    except ModuleNotFoundError as exc:
        if exc.name in ("qa_app.engine", "qa_app"):
            return None
        raise
    return engine if callable(getattr(engine, "answer", None)) else None


def render() -> None:
    st.header("问答")
    history: list[Answer] = st.session_state.setdefault(HISTORY, [])
    engine = load_engine()
    if engine is None:
        st.warning(ENGINE_MISSING)
    elif not history:
        st.caption(md("例如：" + " / ".join(EXAMPLES)))
    for i, answer in enumerate(history):
        _show(i, answer)
    question = st.chat_input("提问，例如：" + EXAMPLES[0], key="chat_q")
    if question:
        _ask(engine, question.strip(), history)


def _ask(engine: ModuleType | None, question: str, history: list[Answer]) -> None:
    if not question:
        return
    with st.chat_message("user"):
        st.markdown(md(question))
    if engine is None:
        with st.chat_message("assistant"):
            st.warning(ENGINE_MISSING)
        return
    with st.chat_message("assistant"), st.spinner("查询中…"):
        try:
            answer = engine.answer(state.store(), question, history=list(history))
        except Exception as exc:  # noqa: BLE001 - an engine failure is shown, the app keeps running
            st.error(md(f"回答失败：{type(exc).__name__}: {exc}"))
            return
    history.append(answer)
    st.rerun()


def _show(i: int, a: Answer) -> None:
    with st.chat_message("user"):
        st.markdown(md(a.question))
    with st.chat_message("assistant"):
        st.markdown(md_text(a.text))
        for w in a.warnings:
            st.caption(md(f"注意：{w}"))
        if a.table and a.table.rows:
            df = pd.DataFrame(a.table.rows, columns=unique(a.table.columns))
            show_table(df, f"answer-{i + 1}", f"answer-{i}", hide_index=True)
        if a.chart and a.chart.data:
            _chart(a.chart)
        if a.citations:
            _citations(i, a.citations)


def unique(names: list[str]) -> list[str]:
    """Column names made unique (a repeated name gets ' (2)', ' (3)' ...): st.dataframe needs unique columns."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return out


def _chart(spec: ChartSpec) -> None:
    df = pd.DataFrame(spec.data)
    ys = [y for y in spec.y if y in df.columns]
    if spec.x not in df.columns or not ys:
        return
    long = df.melt(id_vars=[spec.x], value_vars=ys, var_name="系列", value_name="值").dropna()
    mark = alt.Chart(long).mark_line(point=True) if spec.kind == "line" else alt.Chart(long).mark_bar()
    enc = {"color": "系列:N", "tooltip": [spec.x, "系列", "值"]}
    if spec.kind == "line":
        chart = mark.encode(x=alt.X(f"{spec.x}:N", sort=None), y="值:Q", **enc)
    else:
        chart = mark.encode(y=alt.Y(f"{spec.x}:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
                            x="值:Q", yOffset="系列:N", **enc)
    st.altair_chart(chart.properties(title=spec.title or ""), width="stretch")


def is_source(c: Citation) -> bool:
    """A citation that points into a document (a box or lines), not a derived computation step."""
    return bool(c.doc_id) and (c.bbox is not None or c.line_start is not None)


def _where(c: Citation) -> str:
    if c.line_start:
        return f"第{c.page}页 第{c.line_start}行" + (f"–{c.line_end}" if c.line_end and c.line_end != c.line_start else "")
    return f"第{c.page}页（框）" if c.bbox else "计算"


def citations_frame(cites: list[Citation]) -> pd.DataFrame:
    rows = [{"#": n + 1, "位置": _where(c), "文档": c.doc_name, "表": c.table_title or c.table_id or "",
             "行": c.row_label or "", "列": c.column or "", "值": c.value or ""} for n, c in enumerate(cites)]
    return pd.DataFrame(rows, columns=["#", "位置", "文档", "表", "行", "列", "值"])


def _citations(i: int, cites: list[Citation]) -> None:
    st.markdown(f"**引用（{len(cites)}）**：点选一行查看原文")
    sel = show_table(citations_frame(cites), f"answer-{i + 1}-citations", f"cite-{i}", hide_index=True,
                     on_select="rerun", selection_mode="single-row", height=min(36 * (len(cites) + 1), 320))
    rows = sel.selection.rows if sel is not None else []
    if rows and rows[0] < len(cites):
        c = cites[rows[0]]
        if is_source(c):
            show_citation(c, key=f"src-{i}-{rows[0]}")
        else:
            st.info(md(f"第 {rows[0] + 1} 条是一步计算（{c.table_title or c.column or ''} = {c.value or ''}），"
                       "不对应原文位置；它用到的数字见标为“第…行/框”的引用。"))
