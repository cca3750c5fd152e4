"""An "oracle" model for the messy-rendering eval: it answers a mapping prompt from the hand-typed gold,
citing the prompt's own tokens (the first unused token with the gold figure, on a line that carries the
row's code or name when there is one). It stands for a model that reads tables perfectly; it cannot
repair a digit slip (no token carries the gold figure), and what it returns still has to pass the
checks, like any model's answer."""

from __future__ import annotations

import re

from llm_fakes import read_prompt

from extractor.values import parse_value
from schemas.gold import GoldDocument, GoldTable
from schemas.keys import norm_key

_TITLE = re.compile(r"^Title: (.*)$", re.M)
_DEDUPE = re.compile(r"#\d+$")


def _gold_table(prompt: str, golds: list[GoldDocument]) -> GoldTable | None:
    m = _TITLE.search(prompt)
    title = norm_key(m.group(1)) if m else ""
    # a messy title may carry the line above it: the longest gold title it ends with
    hits = [t for g in golds for t in g.tables if t.title and t.cells and title.endswith(norm_key(t.title))]
    return max(hits, key=lambda t: len(t.title), default=None)


def oracle_mapping(prompt: str, golds: list[GoldDocument]) -> dict | str:
    table = _gold_table(prompt, golds)
    if table is None:
        return "I cannot map this table."
    lines, tokens = read_prompt(prompt)
    ordered = sorted((no, cell, tid, text) for (no, cell), (tid, text) in tokens.items())
    text_of = {no: norm_key("".join(cells)) for no, cells in lines.items()}
    used: set[str] = set()
    rows: dict[str, dict] = {}
    last = 0
    for gc in table.cells:
        number = parse_value(gc.printed).number
        same = [t for t in ordered if t[2] not in used and parse_value(t[3]).number == number]
        key = _DEDUPE.sub("", gc.row)[:6]
        pick = (next((t for t in same if t[0] >= last and key in text_of.get(t[0], "")), None)
                or next((t for t in same if key in text_of.get(t[0], "")), None)
                or next((t for t in same if t[0] >= last), None))
        if pick is None:  # a slipped digit: no token carries the gold figure
            continue
        used.add(pick[2])
        last = pick[0]
        label = _DEDUPE.sub("", gc.row)
        code = label if label.isdigit() else None
        if code:  # the name printed after the code on that line
            cells = [norm_key(c) for c in lines.get(pick[0], [])]
            after = cells[cells.index(code) + 1:] if code in cells else []
            label = next((c for c in after if c and not parse_value(c).number), code)
        side = gc.column.split("/")[0] if "/" in gc.column else ""  # two-sided tables: a row per side
        row = rows.setdefault(f"{side}|{gc.row}", {"label": label, "code": code, "cells": []})
        row["cells"].append({"column": gc.column, "token": pick[2], "printed": pick[3]})
    columns = list(dict.fromkeys(c.column for c in table.cells))
    return {"kind": table.kind.value, "columns": columns, "rows": list(rows.values())}
