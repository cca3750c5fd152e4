"""Answers keyed by (prompt hash incl. table text, schema version, model): re-ingesting does not call the LLM again."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class LLMCache:
    def __init__(self, path: Path):
        self.db = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS llm_cache (key TEXT PRIMARY KEY, output TEXT)")

    def get(self, key: str) -> str | None:
        row = self.db.execute("SELECT output FROM llm_cache WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, output: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO llm_cache VALUES (?,?)", (key, output))
