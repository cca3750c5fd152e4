"""Deliberately messy renderings of the corpus tables, scored against the gold cells: the deterministic
mapping alone and, when a model is configured (``BUDGETLENS_LLM``), with the LLM assist.

Every document is rendered twice, with a seed; the rows of its tables (its TAB lines) become:
- ``space``: cells separated by spaces, empty cells lost (what a plain text export gives);
- ``tab_lost``: TABs kept but empty cells dropped, so the figures after a gap shift left;
and in both: long names wrapped onto a line of their own, and OCR-like slips (two adjacent digits of a
figure swapped, 品→吕, 县→市). A swapped figure is wrong on both paths (an LLM mapping may only cite
printed figures); the report counts them.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.extraction import gold_documents
from eval.metrics import FORM_KINDS, score_extraction
from extractor.extract import extract_tables
from extractor.load_text import load_text
from schemas.gold import GoldDocument
from schemas.tables import TableKind

_AMOUNT = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$|^\d+\.\d+$")
_NAME = re.compile(r"[\u4e00-\u9fff]")
RENDERINGS = ("space", "tab_lost")
WRAP_P, SWAP_P, PIN_P, COUNTY_P = 0.1, 0.01, 0.6, 0.3  # per line / figure / cell


@dataclass
class MessStats:
    rendering: str
    lines: int = 0
    wrapped: int = 0
    digit_swaps: list[str] = field(default_factory=list)  # "138.92→183.92"
    pin: int = 0  # 品→吕
    county: int = 0  # 县→市


def _swap_digits(text: str, rnd: random.Random) -> str | None:
    spots = [i for i in range(len(text) - 1) if text[i].isdigit() and text[i + 1].isdigit() and text[i] != text[i + 1]]
    if not spots:
        return None
    i = rnd.choice(spots)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def _slips(cell: str, rnd: random.Random, stats: MessStats) -> str:
    if _AMOUNT.match(cell) and rnd.random() < SWAP_P and (swapped := _swap_digits(cell, rnd)):
        stats.digit_swaps.append(f"{cell}→{swapped}")
        return swapped
    if "品" in cell and rnd.random() < PIN_P:
        stats.pin += cell.count("品")
        cell = cell.replace("品", "吕")
    if "县" in cell and rnd.random() < COUNTY_P:
        stats.county += 1
        cell = cell.replace("县", "市", 1)
    return cell


def _render_line(cells: list[str], mode: str, rnd: random.Random, stats: MessStats) -> list[str]:
    cells = [_slips(c.strip(), rnd, stats) for c in cells]
    kept = [c for c in cells if c]
    tail: str | None = None
    for j, c in enumerate(kept):  # wrap the first long name: its end goes on a line of its own
        if len(c) >= 10 and _NAME.search(c) and not _AMOUNT.match(c) and rnd.random() < WRAP_P:
            cut = rnd.randint(4, len(c) - 3)
            kept[j], tail = c[:cut], c[cut:]
            stats.wrapped += 1
            break
    out = [(" " if mode == "space" else "\t").join(kept)]
    if tail is not None:
        out.append(tail)
    stats.lines += 1
    return out


def messy_text(text: str, seed: int, rendering: str = "space") -> tuple[str, MessStats]:
    """The document with every table row (TAB line) rendered messily; other lines unchanged."""
    assert rendering in RENDERINGS, rendering
    rnd = random.Random(f"{seed}|{rendering}")
    stats = MessStats(rendering)
    out: list[str] = []
    for line in text.split("\n"):
        if "\t" not in line or "\f" in line:
            out.append(line)
        else:
            out += _render_line(line.split("\t"), rendering, rnd, stats)
    return "\n".join(out), stats


def _standard(gold: GoldDocument) -> GoldDocument:
    keep = [t for t in gold.tables if t.kind not in FORM_KINDS | {TableKind.OVERALL_PERFORMANCE_TARGET}]
    return gold.model_copy(update={"tables": keep})


def _scores(gold: GoldDocument, tables: list) -> dict[str, Any]:
    out = {}
    for part, g in (("all", gold), ("standard", _standard(gold))):
        s = score_extraction(g, tables, "messy")
        out[part] = {"matched": s.matched_cells, "gold": s.gold_cells, "accuracy": round(s.cell_accuracy, 4),
                     "tables_found": s.matched_tables, "tables": s.gold_tables}
    return out


def _llm_config(with_llm: bool, settings: Any, model: Any) -> tuple[Any, Any, str | None]:
    """(settings, model, why not run)."""
    if not with_llm:
        return None, None, "not requested"
    from extractor.llm.config import settings_from_env

    settings = settings or settings_from_env()
    if settings is None and model is None:
        return None, None, "no model configured (set BUDGETLENS_LLM)"
    return settings, model, None


def run_messy(corpus: Path, out: Path, with_llm: bool, seed: int = 7, *, settings: Any = None,
              model: Any = None, documents: list[str] | None = None,
              renderings: tuple[str, ...] = RENDERINGS) -> dict[str, Any]:
    """Score deterministic mapping (and the LLM assist when configured) on messy renderings; writes
    ``messy.json`` and ``messy.md`` under ``out``; returns the report (``markdown`` included)."""
    settings, model, not_run = _llm_config(with_llm, settings, model)
    out.mkdir(parents=True, exist_ok=True)
    cache = None
    if not_run is None:
        from extractor.llm.cache import LLMCache

        cache = LLMCache(out / "llm_cache.sqlite")
    docs = []
    for gold in gold_documents():
        if documents and gold.file not in documents:
            continue
        original = (corpus / gold.file).read_text(encoding="utf-8")
        for rendering in renderings:
            entry = _run_one(gold, *messy_text(original, seed, rendering), settings, model, cache, not_run is None)
            docs.append(entry)
    report: dict[str, Any] = {
        "seed": seed, "llm_run": not_run is None, "llm_not_run_reason": not_run,
        "model": (settings.spec if settings else type(model).__name__) if not_run is None else None,
        "documents": docs, "total": _total(docs)}
    report["markdown"] = markdown(report)
    (out / "messy.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "messy.md").write_text(report["markdown"], encoding="utf-8")
    return report


def _run_one(gold: GoldDocument, text: str, stats: MessStats, settings: Any, model: Any, cache: Any,
             with_llm: bool) -> dict[str, Any]:
    data = text.encode("utf-8")
    doc = load_text(data, hashlib.sha256(data).hexdigest(), f"{gold.file}.{stats.rendering}.txt")
    start = time.perf_counter()
    tables, seg = extract_tables(doc)
    entry: dict[str, Any] = {"document": gold.file, "rendering": stats.rendering,
                             "mess": {**stats.__dict__, "digit_swaps": len(stats.digit_swaps),
                                      "swapped": stats.digit_swaps[:20]},
                             "deterministic": _scores(gold, tables),
                             "deterministic_seconds": round(time.perf_counter() - start, 2), "llm": None}
    if not with_llm:
        return entry
    from extractor.llm.assist import llm_assist

    start = time.perf_counter()
    assisted, findings, calls = llm_assist(doc, tables, seg, settings=settings, model=model, cache=cache)
    entry["llm"] = {**_scores(gold, assisted), "seconds": round(time.perf_counter() - start, 2),
                    "tables_sent": len({c["table_id"] for c in calls}),
                    "accepted": sum(1 for a, b in zip(assisted, tables, strict=True) if a is not b),
                    "rejected": sum(1 for f in findings if f.rule_id == "llm.rejected"),
                    "failed": sum(1 for f in findings if f.rule_id == "llm.failed"),
                    "calls": len(calls), "cached_calls": sum(1 for c in calls if c.get("cached")),
                    "input_tokens": sum(c.get("input_tokens") or 0 for c in calls),
                    "output_tokens": sum(c.get("output_tokens") or 0 for c in calls),
                    "rejections": [f.message for f in findings][:20]}
    return entry


def _total(docs: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for part in ("all", "standard"):
        g = sum(d["deterministic"][part]["gold"] for d in docs)
        det = sum(d["deterministic"][part]["matched"] for d in docs)
        llm = sum(d["llm"][part]["matched"] for d in docs) if docs and all(d["llm"] for d in docs) else None
        total[part] = {"gold": g, "deterministic": round(det / g, 4) if g else None,
                       "llm": round(llm / g, 4) if g and llm is not None else None}
    return total


def markdown(report: dict[str, Any]) -> str:
    llm_head = f"with LLM ({report['model']})" if report["llm_run"] else "with LLM"
    lines = [f"# Messy renderings (seed {report['seed']}): cell accuracy against gold", "",
             f"| document | rendering | tables found | cells | deterministic | {llm_head} | "
             f"standard tables: deterministic | {llm_head} | digit slips | wrapped names |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    not_run = "not run"

    def acc(part: dict) -> str:
        return f"{part['matched']}/{part['gold']} = {part['accuracy']:.2%}"

    for d in report["documents"]:
        det, llm, m = d["deterministic"], d["llm"], d["mess"]
        lines.append(f"| {d['document']} | {d['rendering']} | {det['all']['tables_found']}/{det['all']['tables']} | "
                     f"{det['all']['gold']} | {acc(det['all'])} | {acc(llm['all']) if llm else not_run} | "
                     f"{acc(det['standard'])} | {acc(llm['standard']) if llm else not_run} | {m['digit_swaps']} | "
                     f"{m['wrapped']} |")
    t = report["total"]

    def pct(x: float | None) -> str:
        return not_run if x is None else f"{x:.2%}"

    lines.append(f"| **total** | | | {t['all']['gold']} | {pct(t['all']['deterministic'])} | {pct(t['all']['llm'])} | "
                 f"{pct(t['standard']['deterministic'])} | {pct(t['standard']['llm'])} | | | |")
    lines.append("")
    if not report["llm_run"]:
        lines.append(f"LLM column not run: {report['llm_not_run_reason']}.")
    else:
        for d in report["documents"]:
            x = d["llm"]
            lines.append(f"- {d['document']} ({d['rendering']}): {x['tables_sent']} tables sent, {x['accepted']} accepted, "
                         f"{x['rejected']} rejected, {x['failed']} failed; {x['calls']} calls "
                         f"({x['cached_calls']} cached), {x['input_tokens']} in / {x['output_tokens']} out tokens, "
                         f"{x['seconds']} s")
    lines.append("Digit slips are wrong on both paths (an LLM mapping may only cite printed figures).")
    return "\n".join(lines) + "\n"
