"""The store and CLI on real inputs: idempotent ingest, one-line errors, exports."""

from __future__ import annotations

import json

from click.testing import CliRunner

from extractor.cli import main
from tests.conftest import FENYANG, YANGCHENG


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_ingest_is_idempotent_and_exports(corpus, home, tmp_path):
    src = corpus / YANGCHENG
    first = _run("ingest", str(src), "--json")
    assert first.exit_code == 0, first.output
    r1 = json.loads(first.output)[0]
    assert r1["tables"]["self_evaluation"] == 26 and not r1["skipped"]
    again = json.loads(_run("ingest", str(src), "--json").output)[0]
    assert again["skipped"] and again["doc_id"] == r1["doc_id"]
    forced = json.loads(_run("ingest", str(src), "--json", "--force").output)[0]
    assert not forced["skipped"]
    listing = json.loads(_run("tables", r1["doc_id"][:8], "--json").output)
    assert len(listing) == 36
    cells = json.loads(_run("export", YANGCHENG).output)
    row = next(c for c in cells if c["table_kind"] == "final_summary" and c["row_key"] == "本年收入合计")
    assert row["printed"] == "9316.63" and row["line_start"] > 0 and row["path"] == "deterministic"
    out = tmp_path / "x.xlsx"
    assert _run("export", YANGCHENG, "--format", "xlsx", "--out", str(out)).exit_code == 0
    from openpyxl import load_workbook

    assert load_workbook(out).active.max_row == len(cells) + 1
    assert (home / "files" / f"{r1['doc_id']}.txt").exists()  # the original is kept for citations


def test_bad_files_get_one_line_errors_and_do_not_stop_others(corpus, home, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    weird = tmp_path / "table.docx"
    weird.write_bytes(b"PK\x03\x04")
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"this is not a pdf at all")
    res = _run("ingest", str(empty), str(weird), str(fake), str(corpus / FENYANG))
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert any(ln.startswith("FAILED  empty.txt: file is empty") for ln in lines)
    assert any("table.docx: unsupported file type" in ln for ln in lines)
    assert any(ln.startswith("FAILED  fake.pdf:") for ln in lines)
    assert any(ln.startswith("ok      fenyang") for ln in lines)
    assert "Traceback" not in res.output


def test_unknown_doc_is_a_clear_error(home):
    res = CliRunner().invoke(main, ["tables", "nope"])
    assert res.exit_code == 1 and "no document matches 'nope'" in res.output


def test_ingest_checks_the_narrative_and_validate_keeps_it(corpus, home, monkeypatch):
    """The 情况说明's quoted figures are checked at ingest (not only by `validate`): Datong's narrative
    counts 13 projects while 12 performance-target tables are printed."""
    from extractor import hooks
    from extractor.config import home as home_dir
    from extractor.store import Store
    from tests.conftest import DATONG

    monkeypatch.setattr(hooks, "ON_DOCUMENT_CHANGED", [])
    r = json.loads(_run("ingest", str(corpus / DATONG), "--json").output)[0]
    store = Store(home_dir() / "budgetlens.sqlite")
    stored = [f for f in store.findings(r["doc_id"]) if f.rule_id == "narrative.count" and f.severity == "error"]
    assert len(stored) == 1 and stored[0].expected is not None
    assert stored[0].cells and stored[0].cells[0].provenance.line_start  # pinned to the narrative's line
    report = json.loads(_run("validate", DATONG, "--json").output)[0]
    assert report["rules"]["narrative.count"]["errors"] == 1
    assert report["rules"]["narrative.amount"]["not_checked"] >= 1  # figures with no table to compare: said so
    assert [f.id for f in store.findings(r["doc_id"]) if f.rule_id == "narrative.count"
            and f.severity == "error"] == [stored[0].id]
