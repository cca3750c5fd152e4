"""Typed records from recognised tables: the views validation and question answering read."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal, TypedDict

from schemas.keys import norm_key
from schemas.records import (
    EconomicLine,
    FunctionLine,
    Indicator,
    OperatingCost,
    PerformanceTarget,
    Procurement,
    ProjectLine,
    Record,
    SanGong,
    SelfEvaluation,
    SummaryLine,
)
from schemas.tables import Cell, Row, RowRole, Table, TableKind

FUNCTION_TABLES = {
    TableKind.BUDGET_INCOME, TableKind.BUDGET_EXPENDITURE, TableKind.BUDGET_GENERAL_EXPENDITURE,
    TableKind.BUDGET_FUND_EXPENDITURE, TableKind.FINAL_INCOME, TableKind.FINAL_EXPENDITURE,
    TableKind.FINAL_GENERAL_EXPENDITURE, TableKind.FINAL_FUND, TableKind.FINAL_STATE_CAPITAL,
}
TWO_SIDED = {TableKind.BUDGET_SUMMARY, TableKind.BUDGET_FISCAL_SUMMARY, TableKind.FINAL_SUMMARY,
             TableKind.FINAL_FISCAL_SUMMARY}


def _amounts(row: Row) -> dict[str, Cell]:
    return {c.column: c for c in row.cells if c.value.printed.strip()}


class _Base(TypedDict):
    """The ``RecordBase`` fields, typed so ``**_base(...)`` checks against each record's signature."""

    doc_id: str
    table_id: str
    row_key: str


def _base(t: Table, r: Row) -> _Base:
    return {"doc_id": t.doc_id, "table_id": t.id, "row_key": r.key}


def _rows(t: Table) -> list[Row]:
    return [r for r in t.rows if r.role != RowRole.NOISE]


def function_lines(t: Table) -> list[Record]:
    return [FunctionLine(**_base(t, r), code=r.code, name=r.label, level=r.level or 0, amounts=_amounts(r))
            for r in _rows(t) if r.code or r.role == RowRole.TOTAL]


def economic_lines(t: Table) -> list[Record]:
    out: list[Record] = []
    for r in _rows(t):
        names = r.key.split("/")
        group: Literal["total", "class", "item"] = (
            "total" if r.role == RowRole.TOTAL else ("class" if (r.code and len(r.code) == 3) else "item"))
        out.append(EconomicLine(**_base(t, r), code=r.code, name=r.label, gov_name=names[1] if len(names) > 1 else None,
                                group=group, amounts=_amounts(r)))
    return out


def summary_lines(t: Table) -> list[Record]:
    out: list[Record] = []
    for r in _rows(t):
        sides = {c.column.split("/")[0] for c in r.cells}
        side: Literal["income", "expenditure"] = "income" if "收入" in sides else "expenditure"
        out.append(SummaryLine(**_base(t, r), side=side, name=r.label, amounts=_amounts(r)))
    return out


def project_lines(t: Table) -> list[Record]:
    rows = _rows(t)
    orgs = {norm_key(t.org or "")}
    return [ProjectLine(**_base(t, r), name=r.label, carryover=t.kind == TableKind.BUDGET_PROJECTS_CARRYOVER,
                        is_org_total=(i == 0 or norm_key(r.label) in orgs or r.role == RowRole.TOTAL),
                        amounts=_amounts(r)) for i, r in enumerate(rows)]


def performance_target(t: Table) -> list[Record]:
    annual = t.row("年度资金")
    period = t.row("实施期资金")
    return [PerformanceTarget(
        doc_id=t.doc_id, table_id=t.id, row_key="年度资金", project_name=t.label or "",
        annual_total=next((c for c in annual.cells if "总额" in c.column), None) if annual else None,
        period_total=next((c for c in period.cells if "总额" in c.column), None) if period else None,
        annual_sources={c.column: c for c in annual.cells if "总额" not in c.column} if annual else {})]


INDICATOR_COLUMNS = {"年初指标值": "target", "指标值": "target", "年度指标值": "target", "调整后指标值": "adjusted_target",
                     "实际完成值": "actual", "全年完成值": "actual", "全年实际完成值": "actual", "实际完成情况": "actual",
                     "分值": "weight", "得分": "score"}


def indicators(t: Table) -> list[Indicator]:
    """The indicator rows of a self-evaluation (keyed by 三级指标): every data row but 资金总额 and the narrative;
    fund-source rows are SUBTOTAL."""
    out = []
    for r in _rows(t):
        if r.role != RowRole.DATA or r.key in ("资金总额", "项目绩效分析"):
            continue
        fields = {INDICATOR_COLUMNS[c.column]: c for c in r.cells if c.column in INDICATOR_COLUMNS}
        out.append(Indicator.model_validate({"level3": r.label, **fields}))
    return out


def self_evaluation(t: Table) -> list[Record]:
    funds = t.row("资金总额")
    total = t.row("合计") or t.row("总分")
    narrative = t.row("项目绩效分析")

    def f(col: str) -> Cell | None:
        return funds.cell(col) if funds else None

    layout = "split" if f("目标申报数") else ("no_initial" if f("年初预算数") is None else "plain")
    out: list[Record] = [SelfEvaluation(
        doc_id=t.doc_id, table_id=t.id, row_key="资金总额", project_name=t.label or "", layout=layout,
        target_declared=f("目标申报数"), initial_budget=f("年初预算数"), adjusted_budget=f("全年预算数"),
        executed=f("全年执行数"), balance=f("资金结(转)余"), printed_rate=f("执行率"), budget_score=f("得分"),
        total_weight=total.cell("分值") if total else None, total_score=total.cell("得分") if total else None,
        narrative=[], analysis_text=None, indicators=indicators(t),
    )]
    return out + ([] if narrative is None else [])


def sangong(t: Table) -> list[Record]:
    out: list[Record] = []
    if t.kind == TableKind.FINAL_SANGONG:
        row = t.rows[0] if t.rows else None
        blocks: tuple[tuple[Literal["budget", "final"], str], ...] = (("budget", "预算数"), ("final", "决算数"))
        for block, prefix in blocks:
            if row is None:
                break

            def g(name: str, p: str = prefix) -> Cell | None:
                return row.cell(f"{p}/{name}")

            out.append(SanGong(**_base(t, row), block=block, column=prefix, total=g("合计"),
                               abroad=g("因公出国(境)费"), reception=g("公务接待费"), vehicle_total=g("小计"),
                               vehicle_purchase=g("公务用车购置费"), vehicle_operation=g("公务用车运行维护费")))
        return out
    by_label = {_unnumbered(r.label): r for r in t.rows}
    for col in (c for c in t.columns if c not in ("项目",)):
        def g2(label: str, column: str = col) -> Cell | None:
            r = next((row for k, row in by_label.items() if k.startswith(label)), None)
            return r.cell(column) if r else None

        out.append(SanGong(doc_id=t.doc_id, table_id=t.id, row_key="合计", block="budget", column=col,
                           total=g2("合计"), abroad=g2("因公出国"), reception=g2("公务接待"),
                           vehicle_total=g2("公务用车购置及运行"), vehicle_purchase=g2("公务用车购置费"),
                           vehicle_operation=g2("公务用车运行")))
    return out


_ITEM_NUMBER = re.compile(r"^(\d{1,2}[.、)]?|\(\d{1,2}\))(?=\D)")


def _unnumbered(label: str) -> str:
    """A row label without its item number: NFKC has already turned ② into 2, so strip digits too."""
    return _ITEM_NUMBER.sub("", norm_key(label))


def operating_cost(t: Table) -> list[Record]:
    return [OperatingCost(**_base(t, r), org_name=r.label, amount=r.cell("合计"), is_total=r.role == RowRole.TOTAL)
            for r in _rows(t)]


def info_stats(t: Table) -> list[Record]:
    def g(label: str) -> Cell | None:
        r = t.row(label)
        return r.cell("统计数") if r else None

    return [Procurement(doc_id=t.doc_id, table_id=t.id, row_key="合计", total=g("合计"), goods=g("货物"),
                        works=g("工程"), services=g("服务"))]


MAPPERS: dict[TableKind, Callable[[Table], list[Record]]] = {
    **{k: function_lines for k in FUNCTION_TABLES},
    **{k: summary_lines for k in TWO_SIDED},
    TableKind.BUDGET_BASIC_ECONOMIC: economic_lines, TableKind.FINAL_BASIC_DETAIL: economic_lines,
    TableKind.BUDGET_PROJECTS: project_lines, TableKind.BUDGET_PROJECTS_CARRYOVER: project_lines,
    TableKind.PERFORMANCE_TARGET: performance_target, TableKind.SELF_EVALUATION: self_evaluation,
    TableKind.BUDGET_SANGONG: sangong, TableKind.FINAL_SANGONG: sangong,
    TableKind.BUDGET_OPERATING_COST: operating_cost, TableKind.FINAL_INFO_STATS: info_stats,
}


def records_from_tables(tables: list[Table]) -> list[Record]:
    out: list[Record] = []
    for t in tables:
        if (mapper := MAPPERS.get(t.kind)) is not None:
            out.extend(mapper(t))
    return out
