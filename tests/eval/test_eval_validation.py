"""`budgetlens eval validation`: the validator against the hand-checked expected findings of the corpus
and against defects injected into synthetic documents (a small sample here; the command runs 30)."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import validation as v
from schemas.findings import CellRef, Finding, Severity
from schemas.gold import GoldDocument
from schemas.provenance import Provenance
from schemas.tables import CellKey


@pytest.mark.corpus
def test_corpus_expected_findings(corpus: Path) -> None:
    scores = v.score_corpus(corpus)
    assert {s.document for s in scores} == {p.name for p in corpus.iterdir() if p.suffix in (".txt", ".md")}
    expected = sum(s.expected for s in scores)
    assert expected >= 20 and sum(s.found for s in scores) / expected >= v.FLOOR, [m for s in scores for m in s.missed]
    for s in scores:
        assert s.extraction_mistakes == [], s.extraction_mistakes
        assert s.rounding_as_error == [] and s.rounding_found == s.expected_rounding, s.rounding_missed
        assert s.unexpected == [], s.unexpected


@pytest.mark.corpus
def test_digital_pdf_form_finds_the_same_and_no_extraction_mistakes(corpus: Path) -> None:
    """Rendered as a PDF, the narrative wraps over lines and the tables are read from word boxes: the same
    expected findings, every 尾数 as rounding, and no error that is really an extraction mistake."""
    from eval.render_layout import font_file

    try:
        font_file()
    except FileNotFoundError as exc:
        pytest.skip(f"{exc} (apt install fonts-wqy-microhei)")
    text = {(s.document, s.found, s.rounding_found) for s in v.score_corpus(corpus)}
    digital = v.score_corpus(corpus, ("digital",))
    assert {(s.document, s.found, s.rounding_found) for s in digital} == text
    for s in digital:
        assert s.extraction_mistakes == [] and s.rounding_as_error == [] and s.unexpected == [], s


def test_gold_findings_are_valid_and_name_their_rules() -> None:
    from extractor.validate import RULES

    for path in sorted(v.FINDINGS_DIR.glob("*.json")):
        findings = v.gold_findings(path.stem)
        assert findings and all(g.rule_id in RULES and g.severity in ("error", "warning", "rounding") for g in findings)
        assert all(g.severity == RULES[g.rule_id].severity for g in findings if g.severity != "rounding")
        assert all(g.note and g.where for g in findings)


def test_synthetic_defects_are_found() -> None:
    synth = v.score_synthetic(6, seed0=0)
    ev = v.summarise([], synth)
    assert ev.defect_recall >= v.FLOOR, ev.defect_recall_by_type
    assert ev.false_positives_per_doc <= 1.0, [fp for s in synth for fp in s.false_positives]
    kinds = {d.type for s in synth for d in s.defects if not d.excluded}
    assert {"arithmetic", "ocr_digit_swap", "narrative_mismatch", "missing_table", "duplicate_attachment"} <= kinds


def test_an_error_citing_a_misread_cell_is_an_extraction_mistake() -> None:
    gold = GoldDocument.model_validate_json((v.GOLD_DIR / "datong-emergency-2025-budget.json").read_text(encoding="utf-8"))
    g = next(t for t in gold.tables if t.kind.value == "budget_expenditure")
    cell = next(c for c in g.cells if c.row == "224")
    from schemas.tables import Table

    table = Table(id="budget_expenditure#1", doc_id="d", kind=g.kind, title=g.title,
                  provenance=Provenance(doc_id="d", page=1))
    prov = Provenance(doc_id="d", page=1, line_start=g.line)

    def report(printed: str) -> v.ValidationReport:
        ref = CellRef(key=CellKey(doc_id="d", table_id=table.id, row_key=cell.row, column=cell.column), printed=printed,
                      provenance=prov)
        return v.ValidationReport(doc_id="d", findings=[Finding(doc_id="d", rule_id="func.rollup", severity=Severity.ERROR,
                                                                message="x", cells=[ref])])

    assert v.extraction_mistakes(report(cell.printed), [table], gold) == []
    assert v.extraction_mistakes(report("9999.99"), [table], gold)


def test_run_writes_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(v, "FINDINGS_DIR", tmp_path / "none")  # the corpus part is tested above
    assert v.run(tmp_path, tmp_path / "out", n_synth=2) in (True, False)
    assert (tmp_path / "out" / "validation.json").exists() and "# Validation" in (tmp_path / "out" / "validation.md").read_text()
