"""Project execution on both bases (see domain.md, "Under-executed: two bases").

initial basis = 全年执行数 ÷ 年初预算数 (the 预算编制数 where the table splits it); adjusted basis =
全年执行数 ÷ 全年预算数. A project with no (or a zero) 年初预算数 was funded during the year and has
no initial-basis rate. The narrative (项目绩效分析) quotes amounts in 元 and a rate against the
年初预算数; where it disagrees with the table, we say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from extractor.store import Store
from qa_app.engine.catalog import DocData
from qa_app.engine.cite import Cites, quantize
from qa_app.engine.sourcetext import block_after, original_lines, sentences, table_block
from schemas.provenance import SourceKind
from schemas.records import SelfEvaluation
from schemas.tables import Cell, Table
from schemas.values import MoneyUnit

REASON = re.compile(r"原因|偏低|未达|偏差|偏大|结余|未能|未完成|未统计|未进行|缴回|交回|收回")
HEADERISH = re.compile(r"分析|措施|建议|情况")
HUNDRED = Decimal(100)


@dataclass
class Reason:
    """A quoted sentence of the form's text and where it is printed."""

    line_no: int
    page: int
    bbox: tuple[float, float, float, float] | None
    text: str


@dataclass
class ExecRow:
    doc: DocData
    table: Table
    rec: SelfEvaluation
    rate_initial: Decimal | None = None
    rate_adjusted: Decimal | None = None
    narrative: dict[str, Cell] = field(default_factory=dict)  # 年初预算数(元) / 预算执行数(元) / 预算执行率(%)
    reasons: list[Reason] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.rec.project_name or self.table.title

    @property
    def has_initial(self) -> bool:
        return self.rate_initial is not None

    def below(self, basis: str | None, threshold: Decimal) -> bool:
        rates = {"initial": [self.rate_initial], "adjusted": [self.rate_adjusted]}.get(
            basis or "", [self.rate_initial, self.rate_adjusted])
        return any(r is not None and r < threshold for r in rates)

    def sort_key(self, basis: str | None) -> tuple:
        if basis == "adjusted":
            return (0, self.rate_adjusted if self.rate_adjusted is not None else HUNDRED * 10)
        if self.rate_initial is not None:
            return (0, self.rate_initial)
        return (1, self.rate_adjusted if self.rate_adjusted is not None else HUNDRED * 10)


def _num(c: Cell | None) -> Decimal | None:
    return c.value.number if c is not None and c.value.number is not None else None


def _rate(executed: Cell | None, base: Cell | None) -> Decimal | None:
    e, b = _num(executed), _num(base)
    return None if e is None or not b else e / b * 100


def exec_rows(store: Store, doc: DocData) -> list[ExecRow]:
    out = []
    for rec in doc.records_of(SelfEvaluation):
        table = doc.table_by_id.get(rec.table_id)
        if table is None:
            continue
        row = ExecRow(doc, table, rec, _rate(rec.executed, rec.initial_budget), _rate(rec.executed, rec.adjusted_budget))
        if (nr := table.row("项目绩效分析")) is not None:
            row.narrative = {c.column: c for c in nr.cells if c.value.printed.strip()}
        row.reasons = reasons(store, doc, table)
        out.append(row)
    return out


def reasons(store: Store, doc: DocData, table: Table, limit: int = 2) -> list[Reason]:
    """Sentences of the form's text that give a reason (项目绩效分析 first, then indicator notes)."""
    analysis = table.row("项目绩效分析")
    if doc.meta.source == SourceKind.TEXT:
        if not original_lines(store, doc):
            return []
        starts = [r.provenance.line_start for r in table.rows if r.provenance.line_start]
        start = min(starts) if starts else (table.provenance.line_start or 0)
        split = (analysis.provenance.line_start if analysis else None) or start
        lines: list[tuple[int, int, tuple[float, float, float, float] | None, str]] = [
            (ln.line_no, ln.page, None, ln.text) for ln in block_after(store, doc, start, limit=80)]
    else:  # a PDF: the lines between this form's title and the next table's
        block = table_block(store, doc, table)
        split = next((ln.line_no for ln in block if "项目绩效分析" in ln.text), block[0].line_no if block else 0)
        lines = [(ln.line_no, ln.page, ln.bbox, ln.text) for ln in block]
    found: list[tuple[int, Reason]] = []
    for line_no, page, bbox, text in lines:
        for cell in text.split("\t"):
            for s in sentences(cell.strip()):
                if REASON.search(s) and not (len(s) <= 24 and HEADERISH.search(s) and not re.search(r"\d", s)):
                    found.append((0 if line_no >= split else 1, Reason(line_no, page, bbox, s[:120])))
    found.sort(key=lambda x: x[0])
    chosen: list[Reason] = []
    for _, reason in found:
        if any(reason.text in c.text or c.text in reason.text for c in chosen):
            continue
        chosen.append(reason)
        if len(chosen) >= limit:
            break
    return chosen


def _narrative_wan(c: Cell) -> Decimal | None:
    """A narrative amount in 万元: the form's column says 元, but the figure may be printed with its own
    unit (``964万元``); an amount without a unit is in the column's 元."""
    n = _num(c)
    if n is None:
        return None
    return n if c.value.money_unit == MoneyUnit.WAN else n / 10000


def _close(narr: Cell, table_wan: Cell) -> bool:
    wan, narr_wan = _num(table_wan), _narrative_wan(narr)
    if wan is None or narr_wan is None:
        return True
    # the coarser of the two printed precisions (in 万元): 964万元 agrees with 964.00
    narr_places = narr.value.decimals + (0 if narr.value.money_unit == MoneyUnit.WAN else 4)
    tol = Decimal(1).scaleb(-min(table_wan.value.decimals, narr_places)) / 2 + Decimal("0.00005")
    return abs(narr_wan - wan) <= tol


def _rate_matches(printed: Cell, computed: Decimal) -> bool:
    d = printed.value.decimals
    p = _num(printed)
    if p is None:
        return True
    trunc = (computed * 10**d).to_integral_value(rounding="ROUND_DOWN") / Decimal(10**d)
    return quantize(computed, d) == p or trunc == p


def disagreements(row: ExecRow, cites: Cites) -> list[str]:
    """Table vs narrative, each number cited."""
    out = []
    rec, n, doc, t = row.rec, row.narrative, row.doc, row.table
    pairs = (("年初预算数(元)", rec.initial_budget, "年初预算数"), ("预算执行数(元)", rec.executed, "全年执行数"))
    for col, cell, what in pairs:
        narr = n.get(col)
        if narr is not None and _num(narr) is not None and cell is not None and not _close(narr, cell):
            if what == "年初预算数" and not row.has_initial:
                continue
            out.append(f"说明中{what}{cites.cell(doc, t, '项目绩效分析', n[col])}，表内为{cites.cell(doc, t, '资金总额', cell)}")
    rate = row.rate_initial if row.has_initial else row.rate_adjusted
    basis = "年初预算数" if row.has_initial else "全年预算数"
    if "预算执行率(%)" in n and rate is not None and not _rate_matches(n["预算执行率(%)"], rate):
        base = rec.initial_budget if row.has_initial else rec.adjusted_budget
        for operand in (rec.executed, base):
            if operand is not None:
                cites.cell(doc, t, "资金总额", operand)
        calc = cites.pct(doc, rec.executed.value.printed, base.value.printed,  # type: ignore[union-attr]
                         f"{row.name} 执行率（{basis}口径）= 全年执行数 ÷ {basis} × 100")
        out.append(f"说明中执行率{cites.cell(doc, t, '项目绩效分析', n['预算执行率(%)'], False)}%，按表内数字计算为{calc}")
    return out
