"""BM25 over jieba tokens (bm25s). The tokenised corpus is persisted as JSON under
``BUDGETLENS_HOME/index/bm25.json`` (written atomically); the bm25s index is rebuilt from it on load,
which takes milliseconds, so there is no second copy to keep in step."""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import bm25s
import jieba

from qa_app.engine.chunks import Chunk

jieba.setLogLevel(60)
_TOKEN = re.compile(r"[\w.%]+")
_STOP = {"的", "是", "了", "和", "与", "及", "在", "中", "有", "多少", "哪些", "什么", "吗", "呢", "年", "元", "万元", "？"}
_JIEBA_LOCK = threading.Lock()


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
        self.path = path
        self.docs: dict[str, list[dict]] = {}  # doc_id -> [{id, text, meta, tokens}]
        self._mtime = -1.0
        self._retriever: bm25s.BM25 | None = None
        self._flat: list[dict] = []
        self.load()

    def load(self) -> None:
        if self.path.exists() and self.path.stat().st_mtime != self._mtime:
            self._mtime = self.path.stat().st_mtime
            self.docs = json.loads(self.path.read_text(encoding="utf-8"))
            self._retriever = None

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.docs, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)
        self._mtime = self.path.stat().st_mtime

    def put(self, doc_id: str, chunks: list[Chunk]) -> None:
        self.docs[doc_id] = [{"id": c.id, "text": c.text, "meta": c.meta, "tokens": tokenize(c.text)} for c in chunks]
        self._retriever = None

    def drop(self, doc_id: str) -> None:
        self.docs.pop(doc_id, None)
        self._retriever = None

    def entry(self, chunk_id: str) -> dict | None:
        self._build()
        return self._by_id.get(chunk_id)

    def _build(self) -> None:
        self.load()
        if self._retriever is not None:
            return
        self._flat = [e for entries in self.docs.values() for e in entries]
        self._ranges: dict[str, tuple[int, int]] = {}  # doc_id -> its entries' span of ``_flat``
        start = 0
        for doc_id, entries in self.docs.items():
            self._ranges[doc_id] = (start, start + len(entries))
            start += len(entries)
        self._known: dict[str, bool] = {}
        self._by_id = {e["id"]: e for e in self._flat}
        self.vocabulary = {t for e in self._flat for t in e["tokens"]}
        self._retriever = bm25s.BM25()
        if self._flat:
            self._retriever.index([e["tokens"] or ["∅"] for e in self._flat], show_progress=False)

    def known(self, word: str, doc_ids: set[str] | None = None) -> bool:
        """Whether any indexed text (of ``doc_ids``, default all) contains ``word`` (as a token or a substring)."""
        self._build()
        if doc_ids:
            entries = [e for d in doc_ids for e in self.docs.get(d, [])]
            return any(word in e["tokens"] or word in e["text"] for e in entries)
        if word not in self._known:  # a scan of every text: remembered until the index changes
            self._known[word] = word in self.vocabulary or any(word in e["text"] for e in self._flat)
        return self._known[word]

    def entries(self, doc_id: str) -> list[dict]:
        return self.docs.get(doc_id, [])

    def search(self, query: str, k: int = 20, doc_ids: set[str] | None = None) -> list[Bm25Hit]:
        self._build()
        tokens = tokenize(query)
        if not self._flat or not tokens:
            return []
        if doc_ids:  # score every entry, rank only those documents' entries
            scores = self._retriever.get_scores(tokens)  # type: ignore[union-attr]
            idx = [i for d in doc_ids if d in self._ranges for i in range(*self._ranges[d])]
            idx.sort(key=lambda i: -scores[i])
            return [Bm25Hit(self._flat[i]["id"], float(scores[i])) for i in idx[:k] if scores[i] > 0]
        ids, top = self._retriever.retrieve([tokens], k=min(k, len(self._flat)), show_progress=False)  # type: ignore[union-attr]
        return [Bm25Hit(self._flat[int(i)]["id"], float(s)) for i, s in zip(ids[0], top[0], strict=True) if s > 0]
