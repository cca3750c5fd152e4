"""The review page's panels: source view, findings list, table actions, review queue."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from extractor.review import ReviewError
from extractor.tables.catalog import CATALOG
from qa_app.app import review_actions as actions
from qa_app.app import state, users
from qa_app.app.frames import SEVERITY_CSS, SEVERITY_MARK, SEVERITY_RANK, cell_severity, show_table
from qa_app.app.safe import md, one_line
from qa_app.app.source import around, is_pdf, lines_frame, page_png, show_lines, stored_file, text_lines
from schemas.findings import Finding, Severity
from schemas.provenance import BBox
from schemas.tables import DocumentMeta, Table, TableKind

KIND_ZH = {t.kind: t.zh for t in CATALOG} | {TableKind.UNCLASSIFIED: "未分类"}
MAX_LINES = 400


def source_panel(meta: DocumentMeta, t: Table, findings: list[Finding]) -> None:
    path = stored_file(meta.id)
    if path is None:
        st.warning("原始文件不在 BUDGETLENS_HOME/files 中：无法显示来源。")
        return
    sev = cell_severity(t, findings)
    if is_pdf(path):
        _pdf_source(path, t, sev)
    else:
        _text_source(path, t, sev)


def _pdf_source(path, t: Table, sev: dict) -> None:
    pages = t.pages or [t.provenance.page]
    page = pages[0] if len(pages) == 1 else st.selectbox("页", pages, key=f"src-page-{t.id}")
    boxes: list[tuple[BBox, str]] = []
    for i, r in enumerate(t.rows):
        for c in r.cells:
            if c.provenance.bbox and c.provenance.page == page:
                s = sev.get((i, c.column))
                boxes.append((c.provenance.bbox, s.value if s else "grid"))
    whole = st.toggle("整页", key=f"src-whole-{t.id}", help="关：只显示表格所在区域（放大）")
    st.caption(f"第 {page} 页：蓝框 = 识别出的单元格；彩色 = 有检查结果的单元格")
    rows = [p.bbox for p in [t.provenance, *(r.provenance for r in t.rows)] if p.bbox and p.page == page]
    clip = None if whole else around([b for b, _ in boxes] + rows)
    try:
        st.image(page_png(str(path), path.stat().st_mtime, page, tuple(boxes), 150 if clip else 110, clip),
                 width="stretch")
    except ValueError as exc:
        st.warning(md(str(exc)))


def _text_source(path, t: Table, sev: dict) -> None:
    lines = text_lines(str(path), path.stat().st_mtime)
    starts = [p.line_start for p in [t.provenance, *(r.provenance for r in t.rows)] if p.line_start]
    ends = [c.provenance.line_end or c.provenance.line_start for r in t.rows for c in r.cells
            if c.provenance.line_start] + starts
    if not starts:
        st.info("这张表没有行号信息。")
        return
    lo, hi = min(starts), max(ends)
    marks: dict[int, Severity] = {}
    for i, r in enumerate(t.rows):
        for c in r.cells:
            s, ln = sev.get((i, c.column)), c.provenance.line_start
            if s and ln and (ln not in marks or SEVERITY_RANK[s] < SEVERITY_RANK[marks[ln]]):
                marks[ln] = s
    st.caption(f"原文第 {lo}–{hi} 行（│ = TAB 分隔）")
    df = lines_frame(lines, lo - 2, min(hi + 2, lo + MAX_LINES), {n: SEVERITY_MARK[s] for n, s in marks.items()})
    show_lines(df, {n: SEVERITY_CSS[s] for n, s in marks.items()}, height=560, name=f"{t.id}-source",
               key=f"src-{t.doc_id[:12]}-{t.id}")


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    rows = [{"严重度": SEVERITY_MARK[f.severity], "规则": f.rule_id, "说明": f.message,
             "期望": None if f.expected is None else str(f.expected),
             "实际": None if f.actual is None else str(f.actual),
             "差额": None if f.difference is None else str(f.difference),
             "单元格": "; ".join(f"{c.key.table_id}/{c.key.row_key}/{c.key.column}={c.printed}" for c in f.cells),
             "误报": "是" if f.false_positive else "", "建议": f.suggestion or "", "id": f.id} for f in findings]
    return pd.DataFrame(rows, columns=["严重度", "规则", "说明", "期望", "实际", "差额", "单元格", "误报", "建议", "id"])


def findings_panel(meta: DocumentMeta, t: Table, findings: list[Finding]) -> None:
    st.subheader("检查结果")
    only = st.checkbox("只看本表", value=True, key="review_only_table")
    fs = [f for f in findings if not only or t.id in f.table_ids or any(c.key.table_id == t.id for c in f.cells)]
    fs.sort(key=lambda f: (f.false_positive, SEVERITY_RANK[f.severity], f.rule_id))
    if not fs:
        st.caption("没有检查结果。" if findings or not only else "没有检查结果（校验器尚未运行或未安装）。")
        return
    show_table(findings_frame(fs), f"{meta.file_name}-findings", f"findings-{meta.id[:12]}", hide_index=True)
    open_fs = {f.id: f for f in fs if not f.false_positive}
    if not open_fs:
        return
    if not users.is_reviewer():
        return
    with st.form(key="fp_form", clear_on_submit=True):
        fid = st.selectbox("标记为误报", list(open_fs), key="fp_finding",
                           format_func=lambda i: one_line(f"[{open_fs[i].severity.value}] {open_fs[i].rule_id}: "
                                                          f"{open_fs[i].message}", 100))
        reason = st.text_input("原因（必填）", key="fp_reason")
        if st.form_submit_button("标记为误报"):
            _run(lambda: actions.mark_false_positive(meta.id, fid, reason), reason, "已标记为误报")


def repairs_panel(meta: DocumentMeta, t: Table, findings: list[Finding]) -> None:
    """Suggested single-digit repairs on this table: accept (the cell gets the proposed value) or reject."""
    open_repairs = {f.id: f for f in findings if f.rule_id == "repair.digit" and f.proposed and not f.false_positive
                    and (t.id in f.table_ids or any(c.key.table_id == t.id for c in f.cells))}
    if not open_repairs or not users.is_reviewer():
        return
    st.subheader(f"修复建议（{len(open_repairs)}）")
    with st.form(key="repair_form", clear_on_submit=True):
        fid = st.selectbox("建议", list(open_repairs), key="repair_finding",
                           format_func=lambda i: one_line(open_repairs[i].suggestion or open_repairs[i].message, 100))
        reason = st.text_input("原因（必填）", key="repair_reason")
        accept, reject = st.columns(2)
        if accept.form_submit_button("接受：改为建议值"):
            _run(lambda: actions.decide_repair(meta.id, fid, True, reason), reason, "已接受修复建议")
        if reject.form_submit_button("拒绝：保留原印刷值"):
            _run(lambda: actions.decide_repair(meta.id, fid, False, reason), reason, "已拒绝修复建议")


def structure_actions(meta: DocumentMeta, t: Table) -> None:
    """Column assignment, merge and split: what a reviewer fixes when the grid itself was read wrong."""
    with st.expander("结构更正：列归属 · 合并表格 · 拆分表格"):
        with st.form(key="column_form", clear_on_submit=True):
            st.caption("空单元格被压缩时，数字会落到相邻的列：把它移到正确的列（目标列须为空）。")
            labels = {r.key: one_line(f"{r.key} · {r.label}", 60) for r in t.rows}
            a, b, c = st.columns(3)
            row_key = a.selectbox("行", list(labels), key="column_row", format_func=lambda k: labels[k]) or ""
            from_col = b.selectbox("现在所在列", t.columns, key="column_from") or ""
            to_col = c.selectbox("应在列", t.columns, key="column_to") or ""
            reason = st.text_input("原因（必填）", key="column_reason")
            if st.form_submit_button("移动到该列"):
                _run(lambda: actions.assign_column(meta.id, t.id, row_key, from_col, to_col, reason), reason,
                     "已更正列归属", need=bool(row_key) and from_col != to_col)
        others = [tid for tid, *_ in state.table_list(meta.id) if tid != t.id]
        with st.form(key="merge_form", clear_on_submit=True):
            second = st.selectbox("把这张表接在本表后面（分页截断的同一张表）", others, key="merge_second") or ""
            reason = st.text_input("原因（必填）", key="merge_reason")
            if st.form_submit_button("合并"):
                _run(lambda: actions.merge(meta.id, t.id, second, reason), reason, "已合并表格", need=bool(second))
        with st.form(key="split_form", clear_on_submit=True):
            later = {r.key: one_line(f"{r.key} · {r.label}", 60) for r in t.rows[1:]}
            at = st.selectbox("从这一行起拆成另一张表", list(later), key="split_at",
                              format_func=lambda k: later[k])
            reason = st.text_input("原因（必填）", key="split_reason")
            if st.form_submit_button("拆分"):
                _run(lambda: actions.split(meta.id, t.id, at or "", reason), reason, "已拆分表格", need=bool(at))


def table_actions(meta: DocumentMeta, t: Table) -> None:
    with st.expander("表格操作：重新分类 · 标记噪声行"):
        with st.form(key="reclassify_form", clear_on_submit=True):
            kinds = list(TableKind)
            kind = st.selectbox("表格类型", kinds, index=kinds.index(t.kind), key="reclassify_kind",
                                format_func=lambda k: f"{KIND_ZH.get(k, k.value)} ({k.value})")
            reason = st.text_input("原因（必填）", key="reclassify_reason")
            if st.form_submit_button("重新分类"):
                _run(lambda: actions.reclassify(meta.id, t.id, kind, reason), reason, "已重新分类")
        with st.form(key="noise_form", clear_on_submit=True):
            labels = {r.key: one_line(f"{r.key} · {r.label}", 60) for r in t.rows}
            rows = st.multiselect("噪声行（水印、页眉、误入的标题…）", list(labels), key="noise_rows",
                                  format_func=lambda k: labels[k])
            reason = st.text_input("原因（必填）", key="noise_reason")
            if st.form_submit_button("标记为噪声行"):
                column = t.rows[0].cells[0].column if t.rows and t.rows[0].cells else ""
                _run(lambda: actions.mark_noise(meta.id, t.id, rows, column, reason), reason, "已标记噪声行",
                     need=bool(rows))


def _run(action, reason: str, done: str, need: bool = True) -> None:
    if not need:
        st.error("请先选择要标记的行。")
        return
    if not reason.strip():
        st.error("请填写原因：每一条更正都要说明理由。")
        return
    try:
        action()
    except (ReviewError, PermissionError) as exc:
        st.error(md(str(exc)))
        return
    st.session_state.setdefault("review_flash", []).append(("success", done))
    st.rerun()


def queue_frame(docs: list[DocumentMeta]) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """Open findings of every document, error > rounding > warning > not_checked; and each row's target."""
    items = []
    for d in docs:
        for f in state.findings(d.id):
            if f.false_positive or f.severity == Severity.INFO:
                continue
            table_id = f.table_ids[0] if f.table_ids else (f.cells[0].key.table_id if f.cells else "")
            items.append((SEVERITY_RANK[f.severity], d.file_name, table_id, f, d.id))
    items.sort(key=lambda x: x[:3])
    df = pd.DataFrame([{"严重度": SEVERITY_MARK[f.severity], "文档": name, "表": tid, "规则": f.rule_id,
                        "说明": f.message, "差额": None if f.difference is None else str(f.difference)}
                       for _, name, tid, f, _ in items], columns=["严重度", "文档", "表", "规则", "说明", "差额"])
    return df, [(doc_id, tid) for _, _, tid, _, doc_id in items]


def queue_panel(docs: list[DocumentMeta]) -> None:
    df, targets = queue_frame(docs)
    with st.expander(f"审核队列：{len(df)} 条未处理的检查结果（错误 > 尾数差 > 提示 > 未检查）", expanded=False):
        if df.empty:
            st.caption("没有未处理的检查结果。")
            return
        st.caption("点选一行，跳到那张表。")
        st.session_state["queue_targets"] = targets
        show_table(df, "review-queue", "queue", hide_index=True, on_select=_jump, selection_mode="single-row")


def _jump() -> None:
    sel = st.session_state.get("df-queue")
    rows = sel["selection"]["rows"] if sel else []
    targets = st.session_state.get("queue_targets", [])
    if rows and rows[0] < len(targets):
        doc_id, table_id = targets[rows[0]]
        st.session_state["review_doc"], st.session_state["review_table"] = doc_id, table_id
