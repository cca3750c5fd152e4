"""The store: documents, extracted tables (as JSON) with a flat cell index, narrative lines, findings,
and the append-only corrections log. SQLite (WAL) under ``BUDGETLENS_HOME`` by default; PostgreSQL when
``BUDGETLENS_DB`` is a ``postgresql://`` URL (see ``extractor.db``).

A document is written in one transaction: a crash mid-document leaves nothing half-written.
Deleting leaves a tombstone (status ``deleted``) and keeps the corrections.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from extractor.db import FILE_NAME, Connection, connect, sqlite_connect
from extractor.terms import Term, document_terms
from schemas.findings import Correction, Finding
from schemas.records import NarrativeStatement
from schemas.tables import DocumentMeta, Table

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
  id TEXT PRIMARY KEY, file_name TEXT NOT NULL, org TEXT, year INTEGER, kind TEXT, source TEXT,
  page_count INTEGER, pages_ocr INTEGER, extractor_version TEXT, settings_hash TEXT,
  ingested_at TEXT, seconds REAL, status TEXT, errors TEXT, meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tables (
  doc_id TEXT, table_id TEXT, ordinal INTEGER, kind TEXT, title TEXT, status TEXT, pages TEXT, json TEXT,
  PRIMARY KEY (doc_id, table_id));
CREATE TABLE IF NOT EXISTS cells (
  doc_id TEXT, table_id TEXT, row_key TEXT, column_name TEXT, row_label TEXT, code TEXT, printed TEXT,
  value_kind TEXT, number TEXT, wan REAL, money_unit TEXT, page INTEGER, bbox TEXT, line_start INTEGER,
  line_end INTEGER, path TEXT, version INTEGER DEFAULT 0,
  PRIMARY KEY (doc_id, table_id, row_key, column_name));
CREATE INDEX IF NOT EXISTS cells_code ON cells(code);
CREATE TABLE IF NOT EXISTS narrative (doc_id TEXT, line_no INTEGER, page INTEGER, text TEXT, PRIMARY KEY (doc_id, line_no));
CREATE TABLE IF NOT EXISTS statements (doc_id TEXT, n INTEGER, subject TEXT, metric TEXT, json TEXT, PRIMARY KEY (doc_id, n));
CREATE TABLE IF NOT EXISTS findings (doc_id TEXT, id TEXT, rule_id TEXT, severity TEXT, json TEXT, PRIMARY KEY (doc_id, id));
CREATE TABLE IF NOT EXISTS corrections (
  id INTEGER PRIMARY KEY AUTOINCREMENT, doc_id TEXT, kind TEXT, author TEXT, created_at TEXT, json TEXT);
CREATE TABLE IF NOT EXISTS terms (doc_id TEXT, kind TEXT, value TEXT, code TEXT);
CREATE INDEX IF NOT EXISTS terms_doc ON terms(doc_id);
CREATE TABLE IF NOT EXISTS revisions (doc_id TEXT PRIMARY KEY, revision INTEGER);
"""
# Every write transaction bumps the store's revision (the row with doc_id '') and records it as the
# written document's revision: readers cache what they derive from the store (the engine's catalog,
# the search index's manifest) by these numbers instead of re-reading what they derived it from.
STORE_REVISION = ""


class DocumentNotFound(LookupError):
    pass


class Store:
    def __init__(self, path: Path, db: Connection | None = None, dialect: str = "sqlite"):
        """``path``: the SQLite file, and the data directory's anchor (its parent holds ``files/`` and the
        index); ``db``: an open connection to use instead (PostgreSQL, see ``open_store``)."""
        self.path = path
        self.dialect = dialect
        self.db: Connection = db if db is not None else sqlite_connect(path)
        self.db.executescript(SCHEMA)
        if self.db.execute("SELECT 1 FROM revisions WHERE doc_id=?", (STORE_REVISION,)).fetchone() is None:
            with self.transaction() as tx:  # only a new (or pre-revision) store takes the write lock here
                tx.execute("INSERT INTO revisions SELECT ?, 0 WHERE NOT EXISTS (SELECT 1 FROM revisions WHERE doc_id=?)",
                           (STORE_REVISION, STORE_REVISION))

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.db:  # commits, or rolls back on any exception
            yield self.db

    # --- revisions and terms ---
    def _bump(self, db: Connection, doc_id: str) -> None:
        """Called inside every write transaction (see ``STORE_REVISION``)."""
        db.execute("UPDATE revisions SET revision = revision + 1 WHERE doc_id=?", (STORE_REVISION,))  # atomic
        rev = db.execute("SELECT revision FROM revisions WHERE doc_id=?", (STORE_REVISION,)).fetchone()[0]
        db.execute("INSERT OR REPLACE INTO revisions VALUES (?,?)", (doc_id, rev))

    def revision(self) -> int:
        """The store's revision: it changes with every write, by any process."""
        row = self.db.execute("SELECT revision FROM revisions WHERE doc_id=?", (STORE_REVISION,)).fetchone()
        return row[0] if row else 0

    def document_revision(self, doc_id: str) -> int:
        row = self.db.execute("SELECT revision FROM revisions WHERE doc_id=?", (doc_id,)).fetchone()
        return row[0] if row else 0

    def document_revisions(self) -> dict[str, int]:
        """The revision of each document's last write (documents written before revisions existed are absent)."""
        return dict(self.db.execute("SELECT doc_id, revision FROM revisions WHERE doc_id != ?", (STORE_REVISION,)))

    def _write_terms(self, db: Connection, doc_id: str, org: str, tables: list[Table], has_narrative: bool) -> None:
        db.execute("DELETE FROM terms WHERE doc_id=?", (doc_id,))
        db.executemany("INSERT INTO terms VALUES (?,?,?,?)",
                       [(doc_id, t.kind, t.value, t.code) for t in document_terms(org, tables, has_narrative)])

    def _refresh_terms(self, db: Connection, doc_id: str) -> None:
        row = db.execute("SELECT org, file_name FROM documents WHERE id=?", (doc_id,)).fetchone()
        if row is None:
            return
        tables = [Table.model_validate_json(r[0]) for r in
                  db.execute("SELECT json FROM tables WHERE doc_id=? ORDER BY ordinal", (doc_id,))]
        has_narrative = db.execute("SELECT 1 FROM narrative WHERE doc_id=? LIMIT 1", (doc_id,)).fetchone() is not None
        self._write_terms(db, doc_id, row[0] or row[1], tables, has_narrative)

    def terms(self) -> list[tuple[str, Term]]:
        """(doc_id, term) of every live document, after writing those of documents stored before terms
        existed (a one-time migration; each such document's tables are read once)."""
        missing = [r[0] for r in self.db.execute(
            "SELECT id FROM documents WHERE status != 'deleted' AND id NOT IN (SELECT DISTINCT doc_id FROM terms)")]
        for start in range(0, len(missing), 200):
            with self.transaction() as db:
                for doc_id in missing[start:start + 200]:
                    self._refresh_terms(db, doc_id)
        rows = self.db.execute("SELECT t.doc_id, t.kind, t.value, t.code FROM terms t JOIN documents d ON d.id = t.doc_id "
                               "WHERE d.status != 'deleted'")
        return [(doc_id, Term(kind, value, code or "")) for doc_id, kind, value, code in rows]

    # --- documents ---
    def find_extraction(self, doc_id: str, version: str, settings_hash: str) -> DocumentMeta | None:
        row = self.db.execute("SELECT meta FROM documents WHERE id=? AND extractor_version=? AND settings_hash=? "
                              "AND status != 'deleted'", (doc_id, version, settings_hash)).fetchone()
        return DocumentMeta.model_validate_json(row[0]) if row else None

    def save_document(self, meta: DocumentMeta, tables: list[Table], narrative: list[tuple[int, int, str]],
                      findings: list[Finding] | None = None,
                      statements: list[NarrativeStatement] | None = None) -> None:
        with self.transaction() as db:
            for t in ("tables", "cells", "narrative", "findings", "statements"):
                db.execute(f"DELETE FROM {t} WHERE doc_id=?", (meta.id,))
            db.execute("INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
                meta.id, meta.file_name, meta.org, meta.year, meta.kind.value, meta.source.value, meta.page_count,
                meta.pages_ocr, meta.extractor_version, meta.settings_hash,
                (meta.ingested_at or datetime.now(UTC)).isoformat(), meta.seconds, meta.status,
                json.dumps(meta.errors, ensure_ascii=False), meta.model_dump_json()))
            for n, table in enumerate(tables):
                self._write_table(db, table, n)
            db.executemany("INSERT OR REPLACE INTO narrative VALUES (?,?,?,?)",
                           [(meta.id, ln, pg, text) for ln, pg, text in narrative])
            self._write_findings(db, meta.id, findings or [])
            db.executemany("INSERT INTO statements VALUES (?,?,?,?,?)",
                           [(meta.id, n, st.subject, st.metric, st.model_dump_json())
                            for n, st in enumerate(statements or [])])
            self._write_terms(db, meta.id, meta.org or meta.file_name, tables, bool(narrative))
            self._bump(db, meta.id)

    def _write_table(self, db: Connection, table: Table, ordinal: int) -> None:
        db.execute("INSERT OR REPLACE INTO tables VALUES (?,?,?,?,?,?,?,?)", (
            table.doc_id, table.id, ordinal, table.kind.value, table.title, table.status.value,
            json.dumps(table.pages), table.model_dump_json()))
        db.execute("DELETE FROM cells WHERE doc_id=? AND table_id=?", (table.doc_id, table.id))
        rows = []
        for r in table.rows:
            for c in r.cells:
                if not c.value.printed.strip():
                    continue
                p = c.provenance
                rows.append((table.doc_id, table.id, r.key, c.column, r.label, r.code, c.value.printed,
                             c.value.kind.value, None if c.value.number is None else str(c.value.number),
                             None if c.value.wan is None else float(c.value.wan),
                             c.value.money_unit.value if c.value.money_unit else None, p.page,
                             json.dumps(p.bbox) if p.bbox else None, p.line_start, p.line_end, p.path.value))
        db.executemany("INSERT OR REPLACE INTO cells (doc_id, table_id, row_key, column_name, row_label, code, "
                       "printed, value_kind, number, wan, money_unit, page, bbox, line_start, line_end, path) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)

    def replace_table(self, table: Table) -> None:
        with self.transaction() as db:
            ordinal = db.execute("SELECT ordinal FROM tables WHERE doc_id=? AND table_id=?",
                                 (table.doc_id, table.id)).fetchone()
            self._write_table(db, table, ordinal[0] if ordinal else 999)
            self._refresh_terms(db, table.doc_id)
            self._bump(db, table.doc_id)

    def save_tables(self, doc_id: str, tables: list[Table]) -> None:
        """Rewrite a document's tables in order (after a merge or split changes which tables exist)."""
        with self.transaction() as db:
            db.execute("DELETE FROM tables WHERE doc_id=?", (doc_id,))
            db.execute("DELETE FROM cells WHERE doc_id=?", (doc_id,))
            for n, table in enumerate(tables):
                self._write_table(db, table, n)
            self._refresh_terms(db, doc_id)
            self._bump(db, doc_id)

    def documents(self, include_deleted: bool = False) -> list[DocumentMeta]:
        q = "SELECT meta, status FROM documents" + ("" if include_deleted else " WHERE status != 'deleted'")
        out = []
        for meta, status in self.db.execute(q + " ORDER BY file_name"):
            m = DocumentMeta.model_validate_json(meta)
            m.status = status
            out.append(m)
        return out

    def resolve(self, ref: str) -> DocumentMeta:
        """DOC = a content-hash prefix or the original file name."""
        docs = self.documents()
        hits = [d for d in docs if d.id.startswith(ref) or d.file_name == ref]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            names = ", ".join(f"{d.id[:8]} {d.file_name}" for d in docs) or "none ingested yet"
            raise DocumentNotFound(f"no document matches '{ref}'. Known: {names}")
        raise DocumentNotFound(f"'{ref}' matches {len(hits)} documents; give a longer hash prefix")

    def tables(self, doc_id: str) -> list[Table]:
        rows = self.db.execute("SELECT json FROM tables WHERE doc_id=? ORDER BY ordinal", (doc_id,))
        return [Table.model_validate_json(r[0]) for r in rows]

    def table(self, doc_id: str, table_id: str) -> Table | None:
        row = self.db.execute("SELECT json FROM tables WHERE doc_id=? AND table_id=?", (doc_id, table_id)).fetchone()
        return Table.model_validate_json(row[0]) if row else None

    def narrative(self, doc_id: str) -> list[tuple[int, int, str]]:
        return list(self.db.execute("SELECT line_no, page, text FROM narrative WHERE doc_id=? ORDER BY line_no",
                                    (doc_id,)))

    def statements(self, doc_id: str) -> list[NarrativeStatement]:
        rows = self.db.execute("SELECT json FROM statements WHERE doc_id=? ORDER BY n", (doc_id,))
        return [NarrativeStatement.model_validate_json(r[0]) for r in rows]

    def mark_deleted(self, doc_id: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE documents SET status='deleted' WHERE id=?", (doc_id,))
            self._bump(db, doc_id)

    # --- findings ---
    def _write_findings(self, db: Connection, doc_id: str, findings: list[Finding]) -> None:
        db.execute("DELETE FROM findings WHERE doc_id=?", (doc_id,))
        db.executemany("INSERT OR REPLACE INTO findings VALUES (?,?,?,?,?)",
                       [(doc_id, f.id, f.rule_id, f.severity.value, f.model_dump_json()) for f in findings])

    def save_findings(self, doc_id: str, findings: list[Finding]) -> None:
        with self.transaction() as db:
            self._write_findings(db, doc_id, findings)
            self._bump(db, doc_id)

    def findings(self, doc_id: str | None = None) -> list[Finding]:
        q, args = ("SELECT json FROM findings WHERE doc_id=?", (doc_id,)) if doc_id else ("SELECT json FROM findings", ())
        return [Finding.model_validate_json(r[0]) for r in self.db.execute(q, args)]

    # --- corrections (append-only) ---
    def append_correction(self, c: Correction) -> Correction:
        c = c.model_copy(update={"created_at": c.created_at or datetime.now(UTC)})
        assert c.created_at is not None
        with self.transaction() as db:
            cur = db.execute("INSERT INTO corrections (doc_id, kind, author, created_at, json) VALUES (?,?,?,?,?)",
                             (c.doc_id, c.kind.value, c.author, c.created_at.isoformat(), c.model_dump_json()))
            c = c.model_copy(update={"id": cur.lastrowid})
            db.execute("UPDATE corrections SET json=? WHERE id=?", (c.model_dump_json(), c.id))
            self._bump(db, c.doc_id)
        return c

    def append_cell_correction(self, c: Correction, expected_version: int | None) -> Correction:
        """Append a cell correction only if the cell is still at ``expected_version`` (the number of
        earlier cell corrections), checked and written under one write lock: no lost update across
        processes. Raises ``EditConflict``."""
        from schemas.findings import EditConflict

        assert c.cell is not None
        c = c.model_copy(update={"created_at": c.created_at or datetime.now(UTC)})
        assert c.created_at is not None
        if self.db.in_transaction:
            self.db.commit()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            rows = self.db.execute("SELECT json FROM corrections WHERE doc_id=? AND kind=?",
                                   (c.doc_id, c.kind.value)).fetchall()
            current = sum(1 for (j,) in rows if Correction.model_validate_json(j).cell == c.cell)
            if expected_version is not None and expected_version != current:
                raise EditConflict(f"{c.cell} was changed by another reviewer (version {current}, you loaded "
                                   f"{expected_version}); reload to see their value")
            cur = self.db.execute("INSERT INTO corrections (doc_id, kind, author, created_at, json) VALUES (?,?,?,?,?)",
                                  (c.doc_id, c.kind.value, c.author, c.created_at.isoformat(), "{}"))
            c = c.model_copy(update={"id": cur.lastrowid, "base_version": current})
            self.db.execute("UPDATE corrections SET json=? WHERE id=?", (c.model_dump_json(), c.id))
            self._bump(self.db, c.doc_id)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return c

    def corrections(self, doc_id: str | None = None) -> list[Correction]:
        q, args = (("SELECT json FROM corrections WHERE doc_id=? ORDER BY id", (doc_id,)) if doc_id
                   else ("SELECT json FROM corrections ORDER BY id", ()))
        return [Correction.model_validate_json(r[0]) for r in self.db.execute(q, args)]


def open_store(home: Path, url: str | None = None) -> Store:
    """The store of data directory ``home``: PostgreSQL when ``url`` (default ``BUDGETLENS_DB``) is set."""
    db, dialect = connect(home, url)
    return Store(home / FILE_NAME, db, dialect)
