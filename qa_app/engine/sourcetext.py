"""Text of the source document: narrative lines from the store, and for text inputs the original
lines (table text that is not a cell, e.g. a self-evaluation's 项目绩效分析 sentences).

Also the narrative's year-on-year sentences ("比上年度减少0.15万元，下降4.11%",
"比2023年预算减少4.15万元", "与2023年预算数相同"): the only source for last year's figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractor.load_text import decode_text
from extractor.store import Store
from qa_app.engine.catalog import DocData
from schemas.provenance import SourceKind
from schemas.tables import Table

_SENT_END = re.compile(r"(?<=[。；;！!？?])")
CHANGE = re.compile(
    r"(比(?:上年度?|上一年度?|20\d{2}年度?)(?:预算数?|决算数?)?(?:增加|减少|增长|下降|持平)[^，。；,;]*?"
    r"(?:万元|元|%)(?:[，,](?:增长|下降|减少|增加)[\d.]+%)?)"
    r"|(与(?:上年度?|20\d{2}年度?)(?:预算数?|决算数?)?相同)")


@dataclass(frozen=True)
class SourceLine:
    line_no: int
    page: int
    text: str


def _home(store: Store) -> Path:
    return Path(store.path).parent


@lru_cache(maxsize=32)
def _file_lines(path: str, mtime: float) -> tuple[str, ...]:
    return tuple(decode_text(Path(path).read_bytes()).split("\n"))


@dataclass(frozen=True)
class PdfLine:
    line_no: int
    page: int
    y: float  # top of the line on its page
    bbox: tuple[float, float, float, float] | None
    text: str  # cells TAB-joined


@lru_cache(maxsize=8)
def _pdf_layout(path: str, mtime: float, doc_id: str) -> tuple[PdfLine, ...]:
    """A digital PDF's text layer as lines numbered like the extraction's provenance; pages without a text
    layer (scans) are left out: re-running OCR here would cost seconds per page."""
    from extractor.load_pdf import load_pdf

    loaded = load_pdf(path, doc_id, Path(path).name, ocr=False)
    return tuple(PdfLine(ln.line_no, ln.page, ln.bbox[1] if ln.bbox else 0.0, ln.bbox, ln.text)
                 for ln in loaded.lines)


def _original(store: Store, doc: DocData) -> Path | None:
    folder = _home(store) / "files"
    named = folder / f"{doc.id}{Path(doc.meta.file_name).suffix.lower()}"  # as ingest saves it
    if named.is_file():
        return named
    hits = sorted(folder.glob(f"{doc.id}.*"))  # a directory scan: ~10 ms with 10,000 originals
    return hits[0] if hits else None


def pdf_layout(store: Store, doc: DocData) -> tuple[PdfLine, ...]:
    path = _original(store, doc)
    if path is None or doc.meta.source == SourceKind.TEXT:
        return ()
    try:
        return _pdf_layout(str(path), path.stat().st_mtime, doc.id)
    except Exception:  # noqa: BLE001 - a damaged original must not break answering; reasons are optional
        return ()


def original_lines(store: Store, doc: DocData) -> tuple[str, ...]:
    """The original's lines, numbered as the cells' provenance: a text file's lines, or a digital PDF's
    text layer (empty for missing files and for pages that were OCR'd)."""
    path = _original(store, doc)
    if path is None:
        return ()
    if doc.meta.source == SourceKind.TEXT:
        return _file_lines(str(path), path.stat().st_mtime)
    layout = pdf_layout(store, doc)
    lines = [""] * max((ln.line_no for ln in layout), default=0)
    for ln in layout:
        lines[ln.line_no - 1] = ln.text
    return tuple(lines)


def table_block(store: Store, doc: DocData, table: Table) -> list[PdfLine]:
    """A PDF table's lines: from its title to the next table's title (pages hold no blank line between forms)."""
    start = table.provenance
    if start.page is None or start.bbox is None:
        return []
    after = [t.provenance for t in doc.tables if t.provenance.page is not None and t.provenance.bbox is not None
             and (t.provenance.page, t.provenance.bbox[1]) > (start.page, start.bbox[1])]
    end = min(((p.page, p.bbox[1]) for p in after if p.bbox), default=(10**9, 0.0))
    return [ln for ln in pdf_layout(store, doc) if (start.page, start.bbox[1]) <= (ln.page, ln.y) < end]


def line_at(store: Store, doc: DocData, line_no: int) -> str | None:
    for ln, _pg, text in doc.narrative:
        if ln == line_no:
            return text
    lines = original_lines(store, doc)
    return lines[line_no - 1].replace("\t", " ").strip() if 0 < line_no <= len(lines) else None


def block_after(store: Store, doc: DocData, start: int, limit: int = 40) -> list[SourceLine]:
    """Raw lines (TABs kept) from ``start`` to the first blank line after ``start`` (a form's text)."""
    lines = original_lines(store, doc)
    out: list[SourceLine] = []
    for n in range(max(start, 1), min(len(lines), start + limit - 1) + 1):
        text = lines[n - 1].rstrip("\r")
        if not text.strip():
            if out:
                break
            continue
        out.append(SourceLine(n, 1, text))
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT_END.split(text) if s.strip()]


@dataclass(frozen=True)
class ChangeSentence:
    line_no: int
    page: int
    sentence: str  # the whole sentence, for context
    clause: str  # the quoted year-on-year clause


def change_sentences(doc: DocData, *subjects: str) -> list[ChangeSentence]:
    """Narrative sentences about ``subjects`` that state a change against last year."""
    out = []
    for ln, pg, text in doc.narrative:
        if not any(s in text for s in subjects) or len(text) < 12 or "....." in text:
            continue
        for sent in sentences(text):
            if any(s in sent for s in subjects) and (m := CHANGE.search(sent)):
                out.append(ChangeSentence(ln, pg, sent, m.group(0)))
                break
    return out
