"""The store's database connection: SQLite (WAL) under ``BUDGETLENS_HOME`` by default, PostgreSQL when
``BUDGETLENS_DB`` is a ``postgresql://`` URL (for teams that outgrow one machine).

The store and its readers write one SQL dialect — SQLite's: ``?`` placeholders and ``INSERT OR REPLACE``.
``PgConnection`` translates those two forms (and nothing else), so the queries stay in one place and
the embedded default pays nothing. It offers the small part of ``sqlite3.Connection`` the code uses:
``execute``/``executemany``/``executescript``, ``with conn:`` as a transaction, ``in_transaction``,
``commit``, ``close``, and ``cursor.lastrowid`` after an INSERT into a table with an ``id`` column.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

ENV = "BUDGETLENS_DB"
FILE_NAME = "budgetlens.sqlite"

# Primary keys of the tables written with INSERT OR REPLACE (PostgreSQL needs the conflict target).
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "documents": ("id",), "tables": ("doc_id", "table_id"), "cells": ("doc_id", "table_id", "row_key", "column_name"),
    "narrative": ("doc_id", "line_no"), "statements": ("doc_id", "n"), "findings": ("doc_id", "id"),
    "llm_cache": ("key",), "revisions": ("doc_id",),
}
_REPLACE = re.compile(r"^\s*INSERT\s+OR\s+REPLACE\s+INTO\s+(\w+)\s*(\(([^)]*)\))?\s*VALUES", re.I | re.S)
_TABLE_COLUMNS = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\);", re.S)


class Connection(Protocol):
    """What the store uses of a connection: ``sqlite3.Connection`` and ``PgConnection`` both fit."""

    @property
    def in_transaction(self) -> bool: ...
    def execute(self, sql: str, params: Any = ..., /) -> Any: ...
    def executemany(self, sql: str, rows: Any, /) -> Any: ...
    def executescript(self, script: str, /) -> Any: ...
    def commit(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Any: ...
    def __exit__(self, exc_type: Any, exc: Any, tb: Any, /) -> Any: ...


def database_url() -> str | None:
    url = os.environ.get(ENV, "").strip()
    return url or None


def connect(home: Path, url: str | None = None) -> tuple[Connection, str]:
    """(connection, dialect) for ``url`` (default ``BUDGETLENS_DB``), else the SQLite file under ``home``."""
    url = url if url is not None else database_url()
    if url and url.startswith(("postgresql://", "postgres://")):
        return PgConnection(url), "postgresql"
    if url:
        raise ValueError(f"{ENV} must be a postgresql:// URL (got {url.split(':', 1)[0]}:...); "
                         "leave it unset for the embedded SQLite store")
    return sqlite_connect(home / FILE_NAME), "sqlite"


def sqlite_connect(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=30, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def to_postgres(sql: str, columns: dict[str, list[str]]) -> str:
    """SQLite's ``?`` → ``%s``; ``INSERT OR REPLACE INTO t [(cols)] VALUES`` → an upsert on t's key."""
    sql = sql.replace("%", "%%").replace("?", "%s")
    m = _REPLACE.match(sql)
    if not m:
        return sql
    table = m.group(1)
    key = PRIMARY_KEYS[table]
    cols = [c.strip() for c in m.group(3).split(",")] if m.group(3) else columns[table]
    updates = ", ".join(f"{c}=EXCLUDED.{c}" for c in cols if c not in key)
    head = f"INSERT INTO {table} ({', '.join(cols)}) VALUES"
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return head + sql[m.end():] + f" ON CONFLICT ({', '.join(key)}) {action}"


def schema_columns(script: str) -> dict[str, list[str]]:
    """Column names per table of a ``CREATE TABLE IF NOT EXISTS`` script (for upserts without a column list)."""
    out = {}
    for table, body in _TABLE_COLUMNS.findall(script):
        cols = []
        for part in re.split(r",(?![^()]*\))", body):
            word = part.strip().split()[0] if part.strip() else ""
            if word and word.upper() not in ("PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"):
                cols.append(word)
        out[table] = cols
    return out


def postgres_script(script: str) -> str:
    """SQLite DDL → PostgreSQL: autoincrement ids, REAL as double precision."""
    return (script.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY")
            .replace(" REAL", " DOUBLE PRECISION"))


class _PgCursor:
    def __init__(self, cur: Any, lastrowid: int | None = None):
        self._cur = cur
        self.lastrowid = lastrowid

    def fetchone(self) -> Any:
        return self._cur.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cur.fetchall()

    def __iter__(self) -> Any:
        return iter(self._cur)


class PgConnection:
    """A psycopg connection speaking the store's SQLite dialect (see the module doc)."""

    def __init__(self, url: str):
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError("PostgreSQL needs psycopg: pip install 'budgetlens[postgres]'") from exc
        self._pg = psycopg.connect(url, autocommit=True)
        self.columns: dict[str, list[str]] = {}
        self._depth = 0

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> _PgCursor:
        stripped = sql.strip().upper()
        if stripped.startswith("PRAGMA"):
            return _PgCursor(self._pg.cursor())
        if stripped == "BEGIN IMMEDIATE":  # SQLite's write lock up front: the same for the corrections log
            self._begin()
            self._pg.execute("LOCK TABLE corrections IN SHARE ROW EXCLUSIVE MODE")
            return _PgCursor(self._pg.cursor())
        if stripped in ("COMMIT", "ROLLBACK"):
            self._end(stripped == "COMMIT")
            return _PgCursor(self._pg.cursor())
        text = to_postgres(sql, self.columns)
        insert_id = stripped.startswith("INSERT INTO CORRECTIONS")
        cur = self._pg.execute(text + (" RETURNING id" if insert_id else ""), tuple(params))
        row = cur.fetchone() if insert_id else None
        return _PgCursor(cur, row[0] if row else None)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> None:
        batch = [tuple(r) for r in rows]
        if batch:
            with self._pg.cursor() as cur:
                cur.executemany(to_postgres(sql, self.columns), batch)

    def executescript(self, script: str, /) -> None:
        self.columns.update(schema_columns(script))
        for statement in postgres_script(script).split(";"):
            if statement.strip():
                self._pg.execute(statement)

    def _begin(self) -> None:
        if self._depth == 0:
            self._pg.execute("BEGIN")
        self._depth += 1

    def _end(self, ok: bool) -> None:
        if self._depth == 0:
            return
        self._depth -= 1
        if self._depth == 0:
            self._pg.execute("COMMIT" if ok else "ROLLBACK")

    def commit(self) -> None:
        while self._depth:
            self._end(True)

    def __enter__(self) -> PgConnection:
        self._begin()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None, /) -> None:
        self._end(exc_type is None)

    def close(self) -> None:
        self._pg.close()
