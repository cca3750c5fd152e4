"""Narrative lines → paragraphs: rejoin the lines a PDF (or its plain ``get_text()``) wrapped.

A text file holds one paragraph per line, but a page wraps a paragraph at the column edge, so a figure
and its subject ("政府采购预算总额118.00万元，其中：货物…" / "…服务17.00万元") land on different lines and
the narrative rules would read half a sentence. A line is a wrapped one when it is (nearly) as wide as
the document's full lines and does not end a sentence; the next line continues it unless it starts a
new heading or item. Widths count CJK characters as 1 and ASCII as ½, as a page sets them.
"""

from __future__ import annotations

import re

from extractor.tables.segment import Segmentation, line_text

NarrativeLine = tuple[int, int, str]  # (line number, page, text)

SENTENCE_END = tuple("。！？；：!?;:")
# a new heading, numbered item or bullet starts its own paragraph
ITEM_START = re.compile(r"^\s*(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]"
                        r"|\d+[.、．]\D|[①-⑳]|[-•·])")
FULL_SHARE = 0.85  # of the document's full-line width
MIN_LINES = 8  # too few lines to tell a full line from a short one: leave them


def width(text: str) -> float:
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text.strip())


def full_width(lines: list[NarrativeLine]) -> float:
    """The width of a full line: the 90th percentile of the line widths."""
    widths = sorted(width(t) for _, _, t in lines)
    return widths[min(len(widths) - 1, int(len(widths) * 0.9))] if widths else 0.0


def is_wrapped(text: str, full: float) -> bool:
    stripped = text.strip()
    return bool(stripped) and width(stripped) >= FULL_SHARE * full and not stripped.endswith(SENTENCE_END)


def join_wrapped(lines: list[NarrativeLine]) -> list[NarrativeLine]:
    """Paragraphs, each keyed by its first line's number and page; lines that are paragraphs stay as they are."""
    if len(lines) < MIN_LINES:
        return list(lines)
    full = full_width(lines)
    out: list[NarrativeLine] = []
    open_paragraph = False
    for line_no, page, text in lines:
        if out and open_paragraph and not ITEM_START.match(text):
            first_no, first_page, head = out[-1]
            out[-1] = (first_no, first_page, head.rstrip() + text.strip())
        else:
            out.append((line_no, page, text))
        open_paragraph = is_wrapped(text, full)
    return out


def narrative_paragraphs(seg: Segmentation) -> list[NarrativeLine]:
    """The segmentation's narrative (everything outside tables) as paragraphs: what is stored and parsed."""
    return join_wrapped([(ln.line_no, ln.page, text) for ln in seg.narrative if (text := line_text(ln))])
