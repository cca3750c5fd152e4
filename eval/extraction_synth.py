"""`budgetlens eval extraction --synth N`: extraction scored on synthetic documents against the generator's truth.

Each synthetic document (``eval.synth``, no injected defects) is rendered as a born-digital PDF (layout seed
varied per document) and every gold cell is scored; a few documents also have a window of their pages
rendered as an image-only scan, OCR'd, and scored on the tables lying wholly on those pages (as the corpus
``scanned`` form is).

Scope: every truth cell, including, for 项目支出绩效自评表, each fund-source sub-row (其中：中央资金, 市县区财政资金 …,
keyed by its label) and each indicator's 分值/得分 (keyed by its 三级指标), which the extractor records as rows of
the form. ``out_of_scope`` counts truth cells set aside (none at present; kept for the report format).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterable
from typing import Literal

from pydantic import BaseModel, Field

from eval.metrics import FORM_KINDS, ExtractionScore, MatchCounts, match_tables, score_extraction
from eval.synth import SynthDoc, generate
from schemas.gold import GoldDocument
from schemas.tables import Table, TableKind, TableStatus

SYNTH_FLOORS = {"digital": 0.995, "scanned": 0.98}
SEED0 = 7001


class SynthDocRun(MatchCounts):
    form: str
    document: str
    layout_seed: int
    pages: list[int] = Field(default_factory=list)  # scanned: the pages of the digital render that were scanned
    page_count: int = 0
    seconds: float
    out_of_scope: int
    misses: list[dict]
    not_found: list[str]


class SynthFormSummary(MatchCounts):
    form: str
    documents: int
    pages: int
    seconds: float
    out_of_scope: int
    floor: float
    passed: bool


class SynthReport(BaseModel):
    summaries: list[SynthFormSummary]
    runs: list[SynthDocRun]

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.summaries)

    def to_json(self) -> dict:
        return {"summaries": [s.model_dump() | {"table_recall": round(s.table_recall, 4),
                                                "table_precision": round(s.table_precision, 4),
                                                "cell_accuracy": round(s.cell_accuracy, 5)} for s in self.summaries],
                "runs": [r.model_dump() for r in self.runs], "passed": self.passed}


def synth_documents(n: int, seed0: int = SEED0) -> list[SynthDoc]:
    """``n`` documents alternating budget / final accounts, a third of them with 2-4 units."""
    docs = []
    for i in range(n):
        kind: Literal["budget", "final_accounts"] = "budget" if i % 2 == 0 else "final_accounts"
        units = 1 if i % 3 != 2 else 2 + (i // 3) % 3
        docs.append(generate(seed0 + i, kind, n_units=units))
    return docs


def synth_gold(doc: SynthDoc, tables: set[int] | None = None) -> tuple[GoldDocument, int]:
    """The truth as gold (restricted to ``tables``, indices into ``doc.truth.tables``), and how many cells were
    set aside as out of scope (none: fund-source and indicator rows are extracted and scored).

    The generator keys a 自评表's total line ``合计`` whatever it prints; the gold convention keys a row by its
    printed label, so a line printed ``总分`` is row ``总分`` (as in the corpus gold)."""
    lines = doc.text.split("\n")
    gold = doc.truth.to_gold(doc.name + ".txt")
    out, dropped = [], 0
    for i, (t, truth) in enumerate(zip(gold.tables, doc.truth.tables, strict=True)):
        if tables is not None and i not in tables:
            continue
        if t.kind == TableKind.SELF_EVALUATION:
            cells = []
            for c, tc in zip(t.cells, truth.cells, strict=True):
                label = next((x for x in lines[tc.line - 1].split("\t") if x.strip()), "").strip()
                cells.append(c.model_copy(update={"row": "总分"}) if c.row == "合计" and label == "总分" else c)
            t = t.model_copy(update={"cells": cells})
        out.append(t)
    return gold.model_copy(update={"tables": out}), dropped


def _id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_digital(doc: SynthDoc, layout_seed: int) -> SynthDocRun:
    from eval.render import render_digital
    from extractor.extract import extract_tables
    from extractor.load_pdf import load_pdf

    start = time.perf_counter()
    pdf, truth = render_digital(doc.text, layout_seed)
    tables = extract_tables(load_pdf(pdf, _id(pdf), doc.name + ".pdf"))[0]
    gold, dropped = synth_gold(doc)
    score = score_extraction(gold, tables, "digital")
    return _run(score, "digital", doc, layout_seed, [], truth.pages, time.perf_counter() - start, dropped)


def table_pages(doc: SynthDoc, line_pages: dict[int, int]) -> list[tuple[int, set[int]]]:
    """(index into doc.truth.tables, the pages its lines were drawn on) for every table."""
    out = []
    for i, t in enumerate(doc.truth.tables):
        on = {p for ln, p in line_pages.items() if t.line <= ln <= t.end_line}
        out.append((i, on))
    return out


def scan_window(doc: SynthDoc, line_pages: dict[int, int], n_pages: int, rng: random.Random) -> list[int]:
    """``n_pages`` consecutive pages, drawn at random among the windows whose wholly contained tables hold at
    least half as many scored cells as the richest window's."""
    last = max(line_pages.values())
    gold, _ = synth_gold(doc)
    spans = [(on, len(gold.tables[i].cells)) for i, on in table_pages(doc, line_pages) if on]
    windows: list[tuple[int, list[int]]] = []
    for first in range(1, max(1, last - n_pages + 1) + 1):
        pages = set(range(first, min(last, first + n_pages - 1) + 1))
        cells = sum(n for on, n in spans if on <= pages)
        windows.append((cells, sorted(pages)))
    best = max(c for c, _ in windows)
    return rng.choice([w for c, w in windows if c >= best / 2])


def run_scanned(doc: SynthDoc, layout_seed: int, n_pages: int) -> SynthDocRun:
    from eval.render import render_digital, render_scanned
    from extractor.extract import extract_tables
    from extractor.load_pdf import load_pdf

    start = time.perf_counter()
    _, truth = render_digital(doc.text, layout_seed)
    pages = scan_window(doc, truth.line_pages, n_pages, random.Random(f"scan/{doc.name}/{layout_seed}"))
    pdf, _ = render_scanned(doc.text, layout_seed, pages=pages)
    tables = extract_tables(load_pdf(pdf, _id(pdf), doc.name + ".scan.pdf", ocr=True))[0]
    spans = table_pages(doc, truth.line_pages)
    whole = {i for i, on in spans if on and on <= set(pages)}
    partial_kinds = {doc.truth.tables[i].kind for i, on in spans if on & set(pages) and i not in whole}
    gold, dropped = synth_gold(doc, whole)
    score = score_extraction(gold, tables, "scanned")
    # a table only partly on the scanned pages is found too but has no gold here: not a false positive
    score.extra_tables = _extras(gold, tables, partial_kinds)
    return _run(score, "scanned", doc, layout_seed, pages, len(pages), time.perf_counter() - start, dropped)


def _extras(gold: GoldDocument, tables: list[Table], ignore: set[TableKind]) -> int:
    used = {id(t) for _, t in match_tables(gold.tables, tables) if t is not None}
    skip = FORM_KINDS | {TableKind.OVERALL_PERFORMANCE_TARGET} | ignore
    return sum(1 for t in tables if t.status != TableStatus.UNCLASSIFIED and id(t) not in used and t.kind not in skip)


def _run(score: ExtractionScore, form: str, doc: SynthDoc, layout_seed: int, pages: list[int], page_count: int,
         seconds: float, dropped: int) -> SynthDocRun:
    return SynthDocRun(
        form=form, document=doc.name, layout_seed=layout_seed, pages=pages, page_count=page_count,
        seconds=round(seconds, 2), gold_tables=score.gold_tables, matched_tables=score.matched_tables,
        extra_tables=score.extra_tables, gold_cells=score.gold_cells, matched_cells=score.matched_cells,
        out_of_scope=dropped, misses=[m.model_dump() for m in score.misses[:60]], not_found=score.kind_errors)


def summarise(runs: Iterable[SynthDocRun]) -> list[SynthFormSummary]:
    out = []
    for form in ("digital", "scanned"):
        rs = [r for r in runs if r.form == form]
        if not rs:
            continue
        s = SynthFormSummary(
            form=form, documents=len(rs), pages=sum(r.page_count for r in rs),
            seconds=round(sum(r.seconds for r in rs), 1), gold_tables=sum(r.gold_tables for r in rs),
            matched_tables=sum(r.matched_tables for r in rs), extra_tables=sum(r.extra_tables for r in rs),
            gold_cells=sum(r.gold_cells for r in rs), matched_cells=sum(r.matched_cells for r in rs),
            out_of_scope=sum(r.out_of_scope for r in rs), floor=SYNTH_FLOORS[form], passed=False)
        s.passed = s.cell_accuracy >= s.floor and s.table_recall == 1.0
        out.append(s)
    return out


def run_synth(n_digital: int = 6, scan_docs: int = 2, scan_pages: int = 3, seed0: int = SEED0,
              progress: Callable[[SynthDocRun], None] | None = None) -> SynthReport:
    """``n_digital`` documents as digital PDFs; the first ``scan_docs`` of them also with ``scan_pages`` pages
    scanned. Layout seeds differ per document (and between the digital and the scanned render)."""
    runs: list[SynthDocRun] = []
    docs = synth_documents(max(n_digital, scan_docs), seed0)
    for i, doc in enumerate(docs[:n_digital]):
        runs.append(run_digital(doc, layout_seed=i))
        if progress:
            progress(runs[-1])
    for i, doc in enumerate(docs[:scan_docs if scan_pages else 0]):
        runs.append(run_scanned(doc, layout_seed=100 + i, n_pages=scan_pages))
        if progress:
            progress(runs[-1])
    return SynthReport(summaries=summarise(runs), runs=runs)


def markdown(report: SynthReport) -> str:
    lines = ["# Extraction on synthetic documents (generator truth)", "",
             "| form | documents | pages | tables found | precision | cells | accuracy | floor | ok | s/doc | s/page |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in report.summaries:
        lines.append(
            f"| {s.form} | {s.documents} | {s.pages} | {s.matched_tables}/{s.gold_tables} ({s.table_recall:.1%}) | "
            f"{s.table_precision:.1%} | {s.matched_cells}/{s.gold_cells} | {s.cell_accuracy:.2%} | {s.floor:.1%} | "
            f"{'yes' if s.passed else 'NO'} | {s.seconds / max(1, s.documents):.1f} | "
            f"{s.seconds / max(1, s.pages):.2f} |")
    out = sum(s.out_of_scope for s in report.summaries)
    if out:
        lines += ["", f"Not scored ({out} truth cells)."]
    lines += ["", "| document | form | layout seed | pages | tables | cells | accuracy | s |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in report.runs:
        acc = r.matched_cells / r.gold_cells if r.gold_cells else 1.0
        pages = ",".join(map(str, r.pages)) if r.pages else str(r.page_count)
        lines.append(f"| {r.document} | {r.form} | {r.layout_seed} | {pages} | {r.matched_tables}/{r.gold_tables} | "
                     f"{r.matched_cells}/{r.gold_cells} | {acc:.2%} | {r.seconds} |")
    for r in report.runs:
        if r.misses or r.not_found:
            lines += ["", f"## {r.document} / {r.form} (layout seed {r.layout_seed})",
                      *[f"- not found: {n}" for n in r.not_found]]
            lines += [f"- {m['table']} / {m['row']} / {m['column']}: gold {m['gold']}, got {m['got']}"
                      for m in r.misses[:20]]
    return "\n".join(lines) + "\n"
