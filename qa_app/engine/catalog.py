"""What the engine reads from the store, loaded once per store state and cached.

A ``Catalog`` holds every live document with its tables, typed records and narrative lines. It is
rebuilt when the store changes (documents, cells or corrections), so an answer never mixes two
versions of a document.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

from extractor.records import records_from_tables
from extractor.store import Store
from schemas.records import Record
from schemas.tables import DocKind, DocumentMeta, Table, TableKind, TableStatus

KIND_ZH = {DocKind.BUDGET: "预算", DocKind.FINAL_ACCOUNTS: "决算", DocKind.PERFORMANCE: "绩效", DocKind.UNKNOWN: "公开"}


@dataclass
class DocData:
    meta: DocumentMeta
    tables: list[Table]
    narrative: list[tuple[int, int, str]]
    records: list[Record] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def org(self) -> str:
        return self.meta.org or self.meta.file_name

    @property
    def year(self) -> int | None:
        return self.meta.year

    @property
    def kind_zh(self) -> str:
        return KIND_ZH.get(self.meta.kind, "公开")

    @property
    def label(self) -> str:
        """e.g. 阳城县应急管理局2024年决算"""
        return f"{self.org}{self.year or ''}{'年' if self.year else ''}{self.kind_zh}"

    def by_kind(self, *kinds: TableKind) -> list[Table]:
        return [t for t in self.tables if t.kind in kinds and t.status != TableStatus.UNCLASSIFIED]

    def first(self, *kinds: TableKind) -> Table | None:
        """The first table of the first kind (in the order given) that has rows."""
        for k in kinds:
            for t in self.by_kind(k):
                if t.rows:
                    return t
        return None

    def records_of(self, cls: type) -> list:
        return [r for r in self.records if isinstance(r, cls)]

    @cached_property
    def table_by_id(self) -> dict[str, Table]:
        return {t.id: t for t in self.tables}


@dataclass
class Catalog:
    docs: list[DocData]
    signature: tuple
    extras: dict = field(default_factory=dict)  # derived lookups (lexicon ...) built once per catalog

    def doc(self, doc_id: str) -> DocData | None:
        return next((d for d in self.docs if d.id == doc_id), None)

    @property
    def years(self) -> list[int]:
        return sorted({d.year for d in self.docs if d.year})


def store_signature(store: Store) -> tuple:
    docs = tuple(store.db.execute("SELECT id, ingested_at, status FROM documents ORDER BY id").fetchall())
    cells = store.db.execute("SELECT count(*), coalesce(sum(version), 0) FROM cells").fetchone()
    corr = store.db.execute("SELECT count(*) FROM corrections").fetchone()
    return (str(store.path), docs, tuple(cells), corr[0])


_CACHE: dict[str, Catalog] = {}
_LOCK = threading.Lock()


def load_catalog(store: Store) -> Catalog:
    sig = store_signature(store)
    with _LOCK:
        hit = _CACHE.get(str(store.path))
        if hit is not None and hit.signature == sig:
            return hit
    docs = []
    for meta in store.documents():
        tables = store.tables(meta.id)
        docs.append(DocData(meta=meta, tables=tables, narrative=store.narrative(meta.id),
                            records=records_from_tables(tables)))
    cat = Catalog(docs=docs, signature=sig)
    with _LOCK:
        _CACHE[str(store.path)] = cat
    return cat


def invalidate(store: Store | None = None) -> None:
    with _LOCK:
        if store is None:
            _CACHE.clear()
        else:
            _CACHE.pop(str(store.path), None)
