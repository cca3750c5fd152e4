"""Where a value came from: document, page, box or text lines, and which path produced it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class ExtractionPath(StrEnum):
    DETERMINISTIC = "deterministic"
    LLM = "llm"
    REVIEWER = "reviewer"


class SourceKind(StrEnum):
    TEXT = "text"  # TAB/space separated text or Markdown
    PDF = "pdf"  # digital PDF text layer
    OCR = "ocr"  # scanned page recognised by OCR


BBox = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, origin top-left


class Provenance(BaseModel):
    """Every value carries this. Citations read these fields; they never re-search the text."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    page: int  # 1-based; text inputs: the form-feed/page-break count (1 when none)
    bbox: BBox | None = None  # PDF / OCR inputs
    line_start: int | None = None  # text inputs: 1-based line numbers in the original file
    line_end: int | None = None
    source: SourceKind = SourceKind.TEXT
    path: ExtractionPath = ExtractionPath.DETERMINISTIC
    model: str | None = None  # the LLM that produced it, when path == llm
    table_id: str | None = None

    def where(self) -> str:
        """Short human location, e.g. 'p.3' or 'p.3 L120-121'."""
        loc = f"p.{self.page}"
        if self.line_start is not None:
            loc += f" L{self.line_start}" + (f"-{self.line_end}" if self.line_end and self.line_end != self.line_start else "")
        return loc
