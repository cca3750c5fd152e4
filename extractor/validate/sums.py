"""Within-table sum evaluators: across columns of a row, down rows of a column, classification rollups."""

from __future__ import annotations

import re
from collections.abc import Iterator

from extractor.validate.catalog import Rule
from extractor.validate.checks import ColumnSumCheck, EconomicRollupCheck, RollupCheck, RowSumCheck
from extractor.validate.context import DocContext
from extractor.validate.identity import Item, Skip, SumIdentity
from extractor.validate.index import TableIndex, base_key, row_desc
from schemas.keys import norm_key
from schemas.tables import Row, RowRole, TableKind

LEVEL_NAMES = {0: "合计", 1: "类", 2: "款", 3: "项"}
_TOTAL_ROLES = (RowRole.TOTAL, RowRole.SUBTOTAL)
_CODE_LEVEL = {3: 1, 5: 2, 7: 3}


def tables_for(check: object, rule: Rule, ctx: DocContext) -> tuple[list[TableIndex], Skip | None]:
    """The tables a within-table check runs on (those with data), or why none."""
    return tables_of_kinds(getattr(check, "only", None) or rule.tables, ctx)


def tables_of_kinds(kinds: tuple[TableKind, ...], ctx: DocContext) -> tuple[list[TableIndex], Skip | None]:
    tabs = ctx.tables_of(kinds)
    if not tabs:
        return [], Skip(f"文档中未找到{ctx.names(kinds)}")
    return [t for t in tabs if not t.empty], None


def _joined(names: list[str], whole: str) -> str:
    return " + ".join(f"“{n}”" for n in names) if len(names) <= 4 else whole


def _col(c: str) -> str:
    return c.rsplit("/", 1)[-1]


def column_sum(check: ColumnSumCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    tabs, skip = tables_for(check, rule, ctx)
    if skip:
        yield skip
    for ix in tabs:
        for prefix in check.blocks or (check.side,):
            yield from _column_sum(check, ix, prefix)


def _resolve_columns(ix: TableIndex, specs: tuple[str, ...], optional: tuple[str, ...],
                     prefix: str | None) -> list[str] | str:
    out: list[str] = []
    for spec in specs:
        col = ix.find_column(spec, prefix)
        if col is None and spec not in optional:
            return spec
        if col is not None and col not in out:
            out.append(col)
    return out


def _column_sum(check: ColumnSumCheck, ix: TableIndex, prefix: str | None) -> Iterator[Item]:
    total = ix.find_column(check.total, prefix)
    if total is None:
        yield Skip(f"{ix.name} 无“{check.total}”列", table_ids=[ix.table.id])
        return
    minus = _resolve_columns(ix, check.minus, (), prefix)
    parts = _resolve_columns(ix, check.parts, check.optional, prefix) if check.parts is not None else None
    for got in (minus, parts):
        if isinstance(got, str):
            yield Skip(f"{ix.name} 无“{got}”列", table_ids=[ix.table.id])
            return
    assert not isinstance(minus, str) and not isinstance(parts, str)
    if check.rows is not None:
        rows = [r for spec in check.rows for r in ix.find_rows(spec, check.side)]
        if not rows:
            yield Skip(f"{ix.name} 未找到“{'、'.join(check.rows)}”行", table_ids=[ix.table.id])
    else:
        rows = ix.side_rows(check.side)
    excluded = {total, *minus, *(c for e in check.exclude if (c := ix.find_column(e, prefix)))}
    for row in rows:
        cells = ix.cells(row)
        if total not in cells:
            continue
        cols = parts if parts is not None else [c for c in ix.columns_with_prefix(prefix)
                                                if c not in excluded and c in cells]
        if not cols and not minus:
            continue
        where = f"{ix.name} {row_desc(row)} 行：" + (f"{prefix} " if check.blocks else "")
        right_name = _joined([_col(c) for c in cols], "各列之和") + "".join(f" − “{_col(c)}”" for c in minus)
        yield SumIdentity(left=[(1, ix.term(row, total))],
                          right=[(1, ix.term(row, c)) for c in cols] + [(-1, ix.term(row, c)) for c in minus],
                          where=where, left_name=f"“{_col(total)}”", right_name=right_name, exact=check.exact)


def row_sum(check: RowSumCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    tabs, skip = tables_for(check, rule, ctx)
    if skip:
        yield skip
    for ix in tabs:
        total = ix.find_row(check.total, check.side)
        if total is None:
            yield Skip(f"{ix.name} 未找到“{check.total}”行", table_ids=[ix.table.id])
            continue
        parts = _part_rows(check, ix, total)
        if isinstance(parts, Skip):
            yield parts
            continue
        names = [row_desc(r) for r in parts]
        right_name = {"before": "其上各行之和", "after": "其下各行之和"}.get(check.scope) or _joined(names, "各组成行之和")
        for col in ix.columns(check.columns, check.side):
            yield SumIdentity(left=[(1, ix.term(total, col))], right=[(1, ix.term(r, col)) for r in parts],
                              where=f"{ix.name} “{col}” 列：", left_name=row_desc(total), right_name=right_name,
                              exact=check.exact)


def _part_rows(check: RowSumCheck, ix: TableIndex, total: Row) -> list[Row] | Skip:
    if check.scope == "listed":
        parts: list[Row] = []
        for spec in check.parts:
            row = ix.find_row(spec, check.side)
            if row is None and spec not in check.optional:
                return Skip(f"{ix.name} 未找到“{spec}”行", table_ids=[ix.table.id])
            if row is not None and row is not total and all(row is not p for p in parts):
                parts.append(row)
        return parts or Skip(f"{ix.name} 未找到“{'、'.join(check.parts)}”中的任何一行", table_ids=[ix.table.id])
    rows = ix.side_rows(check.side)
    at = next(i for i, r in enumerate(rows) if r is total)
    span = reversed(rows[:at]) if check.scope == "before" else iter(rows[at + 1:])
    pattern = re.compile(check.part_pattern) if check.part_pattern else None
    out = []
    for r in span:
        if r.role in _TOTAL_ROLES or (pattern and not pattern.search(r.key)):
            break
        out.append(r)
    return out[::-1] if check.scope == "before" else out


def _level(row: Row) -> int | None:
    return row.level if row.level is not None else (_CODE_LEVEL.get(len(row.code)) if row.code else None)


def rollup(check: RollupCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    tabs, skip = tables_for(check, rule, ctx)
    if skip:
        yield skip
    for ix in tabs:
        coded = [(r, lv) for r in ix.rows if r.code and (lv := _level(r)) in check.levels]
        by_code: dict[str, Row] = {}
        for r, _ in coded:
            by_code.setdefault(r.code or "", r)
        children: dict[int, list[Row]] = {}
        tops: list[Row] = []
        for r, lv in coded:
            code = r.code or ""
            parent = next((p for n in (5, 3) if n < len(code) and (p := by_code.get(code[:n])) is not None), None)
            if parent is None:
                if lv == min(check.levels):
                    tops.append(r)
            else:
                children.setdefault(id(parent), []).append(r)
        cols = ix.columns(check.columns)
        for parent, _ in coded:
            kids = children.get(id(parent))
            if kids:
                yield from _sum_rows(ix, parent, kids, cols, f"其下各{LEVEL_NAMES[_level(kids[0]) or 3]}之和",
                                     LEVEL_NAMES[_level(parent) or 1])
        total = ix.find_row(check.total_row)
        if total is not None and tops:
            yield from _sum_rows(ix, total, tops, cols, "各类之和", "合计")


def _sum_rows(ix: TableIndex, total: Row, parts: list[Row], cols: list[str], right_name: str,
              left_name: str) -> Iterator[Item]:
    for col in cols:
        yield SumIdentity(left=[(1, ix.term(total, col))], right=[(1, ix.term(r, col)) for r in parts],
                          where=f"{ix.name} {row_desc(total)} “{col}” 列：", left_name=left_name, right_name=right_name)


def economic_rollup(check: EconomicRollupCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    tabs, skip = tables_for(check, rule, ctx)
    if skip:
        yield skip
    classes = {norm_key(n) for n in check.class_names}
    for ix in tabs:
        cols = ix.columns(check.columns)
        total = ix.find_row(check.total_row)
        groups = _economic_groups(ix, classes)
        for cls, items in groups:
            if items:
                yield from _sum_rows(ix, cls, items, cols, "其下各款之和", "类")
        if total is not None:
            tops = [c for c, _ in groups] or [r for r in ix.rows if r is not total and r.role == RowRole.DATA]
            yield from _sum_rows(ix, total, tops, cols, "各类之和" if groups else "各行之和", "合计")


def _economic_groups(ix: TableIndex, classes: set[str]) -> list[tuple[Row, list[Row]]]:
    """(class row, its item rows): by code prefix when codes are printed, else by class names in order."""
    if any(r.code for r in ix.rows):
        heads = [r for r in ix.rows if r.code and len(r.code) == 3]
        items: dict[str, list[Row]] = {h.code or "": [] for h in heads}
        for r in ix.rows:
            if r.code and len(r.code) > 3 and r.code[:3] in items:
                items[r.code[:3]].append(r)
        return [(h, items[h.code or ""]) for h in heads]
    groups: list[tuple[Row, list[Row]]] = []
    for r in ix.rows:
        if r.role in _TOTAL_ROLES:
            continue
        if base_key(r.key).split("/")[0] in classes:
            groups.append((r, []))
        elif groups:
            groups[-1][1].append(r)
    return groups
