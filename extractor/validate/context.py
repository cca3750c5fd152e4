"""One document's tables, indexed once, with what every evaluator needs: tables by kind, the document
family (budget / final accounts) deciding which rules apply, record hints and a memo."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from extractor.validate.catalog import TABLE_NAMES
from extractor.validate.index import TableIndex
from schemas.records import NarrativeStatement, ProjectLine, Record
from schemas.tables import Table, TableKind, TableStatus

FINAL_KINDS = {k for k in TableKind if k.value.startswith("final_")} | {TableKind.SELF_EVALUATION}
BUDGET_KINDS = {k for k in TableKind if k.value.startswith("budget_")} | {
    TableKind.PERFORMANCE_TARGET, TableKind.OVERALL_PERFORMANCE_TARGET}


class DocContext:
    def __init__(self, tables: Sequence[Table], records: Sequence[Record], doc_id: str,
                 statements: Sequence[NarrativeStatement] = ()):
        self.doc_id = doc_id
        self.statements = list(statements)
        self.indexes = [TableIndex(t, doc_id) for t in tables
                        if t.kind != TableKind.UNCLASSIFIED and t.status != TableStatus.UNCLASSIFIED]
        self.by_kind: dict[TableKind, list[TableIndex]] = {}
        for ix in self.indexes:
            self.by_kind.setdefault(ix.table.kind, []).append(ix)
        self.records = list(records)
        self.org_rows: dict[str, set[str]] = {}  # table id -> row keys the records mark as org totals
        for r in self.records:
            if isinstance(r, ProjectLine) and r.is_org_total:
                self.org_rows.setdefault(r.table_id, set()).add(r.row_key)
        self.family = self._family()
        self.memo: dict[str, Any] = {}

    def _family(self) -> set[TableKind] | None:
        budget = sum(1 for ix in self.indexes if ix.table.kind in BUDGET_KINDS)
        final = sum(1 for ix in self.indexes if ix.table.kind in FINAL_KINDS)
        if budget == final:
            return None  # unknown or mixed: every rule applies
        return BUDGET_KINDS if budget > final else FINAL_KINDS

    def applies(self, kinds: Iterable[TableKind]) -> bool:
        return self.family is None or any(k in self.family for k in kinds)

    def relevant(self, kinds: Iterable[TableKind]) -> list[TableKind]:
        return [k for k in kinds if self.family is None or k in self.family]

    def tables_of(self, kinds: Iterable[TableKind]) -> list[TableIndex]:
        out: list[TableIndex] = []
        for k in kinds:
            out += self.by_kind.get(k, [])
        return out

    def first(self, kinds: Iterable[TableKind]) -> TableIndex | None:
        """The first table of these kinds, preferring one with data."""
        tabs = self.tables_of(kinds)
        return next((t for t in tabs if not t.empty), tabs[0] if tabs else None)

    def names(self, kinds: Iterable[TableKind]) -> str:
        return "、".join(TABLE_NAMES.get(k, k.value) for k in self.relevant(kinds)) or "所需表格"
