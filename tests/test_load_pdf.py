"""PDF loader: ruled grids → GRID lines (empty cells kept), text → SPACE lines, bad inputs → one-line errors."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pymupdf
import pytest

from extractor.layout import CellSep, LoadedDocument, SourceLine
from extractor.load_pdf import PdfLoadError, load_pdf, pdf_plain_text
from schemas.provenance import SourceKind

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
pytestmark = pytest.mark.skipif(not FONT.exists(), reason=f"CJK font missing ({FONT}); run `make system-deps`")

FS = 9.0
XS = [50.0, 120.0, 300.0, 380.0, 460.0, 540.0]  # 5 columns
HEADER = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
ROWS = [
    ["2240108", "应急救援", "9,232.39", "", "9,232.39"],  # an empty cell
    ["2240101", "行政运行", "131.62", "131.62", ""],
    ["2240199", "其他应急管理支出项目经费安排（含上年结转）", "1,234.00", "1,000.00", "234.00"],  # wrapped
    ["合计", "", "10,598.01", "1,131.62", "9,466.39"],
]
WRAP = ("其他应急管理支出项目经费", "安排（含上年结转）")
NUMERIC = re.compile(r"^[\d,]+\.\d\d$")


def _font() -> pymupdf.Font:
    return pymupdf.Font(fontfile=str(FONT))


def _text(page: pymupdf.Page, x: float, y: float, s: str, size: float = FS, mode: int = 0) -> None:
    page.insert_text((x, y), s, fontname="wq", fontsize=size, render_mode=mode)


def draw_ruled_table(page: pymupdf.Page, top: float, *, thin_rects: bool = False, merged_header: bool = False,
                     rules: bool = True, mode: int = 0) -> float:
    """A ruled table: header, the ROWS, the wrapped cell on two lines. Returns the bottom y.
    ``rules=False`` draws the text only; ``mode=3`` makes it invisible (a scan's text layer)."""
    font = _font()
    heights = [20.0] * (1 + len(ROWS))
    heights[3] = 32.0  # the wrapped row
    if merged_header:
        heights.insert(0, 20.0)
    ys = [top]
    for h in heights:
        ys.append(ys[-1] + h)
    segs: list[tuple[float, float, float, float]] = [(XS[0], y, XS[-1], y) for y in ys]
    for j, x in enumerate(XS):
        if merged_header and j in (3, 4):  # "本年预算" spans columns 2..4 in the first header row
            segs.append((x, ys[1], x, ys[-1]))
        else:
            segs.append((x, ys[0], x, ys[-1]))
    shape = page.new_shape()
    for x0, y0, x1, y1 in segs if rules else []:
        if thin_rects:  # WPS style: borders as thin filled rectangles
            r = pymupdf.Rect(x0 - 0.3, y0 - 0.3, x1 + 0.3, y1 + 0.3)
            shape.draw_rect(r)
            shape.finish(color=None, fill=(0, 0, 0), width=0)
        else:
            shape.draw_line((x0, y0), (x1, y1))
    if rules and not thin_rects:
        shape.finish(color=(0, 0, 0), width=0.6)
        shape.commit()
    elif rules:
        shape.commit()
    body = ys[1:] if merged_header else ys
    if merged_header:
        _text(page, XS[2] + 3, ys[0] + 14, "本年预算")
    rows = [HEADER, *ROWS]
    for r, row in enumerate(rows):
        y_top, y_bot = body[r], body[r + 1]
        for j, cell in enumerate(row):
            if not cell:
                continue
            lines = list(WRAP) if cell == ROWS[2][1] else [cell]
            lh = FS * 1.3
            first = (y_top + y_bot) / 2 - lh * (len(lines) - 1) / 2 + FS * 0.35
            for k, s in enumerate(lines):
                if NUMERIC.match(s):
                    x = XS[j + 1] - 3 - font.text_length(s, FS)  # numbers right-aligned, close to the border
                else:
                    x = XS[j] + 3
                _text(page, x, first + k * lh, s, mode=mode)
    return ys[-1]


def ruled_table_pdf(*, thin_rects: bool = False, merged_header: bool = False) -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="wq", fontfile=str(FONT))
    _text(page, 50, 60, "2024年一般公共预算支出表", 14)
    _text(page, 50, 85, "单位名称：汾阳市应急管理局")
    _text(page, 470, 85, "单位：万元")
    bottom = draw_ruled_table(page, 100, thin_rects=thin_rects, merged_header=merged_header)
    _text(page, 50, bottom + 20, "注：本表金额单位转换时可能存在尾数误差。")
    doc.subset_fonts()
    return doc.tobytes(garbage=3, deflate=True)


def grid_lines(doc: LoadedDocument) -> list[SourceLine]:
    return [ln for ln in doc.lines if ln.sep == CellSep.GRID]


def test_ruled_table_cells_exact() -> None:
    doc = load_pdf(ruled_table_pdf(), "d1", "t.pdf")
    assert doc.source == SourceKind.PDF and doc.errors == []
    assert [p.number for p in doc.pages] == [1] and doc.pages[0].width == 595
    grid = grid_lines(doc)
    assert [ln.texts for ln in grid] == [HEADER, *ROWS]
    assert all(ln.ruled and len(ln.cells) == 5 for ln in grid)
    # empty cells are kept, with the box of their grid cell
    empty = grid[1].cells[3]
    assert empty.text == "" and empty.bbox == (380.0, 120.0, 460.0, 140.0)
    assert grid[1].cells[2].bbox == (300.0, 120.0, 380.0, 140.0)
    assert grid[1].bbox == (50.0, 120.0, 540.0, 140.0)


def test_reading_order_and_numbering() -> None:
    doc = load_pdf(ruled_table_pdf(), "d1", "t.pdf")
    texts = [ln.text for ln in doc.lines]
    assert texts[0] == "2024年一般公共预算支出表"
    assert doc.lines[1].sep == CellSep.SPACE and doc.lines[1].texts == ["单位名称：汾阳市应急管理局", "单位：万元"]
    assert doc.lines[2].texts == HEADER
    assert texts[-1] == "注：本表金额单位转换时可能存在尾数误差。"
    assert [ln.line_no for ln in doc.lines] == list(range(1, len(doc.lines) + 1))
    assert all(ln.page == 1 for ln in doc.lines)
    tops = [ln.bbox[1] for ln in doc.lines]
    assert tops == sorted(tops)


def test_thin_filled_rect_borders() -> None:
    doc = load_pdf(ruled_table_pdf(thin_rects=True), "d1", "t.pdf")
    assert [ln.texts for ln in grid_lines(doc)] == [HEADER, *ROWS]


def test_merged_header_cell_goes_to_its_first_column() -> None:
    doc = load_pdf(ruled_table_pdf(merged_header=True), "d1", "t.pdf")
    grid = grid_lines(doc)
    assert grid[0].texts == ["", "", "本年预算", "", ""]
    assert grid[0].cells[2].bbox[0] == 300.0 and grid[0].cells[2].bbox[2] == 540.0  # the merged box
    assert [ln.texts for ln in grid[1:]] == [HEADER, *ROWS]


def test_table_drawn_by_cell_shading_uses_the_find_tables_fallback() -> None:
    """No ruling lines at all, only shaded cell rectangles: PyMuPDF's table finder gives the cells."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="wq", fontfile=str(FONT))
    rows = [HEADER, ROWS[0], ROWS[1], ROWS[3]]
    for r, row in enumerate(rows):
        for j, cell in enumerate(row):
            page.draw_rect(pymupdf.Rect(XS[j] + 0.5, 100.5 + 20 * r, XS[j + 1] - 0.5, 119.5 + 20 * r),
                           color=None, fill=(0.85, 0.85, 0.85))
            if cell:
                _text(page, XS[j] + 3, 114 + 20 * r, cell)
    loaded = load_pdf(doc.tobytes(), "d", "shaded.pdf")
    assert [ln.texts for ln in grid_lines(loaded)] == rows


def test_scan_with_a_text_layer_takes_the_rules_from_the_image() -> None:
    """A searchable scan: the table's rules exist only in the page image, the text layer is invisible."""
    pix = pymupdf.open("pdf", ruled_table_pdf())[0].get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(page.rect, stream=pix.tobytes("png"))
    page.insert_font(fontname="wq", fontfile=str(FONT))
    draw_ruled_table(page, 100, rules=False, mode=3)
    loaded = load_pdf(doc.tobytes(), "d", "searchable.pdf", ocr=False)
    assert loaded.errors == [] and not loaded.pages[0].ocr
    grid = grid_lines(loaded)
    assert [ln.texts for ln in grid] == [HEADER, *ROWS]
    assert grid[1].cells[3].bbox == pytest.approx((380, 120, 460, 140), abs=1.0)


def test_text_glued_across_a_border_is_split() -> None:
    """MuPDF makes one word of '110.00' and '2240108' when they nearly touch a border between them."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="wq", fontfile=str(FONT))
    shape = page.new_shape()
    for y in (100, 120):
        shape.draw_line((50, y), (250, y))
    for x in (50, 150, 250):
        shape.draw_line((x, 100), (x, 120))
    shape.finish(color=(0, 0, 0), width=0.5)
    shape.commit()
    w = _font().text_length("110.00", FS)
    _text(page, 149.6 - w, 114, "110.00")
    _text(page, 150.4, 114, "2240108")
    assert "110.002240108" in page.get_text()
    loaded = load_pdf(doc.tobytes(), "d", "g.pdf")
    assert grid_lines(loaded)[0].texts == ["110.00", "2240108"]


def test_unruled_table_becomes_space_lines() -> None:
    """Text laid out as a table without any ruling lines (and a 三线表 with horizontal rules only)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="wq", fontfile=str(FONT))
    shape = page.new_shape()
    for y in (90, 110, 170):  # three horizontal rules, no verticals: no grid
        shape.draw_line((50, y), (540, y))
    shape.finish(color=(0, 0, 0), width=0.8)
    shape.commit()
    cols = [50, 120, 300, 400]
    rows = [["科目编码", "科目名称", "合计", "基本支出"], ["2240108", "应急救援", "9,232.39", "9,232.39"],
            ["2240101", "行政运行", "131.62", ""], ["", "小计", "9,364.01", ""]]
    for r, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell:
                _text(page, cols[j], 104 + 20 * r, cell)
    loaded = load_pdf(doc.tobytes(), "d", "u.pdf")
    assert grid_lines(loaded) == []
    assert all(ln.sep == CellSep.SPACE and not ln.ruled for ln in loaded.lines)
    assert [ln.texts for ln in loaded.lines] == [[c for c in row if c] for row in rows]
    assert loaded.lines[1].cells[2].bbox[0] == pytest.approx(300, abs=0.5)


def test_unruled_body_under_a_ruled_header_is_split_into_rows() -> None:
    """Box + column rules, header ruled, body records not ruled: one tall grid row → one line per record."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="wq", fontfile=str(FONT))
    xs, ys = [50, 130, 300, 420, 540], [100, 120, 220]
    shape = page.new_shape()
    for y in ys:
        shape.draw_line((xs[0], y), (xs[-1], y))
    for x in xs:
        shape.draw_line((x, ys[0]), (x, ys[-1]))
    shape.finish(color=(0, 0, 0), width=0.5)
    shape.commit()
    rows = [["2240108", "应急救援", "9,232.39", "9,232.39"], ["2240101", "行政运行", "131.62", ""],
            ["2240106", "安全监管", "289.91", "289.91"], ["2240199", "其他支出", "", "12.00"]]
    for j, h in enumerate(["科目编码", "科目名称", "合计", "项目支出"]):
        _text(page, xs[j] + 3, 114, h)
    for r, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell:
                _text(page, xs[j] + 3, 136 + 18 * r, cell)
    loaded = load_pdf(doc.tobytes(), "d", "u.pdf")
    assert [ln.texts for ln in grid_lines(loaded)] == [["科目编码", "科目名称", "合计", "项目支出"], *rows]


def test_rotated_page_gives_displayed_coordinates() -> None:
    """A landscape table stored sideways with /Rotate: lines come out as the reader sees them."""
    src = pymupdf.open("pdf", ruled_table_pdf())
    doc = pymupdf.open()
    page = doc.new_page(width=842, height=595)  # content drawn rotated, page rotated back
    page.show_pdf_page(page.rect, src, 0, rotate=90)
    page.set_rotation(90)
    loaded = load_pdf(doc.tobytes(), "d", "r.pdf")
    assert [ln.texts for ln in grid_lines(loaded)] == [HEADER, *ROWS]


def image_page_pdf(text_pages: bool = True) -> bytes:
    """Page 1 digital table, page 2 an image only (a scan), page 3 digital text."""
    table = pymupdf.open("pdf", ruled_table_pdf())
    pix = table[0].get_pixmap(dpi=72)
    doc = pymupdf.open()
    if text_pages:
        doc.insert_pdf(table)
    scan = doc.new_page(width=595, height=842)
    scan.insert_image(scan.rect, stream=pix.tobytes("png"))
    if text_pages:
        page = doc.new_page(width=595, height=842)
        page.insert_font(fontname="wq", fontfile=str(FONT))
        _text(page, 50, 80, "第三部分 情况说明")
    return doc.tobytes()


def test_image_only_page_without_ocr_is_recorded_and_others_load() -> None:
    calls: list[tuple[int, int]] = []
    doc = load_pdf(image_page_pdf(), "d", "s.pdf", ocr=False, progress=lambda i, n: calls.append((i, n)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert doc.pages[1].error == "scanned page: OCR is turned off" and not doc.pages[1].ocr
    assert doc.pages[0].error is None and doc.pages[2].error is None
    assert doc.errors == ["page 2: scanned page: OCR is turned off"]
    assert {ln.page for ln in doc.lines} == {1, 3}
    assert [ln.texts for ln in grid_lines(doc)] == [HEADER, *ROWS]
    assert doc.lines[-1].text == "第三部分情况说明" and doc.lines[-1].page == 3
    assert doc.source == SourceKind.PDF


def test_ocr_page_limit_is_recorded() -> None:
    doc = load_pdf(image_page_pdf(), "d", "s.pdf", ocr=True, ocr_pages_limit=0)
    assert doc.pages[1].error == "scanned page: OCR page limit (0) reached"
    assert len(grid_lines(doc)) == 5


def test_a_failing_page_does_not_sink_the_document(monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.load_pdf as lp

    real = lp.page_rows

    def flaky(page, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if page.number == 0:
            raise ValueError("broken content stream")
        return real(page, *args, **kwargs)

    monkeypatch.setattr(lp, "page_rows", flaky)
    doc = load_pdf(image_page_pdf(), "d", "s.pdf", ocr=False)
    assert doc.pages[0].error == "page failed: broken content stream"
    assert doc.errors[0] == "page 1: page failed: broken content stream"
    assert [ln.page for ln in doc.lines] == [3]


def test_path_input_and_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "t.pdf"
    path.write_bytes(image_page_pdf())
    doc = load_pdf(path, "d", "t.pdf", ocr=False)
    assert len(grid_lines(doc)) == 5
    text = pdf_plain_text(path)
    assert text.count("\f") == 2
    first, scan, last = text.split("\f")
    assert "9,232.39" in first and "2240108" in first and scan == "" and "情况说明" in last
    assert pdf_plain_text(path.read_bytes()) == text


# --------------------------------------------------------------------------------------------------
# bad input: one clear line, no traceback


def _error(data: bytes | Path) -> str:
    with pytest.raises(PdfLoadError) as info:
        load_pdf(data, "d", "x.pdf")
    msg = str(info.value)
    assert "\n" not in msg and "Traceback" not in msg
    assert info.value.__suppress_context__ or info.value.__context__ is None
    return msg


def test_random_bytes_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(os.urandom(2048).replace(b"%PDF-", b"xxxxx"))
    assert _error(path).startswith("not a PDF (file starts with ")
    assert _error(b"PK\x03\x04\x14\x00 a zip") == "not a PDF (file starts with 50 4b 03 04 14 00 20 61 20 7a 69 70)"
    assert _error(b"hello world, this is text") == "not a PDF (file starts with 'hello world,')"
    assert _error(b"") == "not a PDF (the file is empty)"


def test_missing_file(tmp_path: Path) -> None:
    assert _error(tmp_path / "nope.pdf").startswith("cannot read nope.pdf")


def test_encrypted_pdf(tmp_path: Path) -> None:
    doc = pymupdf.open("pdf", ruled_table_pdf())
    path = tmp_path / "locked.pdf"
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="x", owner_pw="y")
    assert _error(path) == "encrypted PDF: a password is needed"
    with pytest.raises(PdfLoadError, match="encrypted"):
        pdf_plain_text(path)


def test_owner_password_only_still_loads(tmp_path: Path) -> None:
    doc = pymupdf.open("pdf", ruled_table_pdf())
    buf = io.BytesIO()
    doc.save(buf, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="y", permissions=pymupdf.PDF_PERM_PRINT)
    loaded = load_pdf(buf.getvalue(), "d", "p.pdf")
    assert [ln.texts for ln in grid_lines(loaded)] == [HEADER, *ROWS]


ZERO_PAGES = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
              b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
              b"trailer\n<< /Root 1 0 R /Size 3 >>\n%%EOF\n")


def test_zero_page_pdf() -> None:
    assert _error(ZERO_PAGES) == "PDF has no pages"


def test_corrupt_pdf() -> None:
    msg = _error(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    assert msg.startswith("corrupt PDF: ") or msg == "PDF has no pages"


# --------------------------------------------------------------------------------------------------
# a rendered corpus document: every TAB row comes back cell for cell


def _norm(s: str) -> str:
    return s.replace(" ", "")


@pytest.mark.corpus
def test_rendered_corpus_document_matches_tab_fields(corpus: Path) -> None:
    render = pytest.importorskip("eval.render", reason="eval/render.py (corpus → PDF) is not available")
    from eval.render_layout import clean
    from tests.conftest import DATONG

    text = render.read_text(corpus / DATONG)
    pdf, truth = render.render_digital(text, seed=3)
    doc = load_pdf(pdf, "d", "datong.pdf")
    assert doc.errors == [] and len(doc.pages) == truth.pages
    src = text.split("\n")
    by_page: dict[int, list[SourceLine]] = {}
    for ln in grid_lines(doc):
        by_page.setdefault(ln.page, []).append(ln)
    checked = 0
    for lineno, boxes in truth.cell_boxes.items():
        fields = [clean(f) for f in src[lineno - 1].split("\t")]
        first = next(b for b in boxes if b)
        cy = (first[1] + first[3]) / 2
        rows = [ln for ln in by_page.get(truth.line_pages[lineno], []) if ln.bbox[1] <= cy <= ln.bbox[3]]
        assert len(rows) == 1, f"line {lineno}: {len(rows)} grid rows at y={cy}"
        got = rows[0]
        assert len(got.cells) == len(boxes), f"line {lineno}: {got.texts}"
        expected = fields + [""] * (len(boxes) - len(fields))
        # CJK words join without spaces in the PDF path (there is no way to tell a printed space)
        assert [_norm(c) for c in got.texts] == [_norm(f) for f in expected], f"line {lineno}"
        for cell, box in zip(got.cells, boxes, strict=True):
            if box:
                assert cell.bbox == pytest.approx(box, abs=0.6)
        checked += 1
    assert checked > 400
