"""`budgetlens eval extraction`: the forms × documents matrix against the hand-typed gold."""

from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel

from eval.forms import tables_for
from eval.metrics import ExtractionScore, score_extraction
from schemas.gold import GoldDocument

GOLD_DIR = Path(__file__).parent / "gold"
FLOORS = {"text": 1.0, "digital": 1.0, "gettext": 0.97, "scanned": 0.98}


class ExtractionRun(BaseModel):
    form: str
    document: str
    seconds: float
    cell_accuracy: float
    table_recall: float
    table_precision: float
    gold_cells: int
    matched_cells: int
    floor: float
    passed: bool
    misses: list[dict]
    not_found: list[str]


def gold_documents() -> list[GoldDocument]:
    return [GoldDocument.model_validate_json(p.read_text(encoding="utf-8")) for p in sorted(GOLD_DIR.glob("*.json"))]


def run_extraction(corpus: Path, forms: list[str], seed: int = 7, scan_pages: int | None = 8) -> list[ExtractionRun]:
    runs: list[ExtractionRun] = []
    for gold in gold_documents():
        path = corpus / gold.file
        for form in forms:
            start = time.perf_counter()
            pages = list(range(1, scan_pages + 1)) if form == "scanned" and scan_pages else None
            tables = tables_for(path, form, seed, pages)
            scored = _gold_on_pages(gold, path, seed, pages) if pages is not None else gold
            score = score_extraction(scored, tables, form)
            runs.append(_run(score, form, time.perf_counter() - start))
    return runs


def _gold_on_pages(gold: GoldDocument, path: Path, seed: int, pages: list[int]) -> GoldDocument:
    """A scan of some pages is scored on the gold tables whose title is on those pages."""
    from eval.render import read_text, render_digital

    _, truth = render_digital(read_text(path), seed)
    starts = sorted(t.line for t in gold.tables) + [max(truth.line_pages) + 1]
    keep = []
    for t in gold.tables:
        end = next(s for s in starts if s > t.line)
        on = {p for ln, p in truth.line_pages.items() if t.line <= ln < end}
        if on and on <= set(pages):  # the whole table was scanned
            keep.append(t)
    return gold.model_copy(update={"tables": keep})


def _run(score: ExtractionScore, form: str, seconds: float) -> ExtractionRun:
    floor = FLOORS.get(form, 1.0)
    return ExtractionRun(
        form=form, document=score.document, seconds=round(seconds, 2), cell_accuracy=round(score.cell_accuracy, 5),
        table_recall=round(score.table_recall, 4), table_precision=round(score.table_precision, 4),
        gold_cells=score.gold_cells, matched_cells=score.matched_cells, floor=floor,
        passed=score.cell_accuracy >= floor and score.table_recall == 1.0,
        misses=[m.model_dump() for m in score.misses[:40]], not_found=score.kind_errors)


def markdown(runs: list[ExtractionRun]) -> str:
    lines = ["# Extraction against gold", "",
             "| document | form | tables found | precision | cells | accuracy | floor | ok | s |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in runs:
        lines.append(f"| {r.document} | {r.form} | {r.table_recall:.1%} | {r.table_precision:.1%} | "
                     f"{r.matched_cells}/{r.gold_cells} | {r.cell_accuracy:.2%} | {r.floor:.0%} | "
                     f"{'yes' if r.passed else 'NO'} | {r.seconds} |")
    for r in runs:
        if r.misses or r.not_found:
            lines += ["", f"## {r.document} / {r.form}", *[f"- not found: {n}" for n in r.not_found]]
            lines += [f"- {m['table']} / {m['row']} / {m['column']}: gold {m['gold']}, got {m['got']}"
                      for m in r.misses[:20]]
    return "\n".join(lines) + "\n"
