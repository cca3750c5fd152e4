from __future__ import annotations

from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
FENYANG = "fenyang-emergency-2024-budget.txt"
DATONG = "datong-emergency-2025-budget.md"
YANGCHENG = "yangcheng-emergency-2024-final-accounts.txt"


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS} (../shared beside the checkout)")
    return CORPUS


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BUDGETLENS_HOME", str(tmp_path / "home"))
    return tmp_path / "home"
