"""Layout parameters, source parsing and table geometry for :mod:`eval.render`.

The renderer draws a corpus-style text document (TAB-separated table rows, Markdown/HTML residue) the
way an Excel/WPS export would look. This module holds everything that does not touch a PDF page:
the seeded :class:`Layout`, the parse of the source into text lines and table blocks, text
measurement/wrapping with the CJK font, and the per-table plan (font size, orientation, column
widths, wrapped cell lines, row heights).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
A4 = (595.28, 841.89)

_RESIDUE = re.compile(r"</?(?:b|p|strong|em|i|u|br|span|div|font|td|tr|th)\b[^>]*>|\*\*", re.I)
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")
_RULE = re.compile(r"^\s*[-=_—|]{3,}[-=_—|\s]*$")
_WATERMARK = re.compile(r"^(?:仅供内部审核|内部资料|仅供参考|内部审核|草稿)$")
_NUMBER = re.compile(r"^[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
_TOKEN = re.compile(r"[A-Za-z0-9.,%+\-/]+|\s+|.", re.S)


def font_file() -> Path:
    for path in FONT_CANDIDATES:
        if path.exists():
            return path
    raise FileNotFoundError(f"no CJK font found (tried {', '.join(map(str, FONT_CANDIDATES))})")


def clean(text: str) -> str:
    """What the original PDF printed: Markdown/HTML residue removed, outer white space stripped."""
    return _RESIDUE.sub("", _HEADING.sub("", text)).strip()


def indent_em(text: str) -> float:
    """Leading indentation in em (U+3000 = 1 em, ASCII space = 0.5 em)."""
    lead = text[: len(text) - len(text.lstrip())]
    return sum(1.0 if c == "\u3000" else 0.5 for c in lead if c != "\t")


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))


@dataclass(frozen=True)
class Layout:
    """Every seeded choice of a rendering; ``Layout.from_seed`` draws one."""

    font_size: float = 8.0
    margin_x: float = 50.0
    margin_top: float = 56.0
    margin_bottom: float = 56.0
    para_spacing: float = 1.45  # paragraph line height / font size
    cell_spacing: float = 1.25  # cell line height / font size (>= 1.18: glyph boxes must not overlap)
    pad_x: float = 2.5
    pad_y: float = 2.0
    row_extra: float = 2.0
    col_slack: float = 1.1
    col_cap_em: float = 18.0  # widest column before text wraps, in em
    min_squeeze: float = 0.65  # text columns may shrink to this share of their width to keep a table portrait
    rule_width: float = 0.6
    repeat_headers: bool = True
    blank_break_fill: float = 0.5  # break at a blank line inside a table once the page is this full
    table_new_page: bool = False
    center_tables: bool = False
    para_indent: bool = True
    page_number_style: str = "dash"  # "dash": "- 3 -", "zh": "第3页"
    running_header: bool = False

    @classmethod
    def from_seed(cls, seed: int) -> Layout:
        r = random.Random(seed)
        return cls(
            font_size=r.choice([7.0, 7.5, 8.0, 8.5, 9.0]),
            margin_x=round(r.uniform(36, 72), 1),
            margin_top=round(r.uniform(44, 72), 1),
            margin_bottom=round(r.uniform(44, 72), 1),
            para_spacing=round(r.uniform(1.3, 1.7), 2),
            cell_spacing=round(r.uniform(1.2, 1.4), 2),
            pad_x=round(r.uniform(2.0, 4.0), 1),
            pad_y=round(r.uniform(1.5, 3.5), 1),
            row_extra=round(r.uniform(0.0, 4.0), 1),
            col_slack=round(r.uniform(1.0, 1.3), 2),
            col_cap_em=round(r.uniform(10.0, 20.0), 1),
            min_squeeze=round(r.uniform(0.5, 0.8), 2),
            rule_width=round(r.uniform(0.4, 1.0), 2),
            repeat_headers=r.random() < 0.5,
            blank_break_fill=round(r.uniform(0.25, 0.75), 2),
            table_new_page=r.random() < 0.5,
            center_tables=r.random() < 0.5,
            para_indent=r.random() < 0.7,
            page_number_style=r.choice(["dash", "zh"]),
            running_header=r.random() < 0.5,
        )


@dataclass
class Line:
    """A non-table source line. ``kind``: text, heading, watermark, rule, blank, pagebreak."""

    lineno: int
    kind: str
    text: str = ""
    level: int = 0
    indent: float = 0.0


@dataclass
class Row:
    lineno: int
    cells: list[str]  # cleaned, padded to the block's column count
    n_fields: int  # TAB-separated fields in the source line (the rest is padding)
    indents: list[float]
    brk: int = 0  # 0 none, 1 blank line before (page-break opportunity), 2 form feed (forced)


@dataclass
class Table:
    rows: list[Row]
    header_count: int = 0


def _text_line(lineno: int, raw: str) -> Line:
    if not raw.strip():
        return Line(lineno, "blank")
    if _RULE.match(raw):
        return Line(lineno, "rule")
    text = clean(raw)
    if _WATERMARK.match(text):
        return Line(lineno, "watermark", text)
    heading = _HEADING.match(raw)
    kind, level = ("heading", len(heading.group(1))) if heading else ("text", 0)
    return Line(lineno, kind, text, level, indent_em(_HEADING.sub("", raw)))


def _header_count(rows: list[Row]) -> int:
    """The non-numeric rows at the top of a table (at most 3) when numbers follow. None for a form-like
    block (few rows carry a number) or a run of hundreds of rows (forms printed back to back, separated
    by blank lines): their top rows are the first form's fields, not column headers."""
    numeric = [any(is_number(c) for c in row.cells) for row in rows]
    n = 0
    while n < min(3, len(rows) - 1) and not numeric[n]:
        n += 1
    body = numeric[n:]
    return n if body and body[0] and sum(body) >= 0.2 * len(body) and len(rows) <= 300 else 0


def _make_table(raw_rows: list[tuple[int, str, int]]) -> Table:
    split = [(n, raw.split("\t"), brk) for n, raw, brk in raw_rows]
    ncols = max(len(cells) for _, cells, _ in split)
    rows = [
        Row(
            n,
            [clean(c) for c in cells] + [""] * (ncols - len(cells)),
            len(cells),
            [indent_em(c) for c in cells] + [0.0] * (ncols - len(cells)),
            brk,
        )
        for n, cells, brk in split
    ]
    return Table(rows, _header_count(rows))


def parse(text: str) -> list[Line | Table]:
    """Source text → text lines and table blocks (1-based source line numbers, ``text.split("\\n")``)."""
    raw = [s.rstrip("\r") for s in text.split("\n")]
    items: list[Line | Table] = []
    i = 0
    while i < len(raw):
        if "\t" not in raw[i]:
            if "\f" in raw[i]:
                items.append(Line(i + 1, "pagebreak"))
            items.append(_text_line(i + 1, raw[i].replace("\f", "")))
            i += 1
            continue
        rows: list[tuple[int, str, int]] = []
        brk = 0
        while i < len(raw):
            line = raw[i]
            if "\t" in line:
                rows.append((i + 1, line.replace("\f", ""), 2 if "\f" in line else brk))
                brk = 0
            elif not line.replace("\f", "").strip() and _next_is_row(raw, i):
                brk = max(brk, 2 if "\f" in line else 1)
            else:
                break
            i += 1
        items.append(_make_table(rows))
    return items


def _next_is_row(raw: list[str], i: int) -> bool:
    for line in raw[i + 1 :]:
        if line.strip():
            return "\t" in line
    return False


@dataclass
class Metrics:
    """Glyph advances of the CJK font (at size 1), cached per character."""

    font: pymupdf.Font
    _adv: dict[str, float] = field(default_factory=dict)

    def width(self, text: str, size: float) -> float:
        try:
            return sum(map(self._adv.__getitem__, text)) * size
        except KeyError:
            self._adv.update({c: self.font.glyph_advance(ord(c)) for c in set(text) - self._adv.keys()})
            return sum(map(self._adv.__getitem__, text)) * size

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Greedy wrap; CJK breaks anywhere, runs of Latin letters/digits only when longer than a line."""
        if self.width(text, size) <= width:
            return [text.strip()] if text.strip() else []
        lines: list[str] = []
        cur, cur_w = "", 0.0
        for tok in self._tokens(text, width, size):
            w = self.width(tok, size)
            if cur and cur_w + w > width:
                lines.append(cur.rstrip())
                cur, cur_w = "", 0.0
                if tok.isspace():
                    continue
            cur += tok
            cur_w += w
        if cur.strip():
            lines.append(cur.rstrip())
        return [ln for ln in lines if ln]

    def _tokens(self, text: str, width: float, size: float) -> list[str]:
        out: list[str] = []
        for tok in _TOKEN.findall(text):
            out.extend(tok if len(tok) > 1 and self.width(tok, size) > width else [tok])
        return out


@dataclass
class TablePlan:
    """Geometry of one table block: orientation, column widths, and per row its font size (smaller only
    for a row that would not fit on a page: Excel's shrink-to-fit), wrapped cell lines and height."""

    fs: float
    landscape: bool
    widths: list[float]
    cells: list[list[list[str]]]
    heights: list[float]
    row_fs: list[float]


def _natural_em(table: Table, m: Metrics) -> tuple[list[float], list[float]]:
    """Per column: the text width wanted (95th percentile: one long outlier cell wraps rather than widening
    its column), and the widest number (numbers never wrap), in em."""
    ncols = len(table.rows[0].cells)
    texts: list[list[float]] = [[] for _ in range(ncols)]
    num = [0.0] * ncols
    for row in table.rows:
        for j, cell in enumerate(row.cells):
            if is_number(cell):
                num[j] = max(num[j], m.width(cell, 1.0))
            elif cell:
                texts[j].append(m.width(cell, 1.0) + row.indents[j])
    return [sorted(ws)[math.ceil(0.95 * len(ws)) - 1] if ws else 0.0 for ws in texts], num


def _widths(nat: tuple[list[float], list[float]], fs: float, lay: Layout, squeeze: float = 1.0) -> list[float]:
    """Column widths: capped text width (squeezed, never below 3 em), numbers never wrap."""
    return [
        max(min(t, lay.col_cap_em) * squeeze, min(t, 3.0), n, 2.0) * fs * lay.col_slack + 2 * lay.pad_x
        for t, n in zip(*nat, strict=True)
    ]


def _squeeze(nat: tuple[list[float], list[float]], fs: float, lay: Layout, avail: float, least: float) -> float | None:
    """The least squeezing of the text columns (down to ``least``) that fits ``avail``, if any."""
    s = 1.0
    while s >= least - 1e-9:
        if sum(_widths(nat, fs, lay, s)) <= avail:
            return s
        s -= 0.05
    return None


def _wrap_row(row: Row, m: Metrics, widths: list[float], fs: float, lay: Layout) -> tuple[list[list[str]], float]:
    wrapped = [
        ([c] if c else []) if is_number(c) else m.wrap(c, w - 2 * lay.pad_x - row.indents[j] * fs, fs)
        for j, (c, w) in enumerate(zip(row.cells, widths, strict=True))
    ]
    lines = max(1, max(len(w) for w in wrapped))
    return wrapped, 2 * lay.pad_y + lines * fs * lay.cell_spacing + lay.row_extra


def plan_table(table: Table, m: Metrics, lay: Layout) -> TablePlan:
    """Portrait if it fits (text columns may be squeezed, wrapping more), else landscape; scale the font
    down if even landscape is too narrow. A row taller than a page gets a smaller font."""
    nat = _natural_em(table, m)
    fs = lay.font_size
    squeeze = _squeeze(nat, fs, lay, A4[0] - 2 * lay.margin_x, lay.min_squeeze)
    landscape = squeeze is None
    avail = (A4[1] if landscape else A4[0]) - 2 * lay.margin_x
    while squeeze is None:
        squeeze = _squeeze(nat, fs, lay, avail, 0.1) or (0.1 if fs <= 3.0 else None)
        fs = fs if squeeze else max(3.0, fs * 0.95)
    widths = _widths(nat, fs, lay, squeeze)
    max_h = 0.6 * ((A4[0] if landscape else A4[1]) - lay.margin_top - lay.margin_bottom)
    plan = TablePlan(fs, landscape, widths, [], [], [])
    for row in table.rows:
        row_fs = fs
        cells, h = _wrap_row(row, m, widths, row_fs, lay)
        while h > max_h and row_fs > 2.0:
            row_fs *= 0.92
            cells, h = _wrap_row(row, m, widths, row_fs, lay)
        plan.cells.append(cells)
        plan.heights.append(h)
        plan.row_fs.append(row_fs)
    return plan
