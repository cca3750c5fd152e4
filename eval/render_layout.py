"""Layout parameters, source parsing and table geometry for :mod:`eval.render`.

The renderer draws a corpus-style text document (TAB-separated table rows, Markdown/HTML residue) the
way an Excel/WPS export would look. This module holds everything that does not touch a PDF page:
the seeded :class:`Layout`, the parse of the source into text lines and table blocks, text
measurement/wrapping with the CJK font, and the per-table plan (font size, orientation, column
widths, wrapped cell lines, row heights).
"""

from __future__ import annotations

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
    rule_width: float = 0.6
    repeat_headers: bool = True
    blank_break_prob: float = 0.8
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
            row_extra=round(r.uniform(0.0, 6.0), 1),
            col_slack=round(r.uniform(1.0, 1.3), 2),
            col_cap_em=round(r.uniform(13.0, 22.0), 1),
            rule_width=round(r.uniform(0.4, 1.0), 2),
            repeat_headers=r.random() < 0.5,
            blank_break_prob=round(r.uniform(0.5, 1.0), 2),
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
    n = 0
    while n < min(3, len(rows) - 1) and not any(is_number(c) for c in rows[n].cells):
        n += 1
    return n if n < len(rows) and any(is_number(c) for c in rows[n].cells) else 0


def _make_table(raw_rows: list[tuple[int, str, int]]) -> Table:
    split = [(n, raw.split("\t"), brk) for n, raw, brk in raw_rows]
    ncols = max(len(cells) for _, cells, _ in split)
    rows = [
        Row(n, [clean(c) for c in cells] + [""] * (ncols - len(cells)), len(cells),
            [indent_em(c) for c in cells] + [0.0] * (ncols - len(cells)), brk)
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
    for line in raw[i + 1:]:
        if line.strip():
            return "\t" in line
    return False


@dataclass
class Metrics:
    """Glyph advances of the CJK font (at size 1), cached per character."""

    font: pymupdf.Font
    _adv: dict[str, float] = field(default_factory=dict)

    def width(self, text: str, size: float) -> float:
        adv = self._adv
        total = 0.0
        for c in text:
            w = adv.get(c)
            if w is None:
                w = adv[c] = self.font.glyph_advance(ord(c))
            total += w
        return total * size

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        """Greedy wrap; CJK breaks anywhere, runs of Latin letters/digits only when longer than a line."""
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
    """Geometry of one table block: font size, orientation, column widths, wrapped cells, row heights."""

    fs: float
    landscape: bool
    widths: list[float]
    cells: list[list[list[str]]]
    heights: list[float]


def _natural_em(table: Table, m: Metrics) -> tuple[list[float], list[float]]:
    ncols = len(table.rows[0].cells)
    text, num = [0.0] * ncols, [0.0] * ncols
    for row in table.rows:
        for j, cell in enumerate(row.cells):
            if is_number(cell):
                num[j] = max(num[j], m.width(cell, 1.0))
            elif cell:
                text[j] = max(text[j], m.width(cell, 1.0) + row.indents[j])
    return text, num


def _widths(nat: tuple[list[float], list[float]], fs: float, lay: Layout) -> list[float]:
    return [max(min(t, lay.col_cap_em), n, 2.0) * fs * lay.col_slack + 2 * lay.pad_x for t, n in zip(*nat)]


def _wrap_rows(table: Table, m: Metrics, widths: list[float], fs: float, lay: Layout) -> tuple[list, list[float]]:
    cells, heights = [], []
    for row in table.rows:
        wrapped = [
            ([c] if c else []) if is_number(c) else m.wrap(c, w - 2 * lay.pad_x - row.indents[j] * fs, fs)
            for j, (c, w) in enumerate(zip(row.cells, widths))
        ]
        cells.append(wrapped)
        lines = max(1, max(len(w) for w in wrapped))
        heights.append(2 * lay.pad_y + lines * fs * lay.cell_spacing + lay.row_extra)
    return cells, heights


def plan_table(table: Table, m: Metrics, lay: Layout) -> TablePlan:
    """Portrait if it fits, else landscape; scale the font down if even landscape is too narrow or a row
    is taller than a page (after giving the spare page width to the column that makes it tall)."""
    nat = _natural_em(table, m)
    fs = lay.font_size
    widths = _widths(nat, fs, lay)
    landscape = sum(widths) > A4[0] - 2 * lay.margin_x
    avail = (A4[1] if landscape else A4[0]) - 2 * lay.margin_x
    while sum(widths) > avail and fs > 3.0:
        fs = max(3.0, fs * min(0.97, avail / sum(widths)))
        widths = _widths(nat, fs, lay)
    max_h = 0.9 * ((A4[0] if landscape else A4[1]) - lay.margin_top - lay.margin_bottom)
    cells, heights = _wrap_rows(table, m, widths, fs, lay)
    while max(heights) > max_h and fs > 3.0:
        tall = heights.index(max(heights))
        col = max(range(len(widths)), key=lambda j: len(cells[tall][j]))
        if avail - sum(widths) > 1.0:
            widths[col] += avail - sum(widths)
        else:
            fs *= 0.9
            widths = _widths(nat, fs, lay)
        cells, heights = _wrap_rows(table, m, widths, fs, lay)
    return TablePlan(fs, landscape, widths, cells, heights)
