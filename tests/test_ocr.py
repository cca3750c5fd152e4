"""OCR path: engine registry, safe clean-up, image geometry (rules → grid, deskew) and real RapidOCR pages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image

from extractor.layout import CellSep
from extractor.load_pdf import load_pdf
from extractor.ocr import (
    OcrBox,
    OcrError,
    _binary,
    _rule_masks,
    _skew_degrees,
    clean_ocr_text,
    get_engine,
    known_engines,
    register_engine,
)
from schemas.provenance import SourceKind
from tests.test_load_pdf import FONT, HEADER, ROWS, grid_lines, ruled_table_pdf

NUMBER = re.compile(r"^-?[\d,]+(?:\.\d+)?%?$")
needs_font = pytest.mark.skipif(not FONT.exists(), reason=f"CJK font missing ({FONT}); run `make system-deps`")


def scanned(pdf: bytes, dpi: int = 150, angle: float = 0.0) -> bytes:
    """Rasterise every page into an image-only PDF (optionally rotated by ``angle`` degrees)."""
    src = pymupdf.open("pdf", pdf)
    out = pymupdf.open()
    for page in src:
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
        if angle:
            img = img.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=buf.getvalue())
    return out.tobytes(deflate=True)


# --------------------------------------------------------------------------------------------------
# registry and clean-up


def test_unknown_engine_lists_the_known_ones() -> None:
    with pytest.raises(OcrError, match=r"unknown OCR engine 'tesseract' \(known: .*rapidocr"):
        get_engine("tesseract")
    assert "rapidocr" in known_engines()


def test_engines_are_built_once() -> None:
    built: list[int] = []

    class Dummy:
        name = "dummy"

        def recognize(self, image: np.ndarray) -> list[OcrBox]:
            return []

    def factory() -> Dummy:
        built.append(1)
        return Dummy()

    register_engine("dummy-once", factory)
    assert get_engine("dummy-once") is get_engine("dummy-once")
    assert built == [1]


def test_engine_load_failure_is_reported() -> None:
    def broken() -> None:
        raise RuntimeError("model file missing")

    register_engine("broken", broken)  # type: ignore[arg-type]
    with pytest.raises(OcrError, match="OCR engine 'broken' failed to load: model file missing"):
        get_engine("broken")


@needs_font
def test_ocr_failure_is_recorded_on_the_page() -> None:
    from tests.test_load_pdf import image_page_pdf

    doc = load_pdf(image_page_pdf(), "d", "s.pdf", ocr_engine="tesseract")
    assert doc.pages[1].error == "OCR failed: unknown OCR engine 'tesseract' (known: " + ", ".join(known_engines()) + ")"
    assert doc.errors == [f"page 2: {doc.pages[1].error}"]
    assert len(grid_lines(doc)) == 5 and doc.source == SourceKind.PDF


def test_clean_ocr_text_is_mechanical_only() -> None:
    assert clean_ocr_text("９，２３２．３９") == "9,232.39"
    assert clean_ocr_text("２２４０１０８") == "2240108"
    assert clean_ocr_text("合计，共3项") == "合计，共3项"  # a comma after text stays
    assert clean_ocr_text("1，2") == "1,2"
    assert clean_ocr_text("O.5 l00 Z2") == "O.5 l00 Z2"  # no digit guessing


# --------------------------------------------------------------------------------------------------
# geometry with a scripted engine (fast, no model)


class Scripted:
    """Returns the digital page's words, scaled to the rendered image; one box glued across a border."""

    name = "scripted"

    def __init__(self) -> None:
        self.words: list[tuple[float, float, float, float, str]] = []
        self.glue: tuple[str, str] | None = None

    def recognize(self, image: np.ndarray) -> list[OcrBox]:
        k = image.shape[1] / 595.0
        boxes = []
        words = list(self.words)
        if self.glue:
            a = next(w for w in words if w[4] == self.glue[0])
            b = next(w for w in words if w[4] == self.glue[1])
            words = [w for w in words if w not in (a, b)]
            spans = _char_spans(a) + _char_spans(b)
            boxes.append(OcrBox(a[0] * k, a[1] * k, b[2] * k, b[3] * k, a[4] + b[4], 0.9,
                                [(x0 * k, x1 * k) for x0, x1 in spans]))
        for x0, y0, x1, y1, text in words:
            boxes.append(OcrBox(x0 * k, y0 * k, x1 * k, y1 * k, text, 0.99))
        return boxes


def _char_spans(word: tuple[float, float, float, float, str]) -> list[tuple[float, float]]:
    x0, _, x1, _, text = word
    step = (x1 - x0) / len(text)
    return [(x0 + i * step, x0 + (i + 1) * step) for i in range(len(text))]


@needs_font
def test_scanned_grid_with_scripted_engine() -> None:
    pdf = ruled_table_pdf()
    engine = Scripted()
    engine.words = [w[:5] for w in pymupdf.open("pdf", pdf)[0].get_text("words")]
    engine.glue = ("2240101", "行政运行")  # one recognised box spanning two cells
    register_engine("scripted", lambda: engine)
    doc = load_pdf(scanned(pdf, dpi=120), "d", "scan.pdf", ocr_engine="scripted")
    assert doc.source == SourceKind.OCR and doc.pages[0].ocr and doc.errors == []
    grid = grid_lines(doc)
    assert [ln.texts for ln in grid] == [HEADER, *ROWS]
    assert all(ln.ruled and len(ln.cells) == 5 for ln in grid)
    # boxes come back in PDF points (the image was 120 dpi)
    empty = grid[1].cells[3]
    assert empty.text == "" and empty.bbox == pytest.approx((380, 120, 460, 140), abs=1.5)
    assert doc.lines[0].sep == CellSep.SPACE and doc.lines[0].text == "2024年一般公共预算支出表"


@needs_font
def test_skew_is_measured_on_the_rules() -> None:
    img = np.array(Image.open(io.BytesIO(_first_image(scanned(ruled_table_pdf(), 150, 0.6)))).convert("L"))
    min_len = round(14 * 150 / 72)
    h, _ = _rule_masks(_binary(img), min_len)
    assert _skew_degrees(h, min_len) == pytest.approx(-0.6, abs=0.12)


@needs_font
def test_heading_glyph_strokes_are_not_a_grid() -> None:
    """Large heading glyphs (年, 表, 基本支) have crossing strokes as long as a rule: no tiny grids from them,
    while the table below keeps its grid."""
    from extractor.ocr import image_grids

    doc = pymupdf.open("pdf", ruled_table_pdf())
    page = doc[0]
    page.insert_font(fontname="wq", fontfile=str(FONT))
    page.insert_text((60, 60), "2019年度一般公共预算财政拨款基本支出决算表", fontname="wq", fontsize=16)
    scan = pymupdf.open("pdf", scanned(doc.tobytes(), dpi=200))
    grids = image_grids(scan[0], dpi=200)
    assert len(grids) == 1 and grids[0].ys[0] > 70, [g.bbox for g in grids]


def _first_image(pdf: bytes) -> bytes:
    doc = pymupdf.open("pdf", pdf)
    xref = doc[0].get_images()[0][0]
    return doc.extract_image(xref)["image"]


# --------------------------------------------------------------------------------------------------
# real OCR (RapidOCR): numbers must come back exactly


def _check_numbers(got: list[list[str]], want: list[list[str]]) -> tuple[int, int]:
    """Every number and every empty cell exact; returns (exact text cells, text cells)."""
    assert len(got) == len(want), got
    ok = total = 0
    for g, w in zip(got, want, strict=True):
        assert len(g) == len(w), g
        for gc, wc in zip(g, w, strict=True):
            if not wc or NUMBER.match(wc):
                assert gc == wc, f"{gc!r} != {wc!r} in {g}"
            else:
                total += 1
                ok += gc == wc
    return ok, total


@pytest.mark.slow
@needs_font
@pytest.mark.parametrize("angle", [0.0, 0.5])
def test_rapidocr_recovers_the_ruled_table(angle: float) -> None:
    doc = load_pdf(scanned(ruled_table_pdf(), dpi=150, angle=angle), "d", "scan.pdf")
    assert doc.source == SourceKind.OCR and doc.errors == []
    ok, total = _check_numbers([ln.texts for ln in grid_lines(doc)], [HEADER, *ROWS])
    assert ok >= total - 1, [ln.texts for ln in grid_lines(doc)]


@pytest.mark.slow
@pytest.mark.corpus
def test_rapidocr_on_a_rendered_scanned_corpus_page(corpus: Path) -> None:
    """The scanned render (blur, noise, JPEG, slight rotation) of the corpus page with the most amounts."""
    render = pytest.importorskip("eval.render", reason="eval/render.py (corpus → PDF) is not available")
    from eval.render_layout import clean
    from tests.conftest import DATONG

    text = render.read_text(corpus / DATONG)
    src = text.split("\n")
    _, digital = render.render_digital(text, seed=1)
    amounts: dict[int, int] = {}
    for lineno in digital.cell_boxes:
        page = digital.line_pages[lineno]
        amounts[page] = amounts.get(page, 0) + sum(1 for f in src[lineno - 1].split("\t") if re.match(r"^[\d,]+\.\d\d$", f))
    page = max(amounts, key=lambda p: (amounts[p], -p))
    pdf, truth = render.render_scanned(text, seed=1, pages=[page])
    doc = load_pdf(pdf, "d", "scan.pdf")
    assert doc.source == SourceKind.OCR and doc.errors == []
    grid = grid_lines(doc)
    got, want = [], []
    for lineno, boxes in truth.cell_boxes.items():
        first = next(b for b in boxes if b)
        cy = (first[1] + first[3]) / 2
        rows = [ln for ln in grid if ln.bbox[1] - 3 <= cy <= ln.bbox[3] + 3]
        assert rows, f"line {lineno} not found"
        fields = [clean(f) for f in src[lineno - 1].split("\t")]
        got.append([c.replace(" ", "") for c in rows[0].texts])
        want.append([f.replace(" ", "") for f in fields + [""] * (len(boxes) - len(fields))])
    assert sum(1 for row in want for c in row if NUMBER.match(c)) >= 30
    ok, total = _check_numbers(got, want)
    assert ok >= 0.9 * total
