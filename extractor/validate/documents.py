"""Document-level checks: the standard tables of the document's family are all printed."""

from __future__ import annotations

from collections.abc import Iterator

from extractor.validate.catalog import TABLE_NAMES, Rule
from extractor.validate.checks import TablesPresentCheck
from extractor.validate.context import BUDGET_KINDS, FINAL_KINDS, DocContext
from extractor.validate.identity import Item, Passed, Skip, Violation
from schemas.tables import TableKind


def _expected(check: TablesPresentCheck, ctx: DocContext) -> tuple[list[TableKind], str] | None:
    if ctx.family is BUDGET_KINDS or ctx.family == BUDGET_KINDS:
        want = list(check.budget)
        extended = [k for k in check.budget_extended if ctx.tables_of([k])]
        if len(extended) >= check.min_extended:
            return want + list(check.budget_extended), f"预算公开（本文档按 {len(check.budget) + len(extended)} 张表的版式编排）"
        return want, "预算公开"
    if ctx.family == FINAL_KINDS:
        return list(check.final), "决算公开"
    return None


def tables_present(check: TablesPresentCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    got = _expected(check, ctx)
    if got is None:
        if ctx.indexes:
            yield Skip("无法判断是预算还是决算文档，不核对标准表格是否齐全")
        return
    kinds, family = got
    present = sum(1 for k in kinds if ctx.tables_of([k]))
    if present < check.min_present:
        yield Skip(f"只找到 {present} 张{family}标准表格，不像完整的公开文本，不核对表格是否齐全")
        return
    for kind in kinds:
        tabs = ctx.tables_of([kind])
        if tabs:
            yield Passed([])
        else:
            yield Violation(f"文档中未找到{TABLE_NAMES[kind]}（{family}的标准表格；无数据时也应打印并注明“本表无数据”）")
