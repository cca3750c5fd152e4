"""Where a figure came from: the PDF page rendered by PyMuPDF from the stored original with boxes
drawn on it, or, for text inputs, the source lines with the cited lines highlighted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from extractor.load_text import decode_text
from qa_app.app.frames import downloads
from qa_app.app.safe import md
from qa_app.app.state import home_dir
from schemas.answers import Citation
from schemas.provenance import BBox

HIGHLIGHT = "background-color: #fff3b8"
# (stroke rgb, fill rgb or None) for box kinds
BOX_STYLE: dict[str, tuple[tuple[float, float, float], tuple[float, float, float] | None]] = {
    "cited": ((0.85, 0.1, 0.1), (1.0, 0.9, 0.2)),
    "grid": ((0.2, 0.45, 0.85), None),
    "error": ((0.85, 0.1, 0.1), (0.97, 0.6, 0.6)),
    "rounding": ((0.9, 0.5, 0.0), (1.0, 0.8, 0.5)),
    "warning": ((0.8, 0.7, 0.0), (1.0, 0.95, 0.5)),
    "not_checked": ((0.5, 0.5, 0.5), (0.85, 0.85, 0.85)),
    "info": ((0.2, 0.45, 0.85), (0.8, 0.88, 1.0)),
}


def stored_file(doc_id: str) -> Path | None:
    hits = sorted((home_dir() / "files").glob(f"{doc_id}.*"))
    return hits[0] if hits else None


def is_pdf(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(5) == b"%PDF-"


@st.cache_data(show_spinner=False, max_entries=64)
def page_png(path_str: str, mtime: float, page: int, boxes: tuple[tuple[BBox, str], ...], dpi: int = 110,
             clip: BBox | None = None) -> bytes:
    """The 1-based ``page`` as PNG with ``boxes`` ((x0, y0, x1, y1) in points, top-left origin; style) drawn;
    ``clip`` crops to that region (e.g. the table) so it can be shown larger."""
    import pymupdf

    with pymupdf.open(path_str) as doc:
        if not 1 <= page <= doc.page_count:
            raise ValueError(f"page {page} is outside the document (1-{doc.page_count})")
        p = doc[page - 1]
        for style in {s for _, s in boxes}:
            stroke, fill = BOX_STYLE.get(style, BOX_STYLE["grid"])
            shape = p.new_shape()
            for bbox, s in boxes:
                if s == style:
                    shape.draw_rect(pymupdf.Rect(bbox))  # page (unrotated) coordinates, as extracted
            shape.finish(color=stroke, fill=fill, fill_opacity=0.35 if fill else 0, width=1.2 if fill else 0.5)
            shape.commit()
        area = pymupdf.Rect(clip) & p.rect if clip else None
        return p.get_pixmap(dpi=dpi, clip=area if area and not area.is_empty else None).tobytes("png")


def around(boxes: list[BBox], margin: float = 24.0) -> BBox | None:
    """The region holding ``boxes``, with a margin."""
    if not boxes:
        return None
    return (min(b[0] for b in boxes) - margin, min(b[1] for b in boxes) - margin,
            max(b[2] for b in boxes) + margin, max(b[3] for b in boxes) + margin)


@st.cache_data(show_spinner=False, max_entries=16)
def text_lines(path_str: str, mtime: float) -> list[str]:
    """The original's lines, split as the text loader splits them (1-based line n = item n-1)."""
    text = decode_text(Path(path_str).read_bytes())
    return [ln.replace("\f", "").rstrip("\r") for ln in text.split("\n")]


def lines_frame(lines: list[str], start: int, end: int, marks: dict[int, str]) -> pd.DataFrame:
    """Lines ``start..end`` (1-based, inclusive) with TABs shown as │ and a mark column."""
    start, end = max(1, start), min(len(lines), end)
    rows = [{"行号": n, "标记": marks.get(n, ""), "原文": lines[n - 1].replace("\t", " │ ")}
            for n in range(start, end + 1)]
    return pd.DataFrame(rows, columns=["行号", "标记", "原文"])


def show_lines(df: pd.DataFrame, css: dict[int, str], height: int | None = None, name: str = "source-lines",
               key: str = "lines") -> None:
    """Source lines as a dataframe (cell text is never rendered as markup), highlighted rows, downloads."""
    def style(row: pd.Series) -> list[str]:
        return [css.get(int(row["行号"]), "")] * len(row)

    st.dataframe(df.style.apply(style, axis=1), hide_index=True, width="stretch",
                 column_config={"行号": st.column_config.NumberColumn(width=56, format="%d"),
                                "标记": st.column_config.TextColumn(width=72),
                                "原文": st.column_config.TextColumn(width="large")}, height=height or "auto")
    downloads(df, name, key)


def show_citation(c: Citation, key: str) -> None:
    """The source of one citation: page image with the cell's box, or the lines around it."""
    path = stored_file(c.doc_id)
    where = " · ".join(x for x in (c.doc_name, f"第{c.page}页", c.table_title, c.row_label, c.column) if x)
    st.caption(md(f"来源：{where}" + (f" = {c.value}" if c.value else "")))
    if path is None:
        st.warning("原始文件不在 BUDGETLENS_HOME/files 中（文档可能已删除）：无法显示来源。")
        return
    if is_pdf(path):
        boxes: tuple[tuple[BBox, str], ...] = ((c.bbox, "cited"),) if c.bbox else ()
        try:
            st.image(page_png(str(path), path.stat().st_mtime, c.page, boxes), width="stretch")
        except ValueError as exc:
            st.warning(md(str(exc)))
        if not c.bbox:
            st.caption("此引用没有单元格坐标：显示整页。")
        return
    if c.line_start is None:
        st.warning("此引用没有行号，无法定位原文。")
        return
    lines = text_lines(str(path), path.stat().st_mtime)
    end = c.line_end or c.line_start
    marks = {n: "▶" for n in range(c.line_start, end + 1)}
    show_lines(lines_frame(lines, c.line_start - 6, end + 6, marks), {n: HIGHLIGHT for n in marks},
               name=f"{c.doc_name}-L{c.line_start}", key=key)
