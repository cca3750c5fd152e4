"""Column assignment, merge/split and suggested repairs: appended, applied, re-validated, kept across a
forced re-extraction; refused when the target is taken or missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from extractor import hooks
from extractor.cli import main
from extractor.config import home as home_dir
from extractor.review import ReviewError, accept_repair, assign_column, reject_repair
from extractor.store import Store, open_store
from schemas.findings import CorrectionKind
from schemas.tables import CellKey, TableKind
from tests.conftest import FENYANG

# A small 一般公共预算支出表 whose 应急救援 项目支出 is misprinted 476.78 (all its other figures say 476.73):
# exactly one single-digit change makes every identity hold, so a repair is suggested.
ROWS = [("合计", "", "1262.50", "412.30", "850.20"), ("224", "灾害防治及应急管理支出", "1262.50", "412.30", "850.20"),
        ("22401", "应急管理事务", "1262.50", "412.30", "850.20"), ("2240101", "行政运行", "412.30", "412.30", ""),
        ("2240104", "灾害风险防治", "373.47", "", "373.47"), ("2240108", "应急救援", "476.73", "", "476.78")]


def _doc(tmp_path: Path) -> Path:
    lines = ["某县应急管理局2024年部门预算公开", "", "2024年一般公共预算支出表", "", "单位名称：某县应急管理局",
             "单位：万元", "科目编码\t科目名称\t合计\t基本支出\t项目支出",
             *["\t".join(r) for r in ROWS], "", "第三部分 情况说明", "一般公共预算支出1262.50万元。", ""]
    path = tmp_path / "small-budget.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def store(home: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr(hooks, "ON_DOCUMENT_CHANGED", [])
    return open_store(home_dir())


def test_suggested_repair_accepted_sets_the_value_and_clears_the_errors(tmp_path: Path, store: Store) -> None:
    assert _run("ingest", str(_doc(tmp_path))).exit_code == 0
    doc = store.documents()[0].id
    [suggestion] = [f for f in store.findings(doc) if f.rule_id == "repair.digit"]
    assert suggestion.proposed == "476.73" and suggestion.cells[0].printed == "476.78"
    assert any(f.severity == "error" for f in store.findings(doc))
    accept_repair(store, doc, suggestion.id, "甲", "对照原件")
    table = store.table(doc, suggestion.cells[0].key.table_id)
    assert table is not None
    cell = table.find_cell("2240108", "项目支出")
    assert cell is not None and cell.value.printed == "476.73" and cell.provenance.path == "reviewer"
    assert not [f for f in store.findings(doc) if f.severity == "error"]  # re-validated at once
    kinds = [c.kind for c in store.corrections(doc)]
    assert kinds == [CorrectionKind.ACCEPT_REPAIR, CorrectionKind.CELL_VALUE]
    # a forced re-extraction keeps the reviewer's value
    assert _run("ingest", str(tmp_path / "small-budget.txt"), "--force").exit_code == 0
    again = store.table(doc, suggestion.cells[0].key.table_id)
    assert again is not None and again.find_cell("2240108", "项目支出").value.printed == "476.73"  # type: ignore[union-attr]


def test_rejected_repair_keeps_the_printed_value_and_is_shown_apart(tmp_path: Path, store: Store) -> None:
    assert _run("ingest", str(_doc(tmp_path))).exit_code == 0
    doc = store.documents()[0].id
    [suggestion] = [f for f in store.findings(doc) if f.rule_id == "repair.digit"]
    res = _run("correct", "repair", doc[:8], suggestion.id, "--reject", "--reason", "原件确为476.78",
               "--author", "乙")
    assert res.exit_code == 0, res.output
    [kept] = [f for f in store.findings(doc) if f.id == suggestion.id]
    assert kept.false_positive  # still listed, marked rejected; the errors stay open
    assert any(f.severity == "error" and not f.false_positive for f in store.findings(doc))
    table = store.table(doc, suggestion.cells[0].key.table_id)
    assert table is not None and table.find_cell("2240108", "项目支出").value.printed == "476.78"  # type: ignore[union-attr]
    with pytest.raises(ReviewError, match="no repair suggestion"):
        reject_repair(store, doc, "not-a-finding", "乙", "x")


def test_column_assignment_moves_the_figure_and_refuses_an_occupied_cell(tmp_path: Path, store: Store) -> None:
    assert _run("ingest", str(_doc(tmp_path))).exit_code == 0
    doc = store.documents()[0].id
    table_id = next(t.id for t in store.tables(doc) if t.kind == TableKind.BUDGET_GENERAL_EXPENDITURE)
    key = CellKey(doc_id=doc, table_id=table_id, row_key="2240104", column="项目支出")
    with pytest.raises(ReviewError, match="taken"):
        assign_column(store, key.model_copy(update={"row_key": "2240101", "column": "基本支出"}), "合计", "甲", "x")
    res = _run("correct", "column", doc[:8], table_id, "2240104", "项目支出", "基本支出", "--reason", "演示",
               "--author", "甲")
    assert res.exit_code == 0, res.output
    table = store.table(doc, table_id)
    assert table is not None
    row = table.row("2240104")
    assert row is not None and [(c.column, c.value.printed) for c in row.cells if c.value.printed] == [
        ("合计", "373.47"), ("基本支出", "373.47")]
    # the sums now see 373.47 under 基本支出: the roll-up of 基本支出 fails where it held before
    assert any(f.rule_id == "func.rollup" and "基本支出" in f.message for f in store.findings(doc))
    log = json.loads(_run("correct", "list", doc[:8], "--json").output)
    assert log[-1]["kind"] == "column_assignment" and log[-1]["old"] == "项目支出" and log[-1]["new"] == "基本支出"


@pytest.mark.corpus
def test_split_then_merge_restores_the_table_and_survives_reextraction(corpus: Path, store: Store) -> None:
    assert _run("ingest", str(corpus / FENYANG)).exit_code == 0
    doc = store.resolve(FENYANG).id
    table = next(t for t in store.tables(doc) if t.kind == TableKind.BUDGET_PROJECTS)
    n_tables, rows = len(store.tables(doc)), [r.key for r in table.rows]
    at = rows[len(rows) // 2]
    res = _run("correct", "split", FENYANG, table.id, at, "--reason", "演示拆分", "--author", "甲")
    assert res.exit_code == 0, res.output
    tables = store.tables(doc)
    head = next(t for t in tables if t.id == table.id)
    tail = next(t for t in tables if t.id == f"{table.id}~{at}")
    assert len(tables) == n_tables + 1 and tables.index(tail) == tables.index(head) + 1
    assert [r.key for r in head.rows] + [r.key for r in tail.rows] == rows
    # the project-total rule now sees half the projects: the split is validated like any table
    assert any(table.id in f.table_ids for f in store.findings(doc) if f.severity == "error")
    res = _run("correct", "merge", FENYANG, table.id, tail.id, "--reason", "演示合并", "--author", "甲")
    assert res.exit_code == 0, res.output
    merged = store.table(doc, table.id)
    assert merged is not None and [r.key for r in merged.rows] == rows and len(store.tables(doc)) == n_tables
    assert store.table(doc, tail.id) is None
    assert _run("ingest", str(corpus / FENYANG), "--force").exit_code == 0
    assert [r.key for r in store.table(doc, table.id).rows] == rows  # type: ignore[union-attr]
    assert len(store.tables(doc)) == n_tables
