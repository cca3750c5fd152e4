"""Messy renderings of the corpus tables: deterministic accuracy, the LLM column off without a model, and
the assist through the real client with an oracle model (answers from the gold) and a sloppy one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from llm_fakes import FakeEndpoint, prompt_of
from llm_oracle import oracle_mapping

from eval.extraction import gold_documents
from eval.messy import messy_text, run_messy

DATONG = "datong-emergency-2025-budget.md"


def test_renderings_are_messy_and_seeded(corpus: Path) -> None:
    text = (corpus / "fenyang-emergency-2024-budget.txt").read_text(encoding="utf-8")
    space, stats = messy_text(text, 7, "space")
    assert messy_text(text, 7, "space")[0] == space and messy_text(text, 8, "space")[0] != space
    assert stats.wrapped > 0 and stats.digit_swaps and stats.pin > 0
    assert "\t" not in space and "吕" in space
    lost, _ = messy_text(text, 7, "tab_lost")
    assert "\t\t" not in lost and "\t" in lost


def test_without_a_model_the_llm_column_is_not_run(corpus: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUDGETLENS_LLM", raising=False)
    report = run_messy(corpus, tmp_path, with_llm=True)
    assert report["llm_run"] is False and "no model configured" in report["llm_not_run_reason"]
    assert "LLM column not run" in report["markdown"] and (tmp_path / "messy.md").is_file()
    assert len(report["documents"]) == 6 and all(d["llm"] is None for d in report["documents"])
    total = report["total"]["standard"]
    assert total["llm"] is None and 0.4 < total["deterministic"] < 1.0  # the digit slips stay wrong


def _run(corpus: Path, out: Path, reply) -> dict:
    ep = FakeEndpoint(reply)
    return run_messy(corpus, out, with_llm=True, settings=ep.settings(), model=ep.model(),
                     documents=[DATONG], renderings=("tab_lost",))


def test_an_oracle_model_lifts_accuracy(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the deterministic path now reads collapsed TABs like space-separated rows and leaves the oracle little
    # to lift: read them by position (empty cells shifted left, as before) so there is something to lift
    monkeypatch.setattr("extractor.load_text.tabs_collapsed", lambda raws: False)
    golds = gold_documents()
    report = _run(corpus, tmp_path, lambda req, n: oracle_mapping(prompt_of(req), golds))
    [d] = report["documents"]
    det, llm = d["deterministic"]["standard"], d["llm"]["standard"]
    assert llm["matched"] >= det["matched"] + 40 and d["llm"]["accepted"] >= 2
    assert d["llm"]["calls"] > 0 and d["llm"]["input_tokens"] > 0


def test_a_sloppy_model_never_makes_it_worse(corpus: Path, tmp_path: Path) -> None:
    golds = gold_documents()
    rnd = random.Random(3)

    def sloppy(req: dict, n: int):
        m = oracle_mapping(prompt_of(req), golds)
        if isinstance(m, dict):
            for r in m["rows"]:
                if len(r["cells"]) >= 2 and rnd.random() < 0.3:  # two figures in each other's column
                    r["cells"][0]["column"], r["cells"][1]["column"] = r["cells"][1]["column"], r["cells"][0]["column"]
            if m["rows"] and rnd.random() < 0.3:
                del m["rows"][rnd.randrange(len(m["rows"]))]
        return m

    [d] = _run(corpus, tmp_path, sloppy)["documents"]
    assert d["llm"]["all"]["matched"] >= d["deterministic"]["all"]["matched"]
