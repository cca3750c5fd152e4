"""审核: the extracted table beside its source (page image with the grid, or the source lines),
cells coloured by their findings; reviewers edit cells, reclassify tables, mark noise rows and
false positives; a queue of open findings, worst first."""

from __future__ import annotations

import time

import streamlit as st

from qa_app.app import review_actions as actions
from qa_app.app import state, users
from qa_app.app.frames import (
    CODE_COL,
    FLAG_COL,
    LABEL_COL,
    ROLE_COL,
    cell_severity,
    data_columns,
    row_marks,
    show_table,
    styled,
    table_frame,
)
from qa_app.app.review_panels import (
    findings_panel,
    queue_panel,
    repairs_panel,
    source_panel,
    structure_actions,
    table_actions,
)
from qa_app.app.safe import md
from schemas.tables import DocumentMeta, Table

FLASH = "review_flash"


def render() -> None:
    st.header("审核")
    docs = state.documents()
    if not docs:
        st.info("还没有导入任何文档：请到“文档”页上传。")
        return
    queue_panel(docs)
    meta, t = _pick(docs)
    if t is None:
        st.info("这个文档没有提取到表格。")
        return
    findings = state.findings(meta.id)
    _table_caption(meta, t)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        sev = cell_severity(t, findings)
        df = table_frame(t)
        df.insert(0, FLAG_COL, row_marks(len(df), sev))
        show_table(df, f"{meta.file_name}-{t.id}", f"review-{meta.id[:12]}-{t.id}", styler=styled(df, sev),
                   hide_index=True, height=min(35 * (len(df) + 1) + 3, 560))
        if users.is_reviewer():
            _editor(meta, t)
        else:
            st.info("只读：以审核员身份登录后可以修改单元格、重新分类表格、标记噪声行和误报。")
    with right:
        source_panel(meta, t, findings)
    findings_panel(meta, t, findings)
    repairs_panel(meta, t, findings)
    if users.is_reviewer():
        table_actions(meta, t)
        structure_actions(meta, t)


def _pick(docs: list[DocumentMeta]) -> tuple[DocumentMeta, Table | None]:
    by_id = {d.id: d for d in docs}
    if st.session_state.get("review_doc") not in by_id:
        st.session_state["review_doc"] = docs[0].id
    a, b = st.columns([2, 3])
    doc_id = a.selectbox("文档", list(by_id), format_func=lambda i: state.doc_label(by_id[i]), key="review_doc")
    titles = {tid: title for tid, title, _kind, _status in state.table_list(doc_id)}
    if not titles:
        return by_id[doc_id], None
    if st.session_state.get("review_table") not in titles:
        st.session_state["review_table"] = next(iter(titles))
    table_id = b.selectbox("表格", list(titles), key="review_table",
                           format_func=lambda i: f"{i} · {titles[i]}"[:90])
    return by_id[doc_id], state.table(doc_id, table_id)


def _table_caption(meta: DocumentMeta, t: Table) -> None:
    bits = [meta.org or "", str(meta.year or ""), f"类型 {t.kind.value}", f"状态 {t.status.value}", t.label or "", t.org or "",
            f"单位 {t.money_unit.value}" if t.money_unit else "", f"页 {','.join(map(str, t.pages))}",
            f"置信度 {t.confidence:.2f}", f"{len(t.rows)} 行"]
    st.caption(md(" · ".join(b for b in bits if b)))
    for note in t.repairs + t.notes:
        st.caption(md(note))


def _snapshot(meta: DocumentMeta, t: Table, reload: bool = False) -> dict:
    """What this editor loaded: the frame and each cell's version (the optimistic-lock tokens)."""
    key = f"snap:{meta.id}:{t.id}"
    snap = st.session_state.get(key)
    if snap is None or reload:
        fresh = state.store().table(meta.id, t.id) or t
        snap = {"frame": table_frame(fresh), "keys": [r.key for r in fresh.rows], "versions": actions.cell_versions(meta.id, t.id),
                "loaded": time.strftime("%H:%M:%S"), "nonce": (snap or {}).get("nonce", 0) + 1}
        st.session_state[key] = snap
    return snap


def _editor(meta: DocumentMeta, t: Table) -> None:
    st.markdown("**编辑单元格**")
    for kind, text in st.session_state.pop(FLASH, []):
        getattr(st, kind)(md(text))
    reload = st.button("重新加载", key="editor_reload", help="丢弃未保存的修改，载入最新值和版本")
    snap = _snapshot(meta, t, reload=reload)
    cols = data_columns(t)
    edited = st.data_editor(
        snap["frame"], key=f"editor:{meta.id[:12]}:{t.id}:{snap['nonce']}", hide_index=True,
        disabled=[LABEL_COL, CODE_COL, ROLE_COL], num_rows="fixed",
        column_config={c: st.column_config.TextColumn(c) for c in cols})
    st.caption(f"编辑基于 {snap['loaded']} 载入的版本；保存时若他人已改过同一单元格，会提示冲突而不覆盖。")
    changes = actions.changed_cells(snap["frame"], edited, snap["keys"])
    reason = st.text_input("更正原因（必填）", key=f"reason:{meta.id[:12]}:{t.id}")
    if st.button(f"保存更正（{len(changes)} 处）", key="editor_save", type="primary", disabled=not changes):
        if not reason.strip():
            st.error("请填写更正原因：每一条更正都要说明理由。")
            return
        out = actions.save_cells(meta.id, t.id, changes, snap["versions"], reason.strip())
        flash = [("success", f"已保存：{s}") for s in out.saved]
        flash += [("error", c) for c in out.conflicts] + [("error", f"未保存：{e}") for e in out.errors]
        if out.saved:
            st.session_state[FLASH] = flash
            _snapshot(meta, t, reload=True)
            st.rerun()
        for kind, text in flash:
            getattr(st, kind)(md(text))
