"""The search index: Chroma (vectors) + BM25 (jieba/bm25s), fused by reciprocal rank fusion.

- Chroma: ``PersistentClient`` under ``BUDGETLENS_HOME/chroma``, or ``HttpClient`` when
  ``BUDGETLENS_CHROMA_URL`` is set (``http://host:port``). The embedding function is an offline one
  registered with Chroma (``qa_app.engine.embeddings``; ``BUDGETLENS_EMBEDDING`` picks another).
- BM25: row sentences + every vector chunk, in ``BUDGETLENS_HOME/index/bm25.sqlite`` (see ``engine.bm25``).
- ``update_index(store, doc_id)`` is called by the store after every ingest/correction
  (``extractor.hooks``); re-indexing a document replaces its entries. A manifest records which
  version of each document is indexed, so ``SearchIndex.sync`` repairs a missed or failed update.
- One process writes at a time: an exclusive ``fcntl`` lock on ``index/write.lock``.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from extractor.store import Store
from qa_app.engine.bm25 import Bm25Index
from qa_app.engine.catalog import DocData, document, invalidate, load_catalog
from qa_app.engine.chunks import document_chunks
from qa_app.engine.embeddings import embedding_function

log = logging.getLogger(__name__)
RRF_K = 60
BATCH = 256
MAX_CACHED = 50_000
_VECTORS: dict[tuple[str, str], object] = {}


@dataclass
class Hit:
    id: str
    text: str
    meta: dict = field(default_factory=dict)
    score: float = 0.0  # fused RRF score
    ranks: dict[str, int] = field(default_factory=dict)  # per retriever, 1-based


def _client(home: Path):  # noqa: ANN202 - chromadb's client type is private
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url := os.environ.get("BUDGETLENS_CHROMA_URL"):
        u = urlparse(url if "://" in url else f"http://{url}")
        return chromadb.HttpClient(host=u.hostname or "localhost", port=u.port or 8000, ssl=u.scheme == "https",
                                   settings=settings)
    return chromadb.PersistentClient(path=str(home / "chroma"), settings=settings)


MANIFEST_REVISION = "__store_revision__"  # the store revision the manifest was last checked against


def doc_version(doc: DocData, revision: int) -> str:
    """What the manifest records for an indexed document: when it was ingested and the store revision
    of its last write (``Store.document_revision``)."""
    return f"{doc.meta.ingested_at}|r{revision}"


def legacy_doc_version(doc: DocData, store: Store) -> str:
    """The version manifests recorded before the store kept revisions (a count and sum over cells)."""
    row = store.db.execute("SELECT count(*), coalesce(sum(version), 0) FROM cells WHERE doc_id=?", (doc.id,)).fetchone()
    return f"{doc.meta.ingested_at}|{row[0]}|{row[1]}"


class SearchIndex:
    def __init__(self, home: Path, embedding: str | None = None):
        self.home = home
        self.dir = home / "index"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.spec, self.ef = embedding_function(embedding)
        self.name = "budgetlens_" + re.sub(r"[^a-zA-Z0-9]+", "_", self.spec).strip("_")[:40]
        self.client = _client(home)
        self.collection = self.client.get_or_create_collection(
            name=self.name, embedding_function=self.ef, metadata={"hnsw:space": "cosine"})  # type: ignore[arg-type]
        self.bm25 = Bm25Index(self.dir / "bm25.sqlite")
        self.manifest_path = self.dir / f"manifest-{self.name}.json"
        self._count: int | None = None
        self._count_stamp = 0

    # --- writing ---
    @contextmanager
    def write_lock(self) -> Iterator[None]:
        with open(self.dir / "write.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _manifest(self) -> dict[str, str]:
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _save_manifest(self, manifest: dict[str, str]) -> None:
        tmp = self.manifest_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(manifest), encoding="utf-8")
        os.replace(tmp, self.manifest_path)

    def index_document(self, store: Store, doc: DocData) -> int:
        """(Re)index one document; its old entries are removed first. Returns the number of entries."""
        chunks = document_chunks(doc)
        vec = [c for c in chunks if c.kind != "row"]
        with self.write_lock():
            self.collection.delete(where={"doc_id": doc.id})
            for i in range(0, len(vec), BATCH):
                part = vec[i:i + BATCH]
                self.collection.upsert(ids=[c.id for c in part], documents=[c.text for c in part],
                                       embeddings=self.embed([c.embed_text for c in part]),  # type: ignore[arg-type]
                                       metadatas=[c.meta for c in part])  # type: ignore[arg-type]
            self.bm25.put(doc.id, chunks)
            manifest = self._manifest()
            manifest[doc.id] = doc_version(doc, store.document_revision(doc.id))
            self._save_manifest(manifest)
        return len(chunks)

    def embed(self, texts: list[str]) -> list:
        """Embeddings, reusing those of texts this process embedded before (a re-index after a
        correction only embeds the chunks that changed)."""
        todo = [t for t in dict.fromkeys(texts) if (self.spec, t) not in _VECTORS]
        if todo:
            if len(_VECTORS) > MAX_CACHED:
                _VECTORS.clear()
            _VECTORS.update({(self.spec, t): v for t, v in zip(todo, self.ef(todo), strict=True)})
        return [_VECTORS[(self.spec, t)] for t in texts]

    def remove_document(self, doc_id: str) -> None:
        with self.write_lock():
            self.collection.delete(where={"doc_id": doc_id})
            self.bm25.drop(doc_id)
            manifest = self._manifest()
            manifest.pop(doc_id, None)
            self._save_manifest(manifest)

    def sync(self, store: Store) -> list[str]:
        """Index what the store has and the index lacks (or has in an older version); drop the rest.
        Nothing to compare when the store's revision is the one the manifest was last synced at."""
        revision = store.revision()
        manifest = self._manifest()
        if manifest.get(MANIFEST_REVISION) == str(revision):
            return []
        cat = load_catalog(store)
        revisions = store.document_revisions()
        changed: list[str] = []
        upgraded: dict[str, str] = {}  # indexed before revisions existed and unchanged since
        for doc in cat.docs:
            version = doc_version(doc, revisions.get(doc.id, 0))
            if manifest.get(doc.id) == version:
                continue
            if doc.id not in revisions and manifest.get(doc.id) == legacy_doc_version(doc, store):
                upgraded[doc.id] = version
                continue
            self.index_document(store, doc)
            changed.append(doc.id)
        for gone in set(manifest) - {d.id for d in cat.docs} - {MANIFEST_REVISION}:
            self.remove_document(gone)
            changed.append(gone)
        with self.write_lock():
            latest = {**self._manifest(), **upgraded}
            if store.revision() == revision:  # nobody wrote meanwhile
                latest[MANIFEST_REVISION] = str(revision)
            self._save_manifest(latest)
        return changed

    # --- reading ---
    def count(self) -> int:
        """Vector entries. Cached until the manifest changes (every writer rewrites it, in any process):
        Chroma counts by scanning, ~60 ms at 550k entries."""
        try:
            stamp = self.manifest_path.stat().st_mtime_ns
        except OSError:
            stamp = 0
        if self._count is None or stamp != self._count_stamp:
            self._count, self._count_stamp = self.collection.count(), stamp
        return self._count

    def vector_search(self, query: str, k: int, doc_ids: set[str] | None = None) -> list[tuple[str, str, dict]]:
        if self.count() == 0:
            return []
        emb = self.ef.embed_query([query]) if hasattr(self.ef, "embed_query") else self.ef([query])
        if doc_ids:
            return self._scoped_vector_search(emb[0], k, doc_ids)
        res = self.collection.query(query_embeddings=emb, n_results=min(k, self.count()))  # type: ignore[arg-type]
        return list(zip(res["ids"][0], res["documents"][0], res["metadatas"][0], strict=True))  # type: ignore[index]

    def _scoped_vector_search(self, emb: Any, k: int, doc_ids: set[str]) -> list[tuple[str, str, dict]]:
        """Nearest entries of a few documents: their vectors fetched by id (the BM25 index lists every
        vector entry of a document) and ranked here. A Chroma ``where`` filter on doc_id scans the
        metadata instead: ~0.5 s at 550k entries."""
        ids = [e["id"] for d in sorted(doc_ids) for e in self.bm25.entries(d) if e["meta"].get("chunk") != "row"]
        if not ids:
            return []
        got = self.collection.get(ids=ids, include=["embeddings", "documents", "metadatas"])  # type: ignore[list-item]
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        q = np.asarray(emb, dtype=np.float32)
        sims = vectors @ q / (np.linalg.norm(vectors, axis=1) * (np.linalg.norm(q) or 1.0) + 1e-12)
        order = np.argsort(-sims, kind="stable")[:k]
        return [(got["ids"][i], got["documents"][i], got["metadatas"][i]) for i in order]  # type: ignore[index]

    def search(self, query: str, k: int = 8, doc_ids: set[str] | None = None, depth: int = 30) -> list[Hit]:
        """Reciprocal rank fusion of the vector and BM25 rankings: score = Σ 1 / (60 + rank)."""
        hits: dict[str, Hit] = {}
        for rank, (cid, text, meta) in enumerate(self.vector_search(query, depth, doc_ids), start=1):
            hits[cid] = Hit(cid, text, dict(meta), ranks={"vector": rank})
        for rank, h in enumerate(self.bm25.search(query, depth, doc_ids), start=1):
            entry = self.bm25.entry(h.id) or {}
            hit = hits.setdefault(h.id, Hit(h.id, entry.get("text", ""), dict(entry.get("meta", {}))))
            hit.ranks["bm25"] = rank
        for hit in hits.values():
            hit.score = sum(1.0 / (RRF_K + r) for r in hit.ranks.values())
        return sorted(hits.values(), key=lambda h: -h.score)[:k]


_INDEXES: dict[tuple[str, str], SearchIndex] = {}
_LOCK = threading.Lock()


def get_index(home: Path, embedding: str | None = None) -> SearchIndex:
    spec = embedding or os.environ.get("BUDGETLENS_EMBEDDING") or "use"
    key = (str(home.resolve()), spec + "|" + os.environ.get("BUDGETLENS_CHROMA_URL", ""))
    with _LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = SearchIndex(home, spec)
        return _INDEXES[key]


def update_index(store: Store, doc_id: str) -> None:
    """Hook called by the store after an ingest or a correction: re-index that document.

    A failure is logged, not raised (the extraction is saved either way); the next search repairs
    the index through ``SearchIndex.sync``."""
    invalidate(store)
    try:
        index = get_index(Path(store.path).parent)
        doc = document(store, doc_id)
        if doc is None:
            index.remove_document(doc_id)
        else:
            index.index_document(store, doc)
    except Exception as exc:  # noqa: BLE001 - the index must never break an ingest
        log.warning("search index not updated for %s: %s (it is rebuilt on the next question)", doc_id[:8], exc)
