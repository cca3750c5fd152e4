"""Tables from a plain text stream (``page.get_text()`` of every page, pages split by form feeds).

In that form each table cell is usually its own line, empty cells vanish, long names wrap over
several lines, the header cells of all header rows come one after the other, and page breaks
inject page numbers and repeated headers. This module finds the tables in such a stream and
*synthesizes* TAB-like ``SourceLine``s (header rows + one data line per printed row, one cell per
column, empty cells restored, provenance = the original line numbers) so that the grid and form
builders work unchanged.

Stages (each can be inspected on its own):
- ``stream_segment(doc)``: titles/labels/meta/notes (``segment.py`` helpers) and the lines of each
  table body; page furniture removed.
- header: the tokens before the first row; fragments re-joined against a header vocabulary, label
  headers dropped, group headers expanded into their children (``GROUPS``).
- rows: by code (function/economic classification) or by name; a row with fewer numbers than
  numeric columns gets the order-preserving column assignment that satisfies the header's row
  identities (合计 = Σ parts) and the roll-ups (类 = Σ 款, 款 = Σ 项), else the leftmost; every
  such decision is recorded in ``StreamBlock.repairs`` (the caller copies them to ``Table.repairs``).
- two-sided tables (收支总表 …): each label's side from its wording (…支出 / 本年支出合计 / 年末… are
  expenditure; 总计 first income, then expenditure), 行次 numbers dropped, both halves on one line.
- side-by-side blocks (决算 基本支出明细表): code / name / amount triples, one line each.
- forms (自评表, 绩效目标表): ``stream_forms.py`` writes the few lines ``FormBuilder`` reads.

Use: ``seg = stream_segment(doc) if is_stream_document(doc) else segment(doc)``; build every block as
usual and ``table.repairs.extend(getattr(block, "repairs", []))``.

Nothing here names a document or an org: the vocabulary describes table kinds.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import combinations, product
from math import comb
from typing import Literal

from extractor.layout import CellSep, LineCell, LoadedDocument, SourceLine
from extractor.tables.catalog import BY_KIND, TableTemplate
from extractor.tables.forms import FUND_COLUMNS
from extractor.tables.header import is_code
from extractor.tables.segment import (
    _LABEL,
    _MONEY,
    _NOTE,
    _ORG,
    _TOC,
    _YEAR_LINE,
    EMPTY_MARK,
    Segmentation,
    TableBlock,
    _is_meta,
    is_title,
    line_text,
)
from extractor.values import MISSING, NOT_APPLICABLE, is_number_text, to_decimal
from schemas.keys import norm_key
from schemas.tables import TableKind
from schemas.values import MoneyUnit

# ---------------------------------------------------------------------------------------------
# Vocabulary (data, not code paths)
# ---------------------------------------------------------------------------------------------

# Header cells that name label columns (code / name), not value columns.
LABEL_HEADERS = {
    "项目", "科目编码", "科目代码", "科目名称", "项目名称", "单位名称", "部门预算支出经济科目名称",
    "政府预算支出经济科目名称", "收入科目编码", "功能分类科目编码", "支出功能分类科目编码", "经济分类科目编码",
}
ROW_NUMBER_HEADERS = {"行次"}
COLUMN_NUMBER_LABEL = "栏次"

# Group headers: a header cell spanning the cells of the next header row. ``children`` lists the
# words that can sit under it (None: any word); a group word with no child under it is a leaf.
GROUPS: list[tuple[re.Pattern[str], frozenset[str] | None]] = [
    (re.compile(r"^(\d{4}年?度?)?(预算数|决算数)$"), None),
    (re.compile(r"^本年收入$"), frozenset({"合计", "一般公共预算", "政府性基金", "政府性基金预算", "国有资本经营预算",
                                           "财政专户管理资金", "单位资金", "事业收入", "事业单位经营收入", "上级补助收入",
                                           "附属单位上缴收入", "其他收入"})),
    (re.compile(r"^本年支出$"), frozenset({"合计", "小计", "基本支出", "项目支出"})),
    (re.compile(r"^(\d{4}年?度?)?财政拨款$"), frozenset({"合计", "小计", "一般公共预算", "政府性基金", "政府性基金预算",
                                                        "国有资本经营预算"})),
    (re.compile(r"^公务用车购置及运行(维护)?费$"), frozenset({"小计", "公务用车购置费", "公务用车运行维护费", "购置费",
                                                          "运行维护费"})),
]

# Value columns commonly printed (used to re-join wrapped header cells).
_LEAF_WORDS = {
    "合计", "小计", "金额", "基本支出", "项目支出", "人员经费", "公用经费", "一般公共预算", "政府性基金", "政府性基金预算",
    "国有资本经营预算", "财政专户管理资金", "单位资金", "上年结转", "上年结转安排", "当年预算安排", "统计数",
    "年初结转和结余", "年末结转和结余", "本年收入", "本年支出", "本年收入合计", "本年支出合计", "财政拨款收入",
    "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入", "上缴上级支出", "经营支出",
    "对附属单位补助支出", "政府性基金收入预算", "国有资本经营收入预算", "一般公共预算财政拨款", "政府性基金预算财政拨款",
    "国有资本经营预算财政拨款", "因公出国(境)费", "公务接待费", "公务用车购置及运行费", "公务用车购置及运行维护费",
    "公务用车购置费", "公务用车运行维护费", "收入", "支出", "国有资本经营预算收入", "国有资本经营预算支出",
}
# Words that are header cells only in some kinds (elsewhere they are row labels).
HEADER_ONLY_IN: dict[str, set[TableKind]] = {
    w: {TableKind.FINAL_SANGONG} for w in ("因公出国(境)费", "公务接待费", "公务用车购置及运行费", "公务用车购置及运行维护费",
                                           "公务用车购置费", "公务用车运行维护费")
}
_YEAR_WORD = re.compile(r"^\d{4}年?度?(预算数|决算数|合计|财政拨款|预算|决算)?$")
TOTAL_WORD = re.compile(r"^(合计|总计|小计|.{1,10}(合计|总计))$")
BLOCK_TOTAL = re.compile(r"^(人员经费|公用经费|基本支出|项目支出)?(合计|总计)$")  # 明细表 totals (wrapped: 人员经 + 费合计)

# 经济分类 类 names (economic classification, first level) and government economic item names.
ECON_CLASSES = {
    "工资福利支出", "商品和服务支出", "对个人和家庭的补助", "债务利息及费用支出", "资本性支出(基本建设)", "资本性支出",
    "对企业补助(基本建设)", "对企业补助", "对社会保障基金补助", "其他支出",
}
GOV_ECON_ITEMS = {
    "工资奖金津补贴", "社会保障缴费", "住房公积金", "其他工资福利支出", "办公经费", "会议费", "培训费", "专用材料购置费",
    "委托业务费", "公务接待费", "因公出国(境)费用", "公务用车运行维护费", "维修(护)费", "其他商品和服务支出",
    "离退休费", "社会福利和救助", "助学金", "个人农业生产补贴", "其他对个人和家庭补助", "房屋建筑物购建",
    "基础设施建设", "公务用车购置", "设备购置", "大型修缮", "其他资本性支出", "对事业单位经常性补助",
    "对事业单位资本性补助", "其他对个人和家庭的补助",
}

# A column and the economic classification codes whose amount it usually repeats (a tie-breaker only).
CROSS_HINTS: dict[str, tuple[str, ...]] = {
    "公务用车运行维护费": ("30231",), "公务用车购置费": ("30913", "31013"), "公务接待费": ("30217",),
    "因公出国(境)费": ("30212",),
}

# Labels that open a form's rows (repeated at the top of every page a form runs over: not page furniture).
FORM_LABELS = {"项目名称", "转移支付(项目)名称", "转移支付项目名称", "主管部门及代码", "主管部门", "实施单位", "项目属性"}

# Two-sided tables: which side a row label belongs to.
_EXPENSE_LABEL = re.compile(r"支出$|^本年支出合计$|^支出总计$|^年终结转|^年末|^结余分配")
_ORDINAL = re.compile(r"^[一二三四五六七八九十]+、")
_SECTION = re.compile(r"^(第[一二三四五六七八九十]+部分|附件\s*\d*$|附表)")
_DASH_PAGE = re.compile(r"^([-—–]\s*\d{1,4}\s*[-—–]|第\s*\d+\s*页(\s*共\s*\d+\s*页)?)$")
_INT = re.compile(r"^\d{1,4}$")
_YEAR = re.compile(r"^\d{4}年?度?$")
_ENUMERATED = re.compile(r"^([①-⑳]|\d+[.、．]|[(（][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)")
_TOC_TAIL = re.compile(r"^\s*([.…·]{3,}|…{2,})")

ROLLUP_TOL = Decimal("0.05")


# ---------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Tok:
    text: str
    line: SourceLine
    cell: LineCell
    k: int  # index of the token within its line
    key: str = ""  # norm_key(text)

    def __post_init__(self) -> None:
        self.key = norm_key(self.text)


def tokens(lines: list[SourceLine]) -> list[Tok]:
    out: list[Tok] = []
    for ln in lines:
        k = 0
        for c in ln.cells:
            if c.text.strip():
                out.append(Tok(c.text.strip(), ln, c, k))
                k += 1
    return out


def is_value(text: str) -> bool:
    """A printed cell value in a grid table: a number, ``——``, an Excel error, a percentage."""
    t = norm_key(text)
    if not t:
        return False
    return (is_number_text(t) or t in NOT_APPLICABLE or set(t) <= {"—", "-", "－"} or t.upper() in MISSING
            or bool(re.fullmatch(r"[-+]?\d+(\.\d+)?%", t)))


def width(text: str) -> float:
    """Printed width in em (CJK, full-width characters and symbols 1, ASCII about half)."""
    return sum(0.5 if ord(ch) < 0x2000 else 1.0 for ch in text)


def _dec(text: str) -> Decimal:
    if not is_number_text(text):
        return Decimal(0)
    return to_decimal(norm_key(text)) or Decimal(0)


# ---------------------------------------------------------------------------------------------
# Document detection and segmentation
# ---------------------------------------------------------------------------------------------


def is_stream_document(doc: LoadedDocument) -> bool:
    """Plain page text: few TAB/GRID rows, many white-space lines."""
    grid = sum(1 for ln in doc.lines if ln.sep in (CellSep.TAB, CellSep.GRID) and len(ln.nonempty) >= 2)
    space = sum(1 for ln in doc.lines if ln.sep == CellSep.SPACE and not ln.is_blank)
    return space >= 30 and grid * 20 < space


@dataclass
class StreamBlock(TableBlock):
    """A table block synthesized from the stream; ``repairs`` go to ``Table.repairs``."""

    repairs: list[str] = field(default_factory=list)
    body: list[SourceLine] = field(default_factory=list)  # the original stream lines of the table


def page_furniture(lines: list[SourceLine]) -> set[int]:
    """Line numbers of page numbers and running headers/footers (lines at a page's edges)."""
    pages: dict[int, list[SourceLine]] = {}
    for ln in lines:
        if not ln.is_blank:
            pages.setdefault(ln.page, []).append(ln)
    edges: list[SourceLine] = []
    for plines in pages.values():
        edges += plines[:2] + plines[-3:]
    drop: set[int] = set()
    offsets: Counter[int] = Counter()
    for ln in edges:
        text = line_text(ln)
        if _DASH_PAGE.match(text):
            drop.add(ln.line_no)
        elif _INT.match(text):
            offsets[int(text) - ln.page] += 1
    if offsets:
        off, n = offsets.most_common(1)[0]
        if n >= max(3, len(pages) // 3):
            drop |= {ln.line_no for ln in edges if _INT.match(line_text(ln)) and int(line_text(ln)) - ln.page == off}
    # running headers and watermarks: short lines repeated on many pages at the very edge of a page
    tips = {id(ln) for plines in pages.values() for ln in plines[:1] + plines[-2:]}
    counts: Counter[str] = Counter()
    at_tip: Counter[str] = Counter()
    for ln in lines:
        if len(ln.nonempty) == 1 and len(line_text(ln)) <= 30:
            key = norm_key(line_text(ln))
            counts[key] += 1
            at_tip[key] += id(ln) in tips
    running = {k for k, n in counts.items() if at_tip[k] >= max(3, len(pages) // 4)
               and (at_tip[k] * 3 >= n * 2 or at_tip[k] * 5 >= len(pages) * 3)
               and is_title(k) is None and not _is_meta(k) and not is_header_word(k) and k not in FORM_LABELS
               and not is_value(k)}

    def furniture(ln: SourceLine) -> bool:
        return ln.line_no in drop or (len(ln.nonempty) == 1 and norm_key(line_text(ln)) in running)

    for plines in pages.values():  # the runs of furniture at both edges of each page
        for seq in (plines, plines[::-1]):
            for ln in seq:
                if not furniture(ln):
                    break
                drop.add(ln.line_no)
    return drop


def _meta(block: TableBlock, text: str, state: dict) -> bool:
    """Org / money unit / year / note lines of a table; True when consumed."""
    key = norm_key(text)
    if state.get("skip_yuan") and key == "元":
        state["skip_yuan"] = False
        return True
    state["skip_yuan"] = False
    if m := _ORG.match(key):
        block.org = block.org or m.group("org")
        return True
    if m := _MONEY.match(key):
        block.money_unit = MoneyUnit.WAN if m.group("u").startswith("万") else MoneyUnit.YUAN
        state["skip_yuan"] = m.group("u") == "万"
        return True
    if (_YEAR_LINE.match(key) and not getattr(block, "body", None)) or key == "表":
        return True
    if _NOTE.match(key) or EMPTY_MARK in key:
        block.notes.append(text)
        block.empty = block.empty or EMPTY_MARK in key
        state["note"] = True
        return True
    return False


_TEXTS: dict[int, tuple[str, str]] = {}  # id(line) -> (text, key), for one stream_segment call


def _text(line: SourceLine) -> str:
    got = _TEXTS.get(id(line))
    if got is None:
        text = line_text(line)
        got = _TEXTS[id(line)] = (text, norm_key(text))
    return got[0]


def _key(line: SourceLine) -> str:
    _text(line)
    return _TEXTS[id(line)][1]


@lru_cache(maxsize=65536)
def _is_title(text: str) -> TableTemplate | None:
    return is_title(text)


def _title_at(lines: list[SourceLine], i: int) -> tuple[TableTemplate | None, int]:
    """Template of a title at line i (possibly wrapped over two lines) and the lines it spans."""
    text = _text(lines[i])
    found: tuple[TableTemplate | None, int] = (None, 0)
    if len(lines[i].nonempty) <= 3 and (t := _is_title(text)) is not None:
        found = (t, 1)
    elif i + 1 < len(lines) and len(text) >= 8 and "。" not in text and not _TOC.search(text) \
            and not any(is_value(c) and not _YEAR.match(norm_key(c)) for c in lines[i].nonempty):
        # (a row with figures before a title is the table's last row, not the title's first half)
        nxt = _text(lines[i + 1])
        if (_is_title(nxt) is None or len(text) >= 25) and (t := _is_title(text + nxt)) is not None \
                and len(lines[i + 1].nonempty) <= 2:
            found = (t, 2)
    if found[0] is not None and i + found[1] < len(lines):
        after = _text(lines[i + found[1]])
        if _TOC_TAIL.match(after) or (_TOC.search(after) and len(after) <= 40):
            return None, 0  # a table of contents entry
    return found


def _line_keys(line: SourceLine) -> list[str]:
    """The keys of a line's cells (a stream line holds one; a space-separated row several)."""
    return [norm_key(c) for c in line.nonempty]


def _keys_from(lines: list[SourceLine], i: int, n: int) -> list[tuple[int, str]]:
    """The first ``n`` cell keys from line i on, each with the index of its line."""
    out: list[tuple[int, str]] = []
    for k in range(i, len(lines)):
        out += [(k, key) for key in _line_keys(lines[k])]
        if len(out) >= n:
            break
    return out[:n]


def _starts_form(lines: list[SourceLine], i: int) -> bool:
    """A title-less performance-target form: 项目名称, the name, then 主管部门… (one cell a line, or the
    cells of a row on one line separated by spaces)."""
    if _key(lines[i]) != "项目名称" and (not lines[i].nonempty or norm_key(lines[i].nonempty[0]) != "项目名称"):
        return False
    return any(key.startswith("主管部门") for _, key in _keys_from(lines, i, 14)[1:])


def _ends_grid(text: str) -> bool:
    return bool(_SECTION.match(norm_key(text))) or ("。" in text and len(text) >= 20)


def stream_segment(doc: LoadedDocument) -> Segmentation:
    _TEXTS.clear()
    furniture = page_furniture(doc.lines)
    lines = [ln for ln in doc.lines if not ln.is_blank and ln.line_no not in furniture
             and not re.fullmatch(r"[-—=_\s]{5,}", _text(ln))]
    blocks: list[StreamBlock] = []
    narrative: list[SourceLine] = []
    current: StreamBlock | None = None
    pending_label: str | None = None
    state: dict = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        text = _text(line)
        template, span = _title_at(lines, i)
        if template is not None:
            title = text if span == 1 else text + _text(lines[i + 1])
            current = StreamBlock(template=template, title=title, title_line=line, label=pending_label)
            pending_label, state = None, {}
            blocks.append(current)
            i += span
            continue
        if _LABEL.match(_key(line)) or (i + 1 < len(lines) and len(_key(line)) <= 12
                                        and _LABEL.match(_key(line) + _key(lines[i + 1]))
                                        and not _LABEL.match(_key(lines[i + 1]))):
            if not _LABEL.match(norm_key(text)):
                text += _text(lines[i + 1])
                i += 1
            if current is not None and not current.body and current.label is None:
                current.label = text
            else:
                pending_label = text
            i += 1
            continue
        if _starts_form(lines, i) and (k := _repeated_name(lines, i, current)):
            i = k  # the form's head printed again after a page break
            continue
        if _starts_form(lines, i) and not _awaits_name(current):
            current = StreamBlock(template=BY_KIND[TableKind.PERFORMANCE_TARGET], title="项目支出绩效目标表",
                                  title_line=line)
            state = {}
            blocks.append(current)
        if current is not None:
            is_form = current.template is not None and current.template.layout == "form"
            if not is_form and _meta(current, text, state):
                i += 1
                continue
            if state.get("note") and not is_form:
                last = current.notes[-1] if current.notes else ""
                if not last.endswith("。") and len(text) <= 60 and not any(is_value(c) for c in line.nonempty):
                    current.notes[-1] = last + text
                    i += 1
                    continue
                current = None
            elif not is_form and _ends_grid(text):
                current = None
        if current is None:
            narrative.append(line)
        else:
            current.body.append(line)
        i += 1
    hints: dict[str, set[int]] = {}
    for b in blocks:
        build_block(b, doc.doc_id, hints)
    return Segmentation(tables=list(blocks), narrative=narrative)


def _repeated_name(lines: list[SourceLine], i: int, block: StreamBlock | None) -> int:
    """Inside a form whose 项目名称 came already: the index after its head (项目名称, the name, 主管部门 …)
    printed again after a page break, else 0."""
    if block is None or block.template is None or block.template.layout != "form" or _awaits_name(block):
        return 0
    body = [key for ln in block.body for key in _line_keys(ln)]
    start = body.index("项目名称")
    ahead = _keys_from(lines, i, len(body) - start)
    k = next((m for m in range(1, min(len(ahead), 13)) if ahead[m][1].startswith("主管部门")), len(ahead))
    name = "".join(key for _, key in ahead[1:k])
    end = next((m for m in range(start + 1, len(body)) if body[m].startswith("主管部门")), len(body))
    if name != "".join(body[start + 1:end]):
        return 0  # another project
    j = 0
    while j < len(ahead) and start + j < len(body) and ahead[j][1] == body[start + j]:
        j += 1
    if j == len(ahead):
        return ahead[-1][0] + 1 if ahead else i
    return ahead[j][0] if ahead[j][0] > i else i + 1  # whole lines only: a line matched in part is kept


def _awaits_name(block: TableBlock | None) -> bool:
    if block is None or block.template is None or block.template.layout != "form":
        return False
    return not any("项目名称" in _line_keys(ln) for ln in getattr(block, "body", []))


# ---------------------------------------------------------------------------------------------
# Header
# ---------------------------------------------------------------------------------------------


def _group_children(word: str) -> frozenset[str] | None | Literal[False]:
    """The child vocabulary of a group header (None: any); False when the word is no group."""
    for pattern, children in GROUPS:
        if pattern.match(word):
            return children
    return False


def is_header_word(word: str, kind: TableKind | None = None) -> bool:
    if word in HEADER_ONLY_IN and (kind is None or kind not in HEADER_ONLY_IN[word]):
        return False
    return (word in _LEAF_WORDS or word in LABEL_HEADERS or word in ROW_NUMBER_HEADERS or word in FUND_COLUMNS
            or word == COLUMN_NUMBER_LABEL or bool(_YEAR_WORD.match(word)) or _group_children(word) is not False)


def segment_words(toks: list[Tok], kind: TableKind | None) -> list[str]:
    """Header cells from their printed fragments: the concatenation split into header words, where a word
    may span fragments (a wrapped cell) or share one (two cells printed as one run). Fewest words win; a
    word crossing a fragment boundary costs a little more (two cells stay two), unknown text is kept whole
    between fragment boundaries."""
    keys = [t.key for t in toks]
    text = "".join(keys)
    bounds = {0}
    for k in keys:
        bounds.add(max(bounds) + len(k))
    best: dict[int, tuple[float, list[str]]] = {0: (0.0, [])}
    for e in range(1, len(text) + 1):
        for b in range(max(0, e - 24), e):
            if b not in best:
                continue
            w = text[b:e]
            inner = [x for x in bounds if b < x < e]
            if is_header_word(w, kind):
                cost = 1 + 0.99 * len(inner)  # a wrapped cell re-joined
            elif b in bounds and e in bounds:
                cost = 1 + 10.0 * len(w)
            else:
                continue
            cand = (best[b][0] + cost, best[b][1] + [w])
            if e not in best or cand[0] < best[e][0]:
                best[e] = cand
    if len(text) not in best:
        return keys
    return best[len(text)][1]


def _column_number_run(toks: list[Tok], i: int) -> int:
    """End of a column-number row (栏次 1 2 3 …) starting at i; i when there is none."""
    j, expect = i, 1
    while j < len(toks):
        t = toks[j].key
        if t == COLUMN_NUMBER_LABEL:
            j += 1
            continue
        if t == str(expect):
            expect += 1
            j += 1
            continue
        break
    return j if expect > 2 or (expect > 1 and j > i + 1 and toks[i].key == COLUMN_NUMBER_LABEL) else i


@dataclass
class Header:
    words: list[str]  # header words in print order (label headers included)
    labels: list[str]  # label column names in order
    columns: list[str]  # value column names in order
    top: list[str]  # the top-level group of each value column ("" when none)
    identities: list[tuple[int, list[int]]]  # (total column, part columns)
    row_numbers: bool = False  # a 行次 column is printed
    end: int = 0  # index of the first data token


def _expand(words: list[str]) -> list[tuple[str, list]]:
    """Group words take their children from the next header row: returns a tree of (word, children)."""
    first_group = next((k for k, w in enumerate(words) if _group_children(w) is not False), None)
    if first_group is None:
        return [(w, []) for w in words]
    # the next header row starts at the first word after a group that can sit under one of the groups seen
    upper_end = len(words)
    groups_seen: list[frozenset[str] | None] = []
    for k in range(first_group, len(words)):
        ch = _group_children(words[k])
        if ch is not False:  # group words stay on the upper row
            groups_seen.append(ch)
            continue
        if _can_be_child(words[k], groups_seen):
            upper_end = k
            break
    upper, lower = words[:upper_end], _expand(words[upper_end:]) if upper_end < len(words) else []
    tree: list[tuple[str, list]] = []
    for w in upper:
        ch = _group_children(w)
        kids: list[tuple[str, list]] = []
        if ch is not False:
            while lower and (ch is None or lower[0][0] in ch) and lower[0][0] not in {k[0] for k in kids}:
                kids.append(lower.pop(0))
        tree.append((w, kids))
    return tree + lower


def _can_be_child(word: str, groups: list[frozenset[str] | None]) -> bool:
    return any(g is None or word in g for g in groups)


def _flatten(tree: list[tuple[str, list]], top: str = "") -> list[tuple[str, str, list]]:
    out: list[tuple[str, str, list]] = []
    for w, kids in tree:
        if kids:
            out += _flatten(kids, top or w)
        else:
            out.append((w, top, kids))
    return out


def _identities(tree: list[tuple[str, list]], columns: list[str], offset: int = 0) -> list[tuple[int, list[int]]]:
    """合计/小计 first among siblings = Σ the other siblings (a sub-group counts by its own total)."""
    out: list[tuple[int, list[int]]] = []
    pos = offset

    def span(node: tuple[str, list]) -> int:
        return sum(span(k) for k in node[1]) if node[1] else 1

    starts: list[int] = []
    for node in tree:
        starts.append(pos)
        if node[1]:
            out += _identities(node[1], columns, pos)
        pos += span(node)
    if tree and not tree[0][1] and TOTAL_WORD.match(tree[0][0]) and len(tree) > 1:
        parts: list[int] = []
        for node, s in zip(tree[1:], starts[1:], strict=True):
            if not node[1]:
                parts.append(s)
            elif TOTAL_WORD.match(node[1][0][0]):
                parts.append(s)
            else:
                parts += list(range(s, s + span(node)))
        out.append((starts[0], parts))
    return out


def _header_span(toks: list[Tok], i: int, kind: TableKind | None, span: int = 5, look: bool = True) -> int:
    """End of the longest run of fragments from i that splits into header words only (preferring an end
    after which the header or the data can go on, not a dangling fragment); i when none."""
    fits: list[int] = []
    for j in range(i + 1, min(len(toks), i + span) + 1):
        if is_value(toks[j - 1].text) or toks[j - 1].key == COLUMN_NUMBER_LABEL:
            break
        if all(is_header_word(w, kind) for w in segment_words(toks[i:j], kind)):
            fits.append(j)
    if not fits or not look:
        return fits[-1] if fits else i
    for j in reversed(fits):
        if j >= len(toks) or is_value(toks[j].text) or toks[j].key == COLUMN_NUMBER_LABEL \
                or _header_span(toks, j, kind, span, look=False) > j or _column_number_run(toks, j) > j:
            return j
    return fits[-1]


def _first_copy(htoks: list[Tok]) -> list[Tok]:
    """A header printed twice in a row (a page break before the first data row): its first copy."""
    keys = [t.key for t in htoks]
    for p in range(2, len(keys) - 1):
        if htoks[p].line.page != htoks[p - 1].line.page and keys[p:] == keys[:len(keys) - p]:
            return htoks[:p]
    return htoks


def parse_header(toks: list[Tok], kind: TableKind | None, code_table: bool) -> Header:
    words: list[str] = []
    htoks: list[Tok] = []
    i = 0
    while i < len(toks):
        if (j := _column_number_run(toks, i)) > i:
            i = j
            continue
        t = toks[i]
        if t.key == COLUMN_NUMBER_LABEL:
            i += 1
            continue
        if is_value(t.text):
            break
        if code_table and is_code(t.text) and i + 1 < len(toks) and not is_value(toks[i + 1].text):
            break
        j = _header_span(toks, i, kind)
        if j > i and TOTAL_WORD.match(toks[j - 1].key) and (j >= len(toks) or is_value(toks[j].text)
                                                            or is_code(toks[j].text)) \
                and _column_number_run(toks, j) == j:
            j -= 1  # a total row (合计 and its numbers) starts the data
            if j == i:
                break
        word = toks[i].key if j > i else None
        if word is None:
            nxt = _header_span(toks, i + 1, kind, look=False) > i + 1 and toks[i + 1].key in LABEL_HEADERS
            caption = nxt and not words
            if not code_table and not caption:
                break
            word, j = t.key, i + 1
        words.append(word)
        htoks += toks[i:j]
        i = j
    htoks = _first_copy(htoks)
    words = segment_words(htoks, kind)
    row_numbers = any(w in ROW_NUMBER_HEADERS for w in words)
    labels = [w for w in words if w in LABEL_HEADERS]
    values = [w for w in words if w not in LABEL_HEADERS and w not in ROW_NUMBER_HEADERS and w != COLUMN_NUMBER_LABEL
              and not (w not in _LEAF_WORDS and w not in FUND_COLUMNS and not _YEAR_WORD.match(w)
                       and _group_children(w) is False and not code_table)]
    tree = _expand(values)
    flat = _flatten(tree)
    columns = [w for w, _, _ in flat]
    top = [t for _, t, _ in flat]
    return Header(words=words, labels=labels, columns=columns, top=top, identities=_identities(tree, columns),
                  row_numbers=row_numbers, end=i)


# ---------------------------------------------------------------------------------------------
# Rows and column assignment
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    labels: list[str]
    values: list[Tok]
    toks: list[Tok]
    code: str | None = None
    options: list[tuple[int, ...]] = field(default_factory=list)
    choice: tuple[int, ...] | None = None
    side: int = 0  # two-sided tables: 0 income, 1 expenditure
    decided: str = ""  # how an ambiguous assignment was settled: "rollup" | "leftmost"
    row_number: Tok | None = None  # the printed 行次
    note: str = ""  # the validator's account of a unique column assignment
    _nums: list[int] | None = None

    @property
    def name(self) -> str:
        return "".join(self.labels)

    @property
    def nums(self) -> list[int]:
        """The printed values in thousandths (empty, ——, errors: 0)."""
        if self._nums is None:
            self._nums = [int(_dec(t.text) * 1000) for t in self.values]
        return self._nums


ROLLUP_MILLI = int(ROLLUP_TOL * 1000)


def _holds(identities: list[tuple[int, list[int]]], cols: tuple[int, ...], vals: list[int]) -> bool:
    v = dict(zip(cols, vals, strict=False))
    for total, parts in identities:
        if total not in v and not any(p in v for p in parts):
            continue
        if abs(v.get(total, 0) - sum(v.get(p, 0) for p in parts)) > ROLLUP_MILLI:
            return False
    return True


def _unique_assignment(row: Row, columns: list[str], identities: list[tuple[int, list[int]]]) -> tuple[int, ...] | None:
    """The validator's ``assign_columns`` (when present): the one placement every row identity accepts."""
    try:
        from extractor.validate.repair import assign_columns
    except ImportError:
        return None
    names = [f"{j}|{c}" for j, c in enumerate(columns)]  # columns can repeat (预算数/合计, 决算数/合计)
    ids = [(names[t], [names[p] for p in parts]) for t, parts in identities]
    try:
        got = assign_columns([t.text for t in row.values], names, ids)
    except Exception:  # noqa: BLE001 - a colleague's module; fall back on the enumeration here
        return None
    if got is None or len(got.values) != len(row.values):
        return None
    note = got.note
    for name, column in sorted(zip(names, columns, strict=True), key=lambda nc: -len(nc[0])):
        note = note.replace(name, column)
    row.note = note
    return tuple(sorted(names.index(name) for name in got.values))


def options_for(row: Row, n: int, identities: list[tuple[int, list[int]]],
                columns: list[str] | None = None) -> list[tuple[int, ...]]:
    """Order-preserving placements of the row's numbers that satisfy the row identities (all when none does)."""
    k = len(row.values)
    if k >= n or k == 0:
        return [tuple(range(min(k, n)))]
    if comb(n, k) > 20000:
        return [tuple(range(k))]
    if columns is not None and identities and all(is_number_text(t.text) for t in row.values) \
            and (unique := _unique_assignment(row, columns, identities)) is not None:
        return [unique]
    combos = list(combinations(range(n), k))
    ok = [c for c in combos if _holds(identities, c, row.nums)]
    return ok or combos


def _vector(row: Row, choice: tuple[int, ...], n: int) -> list[int]:
    v = [0] * n
    for j, x in zip(choice, row.nums, strict=False):
        v[j] = x
    return v


class _Group:
    """A parent row and its children: choose the children's placements so the column sums match."""

    def __init__(self, kids: list[Row], n: int):
        self.kids, self.n = kids, n
        self.vecs = [[_vector(k, o, n) for o in ([k.choice] if k.choice else k.options)] for k in kids]
        self.opts = [[k.choice] if k.choice else k.options for k in kids]
        self.tol = min(ROLLUP_MILLI, 6 * (len(kids) + 1))

    def score(self, parent: list[int], pick: list[int]) -> tuple[int, int]:
        sums = [0] * self.n
        for vecs, p in zip(self.vecs, pick, strict=True):
            for j, x in enumerate(vecs[p]):
                sums[j] += x
        misses = [abs(sums[j] - parent[j]) for j in range(self.n)]
        return sum(1 for m in misses if m <= self.tol), -sum(misses)

    def solve(self, parent: list[int]) -> tuple[tuple[int, int], list[int]]:
        sizes = [len(v) for v in self.vecs]
        space = 1
        for z in sizes:
            space *= z
        leftmost = [0] * len(sizes)
        if space <= 20000:
            best, best_pick = None, leftmost
            for combo in product(*[range(z) for z in sizes]):
                sc = self.score(parent, list(combo))
                if best is None or sc > best:
                    best, best_pick = sc, list(combo)
            return best or (0, 0), best_pick
        pick, best = leftmost[:], self.score(parent, leftmost)  # local search from the leftmost placement
        for _ in range(8):
            improved = False
            for i, z in enumerate(sizes):
                for o in range(z):
                    trial = pick[:i] + [o] + pick[i + 1:]
                    if (sc := self.score(parent, trial)) > best:
                        best, pick, improved = sc, trial, True
            if not improved:
                break
        return best, pick

    def apply(self, parent: list[int], pick: list[int]) -> None:
        base = self.score(parent, [0] * len(self.kids))
        best = self.score(parent, pick)
        for k, opts, p in zip(self.kids, self.opts, pick, strict=True):
            if k.choice is None:
                k.choice = opts[p]
                if len(k.options) > 1:
                    k.decided = "rollup" if best > base or best[0] == self.n else "leftmost"


def solve_rollups(groups: list[tuple[Row, list[Row]]], rows: list[Row], n: int) -> None:
    """``groups`` in top-down order (parent, children): 合计 → 类 → 款 → 项."""
    for parent, kids in groups:
        group = _Group(kids, n)
        if parent.choice is None:
            if len(parent.options) == 1:
                parent.choice = parent.options[0]
            else:  # an ambiguous parent no upper row settled: the placement under which its children add up
                scored = [(group.solve(_vector(parent, o, n))[0], -k, o) for k, o in enumerate(parent.options)]
                parent.choice = max(scored)[2]
                parent.decided = "rollup" if max(scored)[0] > scored[0][0] else "leftmost"
        pv = _vector(parent, parent.choice, n)
        group.apply(pv, group.solve(pv)[1])
    for r in rows:
        if r.choice is None:
            r.choice = r.options[0]
            if len(r.options) > 1:
                r.decided = "leftmost"


def _apply_hints(row: Row, columns: list[str], hints: dict[str, set[int]]) -> None:
    """Several placements satisfy every identity: prefer the one whose values equal the amounts of the
    matching economic codes printed elsewhere in the document (三公 运行维护费 = 30231 …)."""
    def score(opt: tuple[int, ...]) -> int:
        n = 0
        for j, x in zip(opt, row.nums, strict=False):
            codes = CROSS_HINTS.get(columns[j].split("/")[-1], ())
            n += any(x in hints.get(c, ()) for c in codes)
        return n

    best = max(row.options, key=score)
    if score(best) > score(row.options[0]):
        row.choice, row.decided = best, "hint"


def _describe(row: Row, columns: list[str]) -> str:
    cols = "、".join(columns[j] for j in row.choice or ())
    how = {"rollup": "按上下级合计（类=Σ款、款=Σ项）选定", "leftmost": "多种分配均成立，取最左",
           "hint": "多种分配均成立，取与文中经济分类科目金额一致者"}.get(row.decided, "按行恒等式唯一确定")
    if row.note and not row.decided:
        how += f"：{row.note}"
    return f"“{row.code or row.name or '数据'}”行只印了 {len(row.values)} 个数（{len(columns)} 列）：分配到 {cols}（{how}）"


# ---------------------------------------------------------------------------------------------
# Building the synthesized block
# ---------------------------------------------------------------------------------------------


def _synth(toks: list[Tok], cells: list[str], bbox_toks: list[Tok | None] | None = None) -> SourceLine:
    first, last = toks[0].line, toks[-1].line
    lc = [LineCell(c, t.cell.bbox if t is not None else None) for c, t in
          zip(cells, bbox_toks or [None] * len(cells), strict=True)]
    return SourceLine(page=first.page, line_no=first.line_no, cells=lc, sep=CellSep.TAB, bbox=first.bbox,
                      line_end=last.line_no if last.line_no != first.line_no else None)


def build_block(block: StreamBlock, doc_id: str = "", hints: dict[str, set[int]] | None = None) -> None:
    """Fill ``block.rows`` with synthesized TAB-like lines from ``block.body``."""
    template = block.template
    if template is not None and template.layout == "form":
        from extractor.tables.stream_forms import synthesize_form

        block.rows = synthesize_form(block, _join_wrapped_tails(tokens(block.body), form=True))
        return
    toks = _join_wrapped_tails(tokens(block.body))
    if not toks:
        return
    kind = template.kind if template else None
    hints = {} if hints is None else hints
    if template is not None and template.layout == "two_sided":
        _two_sided(block, toks, kind)
    elif template is not None and template.layout == "blocks":
        _blocks(block, toks, kind)
    else:
        _grid(block, toks, kind, hints)
    for line in block.rows:  # classification codes and their amounts: tie-breakers for later tables
        if line.cells and is_code(line.cells[0].text):
            for c in line.cells[2:]:
                if is_number_text(c.text):
                    hints.setdefault(norm_key(line.cells[0].text), set()).add(int(_dec(c.text) * 1000))


def one_slip(key: str, vocab: set[str] | frozenset[str], prefix: bool = False) -> str | None:
    """The vocabulary word ``key`` misreads by one character (an OCR slip: 商吕和服务支出), when exactly one
    word is that close; None for a word of the vocabulary or a short one. With ``prefix``, ``key`` may be
    the start of the word (a label cut off by a narrow cell: 市市(区)财政资)."""
    if len(key) < 6 or key in vocab or (prefix and any(w.startswith(key) for w in vocab)):
        return None
    near = {w for w in vocab if (len(w) == len(key) or (prefix and len(w) > len(key)))
            and sum(a != b for a, b in zip(w, key, strict=False)) == 1}
    return near.pop() if len(near) == 1 else None


def _known_label(key: str) -> bool:
    return key in ECON_CLASSES or key in GOV_ECON_ITEMS or key in _LEAF_WORDS or bool(TOTAL_WORD.match(key))


def _wraps_word(head: str, tail: str) -> bool:
    """``head`` + ``tail`` is a header word or a form label that ``head`` alone is not."""
    word = norm_key(head + tail)
    return (is_header_word(word) or word in FORM_LABELS) and not (is_header_word(norm_key(head))
                                                                   or norm_key(head) in FORM_LABELS)


def _wrapped_tail(line: SourceLine, above: SourceLine | None, form: bool = False) -> bool:
    """A one-cell text line right under a space-separated data row (a row printed on one line, cells
    separated by spaces, with figures): the rest of a long name cell of that row, wrapped onto a line of
    its own (layout text puts it under the row). Not a row of its own: no ordinal, code or known label."""
    if above is None or len(line.nonempty) != 1 or len(above.nonempty) < 2 or not any(_names_of(above)):
        return False
    key = norm_key(line.nonempty[0])
    if form or not any(is_value(c) and not is_code(c) for c in above.nonempty):  # a header row (or a code and
        # a name), a form's line: only where a header word or form label comes out
        return any(_wraps_word(c, key) for c in above.nonempty)
    return not (is_value(key) or is_code(key) or _ENUMERATED.match(key) or _ENUMERATED.match(line.nonempty[0].strip())
                or _known_label(key) or _label_like(key)
                or _SECTION.match(key) or _is_title(key) is not None or _is_meta(key) or len(key) > 30)


def _names_of(line: SourceLine) -> list[bool]:
    """Per nonempty cell: a name (not a figure, not a classification code)."""
    return [not is_value(c) and not is_code(c) for c in line.nonempty]


def _join_wrapped_tails(toks: list[Tok], form: bool = False) -> list[Tok]:
    """Glue each wrapped tail (``_wrapped_tail``) to the name cell of the row above it that it completes:
    the one that then reads as a known label, else the first name that is not complete on its own."""
    out: list[Tok] = []
    prev_line: SourceLine | None = None
    for t in toks:
        line = t.line
        if line is not prev_line and t.k == 0 and _wrapped_tail(line, prev_line, form):
            row = [k for k in range(len(out)) if out[k].line is prev_line and _names_of(prev_line)[out[k].k]]
            if row:
                known = [k for k in row if _known_label(norm_key(out[k].text + t.text)) or _wraps_word(out[k].text, t.text)]
                open_ = [k for k in row if not _known_label(out[k].key)]
                head = out[(known or open_ or row)[0]]
                out[out.index(head)] = Tok(head.text + t.text, head.line, head.cell, head.k)
                continue  # prev_line stays: a second tail line would go to the same row
        out.append(t)
        prev_line = line
    return out


def _code_table(toks: list[Tok], kind: TableKind | None) -> bool:
    head = [t.key for t in toks[:40]]
    return any(h in ("科目编码", "科目代码", "收入科目编码", "功能分类科目编码") for h in head) or \
        sum(1 for t in toks if is_code(t.text)) >= 3


def _skip_repeated_header(toks: list[Tok], i: int, header_keys: list[str]) -> int:
    """At a page break: skip the header printed again (with or without its column-number row)."""
    want = "".join(k for k in header_keys if k != COLUMN_NUMBER_LABEL and not _INT.match(k))
    if not want:
        return i
    j, acc = i, ""
    while j < len(toks) and len(acc) < len(want):
        if (e := _column_number_run(toks, j)) > j:
            j = e
            continue
        if is_value(toks[j].text) and not want.startswith(acc + toks[j].key):
            return i
        acc += toks[j].key
        j += 1
        if not want.startswith(acc):
            return i
    return _column_number_run(toks, j) if acc == want else i


def _data_tokens(toks: list[Tok], start: int, header_keys: list[str]) -> list[Tok]:
    out: list[Tok] = []
    i = start
    while i < len(toks):
        if i > start and toks[i].line.page != toks[i - 1].line.page:
            j = _skip_repeated_header(toks, i, header_keys)
            if j > i:
                i = j
                continue
        out.append(toks[i])
        i += 1
    return out


def _fragments(data: list[Tok]) -> list[list[Tok]]:
    """Runs of tokens: consecutive non-value tokens of one line form one fragment; values stand alone."""
    out: list[list[Tok]] = []
    for t in data:
        if out and not is_value(t.text) and not is_value(out[-1][-1].text) and out[-1][-1].line is t.line:
            out[-1].append(t)
        else:
            out.append([t])
    return out


def _frag_text(frag: list[Tok]) -> str:
    return "".join(t.text for t in frag)


def _grid(block: StreamBlock, toks: list[Tok], kind: TableKind | None,
          hints: dict[str, set[int]] | None = None) -> None:
    code_table = _code_table(toks, kind)
    header = parse_header(toks, kind, code_table)
    header_keys = [t.key for t in toks[:header.end]]
    data = _data_tokens(toks, header.end, header_keys)
    n = len(header.columns)
    two_names = kind == TableKind.BUDGET_BASIC_ECONOMIC
    rows = _code_rows(data, header) if code_table else _name_rows(data, header, two_names)
    if not rows and not header.columns:
        return
    for r in rows:
        r.options = options_for(r, n, header.identities, header.columns)
        if two_names:
            for j, lab in enumerate(r.labels):
                if (word := one_slip(norm_key(lab), ECON_CLASSES | GOV_ECON_ITEMS)) is not None:
                    block.repairs.append(f"名称“{lab}”读作“{word}”（与经济分类名称差一个字，按识别错字处理）")
                    r.labels[j] = word
    groups = _code_groups(rows) if code_table else _class_groups(rows) if two_names else []
    solve_rollups(groups, rows, n)
    grouped = {id(r) for p, kids in groups for r in (p, *kids)}
    for r in rows:
        if r.decided == "leftmost" and id(r) not in grouped and hints:
            _apply_hints(r, header.columns, hints)
    label_names = [w for w in header.labels if w != "项目" or len(header.labels) == 1]
    label_names = label_names or (["项目"] if any(r.labels for r in rows) else [])
    if code_table and len(label_names) < 2:
        label_names = ["科目编码", "科目名称"]
    if two_names and len(label_names) < 2:
        label_names = ["部门预算支出经济科目名称", "政府预算支出经济科目名称"]
    out = _header_lines(block, toks, label_names, header)
    for r in rows:
        if 0 < len(r.values) < n or len(r.values) > n:
            block.repairs.append(_describe(r, header.columns) if len(r.values) <= n else
                                 f"“{r.code or r.name}”行有 {len(r.values)} 个数，多于 {n} 列：只取前 {n} 个")
        cells = [""] * (len(label_names) + n)
        src: list[Tok | None] = [None] * len(cells)
        for j, lab in enumerate(r.labels[:len(label_names)]):
            cells[j] = lab
        for j, t in zip(r.choice or (), r.values, strict=False):
            cells[len(label_names) + j] = t.text
            src[len(label_names) + j] = t
        out.append(_synth(r.toks, cells, src))
    block.rows = out


def _header_lines(block: StreamBlock, toks: list[Tok], label_names: list[str], header: Header) -> list[SourceLine]:
    anchor = toks[:max(1, header.end)]
    names = label_names + header.columns
    lines = []
    dups = {c for c in header.columns if header.columns.count(c) > 1}
    if dups and any(header.top):
        lines.append(_synth(anchor, [""] * len(label_names) + [
            t if k == 0 or header.top[k - 1] != t else "" for k, t in enumerate(header.top)]))
    lines.append(_synth(anchor, names))
    return lines


def _code_rows(data: list[Tok], header: Header) -> list[Row]:
    rows: list[Row] = []
    cur: Row | None = None
    for i, t in enumerate(data):
        nxt = data[i + 1] if i + 1 < len(data) else None
        starts = is_code(t.text) and nxt is not None and not is_value(nxt.text)
        if is_value(t.text) and not starts:
            if cur is None:
                cur = Row(labels=[], values=[], toks=[])
                rows.append(cur)
            if header.row_numbers and not cur.values and cur.row_number is None and _INT.match(t.key):
                cur.row_number = t  # the 行次 number
                cur.toks.append(t)
                continue
            cur.values.append(t)
            cur.toks.append(t)
            continue
        if starts or cur is None or cur.values or TOTAL_WORD.match(t.key):
            cur = Row(labels=[t.key if starts else t.text], values=[], toks=[t], code=t.key if starts else None)
            if starts:
                cur.labels.append("")
            rows.append(cur)
            continue
        if cur.code is not None:
            cur.labels[1] += t.text
        else:
            cur.labels[0] += t.text
        cur.toks.append(t)
    for r in rows:
        if r.code is None and r.labels:
            r.labels = [r.labels[0]]
    return rows


def _name_rows(data: list[Tok], header: Header, two_names: bool) -> list[Row]:
    frags = [[t] for t in data] if two_names else _fragments(data)
    label_frags = [f for f in frags if not is_value(f[0].text)]
    full = max((width(_frag_text(f)) for f in label_frags), default=0.0)
    rows: list[Row] = []
    cur: Row | None = None
    names: list[list[Tok]] = []
    sub = set(header.words)  # a sub-header printed inside the table (项目 统计数): not rows
    keys = [norm_key(_frag_text(f)) for f in frags]
    skip = {k for k in range(len(frags)) if keys[k] in sub and (
        (k + 1 < len(frags) and keys[k + 1] in sub) or (k and keys[k - 1] in sub))}
    for k, f in enumerate(frags):
        if k in skip:
            continue
        if is_value(f[0].text):
            t = f[0]
            if cur is None:
                cur = Row(labels=[], values=[], toks=[])
                rows.append(cur)
            if header.row_numbers and not cur.values and cur.row_number is None and _INT.match(t.key):
                cur.row_number = t
                cur.toks.append(t)
                continue
            cur.values.append(t)
            cur.toks.append(t)
            continue
        text = _frag_text(f)
        # a wrapped name: the line above fills the column (less the unbreakable ASCII run that moved down)
        ascii_run = re.match(r"[A-Za-z0-9.,%+\-/]*", text)
        assert ascii_run is not None  # a starred pattern always matches (possibly empty)
        slack = 1.5 + width(ascii_run.group(0))
        wraps = cur is not None and not cur.values and cur.row_number is None and names \
            and width(_frag_text(names[-1])) >= full - slack \
            and not (_ENUMERATED.match(norm_key(text)) and _ENUMERATED.match(norm_key(_frag_text(names[0])))) \
            and not _complete_label(_frag_text(names[-1])) and not TOTAL_WORD.match(norm_key(text))
        if cur is not None and not cur.values and cur.row_number is None and (two_names or wraps):
            names.append(f)
            cur.toks += f
            cur.labels = _split_names(names, two_names, full)
            continue
        names = [f]
        cur = Row(labels=[text], values=[], toks=list(f))
        rows.append(cur)
    if two_names:
        for r in rows:
            r.labels = r.labels[:2]
        _split_glued_names(rows)
    return rows


def _split_glued_names(rows: list[Row]) -> None:
    """基本支出 tables: two names printed as one run (``机关事业单位基本养老保险缴费社会保障缴费``) are split
    where the tail is a government economic item or a second name printed elsewhere in the table."""
    seconds = {norm_key(r.labels[1]) for r in rows if len(r.labels) == 2 and r.labels[1]} | GOV_ECON_ITEMS
    for r in rows:
        if len(r.labels) != 1:
            continue
        key = norm_key(r.labels[0])
        if key in ECON_CLASSES or TOTAL_WORD.match(key):
            continue
        tail = max((g for g in seconds if key.endswith(g) and len(key) > len(g)), key=len, default=None)
        if tail is not None:
            r.labels = [key[:-len(tail)], tail]


def _complete_label(text: str) -> bool:
    key = norm_key(text)
    return key in ECON_CLASSES or key in HEADER_ONLY_IN or bool(TOTAL_WORD.match(key))


def _split_names(frags: list[list[Tok]], two_names: bool, full: float) -> list[str]:
    texts = [_frag_text(f) for f in frags]
    if not two_names:
        return ["".join(texts)]
    joined = norm_key("".join(texts))
    if joined in ECON_CLASSES or len(texts) == 1:
        return ["".join(texts)]
    best = None
    for p in range(1, len(texts)):
        left, right = "".join(texts[:p]), "".join(texts[p:])
        score = (norm_key(right) in GOV_ECON_ITEMS) * 4 + (norm_key(left) in ECON_CLASSES) * -4
        # a wrapped left name fills its column
        score += sum(1 for t in texts[:p - 1] if width(t) >= full - 2.5) - sum(1 for t in texts[p:-1]
                                                                               if width(t) < full - 2.5)
        if best is None or score > best[0]:
            best = (score, left, right)
    assert best is not None  # len(texts) >= 2 here: the loop ran at least once
    return [best[1], best[2]]


def _code_groups(rows: list[Row]) -> list[tuple[Row, list[Row]]]:
    by_code = {r.code: r for r in rows if r.code}
    total = next((r for r in rows if r.code is None and r.labels and TOTAL_WORD.match(norm_key(r.labels[0]))), None)
    kids: dict[int, list[Row]] = {}
    order: list[Row] = []
    if total is not None:
        kids[id(total)] = [r for r in rows if r.code and len(r.code) == 3]
        order.append(total)
    for length in (3, 5):
        for r in rows:
            if r.code and len(r.code) == length:
                ch = [c for c in rows if c.code and len(c.code) == length + 2 and c.code.startswith(r.code)]
                if ch:
                    kids[id(r)] = ch
                    order.append(r)
    del by_code
    return [(p, kids[id(p)]) for p in order if kids.get(id(p))]


def _class_groups(rows: list[Row]) -> list[tuple[Row, list[Row]]]:
    """基本支出 (economic) tables: the total row = Σ class rows; a class row = Σ the items under it."""
    total = next((r for r in rows if r.labels and TOTAL_WORD.match(norm_key(r.labels[0]))), None)
    classes = [r for r in rows if r is not total and len(r.labels) == 1]
    groups: list[tuple[Row, list[Row]]] = []
    if total is not None and classes:
        groups.append((total, classes))
    for c in classes:
        k = rows.index(c) + 1
        items = []
        while k < len(rows) and len(rows[k].labels) == 2:
            items.append(rows[k])
            k += 1
        if items:
            groups.append((c, items))
    return groups


# --- two-sided tables (收支总表 …) ---


def _two_sided_header(words: list[str]) -> tuple[list[str], list[str], bool]:
    row_numbers = any(w in ROW_NUMBER_HEADERS for w in words)
    body = [w for w in words if w not in ("收入", "支出") and w not in ROW_NUMBER_HEADERS]
    hits = [k for k, w in enumerate(body) if w == "项目"]
    if len(hits) >= 2:
        inc, exp = body[hits[0] + 1:hits[1]], body[hits[1] + 1:]
    else:
        inc, exp = body[:1], body[1:]
    inc = [w for w in inc if w not in LABEL_HEADERS]
    exp = [w for w in exp if w not in LABEL_HEADERS]
    for side in (inc, exp):
        if len(side) > 1 and side[0] == "金额":
            side.pop(0)
    return inc or ["金额"], exp or ["金额"], row_numbers


def _side(label: str, totals_seen: list[int]) -> int:
    key = norm_key(label)
    if key == "总计":
        totals_seen.append(1)
        return 0 if len(totals_seen) == 1 else 1
    return 1 if _EXPENSE_LABEL.search(key) else 0


_SIDE_LABEL = re.compile(r"^(本年|上年|年初|年末|年终|收入总|支出总|总计$|使用|结余|用事业|一般公共预算|政府性基金|国有资本|"
                         r"其他|事业|经营|上级|附属)")


def _label_like(key: str) -> bool:
    """A two-sided table's row label (a fragment that is none is the wrapped rest of the label above)."""
    return bool(_ORDINAL.match(key) or (len(key) >= 4 and _SIDE_LABEL.match(key)) or key == "总计")


def _two_sided(block: StreamBlock, toks: list[Tok], kind: TableKind | None) -> None:
    i = 0
    header_toks: list[Tok] = []
    while i < len(toks):
        if (j := _column_number_run(toks, i)) > i:
            i = j
            continue
        if toks[i].key == COLUMN_NUMBER_LABEL:
            i += 1
            continue
        j = _header_span(toks, i, kind)
        if _ORDINAL.match(toks[i].key) or is_value(toks[i].text) or (j == i and _label_like(toks[i].key)) \
                or (j > i and TOTAL_WORD.match(toks[j - 1].key) and (j >= len(toks) or is_value(toks[j].text))):
            break
        j = max(j, i + 1)
        header_toks += toks[i:j]
        i = j
    words = segment_words(header_toks, kind)
    inc_cols, exp_cols, row_numbers = _two_sided_header(words)
    header_keys = [t.key for t in toks[:i]]
    data = _data_tokens(toks, i, header_keys)
    rows: list[Row] = []
    cur: Row | None = None
    totals: list[int] = []
    for t in data:
        if is_value(t.text):
            if cur is None or (row_numbers and _INT.match(t.key) and "." not in t.text):
                if cur is not None:
                    cur.toks.append(t)
                continue
            cur.values.append(t)
            cur.toks.append(t)
            continue
        if cur is not None and not cur.values and not _label_like(t.key):
            cur.labels[0] += t.text
            cur.toks.append(t)
            continue
        cur = Row(labels=[t.text], values=[], toks=[t])
        rows.append(cur)
    for r in rows:
        r.side = _side(r.labels[0], totals)
    ids = {0: _identities([(w, []) for w in inc_cols], inc_cols), 1: _identities([(w, []) for w in exp_cols], exp_cols)}
    widths = {0: len(inc_cols), 1: len(exp_cols)}
    for r in rows:
        r.options = options_for(r, widths[r.side], ids[r.side], inc_cols if r.side == 0 else exp_cols)
    groups = []
    for side, total in ((0, "本年收入合计"), (1, "本年支出合计")):
        parent = next((r for r in rows if r.side == side and norm_key(r.labels[0]) == total), None)
        kids = [r for r in rows if r.side == side and _ORDINAL.match(norm_key(r.labels[0]))]
        if parent is not None and kids:
            groups.append((parent, kids))
    for side in (0, 1):
        side_rows = [r for r in rows if r.side == side]
        solve_rollups([g for g in groups if g[0].side == side], side_rows, widths[side])
    ni, ne = len(inc_cols), len(exp_cols)
    top = ["收入"] + [""] * ni + ["支出"] + [""] * ne
    names = ["项目", *inc_cols, "项目", *exp_cols]
    anchor = toks[:max(1, i)]
    out = [_synth(anchor, top), _synth(anchor, names)]
    # pair an income row with the expenditure row printed right after it
    k = 0
    while k < len(rows):
        r = rows[k]
        pair = rows[k + 1] if r.side == 0 and k + 1 < len(rows) and rows[k + 1].side == 1 else None
        cells = [""] * (2 + ni + ne)
        src: list[Tok | None] = [None] * len(cells)
        all_toks: list[Tok] = []
        for row in (r, pair):
            if row is None:
                continue
            base = 0 if row.side == 0 else 1 + ni
            width_ = ni if row.side == 0 else ne
            cells[base] = row.labels[0]
            if 0 < len(row.values) != width_:
                cols = inc_cols if row.side == 0 else exp_cols
                block.repairs.append(_describe(row, cols))
            for j, t in zip(row.choice or (), row.values, strict=False):
                cells[base + 1 + j] = t.text
                src[base + 1 + j] = t
            all_toks += row.toks
        out.append(_synth(sorted(all_toks, key=lambda t: t.line.line_no), cells, src))
        k += 2 if pair is not None else 1
    block.rows = out


# --- side-by-side blocks (决算 基本支出明细表): code / name / amount triples ---


def _blocks(block: StreamBlock, toks: list[Tok], kind: TableKind | None) -> None:
    i = 0
    while i < len(toks) and not is_code(toks[i].text):
        i += 1
    words = segment_words(toks[:i], kind)
    labels = [w for w in words if w in LABEL_HEADERS]
    value_name = next((w for w in words if w not in LABEL_HEADERS and w not in ("人员经费", "公用经费")), "决算数")
    names = (labels[:2] if len(labels) >= 2 else ["科目代码", "科目名称"]) + [value_name]
    header_keys = [t.key for t in toks[:i]]
    data = _data_tokens(toks, i, header_keys)
    out = [_synth(toks[:max(1, i)], names)]
    entry: list = []  # [code, name, value, toks]

    def flush() -> None:
        if entry:
            code, name, value, ts = entry
            out.append(_synth(ts, [code, name, value.text if value else ""],
                              [None, None, value]))
            entry.clear()

    skip: set[int] = set()
    for k, t in enumerate(data):
        if k in skip:
            entry[3].append(t)
            continue
        nxt = data[k + 1] if k + 1 < len(data) else None
        if is_code(t.text) and nxt is not None and not is_value(nxt.text):
            flush()
            entry.extend([t.key, "", None, [t]])
            continue
        if is_value(t.text):
            if entry and entry[2] is None:
                entry[2] = t
                entry[3].append(t)
            continue
        total = t.key + (nxt.key if nxt is not None and not is_value(nxt.text) and not is_code(nxt.text) else "")
        if TOTAL_WORD.match(t.key) or BLOCK_TOTAL.match(total):
            flush()
            entry.extend([total if not TOTAL_WORD.match(t.key) else t.text, "", None, [t]])
            if not TOTAL_WORD.match(t.key):
                skip.add(k + 1)
            continue
        if entry and entry[2] is None:
            entry[1] += t.text
            entry[3].append(t)
    flush()
    block.rows = out
