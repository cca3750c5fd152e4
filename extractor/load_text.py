"""Text and Markdown inputs (OCR/PDF-to-text output) → lines of cells.

TAB-separated lines keep every cell (empty ones too). Lines without TABs are split on white space
(``CellSep.SPACE``): that is what a plain ``page.get_text()`` gives, where empty cells collapse.
A form feed starts a new page. Markdown/HTML residue is removed here, once.
"""

from __future__ import annotations

import re

from extractor.layout import CellSep, LineCell, LoadedDocument, SourceLine
from schemas.provenance import SourceKind
from schemas.tables import PageInfo

_RESIDUE = re.compile(r"</?(?:b|p|strong|br|span|div|td|tr|th)\b[^>]*>|\*\*", re.I)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_RULE = re.compile(r"^[\s\-|=_—]{3,}$")


def strip_residue(text: str) -> str:
    return _RESIDUE.sub("", _HEADING.sub("", text))


def decode_text(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError("text file is neither UTF-8 nor GB18030")


def tabs_collapsed(raws: list[str]) -> bool:
    """TABs that separate the printed cells but keep no column positions: many TAB rows, not one with an
    empty cell (a table with gaps always has some), and rows of varying length (the gaps collapsed).
    Such TABs are read like runs of spaces."""
    counts = [len(r.split("\t")) for r in raws if "\t" in r.strip("\t")]
    if len(counts) < 20 or any(not c.strip() for r in raws if "\t" in r for c in r.rstrip("\r").split("\t")):
        return False
    changes = sum(1 for a, b in zip(counts, counts[1:], strict=False) if a != b)
    return changes * 6 >= len(counts)


def text_to_lines(text: str) -> tuple[list[SourceLine], int]:
    """Split a text document into SourceLines; returns (lines, page_count)."""
    lines: list[SourceLine] = []
    collapsed = tabs_collapsed(text.split("\n"))
    page = 1
    for n, raw in enumerate(text.split("\n"), start=1):
        if "\f" in raw:
            page += raw.count("\f")
            raw = raw.replace("\f", "")
        raw = raw.rstrip("\r")
        if _RULE.match(raw) and "\t" not in raw.strip("\t"):
            lines.append(SourceLine(page=page, line_no=n, cells=[LineCell("")]))  # a drawn rule, not text
            continue
        if "\t" in raw and collapsed:  # cells kept whole (they may hold spaces), but no column positions
            tokens = [t for c in raw.split("\t") if (t := strip_residue(c).strip())]
            lines.append(SourceLine(page=page, line_no=n, cells=[LineCell(t) for t in tokens or [""]],
                                    sep=CellSep.SPACE))
        elif "\t" in raw:
            cells = [LineCell(strip_residue(c).strip()) for c in raw.split("\t")]
            # trailing TABs after the last printed cell are kept: they tell the column count
            lines.append(SourceLine(page=page, line_no=n, cells=cells, sep=CellSep.TAB))
        else:
            clean = strip_residue(raw).strip()
            tokens = clean.split() if clean else [""]
            lines.append(SourceLine(page=page, line_no=n, cells=[LineCell(t) for t in tokens], sep=CellSep.SPACE))
    return lines, page


def load_text(data: bytes, doc_id: str, file_name: str) -> LoadedDocument:
    text = decode_text(data)
    lines, pages = text_to_lines(text)
    return LoadedDocument(
        doc_id=doc_id,
        file_name=file_name,
        source=SourceKind.TEXT,
        lines=lines,
        pages=[PageInfo(number=i) for i in range(1, pages + 1)],
    )
