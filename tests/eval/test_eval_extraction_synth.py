"""Extraction on synthetic documents rendered as digital and scanned PDFs, scored against the generator's truth.

A small set runs in CI (three digital documents, one document with two scanned pages); the floors are the
ones `budgetlens eval extraction` enforces on its larger default set.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from eval.extraction_synth import SYNTH_FLOORS, run_synth, scan_window, synth_documents, synth_gold
from eval.render_layout import font_file
from schemas.tables import TableKind


def _has_font() -> bool:
    try:
        font_file()
    except FileNotFoundError:
        return False
    return True


needs_font = pytest.mark.skipif(not _has_font(), reason="CJK font missing; run `make system-deps`")


def test_gold_scope_and_total_row_key() -> None:
    """Every truth cell is scored, self-evaluation fund-source and indicator rows included; a 总分 line is row 总分."""
    doc = next(d for d in synth_documents(4) if d.truth.kind == "final_accounts")
    gold, dropped = synth_gold(doc)
    assert dropped == 0
    se = [t for t in gold.tables if t.kind == TableKind.SELF_EVALUATION]
    rows = {c.row for t in se for c in t.cells}
    assert se and {"资金总额", "项目绩效分析"} <= rows and len(rows - {"资金总额", "合计", "总分", "项目绩效分析"}) >= 5
    lines = doc.text.split("\n")
    printed = {t.line: t for t in doc.truth.tables}
    for t in se:
        for c in (c for c in t.cells if c.row in ("合计", "总分")):
            src = next(tc for tc in printed[t.line].cells if tc.column == c.column and tc.row == "合计")
            assert next(x.strip() for x in lines[src.line - 1].split("\t") if x.strip()) == c.row
    assert sum(len(t.cells) for t in gold.tables) + dropped == sum(len(t.cells) for t in doc.truth.tables)


def test_scan_window_holds_whole_tables() -> None:
    import random

    from eval.extraction_synth import table_pages

    doc = synth_documents(1)[0]
    n = len(doc.text.split("\n"))
    line_pages = {ln: 1 + (ln - 1) * 12 // n for ln in range(1, n + 1)}  # the document on 12 pages
    for seed in range(5):
        pages = scan_window(doc, line_pages, 2, random.Random(seed))
        assert len(pages) == 2 and pages[1] == pages[0] + 1
        assert any(on and on <= set(pages) for _, on in table_pages(doc, line_pages))


@needs_font
def test_digital_floor() -> None:
    report = run_synth(n_digital=3, scan_docs=0, scan_pages=0)
    (s,) = report.summaries
    assert s.form == "digital" and s.documents == 3 and s.gold_cells > 1000
    assert s.table_recall == 1.0, [r.not_found for r in report.runs]
    assert s.cell_accuracy >= SYNTH_FLOORS["digital"] == 0.995, [r.misses[:5] for r in report.runs]
    assert s.passed


@needs_font
def test_scanned_floor() -> None:
    report = run_synth(n_digital=0, scan_docs=1, scan_pages=2)
    (s,) = report.summaries
    assert s.form == "scanned" and s.pages == 2 and s.gold_tables >= 1 and s.gold_cells >= 20
    assert s.table_recall == 1.0, [r.not_found for r in report.runs]
    assert s.cell_accuracy >= SYNTH_FLOORS["scanned"] == 0.98, [r.misses[:5] for r in report.runs]
    assert s.passed


@needs_font
def test_eval_command_writes_the_synthetic_report(tmp_path, monkeypatch) -> None:
    """`budgetlens eval extraction --synth N` writes extraction-synth.md/json (corpus forms stubbed out)."""
    import eval.extraction as extraction
    import eval.messy as messy
    from eval.commands import eval_cmd

    monkeypatch.setattr(extraction, "run_extraction", lambda *a, **k: [])
    monkeypatch.setattr(messy, "run_messy", lambda *a, **k: {"markdown": ""})
    res = CliRunner().invoke(eval_cmd, ["extraction", "--corpus", str(tmp_path), "--synth", "1",
                                        "--synth-scan-docs", "0", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    data = json.loads((tmp_path / "out" / "extraction-synth.json").read_text())
    assert data["passed"] and data["summaries"][0]["form"] == "digital"
    assert "| digital | 1 |" in (tmp_path / "out" / "extraction-synth.md").read_text(encoding="utf-8")
