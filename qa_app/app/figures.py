"""Overview figures computed from stored tables (pure functions: no Streamlit)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from extractor.records import records_from_tables
from schemas.records import SelfEvaluation
from schemas.tables import Cell, RowRole, Table, TableKind, TableStatus

SUMMARY = {TableKind.BUDGET_SUMMARY, TableKind.FINAL_SUMMARY}
EXPENDITURE = {TableKind.BUDGET_EXPENDITURE, TableKind.FINAL_EXPENDITURE}
TOTAL_COLS = ("合计", "本年支出合计", "小计")


def table_counts(tables: list[Table]) -> tuple[int, int]:
    """(recognised tables, unclassified tables)."""
    unclassified = sum(1 for t in tables if t.status == TableStatus.UNCLASSIFIED)
    return len(tables) - unclassified, unclassified


def _num(cell: Cell | None) -> Decimal | None:
    if cell is None or cell.value.number is None:
        return None
    return cell.value.wan if cell.value.wan is not None else cell.value.number


def _side_total(t: Table, side: str, names: tuple[str, ...]) -> Decimal | None:
    for r in t.rows:
        if r.role == RowRole.NOISE or not any(r.key.split("#")[0] == n for n in names):
            continue
        for c in r.cells:
            if c.column.startswith(f"{side}/") and (v := _num(c)) is not None:
                return v
    return None


def key_figures(tables: list[Table]) -> dict[str, Decimal | None]:
    """收入总计 / 支出总计 (收支总表) and 基本支出 / 项目支出 (支出总表 合计 row), in 万元."""
    out: dict[str, Decimal | None] = {"收入总计": None, "支出总计": None, "基本支出": None, "项目支出": None}
    summary = next((t for t in tables if t.kind in SUMMARY), None)
    if summary:
        out["收入总计"] = _side_total(summary, "收入", ("收入总计", "总计"))
        out["支出总计"] = _side_total(summary, "支出", ("支出总计", "总计"))
    exp = next((t for t in tables if t.kind in EXPENDITURE), None)
    total = next((r for r in exp.rows if r.role == RowRole.TOTAL), None) if exp else None
    if total:
        out["基本支出"], out["项目支出"] = _num(total.cell("基本支出")), _num(total.cell("项目支出"))
    return out


def _rate(num: Decimal | None, den: Decimal | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return round(float(num / den * 100), 2)


def execution_rates(tables: list[Table]) -> pd.DataFrame:
    """Self-evaluation projects: execution rate on the initial (年初) and adjusted (全年) budget."""
    rows = []
    for rec in records_from_tables([t for t in tables if t.kind == TableKind.SELF_EVALUATION]):
        if not isinstance(rec, SelfEvaluation):
            continue
        ini, adj, exe = _num(rec.initial_budget), _num(rec.adjusted_budget), _num(rec.executed)
        rows.append({"项目": rec.project_name or rec.table_id, "表": rec.table_id,
                     "年初预算数": _f(ini), "全年预算数": _f(adj), "全年执行数": _f(exe),
                     "执行率(年初预算)%": _rate(exe, ini), "执行率(全年预算)%": _rate(exe, adj),
                     "表中执行率": rec.printed_rate.value.printed if rec.printed_rate else None})
    df = pd.DataFrame(rows, columns=["项目", "表", "年初预算数", "全年预算数", "全年执行数", "执行率(年初预算)%",
                                     "执行率(全年预算)%", "表中执行率"])
    low = df[["执行率(年初预算)%", "执行率(全年预算)%"]].min(axis=1, skipna=True)
    return df.assign(_low=low).sort_values("_low", na_position="last", kind="stable").drop(columns="_low") \
        .reset_index(drop=True)  # lowest rate on either basis first


def _f(v: Decimal | None) -> float | None:
    return None if v is None else float(v)


def function_composition(tables: list[Table]) -> pd.DataFrame:
    """类-level (3-digit function code) rows of the expenditure table, with their share of the total."""
    exp = next((t for t in tables if t.kind in EXPENDITURE), None)
    rows = []
    if exp:
        for r in exp.rows:
            if r.role == RowRole.NOISE or r.level != 1:
                continue
            cell = next((r.cell(c) for c in TOTAL_COLS if r.cell(c)), None)
            rows.append({"编码": r.code or "", "类": r.label, "金额(万元)": _f(_num(cell))})
    df = pd.DataFrame(rows, columns=["编码", "类", "金额(万元)"])
    total = df["金额(万元)"].sum() if not df.empty else 0
    df["占比%"] = (df["金额(万元)"] / total * 100).round(2) if total else None
    return df
