"""What keeps answering fast on a large store, checked on a store of generated documents (no corpus
needed): the catalog parses no document until a tool needs it and keeps few parsed; it is reused
until any connection writes; the lexicon's span lookup finds what a scan of every span finds; a
question that fits more documents than one answer covers says so; the index sync does nothing at an
unchanged revision, upgrades an old manifest without re-indexing, and re-indexes exactly the written
document; scoped vector and BM25 search rank as the unscoped search filtered would."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from eval.synth.to_store import build_index_from_store, write_store
from extractor.store import Store, open_store
from qa_app.engine import answer, catalog
from qa_app.engine.catalog import load_catalog
from qa_app.engine.linking import lexicon
from qa_app.engine.router import MAX_DOCS
from qa_app.index import MANIFEST_REVISION, get_index, legacy_doc_version

N_DOCS = 40


@pytest.fixture(scope="module")
def big_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("scale")
    monkeypatch_module.setenv("BUDGETLENS_HOME", str(home))
    monkeypatch_module.delenv("BUDGETLENS_CHROMA_URL", raising=False)
    store = open_store(home)
    write_store(store, N_DOCS, seed=3, validate=False, defect_rate=0)
    build_index_from_store(store)
    store.close()
    return home


@pytest.fixture(scope="module")
def monkeypatch_module() -> pytest.MonkeyPatch:
    mp = pytest.MonkeyPatch()
    yield mp  # type: ignore[misc]
    mp.undo()


@pytest.fixture
def big(big_home: Path) -> Store:
    catalog.invalidate()
    store = open_store(big_home)
    yield store  # type: ignore[misc]
    store.close()


def test_catalog_parses_documents_only_when_asked_and_keeps_few(big: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    cat = load_catalog(big)
    assert len(cat.docs) == N_DOCS
    lex = lexicon(cat)
    assert lex.projects and lex.functions
    assert not any(d.loaded for d in cat.docs)  # listing, linking vocabulary: no document parsed
    doc = cat.docs[5]
    a = answer(big, f"{doc.org}{doc.year}年收入总计多少？")
    assert a.citations and {c.doc_id for c in a.citations} <= {d.id for d in cat.select([doc.org])}
    assert 0 < sum(d.loaded for d in cat.docs) <= len(cat.select([doc.org]))
    monkeypatch.setattr(catalog, "LOADED_DOCS", 3)
    for d in cat.docs[:10]:
        assert d.tables  # loads
    assert sum(d.loaded for d in cat.docs) <= 3
    assert cat.docs[0].tables == big.tables(cat.docs[0].id)  # an unloaded document reads again


def test_catalog_is_reused_until_another_connection_writes(big: Store, tmp_path: Path) -> None:
    cat = load_catalog(big)
    assert load_catalog(big) is cat
    other = Store(big.path)  # another process
    doc = cat.docs[0]
    other.save_findings(doc.id, big.findings(doc.id))
    other.close()
    assert load_catalog(big) is not cat


def test_span_lookup_finds_what_a_scan_of_every_span_finds(big: Store) -> None:
    lex = lexicon(load_catalog(big))
    rng = random.Random(7)
    surfaces = [s.surface for s in lex.spans]
    for _ in range(200):
        text = "".join(rng.choice(surfaces)[: rng.randint(2, 12)] + rng.choice(["的", "", "2024年", "？"])
                       for _ in range(rng.randint(1, 4)))
        scanned = [s for s in lex.spans if s.surface in text]
        assert lex.occurring(text) == scanned, text


def test_a_question_fitting_more_documents_than_an_answer_covers_says_so(big: Store) -> None:
    a = answer(big, "收入总计是多少？")
    covered = {c.doc_id for c in a.citations}
    assert 0 < len(covered) <= MAX_DOCS < N_DOCS
    assert f"共有{N_DOCS}份文件符合" in a.text and f"只回答前{MAX_DOCS}份" in a.text


def test_index_sync_is_free_at_an_unchanged_revision_and_reindexes_only_what_changed(
        big: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    index = get_index(Path(big.path).parent)
    index.sync(big)
    assert index.sync(big) == []
    manifest = index._manifest()
    assert manifest[MANIFEST_REVISION] == str(big.revision())

    # a manifest written before revisions existed: upgraded, nothing re-indexed
    cat = load_catalog(big)
    index._save_manifest({d.id: legacy_doc_version(d, big) for d in cat.docs})
    revisions = {r[0] for r in big.db.execute("SELECT doc_id FROM revisions")}
    big.db.execute("DELETE FROM revisions WHERE doc_id != ''")  # documents written before revisions existed
    big.db.commit()
    try:
        calls: list[str] = []
        real = index.index_document
        monkeypatch.setattr(index, "index_document", lambda s, d: calls.append(d.id) or real(s, d))
        assert index.sync(big) == [] and calls == []
        assert index._manifest()[MANIFEST_REVISION] == str(big.revision())

        # one document written: exactly that one re-indexed
        doc = cat.docs[3]
        big.save_findings(doc.id, big.findings(doc.id))
        assert index.sync(big) == [doc.id] and calls == [doc.id]
        assert index.sync(big) == []
    finally:
        big.db.executemany("INSERT OR REPLACE INTO revisions VALUES (?, 0)", [(r,) for r in revisions if r])
        big.db.commit()


def test_scoped_search_ranks_as_the_unscoped_search_filtered(big: Store) -> None:
    index = get_index(Path(big.path).parent)
    cat = load_catalog(big)
    scope = {cat.docs[2].id, cat.docs[9].id}
    for q in ("项目支出绩效自评", "三公经费增减原因", "机构设置情况"):
        where = index.collection.query(query_embeddings=index.ef([q]), n_results=10,  # type: ignore[arg-type]
                                       where={"doc_id": {"$in": sorted(scope)}})
        assert [cid for cid, _, _ in index.vector_search(q, 10, scope)] == where["ids"][0], q
        everything = index.bm25.search(q, 10_000)
        scoped = index.bm25.search(q, 10, scope)
        expected = [h for h in everything if (index.bm25.entry(h.id) or {})["meta"]["doc_id"] in scope][:10]
        assert [round(h.score, 6) for h in scoped] == [round(h.score, 6) for h in expected], q
        assert {h.id for h in scoped} <= {h.id for h in expected} | {h.id for h in everything}


def _fuzzy_reference(lex, text: str) -> list[tuple[str, str]]:  # noqa: ANN001 - the plain double loop
    import re

    from rapidfuzz import fuzz
    from rapidfuzz.distance import LCSseq

    from qa_app.engine.linking import QUESTION_WORDS

    chunks = [c for c in re.split(r"[\0\s，。？?、,]+", QUESTION_WORDS.sub("", text)) if len(c) >= 4]
    best = []
    for alias, hits in lex.projects.items():
        for c in chunks:
            lcs = LCSseq.similarity(c, alias)
            ratio = fuzz.ratio(alias, c) / 100
            covered = lcs >= 6 and lcs / len(c) >= 0.85 and lcs / len(alias) >= 0.5
            score = max(ratio, (lcs / len(c) + lcs / len(alias)) / 2 if covered else 0)
            if ratio >= 0.88 or covered:
                best += [(score, d, n) for d, n in hits]
    best.sort(key=lambda x: -x[0])
    top = best[0][0] if best else 0
    return list(dict.fromkeys((d, n) for s, d, n in best if s >= top - 0.02))


def test_fuzzy_project_matching_equals_the_pairwise_loop(big: Store) -> None:
    from qa_app.engine.linking import fuzzy_projects

    lex = lexicon(load_catalog(big))
    rng = random.Random(11)
    names = sorted(lex.projects)
    found = 0
    for _ in range(60):
        name = rng.choice(names)
        cut = list(name)
        for _ in range(rng.randint(0, 3)):  # typos and words left out
            if len(cut) > 5:
                del cut[rng.randrange(len(cut))]
        text = "".join(cut) + rng.choice(["的执行率是多少？", "花了多少钱", "，预算多少"])
        got = fuzzy_projects(lex, text)
        assert got == _fuzzy_reference(lex, text), text
        found += bool(got)
    assert found > 30  # most near-quotes are found
