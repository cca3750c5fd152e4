"""Header analysis: which leading rows are headers, and what each column is called.

Column name = the lowest non-empty header cell of the column (see schemas/keys.py); the
column-number row (栏次 1 2 3) is skipped; repeated names get the spanning header above as prefix;
two-sided tables prefix the side (收入/支出).
"""

from __future__ import annotations

import re

from extractor.values import is_number_text
from schemas.keys import norm_key

CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")
TOTAL_LABELS = ("合计", "总计", "小计")
SKIP_COLUMNS = {"行次"}


def is_code(text: str) -> bool:
    return bool(CODE.match(norm_key(text)))


def is_column_number_row(cells: list[str]) -> bool:
    vals = [norm_key(c) for c in cells if norm_key(c)]
    if not vals:
        return False
    if vals[0] == "栏次":
        return True
    nums = [v for v in vals if v.isdigit() and len(v) <= 2]
    return len(vals) >= 3 and len(nums) == len(vals) and [int(v) for v in nums] == sorted(int(v) for v in nums)


def is_data_row(cells: list[str]) -> bool:
    vals = [c for c in cells if c.strip()]
    if not vals or is_column_number_row(cells):
        return False
    if any(is_number_text(c) for c in cells[1:] if c.strip()):
        return True
    first = norm_key(vals[0])
    if is_code(first):
        return True
    # a total row of an empty table ("合计" and nothing else); "合计 人员经费 公用经费" is a header
    is_total = first in TOTAL_LABELS or first.endswith("合计") or first.endswith("总计")
    return is_total and len(vals) == 1


HEADER_WORDS = {"项目", "项目名称", "单位名称", "科目编码", "科目代码", "科目名称", "收入", "支出", "人员经费", "公用经费",
                "预算数", "决算数", "收入科目编码", "功能分类科目编码"}


def _label_only_row(cells: list[str]) -> bool:
    """A row printing only its label in the first column (e.g. 因公出国(境)费 with no amounts)."""
    vals = [j for j, c in enumerate(cells) if c.strip()]
    return vals == [0] and norm_key(cells[0]) not in HEADER_WORDS


def split_header(rows: list[list[str]]) -> tuple[list[list[str]], list[int]]:
    """Return (header rows, indices of data rows); column-number rows are in neither."""
    header: list[list[str]] = []
    data: list[int] = []
    for i, cells in enumerate(rows):
        if not data and not is_data_row(cells) and not (header and _label_only_row(cells)):
            if not is_column_number_row(cells):
                header.append(cells)
            continue
        if is_column_number_row(cells) or (header and cells in header):
            continue  # a header repeated after a page break
        data.append(i)
    return header, data


def _lowest(header: list[list[str]], j: int) -> str:
    for row in reversed(header):
        if j < len(row) and norm_key(row[j]):
            return norm_key(row[j])
    return ""


def _spanning(row: list[str], j: int) -> str:
    """The header cell that spans column j: the last non-empty cell at or left of j."""
    for k in range(min(j, len(row) - 1), -1, -1):
        if norm_key(row[k]):
            return norm_key(row[k])
    return ""


def side_split(header: list[list[str]]) -> int | None:
    """Column where the 支出 side starts in a two-sided table."""
    for row in header:
        keys = [norm_key(c) for c in row]
        if any(k.startswith("收入") for k in keys):
            for j, k in enumerate(keys):
                if j > 0 and k.startswith("支出"):
                    return j
    for row in header:  # fall back: the second 项目 column
        keys = [norm_key(c) for c in row]
        hits = [j for j, k in enumerate(keys) if k == "项目"]
        if len(hits) >= 2:
            return hits[1]
    return None


def column_names(header: list[list[str]], width: int, two_sided: bool = False) -> list[str]:
    names = [_lowest(header, j) or f"列{j + 1}" for j in range(width)]
    if two_sided and (split := side_split(header)) is not None:
        return [("收入/" if j < split else "支出/") + n for j, n in enumerate(names)]
    dup = {n for n in names if names.count(n) > 1 and n not in SKIP_COLUMNS}
    if dup and header:
        top = header[0]
        names = [f"{_spanning(top, j)}/{n}" if n in dup and _spanning(top, j) not in ("", n) else n
                 for j, n in enumerate(names)]
    return names
