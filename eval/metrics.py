"""Extraction metrics against gold: table detection and numeric-cell accuracy.

Denominator: every gold numeric cell, so a table that was not found counts as missed cells.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from pydantic import BaseModel, Field

from extractor.values import parse_value
from schemas.gold import GoldDocument, GoldTable
from schemas.keys import norm_key
from schemas.tables import Table, TableKind, TableStatus


class CellMiss(BaseModel):
    table: str
    row: str
    column: str
    gold: str
    got: str | None


class MatchCounts(BaseModel):
    """Tables and cells matched against a gold: the counts every extraction report adds up, and their ratios."""

    gold_tables: int = 0
    matched_tables: int = 0
    extra_tables: int = 0  # classified tables with no gold counterpart (false positives)
    gold_cells: int = 0
    matched_cells: int = 0

    @property
    def cell_accuracy(self) -> float:
        return self.matched_cells / self.gold_cells if self.gold_cells else 1.0

    @property
    def table_recall(self) -> float:
        return self.matched_tables / self.gold_tables if self.gold_tables else 1.0

    @property
    def table_precision(self) -> float:
        found = self.matched_tables + self.extra_tables
        return self.matched_tables / found if found else 1.0


class ExtractionScore(MatchCounts):
    document: str
    form: str
    kind_errors: list[str] = Field(default_factory=list)
    misses: list[CellMiss] = Field(default_factory=list)


def _number(text: str | None) -> Decimal | None:
    if text is None:
        return None
    return parse_value(text).number


def _project_key(name: str | None) -> str:
    return norm_key(name or "").rstrip(".。")


def match_tables(gold: list[GoldTable], got: list[Table]) -> list[tuple[GoldTable, Table | None]]:
    """Pair gold and extracted tables: by kind and order; forms by project name and order."""
    pools: dict[tuple[str, str], list[Table]] = defaultdict(list)
    for t in got:
        if t.status == TableStatus.UNCLASSIFIED:
            continue
        pools[(t.kind.value, _project_key(t.label) if t.kind in FORM_KINDS else "")].append(t)
    pairs = []
    for g in gold:
        key = (g.kind.value, _project_key(g.project) if g.kind in FORM_KINDS else "")
        pool = pools.get(key) or _near(pools, key)
        pairs.append((g, pool.pop(0) if pool else None))
    return pairs


def _near(pools: dict[tuple[str, str], list[Table]], key: tuple[str, str]) -> list[Table]:
    """A project printed with an OCR slip (2 for Z) still matches its gold table: one edit apart."""
    from rapidfuzz.distance import Levenshtein

    for (kind, name), pool in pools.items():
        if kind == key[0] and pool and name and Levenshtein.distance(name, key[1]) <= 1:
            return pool
    return []


FORM_KINDS = {TableKind.SELF_EVALUATION, TableKind.PERFORMANCE_TARGET}


def score_extraction(gold: GoldDocument, tables: list[Table], form: str) -> ExtractionScore:
    score = ExtractionScore(document=gold.file, form=form, gold_tables=len(gold.tables))
    pairs = match_tables(gold.tables, tables)
    used = {id(t) for _, t in pairs if t is not None}
    score.extra_tables = sum(1 for t in tables if t.status != TableStatus.UNCLASSIFIED and id(t) not in used
                             and t.kind not in FORM_KINDS | {TableKind.OVERALL_PERFORMANCE_TARGET})
    for g, t in pairs:
        if t is not None:
            score.matched_tables += 1
        else:
            score.kind_errors.append(f"{g.kind.value} '{g.title}' (line {g.line}) not found")
        for c in g.cells:
            score.gold_cells += 1
            got = _cell_text(t, c.row, c.column) if t is not None else None
            if got is not None and _number(got) == _number(c.printed):
                score.matched_cells += 1
            elif len(score.misses) < 500:
                score.misses.append(CellMiss(table=t.id if t else g.kind.value, row=c.row, column=c.column,
                                             gold=c.printed, got=got))
    return score


def _cell_text(table: Table, row: str, column: str) -> str | None:
    c = table.find_cell(norm_key(row), norm_key(column)) or table.find_cell(row, column)
    return c.value.printed if c is not None else None
