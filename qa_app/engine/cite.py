"""Citations: every number an answer shows is a cited cell, a quoted source line, or a value derived
from cited values (the derivation names its operands, so ``grounding`` can recompute it).

Derived citations use the ``Citation`` fields as follows: ``table_id="derived"``,
``column="derived:<op>"``, ``table_title="<op>(a, b, ...)"`` with the operands' printed values,
``row_label`` a human description and ``value`` the result as printed in the answer. Ops:
``pct`` a÷b×100 · ``diff`` a−b · ``sum`` Σ · ``div`` a÷b · ``count`` (items listed) · ``param`` (a
threshold or limit the engine applied).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from qa_app.engine.catalog import DocData
from schemas.answers import Citation
from schemas.tables import Cell, Table

DERIVED = "derived"


def to_decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    t = text.replace(",", "").replace("，", "").strip().rstrip("%").strip()
    try:
        return Decimal(t)
    except (InvalidOperation, ValueError):
        return None


def quantize(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fmt_ratio(value: Decimal, places: int = 2) -> str:
    """Round half up; a value below 100 (or above 0) never prints as 100 (or 0): more decimals then."""
    out = quantize(value, places)
    while places < 6 and ((out == 100 and value < 100) or (out == 0 and value > 0)):
        places += 1
        out = quantize(value, places)
    return f"{out:f}"


def unit_of(cell: Cell, table: Table | None = None) -> str:
    if cell.value.money_unit is not None:
        return cell.value.money_unit.value
    if table is not None and table.money_unit is not None and cell.value.kind.value == "money":
        return table.money_unit.value
    return ""


def with_unit_suffix(printed: str, unit: str) -> str:
    """``printed`` followed by ``unit``, unless the printed text already carries a unit (a narrative
    figure such as ``964万元`` is stored as printed, unit included)."""
    if not unit or printed.rstrip().endswith(("万元", "元", "%")):
        return printed
    return printed + unit


class Cites:
    """Collects the citations of one answer; each helper returns the text to show."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._seen: set[tuple] = set()

    def add(self, c: Citation) -> Citation:
        key = (c.doc_id, c.table_id, c.row_label, c.column, c.value, c.line_start, c.table_title)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(c)
        return c

    def cell(self, doc: DocData, table: Table, row_label: str, cell: Cell, with_unit: bool = True) -> str:
        p = cell.provenance
        self.add(Citation(doc_id=doc.id, doc_name=doc.meta.file_name, page=p.page, table_id=table.id,
                          table_title=table.title, row_label=row_label, column=cell.column,
                          value=cell.value.printed, bbox=p.bbox, line_start=p.line_start, line_end=p.line_end))
        return with_unit_suffix(cell.value.printed, unit_of(cell, table)) if with_unit else cell.value.printed

    def line(self, doc: DocData, line_no: int, page: int, quote: str, line_end: int | None = None,
             bbox: tuple[float, float, float, float] | None = None) -> str:
        """A quoted span of a source line (narrative or table text); returns it in 「」."""
        self.add(Citation(doc_id=doc.id, doc_name=doc.meta.file_name, page=page, value=quote,
                          line_start=line_no, line_end=line_end or line_no, bbox=bbox))
        return f"「{quote}」"

    def derived(self, doc: DocData | None, op: str, operands: list[str], value: str, label: str) -> str:
        self.add(Citation(doc_id=doc.id if doc else "", doc_name=doc.meta.file_name if doc else "", page=1,
                          table_id=DERIVED, table_title=f"{op}({', '.join(operands)})", row_label=label,
                          column=f"{DERIVED}:{op}", value=value))
        return value

    def pct(self, doc: DocData | None, a: str, b: str, label: str) -> str | None:
        """a ÷ b × 100 from two printed operands; None when b is zero or absent."""
        da, db = to_decimal(a), to_decimal(b)
        if da is None or db is None or db == 0:
            return None
        return self.derived(doc, "pct", [a, b], fmt_ratio(da / db * 100), label) + "%"

    def diff(self, doc: DocData | None, a: str, b: str, label: str, places: int = 2) -> str | None:
        da, db = to_decimal(a), to_decimal(b)
        if da is None or db is None:
            return None
        return self.derived(doc, "diff", [a, b], f"{quantize(da - db, places):f}", label)

    def count(self, n: int, label: str) -> str:
        return self.derived(None, "count", [], str(n), label)

    def param(self, value: str, label: str) -> str:
        return self.derived(None, "param", [], value, label)
