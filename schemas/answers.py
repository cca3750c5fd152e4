"""What the question-answering engine returns: text, an optional table and chart, and citations."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.provenance import BBox


class AnswerKind(StrEnum):
    COMPUTED = "computed"  # a structured tool over the validated store
    SEARCH = "search"  # extractive retrieval: best passages, cited; not a computed answer
    NONE = "none"  # nothing relevant found


class Citation(BaseModel):
    doc_id: str
    doc_name: str
    page: int
    table_id: str | None = None
    table_title: str | None = None
    row_label: str | None = None
    column: str | None = None
    value: str | None = None  # the printed text of the cited cell
    bbox: BBox | None = None
    line_start: int | None = None
    line_end: int | None = None


class AnswerTable(BaseModel):
    columns: list[str]
    rows: list[list[str]]


class ChartSpec(BaseModel):
    kind: str = "bar"  # bar | line
    x: str
    y: list[str]
    title: str = ""
    data: list[dict[str, float | str | None]] = Field(default_factory=list)


class Answer(BaseModel):
    question: str
    text: str
    kind: AnswerKind = AnswerKind.COMPUTED
    tool: str | None = None
    table: AnswerTable | None = None
    chart: ChartSpec | None = None
    citations: list[Citation] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    context: dict[str, str | int | list[str] | None] = Field(default_factory=dict)  # resolved slots for follow-ups
