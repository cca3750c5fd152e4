"""The document before it becomes text: paragraphs with quoted figures, and tables whose cells
know their row key. Defects edit this form; :func:`render` lays it out line by line and collects
the truth (every table's title line, every numeric cell with its line, every quoted figure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eval.synth.model import NarrativeFigure, TruthTable
from schemas.keys import norm_key
from schemas.tables import TableKind

Ref = tuple[TableKind, str, str]  # (table kind, row key, column)
NUMERIC = re.compile(r"^-?[\d,]+(\.\d+)?%?$")


@dataclass(slots=True)
class Fig:
    """A figure quoted in running text."""

    printed: str
    kind: str  # amount | share | change_amount | change_pct | count | rate
    subject: str
    value: str
    unit: str | None = None
    ref: Ref | None = None
    whole: str | None = None
    part: str | None = None
    last_year: str | None = None
    current: str | None = None


Seg = str | Fig


@dataclass
class Para:
    lines: list[list]  # each line: str and Fig segments
    section: str = ""
    heading: int = 0  # markdown heading level when the style prints residue


@dataclass(slots=True)
class TRow:
    cells: list[str]
    # (row key, column index, column name or None = from the header, quoted figure or None = the whole cell)
    truth: list[tuple[str, int, str | None, str | None]] = field(default_factory=list)

    def add(self, key: str, j: int, column: str | None = None, quoted: str | None = None) -> TRow:
        self.truth.append((key, j, column, quoted))
        return self


@dataclass
class TableIR:
    kind: TableKind
    title: str
    header: list[list[str]] = field(default_factory=list)
    rows: list[TRow] = field(default_factory=list)
    colnum: list[str] | None = None
    before: list[str] = field(default_factory=list)  # lines printed before the title (label, 附件2)
    after: list[str] = field(default_factory=list)  # lines between title and grid
    notes: list[str] = field(default_factory=list)
    empty: bool = False
    project: str | None = None
    label: str | None = None
    org: str | None = None
    layout: str | None = None
    copy_no: int = 1
    split: int | None = None  # two-sided: first column of the 支出 side
    blocks: bool = False  # side-by-side code/name/amount blocks: bare column names
    title_prefix: str = ""  # markdown residue
    break_at: int | None = None  # a page break before this data row
    break_lines: list[str] = field(default_factory=list)
    untitled: bool = False  # the form prints no title: the truth line is its first line
    _names: dict[int, list[str]] = field(default_factory=dict, repr=False)


@dataclass
class Doc:
    blocks: list[Para | TableIR | list[str]]
    spaced: bool = False  # a blank line after every text line (PDF export)


def _lowest(header: list[list[str]], j: int) -> str:
    for row in reversed(header):
        if j < len(row) and norm_key(row[j]):
            return norm_key(row[j])
    return ""


def _spanning(row: list[str], j: int) -> str:
    for k in range(min(j, len(row) - 1), -1, -1):
        if norm_key(row[k]):
            return norm_key(row[k])
    return ""


def column_names(t: TableIR, width: int) -> list[str]:
    """Column naming of schemas/keys.py over the printed header rows (cached: headers never change)."""
    cached = t._names.get(width)
    if cached is None:
        cached = t._names[width] = _column_names(t, width)
    return cached


def _column_names(t: TableIR, width: int) -> list[str]:
    names = [_lowest(t.header, j) or f"列{j + 1}" for j in range(width)]
    if t.split is not None:
        return [("收入/" if j < t.split else "支出/") + n for j, n in enumerate(names)]
    if t.blocks:
        return names
    dup = {n for n in names if names.count(n) > 1 and n != "行次"}
    if dup and t.header:
        top = t.header[0]
        names = [f"{_spanning(top, j)}/{n}" if n in dup and _spanning(top, j) not in ("", n) else n
                 for j, n in enumerate(names)]
    return names


def fig_text(seg: Seg) -> str:
    return seg if isinstance(seg, str) else seg.printed


def render(doc: Doc) -> tuple[str, list[TruthTable], list[NarrativeFigure]]:
    lines: list[str] = []
    tables: list[TruthTable] = []
    figures: list[NarrativeFigure] = []

    def emit(text: str, spaced: bool = doc.spaced) -> int:
        lines.append(text)
        n = len(lines)
        if spaced:
            lines.append("")
        return n

    for block in doc.blocks:
        if isinstance(block, list):
            for ln in block:
                emit(ln)
        elif isinstance(block, Para):
            prefix = "#" * block.heading + " " if block.heading else ""
            for segs in block.lines:
                n = emit(prefix + "".join(fig_text(s) for s in segs))
                for s in segs:
                    if isinstance(s, Fig):
                        figures.append(_figure(s, block.section, n))
        else:
            tables.append(_render_table(block, emit, lines))
    return "\n".join(lines) + "\n", tables, figures


def _figure(f: Fig, section: str, line: int) -> NarrativeFigure:
    return NarrativeFigure(section=section, subject=f.subject, kind=f.kind, printed=f.printed, value=f.value,  # type: ignore[arg-type]
                           money_unit=f.unit, line=line, table=f.ref[0] if f.ref else None,
                           row=f.ref[1] if f.ref else None, column=f.ref[2] if f.ref else None, whole=f.whole,
                           part=f.part, last_year=f.last_year, current=f.current)


def _render_table(t: TableIR, emit, lines: list[str]) -> TruthTable:
    for ln in t.before:
        emit(ln)
    title_line = emit(t.title_prefix + t.title) if not t.untitled else 0
    for ln in t.after:
        emit(ln)
    width = max([len(r) for r in t.header] + [len(r.cells) for r in t.rows] + [len(t.colnum or [])] + [1])
    names = column_names(t, width)
    for h in t.header:
        emit("\t".join(h), False)
    if t.colnum:
        emit("\t".join(t.colnum), False)
    cells: list[dict] = []
    match = NUMERIC.match
    for i, row in enumerate(t.rows):
        if i == t.break_at:
            for ln in t.break_lines:
                emit(ln, False)
        n = emit("\t".join(row.cells), False)
        if title_line == 0:
            title_line = n
        for key, j, column, quoted in row.truth:
            printed = row.cells[j].strip() if j < len(row.cells) else ""
            if quoted is not None:  # a figure quoted inside a text cell
                if quoted in printed:
                    cells.append({"row": key, "column": column or names[j], "printed": quoted, "line": n})
            elif printed and match(printed):
                cells.append({"row": key, "column": column or names[j], "printed": printed, "line": n})
    lines.append("")
    for note in t.notes:
        emit(note)
    end = len(lines)
    while end > title_line and not lines[end - 1].strip():
        end -= 1
    return TruthTable.model_validate({"kind": t.kind, "title": t.title, "line": title_line, "end_line": end,
                                      "empty": t.empty, "project": t.project, "label": t.label, "org": t.org,
                                      "layout": t.layout, "copy_no": t.copy_no, "cells": cells})
