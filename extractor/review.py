"""The review back end: every reviewer action is an appended correction, applied at once, then the
document is re-validated and re-indexed so the next answer uses the corrected value."""

from __future__ import annotations

from extractor.corrections import FINDING_KINDS, apply_corrections, split_id
from extractor.hooks import document_changed
from extractor.pipeline import validate_tables
from extractor.store import Store
from schemas.findings import Correction, CorrectionKind, Finding
from schemas.tables import CellKey, Table, TableKind


class ReviewError(ValueError):
    """A correction that cannot be applied; the message says why and what to do."""


def cell_version(store: Store, key: CellKey) -> int:
    """How many times this cell has been corrected: the optimistic-lock token an editor holds."""
    return sum(1 for c in store.corrections(key.doc_id) if c.cell and c.cell == key
               and c.kind == CorrectionKind.CELL_VALUE)


def _require_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise ReviewError("a reason is required for every correction")


def _commit(store: Store, c: Correction, expected_version: int | None = None) -> Correction:
    """Check the correction applies, append it, write the changed tables, re-validate, re-index."""
    table_id = c.cell.table_id if c.cell else c.table_id
    tables: list[Table] | None = None
    if c.kind not in FINDING_KINDS:
        tables = store.tables(c.doc_id)
        if not any(t.id == table_id for t in tables):
            raise ReviewError(f"no table {table_id} in document {c.doc_id[:8]}")
        if apply_corrections(tables, [c]):
            raise ReviewError(f"{c.kind.value}: the target cell/row/table does not exist or is taken in {table_id}")
    saved = (store.append_cell_correction(c, expected_version) if c.kind == CorrectionKind.CELL_VALUE
             else store.append_correction(c))
    if tables is not None:
        if c.kind in (CorrectionKind.MERGE_TABLES, CorrectionKind.SPLIT_TABLE):
            store.save_tables(c.doc_id, tables)
        else:
            store.replace_table(next(t for t in tables if t.id == table_id))
    revalidate(store, c.doc_id)
    document_changed(store, c.doc_id)
    return saved


def revalidate(store: Store, doc_id: str) -> None:
    save_revalidated(store, doc_id, validate_tables(store.tables(doc_id), doc_id, store.statements(doc_id)))


def save_revalidated(store: Store, doc_id: str, findings: list[Finding]) -> None:
    """Replace the rule findings, keeping the reviewers' false-positive marks and the findings that rules
    do not produce (the LLM assist's notes)."""
    false_positive = {c.finding_id for c in store.corrections(doc_id)
                      if c.kind in (CorrectionKind.FALSE_POSITIVE, CorrectionKind.REJECT_REPAIR)}
    kept = [f for f in store.findings(doc_id) if f.rule_id.startswith("llm.")]
    for f in findings:
        f.false_positive = f.id in false_positive
    store.save_findings(doc_id, [*findings, *kept])


def correct_cell(store: Store, key: CellKey, new: str, author: str, reason: str,
                 base_version: int | None = None) -> Correction:
    """Change one cell's value. ``base_version`` is the version the editor loaded: if another
    reviewer saved this cell since, ``EditConflict`` is raised and nothing is written."""
    _require_reason(reason)
    table = store.table(key.doc_id, key.table_id)
    cell = table.find_cell(key.row_key, key.column) if table else None
    if cell is None:
        raise ReviewError(f"no cell {key}")
    correction = Correction(doc_id=key.doc_id, kind=CorrectionKind.CELL_VALUE, author=author, cell=key,
                            old=cell.value.printed, new=new, reason=reason)
    return _commit(store, correction, base_version)


def reclassify_table(store: Store, doc_id: str, table_id: str, new_kind: TableKind, author: str,
                     reason: str) -> Correction:
    _require_reason(reason)
    table = store.table(doc_id, table_id)
    if table is None:
        raise ReviewError(f"no table {table_id}")
    return _commit(store, Correction(doc_id=doc_id, kind=CorrectionKind.TABLE_KIND, author=author, table_id=table_id,
                                     old=table.kind.value, new=new_kind.value, reason=reason))


def mark_noise_row(store: Store, key: CellKey, author: str, reason: str) -> Correction:
    _require_reason(reason)
    return _commit(store, Correction(doc_id=key.doc_id, kind=CorrectionKind.NOISE_ROW, author=author, cell=key,
                                     table_id=key.table_id, reason=reason))


def mark_false_positive(store: Store, doc_id: str, finding_id: str, author: str, reason: str) -> Correction:
    _require_reason(reason)
    if not any(f.id == finding_id for f in store.findings(doc_id)):
        raise ReviewError(f"no finding {finding_id} in document {doc_id[:8]}")
    return _commit(store, Correction(doc_id=doc_id, kind=CorrectionKind.FALSE_POSITIVE, author=author,
                                     finding_id=finding_id, reason=reason))


def assign_column(store: Store, key: CellKey, to_column: str, author: str, reason: str) -> Correction:
    """The figure read under ``key.column`` belongs under ``to_column`` (an empty cell collapsed in
    space-separated text shifted it); the target must be empty."""
    _require_reason(reason)
    return _commit(store, Correction(doc_id=key.doc_id, kind=CorrectionKind.COLUMN_ASSIGNMENT, author=author,
                                     cell=key, table_id=key.table_id, old=key.column, new=to_column, reason=reason))


def merge_tables(store: Store, doc_id: str, first_id: str, second_id: str, author: str, reason: str) -> Correction:
    """``second_id``'s rows are appended to ``first_id`` (one table cut in two); ``second_id`` is gone."""
    _require_reason(reason)
    ids = [t.id for t in store.tables(doc_id)]
    if second_id not in ids:
        raise ReviewError(f"no table {second_id} in document {doc_id[:8]}")
    return _commit(store, Correction(doc_id=doc_id, kind=CorrectionKind.MERGE_TABLES, author=author,
                                     table_id=first_id, old=None, new=second_id, reason=reason))


def split_table(store: Store, doc_id: str, table_id: str, at_row: str, author: str, reason: str) -> Correction:
    """Rows from ``at_row`` on become their own table, ``split_id(table_id, at_row)`` (two tables read as one)."""
    _require_reason(reason)
    return _commit(store, Correction(doc_id=doc_id, kind=CorrectionKind.SPLIT_TABLE, author=author,
                                     table_id=table_id, cell=CellKey(doc_id=doc_id, table_id=table_id,
                                                                     row_key=at_row, column=""),
                                     new=split_id(table_id, at_row), reason=reason))


def _repair(store: Store, doc_id: str, finding_id: str) -> Finding:
    f = next((f for f in store.findings(doc_id) if f.id == finding_id), None)
    if f is None or f.proposed is None or not f.cells:
        raise ReviewError(f"no repair suggestion {finding_id} in document {doc_id[:8]}")
    return f


def accept_repair(store: Store, doc_id: str, finding_id: str, author: str, reason: str) -> Correction:
    """Apply a suggested repair: the cell gets the proposed value (a cell correction, with the suggestion
    as its evidence), and the acceptance is logged."""
    _require_reason(reason)
    f = _repair(store, doc_id, finding_id)
    key = f.cells[0].key
    store.append_correction(Correction(doc_id=doc_id, kind=CorrectionKind.ACCEPT_REPAIR, author=author,
                                       finding_id=finding_id, cell=key, old=f.cells[0].printed, new=f.proposed,
                                       reason=reason))
    return correct_cell(store, key, f.proposed or "", author, f"{reason}（接受修复建议：{f.suggestion}）",
                        base_version=cell_version(store, key))


def reject_repair(store: Store, doc_id: str, finding_id: str, author: str, reason: str) -> Correction:
    """Keep the printed value; the suggestion is kept, marked rejected (shown apart, like a false positive)."""
    _require_reason(reason)
    f = _repair(store, doc_id, finding_id)
    return _commit(store, Correction(doc_id=doc_id, kind=CorrectionKind.REJECT_REPAIR, author=author,
                                     finding_id=finding_id, cell=f.cells[0].key, old=f.cells[0].printed,
                                     new=f.proposed, reason=reason))
