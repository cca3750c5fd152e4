"""文档: upload (type and size checked), ingestion on the background writer with progress,
per-document status, re-ingest (corrections kept), delete (tombstone) with confirmation."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Literal

import pandas as pd
import streamlit as st

from extractor.load_text import decode_text
from extractor.pipeline import PDF_SUFFIXES, TEXT_SUFFIXES
from qa_app.app import state, users
from qa_app.app.figures import table_counts
from qa_app.app.frames import downloads, show_table
from qa_app.app.safe import md
from qa_app.app.source import stored_file
from qa_app.app.worker import Job, worker
from schemas.tables import DocumentMeta

ALLOWED = sorted(TEXT_SUFFIXES | PDF_SUFFIXES)
MAX_MB = 200
KIND_ZH = {"budget": "预算", "final_accounts": "决算", "performance": "绩效", "unknown": "未知"}
STATE_ZH = {"queued": "排队中", "running": "导入中", "done": "完成", "failed": "失败"}


def check_upload(name: str, data: bytes) -> str | None:
    """One sentence saying why this file cannot be ingested, or None when it looks fine."""
    suffix = Path(name).suffix.lower()
    if suffix not in ALLOWED:
        return f"{name}：不支持的文件类型“{suffix or '无扩展名'}”，请上传 PDF、.txt 或 .md 文件。"
    if not data:
        return f"{name}：文件为空。"
    if len(data) > MAX_MB * 2**20:
        return f"{name}：文件超过 {MAX_MB} MB。"
    if suffix in PDF_SUFFIXES:
        return _check_pdf(name, data)
    if b"\x00" in data[:4096]:
        return f"{name}：看起来是二进制文件，不是文本。"
    try:
        decode_text(data)
    except ValueError:
        return f"{name}：文本既不是 UTF-8 也不是 GB18030 编码。"
    return None


def _check_pdf(name: str, data: bytes) -> str | None:
    if not data.startswith(b"%PDF-"):
        return f"{name}：不是有效的 PDF 文件（文件头不是 %PDF-）。"
    import pymupdf

    try:
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            if doc.page_count == 0:
                return f"{name}：PDF 没有页面。"
            if doc.needs_pass:
                return f"{name}：PDF 有密码保护，无法读取。"
    except Exception as exc:  # noqa: BLE001 - any parser failure is a bad file
        return f"{name}：PDF 无法打开（{str(exc)[:80]}）。"
    return None


def render() -> None:
    st.header("文档")
    _upload()
    _jobs()
    docs = state.documents()
    if not docs:
        st.info("还没有导入任何文档。")
        return
    st.subheader("已导入文档")
    show_table(status_frame(docs), "documents", "docs", hide_index=True)
    _actions(docs)


def _upload() -> None:
    user = users.current_user()
    with st.container(border=True):
        st.markdown("**上传 PDF / 文本文件**")
        files = st.file_uploader("选择文件", type=[s.lstrip(".") for s in ALLOWED], accept_multiple_files=True,
                                 key="uploader", max_upload_size=MAX_MB, disabled=user is None,
                                 help=f"PDF、.txt、.md；每个文件不超过 {MAX_MB} MB")
        force = st.checkbox("强制重新提取（已导入过的文件）", key="upload_force")
        if user is None:
            st.caption("请先在侧栏登录后再上传。")
        if st.button("导入", key="upload_go", disabled=user is None or not files, type="primary"):
            for f in files or []:
                data = f.getvalue()
                if (err := check_upload(f.name, data)) is not None:
                    st.error(md(err))
                    continue
                worker().submit(f.name, data, force=force)
                st.toast(md(f"{f.name}：已加入导入队列"))


def _jobs() -> None:
    w = worker()
    st.fragment(run_every=1.0 if w.active() else None)(_jobs_panel)()


def _jobs_panel() -> None:
    jobs = worker().snapshot()[-8:]
    pending: set[str] = st.session_state.setdefault("jobs_pending", set())
    ended = {j.id for j in jobs if j.state in ("done", "failed")} & pending
    for j in reversed(jobs):
        _job_status(j)
    st.session_state["jobs_pending"] = (pending - ended) | {j.id for j in jobs if j.state in ("queued", "running")}
    if ended and _fragment_rerun():
        st.rerun(scope="app")  # a job this page was following ended: refresh the document list


def _fragment_rerun() -> bool:
    """True when only the jobs panel is re-running (a full run renders the document list anyway, and a
    rerun there would drop the click that started it)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def _job_status(j: Job) -> None:
    state_kind: Literal["running", "complete", "error"] = (
        "complete" if j.state == "done" else "error" if j.state == "failed" else "running")
    with st.status(md(f"{j.name}：{STATE_ZH[j.state]}"), state=state_kind, expanded=j.state != "done"):
        if j.state == "running":
            frac = j.pages_done / j.pages_total if j.pages_total else 0.0
            st.progress(min(frac, 1.0), text=f"第 {j.pages_done}/{j.pages_total} 页" if j.pages_total else "提取中…")
        elif j.state == "queued":
            st.progress(0.0, text="等待前面的文件完成")
        elif j.state == "failed":
            st.error(md(f"导入失败：{j.error}"))
        elif j.result is not None:
            r = j.result
            if r.skipped:
                st.write(md(f"此文件已用当前提取器导入过（{r.doc_id[:8]}），未重复提取；需要时勾选“强制重新提取”。"))
            else:
                st.write(md(f"{sum(r.tables_by_kind.values())} 张表，{r.unclassified} 张未分类，{r.pages} 页，"
                            f"OCR {r.pages_ocr} 页，用时 {j.seconds:.2f} 秒"))
            for w in r.warnings[:5]:
                st.caption(md(w))


def status_frame(docs: list[DocumentMeta]) -> pd.DataFrame:
    rows = []
    for d in docs:
        recognised, unclassified = state.derived(table_counts, d.id)
        sev = Counter(f.severity.value for f in state.findings(d.id) if not f.false_positive)
        rows.append({
            "文件": d.file_name, "单位": d.org or "", "年度": d.year, "类型": KIND_ZH.get(d.kind.value, d.kind.value),
            "来源": d.source.value, "状态": d.status,
            "表格": recognised, "未分类": unclassified,
            "错误": sev.get("error", 0), "尾数差": sev.get("rounding", 0), "提示": sev.get("warning", 0),
            "未检查": sev.get("not_checked", 0), "页数": d.page_count, "OCR页": d.pages_ocr, "秒": d.seconds,
            "导入时间": d.ingested_at.strftime("%Y-%m-%d %H:%M") if d.ingested_at else "",
            "文档ID": d.id[:12], "问题": "; ".join(d.errors[:3])})
    return pd.DataFrame(rows)


def _actions(docs: list[DocumentMeta]) -> None:
    st.subheader("单个文档")
    by_id = {d.id: d for d in docs}
    doc_id = st.selectbox("文档", list(by_id), format_func=lambda i: state.doc_label(by_id[i]), key="docs_doc")
    meta = by_id[doc_id]
    st.caption("导出全部单元格（原文值、归一化值、出处）：")
    downloads(lambda: _cells_frame(meta), f"{meta.file_name}-cells", f"cells-{doc_id[:12]}")
    user = users.current_user()
    a, b = st.columns(2)
    if a.button("重新导入（强制重新提取，保留更正）", key="reingest", disabled=user is None):
        _reingest(meta)
    if b.button("删除…", key="delete_ask", disabled=not users.is_reviewer(),
                help="只有审核员可以删除；删除留下墓碑记录，更正记录保留"):
        st.session_state["confirm_delete"] = doc_id
    if st.session_state.get("confirm_delete") == doc_id and users.is_reviewer():
        _confirm_delete(meta)


def _cells_frame(meta: DocumentMeta) -> pd.DataFrame:
    from extractor.export import FIELDS, export_rows

    return pd.DataFrame(export_rows(meta, state.tables(meta.id)), columns=FIELDS)


def _reingest(meta: DocumentMeta) -> None:
    path = stored_file(meta.id)
    if path is None:
        st.error(md(f"{meta.file_name}：原始文件不在 BUDGETLENS_HOME/files 中，无法重新导入。"))
        return
    worker().submit(meta.file_name, path.read_bytes(), force=True)
    st.toast(md(f"{meta.file_name}：已加入重新导入队列"))
    st.rerun()


def _confirm_delete(meta: DocumentMeta) -> None:
    st.warning(md(f"确认删除 {meta.file_name}？文档将被标记为已删除（墓碑），它的更正记录会保留，"
                  "以后重新导入同一文件时仍会应用。"))
    a, b = st.columns(2)
    if a.button("确认删除", key="delete_yes", type="primary"):
        with state.write_lock():
            state.store().mark_deleted(meta.id)
        st.session_state.pop("confirm_delete", None)
        st.toast(md(f"已删除 {meta.file_name}"))
        st.rerun()
    if b.button("取消", key="delete_no"):
        st.session_state.pop("confirm_delete", None)
        st.rerun()
