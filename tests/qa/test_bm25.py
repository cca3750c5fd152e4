"""The BM25 index in SQLite: same ranking as bm25s over the token lists, shared between processes by
its revision (a saved matrix is reused, a change is seen), and an old ``bm25.json`` imported once."""

from __future__ import annotations

import json
import random
from pathlib import Path

import bm25s
import pytest

from qa_app.engine import bm25 as bm25_module
from qa_app.engine.bm25 import Bm25Index, tokenize
from qa_app.engine.chunks import Chunk

WORDS = ["应急救援", "一般公共预算", "项目支出", "三公经费", "公务接待费", "机关运行经费", "执行率", "基本支出",
         "人员经费", "政府采购", "消防站装备", "森林防火", "安全生产", "培训经费", "2240108", "426.40万元"]


def _docs(seed: int, n_docs: int = 6, per_doc: int = 12) -> dict[str, list[Chunk]]:
    rng = random.Random(seed)
    out = {}
    for d in range(n_docs):
        doc_id = f"doc{d}"
        out[doc_id] = [Chunk(id=f"{doc_id}/{i}", kind="row",
                             text=" ".join(rng.sample(WORDS, rng.randint(2, 6))) + f" 第{i}行",
                             meta={"doc_id": doc_id, "chunk": "row"}) for i in range(per_doc)]
    return out


def _reference(docs: dict[str, list[Chunk]], query: str, k: int) -> list[tuple[str, float]]:
    """bm25s over the same token lists, given as strings (its own vocabulary)."""
    flat = [c for chunks in docs.values() for c in chunks]
    r = bm25s.BM25()
    r.index([tokenize(c.text) or ["∅"] for c in flat], show_progress=False)
    ids, scores = r.retrieve([tokenize(query)], k=k, show_progress=False)
    return [(flat[int(i)].id, round(float(s), 5)) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]


def test_ranking_equals_bm25s_over_the_same_tokens(tmp_path: Path) -> None:
    docs = _docs(1)
    index = Bm25Index(tmp_path / "bm25.sqlite")
    for doc_id, chunks in docs.items():
        index.put(doc_id, chunks)
    for q in ("应急救援 项目支出", "三公经费 公务接待费", "2240108", "森林防火执行率"):
        got = [(h.id, round(h.score, 5)) for h in index.search(q, 8)]
        assert [s for _, s in got] == [s for _, s in _reference(docs, q, 8)], q
        assert {i for i, _ in got} <= {c.id for cs in docs.values() for c in cs}


def test_a_second_process_reuses_the_saved_matrix_and_sees_changes(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _docs(2)
    writer = Bm25Index(tmp_path / "bm25.sqlite")
    for doc_id, chunks in docs.items():
        writer.put(doc_id, chunks)
    first = [(h.id, h.score) for h in writer.search("应急救援 执行率", 5)]  # builds and saves the matrix

    reader = Bm25Index(tmp_path / "bm25.sqlite")
    monkeypatch.setattr(Bm25Index, "_build_from_entries", lambda self, rev: pytest.fail("rebuilt a saved matrix"))
    assert [(h.id, h.score) for h in reader.search("应急救援 执行率", 5)] == first
    monkeypatch.undo()

    new = Chunk(id="doc9/0", kind="row", text="新增项目 独一无二的词 应急救援", meta={"doc_id": "doc9", "chunk": "row"})
    writer.put("doc9", [new])
    assert reader.search("独一无二的词", 3)[0].id == "doc9/0"  # the reader sees the writer's revision
    assert reader.known("独一无二") and not reader.known("从未出现")
    writer.drop("doc9")
    assert not reader.search("独一无二的词", 3) and not reader.known("独一无二")
    scoped = reader.search("应急救援", 50, {"doc3"})
    assert scoped and all(h.id.startswith("doc3/") for h in scoped)
    assert [h.score for h in scoped] == [h.score for h in reader.search("应急救援", 500) if h.id.startswith("doc3/")]


def test_an_old_json_index_is_imported_once(tmp_path: Path) -> None:
    docs = _docs(3)
    legacy = {doc_id: [{"id": c.id, "text": c.text, "meta": c.meta, "tokens": tokenize(c.text)} for c in chunks]
              for doc_id, chunks in docs.items()}
    (tmp_path / "bm25.json").write_text(json.dumps(legacy, ensure_ascii=False), encoding="utf-8")
    index = Bm25Index(tmp_path / "bm25.sqlite")
    assert not (tmp_path / "bm25.json").exists() and (tmp_path / "bm25.json.imported").exists()
    assert index.count() == sum(len(v) for v in legacy.values())
    assert sorted(index.doc_ids()) == sorted(legacy)
    assert index.entries("doc2") == [{**e, "doc_id": "doc2"} for e in legacy["doc2"]]
    q = "公务接待费 机关运行经费"
    assert [round(h.score, 5) for h in index.search(q, 6)] == [s for _, s in _reference(docs, q, 6)]


def test_empty_index_searches_to_nothing(tmp_path: Path) -> None:
    index = Bm25Index(tmp_path / "bm25.sqlite")
    assert index.search("应急救援", 5) == [] and not index.known("应急救援")
    index.put("d", [Chunk(id="d/0", kind="row", text="的 了", meta={"doc_id": "d"})])  # no token survives
    assert index.entries("d")[0]["tokens"] == [] and index.search("应急救援", 5) == []
    assert index.search(bm25_module.EMPTY, 5) == []  # the placeholder bm25s needs is not searchable text


def test_entries_sharing_a_chunk_id_are_all_kept(tmp_path: Path) -> None:
    """Two rows of one table can have the same key; the JSON index kept both, so must this one."""
    index = Bm25Index(tmp_path / "bm25.sqlite")
    twice = [Chunk(id="d:r:t:合计", kind="row", text="合计 应急救援 100.00", meta={"doc_id": "d"}),
             Chunk(id="d:r:t:合计", kind="row", text="合计 森林防火 200.00", meta={"doc_id": "d"})]
    index.put("d", twice)
    assert index.count() == 2
    assert index.search("应急救援", 3) and index.search("森林防火", 3)
    assert (index.entry("d:r:t:合计") or {})["text"] == "合计 森林防火 200.00"


def test_changes_since_the_base_are_scored_without_a_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large base is not rebuilt for one document: re-indexing a document unchanged gives its entries
    the scores the base gave them (the delta scores with bm25s's formula and the base's statistics);
    a dropped document disappears, a new one is found."""
    docs = _docs(4, n_docs=8)
    index = Bm25Index(tmp_path / "bm25.sqlite")
    for doc_id, chunks in docs.items():
        index.put(doc_id, chunks)
    index.put("gone", [Chunk(id="gone/0", kind="row", text="档案馆", meta={"doc_id": "gone"})])
    q = "应急救援 项目支出 执行率"
    before = {h.id: h.score for h in index.search(q, 500)}
    monkeypatch.setattr(bm25_module, "REBUILD_BELOW", 0)
    monkeypatch.setattr(bm25_module, "DELTA_SHARE", 1.0)
    monkeypatch.setattr(Bm25Index, "_build_from_entries", lambda self, rev: pytest.fail("rebuilt the base"))
    index.put("doc5", docs["doc5"])  # removed and written again: now in the delta
    after = {h.id: h.score for h in index.search(q, 500)}
    assert after.keys() == before.keys()
    for cid, score in before.items():
        assert after[cid] == pytest.approx(score, rel=1e-5), cid
    assert [h.score for h in index.search(q, 50, {"doc5"})] == pytest.approx(
        sorted((s for c, s in before.items() if c.startswith("doc5/")), reverse=True), rel=1e-5)
    index.drop("doc2")
    index.put("doc8", [Chunk(id="doc8/0", kind="row", text="全新的词 应急救援", meta={"doc_id": "doc8"})])
    hits = index.search("全新的词 应急救援", 500)
    assert hits[0].id == "doc8/0" and not any(h.id.startswith("doc2/") for h in hits)
    assert index.known("全新的词") and not index.known("从未出现")
    assert index.known("档案馆")
    index.drop("gone")  # in the base's vocabulary, no longer in any entry
    assert not index.known("档案馆")
    assert all(h.id != "gone/0" for h in index.search("档案馆", 5))
