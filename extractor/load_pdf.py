"""PDF → lines of cells (:class:`LoadedDocument`), page by page.

Digital pages: characters come from the text layer (``rawdict``: one box per character, so text that
MuPDF glued across a cell border is split at the border), ruling lines from the vector drawings
(stroked lines, thin filled rectangles, edges of stroked rectangles). Lines that touch each other form a
grid (row boundaries × column boundaries); a missing border between two grid cells makes them one merged
cell, whose text goes to its top-left column. Every grid row becomes one ``CellSep.GRID`` line with one
cell per column, empty cells kept. Text outside grids becomes ``CellSep.SPACE`` lines: one cell per run
of words, a new run where words are far apart (an unruled table) — a paragraph line is one cell.

When the drawings give no grid: a page with cell shading or scattered segments falls back to
PyMuPDF's ``find_tables()`` (slow; only its cell boxes are used, never ``Table.extract()``), and a scan
with a text layer (searchable image) takes its rules from the rendered image.

Scanned or image-only pages (no text layer, or a garbage one) go to :mod:`extractor.ocr`, which feeds
recognised text and the ruling lines it finds in the image through the same :func:`layout_page`.

Coordinates are PDF points, origin top-left, in the displayed page (``page.rect``: rotated pages are
turned upright). Kangxi radicals / compatibility ideographs from odd font cmaps become the unified
characters. Pages are processed one at a time and nothing page-sized is kept, so memory does not grow
with the page count.
"""

from __future__ import annotations

import bisect
import os
import statistics
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from extractor.layout import CellSep, LineCell, LoadedDocument, SourceLine
from schemas.provenance import BBox, SourceKind
from schemas.tables import PageInfo

__all__ = [
    "Char",
    "PdfLoadError",
    "Seg",
    "layout_page",
    "load_pdf",
    "open_pdf",
    "page_rows",
    "pdf_plain_text",
    "scan_reason",
]

_TEXT_FLAGS = (pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
               | pymupdf.TEXT_USE_CID_FOR_UNKNOWN_UNICODE)  # no images: rawdict stays small on scans

# geometry tolerances, in points
_PERP_TOL = 1.2  # two segments on the same line when their y (or x) differ by at most this
_JOIN_GAP = 2.0  # collinear pieces closer than this are one segment
_TOUCH_TOL = 2.5  # a vertical and a horizontal segment touch when they meet within this
_BOUNDARY_TOL = 2.0  # boundaries closer than this are one
_THIN = 3.0  # a filled rectangle thinner than this is a line
_MIN_SEG = 4.0  # shorter segments are ignored (bullets, tick marks)


class PdfLoadError(Exception):
    """The file cannot be read as a PDF at all (one line, no traceback needed)."""


# --------------------------------------------------------------------------------------------------
# primitives shared with OCR


class Char:
    """One character with its box; ``src`` groups characters of one source line (MuPDF line, OCR box)."""

    __slots__ = ("c", "x0", "y0", "x1", "y1", "src", "cx", "cy", "h")

    def __init__(self, c: str, x0: float, y0: float, x1: float, y1: float, src: int = 0) -> None:
        self.c, self.x0, self.y0, self.x1, self.y1, self.src = c, x0, y0, x1, y1, src
        self.cx, self.cy, self.h = (x0 + x1) / 2, (y0 + y1) / 2, y1 - y0

    def __repr__(self) -> str:
        return f"Char({self.c!r}, {self.x0:.1f}, {self.y0:.1f}, {self.x1:.1f}, {self.y1:.1f})"


@dataclass(slots=True, frozen=True)
class Seg:
    """An axis-parallel ruling segment: ``pos`` is y for a horizontal one (``a``..``b`` along x), x for a
    vertical one (``a``..``b`` along y)."""

    pos: float
    a: float
    b: float


_SPACES = frozenset(" \t\xa0\u2002\u2003\u2009\u200b\u3000")


def _is_latin(ch: str) -> bool:
    o = ord(ch)
    return (0x21 <= o <= 0x7E) or (0xC0 <= o <= 0x24F)


def _is_bad(ch: str) -> bool:
    o = ord(ch)
    return ch == "\ufffd" or 0xE000 <= o <= 0xF8FF or (o < 0x20 and ch not in "\t\n\r")


def join_tokens(tokens: Iterable[str]) -> str:
    """Join words of one printed line: a space only between two latin/ASCII tokens (CJK joins directly)."""
    out = ""
    for tok in tokens:
        if not tok:
            continue
        if out and _is_latin(out[-1]) and _is_latin(tok[0]):
            out += " "
        out += tok
    return out


def _chars_text(chars: Sequence[Char]) -> str:
    """Text of characters already sorted in reading order on one visual line; white space collapses to
    the join rule, leading U+3000 (indentation) is kept."""
    lead = ""
    i = 0
    while i < len(chars) and chars[i].c in _SPACES:
        if chars[i].c == "\u3000":
            lead += "\u3000"
        i += 1
    tokens: list[str] = []
    cur = ""
    for ch in chars[i:]:
        if ch.c in _SPACES:
            if cur:
                tokens.append(cur)
                cur = ""
        else:
            cur += ch.c
    if cur:
        tokens.append(cur)
    return lead + join_tokens(tokens) if tokens else ""


def _visual_lines(chars: Sequence[Char]) -> list[list[Char]]:
    """Cluster characters into printed lines by vertical centre; each line sorted left to right."""
    if not chars:
        return []
    hs = [c.h for c in chars if c.c not in _SPACES and c.h > 0]
    tol = 0.5 * (statistics.median(hs) if hs else 8.0)
    lines: list[list[Char]] = []
    centres: list[float] = []
    for ch in sorted(chars, key=lambda c: c.cy):
        if lines and ch.cy - centres[-1] <= tol:
            lines[-1].append(ch)
            n = len(lines[-1])
            centres[-1] += (ch.cy - centres[-1]) / n
        else:
            lines.append([ch])
            centres.append(ch.cy)
    for ln in lines:
        ln.sort(key=lambda c: c.x0)
    return lines


def cell_text(chars: Sequence[Char]) -> str:
    """Text of one grid cell: its printed lines top to bottom, wrapped lines joined (a space only between
    two latin letters)."""
    out = ""
    for ln in _visual_lines(chars):
        s = _chars_text(ln)
        if not s:
            continue
        if out and out[-1].isascii() and out[-1].isalpha() and s[0].isascii() and s[0].isalpha():
            out += " "
        out += s
    return out


def _bbox_of(chars: Sequence[Char]) -> BBox:
    return (round(min(c.x0 for c in chars), 2), round(min(c.y0 for c in chars), 2),
            round(max(c.x1 for c in chars), 2), round(max(c.y1 for c in chars), 2))


# --------------------------------------------------------------------------------------------------
# ruling lines → grids


def segments_from_drawings(drawings: list[dict], matrix: pymupdf.Matrix | None = None
                           ) -> tuple[list[Seg], list[Seg], int]:
    """Horizontal and vertical ruling segments of a page's vector drawings, plus the number of filled,
    non-thin rectangles (cell shading: a hint that a table is drawn without lines). ``matrix`` maps
    drawing coordinates to the displayed page (rotated pages)."""
    hs: list[Seg] = []
    vs: list[Seg] = []
    shaded = 0
    for d in drawings:
        kind = d.get("type") or ""
        stroke = "s" in kind and _visible(d.get("color"))
        fill = "f" in kind and _visible(d.get("fill"))
        if not (stroke or fill):
            continue
        for item in d.get("items", ()):
            op = item[0]
            if op == "l" and stroke:
                p, q = item[1], item[2]
                if matrix is not None:
                    p, q = p * matrix, q * matrix
                _add_line(hs, vs, p.x, p.y, q.x, q.y)
            elif op in ("re", "qu"):
                r = item[1] if op == "re" else item[1].rect
                if matrix is not None:
                    r = r * matrix
                w, h = r.width, r.height
                if min(w, h) <= _THIN:
                    if max(w, h) >= _MIN_SEG:
                        if w >= h:
                            hs.append(Seg((r.y0 + r.y1) / 2, r.x0, r.x1))
                        else:
                            vs.append(Seg((r.x0 + r.x1) / 2, r.y0, r.y1))
                elif stroke:
                    hs += [Seg(r.y0, r.x0, r.x1), Seg(r.y1, r.x0, r.x1)]
                    vs += [Seg(r.x0, r.y0, r.y1), Seg(r.x1, r.y0, r.y1)]
                elif fill:
                    shaded += 1
    return hs, vs, shaded


def _visible(color: Sequence[float] | None) -> bool:
    return color is not None and len(color) > 0 and min(color) < 0.95


def _add_line(hs: list[Seg], vs: list[Seg], x0: float, y0: float, x1: float, y1: float) -> None:
    dx, dy = abs(x1 - x0), abs(y1 - y0)
    if dy <= 1.0 and dx >= _MIN_SEG:
        hs.append(Seg((y0 + y1) / 2, min(x0, x1), max(x0, x1)))
    elif dx <= 1.0 and dy >= _MIN_SEG:
        vs.append(Seg((x0 + x1) / 2, min(y0, y1), max(y0, y1)))


def merge_segments(segs: Iterable[Seg], perp: float = _PERP_TOL, gap: float = _JOIN_GAP) -> list[Seg]:
    """Collinear segments (``pos`` within ``perp``) that overlap or nearly touch become one."""
    out: list[Seg] = []
    for group in _group_by_pos(sorted(segs, key=lambda s: s.pos), perp):
        pos = statistics.fmean(s.pos for s in group)
        group.sort(key=lambda s: s.a)
        a, b = group[0].a, group[0].b
        for s in group[1:]:
            if s.a <= b + gap:
                b = max(b, s.b)
            else:
                out.append(Seg(pos, a, b))
                a, b = s.a, s.b
        out.append(Seg(pos, a, b))
    return out


def _group_by_pos(segs: list[Seg], tol: float) -> list[list[Seg]]:
    groups: list[list[Seg]] = []
    for s in segs:
        if groups and s.pos - groups[-1][0].pos <= tol:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def _cluster(values: Iterable[float], tol: float = _BOUNDARY_TOL) -> list[float]:
    vals = sorted(values)
    out: list[list[float]] = []
    for v in vals:
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [statistics.fmean(g) for g in out]


@dataclass
class Grid:
    """A ruled table: column boundaries ``xs``, row boundaries ``ys`` and the segments drawing it."""

    xs: list[float]
    ys: list[float]
    hsegs: list[Seg]
    vsegs: list[Seg]
    virtual: set[int] = field(default_factory=set)  # indexes into ys of row boundaries added from text lines
    _near: dict[tuple[str, float], list[Seg]] = field(default_factory=dict, repr=False)

    @property
    def bbox(self) -> BBox:
        return (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    def contains(self, x: float, y: float, margin: float = 0.5) -> bool:
        return self.xs[0] - margin <= x <= self.xs[-1] + margin and self.ys[0] - margin <= y <= self.ys[-1] + margin

    def v_present(self, x: float, ya: float, yb: float) -> bool:
        """Is there a vertical rule at ``x`` over most of ``ya``..``yb``?"""
        return self._coverage("v", x, ya, yb) >= 0.5 * (yb - ya)

    def h_present(self, k: int, xa: float, xb: float) -> bool:
        """Is the row boundary ``ys[k]`` ruled over most of ``xa``..``xb``?"""
        if k in self.virtual:
            return True
        return self._coverage("h", self.ys[k], xa, xb) >= 0.5 * (xb - xa)

    def _coverage(self, axis: str, pos: float, a: float, b: float) -> float:
        segs = self._near.get((axis, pos))
        if segs is None:
            pool = self.vsegs if axis == "v" else self.hsegs
            segs = self._near[(axis, pos)] = [s for s in pool if abs(s.pos - pos) <= _BOUNDARY_TOL + 0.5]
        total = 0.0
        for s in segs:
            if s.b > a and s.a < b:
                total += min(b, s.b) - max(a, s.a)
        return total


def build_grids(hsegs: Iterable[Seg], vsegs: Iterable[Seg]) -> list[Grid]:
    """Group touching ruling lines into grids; a grid needs two columns and one row at least."""
    hs = [s for s in merge_segments(hsegs) if s.b - s.a >= _MIN_SEG]
    vs = [s for s in merge_segments(vsegs) if s.b - s.a >= _MIN_SEG]
    if not hs or not vs:
        return []
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    t = _TOUCH_TOL
    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.a - t <= v.pos <= h.b + t and v.a - t <= h.pos <= v.b + t:
                ri, rj = find(i), find(len(hs) + j)
                if ri != rj:
                    parent[ri] = rj
    comps: dict[int, tuple[list[Seg], list[Seg]]] = {}
    for i, h in enumerate(hs):
        comps.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        comps.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    grids = []
    for ch, cv in comps.values():
        if not ch or not cv:
            continue
        xs = _cluster(v.pos for v in cv)
        ys = _cluster(h.pos for h in ch)
        left, right = min(h.a for h in ch), max(h.b for h in ch)
        top, bottom = min(v.a for v in cv), max(v.b for v in cv)
        if left < xs[0] - 3 * _BOUNDARY_TOL:
            xs.insert(0, left)
        if right > xs[-1] + 3 * _BOUNDARY_TOL:
            xs.append(right)
        if top < ys[0] - 3 * _BOUNDARY_TOL:
            ys.insert(0, top)
        if bottom > ys[-1] + 3 * _BOUNDARY_TOL:
            ys.append(bottom)
        if len(xs) >= 3 and len(ys) >= 2:
            grids.append(Grid([round(x, 2) for x in xs], [round(y, 2) for y in ys], ch, cv))
    grids.sort(key=lambda g: (g.ys[0], g.xs[0]))
    return grids


# --------------------------------------------------------------------------------------------------
# page layout: characters + grids → SourceLines


@dataclass
class _Row:
    y: float
    x: float
    line: SourceLine


def layout_page(page_no: int, chars: Sequence[Char], grids: Sequence[Grid]) -> list[SourceLine]:
    """Lines of one page in reading order (``line_no`` left 0: :func:`load_pdf` numbers them)."""
    inside: list[list[Char]] = [[] for _ in grids]
    outside: list[Char] = []
    for ch in chars:
        cx, cy = ch.cx, ch.cy
        for g, grid in enumerate(grids):
            if grid.contains(cx, cy):
                inside[g].append(ch)
                break
        else:
            outside.append(ch)
    rows: list[_Row] = []
    for grid, gchars in zip(grids, inside, strict=True):
        rows += _grid_rows(page_no, grid, gchars)
    rows += _text_rows(page_no, outside)
    rows.sort(key=lambda r: (round(r.y, 1), r.x))
    return [r.line for r in rows]


def _grid_rows(page_no: int, grid: Grid, chars: list[Char]) -> list[_Row]:
    _split_unruled_rows(grid, chars)
    xs, ys = grid.xs, grid.ys
    nr, nc = len(ys) - 1, len(xs) - 1
    # merged cells: union grid cells across missing borders
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the root is the top-left-most cell

    for i in range(nr):
        for j in range(1, nc):
            if not grid.v_present(xs[j], ys[i], ys[i + 1]):
                union(i * nc + j - 1, i * nc + j)
    for i in range(1, nr):
        for j in range(nc):
            if not grid.h_present(i, xs[j], xs[j + 1]):
                union((i - 1) * nc + j, i * nc + j)
    regions: dict[int, list[int]] = {}
    for k in range(nr * nc):
        regions.setdefault(find(k), []).append(k)
    cell_chars: dict[int, list[Char]] = {}
    for ch in chars:
        i = min(max(bisect.bisect_right(ys, ch.cy) - 1, 0), nr - 1)
        j = min(max(bisect.bisect_right(xs, ch.cx) - 1, 0), nc - 1)
        cell_chars.setdefault(find(i * nc + j), []).append(ch)
    out: list[_Row] = []
    for i in range(nr):
        cells: list[LineCell] = []
        for j in range(nc):
            k = i * nc + j
            root = find(k)
            if root == k:
                members = regions[root]
                ri = [m // nc for m in members]
                rj = [m % nc for m in members]
                box = (xs[min(rj)], ys[min(ri)], xs[max(rj) + 1], ys[max(ri) + 1])
                text = cell_text(cell_chars.get(root, []))
            else:
                box, text = (xs[j], ys[i], xs[j + 1], ys[i + 1]), ""
            cells.append(LineCell(text, box))
        if not any(c.text for c in cells):
            continue
        bbox = (xs[0], ys[i], xs[-1], ys[i + 1])
        line = SourceLine(page=page_no, line_no=0, cells=cells, sep=CellSep.GRID, bbox=bbox, ruled=True)
        out.append(_Row(ys[i], xs[0], line))
    return out


def _split_unruled_rows(grid: Grid, chars: list[Char]) -> None:
    """A table ruled only around its header (or only by columns) has one tall grid row holding many
    records: split such a row at its printed lines when three lines or more fill two columns or more.

    Kept whole: rows of a table ruled row by row (three single-line rows or more) and rows holding a
    wrapped paragraph (a cell whose lines run from its left border to its right one)."""
    if not chars:
        return
    hs = [c.h for c in chars if c.c not in _SPACES and c.h > 0]
    if not hs:
        return
    line_h = statistics.median(hs)
    heights = [b - a for a, b in zip(grid.ys, grid.ys[1:], strict=False)]
    if sum(1 for h in heights if h < 2.2 * line_h) >= 3:
        return
    xs = grid.xs
    new_ys: list[float] = []
    for i in range(len(grid.ys) - 1):
        ya, yb = grid.ys[i], grid.ys[i + 1]
        if yb - ya < 3.2 * line_h:
            continue
        lines = _visual_lines([c for c in chars if ya <= c.cy < yb and c.c not in _SPACES])
        cols = [{bisect.bisect_right(xs, c.cx) - 1 for c in ln} for ln in lines]
        if sum(1 for cs in cols if len(cs) >= 2) < 3 or _wrapped(lines, xs, line_h):
            continue
        for upper, lower in zip(lines, lines[1:], strict=False):
            cut = round((max(c.y1 for c in upper) + min(c.y0 for c in lower)) / 2, 2)
            if ya < cut < yb:
                new_ys.append(cut)
    if new_ys:
        old = set(grid.ys)
        grid.ys = sorted(old | set(new_ys))
        grid.virtual = {k for k, y in enumerate(grid.ys) if y not in old}


def _wrapped(lines: list[list[Char]], xs: list[float], line_h: float) -> bool:
    """Does a cell hold a paragraph wrapped over several lines (a line spanning its cell's width, with
    more text in the same cell on the next line)?"""
    slack = 1.6 * line_h
    for j in range(len(xs) - 1):
        spans = []
        for ln in lines:
            part = [c for c in ln if xs[j] <= c.cx < xs[j + 1]]
            if part:
                spans.append((part[0].x0, part[-1].x1))
        if any(a - xs[j] <= slack and xs[j + 1] - b <= slack for a, b in spans[:-1]):
            return True
    return False


def _text_rows(page_no: int, chars: list[Char]) -> list[_Row]:
    """Text outside grids: printed lines, split into cells where words are far apart."""
    words = _words(chars)
    out: list[_Row] = []
    for line in _line_groups(words):
        line.sort(key=lambda w: w[0].x0)
        height = statistics.median(max(c.h for c in w) for w in line)
        runs: list[list[list[Char]]] = [[line[0]]]
        for w in line[1:]:
            if w[0].x0 - runs[-1][-1][-1].x1 > max(height, 4.0):
                runs.append([w])
            else:
                runs[-1].append(w)
        cells = []
        for run in runs:
            flat = [c for w in run for c in w]
            cells.append(LineCell(join_tokens("".join(c.c for c in w) for w in run), _bbox_of(flat)))
        allc = [c for w in line for c in w]
        bbox = _bbox_of(allc)
        out.append(_Row(bbox[1], bbox[0], SourceLine(page=page_no, line_no=0, cells=cells, sep=CellSep.SPACE,
                                                       bbox=bbox)))
    return out


def _words(chars: list[Char]) -> list[list[Char]]:
    """Split each source line's characters at white space (leading U+3000 stays with the first word)."""
    by_src: dict[int, list[Char]] = {}
    for ch in chars:
        by_src.setdefault(ch.src, []).append(ch)
    words: list[list[Char]] = []
    for src_chars in by_src.values():
        cur: list[Char] = []
        first = True
        for ch in src_chars:
            if ch.c not in _SPACES:
                cur.append(ch)
            elif first and ch.c == "\u3000" and all(c.c == "\u3000" for c in cur):
                cur.append(ch)  # indentation before the first word
            elif any(c.c not in _SPACES for c in cur):
                words.append(cur)
                cur, first = [], False
        if any(c.c not in _SPACES for c in cur):
            words.append(cur)
    return words


def _line_groups(words: list[list[Char]]) -> list[list[list[Char]]]:
    """Words on the same printed line: vertical overlap of at least half the smaller height."""
    boxes = sorted(((min(c.y0 for c in w), max(c.y1 for c in w), w) for w in words), key=lambda t: (t[0] + t[1]) / 2)
    lines: list[tuple[float, float, list[list[Char]]]] = []
    for y0, y1, w in boxes:
        if lines:
            ly0, ly1, lw = lines[-1]
            overlap = min(y1, ly1) - max(y0, ly0)
            if overlap >= 0.5 * min(y1 - y0, ly1 - ly0):
                lw.append(w)
                lines[-1] = (min(y0, ly0), max(y1, ly1), lw)
                continue
        lines.append((y0, y1, [w]))
    return [lw for _, _, lw in lines]


# --------------------------------------------------------------------------------------------------
# digital pages


def unify_cjk(c: str) -> str:
    """Kangxi radicals and CJK compatibility ideographs → the unified ideograph (fonts that share one glyph
    between them make MuPDF report ``⾏`` for 行 or U+F98E for 年); other characters unchanged."""
    if "\u2e80" <= c <= "\u2fdf" or "\uf900" <= c <= "\ufaff" or "\U0002f800" <= c <= "\U0002fa1f":
        return unicodedata.normalize("NFKC", c)
    return c


def page_chars(page: pymupdf.Page) -> list[Char]:
    """Every character of the text layer with its box, in the displayed page's coordinates."""
    out: list[Char] = []
    src = 0
    m = page.rotation_matrix if page.rotation else None
    for block in page.get_text("rawdict", flags=_TEXT_FLAGS)["blocks"]:
        for line in block.get("lines", ()):
            src += 1
            for span in line["spans"]:
                for ch in span["chars"]:
                    if m is None:
                        x0, y0, x1, y1 = ch["bbox"]
                    else:
                        x0, y0, x1, y1 = pymupdf.Rect(ch["bbox"]) * m
                    c = ch["c"]
                    if c >= "\u2e80" and (c <= "\u2fdf" or "\uf900" <= c <= "\ufaff" or c >= "\U0002f800"):
                        c = unify_cjk(c)
                    out.append(Char(c, x0, y0, x1, y1, src))
    return out


def image_coverage(page: pymupdf.Page) -> float:
    """Share of the page covered by images (overlaps counted twice, capped at 1)."""
    area = abs(page.rect) or 1.0
    covered = sum(abs(pymupdf.Rect(info["bbox"]) & page.rect) for info in page.get_image_info())
    return min(1.0, covered / area)


def scan_reason(page: pymupdf.Page, chars: Sequence[Char], n_paths: int) -> str | None:
    """Why the page needs OCR (no text layer / a garbage one), or ``None`` for a digital page."""
    visible = [c for c in chars if c.c not in _SPACES]
    n = len(visible)
    bad = sum(1 for c in visible if _is_bad(c.c))
    if n and bad / n > 0.5:
        return "garbage text layer"
    if n >= 20:
        return None
    if image_coverage(page) >= 0.5:
        return "no text layer" if n == 0 else "image page with almost no text"
    if n == 0 and n_paths >= 500:
        return "no text layer (text drawn as paths)"
    return None


def _looks_ruled(hs: list[Seg], vs: list[Seg], shaded: int) -> bool:
    return (len(hs) >= 3 and len(vs) >= 2) or shaded >= 4 or len(hs) + len(vs) >= 20


def _find_tables_grids(page: pymupdf.Page) -> list[Grid]:
    """Fallback: PyMuPDF's table finder (slow). Only its cell boxes are used: they become segments for
    :func:`build_grids` (text still comes from the characters, never ``Table.extract()``)."""
    try:
        found = page.find_tables()
    except Exception:  # noqa: BLE001 - a fallback must not fail the page
        return []
    hs: list[Seg] = []
    vs: list[Seg] = []
    for tab in found.tables:
        for row in tab.rows:
            for cell in row.cells:
                if cell is None:
                    continue
                x0, y0, x1, y1 = cell
                hs += [Seg(y0, x0, x1), Seg(y1, x0, x1)]
                vs += [Seg(x0, y0, y1), Seg(x1, y0, y1)]
    return build_grids(hs, vs)


def page_rows(page: pymupdf.Page, chars: list[Char] | None = None, drawings: list[dict] | None = None) -> list[SourceLine]:
    """The lines of one digital page (text layer + vector ruling lines)."""
    if chars is None:
        chars = page_chars(page)
    if drawings is None:
        drawings = page.get_drawings()
    hs, vs, shaded = segments_from_drawings(drawings, page.rotation_matrix if page.rotation else None)
    grids = build_grids(hs, vs)
    if not grids and chars and _looks_ruled(hs, vs, shaded):
        grids = _find_tables_grids(page)
    if not grids and chars and image_coverage(page) >= 0.5:
        # a scan with a text layer (searchable image): the rules are in the image
        from extractor.ocr import image_grids

        grids = image_grids(page)
    return layout_page(page.number + 1, chars, grids)


# --------------------------------------------------------------------------------------------------
# documents


def open_pdf(path_or_bytes: str | os.PathLike[str] | bytes | bytearray | memoryview) -> pymupdf.Document:
    """Open a PDF or raise :class:`PdfLoadError` with a one-line reason."""
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        data: bytes | None = bytes(path_or_bytes)
        head = bytes(path_or_bytes[:1024])
        name = None
    else:
        name = str(path_or_bytes)
        data = None
        try:
            with open(name, "rb") as fh:
                head = fh.read(1024)
        except OSError as exc:
            raise PdfLoadError(f"cannot read {Path(name).name}: {exc.strerror or exc}") from None
    if not head:
        raise PdfLoadError("not a PDF (the file is empty)")
    if b"%PDF-" not in head:
        raise PdfLoadError(f"not a PDF (file starts with {_show(head[:12])})")
    shown = pymupdf.TOOLS.mupdf_display_errors()
    pymupdf.TOOLS.mupdf_display_errors(False)
    try:
        doc = pymupdf.open(stream=data, filetype="pdf") if data is not None else pymupdf.open(name, filetype="pdf")
    except Exception as exc:  # noqa: BLE001 - MuPDF raises several types; all mean "unreadable"
        raise PdfLoadError(f"corrupt PDF: {_one_line(exc)}") from None
    finally:
        pymupdf.TOOLS.mupdf_display_errors(shown)
        pymupdf.TOOLS.reset_mupdf_warnings()
    if doc.needs_pass:
        doc.close()
        raise PdfLoadError("encrypted PDF: a password is needed")
    try:
        count = doc.page_count
    except Exception as exc:  # noqa: BLE001
        doc.close()
        raise PdfLoadError(f"corrupt PDF: {_one_line(exc)}") from None
    if count == 0:
        doc.close()
        raise PdfLoadError("PDF has no pages")
    return doc


def _show(head: bytes) -> str:
    if head.isascii() and all(32 <= b < 127 for b in head):
        return repr(head.decode())
    return head.hex(" ")


def _one_line(exc: BaseException) -> str:
    msg = " ".join(str(exc).split()) or type(exc).__name__
    return msg[:200]


def load_pdf(
    path_or_bytes: str | os.PathLike[str] | bytes,
    doc_id: str,
    file_name: str,
    *,
    ocr: bool = True,
    ocr_pages_limit: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    ocr_engine: str = "rapidocr",
    ocr_dpi: int = 200,
) -> LoadedDocument:
    """Read every page into lines of cells. A page that fails is recorded (``PageInfo.error`` and
    ``errors``) and the others still load; a file that is not a readable PDF raises :class:`PdfLoadError`."""
    doc = open_pdf(path_or_bytes)
    loaded = LoadedDocument(doc_id=doc_id, file_name=file_name, source=SourceKind.PDF)
    total = doc.page_count
    ocr_done = 0
    line_no = 0
    try:
        for index in range(total):
            info = PageInfo(number=index + 1)
            rows: list[SourceLine] = []
            try:
                page = doc.load_page(index)
                info.width, info.height = round(page.rect.width, 2), round(page.rect.height, 2)
                chars = page_chars(page)
                drawings = page.get_drawings()
                reason = scan_reason(page, chars, sum(len(d.get("items", ())) for d in drawings))
                if reason is None:
                    rows = page_rows(page, chars, drawings)
                elif not ocr:
                    info.error = "scanned page: OCR is turned off"
                elif ocr_pages_limit is not None and ocr_done >= ocr_pages_limit:
                    info.error = f"scanned page: OCR page limit ({ocr_pages_limit}) reached"
                else:
                    del chars, drawings
                    rows = _ocr(page, ocr_dpi, ocr_engine)
                    info.ocr = True
                    ocr_done += 1
                del page
            except _OcrFailed as exc:
                info.error, rows = str(exc), []
            except Exception as exc:  # noqa: BLE001 - one bad page must not sink the document
                info.error, rows = f"page failed: {_one_line(exc)}", []
            if info.error:
                loaded.errors.append(f"page {index + 1}: {info.error}")
            for row in rows:
                line_no += 1
                row.line_no = line_no
                row.page = index + 1
            loaded.lines += rows
            loaded.pages.append(info)
            if progress is not None:
                progress(index + 1, total)
    finally:
        doc.close()
    if loaded.pages and all(p.ocr for p in loaded.pages):
        loaded.source = SourceKind.OCR
    return loaded


class _OcrFailed(Exception):
    pass


def _ocr(page: pymupdf.Page, dpi: int, engine: str) -> list[SourceLine]:
    from extractor.ocr import ocr_page

    try:
        return ocr_page(page, dpi=dpi, engine=engine)
    except Exception as exc:  # noqa: BLE001 - reported on the page, with its cause
        raise _OcrFailed(f"OCR failed: {_one_line(exc)}") from exc


def pdf_plain_text(path_or_bytes: str | os.PathLike[str] | bytes) -> str:
    """``page.get_text()`` of every page, separated by form feeds: the plain PDF-to-text form."""
    doc = open_pdf(path_or_bytes)
    try:
        return "\f".join(doc.load_page(i).get_text() for i in range(doc.page_count))
    finally:
        doc.close()
