"""概览: key figures per org and year, execution rates of self-evaluated projects on both bases,
composition by function class, findings by severity."""

from __future__ import annotations

from collections import Counter

import altair as alt
import pandas as pd
import streamlit as st

from qa_app.app import state
from qa_app.app.figures import execution_rates, function_composition, key_figures
from qa_app.app.frames import SEVERITY_ORDER, SEVERITY_ZH, show_table
from qa_app.app.safe import md
from schemas.tables import DocumentMeta

KIND_ZH = {"budget": "预算", "final_accounts": "决算"}
SEVERITY_COLORS = ["#d62728", "#ff7f0e", "#e6c229", "#9e9e9e", "#4c78a8"]  # error rounding warning not_checked info


def render() -> None:
    st.header("概览")
    docs = state.documents()
    if not docs:
        st.info("还没有导入任何文档：请到“文档”页上传。")
        return
    st.subheader("各单位主要数字（万元）")
    show_table(_figures_frame(docs), "key-figures", "overview-figures", hide_index=True)
    _findings_by_severity(docs)
    by_id = {d.id: d for d in docs}
    doc_id = st.selectbox("单位 · 年度", list(by_id), key="overview_doc",
                          format_func=lambda i: f"{by_id[i].org or '?'} {by_id[i].year or ''} "
                                                f"{KIND_ZH.get(by_id[i].kind.value, '')} · {by_id[i].file_name}")
    meta = by_id[doc_id]
    _metrics(meta)
    _execution(meta)
    _composition(meta)


def _figures_frame(docs: list[DocumentMeta]) -> pd.DataFrame:
    rows = []
    for d in sorted(docs, key=lambda d: (d.org or "", d.year or 0)):
        k = state.derived(key_figures, d.id)
        exp = (k["基本支出"] or 0) + (k["项目支出"] or 0)
        rows.append({"单位": d.org or "", "年度": d.year, "类型": KIND_ZH.get(d.kind.value, d.kind.value),
                     **{n: None if v is None else float(v) for n, v in k.items()},
                     "基本支出占比%": round(float(k["基本支出"] / exp * 100), 2) if k["基本支出"] and exp else None,
                     "项目支出占比%": round(float(k["项目支出"] / exp * 100), 2) if k["项目支出"] and exp else None,
                     "文件": d.file_name})
    return pd.DataFrame(rows)


def _metrics(meta: DocumentMeta) -> None:
    k = state.derived(key_figures, meta.id)
    cols = st.columns(4)
    for col, (name, value) in zip(cols, k.items(), strict=True):
        col.metric(name, "—" if value is None else f"{value:,.2f} 万元")


def _execution(meta: DocumentMeta) -> None:
    df = state.derived(execution_rates, meta.id)
    if df.empty:
        return
    st.subheader("项目预算执行率（两种口径）")
    st.caption(md("年初预算口径 = 全年执行数 ÷ 年初预算数；全年预算口径 = 全年执行数 ÷ 全年预算数（调整后）。"
                  "许多单位把全年预算数调成执行数，表中执行率显示 100%，而相对年初预算的执行率可能很低。"))
    long = df.melt(id_vars=["项目"], value_vars=["执行率(年初预算)%", "执行率(全年预算)%"], var_name="口径",
                   value_name="执行率%").dropna()
    if not long.empty:
        chart = alt.Chart(long).mark_bar().encode(
            y=alt.Y("项目:N", sort=list(dict.fromkeys(df["项目"])), title=None, axis=alt.Axis(labelLimit=260)),
            yOffset="口径:N", x=alt.X("执行率%:Q", title="执行率 %"), color=alt.Color("口径:N", legend=alt.Legend(orient="top")),
            tooltip=["项目", "口径", "执行率%"])
        rule = alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(strokeDash=[4, 4], color="gray").encode(x="x:Q")
        st.altair_chart(chart + rule, width="stretch", height=max(260, 34 * df.shape[0]))
    show_table(df, f"{meta.file_name}-execution", f"exec-{meta.id[:12]}", hide_index=True)


def _composition(meta: DocumentMeta) -> None:
    df = state.derived(function_composition, meta.id)
    if df.empty:
        return
    st.subheader("支出按功能分类（类）")
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("金额(万元):Q"), y=alt.Y("类:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
        tooltip=["编码", "类", "金额(万元)", "占比%"])
    st.altair_chart(chart, width="stretch")
    show_table(df, f"{meta.file_name}-function-classes", f"comp-{meta.id[:12]}", hide_index=True)


def _findings_by_severity(docs: list[DocumentMeta]) -> None:
    rows = []
    for d in docs:
        n = Counter(f.severity for f in state.findings(d.id) if not f.false_positive)
        rows.append({"文件": d.file_name, **{SEVERITY_ZH[s]: n.get(s, 0) for s in SEVERITY_ORDER}})
    df = pd.DataFrame(rows)
    st.subheader("检查结果（按严重度）")
    long = df.melt(id_vars=["文件"], var_name="严重度", value_name="条数")
    if long["条数"].sum():
        st.altair_chart(alt.Chart(long[long["条数"] > 0]).mark_bar().encode(
            x="条数:Q", y=alt.Y("文件:N", title=None),
            color=alt.Color("严重度:N", sort=[SEVERITY_ZH[s] for s in SEVERITY_ORDER],
                            scale=alt.Scale(domain=[SEVERITY_ZH[s] for s in SEVERITY_ORDER], range=SEVERITY_COLORS)),
            tooltip=["文件", "严重度", "条数"]), width="stretch")
    else:
        st.caption("还没有检查结果（校验器尚未运行或未安装）。")
    show_table(df, "findings-by-severity", "overview-sev", hide_index=True)
