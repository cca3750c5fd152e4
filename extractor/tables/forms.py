"""Form-like tables (绩效目标表, 绩效自评表, 整体支出绩效目标表): label/value pairs rather than a grid.

Each form becomes a ``Table`` with semantic rows (``资金总额``, ``合计``, ``项目绩效分析``, ``年度资金``,
``实施期资金``), so gold files, rules and corrections address the same cells whichever printed layout the
form used. A self-evaluation also gets one row per fund-source line under 资金总额 (keyed by its label,
role SUBTOTAL: a part of 资金总额, never added into the scores) and one row per indicator line (keyed by its
三级指标, columns as printed: 年初指标值/指标值, 调整后指标值, 实际完成值/全年完成值, 分值, 得分).
"""

from __future__ import annotations

import re
from decimal import Decimal

from extractor.layout import SourceLine
from extractor.tables.grid import provenance
from extractor.tables.segment import TableBlock
from extractor.values import parse_value
from schemas.keys import dedupe_keys, norm_key
from schemas.provenance import SourceKind
from schemas.tables import Cell, Row, RowRole, Table, TableKind
from schemas.values import MoneyUnit, Value, ValueKind

# printed funds-header labels -> the semantic column they fill
FUND_COLUMNS = {
    "目标申报数": "目标申报数", "预算编制数": "年初预算数", "年初预算数": "年初预算数", "全年预算数": "全年预算数",
    "全年预算数(A)": "全年预算数", "全年执行数": "全年执行数", "全年执行数(B)": "全年执行数", "资金结(转)余": "资金结(转)余",
    "执行率": "执行率", "预算执行率": "执行率", "预算执行率(B/A×100%)": "执行率", "分值": "分值", "得分": "得分",
}
NARRATIVE = [
    ("年初预算数(元)", re.compile(r"年初预算(?:数)?(?:为|是)?\s*([\d,]+(?:\.\d+)?)\s*(万?元)")),
    ("预算执行数(元)", re.compile(r"(?:预算执行数|执行数|预算执行|全年执行|共计支付|支付)(?:为|是)?\s*([\d,]+(?:\.\d+)?)\s*(万?元)")),
    ("预算执行率(%)", re.compile(r"预算执行率(?:为|是|达到)?\s*([\d.]+)\s*%")),
]
FUND_SOURCES = ["实施期资金总额", "年度资金总额", "中期资金总额", "中央财政资金", "省级财政资金", "市县(区)财政资金",
                "单位自筹", "其他资金", "财政拨款"]


def canonical_source(label: str) -> str:
    """A fund-source label cut off by a narrow cell (省级财政, 单位自) is the standard one it begins."""
    return next((c for c in FUND_SOURCES if len(label) >= 2 and c.startswith(label)), label)


FUND_SOURCE = re.compile(r"资金|财政|自筹|拨款")
SECTION_END = re.compile(r"^(年度|总体|项目年度|绩效指标|一级指标|资金管理|项目绩效|说明|注)")
INDICATOR_VALUES = {"年初指标值", "调整后指标值", "指标值", "年度指标值", "全年完成值", "实际完成值", "全年实际完成值",
                    "实际完成情况"}
_SCORE = re.compile(r"^\d{1,3}(\.\d+)?$")
_VALUE_LIKE = re.compile(r"^[=≥≤<>]|^\d.{0,11}$|%$|。$")  # an indicator value, not a 三级指标 name
_TEXTUAL = re.compile(r"[^\d.,%]")
_GLUED = re.compile(r"^(?:其中[:：])?([^\d:：]{2,}?)[:：]?([\d,]+(?:\.\d+)?(?:万元|元)?)$")
_NUMERIC = re.compile(r"^[\d,]+(\.\d+)?%?$")
_LEADING_AMOUNT = re.compile(r"^[\d,]+(\.\d+)?(万元|元)?(?=$|[（(])")  # 2265万元（承建单位）


def _first(line: SourceLine) -> str:
    return norm_key(line.nonempty[0]) if line.nonempty else ""


def _numbers(line: SourceLine) -> list[int]:
    """Indices of cells holding a plain number or percentage."""
    return [j for j, c in enumerate(line.cells) if _NUMERIC.match(norm_key(c.text))]


class FormBuilder:
    def __init__(self, block: TableBlock, doc_id: str, source: SourceKind, table_id: str):
        self.block, self.doc_id, self.source, self.table_id = block, doc_id, source, table_id
        self.rows: list[Row] = []
        self.repairs: list[str] = []
        self.funds_columns: dict[int, str] = {}  # the 资金总额 line's cell index -> its funds column

    def cell(self, column: str, line: SourceLine, j: int, unit: MoneyUnit | None, printed: str | None = None) -> Cell:
        text = printed if printed is not None else line.cells[j].text
        return Cell(column=column, value=parse_value(text, unit),
                    provenance=provenance(self.doc_id, line, self.source, j, self.table_id))

    def add(self, key: str, line: SourceLine, cells: list[Cell], label: str | None = None,
            role: RowRole = RowRole.DATA) -> None:
        if cells:
            self.rows.append(Row(key=key, label=label or key, role=role, cells=cells,
                                 provenance=provenance(self.doc_id, line, self.source, None, self.table_id)))

    def project_name(self) -> str:
        for line in self.block.rows:
            cells = line.nonempty
            if cells and norm_key(cells[0]) in ("项目名称", "转移支付(项目)名称", "转移支付项目名称") and len(cells) > 1:
                return cells[1].strip()
        return ""

    def build(self) -> Table:
        kind = self.block.template.kind if self.block.template else TableKind.UNCLASSIFIED
        if kind == TableKind.SELF_EVALUATION:
            self.self_evaluation()
        else:
            self.target_funds()
        for row, key in zip(self.rows, dedupe_keys([r.key for r in self.rows]), strict=True):
            row.key = key
        name = self.project_name()
        return Table(id=self.table_id, doc_id=self.doc_id, kind=kind, title=self.block.title, label=name or None,
                     org=self.block.org, money_unit=self.block.money_unit, pages=self.block.pages,
                     columns=sorted({c.column for r in self.rows for c in r.cells}), rows=self.rows,
                     notes=self.block.notes, repairs=self.repairs,
                     provenance=provenance(self.doc_id, self.block.title_line, self.source, None, self.table_id))

    # --- 绩效自评表 ---
    def self_evaluation(self) -> None:
        lines = self.block.rows
        hi = next((i for i, ln in enumerate(lines) if any("全年预算数" in norm_key(c) for c in ln.texts)), None)
        if hi is None:
            return
        sub = lines[hi + 1] if hi + 1 < len(lines) else None
        slots = self.fund_slots(lines[hi], sub)
        header_has_label = any("资金总额" in norm_key(c) for c in lines[hi].texts)
        funds = next((ln for ln in lines[hi + 1:] if any("资金总额" in norm_key(c) for c in ln.texts)
                      or (header_has_label and len(_numbers(ln)) >= 3)), None)
        if funds is not None:
            self.add("资金总额", funds, self.assign_funds(funds, slots))
            self.fund_sources(lines[lines.index(funds) + 1:], funds)
        self.totals_and_indicators(lines)
        self.narrative(lines)

    @staticmethod
    def fund_slots(header: SourceLine, sub: SourceLine | None) -> list[str]:
        """The funds columns in print order, a label repeated once per grid cell it spans
        (a merged header cell); 年初预算数 split into 目标申报数/预算编制数 where printed."""
        texts = [norm_key(c) for c in header.texts]
        filled = [j for j, t in enumerate(texts) if t]
        subs = [norm_key(c) for c in sub.texts] if sub is not None else []
        split = "预算编制数" in subs
        slots: list[str] = []
        for n, j in enumerate(filled):
            if texts[j] not in FUND_COLUMNS:
                continue
            label = FUND_COLUMNS[texts[j]]
            span = (filled[n + 1] - j) if n + 1 < len(filled) else 1
            if label == "年初预算数" and split:
                slots += ["目标申报数", "年初预算数"] + [label] * max(0, span - 2)
            else:
                slots += [label] * span
        return slots

    def assign_funds(self, line: SourceLine, slots: list[str]) -> list[Cell]:
        idx = _numbers(line)
        labels = list(dict.fromkeys(slots))
        if len(idx) == len(slots) and len(slots) > len(labels):
            self.repairs.append("资金总额行：合并单元格重复打印的数只取一次")
            pairs = [(lab, j) for lab, j in zip(slots, idx, strict=True)]
            pairs = [p for k, p in enumerate(pairs) if p[0] not in {q[0] for q in pairs[:k]}]
        elif len(idx) >= len(labels):
            if len(idx) > len(labels):
                idx = self.drop_spanning_duplicates(line, idx, labels)
            pairs = list(zip(labels, idx, strict=False))
        else:  # fewer numbers than columns: the window of columns where the balance identity holds
            offsets = range(len(labels) - len(idx) + 1)
            best = next((o for o in offsets if self._balance_holds(line, idx, labels[o:o + len(idx)])), None)
            off = best if best is not None else len(labels) - len(idx)
            self.repairs.append(f"资金总额行只有 {len(idx)} 个数、表头 {len(labels)} 列：从第 {off + 1} 列起分配"
                                + ("（结余恒等式成立）" if best is not None else "（右对齐，未能以恒等式确认）"))
            pairs = list(zip(labels[off:off + len(idx)], idx, strict=True))
        self.funds_columns = {j: lab for lab, j in pairs}
        return [self.cell(lab, line, j, None if lab in ("执行率", "分值", "得分") else MoneyUnit.WAN) for lab, j in pairs]

    def drop_spanning_duplicates(self, line: SourceLine, idx: list[int], labels: list[str]) -> list[int]:
        """A merged header cell printed its value twice. Keep the reading that makes
        资金结(转)余 = 全年预算数 − 全年执行数 hold."""
        texts = [norm_key(line.cells[j].text) for j in idx]
        for k in range(len(idx) - 1):
            if texts[k] != texts[k + 1]:
                continue
            trial = idx[:k] + idx[k + 1:]
            if len(trial) == len(labels) and self._balance_holds(line, trial, labels):
                self.repairs.append(f"资金总额行第 {k + 1} 个数重复打印（合并单元格）：按结余恒等式去重")
                return trial
        return idx

    @staticmethod
    def _balance_holds(line: SourceLine, idx: list[int], labels: list[str]) -> bool:
        vals = {lab: parse_value(line.cells[j].text).number for lab, j in zip(labels, idx, strict=False)}
        b, e, r = vals.get("全年预算数"), vals.get("全年执行数"), vals.get("资金结(转)余")
        if b is None or e is None or r is None or abs(b - e - r) > Decimal("0.01"):
            return False
        rate = vals.get("执行率")
        return rate is None or b == 0 or abs(e / b * 100 - rate) <= Decimal("0.6")

    def fund_sources(self, lines: list[SourceLine], funds: SourceLine) -> None:
        """The fund-source lines under 资金总额 (其中：中央资金, 市县区财政资金 …), each a row keyed by its
        label with the funds columns it prints. A line printing as many numbers as the 资金总额 line takes
        its columns in order; one printing fewer takes the columns above its numbers (the label cells of
        the two lines lined up, else the cells as printed)."""
        funds_cells = self.funds_columns
        funds_idx = _numbers(funds)
        funds_label = next((j for j, c in enumerate(funds.cells) if "资金总额" in norm_key(c.text)), None)
        for line in lines:
            first = _first(line)
            if not first or SECTION_END.match(first) or first in ("合计", "总分"):
                return
            label_j = next((j for j, c in enumerate(line.cells) if norm_key(c.text)
                            and not _NUMERIC.match(norm_key(c.text))), None)
            if label_j is None:
                continue
            label = re.sub(r"^其中[:：]?", "", norm_key(line.cells[label_j].text)).rstrip(":：")
            if not FUND_SOURCE.search(label) or "资金总额" in label:
                return
            idx = [j for j in _numbers(line) if j > label_j]
            if not idx:
                continue
            columns = [funds_cells.get(j, "") for j in funds_idx]
            pairs: list[tuple[str, int]] = []
            if len(idx) == len(funds_idx) and any(columns):  # a number the 资金总额 line dropped is dropped too
                pairs = [(c, j) for c, j in zip(columns, idx, strict=True) if c]
            else:
                shifts = [0] if funds_label is None else list(dict.fromkeys([funds_label - label_j, 0]))
                for shift in shifts:
                    cols = [funds_cells.get(j + shift, "") for j in idx]
                    if all(cols):
                        pairs = list(zip(cols, idx, strict=True))
                        break
            cells = [self.cell(c, line, j, None if c in ("执行率", "分值", "得分") else MoneyUnit.WAN)
                     for c, j in pairs if c]
            self.add(label, line, cells, label=label, role=RowRole.SUBTOTAL)  # a part of 资金总额, not scored

    def totals_and_indicators(self, lines: list[SourceLine]) -> None:
        header: SourceLine | None = None
        for line in lines:
            first = _first(line)
            nums = _numbers(line)
            if first in ("合计", "总分") and nums:
                cols = ["分值", "得分"] if len(nums) >= 2 else ["得分"]
                self.add(first, line, [self.cell(c, line, j, None) for c, j in zip(cols, nums[-2:], strict=False)],
                         label=first, role=RowRole.TOTAL)
                header = None
            elif any(norm_key(c) == "三级指标" for c in line.texts):
                header = line
            elif header is not None:
                if first in ("项目绩效分析", "说明") or first.startswith("注"):
                    header = None
                else:
                    self.indicator(header, line)

    def indicator(self, header: SourceLine, line: SourceLine) -> None:
        """One indicator line, keyed by its 三级指标. The cells are read from the right: 得分 and 分值 are the
        line's last two scores; the value columns (年初指标值, 实际完成值 …) and the 三级指标 sit as many
        cells left of 分值 as in the header (a merged 一级/二级 cell may add or drop cells on the left)."""
        head = [norm_key(c) for c in header.texts]
        h3 = head.index("三级指标")
        value_cols = [(k, t) for k, t in enumerate(head) if k > h3 and t in INDICATOR_VALUES]
        texts = [norm_key(c.text) for c in line.cells]
        scored = "分值" in head and "得分" in head
        cells: list[Cell] = []
        if scored:
            scores = [j for j, t in enumerate(texts) if _SCORE.match(t) and Decimal(t) <= 100]
            if not scores or any(_SCORE.match(t) is None for t in texts[scores[-1] + 1:]
                                 if t and not _TEXTUAL.search(t)):
                return
            if len(scores) >= 2:
                jw, js = scores[-2], scores[-1]
                anchor = jw - head.index("分值")
                cells = [self.cell("分值", line, jw, None), self.cell("得分", line, js, None)]
            else:  # one score printed: the last column's (得分); 分值 left blank, not guessed
                jw = js = scores[-1]
                anchor = js - head.index("得分")
                cells = [self.cell("得分", line, js, None)]
        else:
            anchor = 0
        # a line whose merged 一级/二级 cell printed one cell fewer (or more) than the header: the 三级指标 is
        # the cell where a name, not a value, stands
        name_at = [a for a in (anchor, anchor - 1, anchor + 1) if 0 <= h3 + a < len(texts) and texts[h3 + a]
                   and not _VALUE_LIKE.search(texts[h3 + a]) and (not scored or h3 + a < jw)]
        if not name_at:
            return
        anchor = name_at[0]
        j3 = h3 + anchor
        for k, col in value_cols:
            j = k + anchor
            if 0 <= j < len(texts) and (not scored or j < jw) and texts[j]:
                cells.append(self.cell(col, line, j, None))
        if cells:
            self.add(texts[j3], line, cells, label=line.cells[j3].text.strip())

    def narrative(self, lines: list[SourceLine]) -> None:
        for line in lines:
            if _first(line) != "项目绩效分析":
                continue
            text = " ".join(line.nonempty[1:])
            cells = []
            for column, pattern in NARRATIVE:
                if m := pattern.search(text):
                    j = next((k for k, c in enumerate(line.cells) if m.group(0) in c.text), 0)
                    unit = None if "%" in column else MoneyUnit(m.group(2))
                    cells.append(Cell(column=column, value=Value(
                        printed=m.group(1) + ("万元" if unit == MoneyUnit.WAN else ""),
                        kind=ValueKind.PERCENT if "%" in column else ValueKind.MONEY,
                        number=parse_value(m.group(1)).number, money_unit=unit),
                        provenance=provenance(self.doc_id, line, self.source, j, self.table_id)))
            self.add("项目绩效分析", line, cells)

    # --- 绩效目标表 / 整体支出绩效目标表 ---
    def target_funds(self) -> None:
        """(label, amount) pairs. A label at or right of the 年度资金总额 label's cell is 年度, else 实施期;
        a label whose amount is printed on a later line (a wrapped merged cell) waits for it."""
        annual_col: int | None = None
        pending: list[tuple[str, str]] = []
        for line in self.block.rows:
            labels = {norm_key(c.text): j for j, c in enumerate(line.cells)}
            if annual_col is None:
                annual_col = next((j for t, j in labels.items() if "年度资金总额" in t), None)
            if annual_col is None:
                continue
            pairs, orphans, waiting = self._pairs(line)
            for n, (lab, j) in enumerate(pairs):
                if len(pairs) >= 2:  # rows print 实施期 then 年度, even when cells drift between rows
                    key = "实施期资金" if n == 0 else "年度资金"
                else:
                    annual = self._label_col(line, lab, j) >= annual_col or "年度资金总额" in lab
                    key = "年度资金" if annual else "实施期资金"
                if "年度资金总额" in lab:
                    key = "年度资金"
                self.add_source(key, lab, line, j)
            for j in orphans:
                if pending:
                    key, lab = pending.pop(0)
                    self.add_source(key, lab, line, j)
            pending += [("年度资金" if col >= annual_col else "实施期资金", lab) for lab, col in waiting
                        if lab in FUND_SOURCES]
            if any(t.startswith(("项目概况", "立项依据")) for t in labels):
                break

    @staticmethod
    def _label_col(line: SourceLine, label: str, value_col: int) -> int:
        for j in range(value_col - 1, -1, -1):
            if canonical_source(re.sub(r"^其中[:：]", "", norm_key(line.cells[j].text)).rstrip(":：")) == label:
                return j
        return value_col

    def add_source(self, key: str, label: str, line: SourceLine, j: int) -> None:
        label = "实施期资金总额" if label == "中期资金总额" else label
        text = norm_key(line.cells[j].text)
        glued = _GLUED.match(text)
        printed = _LEADING_AMOUNT.match(glued.group(2) if glued and not _LEADING_AMOUNT.match(text) else text)
        self.add(key, line, [self.cell(label, line, j, MoneyUnit.YUAN, printed.group(0) if printed else None)])

    @staticmethod
    def _pairs(line: SourceLine) -> tuple[list[tuple[str, int]], list[int], list[tuple[str, int]]]:
        """(label, value cell) pairs, values with no label before them, labels with no value after them."""
        pairs: list[tuple[str, int]] = []
        orphans: list[int] = []
        label: tuple[str, int] | None = None
        waiting: list[tuple[str, int]] = []
        for j, c in enumerate(line.cells):
            t = norm_key(c.text)
            if not t:
                continue
            if (m := _GLUED.match(t)) and canonical_source(m.group(1)) in FUND_SOURCES:  # 中期资金总额:3514万元
                pairs.append((canonical_source(m.group(1)), j))
                label = None
            elif _LEADING_AMOUNT.match(t):
                if label:
                    pairs.append((label[0], j))
                    label = None
                else:
                    orphans.append(j)
            else:
                if label:
                    waiting.append(label)
                label = (canonical_source(re.sub(r"^其中[:：]", "", t).rstrip(":：")), j)
        if label:
            waiting.append(label)
        return pairs, orphans, waiting


def merge_rows(rows: list[Row]) -> list[Row]:
    """Join rows with the same key (a form prints 年度资金 sources over several lines)."""
    merged: dict[str, Row] = {}
    for r in rows:
        base = r.key.split("#")[0]
        if base in merged:
            merged[base].cells.extend(c for c in r.cells if merged[base].cell(c.column) is None)
        else:
            merged[base] = r.model_copy(update={"key": base})
    return list(merged.values())


def build_form_table(block: TableBlock, doc_id: str, source: SourceKind, table_id: str) -> Table:
    table = FormBuilder(block, doc_id, source, table_id).build()
    if table.kind != TableKind.SELF_EVALUATION:
        table.rows = merge_rows(table.rows)
        table.columns = sorted({c.column for r in table.rows for c in r.cells})
    return table
