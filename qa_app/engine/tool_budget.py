"""Tools over the budget structure: totals and shares, function-class lookup, largest projects,
one project's figures."""

from __future__ import annotations

from decimal import Decimal

from qa_app.engine.catalog import DocData
from qa_app.engine.tools import Ctx, Draft, ToolCall, run_tool, tool
from schemas.answers import Answer, ChartSpec
from schemas.records import PerformanceTarget, ProjectLine
from schemas.tables import Cell, DocKind, Row, Table, TableKind

SUMMARY = (TableKind.BUDGET_SUMMARY, TableKind.FINAL_SUMMARY, TableKind.BUDGET_FISCAL_SUMMARY,
           TableKind.FINAL_FISCAL_SUMMARY)
EXPENDITURE = (TableKind.BUDGET_EXPENDITURE, TableKind.FINAL_EXPENDITURE, TableKind.BUDGET_GENERAL_EXPENDITURE,
               TableKind.FINAL_GENERAL_EXPENDITURE)
FUNCTION_TABLES = EXPENDITURE + (TableKind.BUDGET_INCOME, TableKind.FINAL_INCOME, TableKind.BUDGET_FUND_EXPENDITURE,
                                 TableKind.FINAL_FUND)


def numeric(row: Row, prefix: str = "", names: tuple[str, ...] = ()) -> Cell | None:
    for c in row.cells:
        if c.value.number is not None and c.column.startswith(prefix) and (not names or c.column.split("/")[-1] in names):
            return c
    return None


def find_row(table: Table, keys: tuple[str, ...], prefix: str = "") -> tuple[Row, Cell] | None:
    for r in table.rows:
        if r.key.split("#")[0] in keys and (c := numeric(r, prefix)) is not None:
            return r, c
    return None


@tool("totals", "收入总计/支出总计、基本支出与项目支出及其占比（结构）。参数: metrics=[income, expenditure, basic, project_exp, "
      "personnel, public]")
def totals(ctx: Ctx) -> Answer:
    d = Draft()
    d.columns = ["单位", "指标", "金额(万元)", "占比(%)", "来源表"]
    chart: list[dict[str, float | str | None]] = []
    for doc in ctx.docs:
        parts = _income(d, doc) + _structure(d, doc, chart)
        if set(ctx.call.args.get("metrics") or []) & {"personnel", "public"}:
            parts += _economic(d, doc)
        d.parts.append(f"{doc.label}：" + ("；".join(parts) if parts else "没有找到收支总表或支出总表。") + "。")
    if chart:
        d.chart = ChartSpec(kind="bar", x="单位", y=["基本支出", "项目支出"], title="支出结构(万元)", data=chart)
    return d.answer(ctx)


def _add(d: Draft, doc: DocData, t: Table, row: Row, cell: Cell, what: str, share: str | None = None,
         of: str = "") -> str:
    shown = d.cites.cell(doc, t, row.label, cell)
    d.rows.append([doc.org, what, cell.value.printed, (share or "").rstrip("%"), t.title])
    return f"{what}{shown}" + (f"，占{of}的{share}" if share else "")


def _income(d: Draft, doc: DocData) -> list[str]:
    t = doc.first(*SUMMARY)
    if t is None:
        return []
    out = []
    for keys, what in ((("收入总计", "总计"), "收入总计"), (("本年收入合计",), "本年收入合计"),
                       (("上年结转", "年初结转和结余"), "上年结转")):
        if hit := find_row(t, keys, "收入/"):
            out.append(_add(d, doc, t, hit[0], hit[1], what))
    return out


def _structure(d: Draft, doc: DocData, chart: list) -> list[str]:
    t = doc.first(*EXPENDITURE)
    row = next((r for r in t.rows if r.key == "合计"), None) if t else None
    if t is None or row is None or (total := numeric(row)) is None:
        return []
    out = [_add(d, doc, t, row, total, "支出合计")]
    point: dict[str, float | str | None] = {"单位": doc.org}
    for name in ("基本支出", "项目支出"):
        if (c := numeric(row, names=(name,))) is not None:
            share = d.cites.pct(doc, c.value.printed, total.value.printed, f"{doc.org} {name}占支出合计的比重")
            out.append(_add(d, doc, t, row, c, name, share, "支出合计"))
            point[name] = float(c.value.number or 0)
    chart.append(point)
    return out


ECONOMIC_TOTALS = {"人员经费": ("人员经费合计", "人员经费"), "公用经费": ("公用经费合计", "公用经费")}


def _economic(d: Draft, doc: DocData) -> list[str]:
    """人员经费 and 公用经费: the budget's 基本支出表 has them as columns of its 合计 row; the final
    accounts' 基本支出决算明细表 (公开06) as rows 人员经费合计 / 公用经费合计."""
    t = doc.first(TableKind.BUDGET_BASIC_ECONOMIC)
    row = t.row("合计") if t else None
    if t is None or row is None or (total := numeric(row, names=("合计",))) is None:
        return _economic_rows(d, doc)
    out = []
    for name in ("人员经费", "公用经费"):
        if (c := numeric(row, names=(name,))) is not None:
            share = d.cites.pct(doc, c.value.printed, total.value.printed, f"{doc.org} {name}占基本支出的比重")
            d.cites.cell(doc, t, row.label, total)
            out.append(_add(d, doc, t, row, c, name, share, "基本支出"))
    return out


def _economic_rows(d: Draft, doc: DocData) -> list[str]:
    t = doc.first(TableKind.FINAL_BASIC_DETAIL, TableKind.BUDGET_BASIC_ECONOMIC)
    if t is None:
        return []
    hits = {name: hit for name, keys in ECONOMIC_TOTALS.items() if (hit := find_row(t, keys)) is not None}
    if not hits:
        return []
    basic = _basic_total(doc)
    out = []
    for name, (row, c) in hits.items():
        share = None
        if basic is not None:
            share = d.cites.pct(doc, c.value.printed, basic[2].value.printed, f"{doc.org} {name}占基本支出的比重")
            if share:
                d.cites.cell(doc, basic[0], basic[1].label, basic[2])
        out.append(_add(d, doc, t, row, c, name, share, "基本支出"))
    return out


def _basic_total(doc: DocData) -> tuple[Table, Row, Cell] | None:
    """The 基本支出 of the 支出(决算)表's 合计 row."""
    t = doc.first(*EXPENDITURE)
    row = next((r for r in t.rows if r.key == "合计"), None) if t else None
    c = numeric(row, names=("基本支出",)) if row is not None else None
    return (t, row, c) if t is not None and row is not None and c is not None else None


@tool("function", "功能分类科目（类/款/项）的金额，按编码或名称，如 2240108 应急救援。参数: codes=[编码]")
def function(ctx: Ctx) -> Answer:
    d = Draft()
    d.columns = ["单位", "科目", "列", "金额(万元)", "占所属类比重(%)", "来源表"]
    missing = []
    for doc in ctx.docs:
        for code in ctx.call.args.get("codes") or []:
            if not _function_line(d, doc, code):
                missing.append(f"{doc.label}没有科目{code}")
    if missing:
        d.parts.append("；".join(missing) + "。")
    return d.answer(ctx)


def _function_line(d: Draft, doc: DocData, code: str) -> bool:
    for t in (t for k in FUNCTION_TABLES for t in doc.by_kind(k)):
        rows = {r.code: r for r in t.rows if r.code}
        row = rows.get(code)
        if row is None or not any(c.value.number is not None for c in row.cells):
            continue
        parent = rows.get(code[:3]) if len(code) > 3 else None
        first, bits = numeric(row), []
        for c in (c for c in row.cells if c.value.number is not None):
            share = None
            pc = parent.cell(c.column) if parent is not None and c is first else None
            if parent is not None and pc is not None and pc.value.number:
                share = d.cites.pct(doc, c.value.printed, pc.value.printed, f"{code} 占 {parent.code} {parent.label} 的比重")
                d.cites.cell(doc, t, parent.label, pc)
            shown = d.cites.cell(doc, t, row.label, c)
            where = f"（占{parent.code} {parent.label}的{share}）" if share and parent is not None else ""
            bits.append(f"{c.column}{shown}{where}")
            d.rows.append([doc.org, f"{code} {row.label}", c.column, c.value.printed, (share or "").rstrip("%"), t.title])
        d.parts.append(f"{doc.label}《{t.title}》中 {code} {row.label}：{'，'.join(bits)}。")
        return True
    return False


@tool("top_projects", "金额最大（或最小）的项目。参数: limit=条数(默认5), smallest=true/false")
def top_projects(ctx: Ctx) -> Answer:
    d = Draft()
    d.columns = ["单位", "项目", "金额(万元)", "占项目合计(%)", "来源表"]
    limit = int(ctx.call.args.get("limit") or 5)
    smallest = bool(ctx.call.args.get("smallest"))
    for doc in ctx.docs:
        lines = [p for p in doc.records_of(ProjectLine) if not p.carryover]
        t = doc.table_by_id.get(lines[0].table_id) if lines else None
        if t is None:
            d.parts.append(f"{doc.label}没有项目支出表（本年预算）。")
            continue
        total = next((p for p in lines if p.is_org_total), None)
        projects = [p for p in lines if not p.is_org_total and _amount(p) is not None]
        projects.sort(key=lambda p: _amount(p) or Decimal(0), reverse=not smallest)
        n = d.cites.count(min(limit, len(projects)), "列出的项目数")
        d.parts.append(f"{doc.label}《{t.title}》中金额{'最小' if smallest else '最大'}的{n}个项目：")
        for p in projects[:limit]:
            d.parts.append("- " + _project_line(d, doc, t, p, total))
    return d.answer(ctx, limit=limit)


def _amount(p: ProjectLine) -> Decimal | None:
    c = p.amounts.get("合计")
    return c.value.number if c is not None else None


def _project_line(d: Draft, doc: DocData, t: Table, p: ProjectLine, total: ProjectLine | None) -> str:
    c = p.amounts["合计"]
    tc = total.amounts.get("合计") if total else None
    share = d.cites.pct(doc, c.value.printed, tc.value.printed, f"{p.name} 占项目支出合计的比重") if tc else None
    if share:
        d.cites.cell(doc, t, total.name, tc)  # type: ignore[union-attr, arg-type]
    d.rows.append([doc.org, p.name, c.value.printed, (share or "").rstrip("%"), t.title])
    return f"{p.name}：{d.cites.cell(doc, t, p.name, c)}" + (f"，占项目支出合计的{share}" if share else "")


@tool("project", "一个或几个具名项目的金额（预算项目表、绩效目标表；决算则为执行情况）。参数: projects=[项目名]")
def project(ctx: Ctx) -> Answer:
    names = set(ctx.call.args.get("projects") or [])
    if all(doc.meta.kind == DocKind.FINAL_ACCOUNTS for doc in ctx.docs):
        return run_tool(ctx.store, ctx.cat, ctx.question, ToolCall("execution", ctx.call.doc_ids, {"projects": list(names)},
                                                                   ctx.call.note))
    d = Draft()
    d.columns = ["单位", "项目", "金额", "来源表"]
    for doc in ctx.docs:
        for p in (p for p in doc.records_of(ProjectLine) if p.name in names and not p.is_org_total):
            t = doc.table_by_id[p.table_id]
            bits = [f"{col}{d.cites.cell(doc, t, p.name, c)}" for col, c in p.amounts.items() if c.value.number]
            d.rows += [[doc.org, p.name, f"{c.value.printed}万元", t.title] for c in p.amounts.values() if c.value.number]
            d.parts.append(f"{doc.label}《{t.title}》：{p.name}，{'，'.join(bits)}。")
        for pt in (p for p in doc.records_of(PerformanceTarget) if p.project_name in names and p.annual_total):
            t = doc.table_by_id[pt.table_id]
            shown = d.cites.cell(doc, t, "年度资金", pt.annual_total)  # type: ignore[arg-type]
            d.rows.append([doc.org, pt.project_name, shown, t.title])
            d.parts.append(f"{doc.label}绩效目标表：{pt.project_name} 年度资金总额{shown}。")
    if not d.parts:
        d.parts.append("没有找到这个项目的金额。")
    return d.answer(ctx)

