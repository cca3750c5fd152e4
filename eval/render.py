"""Render a corpus-style text document into a PDF that looks exported from Excel/WPS, with ground truth.

Text lines become wrapped paragraphs (Markdown/HTML residue stripped, ``#`` headings larger, watermark
lines such as ``仅供内部审核`` in light grey but kept in the text layer, ``-----`` lines drawn as rules).
Runs of TAB lines become ruled tables, one cell per field, padded to the block's column count; wide
tables go on landscape pages, long ones break across pages (also at a blank line inside the block once
the page is partly full, as the original PDF did; header rows repeated for about half of the seeds).
Every layout choice comes from the seed, and the same seed gives the same bytes.
:class:`RenderTruth` records where every source line went.

    python -m eval.render SRC... --out DIR [--seed N] [--scanned]
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

from eval.render_layout import A4, Layout, Line, Metrics, Table, TablePlan, font_file, is_number, parse, plan_table

Box = tuple[float, float, float, float]
GREY = (0.72, 0.72, 0.72)
_HEADING_SCALE = {1: 1.8, 2: 1.5, 3: 1.3}

__all__ = ["Layout", "RenderTruth", "render_digital", "render_file", "render_scanned"]


@dataclass
class RenderTruth:
    """Where each source line (1-based, ``text.split("\\n")``) was drawn. Boxes in PDF points, origin top-left.

    ``cell_boxes`` has one entry per TAB table row: the box of each cell, ``None`` for padding cells added
    to reach the block's column count. Repeated header rows on continuation pages are not recorded.
    """

    seed: int
    pages: int = 0
    line_pages: dict[int, int] = field(default_factory=dict)
    cell_boxes: dict[int, list[Box | None]] = field(default_factory=dict)
    landscape_pages: list[int] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str) -> RenderTruth:
        d = json.loads(data)
        return cls(
            seed=d["seed"],
            pages=d["pages"],
            line_pages={int(k): v for k, v in d["line_pages"].items()},
            cell_boxes={int(k): [tuple(b) if b else None for b in v] for k, v in d["cell_boxes"].items()},
            landscape_pages=d["landscape_pages"],
        )


@dataclass
class _Page:
    page: pymupdf.Page
    text: pymupdf.TextWriter
    grey: pymupdf.TextWriter
    landscape: bool
    width: float
    height: float
    rules: list[Box] = field(default_factory=list)


class _Canvas:
    """The document being drawn and the cursor on its last page."""

    def __init__(self, lay: Layout, m: Metrics, title: str) -> None:
        self.doc, self.lay, self.m, self.title = pymupdf.open(), lay, m, title
        self.pages: list[_Page] = []
        self.chars: set[str] = set()
        self.y = 0.0
        self.left = lay.margin_x

    @property
    def cur(self) -> _Page:
        return self.pages[-1]

    @property
    def right(self) -> float:
        return self.cur.width - self.lay.margin_x

    @property
    def bottom(self) -> float:
        return self.cur.height - self.lay.margin_bottom

    def at_top(self) -> bool:
        return self.y <= self.lay.margin_top + 0.01

    def new_page(self, landscape: bool) -> None:
        """Start a page; the previous one is finished first (PyMuPDF page objects go stale on new_page)."""
        if self.pages:
            self._close(self.cur, len(self.pages))
        w, h = (A4[1], A4[0]) if landscape else A4
        page = self.doc.new_page(width=w, height=h)
        self.pages.append(_Page(page, pymupdf.TextWriter(page.rect), pymupdf.TextWriter(page.rect), landscape, w, h))
        self.y = self.lay.margin_top

    def room(self, h: float, landscape: bool | None = None, fresh: bool = False) -> None:
        """Make sure ``h`` points fit below the cursor, on a page of the wanted orientation."""
        if not self.pages:
            return self.new_page(bool(landscape))
        want = self.cur.landscape if landscape is None else landscape
        if want != self.cur.landscape or (not self.at_top() and (fresh or self.y + h > self.bottom)):
            self.new_page(want)

    def text(
        self, x: float, top: float, s: str, fs: float, lh: float, grey: bool = False, pg: _Page | None = None
    ) -> None:
        """Draw ``s`` vertically centred in the line box ``[top, top + lh]``."""
        font, pg = self.m.font, pg or self.cur
        self.chars.update(s)
        baseline = top + (lh - (font.ascender - font.descender) * fs) / 2 + font.ascender * fs
        (pg.grey if grey else pg.text).append((x, baseline), s, font=font, fontsize=fs)

    def _close(self, pg: _Page, n: int) -> None:
        """Page number, running header, then write the page's text and rules."""
        lay, fs, w, h = self.lay, self.lay.font_size, pg.width, pg.height
        label = f"- {n} -" if lay.page_number_style == "dash" else f"第{n}页"
        self.text((w - self.m.width(label, fs)) / 2, h - lay.margin_bottom / 2 - fs, label, fs, 2 * fs, pg=pg)
        if lay.running_header and self.title and n > 1:
            self.text(lay.margin_x, lay.margin_top / 2 - fs, self.title, fs * 0.9, 2 * fs, pg=pg)
            pg.rules.append((lay.margin_x, lay.margin_top / 2 + fs, w - lay.margin_x, lay.margin_top / 2 + fs))
        _flush(pg, lay.rule_width)

    def finish(self, rng: random.Random) -> bytes:
        if not self.pages:
            self.new_page(False)
        self._close(self.cur, len(self.pages))
        self.doc.set_metadata(
            {
                "creator": rng.choice(["Microsoft® Excel® 2016", "WPS 表格", "Microsoft® Excel® 2010"]),
                "producer": rng.choice(["Microsoft® Excel® 2016", "WPS Office"]),
            }
        )
        self.doc.subset_fonts()
        _fix_to_unicode(self.doc, self.m.font, self.chars)
        return self.doc.tobytes(garbage=3, deflate=True, no_new_id=True)


def _fix_to_unicode(doc: pymupdf.Document, font: pymupdf.Font, chars: set[str]) -> None:
    """Rewrite the embedded font's ToUnicode CMap from the characters actually drawn.

    The CMap MuPDF derives from the font maps a glyph shared by a unified ideograph and its CJK
    compatibility twin (年 U+5E74 / U+F98E, 老 / U+F934, …) to the twin, so the text layer would not
    give back the source text. Canonical characters win here.
    """
    by_gid: dict[int, str] = {}
    for c in sorted(chars, key=lambda c: (unicodedata.normalize("NFC", c) != c, c)):
        gid = font.has_glyph(ord(c))
        if gid and gid not in by_gid:
            by_gid[gid] = c
    pairs = [f"<{gid:04x}> <{c.encode('utf-16-be').hex()}>" for gid, c in sorted(by_gid.items())]
    body = "".join(
        f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar\n"
        for chunk in (pairs[i : i + 100] for i in range(0, len(pairs), 100))
    )
    cmap = _CMAP_HEAD + body + _CMAP_TAIL
    fonts = {f[0] for page in doc.pages() for f in page.get_fonts() if f[2] == "Type0"}
    for xref in fonts:
        kind, ref = doc.xref_get_key(xref, "ToUnicode")
        if kind == "xref":
            doc.update_stream(int(ref.split()[0]), cmap.encode("ascii"))


_CMAP_HEAD = """/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo <</Registry(Adobe)/Ordering(UCS)/Supplement 0>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
"""
_CMAP_TAIL = """endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


def _flush(pg: _Page, width: float) -> None:
    pg.text.write_text(pg.page)
    pg.grey.write_text(pg.page, color=GREY)
    if pg.rules:
        shape = pg.page.new_shape()
        for x0, y0, x1, y1 in pg.rules:
            shape.draw_line((x0, y0), (x1, y1))
        shape.finish(width=width, color=(0, 0, 0))
        shape.commit()


def _draw_line(cv: _Canvas, it: Line, truth: RenderTruth, in_caption: bool) -> None:
    lay = cv.lay
    if it.kind == "blank":
        if cv.pages and not cv.at_top():
            cv.y += lay.font_size * 0.6
        return
    if it.kind == "pagebreak":
        if cv.pages and not cv.at_top():
            cv.new_page(False)
        return
    if cv.pages and cv.cur.landscape and not in_caption:
        cv.new_page(False)
    body = lay.font_size * 1.25
    fs = {"heading": body * _HEADING_SCALE.get(it.level, 1.15), "watermark": body * 1.5}.get(it.kind, body)
    lh = fs * lay.para_spacing
    if it.kind == "rule":
        cv.room(lh)
        truth.line_pages[it.lineno] = len(cv.pages)
        cv.cur.rules.append((cv.left, cv.y + lh / 2, cv.right, cv.y + lh / 2))
        cv.y += lh
        return
    centred = it.kind == "watermark" or (it.kind == "heading" and it.level <= 2)
    first = (it.indent + (2 if lay.para_indent and it.kind == "text" and len(it.text) > 30 else 0)) * fs
    cv.room(lh)
    truth.line_pages[it.lineno] = len(cv.pages)
    lines = cv.m.wrap(it.text, cv.right - cv.left - first, fs) if it.text else []
    for k, s in enumerate(lines):
        cv.room(lh)
        x = (cv.left + cv.right - cv.m.width(s, fs)) / 2 if centred else cv.left + (first if k == 0 else 0)
        cv.text(x, cv.y, s, fs, lh, grey=it.kind == "watermark")
        cv.y += lh


def _draw_row(
    cv: _Canvas, xs: list[float], plan: TablePlan, r: int, cells: list[str], indents: list[float]
) -> list[Box]:
    lay, fs, h, y = cv.lay, plan.row_fs[r], plan.heights[r], cv.y
    lh = fs * lay.cell_spacing
    boxes: list[Box] = []
    for j, lines in enumerate(plan.cells[r]):
        a, b = xs[j], xs[j + 1]
        top = y + (h - len(lines) * lh) / 2
        num = is_number(cells[j])
        for k, s in enumerate(lines):
            x = b - lay.pad_x - cv.m.width(s, fs) if num else a + lay.pad_x + indents[j] * fs
            cv.text(x, top + k * lh, s, fs, lh)
        boxes.append((round(a, 2), round(y, 2), round(b, 2), round(y + h, 2)))
    cv.y += h
    return boxes


def _grid(cv: _Canvas, xs: list[float], ys: list[float]) -> None:
    if len(ys) > 1:
        cv.cur.rules.extend((xs[0], y, xs[-1], y) for y in ys)
        cv.cur.rules.extend((x, ys[0], x, ys[-1]) for x in xs)


def _draw_table(cv: _Canvas, tab: Table, plan: TablePlan, truth: RenderTruth) -> None:
    lay, nh = cv.lay, tab.header_count
    cv.room(sum(plan.heights[: nh + 1]), plan.landscape)
    x0 = cv.left + ((cv.right - cv.left - sum(plan.widths)) / 2 if lay.center_tables else 0.0)
    xs = [x0]
    for w in plan.widths:
        xs.append(xs[-1] + w)
    ys = [cv.y]
    for r, row in enumerate(tab.rows):
        fill = (cv.y - lay.margin_top) / (cv.bottom - lay.margin_top)
        forced = row.brk == 2 or (row.brk == 1 and fill >= lay.blank_break_fill)
        if len(ys) > 1 and (forced or cv.y + plan.heights[r] > cv.bottom):
            _grid(cv, xs, ys)
            cv.new_page(plan.landscape)
            ys = [cv.y]
            for hr in range(nh if lay.repeat_headers and r >= nh else 0):
                _draw_row(cv, xs, plan, hr, tab.rows[hr].cells, tab.rows[hr].indents)
                ys.append(cv.y)
        boxes = _draw_row(cv, xs, plan, r, row.cells, row.indents)
        truth.line_pages[row.lineno] = len(cv.pages)
        truth.cell_boxes[row.lineno] = [b if j < row.n_fields else None for j, b in enumerate(boxes)]
        ys.append(cv.y)
    _grid(cv, xs, ys)
    cv.y += lay.font_size * 0.8


def _captions(items: list[Line | Table]) -> dict[int, int]:
    """Item index → index of the table it captions (title, 单位 line, … : short lines just above a table)."""
    out: dict[int, int] = {}
    for t, it in enumerate(items):
        if not isinstance(it, Table):
            continue
        k, n = t - 1, 0
        while k >= 0 and n < 6 and _caption_like(items[k]):
            n += items[k].kind != "blank"  # type: ignore[union-attr]
            k -= 1
        out.update({i: t for i in range(k + 1, t + 1)})
    return out


def _caption_like(it: Line | Table) -> bool:
    return isinstance(it, Line) and it.kind in ("blank", "text", "heading", "watermark") and len(it.text) <= 40


def _title(items: list[Line | Table]) -> str:
    return next(
        (
            it.text
            for it in items
            if isinstance(it, Line) and it.kind in ("text", "heading") and it.text and len(it.text) <= 30
        ),
        "",
    )


def render_digital(text: str, seed: int = 0, *, layout: Layout | None = None) -> tuple[bytes, RenderTruth]:
    """Render ``text`` to a born-digital PDF (CJK font embedded, text layer) and its :class:`RenderTruth`."""
    lay = layout or Layout.from_seed(seed)
    m = Metrics(pymupdf.Font(fontfile=str(font_file())))
    items = parse(text)
    plans = {i: plan_table(it, m, lay) for i, it in enumerate(items) if isinstance(it, Table)}
    captions = _captions(items)
    cv, truth = _Canvas(lay, m, _title(items)), RenderTruth(seed)
    for i, it in enumerate(items):
        if captions.get(i - 1) != captions.get(i) and i in captions:  # first line of a table's caption
            plan = plans[captions[i]]
            cv.room(sum(plan.heights[:3]) + 6 * lay.font_size, plan.landscape, fresh=lay.table_new_page)
        if isinstance(it, Table):
            _draw_table(cv, it, plans[i], truth)
        else:
            _draw_line(cv, it, truth, i in captions)
    pdf = cv.finish(random.Random(seed * 1_000_003 + 17))
    truth.pages = len(cv.pages)
    truth.landscape_pages = [n for n, pg in enumerate(cv.pages, start=1) if pg.landscape]
    return pdf, truth


def _scan_image(page: pymupdf.Page, dpi: int, rng: random.Random, noise: np.random.Generator) -> bytes:
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
    img = Image.fromarray(arr).rotate(rng.uniform(-0.6, 0.6), resample=Image.Resampling.BILINEAR, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    grey = np.asarray(img, dtype=np.float32) * rng.uniform(0.88, 0.97) + rng.uniform(4, 18)
    grey += noise.normal(0.0, rng.uniform(3.0, 7.0), grey.shape).astype(np.float32)
    out = io.BytesIO()
    Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)).save(out, format="JPEG", quality=rng.randint(70, 88))
    return out.getvalue()


def render_scanned(
    text: str, seed: int = 0, *, dpi: int = 150, pages: list[int] | None = None
) -> tuple[bytes, RenderTruth]:
    """Render digitally, then rasterise (greyscale, slight rotation, blur, noise) into an image-only PDF.

    ``pages`` (1-based pages of the digital render) selects and orders the pages; the truth is renumbered
    to the scanned PDF's pages and keeps only the lines on them. Truth boxes are the digital ones: they
    ignore the rotation (up to 0.6°, a few points at the page edges).
    """
    pdf, truth = render_digital(text, seed)
    src = pymupdf.open("pdf", pdf)
    chosen = pages or list(range(1, src.page_count + 1))
    if any(not 1 <= n <= src.page_count for n in chosen):
        raise ValueError(f"pages {chosen} outside 1..{src.page_count}")
    rng, noise = random.Random(seed + 7919), np.random.default_rng(seed)
    out = pymupdf.open()
    for n in chosen:
        rect = src[n - 1].rect
        out.new_page(width=rect.width, height=rect.height).insert_image(
            rect, stream=_scan_image(src[n - 1], dpi, rng, noise)
        )
    out.set_metadata({})
    new_no = {old: new for new, old in enumerate(chosen, start=1)}
    scanned = RenderTruth(
        seed=seed,
        pages=len(chosen),
        line_pages={ln: new_no[p] for ln, p in truth.line_pages.items() if p in new_no},
        cell_boxes={ln: b for ln, b in truth.cell_boxes.items() if truth.line_pages[ln] in new_no},
        landscape_pages=[new_no[p] for p in truth.landscape_pages if p in new_no],
    )
    return out.tobytes(garbage=3, deflate=True, no_new_id=True), scanned


def read_text(src: Path) -> str:
    data = src.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def render_file(src: Path, out_dir: Path, seed: int = 0, scanned: bool = False) -> Path:
    """Write ``<stem>[.scan].pdf`` and ``<stem>[.scan].truth.json`` into ``out_dir``; return the PDF path."""
    text = read_text(Path(src))
    pdf, truth = render_scanned(text, seed) if scanned else render_digital(text, seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = Path(src).stem + (".scan" if scanned else "")
    (out_dir / f"{stem}.truth.json").write_text(truth.to_json(), encoding="utf-8")
    path = out_dir / f"{stem}.pdf"
    path.write_bytes(pdf)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.render", description=__doc__.split("\n")[0])
    ap.add_argument("src", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scanned", action="store_true")
    args = ap.parse_args(argv)
    for src in args.src:
        t0 = time.perf_counter()
        path = render_file(src, args.out, args.seed, args.scanned)
        pages = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))["pages"]
        print(f"{path}\t{pages} pages\t{time.perf_counter() - t0:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
