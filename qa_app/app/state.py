"""The store connection (one per BUDGETLENS_HOME) and cached reads.

Reads are cached with ``st.cache_data`` keyed by document id + a revision token made of the
document's ingest time, status and correction count, so a correction or a re-ingest shows at once
and nothing else is re-read. Writes from the app go through ``write_lock()`` so the optimistic
version check and the append are atomic across browser sessions.
"""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from extractor.config import home
from extractor.store import Store, open_store
from schemas.findings import Correction, Finding
from schemas.tables import DocumentMeta, Table


def home_dir() -> Path:
    return home()


@st.cache_resource(show_spinner=False)
def _store(home_str: str) -> Store:
    return open_store(Path(home_str))


@st.cache_resource(show_spinner=False)
def _lock(home_str: str) -> threading.Lock:
    return threading.Lock()


def store() -> Store:
    return _store(str(home_dir()))


def write_lock() -> threading.Lock:
    return _lock(str(home_dir()))


def store_revision() -> str:
    """Changes whenever a document is ingested, re-ingested, deleted or corrected."""
    db = store().db
    docs = db.execute("SELECT count(*), max(ingested_at), group_concat(status) FROM documents").fetchone()
    corr = db.execute("SELECT count(*) FROM corrections").fetchone()
    return f"{docs[0]}|{docs[1]}|{hash(docs[2] or '')}|{corr[0]}"


def doc_revision(doc_id: str) -> str:
    db = store().db
    row = db.execute("SELECT ingested_at, status FROM documents WHERE id=?", (doc_id,)).fetchone()
    n = db.execute("SELECT count(*) FROM corrections WHERE doc_id=?", (doc_id,)).fetchone()[0]
    return f"{row[0] if row else ''}|{row[1] if row else ''}|{n}"


@st.cache_data(show_spinner=False, max_entries=32)
def _documents(home_str: str, rev: str) -> list[DocumentMeta]:
    return _store(home_str).documents()


@st.cache_data(show_spinner=False, max_entries=64)
def _tables(home_str: str, doc_id: str, rev: str) -> list[Table]:
    return _store(home_str).tables(doc_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _findings(home_str: str, doc_id: str, rev: str) -> list[Finding]:
    return _store(home_str).findings(doc_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _corrections(home_str: str, doc_id: str, rev: str) -> list[Correction]:
    return _store(home_str).corrections(doc_id)


@st.cache_data(show_spinner=False, max_entries=64)
def _table_list(home_str: str, doc_id: str, rev: str) -> list[tuple[str, str, str, str]]:
    rows = _store(home_str).db.execute("SELECT table_id, title, kind, status FROM tables WHERE doc_id=? ORDER BY ordinal",
                                       (doc_id,))
    return [tuple(r) for r in rows]


@st.cache_data(show_spinner=False, max_entries=256)
def _table(home_str: str, doc_id: str, table_id: str, rev: str) -> Table | None:
    return _store(home_str).table(doc_id, table_id)


def documents() -> list[DocumentMeta]:
    return _documents(str(home_dir()), store_revision())


def tables(doc_id: str) -> list[Table]:
    return _tables(str(home_dir()), doc_id, doc_revision(doc_id))


def table_list(doc_id: str) -> list[tuple[str, str, str, str]]:
    """(table_id, title, kind, status) in print order, without loading the tables."""
    return _table_list(str(home_dir()), doc_id, doc_revision(doc_id))


def table(doc_id: str, table_id: str) -> Table | None:
    return _table(str(home_dir()), doc_id, table_id, doc_revision(doc_id))


def derived(fn, doc_id: str):  # noqa: ANN001, ANN201 - fn(tables) -> small picklable result
    """``fn(tables)`` cached by document revision: pages that need a summary never unpickle every table."""
    return _derived(str(home_dir()), doc_id, doc_revision(doc_id), fn.__module__, fn.__qualname__)


@st.cache_data(show_spinner=False, max_entries=256)
def _derived(home_str: str, doc_id: str, rev: str, module: str, name: str):  # noqa: ANN202
    import importlib

    fn = getattr(importlib.import_module(module), name)
    return fn(_tables(home_str, doc_id, rev))


def findings(doc_id: str) -> list[Finding]:
    return _findings(str(home_dir()), doc_id, doc_revision(doc_id))


def corrections(doc_id: str) -> list[Correction]:
    return _corrections(str(home_dir()), doc_id, doc_revision(doc_id))


def doc_label(meta: DocumentMeta) -> str:
    """Plain text (for select options): org, year, file name."""
    who = " ".join(str(x) for x in (meta.org, meta.year) if x)
    return f"{who} · {meta.file_name}" if who else meta.file_name
