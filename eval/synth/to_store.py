"""Synthetic documents written straight into a store (no files to ingest), and a bulk index build.

``write_store(store, n, seed)`` generates the same n documents as ``write_corpus(dir, n, seed)``
(same kinds, units and defects), maps each with the real extractor (``load_text`` →
``extract_tables`` → ``validate_tables`` → ``parse_statements``, as ``ingest_file`` does) and saves
it with ``Store.save_document``, one transaction per batch, without touching the search index.
Measured on 2 shared cores: ~180 ms of CPU per document (extract ~110, validate ~40, generate ~12,
save ~20), so 10,000 documents take ~15 min with ``workers=2`` (each worker writes its own batches).
Building ``Table`` objects from the truth instead would skip the mapping the store is meant to hold
(row labels, codes, roles and levels are the extractor's), so it is not done.

``build_index_from_store(store)`` builds the search index (Chroma + BM25 + manifest) the way
``SearchIndex.sync`` would, but in bulk: documents are streamed from the store (the engine's catalog
is never loaded), BM25 is written once instead of once per document, and vectors are inserted in
large batches. ``real_ids`` limits real embeddings to some documents; the others reuse real vectors
of another document of the same kind (chunk by chunk, with a little noise): the index then has the
size and the kind of neighbours of a fully embedded one at a fraction of the cost (USE embeds ~70
chunks/s on 2 cores, a document has ~53 vector chunks).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from eval.synth.corpus import generate
from eval.synth.model import DefectSpec, SynthDoc
from extractor.paragraphs import narrative_paragraphs
from extractor.store import Store

Progress = Callable[[int, int], None]


class Job(NamedTuple):
    position: int  # in the corpus (0-based)
    seed: int
    kind: str
    units: int
    defects: dict[str, int] | None


def corpus_jobs(n: int, seed: int = 0, *, kind_mix: dict[str, float] | None = None, defect_rate: float = 0.3,
                max_units: int = 4) -> list[Job]:
    """The documents ``write_corpus(dir, n, seed, ...)`` writes, drawn the same way."""
    mix = kind_mix or {"budget": 0.5, "final_accounts": 0.5}
    kinds, weights = list(mix), list(mix.values())
    rng = random.Random(f"corpus/{seed}")
    jobs = []
    for i in range(n):
        kind = rng.choices(kinds, weights)[0]
        units = rng.randint(2, max_units) if max_units > 1 and rng.random() < 0.25 else 1
        spec = None
        if rng.random() < defect_rate:
            fields = list(DefectSpec.model_fields)
            spec = {f: 1 for f in rng.sample(fields, rng.randint(1, 3))}
        jobs.append(Job(i, seed * 100_000 + i, kind, units, spec))
    return jobs


def synth_doc(job: Job) -> SynthDoc:
    return generate(job.seed, job.kind, n_units=job.units,  # type: ignore[arg-type]
                    defects=DefectSpec(**job.defects) if job.defects else None)


class Record(NamedTuple):
    meta: Any  # DocumentMeta
    tables: list
    narrative: list[tuple[int, int, str]]
    findings: list | None
    statements: list
    text: str


def document_record(doc: SynthDoc, *, validate: bool = True) -> Record:
    """What ``ingest_file`` would save for ``<doc.name>.txt`` (same id: the content hash)."""
    from extractor.config import EXTRACTOR_VERSION, ExtractionSettings
    from extractor.extract import document_identity, extract_tables
    from extractor.load_text import load_text
    from extractor.narrative import parse_statements
    from extractor.pipeline import content_hash, validate_tables
    from schemas.tables import DocumentMeta

    start = time.perf_counter()
    data = doc.text.encode("utf-8")
    doc_id = content_hash(data)
    loaded = load_text(data, doc_id, f"{doc.name}.txt")
    tables, seg = extract_tables(loaded)
    findings: list | None = []
    if validate:
        try:
            findings = validate_tables(tables, doc_id)
        except Exception:  # noqa: BLE001 - a broken validator must not stop a store build; counted
            findings = None
    org, year, kind = document_identity(seg, tables)
    narrative = narrative_paragraphs(seg)
    statements = parse_statements(doc_id, narrative, loaded.source)
    meta = DocumentMeta(
        id=doc_id, file_name=f"{doc.name}.txt", org=org, year=year, kind=kind, source=loaded.source,
        page_count=len(loaded.pages), pages_ocr=0, extractor_version=EXTRACTOR_VERSION,
        settings_hash=ExtractionSettings().digest(), ingested_at=datetime.now(UTC),
        seconds=round(time.perf_counter() - start, 3), status="partial" if loaded.errors else "ok",
        errors=loaded.errors)
    return Record(meta, tables, narrative, findings, statements, doc.text)  # findings None: validation failed


class _BatchStore(Store):
    """A store whose ``save_document`` does not commit: the caller commits one batch at once."""

    @contextmanager
    def transaction(self):  # type: ignore[override]
        yield self.db


@dataclass
class WriteStats:
    documents: int = 0
    seconds: float = 0.0
    compute_seconds: float = 0.0  # generate + map + validate, summed over workers
    write_seconds: float = 0.0  # SQLite, summed over workers
    workers: int = 1
    db_mb: float = 0.0
    validation_failures: int = 0  # documents saved without findings because the validator raised

    @property
    def docs_per_s(self) -> float:
        return round(self.documents / self.seconds, 2) if self.seconds else 0.0

    def as_dict(self) -> dict:
        return {"documents": self.documents, "seconds": round(self.seconds, 1), "docs_per_s": self.docs_per_s,
                "cpu_ms_per_doc": {"generate_map_validate": round(1000 * self.compute_seconds / max(self.documents, 1), 1),
                                   "save": round(1000 * self.write_seconds / max(self.documents, 1), 1)},
                "workers": self.workers, "db_mb": self.db_mb, "validation_failures": self.validation_failures}


def _write_batch(args: tuple[str, list[Job], bool, bool]) -> tuple[int, float, float, int]:
    path, jobs, validate, files = args
    t0 = time.perf_counter()
    records = [document_record(synth_doc(j), validate=validate) for j in jobs]
    t1 = time.perf_counter()
    if files:
        folder = Path(path).parent / "files"
        folder.mkdir(parents=True, exist_ok=True)
        for r in records:
            (folder / f"{r.meta.id}.txt").write_text(r.text, encoding="utf-8")
    store = _BatchStore(Path(path))
    try:
        with store.db:  # one transaction for the batch
            for r in records:
                store.save_document(r.meta, r.tables, r.narrative, r.findings or [], r.statements)
    finally:
        store.close()
    return len(jobs), t1 - t0, time.perf_counter() - t1, sum(1 for r in records if r.findings is None)


def _batches(jobs: list[Job], size: int) -> Iterable[list[Job]]:
    for i in range(0, len(jobs), size):
        yield jobs[i:i + size]


def write_store(store: Store, n: int, seed: int = 0, workers: int = 1, progress: Progress | None = None, *,
                batch: int = 32, validate: bool = True, files: bool = True, kind_mix: dict[str, float] | None = None,
                defect_rate: float = 0.3, max_units: int = 4, start: int = 0) -> WriteStats:
    """Generate documents ``start..n-1`` of the corpus (n, seed) and save them in ``store``.

    ``files``: also write ``<home>/files/<id>.txt`` as ``ingest_file`` does (the engine reads the
    original lines of text inputs). The search index is not touched (see ``build_index_from_store``).
    """
    jobs = corpus_jobs(n, seed, kind_mix=kind_mix, defect_rate=defect_rate, max_units=max_units)[start:]
    stats = WriteStats(workers=max(1, workers))
    t0 = time.perf_counter()
    path = str(store.path)
    if store.db.in_transaction:
        store.db.commit()
    tasks = [(path, b, validate, files) for b in _batches(jobs, batch)]
    done = 0
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results: Iterable[tuple[int, float, float, int]] = pool.map(_write_batch, tasks)
            for k, c, w, f in results:
                done += k
                stats.validation_failures += f
                stats.compute_seconds += c
                stats.write_seconds += w
                if progress:
                    progress(done, len(jobs))
    else:
        for t in tasks:
            k, c, w, f = _write_batch(t)
            done += k
            stats.validation_failures += f
            stats.compute_seconds += c
            stats.write_seconds += w
            if progress:
                progress(done, len(jobs))
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stats.documents = done
    stats.seconds = time.perf_counter() - t0
    stats.db_mb = round(os.path.getsize(store.path) / 2**20, 1)
    return stats


# --- the search index, in bulk ------------------------------------------------------------------
@dataclass
class IndexStats:
    documents: int = 0
    vector_entries: int = 0
    bm25_entries: int = 0
    embedded: int = 0  # chunks embedded by the model (the rest reused real vectors)
    seconds: dict[str, float] = field(default_factory=dict)  # per phase
    bm25: bool = True

    def as_dict(self) -> dict:
        total = sum(self.seconds.values())
        return {"documents": self.documents, "vector_entries": self.vector_entries, "bm25_entries": self.bm25_entries,
                "embedded": self.embedded, "borrowed_vectors": self.vector_entries - self.embedded,
                "bm25_built": self.bm25, "seconds": {k: round(v, 1) for k, v in self.seconds.items()},
                "total_seconds": round(total, 1)}


class _DocChunks(NamedTuple):
    doc_id: str
    kind: str  # the document kind (borrowing pairs documents of the same kind)
    version: str
    vec: list[tuple[str, str, str, dict]]  # (chunk id, text, embed text, meta) for Chroma
    bm25: list[dict]  # the BM25 entries, tokenised


def _doc_chunks(args: tuple[str, list[str], bool]) -> list[_DocChunks]:
    """Worker: load documents from the store, chunk them (and tokenise for BM25)."""
    from extractor.records import records_from_tables
    from qa_app.engine.bm25 import tokenize
    from qa_app.engine.catalog import DocData
    from qa_app.engine.chunks import document_chunks
    from qa_app.index import doc_version
    from schemas.tables import DocumentMeta

    path, ids, bm25 = args
    store = Store(Path(path))
    out = []
    try:
        revisions = store.document_revisions()
        for doc_id in ids:
            row = store.db.execute("SELECT meta, status FROM documents WHERE id=?", (doc_id,)).fetchone()
            meta = DocumentMeta.model_validate_json(row[0])
            meta.status = row[1]
            tables = store.tables(doc_id)
            doc = DocData(meta=meta, tables=tables, narrative=store.narrative(doc_id), records=records_from_tables(tables))
            chunks = document_chunks(doc)
            vec = [(c.id, c.text, c.embed_text, c.meta) for c in chunks if c.kind != "row"]
            entries = ([{"id": c.id, "text": c.text, "meta": c.meta, "tokens": tokenize(c.text)} for c in chunks]
                       if bm25 else [])
            out.append(_DocChunks(doc_id, meta.kind.value, doc_version(doc, revisions.get(doc_id, 0)), vec, entries))
    finally:
        store.close()
    return out


def _chunked(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def build_index_from_store(store: Store, limit: int | None = None, *, embedding: str | None = None,
                           real_ids: set[str] | None = None, bm25: bool = True, workers: int = 1,
                           cache: dict[str, Any] | None = None, progress: Progress | None = None,
                           order: list[str] | None = None) -> IndexStats:
    """Index the store's live documents (the first ``limit`` of ``order``, default all) into the
    search index under the store's home, replacing what it held.

    ``real_ids``: documents embedded by the model (None: all); the others get the vectors of a
    real document of the same kind (chunk i of each chunk kind ↔ chunk i mod m of the same kind),
    plus noise of 1 % of the vector norm. ``bm25=False`` leaves BM25 (and the manifest) out: the
    vector side alone. ``cache``: text → vector, shared between builds (e.g. a 1k and a 10k store
    that share their first documents).
    """
    import numpy as np

    from qa_app.index import get_index

    stats = IndexStats(bm25=bm25)
    t = time.perf_counter()
    ids = order or [r[0] for r in store.db.execute("SELECT id FROM documents WHERE status != 'deleted' ORDER BY rowid")]
    ids = ids[:limit] if limit is not None else ids
    index = get_index(Path(store.path).parent, embedding)
    with index.write_lock():
        client = index.client
        client.delete_collection(index.name)
        index.collection = client.get_or_create_collection(name=index.name, embedding_function=index.ef,  # type: ignore[arg-type]
                                                           metadata={"hnsw:space": "cosine"})
        stats.seconds["reset"] = time.perf_counter() - t

        # 1. chunks (+ BM25 tokens), in worker processes
        t = time.perf_counter()
        parts = [(str(store.path), part, bm25) for part in _chunked(ids, 25)]
        docs: list[_DocChunks] = []
        if workers > 1:
            with ProcessPoolExecutor(workers) as pool:
                for got in pool.map(_doc_chunks, parts):
                    docs += got
                    if progress:
                        progress(len(docs), len(ids))
        else:
            for p in parts:
                docs += _doc_chunks(p)
                if progress:
                    progress(len(docs), len(ids))
        stats.seconds["chunk_tokenize"] = time.perf_counter() - t

        # 2. vectors: the real ones, then the borrowed ones
        t = time.perf_counter()
        cache = {} if cache is None else cache
        real = [d for d in docs if real_ids is None or d.doc_id in real_ids] or docs  # nothing to borrow from
        todo = list(dict.fromkeys(e for d in real for _, _, e, _ in d.vec if e not in cache))
        for part in _chunked(todo, 512):
            cache.update(zip(part, (np.asarray(v, dtype=np.float32) for v in index.ef(part)), strict=True))
        stats.embedded = sum(len(d.vec) for d in real)
        stats.seconds["embed"] = time.perf_counter() - t

        t = time.perf_counter()
        pools: dict[str, list[_DocChunks]] = {}
        for d in real:
            pools.setdefault(d.kind, []).append(d)
        rng = np.random.default_rng(0)
        ids_b: list[str] = []
        texts_b: list[str] = []
        vecs_b: list = []
        metas_b: list[dict] = []

        def flush() -> None:
            if ids_b:
                index.collection.add(ids=list(ids_b), documents=list(texts_b), embeddings=np.stack(vecs_b),  # type: ignore[arg-type]
                                     metadatas=list(metas_b))  # type: ignore[arg-type]
                for b in (ids_b, texts_b, vecs_b, metas_b):
                    b.clear()

        n_borrowed = 0
        real_set = {d.doc_id for d in real}
        for d in docs:
            if d.doc_id in real_set:
                vecs = [cache[e] for _, _, e, _ in d.vec]
            else:
                donors = pools.get(d.kind) or [x for v in pools.values() for x in v]
                src = donors[n_borrowed % len(donors)]
                n_borrowed += 1
                by_kind: dict[str, list] = {}
                for _, _, e, m in src.vec:
                    by_kind.setdefault(str(m.get("chunk")), []).append(cache[e])
                seen: dict[str, int] = {}
                vecs = []
                for _, _, _, m in d.vec:
                    k = str(m.get("chunk"))
                    cands = by_kind.get(k) or [cache[e] for _, _, e, _ in src.vec]
                    v = cands[seen.get(k, 0) % len(cands)]
                    seen[k] = seen.get(k, 0) + 1
                    noise = rng.normal(0, 0.01 / np.sqrt(v.size), v.size).astype(np.float32) * float(np.linalg.norm(v))
                    vecs.append(v + noise)
            for (cid, text, _, meta), v in zip(d.vec, vecs, strict=True):
                ids_b.append(cid)
                texts_b.append(text)
                vecs_b.append(v)
                metas_b.append(meta)
                if len(ids_b) >= 2000:
                    flush()
        flush()
        stats.vector_entries = sum(len(d.vec) for d in docs)
        stats.seconds["chroma_add"] = time.perf_counter() - t

        # 3. BM25 (written once) and the manifest
        t = time.perf_counter()
        if bm25:
            index.bm25.clear()
            index.bm25.put_many((d.doc_id, d.bm25) for d in docs)
            index._save_manifest({d.doc_id: d.version for d in docs})  # the next sync checks them once
            stats.bm25_entries = sum(len(d.bm25) for d in docs)
        stats.seconds["bm25_manifest"] = time.perf_counter() - t
    stats.documents = len(docs)
    return stats
