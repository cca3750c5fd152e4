"""Helpers for the QA tests: the corpus location, ingesting into a home, finding a document."""

from __future__ import annotations

from pathlib import Path

from extractor.pipeline import TEXT_SUFFIXES, ingest_file
from extractor.store import Store, open_store

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def ingest(home: Path, names: list[str] | None = None) -> None:
    (home / "files").mkdir(parents=True, exist_ok=True)
    store = open_store(home)
    for f in sorted(CORPUS.iterdir()):
        if f.suffix.lower() in TEXT_SUFFIXES and (names is None or f.name in names):
            result = ingest_file(f, store, home)  # the store's hook indexes it (Chroma + BM25)
            assert result.error is None, result.error
    store.close()


def doc_id(store: Store, name_part: str) -> str:
    return next(d.id for d in store.documents() if name_part in d.file_name)
