"""Tables indexed once for the rules: rows by key (per side), numeric columns, row/column specs, and
``Term``s — one printed cell as an operand of an identity (value in 万元, printed precision, reference)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from extractor.validate.catalog import TABLE_NAMES
from extractor.validate.tolerance import step_of
from schemas.findings import CellRef
from schemas.keys import norm_key
from schemas.provenance import Provenance
from schemas.tables import Cell, CellKey, Row, RowRole, Table, TableKind, TableStatus
from schemas.values import MoneyUnit, ValueKind

NUMERIC = {ValueKind.MONEY, ValueKind.COUNT, ValueKind.PERCENT}
_SUFFIX = re.compile(r"#\d+$")
ONE = Decimal(1)
YUAN_SCALE = Decimal(1) / Decimal(10000)


@dataclass
class Term:
    """One operand. ``state``: ok (a number, blank = 0), na (——), missing (unreadable), absent (no such
    row/table: 0 when the rule allows it)."""

    key: str
    label: str  # table, row and column, for messages
    name: str = ""  # the column (or row) alone
    state: str = "ok"
    value: Decimal = Decimal(0)
    printed: str = ""
    step: Decimal = Decimal("0.01")
    scale: Decimal = Decimal(1)  # working value = printed number × scale (元 → 万元)
    table_id: str = ""
    decimals: int = 2
    source: tuple[str, str, str, Provenance] | None = None  # doc_id, row_key, column, provenance

    @property
    def blank(self) -> bool:
        return self.state == "absent" or (self.state == "ok" and not self.printed.strip())

    def cell_ref(self) -> CellRef | None:
        if self.source is None:
            return None
        doc_id, row_key, column, prov = self.source
        return CellRef(key=CellKey(doc_id=doc_id, table_id=self.table_id, row_key=row_key, column=column),
                       printed=self.printed, provenance=prov)


def absent(label: str, table_id: str = "") -> Term:
    return Term(key=f"absent:{table_id}:{label}", label=label, name=label, state="absent", table_id=table_id)


def split_spec(spec: str) -> list[str]:
    return [spec] if spec.startswith("~") else [s for s in spec.split("|") if s]


def _matches(alt: str, text: str, full: bool) -> bool:
    if alt.startswith("~"):
        pattern = alt[1:]
        return bool(re.fullmatch(pattern, text) if full else re.search(pattern, text))
    return norm_key(alt) == text


@dataclass
class TableIndex:
    table: Table
    doc_id: str
    rows: list[Row] = field(init=False)
    _cells: dict[int, dict[str, Cell]] = field(init=False, default_factory=dict)
    _terms: dict[tuple[int, str], Term] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.rows = [r for r in self.table.rows if r.role != RowRole.NOISE]
        self._pos = {id(r): i for i, r in enumerate(self.rows)}
        self._by_key: dict[str, list[Row]] = {}
        self._side: dict[int, str] = {}
        for r in self.rows:
            self._by_key.setdefault(r.key, []).append(r)
            prefixes = {c.column.split("/")[0] if "/" in c.column else "" for c in r.cells}
            self._side[id(r)] = prefixes.pop() if len(prefixes) == 1 else ""

    @cached_property
    def name(self) -> str:
        """The table as a reviewer knows it; forms (one per project) add the project name."""
        base = TABLE_NAMES.get(self.table.kind, self.table.title)
        if self.table.kind in (TableKind.SELF_EVALUATION, TableKind.PERFORMANCE_TARGET) and self.table.label:
            return f"{base}《{self.table.label.strip()}》"
        return base

    @property
    def empty(self) -> bool:
        return self.table.status == TableStatus.EMPTY or not self.rows

    def cells(self, row: Row) -> dict[str, Cell]:
        got = self._cells.get(id(row))
        if got is None:
            got = self._cells[id(row)] = {c.column: c for c in row.cells}
        return got

    def position(self, row: Row) -> int:
        return self._pos[id(row)]

    @cached_property
    def numeric_columns(self) -> list[str]:
        seen: dict[str, bool] = {}
        for r in self.rows:
            for c in r.cells:
                if c.value.kind in NUMERIC or c.value.kind in (ValueKind.NOT_APPLICABLE, ValueKind.MISSING):
                    seen[c.column] = True
                else:
                    seen.setdefault(c.column, c.value.kind == ValueKind.EMPTY)
        order = [c for c in self.table.columns if seen.get(c)] + [c for c in seen if seen[c] and c not in
                                                                   self.table.columns]
        return order

    def side_of(self, row: Row) -> str:
        """收入/支出 for a row of a two-sided table ('' when its cells carry no common prefix)."""
        return self._side.get(id(row), "")

    def side_rows(self, side: str | None) -> list[Row]:
        return self.rows if not side else [r for r in self.rows if self.side_of(r) == side]

    # --- specs ---
    def find_rows(self, spec: str, side: str | None = None) -> list[Row]:
        """Every row matching any alternative (in table order for a regex)."""
        out: list[Row] = []
        for alt in split_spec(spec):
            if alt.startswith("~"):
                out += [r for r in self.side_rows(side) if _matches(alt, r.key, full=False)]
            else:
                out += [r for r in self._by_key.get(norm_key(alt), []) if not side or self.side_of(r) == side]
        return out

    def find_row(self, spec: str, side: str | None = None) -> Row | None:
        for alt in split_spec(spec):
            rows = self.find_rows(alt, side)
            if rows:
                return rows[0]
        return None

    def columns_with_prefix(self, prefix: str | None) -> list[str]:
        if not prefix:
            return self.numeric_columns
        return [c for c in self.numeric_columns if c.startswith(prefix + "/")]

    def find_column(self, spec: str, prefix: str | None = None, within: list[str] | None = None) -> str | None:
        candidates = within if within is not None else self.columns_with_prefix(prefix)
        strip = len(prefix) + 1 if prefix else 0
        for alt in split_spec(spec):
            if alt == "@first":
                if candidates:
                    return candidates[0]
                continue
            hits = [c for c in candidates if _matches(alt, c[strip:], full=True)]
            if not hits and not prefix:  # a bare name may address the last segment, if unambiguous
                hits = [c for c in candidates if "/" in c and _matches(alt, c.rsplit("/", 1)[1], full=True)]
                hits = hits if len(hits) == 1 else []
            if hits:
                return hits[0]
        return None

    def columns(self, spec: str, prefix: str | None = None) -> list[str]:
        if spec == "*":
            return self.columns_with_prefix(prefix)
        col = self.find_column(spec, prefix)
        return [col] if col else []

    # --- terms ---
    def term(self, row: Row, column: str) -> Term:
        """The operand for one cell (cached: a cell takes part in several identities; never mutated)."""
        ck = (id(row), column)
        got = self._terms.get(ck)
        if got is None:
            got = self._terms[ck] = self._make_term(row, column)
        return got

    def _make_term(self, row: Row, column: str) -> Term:
        return self.cell_term(row.key, row_desc(row), column, self.cells(row).get(column), row.provenance)

    def cell_term(self, row_key: str, row_label: str, column: str, cell: Cell | None, fallback: Provenance) -> Term:
        """A term for a cell of this table, also one a record carries outside the table's rows."""
        prov = cell.provenance if cell is not None else fallback
        printed = cell.value.printed if cell is not None else ""
        t = Term(key=f"{self.table.id}|{row_key}|{column}", label=f"{self.name} {row_label} “{column}”",
                 name=column, printed=printed, table_id=self.table.id, source=(self.doc_id, row_key, column, prov))
        if cell is None or cell.value.kind == ValueKind.EMPTY:
            return t
        v = cell.value
        if v.kind == ValueKind.NOT_APPLICABLE:
            t.state = "na"
        elif v.kind not in NUMERIC or v.number is None:
            t.state = "missing"
        else:
            yuan = v.kind == ValueKind.MONEY and v.money_unit == MoneyUnit.YUAN
            t.scale = YUAN_SCALE if yuan else ONE
            t.value = v.number * t.scale if yuan else v.number
            exp = v.number.as_tuple().exponent
            t.decimals = -exp if isinstance(exp, int) and exp < 0 else 0
            t.step = step_of(t.decimals, yuan)
        return t


def row_desc(row: Row) -> str:
    label = row.label.strip() or _SUFFIX.sub("", row.key)
    if row.code and not label.startswith(row.code):
        return f"{row.code} {label}"
    return label


def base_key(key: str) -> str:
    return _SUFFIX.sub("", key)
