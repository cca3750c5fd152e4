"""Find tables in the line stream: titles, labels, meta lines, rows, notes; drop page furniture.

Stage output is a list of ``TableBlock``s (still raw lines) plus the narrative lines between
tables, so each stage can be inspected on its own (pdfplumber-style).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from extractor.layout import CellSep, LoadedDocument, SourceLine
from extractor.tables.catalog import TableTemplate, classify_title
from schemas.keys import norm_key
from schemas.values import MoneyUnit

_TITLE_END = re.compile(r"表(\s*[（(][^）)]*[)）])?(\s*[（(]?\d{4}[)）]?年度)?\s*$")
_TOC = re.compile(r"(\.{3,}|…{2,}|·{3,})")
_LABEL = re.compile(r"^(预算公开表|部门公开表|部门预算公开表|公开表|公开)\s*[0-9一二三四五六七八九十]+\s*表?$|^表[一二三四五六七八九十\d]+$")
_ORG = re.compile(r"^(单位名称|部门名称|编制单位|预算单位)[:：]\s*(?P<org>.+)$")
_MONEY = re.compile(r"^(金额)?单位[:：]\s*(?P<u>万元|元|万)\s*$")
_YEAR_LINE = re.compile(r"^[（(]?\d{4}年度?[)）]?$")
_NOTE = re.compile(r"^(注|说明|备注)[:：]")
_PAGE_NO = re.compile(r"^([-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(\s*共\s*\d+\s*页)?|\d{1,3}|[-—–]\s*\d+)$")
_DASHES = re.compile(r"^[-—=_\s]*$")
EMPTY_MARK = "本表无数据"


@dataclass
class TableBlock:
    template: TableTemplate | None
    title: str
    title_line: SourceLine
    label: str | None = None
    org: str | None = None
    money_unit: MoneyUnit | None = None
    rows: list[SourceLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    empty: bool = False
    dropped: list[SourceLine] = field(default_factory=list)  # page furniture found inside the table

    @property
    def pages(self) -> list[int]:
        return sorted({self.title_line.page, *(r.page for r in self.rows)})


@dataclass
class Segmentation:
    tables: list[TableBlock]
    narrative: list[SourceLine]


def line_text(line: SourceLine) -> str:
    return " ".join(line.nonempty).strip()


def is_title(text: str) -> TableTemplate | None:
    if not text or len(text) > 90 or _TOC.search(text) or "。" in text or "，" in text:
        return None
    if "附件" in text or "：" in text or ":" in text or not _TITLE_END.search(text):
        return None
    return classify_title(text)


def furniture_lines(lines: list[SourceLine]) -> set[str]:
    """Short one-cell lines that repeat across the document (watermarks, running headers)."""
    texts = [line_text(ln) if len(ln.nonempty) == 1 else None for ln in lines]
    filled = [i for i, ln in enumerate(lines) if ln.nonempty]
    after = dict(zip(filled, filled[1:], strict=False))  # the next line that is not blank
    counts = Counter(norm_key(t) for i, t in enumerate(texts) if t is not None and len(t) <= 16
                     and not _label_head(t, texts[after[i]] if i in after else None))
    return {t for t, n in counts.items() if n >= 3 and t and is_title(t) is None and not _is_meta(t)}


def _label_head(text: str, nxt: str | None) -> bool:
    """The first half of a label wrapped over two lines (``表`` before ``二``): not a watermark."""
    return nxt is not None and len(nxt) <= 4 and not _LABEL.match(norm_key(text)) \
        and bool(_LABEL.match(norm_key(text + nxt)))


def _is_meta(text: str) -> bool:
    t = norm_key(text)
    return bool(_ORG.match(t) or _MONEY.match(t) or _NOTE.match(t) or _YEAR_LINE.match(t) or _LABEL.match(t)
                or EMPTY_MARK in t or t == "元")


def is_noise(line: SourceLine, furniture: set[str]) -> bool:
    text = line_text(line)
    if not text or _DASHES.match(text):
        return True
    if len(line.nonempty) == 1 and norm_key(text) in furniture:
        return True
    if len(line.cells) == 1 and _PAGE_NO.match(text):  # a lone number inside a table row is a value
        return True
    return all(_DASHES.match(c) for c in line.nonempty)


def _is_row(line: SourceLine) -> bool:
    if line.sep not in (CellSep.TAB, CellSep.GRID) or len(line.cells) < 2:
        return False
    return not any(_TOC.search(c) for c in line.nonempty)  # a table of contents line is not a row


def _starts_form(line: SourceLine, nxt: SourceLine | None) -> bool:
    """A title-less performance-target table starts with 项目名称 followed by 主管部门."""
    cells = line.nonempty
    if not cells or norm_key(cells[0]) != "项目名称" or nxt is None:
        return False
    return bool(nxt.nonempty) and norm_key(nxt.nonempty[0]).startswith("主管部门")


def _repeats(block: TableBlock, line: SourceLine, repeat: int) -> bool:
    """A page break repeated the table's first rows (its header) at the top of the next page."""
    if repeat >= len(block.rows) or [norm_key(t) for t in line.texts] != [norm_key(t) for t in block.rows[repeat].texts]:
        return False
    return repeat > 0 or line.page != block.rows[-1].page


def _wrapped_label(text: str, line: SourceLine, nxt: SourceLine | None) -> bool:
    """A table label split over two one-cell lines: ``表`` / ``二``, ``公开`` / ``03表``."""
    if nxt is None or len(line.nonempty) != 1 or len(nxt.nonempty) != 1:
        return False
    return _label_head(text, line_text(nxt))


def _awaits_name_row(block: TableBlock | None) -> bool:
    """A titled form table (自评表, 绩效目标表) whose 项目名称 row has not come yet."""
    if block is None or block.template is None or block.template.layout != "form":
        return False
    return not any(r.nonempty and norm_key(r.nonempty[0]) == "项目名称" for r in block.rows)


def segment(doc: LoadedDocument) -> Segmentation:
    lines = doc.lines
    furniture = furniture_lines(lines)
    tables: list[TableBlock] = []
    narrative: list[SourceLine] = []
    current: TableBlock | None = None
    pending_label: str | None = None
    skip_yuan = False
    wrapped_title_tail = -1
    repeat = 0  # position in the table's first rows while a header repeated after a page break is skipped
    useful = [ln for ln in lines if not is_noise(ln, furniture)]
    for i, line in enumerate(useful):
        text = line_text(line)
        nxt = useful[i + 1] if i + 1 < len(useful) else None
        if line.line_no == wrapped_title_tail:
            continue
        if skip_yuan and text == "元":
            skip_yuan = False
            continue
        skip_yuan = False
        template = is_title(text) if len(line.nonempty) <= 2 else None
        if template is None and len(line.nonempty) == 1 and nxt is not None and len(nxt.cells) == 1 \
                and 0 < len(line_text(nxt)) <= 12 and (template := is_title(text + line_text(nxt))):
            text = text + line_text(nxt)  # a title wrapped onto a second line ("…自评" + "表")
            wrapped_title_tail = nxt.line_no
        if template is None and nxt is not None and _wrapped_label(text, line, nxt):
            text = text + line_text(nxt)  # a label wrapped in a narrow cell ("表" + "二")
            wrapped_title_tail = nxt.line_no
        if template is not None:
            current = TableBlock(template=template, title=text, title_line=line, label=pending_label)
            pending_label = None
            tables.append(current)
            continue
        if _LABEL.match(norm_key(text)):
            if current is not None and not current.rows and current.label is None:
                current.label = text
            else:
                pending_label = text
            continue
        if current is not None and not _is_row(line):
            if m := _ORG.match(norm_key(text)):
                current.org = current.org or m.group("org")
                continue
            if m := _MONEY.match(norm_key(text)):
                current.money_unit = MoneyUnit.WAN if m.group("u").startswith("万") else MoneyUnit.YUAN
                skip_yuan = m.group("u") == "万"
                continue
            if _YEAR_LINE.match(norm_key(text)) or text == "表":
                continue
            if _NOTE.match(norm_key(text)) or EMPTY_MARK in text:
                current.notes.append(text)
                current.empty = current.empty or EMPTY_MARK in text
                continue
        if _is_row(line) and current is not None and current.rows:
            if _repeats(current, line, repeat):
                current.dropped.append(line)
                repeat += 1
                continue
            repeat = 0
        if _is_row(line):
            if _starts_form(line, nxt) and not _awaits_name_row(current):
                from extractor.tables.catalog import BY_KIND
                from schemas.tables import TableKind

                current = TableBlock(template=BY_KIND[TableKind.PERFORMANCE_TARGET], title="项目支出绩效目标表",
                                     title_line=line)
                tables.append(current)
            if current is None:
                # a grid with no title that matches no template: kept, flagged unclassified
                current = TableBlock(template=None, title=text[:40], title_line=line)
                tables.append(current)
            current.rows.append(line)
            continue
        # a text line: inside a table it is furniture when the table goes on right after it
        if current is not None and current.rows and nxt is not None and _is_row(nxt) \
                and len(text) <= 40 and "。" not in text and not _starts_form(nxt, None):
            current.dropped.append(line)
            continue
        current = None
        narrative.append(line)
    return Segmentation(tables=[t for t in tables if not _is_toc(t)], narrative=narrative)


def _is_toc(block: TableBlock) -> bool:
    """An untitled block of 'heading <TAB> page number' lines is a table of contents."""
    if block.template is not None:
        return False
    tail_numbers = sum(1 for r in block.rows if r.nonempty and re.fullmatch(r"\d{1,3}", r.nonempty[-1]))
    return tail_numbers >= max(1, len(block.rows) // 2)
