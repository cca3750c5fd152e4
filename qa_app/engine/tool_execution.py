"""Tool ``execution``: which projects were under-executed, on both bases, with the narrative's
reasons and the places where table and narrative disagree."""

from __future__ import annotations

from decimal import Decimal

from qa_app.engine.execution import ExecRow, disagreements, exec_rows
from qa_app.engine.tools import Ctx, Draft, tool
from schemas.answers import Answer, ChartSpec

COLUMNS = ["单位", "项目", "年初预算数(万元)", "全年预算数(万元)", "全年执行数(万元)", "执行率·年初预算数口径(%)",
           "执行率·全年预算数口径(%)", "表内执行率", "原因（绩效分析原文）", "表与说明不一致"]
BASIS_ZH = {"initial": "年初预算数（预算编制数）", "adjusted": "全年预算数（调整后）"}


@tool("execution", "项目预算执行率（年初预算数与全年预算数两种口径）、执行偏低的项目及原因。参数: basis=initial|adjusted, "
      "threshold=百分数(默认100), limit=条数, projects=项目名列表")
def execution(ctx: Ctx) -> Answer:
    d = Draft()
    a = ctx.call.args
    basis, limit, wanted = a.get("basis"), a.get("limit"), a.get("projects") or []
    threshold = Decimal(str(a.get("threshold") or 100))
    for doc in ctx.docs:
        rows = exec_rows(ctx.store, doc)
        if not rows:
            d.parts.append(f"{doc.label}没有项目支出绩效自评表（只有决算附带执行数），无法计算项目执行率。")
            continue
        if wanted:
            picked = [r for r in rows if r.name in wanted]
            d.parts.append(f"{doc.label}：" if picked else f"{doc.label}的绩效自评表中没有{'、'.join(wanted)}。")
        else:
            picked = sorted((r for r in rows if r.below(basis, threshold)), key=lambda r: r.sort_key(basis))
            _intro(d, doc.label, rows, picked, basis, threshold)
        if limit:
            picked = picked[: int(limit)]
        for r in picked:
            d.parts.append(_line(d, r))
            d.rows.append(_row(d, r))
        _disagreements(d, picked if wanted else rows)  # a question about named projects: theirs only
        _chart(d, picked)
    d.columns = COLUMNS
    return d.answer(ctx)


def _intro(d: Draft, label: str, rows: list[ExecRow], picked: list[ExecRow], basis: str | None,
           threshold: Decimal) -> None:
    c = d.cites
    thr = c.param(f"{threshold:f}", "执行率阈值") + "%"
    n_all, n = c.count(len(rows), "有绩效自评表的项目数"), c.count(len(picked), "执行率低于阈值的项目数")
    if basis:
        d.parts.append(f"{label}：{n_all}个项目有绩效自评表，按{BASIS_ZH[basis]}口径，{n}个项目执行率低于{thr}，"
                       f"按该口径的执行率从低到高排列。")
        others = [r for r in rows if r.below(None, threshold) and r not in picked]
        if others:
            d.parts.append(f"另有{c.count(len(others), '只按另一口径低于阈值的项目数')}个项目只按另一口径低于{thr}。")
    else:
        d.parts.append(f"{label}：{n_all}个项目有绩效自评表，其中{n}个项目按年初预算数或全年预算数任一口径执行率低于{thr}。"
                       "排序口径：按年初预算数（预算编制数）计算的执行率从低到高；没有年初预算数（年中追加）的项目"
                       "没有年初口径执行率，按全年预算数口径排在后面。")
    if any(r.has_initial and r.rate_adjusted is not None and r.rate_adjusted >= threshold for r in picked):
        d.parts.append("注意：表内“执行率”是按全年预算数算的，这些项目的全年预算数已调减到执行数，表内显示100%，"
                       "按年初预算数算才看得出执行偏低。")
    if not picked:
        d.parts.append("没有项目低于该阈值。")


def _rates(d: Draft, r: ExecRow) -> tuple[str | None, str | None]:
    c, rec = d.cites, r.rec
    ex = rec.executed.value.printed if rec.executed else None
    ri = c.pct(r.doc, ex, rec.initial_budget.value.printed, f"{r.name} 执行率（年初预算数口径）= 全年执行数 ÷ 年初预算数 × 100") \
        if ex and r.has_initial and rec.initial_budget else None
    ra = c.pct(r.doc, ex, rec.adjusted_budget.value.printed, f"{r.name} 执行率（全年预算数口径）= 全年执行数 ÷ 全年预算数 × 100") \
        if ex and rec.adjusted_budget else None
    return ri, ra


def _cell(d: Draft, r: ExecRow, field: str, row: str = "资金总额", unit: bool = True) -> str | None:
    cell = getattr(r.rec, field)
    return d.cites.cell(r.doc, r.table, row, cell, unit) if cell is not None else None


def _line(d: Draft, r: ExecRow) -> str:
    ri, ra = _rates(d, r)
    init = _cell(d, r, "initial_budget") if r.has_initial else None
    parts = [f"年初预算数{init}" if init else "无年初预算数（年中追加）",
             f"全年预算数{_cell(d, r, 'adjusted_budget')}", f"全年执行数{_cell(d, r, 'executed')}"]
    rates = (f"按年初预算数{ri}，" if ri else "") + f"按全年预算数{ra or '无法计算'}"
    printed = _cell(d, r, "printed_rate", unit=False)
    line = f"- {r.name}：{'，'.join(parts)}；执行率{rates}" + (f"（表内执行率{printed}）" if printed else "") + "。"
    reasons = _reasons(d, r)
    return line + (f"说明中的原因：{reasons}" if reasons else "说明未给出原因。")


def _reasons(d: Draft, r: ExecRow) -> str:
    return "".join(d.cites.line(r.doc, x.line_no, x.page, x.text, bbox=x.bbox) for x in r.reasons)


def _row(d: Draft, r: ExecRow) -> list[str]:
    ri, ra = _rates(d, r)
    cell = lambda f: _cell(d, r, f, unit=False) or ""  # noqa: E731
    return [r.doc.org, r.name, cell("initial_budget") if r.has_initial else "无", cell("adjusted_budget"), cell("executed"),
            (ri or "—").rstrip("%"), (ra or "—").rstrip("%"), cell("printed_rate"), _reasons(d, r),
            "；".join(disagreements(r, d.cites))]


def _disagreements(d: Draft, rows: list[ExecRow]) -> None:
    lines = [f"- {r.name}：{'；'.join(msgs)}" for r in rows if (msgs := disagreements(r, d.cites))]
    if lines:
        d.parts.append("表格与说明（项目绩效分析）不一致：")
        d.parts.extend(lines)


def _chart(d: Draft, rows: list[ExecRow]) -> None:
    if not rows:
        return
    data: list[dict[str, float | str | None]] = [
        {"项目": r.name[:16], "年初预算数口径": float(r.rate_initial) if r.rate_initial is not None else None,
         "全年预算数口径": float(r.rate_adjusted) if r.rate_adjusted is not None else None} for r in rows]
    if d.chart is not None:
        d.chart.data.extend(data)
    else:
        d.chart = ChartSpec(kind="bar", x="项目", y=["年初预算数口径", "全年预算数口径"], title="项目执行率(%)", data=data)
