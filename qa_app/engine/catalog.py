"""What the engine reads from the store, cached per store revision.

A ``Catalog`` lists every live document (its ``DocumentMeta``) and the terms questions are linked
and routed by (``extractor.terms``: orgs, project and function names, what each document has). A
document's tables, narrative and typed records are read from the store only when a tool first needs
them, and at most ``LOADED_DOCS`` documents keep them in memory, so a store of 10,000 documents
costs what a handful of documents cost. The catalog is rebuilt when the store's revision changes
(any write by any process), so an answer never works from a stale list.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from extractor.records import records_from_tables
from extractor.store import Store
from extractor.terms import FEATURE, Term
from schemas.records import Record
from schemas.tables import DocKind, DocumentMeta, Table, TableKind, TableStatus

KIND_ZH = {DocKind.BUDGET: "预算", DocKind.FINAL_ACCOUNTS: "决算", DocKind.PERFORMANCE: "绩效", DocKind.UNKNOWN: "公开"}
LOADED_DOCS = 64  # documents whose tables stay parsed in memory (least recently used go first)

Loader = Callable[[str], tuple[list[Table], list[tuple[int, int, str]]]]


class DocData:
    """One document: ``meta`` always; ``tables``, ``narrative`` and ``records`` given, or read on first
    use through ``loader`` (and dropped again by ``unload``)."""

    def __init__(self, meta: DocumentMeta, tables: list[Table] | None = None,
                 narrative: list[tuple[int, int, str]] | None = None, records: list[Record] | None = None,
                 loader: Loader | None = None, on_load: Callable[[DocData], None] | None = None,
                 terms: list[Term] | None = None):
        self.meta = meta
        self.terms = terms or []
        self.features = {t.value for t in self.terms if t.kind == FEATURE}
        self._tables, self._narrative, self._records = tables, narrative, records
        self._by_id: dict[str, Table] | None = None
        self._loader, self._on_load = loader, on_load
        self._lock = threading.Lock()

    def _load(self) -> None:
        with self._lock:
            if self._tables is not None and self._narrative is not None:
                return
            if self._loader is None:
                self._tables, self._narrative = self._tables or [], self._narrative or []
                return
            self._tables, self._narrative = self._loader(self.id)
        if self._on_load is not None:
            self._on_load(self)

    def unload(self) -> None:
        if self._loader is not None:
            with self._lock:
                self._tables = self._narrative = self._records = None
                self._by_id = None

    @property
    def loaded(self) -> bool:
        return self._tables is not None

    @property
    def tables(self) -> list[Table]:
        if self._tables is None:
            self._load()
        return self._tables or []

    @property
    def narrative(self) -> list[tuple[int, int, str]]:
        if self._narrative is None:
            self._load()
        return self._narrative or []

    @property
    def records(self) -> list[Record]:
        if self._records is None:
            self._records = records_from_tables(self.tables)
        return self._records

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

    def has(self, feature: str) -> bool:
        """Whether the document has ``feature`` (``extractor.terms``), known without loading it."""
        return feature in self.features

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

    @property
    def table_by_id(self) -> dict[str, Table]:
        if self._by_id is None:
            self._by_id = {t.id: t for t in self.tables}
        return self._by_id


@dataclass
class Catalog:
    docs: list[DocData]
    signature: tuple
    extras: dict = field(default_factory=dict)  # derived lookups (lexicon ...) built once per catalog
    store: Store | None = None  # the store lazy loads read from (the last one ``load_catalog`` was given)
    _by_id: dict[str, DocData] = field(default_factory=dict)
    _loaded: OrderedDict[str, None] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _order: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index()

    def index(self) -> None:
        """The lookups by id and by org (call again after replacing ``docs``)."""
        self._by_id = {d.id: d for d in self.docs}
        self._order = {d.id: i for i, d in enumerate(self.docs)}
        self._by_org: dict[str, list[DocData]] = {}
        for d in self.docs:
            self._by_org.setdefault(d.org, []).append(d)

    def doc(self, doc_id: str) -> DocData | None:
        return self._by_id.get(doc_id)

    @property
    def years(self) -> list[int]:
        if "years" not in self.extras:
            self.extras["years"] = sorted({d.year for d in self.docs if d.year})
        return self.extras["years"]

    def select(self, orgs: list[str] | None = None, years: list[int] | None = None,
               kind: DocKind | None = None) -> list[DocData]:
        """The documents of those orgs (all when none), years and kind, in the catalog's order."""
        if orgs:
            pool = [d for o in dict.fromkeys(orgs) for d in self._by_org.get(o, [])]
            pool.sort(key=lambda d: self._order[d.id])
        else:
            pool = self.docs
        return [d for d in pool if (not years or d.year in years) and (kind is None or d.meta.kind == kind)]

    def read(self, doc_id: str) -> tuple[list[Table], list[tuple[int, int, str]]]:
        assert self.store is not None
        return self.store.tables(doc_id), self.store.narrative(doc_id)

    def loaded(self, doc: DocData) -> None:
        """Keep the ``LOADED_DOCS`` most recently loaded documents parsed; unload the oldest."""
        with self._lock:
            self._loaded[doc.id] = None
            self._loaded.move_to_end(doc.id)
            while len(self._loaded) > LOADED_DOCS:
                old, _ = self._loaded.popitem(last=False)
                if (d := self._by_id.get(old)) is not None:
                    d.unload()


def store_signature(store: Store) -> tuple:
    return (str(store.path), store.revision())


_CACHE: dict[str, Catalog] = {}
_LOCK = threading.Lock()


def load_catalog(store: Store) -> Catalog:
    sig = store_signature(store)
    with _LOCK:
        hit = _CACHE.get(str(store.path))
        if hit is not None and hit.signature == sig:
            hit.store = store
            return hit
    terms: dict[str, list[Term]] = {}
    for doc_id, term in store.terms():
        terms.setdefault(doc_id, []).append(term)
    cat = Catalog(docs=[], signature=store_signature(store), store=store)  # terms() may have migrated: re-read
    cat.docs = [DocData(meta, loader=cat.read, on_load=cat.loaded, terms=terms.get(meta.id, []))
                for meta in store.documents()]  # their loader is the catalog: made first, then given them
    cat.index()
    with _LOCK:
        _CACHE[str(store.path)] = cat
    return cat


def document(store: Store, doc_id: str) -> DocData | None:
    """One document read in full, outside any catalog (for indexing it after a write)."""
    row = store.db.execute("SELECT meta, status FROM documents WHERE id=?", (doc_id,)).fetchone()
    if row is None or row[1] == "deleted":
        return None
    meta = DocumentMeta.model_validate_json(row[0])
    meta.status = row[1]
    return DocData(meta, tables=store.tables(doc_id), narrative=store.narrative(doc_id))


def invalidate(store: Store | None = None) -> None:
    with _LOCK:
        if store is None:
            _CACHE.clear()
        else:
            _CACHE.pop(str(store.path), None)
