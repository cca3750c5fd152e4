"""Every review action goes through ``extractor.review`` (append a correction, re-validate,
re-index), under the app's write lock, and only for a signed-in reviewer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from extractor import review
from qa_app.app import state, users
from qa_app.app.frames import CODE_COL, FLAG_COL, LABEL_COL, ROLE_COL
from schemas.findings import CorrectionKind, EditConflict
from schemas.tables import CellKey, TableKind

FIXED = {LABEL_COL, CODE_COL, ROLE_COL, FLAG_COL}


@dataclass
class Outcome:
    saved: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _author() -> str:
    user = users.current_user()
    if user is None or user.role != "reviewer":
        raise PermissionError("只有审核员可以修改数据：请在侧栏以审核员身份登录。")
    return user.name


def cell_versions(doc_id: str, table_id: str) -> dict[str, int]:
    """str(CellKey) → how many value corrections it has (``review.cell_version`` for a whole table)."""
    n: Counter[str] = Counter()
    for c in state.store().corrections(doc_id):
        if c.kind == CorrectionKind.CELL_VALUE and c.cell and c.cell.table_id == table_id:
            n[str(c.cell)] += 1
    return dict(n)


def _text(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip()


def changed_cells(before: pd.DataFrame, after: pd.DataFrame, keys: list[str]) -> list[tuple[str, str, str, str]]:
    """(row_key, column, old, new) for every edited value cell; ``keys`` = the row key at each position."""
    out = []
    for pos, row_key in enumerate(keys):
        if pos >= len(after):
            break
        for col in before.columns:
            if col in FIXED or col not in after.columns:
                continue
            old, new = _text(before.iloc[pos][col]), _text(after.iloc[pos][col])
            if old != new:
                out.append((row_key, str(col), old, new))
    return out


def save_cells(doc_id: str, table_id: str, changes: list[tuple[str, str, str, str]], versions: dict[str, int],
               reason: str) -> Outcome:
    """``versions`` are the cell versions the editor loaded: a cell saved since by someone else is a conflict
    and is not written."""
    author, out = _author(), Outcome()
    store = state.store()
    for row_key, column, _old, new in changes:
        key = CellKey(doc_id=doc_id, table_id=table_id, row_key=row_key, column=column)
        base = versions.get(str(key), 0)
        try:
            with state.write_lock():
                review.correct_cell(store, key, new, author, reason, base_version=base)
            out.saved.append(f"{row_key} / {column}: {new}")
        except EditConflict:
            current = review.cell_version(store, key)
            now = store.table(doc_id, table_id)
            row = now.row(row_key) if now else None
            cell = row.cell(column) if row else None
            out.conflicts.append(
                f"冲突：单元格 {row_key} / {column} 已被其他审核员修改（当前版本 {current}，你加载的是 {base}），"
                f"现值为“{cell.value.printed if cell else '?'}”。你的修改“{new}”没有保存，也没有覆盖对方的值；"
                "请点击“重新加载”查看最新值后再决定。")
        except review.ReviewError as exc:
            out.errors.append(f"{row_key} / {column}: {exc}")
    return out


def reclassify(doc_id: str, table_id: str, kind: TableKind, reason: str) -> None:
    author = _author()
    with state.write_lock():
        review.reclassify_table(state.store(), doc_id, table_id, kind, author, reason)


def mark_noise(doc_id: str, table_id: str, row_keys: list[str], column: str, reason: str) -> None:
    author = _author()
    with state.write_lock():
        for rk in row_keys:
            key = CellKey(doc_id=doc_id, table_id=table_id, row_key=rk, column=column)
            review.mark_noise_row(state.store(), key, author, reason)


def mark_false_positive(doc_id: str, finding_id: str, reason: str) -> None:
    author = _author()
    with state.write_lock():
        review.mark_false_positive(state.store(), doc_id, finding_id, author, reason)


def assign_column(doc_id: str, table_id: str, row_key: str, from_column: str, to_column: str, reason: str) -> None:
    author = _author()
    key = CellKey(doc_id=doc_id, table_id=table_id, row_key=row_key, column=from_column)
    with state.write_lock():
        review.assign_column(state.store(), key, to_column, author, reason)


def merge(doc_id: str, first_id: str, second_id: str, reason: str) -> None:
    author = _author()
    with state.write_lock():
        review.merge_tables(state.store(), doc_id, first_id, second_id, author, reason)


def split(doc_id: str, table_id: str, at_row: str, reason: str) -> None:
    author = _author()
    with state.write_lock():
        review.split_table(state.store(), doc_id, table_id, at_row, author, reason)


def decide_repair(doc_id: str, finding_id: str, accept: bool, reason: str) -> None:
    author = _author()
    with state.write_lock():
        (review.accept_repair if accept else review.reject_repair)(state.store(), doc_id, finding_id, author, reason)
