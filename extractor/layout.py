"""The one intermediate every loader produces: a document as a sequence of lines of cells.

Loaders differ (TAB text, space-separated text, a PDF's text layer with ruling lines, OCR of a
scanned page) but all of them emit ``SourceLine``s. Table finding works on this stream only, so a
table is found the same way whichever path read it. Each cell keeps its box (PDF/OCR) or its line
number (text), which is what provenance is built from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from schemas.provenance import BBox, SourceKind
from schemas.tables import PageInfo


class CellSep(StrEnum):
    TAB = "tab"  # cells split on TAB; empty cells kept (corpus text)
    GRID = "grid"  # cells from ruling lines / column alignment; empty cells kept
    SPACE = "space"  # cells split on white space; empty cells collapsed (plain get_text output)


@dataclass(slots=True)
class LineCell:
    text: str
    bbox: BBox | None = None


@dataclass(slots=True)
class SourceLine:
    """One printed line (a table row or a text line). ``cells`` has one entry per column for
    TAB/GRID lines (empty strings for empty cells); for SPACE lines, one per token run."""

    page: int
    line_no: int  # 1-based, document-wide: the file's line for text input, a running count for PDFs
    cells: list[LineCell]
    sep: CellSep = CellSep.TAB
    bbox: BBox | None = None
    line_end: int | None = None  # last original line when a row was joined from several
    ruled: bool = False  # the line sits inside a ruled grid (PDF)

    @property
    def text(self) -> str:
        return "\t".join(c.text for c in self.cells)

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]

    @property
    def nonempty(self) -> list[str]:
        return [c.text for c in self.cells if c.text.strip()]

    @property
    def is_blank(self) -> bool:
        return not any(c.text.strip() for c in self.cells)


@dataclass(slots=True)
class LoadedDocument:
    doc_id: str
    file_name: str
    source: SourceKind
    lines: list[SourceLine] = field(default_factory=list)
    pages: list[PageInfo] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # per-page failures: recorded, not swallowed
