"""The search index (real Chroma + BM25) and the ``ask`` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor.cli import main
from extractor.store import Store, open_store
from qa_app.engine.catalog import load_catalog
from qa_app.engine.embeddings import UnknownEmbedding, embedding_function
from qa_app.index import get_index, update_index
from tests.qa.helpers import doc_id, ingest


def test_index_holds_structured_chunks(store: Store, qa_home: Path) -> None:
    index = get_index(qa_home)
    yc = doc_id(store, "yangcheng")
    metas = index.collection.get(where={"doc_id": yc}, include=["metadatas"])["metadatas"]
    assert {m["chunk"] for m in metas} == {"narrative", "table", "project"}
    assert all(m["org"] == "阳城县应急管理局" and m["year"] == 2024 and m["doc_kind"] == "final_accounts" for m in metas)
    assert any(str(m.get("section", "")).startswith("第三部分") for m in metas if m["chunk"] == "narrative")
    assert any(m.get("table_kind") == "final_general_expenditure" for m in metas)
    assert any("2240108 应急救援 本年支出合计 426.40万元" in e["text"] for e in index.bm25.entries(yc))
    assert (qa_home / "index" / "write.lock").exists() and (qa_home / "chroma").is_dir()
    assert index.sync(store) == []  # nothing stale


def test_reindexing_a_document_replaces_its_entries(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ingest(home, ["datong-emergency-2025-budget.md"])
    store = open_store(home)
    index = get_index(home)
    dt = doc_id(store, "datong")
    before = (sorted(index.collection.get(where={"doc_id": dt})["ids"]), len(index.bm25.entries(dt)))
    assert before[0] and before[1]
    update_index(store, dt)
    assert (sorted(index.collection.get(where={"doc_id": dt})["ids"]), len(index.bm25.entries(dt))) == before
    index.remove_document(dt)
    assert index.collection.count() == 0 and dt not in index.bm25.doc_ids()
    assert index.sync(store) == [dt] and index.collection.count() == len(before[0])


def test_fused_search_finds_the_narrative_and_the_row(store: Store, qa_home: Path) -> None:
    index = get_index(qa_home)
    hits = index.search("“三公”经费比上年度减少的原因", k=5)
    assert any(h.meta.get("line_start") == 542 for h in hits)
    assert all(h.ranks for h in hits) and hits == sorted(hits, key=lambda h: -h.score)
    rows = index.bm25.search("2240108 应急救援", k=5)
    assert rows and all("2240108" in (index.bm25.entry(h.id) or {})["text"] for h in rows[:2])
    assert load_catalog(store).docs


def test_embedding_registry_names_the_known_kinds() -> None:
    assert embedding_function("use")[0] == "use"
    with pytest.raises(UnknownEmbedding, match="known kinds"):
        embedding_function("word2vec")


def test_ask_command_prints_answer_table_and_citations(qa_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUDGETLENS_HOME", str(qa_home))
    runner = CliRunner()
    out = runner.invoke(main, ["ask", "大同市应急管理局2025年最大的五个项目是什么？"])
    assert out.exit_code == 0, out.output
    assert "Z森林防火工作经费：100.00万元" in out.output and "出处：" in out.output and "L430" in out.output
    js = runner.invoke(main, ["ask", "汾阳市应急管理局2024年预算收入总计多少？", "--json"])
    data = json.loads(js.output)
    assert data["tool"] == "totals" and any(c["value"] == "9236.44" for c in data["citations"])


def test_warm_up_loads_the_index_and_models(store: Store) -> None:
    from qa_app.engine import warm_up

    warm_up(store)  # idempotent, and cheap once loaded
