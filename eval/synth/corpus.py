"""generate(): one document from a seed; write_corpus(): many, as text + truth JSON pairs."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Literal

from eval.synth import budget, defects, final, identities
from eval.synth.common import draw_style, make_org
from eval.synth.ir import render
from eval.synth.model import DefectSpec, SynthDoc, SynthTruth

Kind = Literal["budget", "final_accounts"]


def generate(seed: int, kind: Kind, *, org: str | None = None, n_units: int = 1,
             defects: DefectSpec | None = None) -> SynthDoc:
    """One synthetic disclosure, deterministic for (seed, kind, org, n_units, defects)."""
    if kind not in ("budget", "final_accounts"):
        raise ValueError(f"kind must be 'budget' or 'final_accounts', not {kind!r}")
    if n_units < 1:
        raise ValueError("n_units must be at least 1")
    spec = defects or DefectSpec()
    rng = random.Random(f"synth/{seed}/{kind}/{n_units}/{org or ''}")
    style = draw_style(rng, kind, n_units)
    o = make_org(rng, org, n_units)
    year = rng.randint(2019, 2025)
    want = {"pin": spec.ocr_pin_lv > 0, "county": spec.ocr_county_city > 0, "z": spec.ocr_z_2 > 0}
    if kind == "budget":
        bp = budget.plan(rng, o, year, style, want)
        doc, projects = budget.BudgetBuilder(rng, o, style, year, bp).build()
    else:
        fp = final.plan(rng, o, year, style, want)
        doc, projects = final.FinalBuilder(rng, o, style, year, fp).build()
    injected = defects_apply(random.Random(f"defects/{seed}/{kind}"), doc, spec, kind)
    text, tables, figures = render(doc)
    _locate(injected, text, tables, figures)
    truth = SynthTruth(seed=seed, org=o.name, units=[u.name for u in o.units], year=year, kind=kind,
                       style=style.as_dict(), tables=tables, projects=projects, narrative=figures,
                       defects=[d for d, _ in injected])
    truth.roundings = identities.roundings(truth)
    name = f"synth-{'budget' if kind == 'budget' else 'final'}-{seed:05d}" + (f"-u{n_units}" if n_units > 1 else "")
    return SynthDoc(name=name, text=text, truth=truth)


def defects_apply(rng: random.Random, doc, spec: DefectSpec, kind: str):
    return defects.apply(rng, doc, spec, kind) if spec.total() else []


def _locate(injected, text: str, tables, figures) -> None:
    """Fill each defect's line from the rendered truth."""
    lines = text.split("\n")
    for d, _t in injected:
        if d.type == "narrative_mismatch":
            hit = next((f for f in figures if f.printed == d.new and f.subject == d.note), None)
            d.line = hit.line if hit else None
        elif d.type == "missing_table":
            d.line = None
        else:
            copy = 2 if d.type == "duplicate_attachment" else 1
            for t in tables:
                if t.kind != d.table or t.copy_no != copy:
                    continue
                for n in range(t.line, t.end_line + 1):
                    if d.new and d.new in lines[n - 1]:
                        if d.type == "duplicate_attachment" and not any(c.line == n and c.printed == d.new
                                                                         for c in t.cells):
                            continue
                        d.line = n
                        break
                if d.line:
                    break


def _job(args: tuple[int, str, int, dict | None, str]) -> str:
    seed, kind, units, spec, out = args
    doc = generate(seed, kind, n_units=units, defects=DefectSpec(**spec) if spec else None)  # type: ignore[arg-type]
    p = Path(out) / f"{doc.name}.txt"
    p.write_text(doc.text, encoding="utf-8")
    (Path(out) / f"{doc.name}.truth.json").write_text(doc.truth.model_dump_json(), encoding="utf-8")
    return str(p)


def write_corpus(out_dir: str | Path, n: int, seed: int = 0, *,
                 kind_mix: dict[str, float] | None = None, defect_rate: float = 0.3,
                 max_units: int = 4, workers: int = 1) -> list[Path]:
    """Write n documents as ``<name>.txt`` + ``<name>.truth.json``; returns the text paths.

    ``kind_mix`` weights the kinds (default half budgets, half final accounts); ``defect_rate`` is
    the share of documents that get one to three random defects; a quarter are multi-unit 部门
    documents (2..max_units units). The corpus is the same for any ``workers`` (processes).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from eval.synth.to_store import corpus_jobs  # one way of drawing the corpus, shared with the store writer

    jobs = [(j.seed, j.kind, j.units, j.defects, str(out))
            for j in corpus_jobs(n, seed, kind_mix=kind_mix, defect_rate=defect_rate, max_units=max_units)]
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            return [Path(p) for p in pool.map(_job, jobs, chunksize=16)]
    return [Path(_job(j)) for j in jobs]
