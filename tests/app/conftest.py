"""App tests: AppTest against a real store (the corpus ingested into a tmp BUDGETLENS_HOME)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from extractor import hooks
from extractor.pipeline import ingest_file
from extractor.store import open_store
from tests.app.helpers import CORPUS


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS} (../shared beside the checkout)")
    return CORPUS


def _ingest(home: Path, corpus_dir: Path) -> Path:
    (home / "files").mkdir(parents=True)
    store = open_store(home)
    for f in sorted(corpus_dir.iterdir()):
        result = ingest_file(f, store, home)
        assert result.error is None, result.error
    store.close()
    return home


@pytest.fixture(scope="session")
def ingested(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """The three-document corpus ingested once, without the search index (these tests exercise the app, not
    retrieval; indexing costs ~20 s, and seconds per correction; the engine answers computed questions from
    the store and builds the index itself when a search needs it). Tests get a copy."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(hooks, "ON_DOCUMENT_CHANGED", [])
        return _ingest(tmp_path_factory.mktemp("corpus-home") / "home", corpus_dir)


@pytest.fixture
def app_home(ingested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    shutil.copytree(ingested, home)
    monkeypatch.setenv("BUDGETLENS_HOME", str(home))
    monkeypatch.setattr(hooks, "ON_DOCUMENT_CHANGED", [])  # corrections: re-validate, skip re-indexing
    return home
