"""How rows and columns are named, so gold files, corrections and rules address the same cell.

Conventions (shared by the extractor, the validator, gold files and corrections):
- ``norm_key(text)``: NFKC (full-width → half-width), all white space removed, Markdown/HTML
  residue (``<b>``, ``**``) removed. Keys are compared after this.
- Column name: the lowest non-empty header cell of that column, normalised; the column-number row
  (``栏次 1 2 3``, ``1 2 3 4``) and the 行次 column are not headers. Where the same name occurs twice in
  one table, it is prefixed by the header cell above it: ``预算数/合计``, ``决算数/合计``.
  Two-sided tables (收支总表, 财政拨款收支总表, 收入支出决算总表) prefix the side: ``收入/金额``, ``支出/合计``.
- Row key: the classification code when one is printed (``2240108``, ``30101``); else the row
  label, normalised (``合计``, ``本年收入合计``, a project name). A label that repeats within a table
  gets ``#2``, ``#3`` ... in order. 基本支出 budget tables key a line by both names:
  ``基本工资/工资奖金津补贴`` (部门经济科目/政府经济科目) when the second name is printed.
  A table with one unlabelled data row (三公 决算) keys it ``数据``.
"""

from __future__ import annotations

import re
import unicodedata

_RESIDUE = re.compile(r"</?\w+[^>]*>|\*\*|^#+\s*")
_SPACE = re.compile(r"\s+")


def norm_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = _RESIDUE.sub("", text)
    return _SPACE.sub("", text)


def dedupe_keys(keys: list[str]) -> list[str]:
    """Append #2, #3 ... to repeated keys, in order."""
    seen: dict[str, int] = {}
    out: list[str] = []
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
        out.append(k if seen[k] == 1 else f"{k}#{seen[k]}")
    return out
