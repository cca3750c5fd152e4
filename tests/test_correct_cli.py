"""Corrections from the command line: appended, re-validated, re-applied on re-extraction, conflicts refused."""

from __future__ import annotations

import json

from click.testing import CliRunner

from extractor import hooks
from extractor.cli import main
from tests.conftest import YANGCHENG


def _run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cell_correction_conflict_and_reextraction(corpus, home, monkeypatch):
    monkeypatch.setattr(hooks, "ON_DOCUMENT_CHANGED", [])  # the index is tested in tests/qa
    assert _run("ingest", str(corpus / YANGCHENG)).exit_code == 0
    args = ["correct", "cell", YANGCHENG, "final_sangong#1", "数据", "决算数/公务接待费", "0.43",
            "--reason", "对照原件", "--author", "甲", "--base-version", "0"]
    first = _run(*args)
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, [*args[:6], "0.44", *args[7:]])
    assert second.exit_code == 1 and "changed by another reviewer" in second.output
    cells = json.loads(_run("export", YANGCHENG).output)
    cell = next(c for c in cells if c["table_id"] == "final_sangong#1" and c["column"] == "决算数/公务接待费")
    assert cell["printed"] == "0.43" and cell["path"] == "reviewer"
    assert _run("ingest", str(corpus / YANGCHENG), "--force").exit_code == 0  # corrections survive re-extraction
    cells = json.loads(_run("export", YANGCHENG).output)
    cell = next(c for c in cells if c["table_id"] == "final_sangong#1" and c["column"] == "决算数/公务接待费")
    assert cell["printed"] == "0.43"
    log = json.loads(_run("correct", "list", YANGCHENG, "--json").output)
    assert len(log) == 1 and log[0]["author"] == "甲" and log[0]["old"] == "0.42"


def test_reason_is_required_and_unknown_cell_is_clear(corpus, home, monkeypatch):
    monkeypatch.setattr(hooks, "ON_DOCUMENT_CHANGED", [])
    _run("ingest", str(corpus / YANGCHENG))
    res = CliRunner().invoke(main, ["correct", "cell", YANGCHENG, "final_sangong#1", "nope", "x", "1", "--reason", " ",
                                    "--author", "甲"])
    assert res.exit_code == 1 and "reason is required" in res.output
    res = CliRunner().invoke(main, ["correct", "cell", YANGCHENG, "final_sangong#1", "nope", "x", "1", "--reason", "r",
                                    "--author", "甲"])
    assert res.exit_code == 1 and "no cell" in res.output
