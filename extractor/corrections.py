"""Apply the append-only corrections log to freshly extracted tables (by cell key), so a
re-extraction keeps every reviewer decision."""

from __future__ import annotations

from extractor.values import parse_value
from schemas.findings import Correction, CorrectionKind
from schemas.provenance import ExtractionPath
from schemas.tables import RowRole, Table, TableKind


def apply_corrections(tables: list[Table], corrections: list[Correction]) -> list[str]:
    """Mutates ``tables``; returns notes for corrections whose target no longer exists."""
    by_id = {t.id: t for t in tables}
    unapplied: list[str] = []
    for c in corrections:
        table = by_id.get(c.cell.table_id if c.cell else (c.table_id or ""))
        if c.kind in (CorrectionKind.FALSE_POSITIVE, CorrectionKind.ACCEPT_REPAIR, CorrectionKind.REJECT_REPAIR):
            continue  # these act on findings, not on tables
        if table is None:
            unapplied.append(f"correction {c.id}: table not found")
            continue
        if not _apply_one(table, c):
            unapplied.append(f"correction {c.id}: target not found in {table.id}")
    return unapplied


def _apply_one(table: Table, c: Correction) -> bool:
    if c.kind == CorrectionKind.TABLE_KIND and c.new:
        table.kind = TableKind(c.new)
        return True
    if c.kind == CorrectionKind.NOISE_ROW and c.cell:
        row = table.row(c.cell.row_key)
        if row is not None:
            row.role = RowRole.NOISE
        return row is not None
    if c.kind in (CorrectionKind.CELL_VALUE, CorrectionKind.COLUMN_ASSIGNMENT) and c.cell and c.new is not None:
        cell = table.find_cell(c.cell.row_key, c.cell.column)
        if cell is None:
            return False
        unit = cell.value.money_unit
        cell.value = parse_value(c.new, unit)
        cell.provenance = cell.provenance.model_copy(update={"path": ExtractionPath.REVIEWER})
        return True
    return False
