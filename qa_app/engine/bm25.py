"""BM25 over jieba tokens (bm25s).

Entries (chunk id, document, text, metadata, tokens) live in SQLite (``index/bm25.sqlite``), so a
process holds only the bm25s matrix and reads the text of the hits it returns. The matrix is built
from the entries on the first search after a change and saved beside them (``index/bm25s/``, tagged
with the entries' revision): another process, or the next start, memory-maps it instead of
re-tokenising. A ``bm25.json`` from before (every entry in one JSON file, loaded whole: ~11 GB
resident for 2.4 M entries) is imported once.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import jieba
import numpy as np
from bm25s.tokenization import Tokenized

from qa_app.engine.chunks import Chunk

jieba.setLogLevel(60)
_TOKEN = re.compile(r"[\w.%]+")
_STOP = {"的", "是", "了", "和", "与", "及", "在", "中", "有", "多少", "哪些", "什么", "吗", "呢", "年", "元", "万元", "？"}
_JIEBA_LOCK = threading.Lock()
EMPTY = "∅"  # the token of an entry with none (bm25s needs one per entry)
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (n INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, doc_id TEXT, text TEXT, meta TEXT,
                                    tokens TEXT);
CREATE INDEX IF NOT EXISTS entries_doc ON entries(doc_id);
CREATE INDEX IF NOT EXISTS entries_id ON entries(id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS removed (n INTEGER PRIMARY KEY);
"""
BM25_K1, BM25_B = 1.5, 0.75  # bm25s's defaults (its Lucene variant), used for the delta's scores too
# A full rebuild when the base is small (it takes < 1 s) or the changes since exceed a share of it.
REBUILD_BELOW, DELTA_SHARE = 30_000, 0.05


def tokenize(text: str) -> list[str]:
    with _JIEBA_LOCK:
        words = jieba.lcut_for_search(text.lower())
    return [w for w in words if _TOKEN.fullmatch(w) and w not in _STOP]


@dataclass
class Bm25Hit:
    id: str
    score: float


class Bm25Index:
    def __init__(self, path: Path):
        """``path``: the SQLite file (its ``.json`` sibling is imported when present)."""
        self.path = path.with_suffix(".sqlite")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.matrix_dir = self.path.parent / f"{self.path.stem}s"
        self.db = sqlite3.connect(self.path, timeout=60, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)
        self._lock = threading.RLock()
        self._retriever: bm25s.BM25 | None = None  # the base matrix
        self._base_tag = ""  # the revision the base was built at
        self._built_at = ""  # the revision base + delta stand for
        self._rows = np.zeros(0, dtype=np.int64)  # base row -> entry n (ascending)
        self._df = np.zeros(0, dtype=np.int64)  # base token id -> entries containing it
        self._stats = np.zeros(2, dtype=np.float64)  # base: number of entries, average length
        self._delta = _Delta.empty()
        self._known: dict[tuple[str, tuple[str, ...]], bool] = {}
        self._known_at = ""  # the revision ``_known`` holds answers for
        self._import_json(path.with_suffix(".json"))

    # --- writing -----------------------------------------------------------------------------
    def revision(self) -> str:
        row = self.db.execute("SELECT value FROM state WHERE key='revision'").fetchone()
        return row[0] if row else "0"

    def _bump(self) -> None:
        self.db.execute("INSERT OR REPLACE INTO state VALUES ('revision', ?)", (str(int(self.revision()) + 1),))

    def put(self, doc_id: str, chunks: list[Chunk]) -> None:
        self.put_entries(doc_id, [{"id": c.id, "text": c.text, "meta": c.meta, "tokens": tokenize(c.text)}
                                  for c in chunks])

    def put_entries(self, doc_id: str, entries: list[dict]) -> None:
        """Replace the document's entries ({id, text, meta, tokens}) in one transaction."""
        self.put_many([(doc_id, entries)])

    def put_many(self, docs: Iterable[tuple[str, list[dict]]]) -> None:
        with self._lock, self.db:
            for doc_id, entries in docs:
                self._remove(doc_id)
                self.db.executemany(
                    "INSERT INTO entries (id, doc_id, text, meta, tokens) VALUES (?,?,?,?,?)",
                    [(e["id"], doc_id, e["text"], json.dumps(e["meta"], ensure_ascii=False), " ".join(e["tokens"]))
                     for e in entries])
            self._bump()

    def drop(self, doc_id: str) -> None:
        with self._lock, self.db:
            self._remove(doc_id)
            self._bump()

    def clear(self) -> None:
        with self._lock, self.db:
            self._remove(None)
            self._bump()

    def _remove(self, doc_id: str | None) -> None:
        """Delete entries, remembering their numbers: a base matrix built before masks them."""
        where, args = ("WHERE doc_id=?", (doc_id,)) if doc_id is not None else ("", ())
        self.db.execute(f"INSERT OR IGNORE INTO removed SELECT n FROM entries {where}", args)
        self.db.execute(f"DELETE FROM entries {where}", args)

    def _import_json(self, legacy: Path) -> None:
        if not legacy.exists():
            return
        if self.db.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is None:
            with legacy.open(encoding="utf-8") as fh:
                self.put_many(json.load(fh).items())
        legacy.rename(legacy.with_name(legacy.name + ".imported"))

    # --- reading -----------------------------------------------------------------------------
    @staticmethod
    def _entry(row: tuple) -> dict:
        cid, doc_id, text, meta, tokens = row
        return {"id": cid, "doc_id": doc_id, "text": text, "meta": json.loads(meta), "tokens": tokens.split()}

    def entry(self, chunk_id: str) -> dict | None:
        # two rows of one table can share a key (and so a chunk id): both are searchable, the last one is shown
        row = self.db.execute("SELECT id, doc_id, text, meta, tokens FROM entries WHERE id=? ORDER BY n DESC LIMIT 1",
                              (chunk_id,)).fetchone()
        return self._entry(row) if row else None

    def entries(self, doc_id: str) -> list[dict]:
        rows = self.db.execute("SELECT id, doc_id, text, meta, tokens FROM entries WHERE doc_id=? ORDER BY n", (doc_id,))
        return [self._entry(r) for r in rows]

    def doc_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT doc_id FROM entries")]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM entries").fetchone()[0])

    def known(self, word: str, doc_ids: set[str] | None = None) -> bool:
        """Whether any indexed text (of ``doc_ids``, default all) contains ``word`` (as a token or a substring)."""
        key = (word, tuple(sorted(doc_ids or ())))
        rev = self.revision()
        if self._known_at != rev:  # answers are remembered per revision
            self._known, self._known_at = {}, rev
        if key not in self._known:
            if doc_ids:
                marks = ",".join("?" * len(doc_ids))
                row = self.db.execute(f"SELECT 1 FROM entries WHERE doc_id IN ({marks}) AND instr(text, ?) > 0 LIMIT 1",
                                      (*sorted(doc_ids), word)).fetchone()
            else:
                self._build()  # the base's vocabulary answers most words; it may hold words since removed
                in_base = self._retriever is not None and not self._delta.size and word in self._retriever.vocab_dict
                row = (1,) if in_base else \
                    self.db.execute("SELECT 1 FROM entries WHERE instr(text, ?) > 0 LIMIT 1", (word,)).fetchone()
            self._known[key] = row is not None
        return self._known[key]

    # --- the bm25s matrix (base) and what changed since (delta) ----------------------------------
    def _build(self) -> None:
        """Bring the matrix to the current revision. The base matrix (built from every entry, saved and
        shared by processes) is kept while the changes since are small: entries written since are
        scored here with the base's statistics (``_Delta``), removed ones are masked. A full rebuild
        costs ~80 s at 2.4 M entries; a correction or one more document must not."""
        rev = self.revision()
        with self._lock:
            if self._retriever is not None and self._built_at == rev:
                return
            if self._retriever is None or self._saved_tag() not in ("", self._base_tag):
                self._load_saved()  # a newer base another process saved
            if self._retriever is None:
                self._build_from_entries(rev)
                return
            delta = self._read_delta()
            if delta.size and (len(self._rows) < REBUILD_BELOW or delta.size > DELTA_SHARE * len(self._rows)):
                self._build_from_entries(rev)
                return
            self._delta, self._built_at = delta, rev

    def _saved_tag(self) -> str:
        try:
            tag = json.loads((self.matrix_dir / "revision.json").read_text())
        except (OSError, ValueError):
            return ""
        return str(tag.get("revision")) if tag.get("db") == str(self.path.resolve()) else ""

    def _load_saved(self) -> bool:
        tag = self._saved_tag()
        if not tag:
            return False
        try:
            rows = np.load(self.matrix_dir / "rows.npy")
            stats = np.load(self.matrix_dir / "stats.npy")
            df = np.load(self.matrix_dir / "df.npy")
            retriever = bm25s.BM25.load(self.matrix_dir, mmap=True, show_progress=False) if len(rows) else None
        except (OSError, ValueError, KeyError):
            return False
        if retriever is None:
            return False
        self._retriever, self._rows, self._df, self._stats, self._base_tag = retriever, rows, df, stats, tag
        self._delta, self._built_at = _Delta.empty(), ""
        return True

    def _build_from_entries(self, rev: str) -> None:
        vocab: dict[str, int] = {}
        ids: list[list[int]] = []
        rows: list[int] = []
        for n, tokens in self.db.execute("SELECT n, tokens FROM entries ORDER BY n"):
            ids.append([vocab.setdefault(t, len(vocab)) for t in (tokens.split() or [EMPTY])])
            rows.append(n)
        if not rows:
            self._retriever, self._rows, self._built_at = None, np.zeros(0, dtype=np.int64), rev
            return
        df = np.zeros(len(vocab), dtype=np.int64)
        total = 0
        for doc in ids:
            df[list(set(doc))] += 1
            total += len(doc)
        retriever = bm25s.BM25()
        retriever.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        del ids
        self._retriever, self._rows, self._df = retriever, np.asarray(rows, dtype=np.int64), df
        self._stats = np.asarray([len(rows), total / len(rows)], dtype=np.float64)  # N, average length
        self._delta, self._built_at, self._base_tag = _Delta.empty(), rev, rev
        self._save_matrix(rev)

    def _save_matrix(self, rev: str) -> None:
        tmp = self.matrix_dir.with_name(self.matrix_dir.name + f".tmp{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            assert self._retriever is not None
            self._retriever.save(tmp, show_progress=False)
            np.save(tmp / "rows.npy", self._rows)
            np.save(tmp / "df.npy", self._df)
            np.save(tmp / "stats.npy", self._stats)
            (tmp / "revision.json").write_text(json.dumps({"revision": rev, "db": str(self.path.resolve())}))
            old = self.matrix_dir.with_name(self.matrix_dir.name + f".old{os.getpid()}")
            if self.matrix_dir.exists():
                os.replace(self.matrix_dir, old)
            os.replace(tmp, self.matrix_dir)
            shutil.rmtree(old, ignore_errors=True)
        except OSError:  # a cache: the next process rebuilds it
            shutil.rmtree(tmp, ignore_errors=True)

    def _read_delta(self) -> _Delta:
        """Entries written after the base (n beyond its last row) and base rows removed since."""
        last = int(self._rows[-1]) if len(self._rows) else 0
        new = self.db.execute("SELECT n, tokens FROM entries WHERE n > ? ORDER BY n", (last,)).fetchall()
        gone = np.fromiter((r[0] for r in self.db.execute("SELECT n FROM removed WHERE n <= ?", (last,))),
                           dtype=np.int64)
        idx = np.searchsorted(self._rows, gone)
        ok = idx < len(self._rows)
        idx = idx[ok][self._rows[idx[ok]] == gone[ok]]
        postings: dict[str, tuple[list[int], list[int]]] = {}
        lengths = []
        for i, (_, tokens) in enumerate(new):
            words = tokens.split()
            lengths.append(len(words) or 1)
            for t, tf in Counter(words).items():
                at, tfs = postings.setdefault(t, ([], []))
                at.append(i)
                tfs.append(tf)
        return _Delta(ns=np.asarray([n for n, _ in new], dtype=np.int64), lengths=np.asarray(lengths, dtype=np.float64),
                      postings={t: (np.asarray(a), np.asarray(f, dtype=np.float64)) for t, (a, f) in postings.items()},
                      removed=idx)

    def _delta_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 (bm25s's Lucene variant) of the delta's entries, with the base's N, df and average length."""
        d = self._delta
        out = np.zeros(len(d.ns), dtype=np.float64)
        if not len(d.ns):
            return out
        n_docs, l_avg = float(self._stats[0]), float(self._stats[1])
        vocab = self._retriever.vocab_dict if self._retriever is not None else {}
        norm = BM25_K1 * ((1 - BM25_B) + BM25_B * d.lengths / l_avg)
        for t in tokens:
            if t not in d.postings:
                continue
            df = int(self._df[vocab[t]]) if t in vocab and vocab[t] < len(self._df) else 0
            idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            at, tf = d.postings[t]
            out[at] += idf * tf / (norm[at] + tf)
        return out

    def search(self, query: str, k: int = 20, doc_ids: set[str] | None = None) -> list[Bm25Hit]:
        self._build()
        tokens = tokenize(query)
        retriever, rows, delta = self._retriever, self._rows, self._delta
        if retriever is None or not tokens:
            return []
        cands: list[tuple[int, float]] = []  # (entry n, score)
        if doc_ids:
            marks = ",".join("?" * len(doc_ids))
            ns = np.fromiter((r[0] for r in self.db.execute(f"SELECT n FROM entries WHERE doc_id IN ({marks}) ORDER BY n",
                                                            sorted(doc_ids))), dtype=np.int64)
            idx = np.searchsorted(rows, ns)
            idx = idx[(idx < len(rows)) & (rows[np.minimum(idx, len(rows) - 1)] == ns)]
            idx = np.setdiff1d(idx, delta.removed, assume_unique=True) if len(delta.removed) else idx
            scores = retriever.get_scores(tokens)[idx]
            cands = [(int(rows[i]), float(s)) for i, s in zip(idx, scores, strict=True) if s > 0]
            keep = set(ns.tolist())
            cands += [(int(n), float(s)) for n, s in zip(delta.ns, self._delta_scores(tokens), strict=True)
                      if s > 0 and int(n) in keep]
        elif not len(delta.ns) and not len(delta.removed):
            top, vals = retriever.retrieve([tokens], k=min(k, len(rows)), show_progress=False)
            cands = [(int(rows[int(i)]), float(s)) for i, s in zip(top[0], vals[0], strict=True) if s > 0]
        else:
            scores = np.asarray(retriever.get_scores(tokens), dtype=np.float64)
            scores[delta.removed] = 0
            best = np.argpartition(-scores, min(k, len(scores) - 1))[:k] if len(scores) > k else np.arange(len(scores))
            cands = [(int(rows[i]), float(scores[i])) for i in best if scores[i] > 0]
            cands += [(int(n), float(s)) for n, s in zip(delta.ns, self._delta_scores(tokens), strict=True) if s > 0]
        picked = sorted(cands, key=lambda c: -c[1])[:k]
        if not picked:
            return []
        marks = ",".join("?" * len(picked))
        names = dict(self.db.execute(f"SELECT n, id FROM entries WHERE n IN ({marks})", [n for n, _ in picked]))
        return [Bm25Hit(names[n], s) for n, s in picked if n in names]


@dataclass
class _Delta:
    ns: np.ndarray  # entries written after the base matrix (ascending n)
    lengths: np.ndarray  # their lengths in tokens
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # token -> (positions in ``ns``, term frequencies)
    removed: np.ndarray  # base rows whose entries were removed since

    @property
    def size(self) -> int:
        return len(self.ns) + len(self.removed)

    @classmethod
    def empty(cls) -> _Delta:
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0), {}, np.zeros(0, dtype=np.int64))
