"""Extraction of the corpus text against the hand-typed gold: every table, every numeric cell."""

from __future__ import annotations

import pytest

from eval.extraction import gold_documents
from eval.forms import tables_for
from eval.metrics import score_extraction


@pytest.mark.parametrize("gold", gold_documents(), ids=lambda g: g.file)
def test_text_form_matches_gold_exactly(corpus, gold):
    score = score_extraction(gold, tables_for(corpus / gold.file, "text"), "text")
    assert score.table_recall == 1.0, score.kind_errors
    assert score.table_precision == 1.0
    assert score.gold_cells > 300
    assert score.cell_accuracy == 1.0, score.misses[:10]


def test_gold_is_not_produced_by_the_extractor():
    """Gold files change only deliberately: the builder must not import the extractor, and it must
    not be left in regenerate mode."""
    from pathlib import Path

    tools = Path(__file__).resolve().parents[1] / "eval" / "gold" / "tools"
    for script in tools.glob("*.py"):
        text = script.read_text(encoding="utf-8")
        assert "from extractor" not in text and "import extractor" not in text
        assert "REGENERATE = True" not in text


def test_gold_builder_agrees_with_committed_gold(corpus):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "eval" / "gold" / "tools" / "build_gold.py"
    spec = importlib.util.spec_from_file_location("build_gold", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.REGENERATE is False
    for doc, name in module.build():
        committed = (path.parents[1] / name).read_text(encoding="utf-8")
        assert committed == doc.model_dump_json(indent=1) + "\n", f"{name} differs from its builder"
