"""`budgetlens correct`: apply one reviewer correction from the command line.

Every correction is appended (never edited), the document is re-validated and re-indexed at once.

Examples:
  budgetlens correct cell yangcheng final_sangong#1 数据 决算数/公务接待费 0.43 --reason "对照原件" --author 张三
  budgetlens correct kind fenyang unclassified#1 budget_projects --reason "项目支出表" --author 张三
  budgetlens correct noise fenyang budget_projects#1 汾阳市应急管理局#2 --reason "重复的单位合计行" --author 张三
  budgetlens correct false-positive yangcheng 3f2a... --reason "原件如此" --author 张三
  budgetlens correct column fenyang budget_general_expenditure#1 2240108 基本支出 项目支出 --reason "空列被压缩" --author 张三
  budgetlens correct merge fenyang budget_projects#1 unclassified#1 --reason "分页截断" --author 张三
  budgetlens correct split fenyang budget_projects#1 XM某项目 --reason "两张表连在一起" --author 张三
  budgetlens correct repair fenyang 9c1e... --accept --reason "对照原件" --author 张三
  budgetlens correct list yangcheng --json
"""

from __future__ import annotations

import json

import click

from extractor.config import home
from extractor.review import (
    ReviewError,
    accept_repair,
    assign_column,
    cell_version,
    correct_cell,
    mark_false_positive,
    mark_noise_row,
    merge_tables,
    reclassify_table,
    reject_repair,
    split_table,
)
from extractor.store import DocumentNotFound, Store, open_store
from schemas.findings import EditConflict
from schemas.tables import CellKey, TableKind

_reason = click.option("--reason", required=True, help="Why (required for every correction).")
_author = click.option("--author", required=True, help="Reviewer name.")


def _doc(store: Store, ref: str) -> str:
    try:
        return store.resolve(ref).id
    except DocumentNotFound as exc:
        raise click.ClickException(str(exc)) from exc


def _run(fn, *args, **kwargs) -> None:
    try:
        c = fn(*args, **kwargs)
    except (ReviewError, EditConflict) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"correction {c.id} saved ({c.kind.value}); document re-validated")


@click.group()
def correct() -> None:
    """Apply a reviewer correction (appended; re-validates and re-indexes the document)."""


@correct.command("cell")
@click.argument("doc")
@click.argument("table_id")
@click.argument("row_key")
@click.argument("column")
@click.argument("value")
@_reason
@_author
@click.option("--base-version", type=int, help="The cell version you looked at; a newer edit is a conflict.")
def cell_cmd(doc: str, table_id: str, row_key: str, column: str, value: str, reason: str, author: str,
             base_version: int | None) -> None:
    """Change one cell's value."""
    store = open_store(home())
    key = CellKey(doc_id=_doc(store, doc), table_id=table_id, row_key=row_key, column=column)
    _run(correct_cell, store, key, value, author, reason, base_version)


@correct.command("kind")
@click.argument("doc")
@click.argument("table_id")
@click.argument("new_kind", type=click.Choice([k.value for k in TableKind]))
@_reason
@_author
def kind_cmd(doc: str, table_id: str, new_kind: str, reason: str, author: str) -> None:
    """Reclassify a table."""
    store = open_store(home())
    _run(reclassify_table, store, _doc(store, doc), table_id, TableKind(new_kind), author, reason)


@correct.command("noise")
@click.argument("doc")
@click.argument("table_id")
@click.argument("row_key")
@_reason
@_author
def noise_cmd(doc: str, table_id: str, row_key: str, reason: str, author: str) -> None:
    """Mark a row as noise (ignored by rules and answers)."""
    store = open_store(home())
    key = CellKey(doc_id=_doc(store, doc), table_id=table_id, row_key=row_key, column="")
    _run(mark_noise_row, store, key, author, reason)


@correct.command("false-positive")
@click.argument("doc")
@click.argument("finding_id")
@_reason
@_author
def false_positive_cmd(doc: str, finding_id: str, reason: str, author: str) -> None:
    """Mark a validator finding as a false positive."""
    store = open_store(home())
    _run(mark_false_positive, store, _doc(store, doc), finding_id, author, reason)


@correct.command("column")
@click.argument("doc")
@click.argument("table_id")
@click.argument("row_key")
@click.argument("from_column")
@click.argument("to_column")
@_reason
@_author
def column_cmd(doc: str, table_id: str, row_key: str, from_column: str, to_column: str, reason: str,
               author: str) -> None:
    """Move a figure read under FROM_COLUMN to TO_COLUMN (an empty cell was collapsed)."""
    store = open_store(home())
    key = CellKey(doc_id=_doc(store, doc), table_id=table_id, row_key=row_key, column=from_column)
    _run(assign_column, store, key, to_column, author, reason)


@correct.command("merge")
@click.argument("doc")
@click.argument("first_table")
@click.argument("second_table")
@_reason
@_author
def merge_cmd(doc: str, first_table: str, second_table: str, reason: str, author: str) -> None:
    """Append SECOND_TABLE's rows to FIRST_TABLE (one table cut in two)."""
    store = open_store(home())
    _run(merge_tables, store, _doc(store, doc), first_table, second_table, author, reason)


@correct.command("split")
@click.argument("doc")
@click.argument("table_id")
@click.argument("at_row")
@_reason
@_author
def split_cmd(doc: str, table_id: str, at_row: str, reason: str, author: str) -> None:
    """Make the rows from AT_ROW on a table of their own (two tables read as one)."""
    store = open_store(home())
    _run(split_table, store, _doc(store, doc), table_id, at_row, author, reason)


@correct.command("repair")
@click.argument("doc")
@click.argument("finding_id")
@click.option("--accept/--reject", required=True, help="Apply the suggested value, or keep the printed one.")
@_reason
@_author
def repair_cmd(doc: str, finding_id: str, accept: bool, reason: str, author: str) -> None:
    """Accept or reject a suggested repair (a repair.digit finding)."""
    store = open_store(home())
    _run(accept_repair if accept else reject_repair, store, _doc(store, doc), finding_id, author, reason)


@correct.command("list")
@click.argument("doc", required=False)
@click.option("--json", "as_json", is_flag=True)
def list_cmd(doc: str | None, as_json: bool) -> None:
    """The corrections log (append-only)."""
    store = open_store(home())
    items = store.corrections(_doc(store, doc) if doc else None)
    if as_json:
        click.echo(json.dumps([json.loads(c.model_dump_json()) for c in items], ensure_ascii=False, indent=1))
        return
    for c in items:
        target = str(c.cell) if c.cell else (c.table_id or c.finding_id or "")
        version = f" v{cell_version(store, c.cell)}" if c.cell and c.kind.value == "cell_value" else ""
        click.echo(f"#{c.id} {c.created_at:%Y-%m-%d %H:%M} {c.author} {c.kind.value} {target}{version}: "
                   f"{c.old} → {c.new} ({c.reason})")
