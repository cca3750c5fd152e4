"""A real store with the three corpus documents, indexed by the ingest hook into a real Chroma
index, in a temporary BUDGETLENS_HOME (built once per test run, shared by the xdist workers)."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

from extractor.store import Store, open_store
from tests.qa.helpers import CORPUS, ingest


@pytest.fixture(scope="session")
def qa_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once for all xdist workers (they share the base temp's parent); read-only afterwards."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS} (../shared/corpus beside the checkout)")
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent
    home = root / "qa-home"
    with open(root / "qa-home.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / "built").exists():
            shutil.rmtree(home, ignore_errors=True)
            ingest(home)
            (home / "built").touch()
    return home


@pytest.fixture(scope="session")
def store(qa_home: Path) -> Store:
    return open_store(qa_home)
