"""Benchmarks, each figure beside a baseline measured in the same run.

ingest: digital PDFs (text + tables + mapping) pages/s vs raw PyMuPDF word extraction of the same
pages (the floor) and pdfplumber's table extraction; scanned s/page; peak memory of a 500-page PDF
ingested in a child process (dense 收入总表s, ≥ 200 numeric cells per page). validate: seconds for a ~200-page document of real tables.
"""

from __future__ import annotations

import dataclasses
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pymupdf

from eval.render import read_text, render_digital, render_scanned
from eval.render_layout import Layout
from extractor.extract import extract_tables
from extractor.values import is_number_text

CORPUS_FILES = ["fenyang-emergency-2024-budget.txt", "datong-emergency-2025-budget.md",
                "yangcheng-emergency-2024-final-accounts.txt"]


def _pages_per_s(pages: int, seconds: float) -> float:
    return round(pages / seconds, 2) if seconds else 0.0


def bench_digital(corpus: Path, smoke: bool) -> dict:
    from extractor.load_pdf import load_pdf

    files = CORPUS_FILES[1:2] if smoke else CORPUS_FILES
    pdfs = [render_digital(read_text(corpus / f), seed=11)[0] for f in files]
    pages = sum(pymupdf.open(stream=p, filetype="pdf").page_count for p in pdfs)
    t0 = time.perf_counter()
    for p in pdfs:
        doc = pymupdf.open(stream=p, filetype="pdf")
        for page in doc.pages():
            page.get_text("words")
    raw = time.perf_counter() - t0
    t0 = time.perf_counter()
    for n, p in enumerate(pdfs):
        extract_tables(load_pdf(p, f"bench{n}", f"bench{n}.pdf"))
    ours = time.perf_counter() - t0
    out = {"pages": pages, "ours_pages_per_s": _pages_per_s(pages, ours),
           "raw_pymupdf_words_pages_per_s": _pages_per_s(pages, raw),
           "ratio_to_raw": round(ours / raw, 1) if raw else None, "target_pages_per_s": 20}
    out["pdfplumber_tables_pages_per_s"] = _pdfplumber(pdfs[:1], 10 if smoke else 40)
    return out


def _pdfplumber(pdfs: list[bytes], max_pages: int) -> float | None:
    try:
        import io

        import pdfplumber
    except ImportError:
        return None
    t0, n = time.perf_counter(), 0
    for p in pdfs:
        with pdfplumber.open(io.BytesIO(p)) as pdf:
            for page in pdf.pages[:max_pages]:
                page.extract_tables()
                n += 1
    return _pages_per_s(n, time.perf_counter() - t0)


def bench_scanned(corpus: Path, smoke: bool) -> dict:
    from extractor.load_pdf import load_pdf

    pages = [1, 2] if smoke else [3, 4, 5, 6, 7, 8]
    pdf, _ = render_scanned(read_text(corpus / CORPUS_FILES[2]), seed=11, pages=pages)
    load_pdf(pdf, "warm", "warm.pdf", ocr=True, ocr_pages_limit=1) if not smoke else None  # model load once
    t0 = time.perf_counter()
    doc = load_pdf(pdf, "scan", "scan.pdf", ocr=True)
    seconds = time.perf_counter() - t0
    return {"pages": len(pages), "seconds_per_page": round(seconds / len(pages), 2), "target_seconds_per_page": 3,
            "pages_ocr": sum(1 for p in doc.pages if p.ocr)}


def big_text(corpus: Path, pages_wanted: int) -> str:
    """A ~N-page document of real tables: the corpus's function-classified tables repeated."""
    text = read_text(corpus / CORPUS_FILES[0])
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if "预算收入总表" in ln)
    end = next(i for i, ln in enumerate(lines) if "项目支出预算表（本年预算）" in ln)
    block = "\n".join(lines[start:end])
    return "\n\n".join([block] * max(1, pages_wanted // 10))


INCOME_COLUMNS = ["合计", "上年结转", "一般公共预算拨款收入", "政府性基金预算拨款收入", "国有资本经营预算拨款收入",
                  "财政专户管理资金收入", "事业收入", "事业单位经营收入", "其他收入"]


def dense_text(pages_wanted: int, seed: int = 5) -> str:
    """A budget book of dense 收入总表s: every row a 类/款/项 line with all nine amount columns printed
    (合计 = the sum of this year's sources; 类 = Σ款 = Σ项), set small as such tables are printed."""
    rng = random.Random(seed)
    header = "\t".join(["科目编码", "科目名称", *INCOME_COLUMNS])
    tables, rows_per_page = [], 28  # at 6 pt with 9 amount columns (measured)
    budget_rows = pages_wanted * rows_per_page
    made, n_table, lei = 0, 0, 201
    while made < budget_rows:
        n_table += 1
        body: list[str] = []
        for _ in range(8):  # 8 类 per table: ~8 pages
            kuan_rows: list[tuple[str, list[int]]] = []
            lei_sum = [0] * 8
            block: list[str] = []
            for k in range(1, 6):
                xiang = [[rng.randint(0, 900_000) for _ in range(8)] for _ in range(8)]
                kuan_sum = [sum(col) for col in zip(*xiang, strict=True)]
                lei_sum = [a + b for a, b in zip(lei_sum, kuan_sum, strict=True)]
                kuan_rows.append((f"{lei}{k:02d}", kuan_sum))
                block.append(_money_row(f"{lei}{k:02d}", f"款{lei}{k:02d}", kuan_sum))
                block += [_money_row(f"{lei}{k:02d}{x:02d}", f"项目名称{lei}{k:02d}{x:02d}", v)
                          for x, v in enumerate(xiang, start=1)]
            body += [_money_row(str(lei), f"类{lei}", lei_sum), *block]
            lei = lei + 1 if lei < 299 else 201
        made += len(body)
        tables.append("\n".join([f"2024年预算收入总表（续{n_table}）" if n_table > 1 else "2024年预算收入总表",
                                  f"预算公开表{n_table}", "单位名称：测试局\t\t\t\t\t\t\t\t\t单位：万元",
                                  header, _money_row("", "合计", [sum(c) for c in zip(*[_amounts(b) for b in body
                                                                  if len(b.split("\t")[0]) == 3], strict=True)]),
                                  *body]))
    return "2024年测试局部门预算\n\n" + "\n\n".join(tables)


def _money_row(code: str, name: str, fen: list[int]) -> str:
    cells = [sum(fen[1:]), *fen]  # a budget's 合计 leaves 上年结转 (the first source) out
    return "\t".join([code, name, *(f"{v / 100:.2f}" for v in cells)])


def _amounts(row: str) -> list[int]:
    return [round(float(x) * 100) for x in row.split("\t")[3:]]


def bench_memory(corpus: Path, smoke: bool) -> dict:
    pages_wanted = 60 if smoke else 500
    text = dense_text(pages_wanted)
    pdf, truth = render_digital(text, layout=dataclasses.replace(Layout.from_seed(5), font_size=6.0))
    numeric = sum(1 for ln in text.splitlines() for c in ln.split("\t") if is_number_text(c))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.pdf"
        path.write_bytes(pdf)
        env = {**os.environ, "BUDGETLENS_HOME": str(Path(tmp) / "home")}
        code = ("import resource,sys; from extractor.cli import main; sys.argv=['budgetlens','ingest',sys.argv[1]];"
                "\ntry: main()\nexcept SystemExit: pass\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env,
                              timeout=1800)
        seconds = time.perf_counter() - t0
    peak_kb = int(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 and proc.stdout.strip() else None
    return {"pages": truth.pages, "peak_rss_mb": round(peak_kb / 1024, 1) if peak_kb else None,
            "target_mb": 1536, "ingest_seconds": round(seconds, 1),
            "pages_per_s_with_validation_store_index": _pages_per_s(truth.pages, seconds), "numeric_cells_per_page": round(numeric / truth.pages, 1),
            "stderr": proc.stderr[-300:] if proc.returncode else ""}


def bench_validate(corpus: Path, smoke: bool) -> dict:
    from extractor.load_text import load_text
    from extractor.pipeline import validate_tables

    text = big_text(corpus, 60 if smoke else 200)
    tables, _ = extract_tables(load_text(text.encode(), "v", "v.txt"))
    t0 = time.perf_counter()
    findings = validate_tables(tables, "v")
    seconds = time.perf_counter() - t0
    return {"tables": len(tables), "approx_pages": 60 if smoke else 200, "seconds": round(seconds, 3),
            "findings": len(findings), "target_seconds": 1.0}


def run_bench(what: str, corpus: Path, smoke: bool) -> dict:
    out: dict = {"smoke": smoke, "cores": os.cpu_count()}
    if what in ("ingest", "all"):
        out["digital"] = bench_digital(corpus, smoke)
        out["scanned"] = bench_scanned(corpus, smoke)
        out["memory"] = bench_memory(corpus, smoke)
    if what in ("validate", "all"):
        out["validate"] = bench_validate(corpus, smoke)
    if what in ("qa", "all"):
        try:
            from eval.bench_qa import bench_qa
        except ImportError:
            out["qa"] = "not available in this build yet"
        else:
            out["qa"] = bench_qa(corpus, smoke)
    if what in ("app", "all"):
        from eval.bench_app import bench_app

        out["app"] = bench_app(corpus, smoke)
    out["self_max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out
