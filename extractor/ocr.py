"""OCR of scanned pages into the same lines of cells as digital pages.

One page: render it (greyscale), straighten a small skew (< 1°, measured on the table's horizontal
rules), find the ruling lines in the image (long dark horizontal / vertical runs, by morphology; a rule
must cross or join other rules, so a ``——`` in a cell is text), erase the rules that form a grid (a
rule next to a digit is read as ``1``), run the OCR engine once on the whole page, and give the
recognised text — one box per character, from the engine's character positions or split
proportionally — to :func:`extractor.load_pdf.layout_page` together with the grid. Everything is
converted to PDF points first, so grids, merged cells and reading order follow exactly the rules of
digital pages.

Detection misses lone short glyphs; grid cells that hold ink no detected box covers get one
recognition-only batch (confident reads only), and a lone thin bar is named by its length (``——``,
``—``, ``-``). Boxes cut in two that both read the overlapping glyph are de-duplicated.

Engines are looked up by name (``rapidocr`` is built in) and built once per process. An engine needs
``recognize(gray) -> list[OcrBox]``; ``recognize_crops(crops) -> list[(text, score)]`` is optional.
The only text repair is safe and mechanical: full-width digits become ASCII, ``，``/``．`` between
digits become ``,``/``.``, compatibility ideographs become unified ones. Digits are never guessed.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np
import pymupdf

from extractor.layout import SourceLine
from extractor.load_pdf import Char, Grid, Seg, build_grids, layout_page, merge_segments, unify_cjk

__all__ = [
    "OcrBox",
    "OcrEngine",
    "OcrError",
    "clean_ocr_text",
    "get_engine",
    "image_grids",
    "known_engines",
    "ocr_image",
    "ocr_page",
    "register_engine",
]


class OcrError(RuntimeError):
    """OCR cannot run (unknown engine, model failing to load)."""


@dataclass(slots=True)
class OcrBox:
    """One recognised text box in image pixels; ``chars`` optionally gives each character's x-range."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float = 1.0
    chars: list[tuple[float, float]] | None = None


class OcrEngine(Protocol):
    name: str

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        """Text boxes of a greyscale (H×W uint8) image."""
        ...


# --------------------------------------------------------------------------------------------------
# engine registry


_FACTORIES: dict[str, Callable[[], OcrEngine]] = {}
_ENGINES: dict[str, OcrEngine] = {}
_LOCK = threading.Lock()


def register_engine(name: str, factory: Callable[[], OcrEngine]) -> None:
    """Make an engine available by name; it is built on first use, then cached."""
    with _LOCK:
        _FACTORIES[name] = factory
        _ENGINES.pop(name, None)


def known_engines() -> list[str]:
    return sorted(_FACTORIES)


def get_engine(name: str = "rapidocr") -> OcrEngine:
    """The engine called ``name``, built once per process (model loading is the slow part)."""
    engine = _ENGINES.get(name)
    if engine is not None:
        return engine
    with _LOCK:
        engine = _ENGINES.get(name)
        if engine is None:
            factory = _FACTORIES.get(name)
            if factory is None:
                raise OcrError(f"unknown OCR engine '{name}' (known: {', '.join(sorted(_FACTORIES))})")
            try:
                engine = factory()
            except Exception as exc:  # noqa: BLE001 - report any load failure the same way
                raise OcrError(f"OCR engine '{name}' failed to load: {exc}") from exc
            _ENGINES[name] = engine
    return engine


class RapidOcrEngine:
    """RapidOCR (PP-OCRv4 det/rec on ONNX runtime; models ship inside the wheel).

    Detection runs on the page scaled down to ``det_max_side`` pixels (detection cost grows with the
    area; text stays ≥ ~12 px high), recognition on crops of the full-resolution page. Recognition
    crops keep their own width (at least 2 × their height, not RapidOCR's 320 px minimum: table cells
    are short). No angle classifier: pages are upright after deskew.
    """

    name = "rapidocr"

    def __init__(self, det_max_side: int = 1600, **params: object) -> None:
        from rapidocr_onnxruntime import RapidOCR

        self.det_max_side = det_max_side
        opts: dict[str, object] = {"use_cls": False, "print_verbose": False, "rec_img_shape": [3, 48, 96],
                                   "max_side_len": 4000}
        opts.update(params)
        self._ocr = RapidOCR(**opts)
        self._lock = threading.Lock()  # RapidOCR keeps per-call state on the instance
        self._staged = all(hasattr(self._ocr, a) for a in ("text_det", "text_rec", "sorted_boxes",
                                                             "get_crop_img_list", "cal_rec_boxes"))

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        bgr = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image
        with self._lock:
            items = self._staged_call(bgr) if self._staged else self._ocr(bgr, use_cls=False, return_word_box=True)[0]
        boxes: list[OcrBox] = []
        for item in items or ():
            quad, text, score = item[0], str(item[1]), float(item[2])
            xs = [float(p[0]) for p in quad]
            ys = [float(p[1]) for p in quad]
            chars = None
            if len(item) >= 5 and item[3] and len(item[3]) == len(item[4]) and "".join(item[4]) == text:
                chars = [(float(min(p[0] for p in b)), float(max(p[0] for p in b))) for b in item[3]]
            boxes.append(OcrBox(min(xs), min(ys), max(xs), max(ys), text, score, chars))
        return boxes

    def recognize_crops(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Recognition only (no detection) of greyscale crops, each holding one short line."""
        if not crops:
            return []
        bgr = [cv2.cvtColor(c, cv2.COLOR_GRAY2BGR) for c in crops]
        with self._lock:
            res, _ = self._ocr.text_rec(bgr, False)
        return [(str(r[0]), float(r[1])) for r in res]

    def _staged_call(self, img: np.ndarray) -> list[list]:
        o = self._ocr
        h, w = img.shape[:2]
        k = min(1.0, max(self.det_max_side / max(h, w), 0.65))  # large pages: keep text ≥ ~12 px
        small = cv2.resize(img, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA) if k < 1 else img
        found, _ = o.text_det(small)
        if found is None or len(found) == 0:
            return []
        quads = [np.asarray(q, dtype=np.float32) / k for q in o.sorted_boxes(found)]
        for q in quads:
            np.clip(q[:, 0], 0, w - 1, out=q[:, 0])
            np.clip(q[:, 1], 0, h - 1, out=q[:, 1])
        crops = o.get_crop_img_list(img, quads)
        rec, _ = o.text_rec(crops, True)
        rec = o.cal_rec_boxes(crops, quads, rec)
        return [[q.tolist(), *r] for q, r in zip(quads, rec, strict=True) if float(r[1]) >= o.text_score]


register_engine("rapidocr", RapidOcrEngine)


# --------------------------------------------------------------------------------------------------
# text clean-up


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_SEP_IN_NUMBER = re.compile(r"(?<=\d)[，．](?=\d)")


def clean_ocr_text(text: str) -> str:
    """Safe, mechanical repairs only: full-width digits → ASCII, ``，``/``．`` between digits → ``,``/``.``,
    compatibility ideographs → unified ones."""
    text = "".join(unify_cjk(c) for c in text.translate(_FULLWIDTH))
    return _SEP_IN_NUMBER.sub(lambda m: "," if m.group() == "，" else ".", text)


# --------------------------------------------------------------------------------------------------
# image geometry


@dataclass(slots=True)
class _Rule:
    seg: Seg  # in pixels
    label: int
    horizontal: bool


def _binary(gray: np.ndarray) -> np.ndarray:
    """Ink mask (255 = dark) by Otsu's threshold, bounded so a blank page stays blank."""
    t, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    t = min(max(t, 90.0), 200.0)
    return np.where(gray < t, 255, 0).astype(np.uint8)


def _rule_masks(ink: np.ndarray, min_len: int) -> tuple[np.ndarray, np.ndarray]:
    """Long horizontal / vertical ink runs; small breaks in a rule (a poor scan) are closed afterwards."""
    h = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_len, 1)))
    v = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_len)))
    gap = max(3, min_len // 4)
    h = cv2.morphologyEx(h, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, 1)))
    v = cv2.morphologyEx(v, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (1, gap)))
    return h, v


def _structural(rules: list[_Rule], tol: float) -> list[_Rule]:
    """Rules that are part of a table: a rule crossing a rule of the other direction, or ending on one at
    both ends. A dash drawn in a cell (``——``, not applicable) touches a border at one end at most."""
    hs = [r.seg for r in rules if r.horizontal]
    vs = [r.seg for r in rules if not r.horizontal]
    out = []
    for r in rules:
        s, others = r.seg, (vs if r.horizontal else hs)
        meets = [o for o in others if o.a - tol <= s.pos <= o.b + tol]
        crosses = any(s.a + tol < o.pos < s.b - tol for o in meets)
        ends = sum(1 for end in (s.a, s.b) if any(abs(o.pos - end) <= tol for o in meets))
        if crosses or ends == 2:
            out.append(r)
    return out


def _skew_degrees(h_mask: np.ndarray, min_len: int) -> float:
    """Median slope of the long horizontal rules, in degrees (positive: the right end is lower)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(h_mask, connectivity=8)
    angles: list[tuple[float, float]] = []
    for k in range(1, n):
        x, y, w, h, _area = stats[k]
        if w < max(8 * min_len, h_mask.shape[1] // 6) or h > w * 0.05 + 12:
            continue
        ys, xs = np.nonzero(labels[y:y + h, x:x + w] == k)
        if len(xs) < 10:
            continue
        slope = np.polyfit(xs.astype(np.float64), ys.astype(np.float64), 1)[0]
        angles.append((math.degrees(math.atan(slope)), float(w)))
    if not angles:
        return 0.0
    angles.sort()
    half, acc = sum(w for _, w in angles) / 2, 0.0
    for a, w in angles:
        acc += w
        if acc >= half:
            return a
    return angles[-1][0]


def _rules(h_mask: np.ndarray, v_mask: np.ndarray, min_len: int, max_thick: int) -> tuple[list[_Rule], np.ndarray, np.ndarray]:
    out: list[_Rule] = []
    labels_hv = []
    for mask, horizontal in ((h_mask, True), (v_mask, False)):
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        labels_hv.append(labels)
        for k in range(1, n):
            x, y, w, h, _area = stats[k]
            length, thick = (w, h) if horizontal else (h, w)
            if length < min_len or thick > max_thick:
                continue
            if horizontal:
                out.append(_Rule(Seg(y + h / 2, float(x), float(x + w)), k, True))
            else:
                out.append(_Rule(Seg(x + w / 2, float(y), float(y + h)), k, False))
    return out, labels_hv[0], labels_hv[1]


def _glyph_grid(grid: Grid) -> bool:
    """The strokes of a large glyph (a heading's 年, 表, 基本支) cross like rules and make a "grid" of one
    or two glyphs: too short to hold a line of text, or no bigger than a few characters. Kept, it would
    have the glyph's strokes erased and its remains read as a cell of their own."""
    w, h = grid.xs[-1] - grid.xs[0], grid.ys[-1] - grid.ys[0]
    return h < 10 or (w < 40 and h < 40) or (w < 80 and h < 24)


def _in_grid(s: Seg, grid_segs: list[Seg], tol: float) -> bool:
    return any(abs(g.pos - s.pos) <= tol and g.a - tol <= s.a and s.b <= g.b + tol for g in grid_segs)


def _box_chars(box: OcrBox, text: str, src: int) -> list[Char]:
    """One :class:`Char` per character of a box, in image pixels."""
    n = len(text)
    if n == 0:
        return []
    if box.chars is not None and len(box.chars) == n:
        spans = box.chars
    else:
        weights = [1.0 if ord(c) > 0x2E7F else (0.3 if c in ".,:;'!|" else 0.55) for c in text]
        total = sum(weights)
        spans, x = [], box.x0
        for w in weights:
            nx = x + (box.x1 - box.x0) * w / total
            spans.append((x, nx))
            x = nx
    return [Char(c, a, box.y0, b, box.y1, src) for c, (a, b) in zip(text, spans, strict=True)]


def _dedupe(boxes: list[tuple[OcrBox, list[Char]]]) -> list[list[Char]]:
    """The detector sometimes cuts one printed run into two boxes that overlap, and both read the glyphs
    in the overlap (``22401`` + ``101`` for ``2240101``, ``22405`` + ``5地震事务``). On one line, where a
    box starts inside the box to its left, its first one or two characters are dropped when they repeat
    that box's last ones and sit on them (overlapping them, or centred left of that box's right edge)."""
    order = sorted(((box, chars) for box, chars in boxes if chars), key=lambda bc: bc[0].x0)
    for i, (abox, a) in enumerate(order):
        for bbox, b in order[i + 1:]:
            if bbox.x0 >= abox.x1 or bbox.x1 <= abox.x0:
                continue
            if min(abox.y1, bbox.y1) - max(abox.y0, bbox.y0) < 0.5 * min(abox.y1 - abox.y0, bbox.y1 - bbox.y0):
                continue
            for n in (2, 1):
                if len(b) > n and len(a) >= n and all(x.c == y.c for x, y in zip(b[:n], a[-n:], strict=True)) \
                        and (_overlap(b[n - 1], a[-1]) or b[n - 1].cx < abox.x1):
                    del b[:n]
                    break
    return [chars for _, chars in order]


def _overlap(c: Char, d: Char) -> bool:
    inter = min(c.x1, d.x1) - max(c.x0, d.x0)
    return inter >= 0.5 * max(1e-6, min(c.x1 - c.x0, d.x1 - d.x0))


# --------------------------------------------------------------------------------------------------
# pages


def image_grids(page: pymupdf.Page, dpi: int = 150) -> list[Grid]:
    """Grids drawn in a page's images (a scan that carries a text layer): the ruling lines found in the
    rendered page, in points. No deskew: the text layer is as skewed as the image."""
    gray = render_gray(page, dpi)
    scale = dpi / 72.0
    min_len = max(25, round(14 * scale))
    h_mask, v_mask = _rule_masks(_binary(gray), min_len)
    rules, _, _ = _rules(h_mask, v_mask, min_len, max(6, round(3.5 * scale)))
    rules = _structural(rules, 2.5 * scale)
    to_pt = 1.0 / scale
    grids = build_grids([_scaled(r.seg, to_pt) for r in rules if r.horizontal],
                        [_scaled(r.seg, to_pt) for r in rules if not r.horizontal])
    return [g for g in grids if not _glyph_grid(g)]


def ocr_image(gray: np.ndarray, page_no: int, scale: float, engine: str = "rapidocr") -> list[SourceLine]:
    """Lines of cells from a greyscale page image rendered at ``scale`` pixels per point."""
    eng = get_engine(engine)
    min_len = max(25, round(14 * scale))
    max_thick = max(6, round(3.5 * scale))
    ink = _binary(gray)
    h_mask, v_mask = _rule_masks(ink, min_len)
    angle = _skew_degrees(h_mask, min_len)
    rot: np.ndarray | None = None
    if 0.05 <= abs(angle) < 1.0:
        hh, ww = gray.shape
        rot = cv2.getRotationMatrix2D((ww / 2, hh / 2), angle, 1.0)
        gray = cv2.warpAffine(gray, rot, (ww, hh), flags=cv2.INTER_LINEAR, borderValue=255)
        ink = _binary(gray)
        h_mask, v_mask = _rule_masks(ink, min_len)
    del ink
    rules, h_labels, v_labels = _rules(h_mask, v_mask, min_len, max_thick)
    rules = _structural(rules, 2.5 * scale)
    del h_mask, v_mask
    to_pt = 1.0 / scale
    hsegs = [Seg(r.seg.pos * to_pt, r.seg.a * to_pt, r.seg.b * to_pt) for r in rules if r.horizontal]
    vsegs = [Seg(r.seg.pos * to_pt, r.seg.a * to_pt, r.seg.b * to_pt) for r in rules if not r.horizontal]
    grids = [g for g in build_grids(hsegs, vsegs) if not _glyph_grid(g)]
    # erase the rules that belong to a grid (never a stray "——" inside a cell)
    if grids:
        gh = merge_segments(s for g in grids for s in g.hsegs)
        gv = merge_segments(s for g in grids for s in g.vsegs)
        tol = 2.5
        keep_h = [r.label for r in rules if r.horizontal and _in_grid(_scaled(r.seg, to_pt), gh, tol)]
        keep_v = [r.label for r in rules if not r.horizontal and _in_grid(_scaled(r.seg, to_pt), gv, tol)]
        erase = np.isin(h_labels, keep_h) | np.isin(v_labels, keep_v)
        erase = cv2.dilate(erase.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        gray = gray.copy()
        gray[erase] = 255
        del erase
    del h_labels, v_labels
    boxes = eng.recognize(gray)
    em = _em(boxes, scale)
    if grids:
        ink = _binary(gray)
        _fix_dashes(boxes, ink, em)
        boxes += _missed_cells(eng, gray, ink, grids, boxes, scale, em)
        del ink
    del gray
    chars: list[Char] = []
    for src, box_chars in enumerate(_dedupe([(b, _box_chars(b, clean_ocr_text(b.text), 0)) for b in boxes]), start=1):
        for ch in box_chars:
            chars.append(Char(ch.c, ch.x0 * to_pt, ch.y0 * to_pt, ch.x1 * to_pt, ch.y1 * to_pt, src))
    lines = layout_page(page_no, chars, grids)
    if rot is not None:
        inv = cv2.invertAffineTransform(rot)
        for line in lines:
            line.bbox = _unrotate(line.bbox, inv, scale)
            for cell in line.cells:
                cell.bbox = _unrotate(cell.bbox, inv, scale)
    return lines


_DASHES = frozenset("-‐‑‒–—―－一_~")


def _em(boxes: list[OcrBox], scale: float) -> float:
    """Font size in pixels, from the width of recognised CJK characters (9 pt when there are none)."""
    widths = sorted(b - a for box in boxes if box.chars for (a, b), c in zip(box.chars, box.text, strict=False)
                    if "\u4e00" <= c <= "\u9fff")
    return widths[len(widths) // 2] if len(widths) >= 5 else 9 * scale


def _dash(width: float, em: float) -> str:
    """A lone horizontal bar, by its length: ``——`` (not applicable), ``—`` or ``-``."""
    return "——" if width >= 1.5 * em else ("—" if width >= 0.7 * em else "-")


def _bar(ink: np.ndarray) -> tuple[int, int] | None:
    """(width, height) of the ink when it is a single thin horizontal bar, else ``None``."""
    pts = cv2.findNonZero(ink)
    if pts is None:
        return None
    _, _, bw, bh = cv2.boundingRect(pts)
    if bh <= max(4, 0.2 * bw) and cv2.countNonZero(ink) >= 0.6 * bw * bh:
        return bw, bh
    return None


def _fix_dashes(boxes: list[OcrBox], ink: np.ndarray, em: float) -> None:
    """Recognition reads a printed ``——`` as ``--``, ``一-`` or ``—``: a box made only of dash-like
    characters whose ink is one thin bar is named by the bar's length."""
    for b in boxes:
        t = b.text.strip()
        if not t or len(t) > 3 or any(c not in _DASHES for c in t) or t == "一":
            continue
        bar = _bar(ink[max(0, int(b.y0)):int(b.y1) + 1, max(0, int(b.x0)):int(b.x1) + 1])
        if bar is not None:
            b.text, b.chars = _dash(bar[0], em), None


def _missed_cells(eng: OcrEngine, gray: np.ndarray, ink: np.ndarray, grids: list, boxes: list[OcrBox],
                  scale: float, em: float) -> list[OcrBox]:
    """Detection misses lone short glyphs (a ``1`` or ``7`` alone in a cell, a ``——``). Grid cells holding
    ink that no detected box covers get a recognition-only pass on that ink (a lone bar is named by its
    length); only confident reads are kept."""
    heights = sorted(b.y1 - b.y0 for b in boxes)
    line_h = heights[len(heights) // 2] if heights else 10 * scale
    ink = ink.copy()
    for b in boxes:
        ink[max(0, int(b.y0) - 2):int(b.y1) + 3, max(0, int(b.x0) - 2):int(b.x1) + 3] = 0
    margin = max(3, round(1.2 * scale))
    pad = max(4, round(0.25 * line_h))
    found: list[tuple[int, int, int, int]] = []
    crops: list[np.ndarray] = []
    out: list[OcrBox] = []
    for grid in grids:
        for i in range(len(grid.ys) - 1):
            y0, y1 = round(grid.ys[i] * scale), round(grid.ys[i + 1] * scale)
            if y1 - y0 > 4 * line_h:
                continue
            for j in range(len(grid.xs) - 1):
                x0, x1 = round(grid.xs[j] * scale), round(grid.xs[j + 1] * scale)
                sub = ink[y0 + margin:y1 - margin, x0 + margin:x1 - margin]
                if sub.size == 0 or cv2.countNonZero(sub) < max(12, 0.02 * line_h * line_h):
                    continue
                pts = cv2.findNonZero(sub)
                bx, by, bw, bh = cv2.boundingRect(pts)
                if max(bw, bh) < 0.3 * line_h or bh > 1.8 * line_h:
                    continue
                cx0, cy0 = x0 + margin + bx, y0 + margin + by
                bar = _bar(sub[by:by + bh, bx:bx + bw])
                if bar is not None:
                    out.append(OcrBox(float(cx0), float(cy0 - bh), float(cx0 + bw), float(cy0 + 2 * bh),
                                      _dash(bar[0], em), 1.0))
                    continue
                crops.append(gray[max(y0, cy0 - pad):min(y1, cy0 + bh + pad), max(x0, cx0 - pad):min(x1, cx0 + bw + pad)])
                found.append((cx0, cy0, cx0 + bw, cy0 + bh))
    if not crops or len(crops) > 200 or not hasattr(eng, "recognize_crops"):  # many misses: do not guess
        return out
    for (x0, y0, x1, y1), (text, score) in zip(found, eng.recognize_crops(crops), strict=True):
        if text.strip() and score >= 0.8:
            out.append(OcrBox(float(x0), float(y0), float(x1), float(y1), text.strip(), score))
    return out


def _scaled(s: Seg, k: float) -> Seg:
    return Seg(s.pos * k, s.a * k, s.b * k)


def _unrotate(bbox, inv: np.ndarray, scale: float):  # noqa: ANN001, ANN202 - BBox | None in and out
    """Map a box of the straightened image back to the page as printed (the box around its corners)."""
    if bbox is None:
        return None
    x0, y0, x1, y1 = (v * scale for v in bbox)
    pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64) @ inv.T
    return (round(float(pts[:, 0].min()) / scale, 2), round(float(pts[:, 1].min()) / scale, 2),
            round(float(pts[:, 0].max()) / scale, 2), round(float(pts[:, 1].max()) / scale, 2))


def render_gray(page: pymupdf.Page, dpi: int) -> np.ndarray:
    """The displayed page as a greyscale array (rows × columns)."""
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    arr = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width].copy()
    del pix
    return arr


def ocr_page(page: pymupdf.Page, dpi: int = 200, engine: str = "rapidocr") -> list[SourceLine]:
    """OCR one page into lines of cells (``line_no`` left 0; boxes in PDF points of the displayed page)."""
    gray = render_gray(page, dpi)
    return ocr_image(gray, page.number + 1, dpi / 72.0, engine)
