"""Tool ``checks``: which numbers don't add up — the validator's findings from the store, each with
its cells cited, plus (final accounts) where the self-evaluation narrative disagrees with its table."""

from __future__ import annotations

from qa_app.engine.catalog import DocData
from qa_app.engine.execution import disagreements, exec_rows
from qa_app.engine.tools import Ctx, Draft, tool
from schemas.answers import Answer, Citation
from schemas.findings import Finding, Severity

SEVERITY_ZH = {Severity.ERROR: "错误", Severity.ROUNDING: "尾数差异", Severity.WARNING: "提示", Severity.INFO: "信息",
               Severity.NOT_CHECKED: "未校验"}
MAX_LISTED = 12


@tool("checks", "哪些数字对不上：校验规则发现的错误与尾数差异（含涉及的单元格），以及说明与表格不一致之处。")
def checks(ctx: Ctx) -> Answer:
    d = Draft()
    d.columns = ["单位", "级别", "规则", "说明", "涉及单元格"]
    for doc in ctx.docs:
        found = [f for f in ctx.store.findings(doc.id) if not f.false_positive]
        serious = [f for f in found if f.severity in (Severity.ERROR, Severity.ROUNDING, Severity.WARNING)]
        counts = {s: sum(1 for f in found if f.severity == s) for s in SEVERITY_ZH}
        if not found:
            d.parts.append(f"{doc.label}：store 中没有这份文件的校验发现记录。")
        else:
            summary = "，".join(f"{SEVERITY_ZH[s]}{d.cites.count(n, f'{SEVERITY_ZH[s]}条数')}条" for s, n in counts.items() if n)
            d.parts.append(f"{doc.label}：校验发现{summary}。")
        serious.sort(key=lambda f: list(SEVERITY_ZH).index(f.severity))
        for f in serious[:MAX_LISTED]:
            d.parts.append("- " + _finding(d, doc, f))
        if len(serious) > MAX_LISTED:
            d.parts.append(f"（其余{d.cites.count(len(serious) - MAX_LISTED, '未列出的发现条数')}条见表格或 budgetlens validate）")
        _narrative(d, ctx, doc)
    return d.answer(ctx)


def _finding(d: Draft, doc: DocData, f: Finding) -> str:
    cells = []
    for ref in f.cells:
        p, k = ref.provenance, ref.key
        t = doc.table_by_id.get(k.table_id)
        row = t.row(k.row_key) if t else None
        if not ref.printed.strip():
            cells.append(f"{row.label if row else k.row_key}/{k.column}=空")
            continue
        if t is None and p.line_start:  # a figure the narrative states (no table cell): cite its line
            d.cites.add(Citation(doc_id=doc.id, doc_name=doc.meta.file_name, page=p.page, value=ref.printed,
                                 line_start=p.line_start, line_end=p.line_end or p.line_start))
            cells.append(f"情况说明={ref.printed}")
            continue
        d.cites.add(Citation(doc_id=doc.id, doc_name=doc.meta.file_name, page=p.page, table_id=k.table_id,
                             table_title=t.title if t else None, row_label=row.label if row else k.row_key,
                             column=k.column, value=ref.printed, bbox=p.bbox, line_start=p.line_start, line_end=p.line_end))
        cells.append(f"{row.label if row else k.row_key}/{k.column}={ref.printed}")
    operands = [r.printed for r in f.cells if r.printed.strip()]
    nums = []
    for what, v in (("应为", f.expected), ("实为", f.actual), ("相差", f.difference)):
        if v is not None:
            nums.append(what + d.cites.derived(doc, "check", operands, f"{v:f}", f"校验规则 {f.rule_id} 的{what}"))
    d.rows.append([doc.org, SEVERITY_ZH[f.severity], f.rule_id, "，".join(nums), "；".join(cells)])
    return f"[{SEVERITY_ZH[f.severity]}] {f.rule_id}：{'，'.join(nums)}（{'；'.join(cells[:6])}）"


def _narrative(d: Draft, ctx: Ctx, doc: DocData) -> None:
    lines = [f"- {r.name}：{'；'.join(m)}" for r in exec_rows(ctx.store, doc) if (m := disagreements(r, d.cites))]
    if lines:
        d.parts.append(f"{doc.label}的项目绩效分析（说明）与自评表数字不一致：")
        d.parts.extend(lines)
