"""Hand-built tables for the validator tests: cells from printed strings, keys and columns as the
extractor names them (schemas/keys.py). No corpus needed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import count

from extractor.values import parse_value
from schemas.provenance import Provenance
from schemas.tables import Cell, Row, RowRole, Table, TableKind, TableStatus
from schemas.values import MoneyUnit

DOC = "doc-validate-test"
_LINES = count(1)
_TOTALS = ("合计", "总计", "小计")

RowSpec = tuple  # (key, label, cells[, role]); cells: list aligned with value columns, or {column: printed}


def prov(table_id: str | None = None) -> Provenance:
    n = next(_LINES)
    return Provenance(doc_id=DOC, page=1 + n // 50, line_start=n, line_end=n, table_id=table_id)


def _role(key: str) -> RowRole:
    return RowRole.TOTAL if any(key.startswith(t) or key.endswith(t) for t in _TOTALS) else RowRole.DATA


def make_row(key: str, label: str, cells: Sequence[str] | Mapping[str, str], columns: Sequence[str],
             unit: MoneyUnit | None = MoneyUnit.WAN, role: RowRole | None = None, table_id: str = "",
             indent: int = 0) -> Row:
    pairs = cells.items() if isinstance(cells, Mapping) else zip(columns, cells, strict=True)
    code = key if key.isdigit() else None
    level = {3: 1, 5: 2, 7: 3}.get(len(code)) if code else None
    return Row(key=key, label=label, code=code, level=level, role=role or _role(key), indent=indent,
               cells=[Cell(column=c, value=parse_value(p, unit), provenance=prov(table_id)) for c, p in pairs],
               provenance=prov(table_id))


def make_table(kind: TableKind, columns: Sequence[str], rows: Sequence[RowSpec], *, table_id: str | None = None,
               unit: MoneyUnit | None = MoneyUnit.WAN, status: TableStatus = TableStatus.OK, org: str | None = "测试局",
               label: str | None = None) -> Table:
    tid = table_id or f"{kind.value}#1"
    built = [make_row(r[0], r[1], r[2], columns, unit, r[3] if len(r) > 3 else None, tid) for r in rows]
    if not built and status == TableStatus.OK:
        status = TableStatus.EMPTY
    return Table(id=tid, doc_id=DOC, kind=kind, status=status, title=kind.value, label=label, org=org,
                 money_unit=unit, columns=list(columns), rows=built, provenance=prov(tid))


def set_cell(tables: Sequence[Table], table_id: str, row_key: str, column: str, printed: str,
             side: str | None = None) -> list[Table]:
    """A deep copy of ``tables`` with one cell re-printed (added when the row lacks it)."""
    out = [t.model_copy(deep=True) for t in tables]
    table = next(t for t in out if t.id == table_id)
    row = next(r for r in table.rows if r.key == row_key and (side is None or all(
        c.column.startswith(side + "/") for c in r.cells)))
    cell = row.cell(column)
    value = parse_value(printed, table.money_unit)
    if cell is None:
        row.cells.append(Cell(column=column, value=value, provenance=prov(table_id)))
    else:
        cell.value = value
    return out


def drop_table(tables: Sequence[Table], table_id: str) -> list[Table]:
    return [t for t in tables if t.id != table_id]


def cell_keys(finding: object) -> set[tuple[str, str, str]]:
    return {(c.key.table_id, c.key.row_key, c.key.column) for c in finding.cells}  # type: ignore[attr-defined]
