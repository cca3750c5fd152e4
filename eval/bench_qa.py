"""Question-answering benchmark on stores of generated documents: ``bench_qa(corpus, smoke) -> dict``.

For each store size (1,000 and 10,000 documents; smoke: 200) built with ``eval.synth.to_store``:

- ``answer``: latency p50/p95 of ``qa_app.engine.answer`` over ~30 analyst questions templated over
  the generated orgs and years (smoke: 10), warm (the first, cold answer is reported apart), and
  whether each answer is structured and carries the figure the truth says (target p95 < 300 ms);
- ``answer_search``: the same for a few questions the router sends to retrieval (the search tool);
- ``retrieval``: ``SearchIndex.search`` (vector + BM25, fused) latency p50/p95 on the same questions,
  with its two halves apart, and whether the top passage carries the expected figure (target p95 < 200 ms);
- ``baseline_vector``: plain vector search (the Chroma query only, no structured tools) on the same
  questions: latency and whether its top passage carries the expected figure;
- ``overheads``: per-question costs that grow with the store (the store signature every answer
  computes, the index sync every search runs), and the catalog's cold load time and memory;
- ``profile``: the engine functions with the largest cumulative time per question (cProfile).

``index_build``: the vector index build rate (entries/s) on 100 rendered documents (smoke: 10):
``render_digital`` → ``load_pdf`` → extract → store → the store's index hook, step by step.

A step that would not fit in memory (the engine's catalog, the BM25 index) is skipped with the
projection that made it skip, measured on the smaller store. Non-smoke stores and indexes are
cached under ``BUDGETLENS_BENCH_CACHE`` (default ``/tmp/budgetlens-bench``), keyed by the source of
everything they are built from, with the build figures of the run that built them.
"""

from __future__ import annotations

import cProfile
import gc
import hashlib
import json
import os
import pickle
import pstats
import random
import re
import resource
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from eval.synth.model import SynthDoc
from eval.synth.to_store import build_index_from_store, corpus_jobs, synth_doc, write_store

SEED = 5
DEFECT_RATE = 0.3
TARGET_ANSWER_P95_MS = 300
TARGET_RETRIEVAL_P95_MS = 200
BM25_PEAK = 2.5  # peak / resident memory of the BM25 index while it is serialised or parsed (JSON)
ROOT = Path(__file__).resolve().parents[1]
CACHED_SOURCES = ["extractor", "schemas", "eval/synth", "qa_app/engine/chunks.py", "qa_app/engine/bm25.py",
                  "qa_app/engine/catalog.py", "qa_app/engine/cite.py", "qa_app/engine/embeddings.py", "qa_app/index.py"]


@dataclass
class Config:
    sizes: tuple[int, ...]
    questions: int
    search_questions: int
    rounds: int
    real_docs: int  # documents embedded by the model (the others borrow real vectors)
    rendered: int
    workers: int = 2
    validate: bool = True
    profile: bool = True


FULL = Config(sizes=(1000, 10000), questions=30, search_questions=6, rounds=3, real_docs=1000, rendered=100)
SMOKE = Config(sizes=(200,), questions=10, search_questions=3, rounds=1, real_docs=12, rendered=10, validate=False,
               profile=False)


# --- questions ------------------------------------------------------------------------------------
@dataclass
class Question:
    text: str
    template: str
    expected: str  # the figure the answer must carry, as printed in the document
    tool: str  # the tool that should answer it ("search" for retrieval questions)
    doc: str  # the generated document's name
    corpus_index: int


_NUM = re.compile(r"(?<![\d.])-?\d[\d,]*(?:\.\d+)?")


def numbers(text: str) -> set[Decimal]:
    out = set()
    for m in _NUM.findall(text):
        try:
            out.add(Decimal(m.replace(",", "")))
        except InvalidOperation:
            continue
    return out


def carries(text: str, expected: str) -> bool:
    want = numbers(expected)
    return bool(want) and next(iter(want)) in numbers(text)


def _cell(doc: SynthDoc, kind: str, rows: tuple[str, ...], col: Callable[[str], bool]) -> str | None:
    t = doc.truth.table(kind)
    if t is None:
        return None
    for row in rows:
        for c in t.cells:
            if c.row == row and col(c.column) and numbers(c.printed):
                return c.printed
    return None


def _function_line(doc: SynthDoc, rng: random.Random) -> tuple[str, str, str] | None:
    """(code, name, 合计) of a 项-level line of the budget's expenditure table."""
    t = doc.truth.table("budget_expenditure")
    if t is None:
        return None
    lines = doc.text.split("\n")
    cands = []
    for c in t.cells:
        if len(c.row) == 7 and c.column == "合计" and numbers(c.printed):
            cells = [x.strip() for x in lines[c.line - 1].split("\t")]
            name = next((x for x in cells if x and not numbers(x) and re.search(r"[\u4e00-\u9fff]", x)), None)
            if name and len(name) >= 3:
                cands.append((c.row, name.lstrip("\u3000 "), c.printed))
    return rng.choice(cands) if cands else None


def _template(name: str, doc: SynthDoc, rng: random.Random) -> tuple[str, str, str] | None:
    """(question, expected, tool) or None when the document cannot answer it."""
    tr = doc.truth
    who = f"{tr.org}{tr.year}年"
    own = [p for p in tr.projects if not p.carryover and p.org in (tr.org, *tr.units[:1])]
    if name == "income":
        kind, row, col = (("budget_summary", "收入总计", lambda c: c.startswith("收入/")) if tr.kind == "budget"
                          else ("final_summary", "总计", lambda c: c == "收入/金额"))
        exp = _cell(doc, kind, (row,), col)
        return (f"{who}{'预算' if tr.kind == 'budget' else '决算'}收入总计多少？", exp, "totals") if exp else None
    if name == "personnel":
        exp = _cell(doc, "budget_basic_economic", ("合计",), lambda c: c == "人员经费")
        return (f"{who}预算的人员经费和公用经费各多少？", exp, "totals") if exp else None
    if name == "sangong":
        exp = (_cell(doc, "budget_sangong", ("合计",), lambda c: c == "合计") if tr.kind == "budget"
               else _cell(doc, "final_sangong", ("数据",), lambda c: c == "决算数/合计"))
        return (f"{who}{'预算' if tr.kind == 'budget' else '决算'}三公经费是多少？", exp, "sangong") if exp else None
    if name == "operating":
        t = tr.table("budget_operating_cost")
        rows = tuple(dict.fromkeys(c.row for c in t.cells)) if t else ()
        exp = _cell(doc, "budget_operating_cost", ("部门合计", "合计") if len(rows) > 1 else rows, lambda c: c == "合计")
        return (f"{who}预算机关运行经费是多少？", exp, "operating_cost") if exp else None
    if name == "top":
        if not own:
            return None
        top = max(own, key=lambda p: Decimal(p.amount))
        return f"{who}预算金额最大的三个项目是什么？", top.amount, "top_projects"
    if name == "project":
        named = [p for p in own if len(p.name) >= 6]
        if not named:
            return None
        p = rng.choice(named)
        return f"{who}预算{p.name}安排了多少？", p.amount, "project"
    if name == "function":
        hit = _function_line(doc, rng)
        return (f"{who}预算中{hit[1]}({hit[0]})安排了多少？", hit[2], "function") if hit else None
    if name == "execution":
        rated = [p for p in tr.projects if p.self_evaluation and p.self_evaluation.initial_rate
                 and Decimal(p.self_evaluation.initial_rate) < 100]
        if not rated:
            return None
        low = min(rated, key=lambda p: Decimal(p.self_evaluation.initial_rate))  # type: ignore[union-attr, arg-type]
        return f"{who}决算哪些项目预算执行率偏低？", low.self_evaluation.executed, "execution"  # type: ignore[union-attr]
    if name == "project_rate":
        rated = [p for p in tr.projects if p.self_evaluation and len(p.name) >= 6]
        if not rated:
            return None
        p = rng.choice(rated)
        return f"{who}决算{p.name}的执行率是多少？", p.self_evaluation.rate, "execution"  # type: ignore[union-attr]
    if name == "structure":  # narrative: routed to retrieval
        lines = doc.text.split("\n")
        at = next((i for i, ln in enumerate(lines) if "机构设置" in ln and len(ln) < 20), None)
        line = next((ln for ln in lines[at + 1:at + 3] if numbers(ln)), None) if at is not None else None
        if not line:
            return None
        kind = "预算" if tr.kind == "budget" else "决算"
        return f"{who}{kind}公开的机构设置情况", sorted(_NUM.findall(line), key=len)[-1], "search"
    raise ValueError(name)


BUDGET_TEMPLATES = ["income", "project", "sangong", "function", "top", "personnel", "operating"]
FINAL_TEMPLATES = ["income", "project_rate", "sangong", "execution"]


def make_questions(pool: int, n: int, n_search: int, seed: int = SEED) -> list[Question]:
    """n structured questions and n_search retrieval questions, one document each, drawn from the
    first ``pool`` documents of the corpus (those without injected defects), templates in turn."""
    out: list[Question] = []
    search: list[Question] = []
    turn = Counter[str]()
    rng = random.Random(f"bench-qa/{seed}")
    for job in corpus_jobs(pool, seed, defect_rate=DEFECT_RATE):
        if len(out) >= n and len(search) >= n_search:
            break
        if job.defects:
            continue
        doc = synth_doc(job)
        templates = BUDGET_TEMPLATES if job.kind == "budget" else FINAL_TEMPLATES
        want_search = len(search) < n_search and (len(out) >= n or job.position % 4 == 3)
        if want_search:
            if q := _template("structure", doc, rng):
                search.append(Question(q[0], "structure", q[1], q[2], doc.name, job.position))
            continue
        for k in range(len(templates)):
            name = templates[(turn[job.kind] + k) % len(templates)]
            if q := _template(name, doc, rng):
                turn[job.kind] += k + 1
                out.append(Question(q[0], name, q[1], q[2], doc.name, job.position))
                break
    return out[:n] + search[:n_search]


# --- measuring ------------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, max(0, int(round(q * len(v) + 0.5)) - 1))]


def lat(values_s: list[float]) -> dict:
    ms = [1000 * v for v in values_s]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 1) if ms else 0.0, "p95_ms": round(pct(ms, 0.95), 1),
            "max_ms": round(max(ms), 1) if ms else 0.0}


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def available_mb() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> dict:
    return {"self": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "children": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}


@contextmanager
def _local_index() -> Iterator[None]:
    """The benchmark's indexes are local: never write into a shared Chroma server."""
    saved = os.environ.pop("BUDGETLENS_CHROMA_URL", None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ["BUDGETLENS_CHROMA_URL"] = saved


def _release(home: Path) -> None:
    """Drop the engine's caches for a store (catalog, search index) so the next size starts clean."""
    from qa_app import index as qindex
    from qa_app.engine.catalog import invalidate

    invalidate()
    for key in [k for k in qindex._INDEXES if k[0] == str(home.resolve())]:
        qindex._INDEXES.pop(key, None)
    gc.collect()


# --- building (cached) ----------------------------------------------------------------------------
def _source_key(*extra: object) -> str:
    h = hashlib.sha256(repr(extra).encode())
    for rel in CACHED_SOURCES:
        p = ROOT / rel
        for f in sorted([p] if p.is_file() else p.rglob("*.py")):
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _copy_store(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    a = sqlite3.connect(src / "budgetlens.sqlite")
    b = sqlite3.connect(dst / "budgetlens.sqlite")
    a.backup(b)
    a.close()
    b.close()
    if (src / "files").is_dir():
        shutil.copytree(src / "files", dst / "files", copy_function=os.link, dirs_exist_ok=True)


def _doc_ids(home: Path) -> list[str]:
    db = sqlite3.connect(home / "budgetlens.sqlite")
    try:
        return [r[0] for r in db.execute("SELECT id FROM documents ORDER BY file_name")]
    finally:
        db.close()


def _corpus_order(home: Path) -> list[tuple[str, str]]:
    """(id, file name) in corpus order (a generated name carries seed × 100000 + corpus index)."""
    db = sqlite3.connect(home / "budgetlens.sqlite")
    try:
        rows = db.execute("SELECT id, file_name FROM documents").fetchall()
    finally:
        db.close()
    return sorted(rows, key=lambda r: int(re.findall(r"\d+", r[1])[0]) % 100_000)


def build_home(home: Path, size: int, cfg: Config, seed: int, *, base: Path | None, bm25: bool,
               embed_cache: dict, log: Callable[[str], None], targets: Collection[str] = ()) -> dict:
    """Store of ``size`` documents (extending ``base``'s smaller store when given) and its index."""
    from extractor.store import open_store

    info: dict[str, Any] = {}
    start = 0
    if base is not None:
        _copy_store(base, home)
        start = len(_doc_ids(home))
    home.mkdir(parents=True, exist_ok=True)
    store = open_store(home)
    t = time.perf_counter()
    w = write_store(store, size, seed, workers=cfg.workers, start=start, validate=cfg.validate,
                    defect_rate=DEFECT_RATE, progress=_every(log, f"store {size}", 500))
    info["store"] = {**w.as_dict(), "copied_from_smaller": start, "seconds_total": round(time.perf_counter() - t, 1)}
    order = _corpus_order(home)
    real = {i for i, _ in order[:cfg.real_docs]} | {i for i, name in order if name in targets}  # questions' docs
    s = build_index_from_store(store, embedding=None, real_ids=real, bm25=bm25, workers=cfg.workers,
                               cache=embed_cache, order=[i for i, _ in order], progress=_every(log, f"index {size}", 1000))
    info["index"] = s.as_dict()
    store.close()
    _release(home)
    return info


def _every(log: Callable[[str], None], what: str, step: int) -> Callable[[int, int], None]:
    def progress(done: int, total: int) -> None:
        if done == total or done // step != (done - 1) // step:
            log(f"{what}: {done}/{total}")
    return progress


# --- measuring one store --------------------------------------------------------------------------
def _answer_text(a: Any) -> str:
    rows = " ".join(" ".join(r) for r in a.table.rows) if a.table else ""
    return f"{a.text} {rows}"


def measure_answers(store: Any, questions: list[Question], rounds: int) -> dict:
    from qa_app.engine import answer

    times: list[float] = []
    tools: Counter[str] = Counter()
    right, structured, wrong_tool = 0, 0, []
    for r in range(rounds):
        for q in questions:
            t = time.perf_counter()
            a = answer(store, q.text)
            times.append(time.perf_counter() - t)
            if r == 0:
                tools[a.tool or "none"] += 1
                structured += a.kind.value == "computed"
                ok = carries(_answer_text(a), q.expected)
                right += ok
                if a.tool != q.tool:
                    wrong_tool.append(f"{q.template}: {a.tool} ({q.text})")
    return {**lat(times), "questions": len(questions), "structured": structured, "carries_expected": right,
            "accuracy": round(right / len(questions), 3) if questions else 0.0, "tools": dict(tools),
            "unexpected_tool": wrong_tool[:5]}


def measure_retrieval(index: Any, questions: list[Question], rounds: int) -> dict:
    """``SearchIndex.search`` (vector + BM25, fused; what the search tool ranks with) latency, its two
    halves apart, and whether the top passages carry the expected figure."""
    fused, vec, bm = [], [], []
    acc = Counter[str]()
    for r in range(rounds):
        for q in questions:
            t = time.perf_counter()
            hits = index.search(q.text, k=12)
            fused.append(time.perf_counter() - t)
            t = time.perf_counter()
            index.vector_search(q.text, 30)
            vec.append(time.perf_counter() - t)
            t = time.perf_counter()
            index.bm25.search(q.text, 30)
            bm.append(time.perf_counter() - t)
            if r == 0:
                acc["top1"] += bool(hits) and carries(hits[0].text, q.expected)
                acc["top3"] += any(carries(h.text, q.expected) for h in hits[:3])
    n = len(questions) or 1
    return {"search": lat(fused), "vector_half": lat(vec), "bm25_half": lat(bm),
            "top1_carries_expected": round(acc["top1"] / n, 3), "top3_carries_expected": round(acc["top3"] / n, 3)}


def measure_vector_only(index: Any, questions: list[Question], rounds: int) -> dict:
    plain = []
    acc = Counter[str]()
    for r in range(rounds):
        for q in questions:
            t = time.perf_counter()
            top = index.vector_search(q.text, 5)
            plain.append(time.perf_counter() - t)
            if r == 0:
                acc["top1"] += bool(top) and carries(top[0][1], q.expected)
                acc["top3"] += any(carries(x[1], q.expected) for x in top[:3])
    n = len(questions) or 1
    return {"what": "Chroma query only (query embedding + nearest 5), no structured tools", **lat(plain),
            "top1_carries_expected": round(acc["top1"] / n, 3), "top3_carries_expected": round(acc["top3"] / n, 3)}


def profile_answers(store: Any, questions: list[Question], top: int = 14) -> list[dict]:
    """The engine functions with the largest cumulative time, per question (one warm pass)."""
    from qa_app.engine import answer

    pr = cProfile.Profile()
    pr.enable()
    for q in questions:
        answer(store, q.text)
    pr.disable()
    st = pstats.Stats(pr)
    rows = []
    for (file, line, fn), (_cc, nc, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        if "/qa_app/" not in file and "/extractor/" not in file:
            continue
        rel = file.split("/work/main/")[-1] if "/work/main/" in file else file
        rows.append({"function": f"{rel}:{line}:{fn}", "calls_per_question": round(nc / len(questions), 1),
                     "cum_ms_per_question": round(1000 * ct / len(questions), 2),
                     "self_ms_per_question": round(1000 * tt / len(questions), 2)})
    rows.sort(key=lambda r: -r["cum_ms_per_question"])
    skip = {"qa_app/engine/answering.py", "qa_app/engine/tools.py"}  # the wrappers around everything
    return [r for r in rows if not any(r["function"].startswith(s) for s in skip)][:top]


def measure_store(home: Path, questions: list[Question], cfg: Config, budget: dict, log: Callable[[str], None]) -> dict:
    from extractor.store import open_store
    from qa_app.engine.catalog import load_catalog, store_signature
    from qa_app.index import get_index

    store = open_store(home)
    out: dict[str, Any] = {"documents": store.db.execute("SELECT count(*) FROM documents").fetchone()[0]}
    structured = [q for q in questions if q.tool != "search"]
    searchq = [q for q in questions if q.tool == "search"]
    n_docs = out["documents"]

    t = time.perf_counter()
    for _ in range(3):
        store_signature(store)
    out["overheads"] = {"store_signature_ms": round(1000 * (time.perf_counter() - t) / 3, 3),
                        "cells_rows": store.db.execute("SELECT count(*) FROM cells").fetchone()[0]}
    # A store written before the terms table existed gets its terms once (what an upgrade costs).
    missing = store.db.execute("SELECT count(*) FROM documents WHERE id NOT IN (SELECT DISTINCT doc_id FROM terms)"
                               ).fetchone()[0]
    if missing:
        log(f"{n_docs} docs: writing the terms of {missing} documents (a store from before terms existed)")
        t = time.perf_counter()
        store.terms()
        out["terms_migration"] = {"documents": missing, "seconds": round(time.perf_counter() - t, 1)}

    if (home / "index" / "bm25.json").exists():  # an index from before BM25 moved to SQLite: imported once
        from qa_app.engine.bm25 import Bm25Index

        log(f"{n_docs} docs: importing bm25.json")
        t = time.perf_counter()
        Bm25Index(home / "index" / "bm25.sqlite").db.close()
        out["bm25_import_s"] = round(time.perf_counter() - t, 1)
    index = get_index(home)
    t = time.perf_counter()
    index.sync(store)  # the first sync after an upgrade checks every document once
    out["index_first_sync_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    count = index.collection.count()
    index.vector_search("预热", 1)
    out["index_open_s"] = round(time.perf_counter() - t, 2)
    out["vector_entries"] = count

    out["baseline_vector"] = measure_vector_only(index, structured, cfg.rounds)
    skipped: dict[str, str] = {}
    if index.bm25.count():
        before = rss_mb()  # the BM25 matrix loads (or is built) on the first search: cold, then its memory
        t = time.perf_counter()
        index.search("预热", k=1)
        out["retrieval_cold_s"] = round(time.perf_counter() - t, 2)
        entries = index.bm25.count()
        out["bm25"] = {"entries": entries, "rss_delta_mb": round(rss_mb() - before, 1)}
        from qa_app.engine.bm25 import Bm25Index

        t = time.perf_counter()  # another process (or the next start): the saved matrix, memory-mapped
        other = Bm25Index(home / "index" / "bm25.sqlite")
        other.search("预热", k=1)
        out["bm25"]["reopen_first_search_s"] = round(time.perf_counter() - t, 2)
        other.db.close()
        # one document re-indexed (what an ingest or a correction does): the next search rebuilds the matrix
        some = index.bm25.doc_ids()[0]
        index.bm25.put_entries(some, index.bm25.entries(some))
        t = time.perf_counter()
        index.search("预热", k=1)
        out["bm25"]["first_search_after_a_write_s"] = round(time.perf_counter() - t, 2)
        budget["bm25_mb_per_entry"] = max(budget.get("bm25_mb_per_entry", 0), (rss_mb() - before) / max(entries, 1))
        budget["bm25_entries_per_doc"] = entries / max(n_docs, 1)
        log(f"{n_docs} docs: retrieval")
        out["retrieval"] = measure_retrieval(index, structured, cfg.rounds)
        out["retrieval"]["target_p95_ms"] = TARGET_RETRIEVAL_P95_MS
    else:
        need = budget.get("bm25_mb_per_entry", 0) * budget.get("bm25_entries_per_doc", 0) * n_docs
        skipped["retrieval (fused), answer_search"] = (
            f"no BM25 index: ~{need / 1024:.1f} GB resident in every process that searches (~{BM25_PEAK:g}x that "
            f"while it is written or loaded; {available_mb() / 1024:.1f} GB available), "
            f"~{budget.get('bm25_entries_per_doc', 0) * n_docs / 1e6:.1f} M entries: qa_app.engine.bm25.Bm25Index "
            "holds the bm25s matrix of every entry in memory")
    projected = budget.get("catalog_mb_per_doc", 0) * n_docs
    if projected > 0.6 * available_mb():
        skipped["answer, answer_search, profile"] = (
            f"the engine's catalog would need ~{projected / 1024:.1f} GB ({budget['catalog_mb_per_doc']:.2f} MB per "
            f"document measured on the smaller store; {available_mb() / 1024:.1f} GB available): "
            "qa_app.engine.catalog.load_catalog holds every document's metadata and terms")
    if skipped:
        out["skipped"] = skipped
        store.close()
        return out

    # the catalog (every answer starts from it): cold load, memory
    before = rss_mb()
    t = time.perf_counter()
    load_catalog(store)
    out["catalog"] = {"cold_load_s": round(time.perf_counter() - t, 1), "rss_delta_mb": round(rss_mb() - before, 1)}
    out["catalog"]["mb_per_doc"] = round(out["catalog"]["rss_delta_mb"] / max(n_docs, 1), 3)
    budget["catalog_mb_per_doc"] = max(budget.get("catalog_mb_per_doc", 0), out["catalog"]["mb_per_doc"])

    from qa_app.engine import answer

    t = time.perf_counter()
    answer(store, structured[0].text)
    out["answer_first_after_catalog_ms"] = round(1000 * (time.perf_counter() - t), 1)  # builds the lexicon
    log(f"{n_docs} docs: answers")
    out["answer"] = measure_answers(store, structured, cfg.rounds)
    out["answer"]["target_p95_ms"] = TARGET_ANSWER_P95_MS
    if searchq:
        out["answer_search"] = measure_answers(store, searchq, cfg.rounds)
    t = time.perf_counter()
    index.sync(store)
    out["overheads"]["index_sync_noop_ms"] = round(1000 * (time.perf_counter() - t), 1)
    out["catalog"]["documents_parsed_after_answers"] = sum(d.loaded for d in load_catalog(store).docs)
    from qa_app.engine.linking import lexicon

    lex = lexicon(load_catalog(store))
    out["overheads"]["lexicon_spans"] = len(lex.spans)
    out["overheads"]["lexicon_project_aliases"] = len(lex.projects)
    if cfg.profile:
        log(f"{n_docs} docs: profile")
        out["profile"] = profile_answers(store, structured + searchq)
    out["rss_mb_after"] = round(rss_mb(), 1)
    store.close()
    return out


# --- (c) index build rate on rendered documents ---------------------------------------------------
def bench_index_build(n: int, seed: int, log: Callable[[str], None]) -> dict:
    """Render ``n`` generated documents to PDF, ingest them (load_pdf + extract + store), then index
    each as the store's hook does (``update_index``: read the document, ``index_document``)."""
    from datetime import UTC, datetime

    from eval.render import render_digital
    from extractor.config import EXTRACTOR_VERSION, ExtractionSettings
    from extractor.extract import document_identity, extract_tables
    from extractor.load_pdf import load_pdf
    from extractor.paragraphs import narrative_paragraphs
    from extractor.pipeline import content_hash
    from extractor.store import open_store
    from qa_app.engine.bm25 import tokenize
    from qa_app.engine.catalog import document, invalidate
    from qa_app.index import get_index
    from schemas.tables import DocumentMeta

    jobs = corpus_jobs(n, seed + 1, defect_rate=0)
    with tempfile.TemporaryDirectory(prefix="bench-qa-render-") as tmp:
        home = Path(tmp)
        t = time.perf_counter()
        pdfs = [(d.name, render_digital(d.text, seed=j.seed)[0]) for j in jobs if (d := synth_doc(j))]
        render_s = time.perf_counter() - t
        store = open_store(home)
        t = time.perf_counter()
        pages = 0
        ids = []
        for name, pdf in pdfs:
            doc_id = content_hash(pdf)
            loaded = load_pdf(pdf, doc_id, f"{name}.pdf")
            tables, seg = extract_tables(loaded)
            org, year, kind = document_identity(seg, tables)
            pages += len(loaded.pages)
            meta = DocumentMeta(id=doc_id, file_name=f"{name}.pdf", org=org, year=year, kind=kind, source=loaded.source,
                                page_count=len(loaded.pages), extractor_version=EXTRACTOR_VERSION,
                                settings_hash=ExtractionSettings().digest(), ingested_at=datetime.now(UTC))
            narrative = narrative_paragraphs(seg)
            store.save_document(meta, tables, narrative)
            ids.append(doc_id)
        ingest_s = time.perf_counter() - t
        log(f"index build: {n} rendered documents ingested")
        index = get_index(home)
        index.embed(["预热"])  # the model and the tokenizer load once, not inside the first document's figure
        tokenize("预热")
        per_doc: list[tuple[float, float]] = []
        vec_entries = all_entries = 0
        for doc_id in ids:  # what qa_app.index.update_index does, step by step
            t = time.perf_counter()
            invalidate(store)
            doc = document(store, doc_id)
            t_cat = time.perf_counter() - t
            assert doc is not None
            t = time.perf_counter()
            all_entries += index.index_document(store, doc)
            per_doc.append((t_cat, time.perf_counter() - t))
        vec_entries = index.collection.count()
        index_s = sum(b for _, b in per_doc)
        hook_s = sum(a + b for a, b in per_doc)
        k = max(1, min(10, n // 4))
        out = {"documents": n, "pages": pages, "render_s": round(render_s, 1),
               "ingest_pages_per_s": round(pages / ingest_s, 1) if ingest_s else 0.0,
               "vector_entries": vec_entries, "bm25_entries": all_entries,
               "index_document_s": round(index_s, 1),
               "vector_entries_per_s": round(vec_entries / index_s, 1) if index_s else 0.0,
               "all_entries_per_s": round(all_entries / index_s, 1) if index_s else 0.0,
               "with_hook_document_read": {"seconds": round(hook_s, 1),
                                            "vector_entries_per_s": round(vec_entries / hook_s, 1) if hook_s else 0.0},
               "per_doc_ms_first_vs_last": {
                   "index_document": [round(1000 * statistics.mean(b for _, b in per_doc[:k]), 1),
                                      round(1000 * statistics.mean(b for _, b in per_doc[-k:]), 1)],
                   "document_read": [round(1000 * statistics.mean(a for a, _ in per_doc[:k]), 1),
                                      round(1000 * statistics.mean(a for a, _ in per_doc[-k:]), 1)]}}
        store.close()
        _release(home)
    return out


# --- the benchmark --------------------------------------------------------------------------------
def _embed_cache_path(root: Path) -> Path:
    spec = os.environ.get("BUDGETLENS_EMBEDDING") or "use"
    return root / f"embeddings-{re.sub(r'[^A-Za-z0-9]+', '_', spec)}.pkl"


def bench_qa(corpus: Path, smoke: bool, *, config: Config | None = None, log: Callable[[str], None] | None = None,
             cache: Path | None = None) -> dict:
    """See the module docstring. ``corpus`` is not read: every document is generated."""
    cfg = config or (SMOKE if smoke else FULL)
    say = log or (lambda m: print(f"[bench qa {time.strftime('%H:%M:%S')}] {m}", flush=True))
    t_all = time.perf_counter()
    out: dict[str, Any] = {"smoke": smoke, "seed": SEED, "config": asdict(cfg), "cores": os.cpu_count(),
                           "load_average_at_start": [round(x, 1) for x in os.getloadavg()], "stores": {}}
    questions = make_questions(min(cfg.sizes), cfg.questions, cfg.search_questions)
    out["questions"] = {"structured": sum(q.tool != "search" for q in questions),
                        "search": sum(q.tool == "search" for q in questions),
                        "templates": dict(Counter(q.template for q in questions)),
                        "examples": [q.text for q in questions[:3]]}
    use_cache = cache is not None or not smoke
    tmp = None
    if use_cache:
        root = cache or Path(os.environ.get("BUDGETLENS_BENCH_CACHE", "/tmp/budgetlens-bench"))
    else:
        tmp = tempfile.mkdtemp(prefix="bench-qa-")
        root = Path(tmp)
    root.mkdir(parents=True, exist_ok=True)
    embed_cache: dict = {}
    cache_file = _embed_cache_path(root)
    if use_cache and cache_file.exists():
        embed_cache = pickle.loads(cache_file.read_bytes())
    budget: dict[str, float] = {}
    try:
        with _local_index():
            prev: Path | None = None
            for size in cfg.sizes:
                targets = {f"{q.doc}.txt" for q in questions}
                key = _source_key(size, SEED, DEFECT_RATE, cfg.real_docs, cfg.validate, min(cfg.sizes), sorted(targets))
                home = root / f"n{size}-{key}"
                built = home / "built.json"
                entry: dict[str, Any] = {}
                if built.exists():
                    entry["build"] = {**json.loads(built.read_text()), "cached": True}
                    say(f"{size} docs: cached store and index at {home}")
                else:
                    if use_cache:
                        for old in root.glob(f"n{size}-*"):
                            shutil.rmtree(old, ignore_errors=True)
                    bm25 = True
                    if budget.get("bm25_mb_per_entry"):
                        need = budget["bm25_mb_per_entry"] * budget["bm25_entries_per_doc"] * size * BM25_PEAK
                        bm25 = need < 0.5 * available_mb()
                    say(f"{size} docs: building store and index (bm25={bm25})")
                    info = build_home(home, size, cfg, SEED, base=prev, bm25=bm25, embed_cache=embed_cache, log=say,
                                      targets=targets)
                    built.write_text(json.dumps(info))
                    entry["build"] = {**info, "cached": False}
                    if use_cache:
                        cache_file.write_bytes(pickle.dumps(embed_cache))
                say(f"{size} docs: measuring")
                entry.update(measure_store(home, questions, cfg, budget, say))
                entry["disk_mb"] = round(sum(f.stat().st_size for f in home.rglob("*") if f.is_file()) / 2**20, 1)
                out["stores"][str(size)] = entry
                _release(home)
                prev = home
            say(f"index build rate: {cfg.rendered} rendered documents")
            out["index_build"] = bench_index_build(cfg.rendered, SEED, say)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    out["targets"] = {"answer_p95_ms": TARGET_ANSWER_P95_MS, "retrieval_p95_ms": TARGET_RETRIEVAL_P95_MS}
    out["peak_rss_mb"] = peak_rss_mb()
    out["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
    out["seconds"] = round(time.perf_counter() - t_all, 1)
    return out


if __name__ == "__main__":
    import sys

    print(json.dumps(bench_qa(Path("."), "--smoke" in sys.argv), ensure_ascii=False, indent=1))
