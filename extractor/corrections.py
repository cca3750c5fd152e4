"""Apply the append-only corrections log to freshly extracted tables (by cell key), so a
re-extraction keeps every reviewer decision.

Cell-level kinds change one table; merge and split change which tables exist, so the log is applied
to the document's whole table list, in the order the corrections were made.
"""

from __future__ import annotations

from extractor.values import parse_value
from schemas.findings import Correction, CorrectionKind
from schemas.provenance import ExtractionPath
from schemas.tables import RowRole, Table, TableKind

FINDING_KINDS = (CorrectionKind.FALSE_POSITIVE, CorrectionKind.ACCEPT_REPAIR, CorrectionKind.REJECT_REPAIR)


def apply_corrections(tables: list[Table], corrections: list[Correction]) -> list[str]:
    """Mutates ``tables`` (and the list itself, for merges and splits); returns notes for corrections
    whose target no longer exists."""
    unapplied: list[str] = []
    for c in corrections:
        if c.kind in FINDING_KINDS:
            continue  # these act on findings, not on tables
        by_id = {t.id: t for t in tables}
        table = by_id.get(c.cell.table_id if c.cell else (c.table_id or ""))
        if table is None:
            unapplied.append(f"correction {c.id}: table not found")
            continue
        if c.kind == CorrectionKind.MERGE_TABLES:
            ok = _merge(tables, table, by_id.get(c.new or ""))
        elif c.kind == CorrectionKind.SPLIT_TABLE:
            ok = _split(tables, table, c.cell.row_key if c.cell else "")
        else:
            ok = _apply_one(table, c)
        if not ok:
            unapplied.append(f"correction {c.id}: target not found in {table.id}")
    return unapplied


def split_id(table_id: str, row_key: str) -> str:
    """The id of the table split off at ``row_key``: stable, so later corrections can name it."""
    return f"{table_id}~{row_key}"


def _merge(tables: list[Table], first: Table, second: Table | None) -> bool:
    """``second``'s rows appended to ``first`` (a table a page break cut in two); ``second`` is gone."""
    if second is None or second is first:
        return False
    before = {r.key for r in first.rows}
    taken = set(before)
    for row in (r.model_copy(deep=True) for r in second.rows):
        if row.key in before:  # the same label on both halves: number it as a repeated row
            n = 2
            while f"{row.key}#{n}" in taken:
                n += 1
            row.key = f"{row.key}#{n}"
        taken.add(row.key)
        first.rows.append(row)
    first.pages = sorted(set(first.pages) | set(second.pages))
    first.columns += [c for c in second.columns if c not in first.columns]
    tables.remove(second)
    return True


def _split(tables: list[Table], table: Table, row_key: str) -> bool:
    """Rows from ``row_key`` on become a table of their own (two tables read as one)."""
    at = next((i for i, r in enumerate(table.rows) if r.key == row_key), None)
    if not at:  # None, or the first row: nothing would be left
        return False
    tail = table.model_copy(deep=True, update={"id": split_id(table.id, row_key), "rows": table.rows[at:]})
    first_page = tail.rows[0].provenance.page
    tail.pages = sorted({p for p in table.pages if first_page is None or p >= first_page})
    table.rows = table.rows[:at]
    tables.insert(tables.index(table) + 1, tail)
    return True


def _apply_one(table: Table, c: Correction) -> bool:
    if c.kind == CorrectionKind.TABLE_KIND and c.new:
        table.kind = TableKind(c.new)
        return True
    if c.kind == CorrectionKind.NOISE_ROW and c.cell:
        row = table.row(c.cell.row_key)
        if row is not None:
            row.role = RowRole.NOISE
        return row is not None
    if c.kind == CorrectionKind.COLUMN_ASSIGNMENT and c.cell and c.new:
        return _reassign(table, c.cell.row_key, c.cell.column, c.new)
    if c.kind == CorrectionKind.CELL_VALUE and c.cell and c.new is not None:
        cell = table.find_cell(c.cell.row_key, c.cell.column)
        if cell is None:
            return False
        unit = cell.value.money_unit
        cell.value = parse_value(c.new, unit)
        cell.provenance = cell.provenance.model_copy(update={"path": ExtractionPath.REVIEWER})
        return True
    return False


def _reassign(table: Table, row_key: str, column: str, to_column: str) -> bool:
    """The figure read under ``column`` belongs under ``to_column`` (collapsed empty cells misread): it
    moves, printed text and box unchanged; a cell already printed there is not overwritten."""
    row = table.row(row_key)
    cell = next((c for c in row.cells if c.column == column), None) if row else None
    if row is None or cell is None or to_column not in table.columns:
        return False
    target = next((c for c in row.cells if c.column == to_column), None)
    if target is not None and target.value.printed.strip():
        return False
    if target is not None:
        row.cells.remove(target)
    cell.column = to_column
    cell.provenance = cell.provenance.model_copy(update={"path": ExtractionPath.REVIEWER})
    order = {c: i for i, c in enumerate(table.columns)}
    row.cells.sort(key=lambda x: order.get(x.column, len(order)))
    return True
