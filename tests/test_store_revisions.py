"""The store's revision counter and its terms table, on generated documents (no corpus needed).

Readers cache by the revision (the engine's catalog, the index manifest), so every kind of write must
change it, seen from another connection (another process); the terms are what questions are linked
and routed by, so they must follow the tables through every write.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.synth.to_store import corpus_jobs, synth_doc, write_store
from extractor.store import Store, open_store
from extractor.terms import FEATURE, FUNCTION, ORG, PROJECT, SELF_EVALUATIONS
from schemas.findings import Correction, CorrectionKind
from schemas.tables import CellKey, RowRole


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("synth-store")
    store = open_store(home)
    write_store(store, 6, seed=11, validate=False, files=False, defect_rate=0)
    store.close()
    return home


def _fresh_copy(src: Path, dst: Path) -> Store:
    import sqlite3

    dst.mkdir(parents=True, exist_ok=True)
    a, b = sqlite3.connect(src / "budgetlens.sqlite"), sqlite3.connect(dst / "budgetlens.sqlite")
    a.backup(b)
    a.close()
    b.close()
    return open_store(dst)


def test_every_write_bumps_the_revision_seen_by_another_connection(synth_store: Path, tmp_path: Path) -> None:
    store = _fresh_copy(synth_store, tmp_path)
    other = Store(store.path)  # what another process sees
    doc = store.documents()[0]
    tables = store.tables(doc.id)
    table = next(t for t in tables if t.rows and any(c.value.number is not None for r in t.rows for c in r.cells))
    row = next(r for r in table.rows if any(c.value.number is not None for c in r.cells))
    cell = next(c for c in row.cells if c.value.number is not None)
    writes = {
        "save_findings": lambda: store.save_findings(doc.id, []),
        "replace_table": lambda: store.replace_table(table),
        "save_tables": lambda: store.save_tables(doc.id, tables),
        "append_correction": lambda: store.append_correction(Correction(
            doc_id=doc.id, kind=CorrectionKind.FALSE_POSITIVE, author="t", finding_id="x", reason="test")),
        "append_cell_correction": lambda: store.append_cell_correction(Correction(
            doc_id=doc.id, kind=CorrectionKind.CELL_VALUE, author="t",
            cell=CellKey(doc_id=doc.id, table_id=table.id, row_key=row.key, column=cell.column), new="1.00",
            reason="test"), None),
        "save_document": lambda: store.save_document(doc, tables, store.narrative(doc.id)),
        "mark_deleted": lambda: store.mark_deleted(doc.id),
    }
    seen = [other.revision()]
    for name, write in writes.items():
        write()
        now = other.revision()
        assert now > seen[-1], f"{name} did not change the revision"
        assert other.document_revisions()[doc.id] == now, name
        seen.append(now)
    untouched = store.documents(include_deleted=True)[1].id
    assert other.document_revisions().get(untouched, 0) < seen[1]  # only the written document moved


def test_terms_follow_the_generator_truth(synth_store: Path) -> None:
    store = open_store(synth_store)
    terms: dict[str, set[tuple[str, str]]] = {}
    for doc_id, t in store.terms():
        terms.setdefault(doc_id, set()).add((t.kind, t.value))
    docs = {d.file_name: d for d in store.documents()}
    for job in corpus_jobs(6, 11, defect_rate=0):
        sd = synth_doc(job)
        assert sd is not None
        meta = docs[f"{sd.name}.txt"]
        got = terms[meta.id]
        assert (ORG, meta.org) in got
        named = {v for k, v in got if k == PROJECT}
        for p in sd.truth.projects:
            if not p.carryover:
                assert p.name in named, (sd.name, p.name)
        has_self_eval = any(p.self_evaluation for p in sd.truth.projects)
        assert ((FEATURE, SELF_EVALUATIONS) in got) == has_self_eval, sd.name
        assert any(k == FUNCTION for k, _ in got)
    store.close()


def test_terms_are_rewritten_with_the_tables_and_migrated_for_old_stores(synth_store: Path, tmp_path: Path) -> None:
    store = _fresh_copy(synth_store, tmp_path)
    before = sorted((d, t) for d, t in store.terms())
    # an old store: documents saved before the terms table existed get theirs on first read
    store.db.execute("DELETE FROM terms")
    store.db.commit()
    assert sorted((d, t) for d, t in store.terms()) == before
    # a renamed project row renames the project term
    projects = {(d, t.value) for d, t in before if t.kind == PROJECT}
    doc_id, table, row = next((d, t, r) for d in sorted({d for d, _ in projects}) for t in store.tables(d)
                              for r in t.rows if (d, r.label) in projects and r.role != RowRole.TOTAL)
    project = row.label
    row.label = project + "（更名）"
    store.replace_table(table)
    names = {t.value for d, t in store.terms() if d == doc_id and t.kind == PROJECT}
    assert project + "（更名）" in names
    store.close()
