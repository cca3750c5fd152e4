"""Validation findings and reviewer corrections."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.provenance import Provenance
from schemas.tables import CellKey


class Severity(StrEnum):
    ERROR = "error"
    ROUNDING = "rounding"  # a miss within rounding tolerance (尾数)
    WARNING = "warning"  # soft rules: report, never fail
    INFO = "info"
    NOT_CHECKED = "not_checked"  # inputs missing: never counted as passed


class CellRef(BaseModel):
    key: CellKey
    printed: str
    provenance: Provenance


class Finding(BaseModel):
    id: str = ""  # stable hash of (doc, rule, cells)
    doc_id: str
    rule_id: str
    severity: Severity
    message: str  # Chinese, for a reviewer
    expected: Decimal | None = None
    actual: Decimal | None = None
    difference: Decimal | None = None
    cells: list[CellRef] = Field(default_factory=list)
    table_ids: list[str] = Field(default_factory=list)
    suggestion: str | None = None  # a proposed repair (never applied silently)
    proposed: str | None = None  # the repair's printed value for the first cell (accepting it sets this)
    false_positive: bool = False  # marked by a reviewer (or a rejected repair): kept, shown apart


class CorrectionKind(StrEnum):
    CELL_VALUE = "cell_value"
    TABLE_KIND = "table_kind"  # reclassify
    COLUMN_ASSIGNMENT = "column_assignment"  # cell = the figure where it was read; new = the column it belongs to
    NOISE_ROW = "noise_row"
    MERGE_TABLES = "merge_tables"  # table_id = the first table; new = the table appended to it
    SPLIT_TABLE = "split_table"  # table_id; cell.row_key = the first row of the new table
    FALSE_POSITIVE = "false_positive"
    ACCEPT_REPAIR = "accept_repair"
    REJECT_REPAIR = "reject_repair"


class Correction(BaseModel):
    """Appended, never edited or deleted."""

    id: int | None = None
    doc_id: str
    kind: CorrectionKind
    author: str
    created_at: datetime | None = None
    cell: CellKey | None = None
    table_id: str | None = None
    finding_id: str | None = None
    old: str | None = None
    new: str | None = None
    reason: str
    base_version: int | None = None  # optimistic check: the cell version the editor saw


class EditConflict(Exception):
    """Another reviewer changed the same cell since this editor loaded it."""
