"""Evaluators that address cells by spec: cross-table equalities, per-code matches, and the rates and
score sums of the self-evaluation forms."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from extractor.validate.catalog import Rule
from extractor.validate.checks import CellSpec, CodeMatchCheck, CrossTableCheck, RatioCheck, ScoreSumCheck
from extractor.validate.context import DocContext
from extractor.validate.identity import Item, RatioIdentity, Skip, SumIdentity, const
from extractor.validate.index import TableIndex, Term, absent, row_desc
from extractor.validate.projects import structure
from extractor.validate.sums import tables_for, tables_of_kinds
from schemas.records import SelfEvaluation
from schemas.tables import Row, RowRole, TableKind

FORMS = (TableKind.SELF_EVALUATION, TableKind.PERFORMANCE_TARGET)

Resolved = list[Term] | Skip | None  # None: skip silently


def _absent(spec: CellSpec, reason: str, table_id: str = "") -> Resolved:
    if spec.absent == "zero":
        return [absent(reason, table_id)]
    return None if spec.absent == "skip" else Skip(reason, table_ids=[table_id] if table_id else [])


def _row(ix: TableIndex, spec: CellSpec, ctx: DocContext) -> Row | None:
    return structure(ix, ctx).top if spec.row == "@org_total" else ix.find_row(spec.row, spec.side)


def _in_table(ix: TableIndex, spec: CellSpec, ctx: DocContext) -> Resolved:
    if ix.empty:
        return [absent(f"{ix.name}（本表无数据）", ix.table.id)]
    row = _row(ix, spec, ctx)
    if row is None:
        return _absent(spec, f"{ix.name} 未找到“{spec.row}”行", ix.table.id)
    col = ix.find_column(spec.column, spec.side)
    if col is None or (col not in ix.cells(row) and ix.table.kind in FORMS):
        return _absent(spec, f"{ix.name} {row_desc(row)} 行未打印“{spec.column}”", ix.table.id)
    return [ix.term(row, col)]


def resolve(spec: CellSpec, ctx: DocContext, within: TableIndex | None = None) -> Resolved:
    if within is not None:
        return _in_table(within, spec, ctx)
    tabs = ctx.tables_of(spec.tables)
    if not tabs:  # a missing table is never 0, even where a missing row would be
        reason = f"文档中未找到{ctx.names(spec.tables)}"
        return None if spec.absent == "skip" else Skip(reason)
    if not spec.all_tables:
        first = ctx.first(spec.tables)
        assert first is not None
        return _in_table(first, spec, ctx)
    terms: list[Term] = []
    for ix in tabs:
        got = _in_table(ix, spec, ctx)
        if isinstance(got, list):
            terms += got
    return terms or _absent(spec, f"{ctx.names(spec.tables)} 中均未找到“{spec.column}”")


def _side(specs: tuple[CellSpec, ...], ctx: DocContext, within: TableIndex | None) -> list[Term] | Skip | None:
    terms: list[Term] = []
    for spec in specs:
        got = resolve(spec, ctx, within)
        if got is None or isinstance(got, Skip):
            return got
        terms += got
    return terms


def _names(terms: list[Term]) -> str:
    return " + ".join(t.label for t in terms) if len(terms) <= 3 else f"{len(terms)} 个单元格之和"


def cross_table(check: CrossTableCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    kinds = [k for s in check.left + check.right for k in s.tables]
    if check.per_table:
        tabs, skip = tables_of_kinds(tuple(dict.fromkeys(kinds)), ctx)
        yield from [skip] if skip else []
        for ix in tabs:
            yield from _cross(check, ctx, ix)
    else:
        yield from _cross(check, ctx, None)


def _cross(check: CrossTableCheck, ctx: DocContext, within: TableIndex | None) -> Iterator[Item]:
    left, right = _side(check.left, ctx, within), _side(check.right, ctx, within)
    for got in (left, right):
        if got is None:
            return
        if isinstance(got, Skip):
            yield got
            return
    assert isinstance(left, list) and isinstance(right, list)
    yield SumIdentity(left=[(1, t) for t in left], right=[(1, t) for t in right], where="",
                      left_name=_names(left), right_name=_names(right), quantize=True, skip_blank=False,
                      exact=check.exact)


def code_match(check: CodeMatchCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    lt, rt = ctx.first(check.left.tables), ctx.first(check.right.tables)
    if lt is None or rt is None:
        yield Skip(f"文档中未找到{ctx.names(check.left.tables if lt is None else check.right.tables)}")
        return
    if lt.empty and rt.empty:
        return
    if check.condition is not None:
        a, b = (resolve(s, ctx) for s in check.condition)
        if not isinstance(a, list) or not isinstance(b, list):
            yield a if isinstance(a, Skip) else Skip("适用条件无法判断")
            return
        if sum(t.value for t in a) != sum(t.value for t in b):
            yield Skip(f"不适用：{check.condition_text}不成立", terms=a + b)
            return
    lcol, rcol = lt.find_column(check.left.column), rt.find_column(check.right.column)
    if lcol is None or rcol is None:
        ix, spec = (lt, check.left) if lcol is None else (rt, check.right)
        yield Skip(f"{ix.name} 无“{spec.column}”列", table_ids=[ix.table.id])
        return
    lrows, rrows = _coded(lt), _coded(rt)
    for code in dict.fromkeys([*lrows, *rrows]):
        lr, rr = lrows.get(code), rrows.get(code)
        lterm = lt.term(lr, lcol) if lr else absent(f"{lt.name} 无 {code} 行", lt.table.id)
        rterm = rt.term(rr, rcol) if rr else absent(f"{rt.name} 无 {code} 行", rt.table.id)
        desc = row_desc(lr or rr)  # type: ignore[arg-type]
        yield SumIdentity(left=[(1, lterm)], right=[(1, rterm)], where=f"{desc}：",
                          left_name=f"{lt.name} “{lcol}”", right_name=f"{rt.name} “{rcol}”")


def _coded(ix: TableIndex) -> dict[str, Row]:
    out: dict[str, Row] = {}
    for r in ix.rows:
        if r.code:
            out.setdefault(r.code, r)
        elif r.role == RowRole.TOTAL and r.key in ("合计", "总计", "本年支出合计", "本年收入合计"):
            out.setdefault("合计", r)
    return out


def _first_printed(ix: TableIndex, options: tuple[tuple[str, str], ...]) -> Term | None:
    for row_spec, col_spec in options:
        row = ix.find_row(row_spec)
        col = ix.find_column(col_spec)
        if row is not None and col is not None and col in ix.cells(row) and ix.cells(row)[col].value.printed.strip():
            return ix.term(row, col)
    return None


def ratio(check: RatioCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    tabs, skip = tables_for(check, rule, ctx)
    yield from [skip] if skip else []
    for ix in tabs:
        rate = _first_printed(ix, (check.rate,))
        num, den = _first_printed(ix, check.numerator), _first_printed(ix, check.denominator)
        if rate is None or num is None or den is None:
            if check.absent == "not_checked":
                missing = "、".join(c for (_, c), t in ((check.rate, rate), (check.numerator[0], num),
                                                        (check.denominator[0], den)) if t is None)
                yield Skip(f"{ix.name} 未打印“{missing}”", table_ids=[ix.table.id])
            continue
        yield RatioIdentity(num, den, rate, where=f"{ix.name}：")


def _indicator_terms(ix: TableIndex, ctx: DocContext, column: str) -> list[Term]:
    out: list[Term] = []
    for rec in ctx.records:
        if isinstance(rec, SelfEvaluation) and rec.table_id == ix.table.id:
            for n, ind in enumerate(rec.indicators, 1):
                c = ind.score if column == "得分" else ind.weight if column == "分值" else None
                if c is not None and c.value.printed.strip():
                    label = ind.level3 or ind.level2 or f"指标{n}"
                    out.append(ix.cell_term(f"指标{n}", label, column, c, ix.table.provenance))
    return out


def _incomplete(ix: TableIndex, check: ScoreSumCheck, col: str, rows: list[Row]) -> str | None:
    """Why the printed parts cannot add up to the whole form (a part printed without this column), or None."""
    def printed(r: Row, c: str | None) -> bool:
        cell = ix.cells(r).get(c) if c else None
        return cell is not None and bool(cell.value.printed.strip())

    if check.require_row and (req := ix.find_row(check.require_row)) is not None and not printed(req, col):
        return f"“{req.key}”行未印“{check.column}”"
    partner = ix.find_column(check.partner) if check.partner else None
    for r in rows:
        if partner is not None and printed(r, partner) and not printed(r, col):
            return f"“{r.key}”行印了“{check.partner}”未印“{check.column}”"
    return None


def score_sum(check: ScoreSumCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    tabs, skip = tables_for(check, rule, ctx)
    yield from [skip] if skip else []
    for ix in tabs:
        col = ix.find_column(check.column)
        total = ix.find_row(check.total_row)
        if col is None:
            yield Skip(f"{ix.name} 未打印“{check.column}”", table_ids=[ix.table.id])
            continue
        has = ix.cells
        total_term = ix.term(total, col) if total is not None and col in has(total) else None
        scored = [r for r in ix.rows if r is not total and r.role not in (RowRole.TOTAL, RowRole.SUBTOTAL)]
        if (gap := _incomplete(ix, check, col, scored)) is not None:
            yield Skip(f"{ix.name} {gap}，“{check.column}”合计无从核对", table_ids=[ix.table.id])
            continue
        parts = [ix.term(r, col) for r in scored if col in has(r) and has(r)[col].value.printed.strip()]
        if len(parts) < 2:  # indicators may reach us only through the SelfEvaluation record
            parts += _indicator_terms(ix, ctx, check.column)
        where = f"{ix.name} “{col}”："
        target = [total_term] if total_term else ([const(check.constant, "应为")] if check.constant is not None else [])
        if len(parts) >= 2 and target:
            yield SumIdentity(left=[(1, target[0])], right=[(1, t) for t in parts], where=where,
                              left_name="合计", right_name="各项之和", exact=check.exact, skip_blank=False)
        elif total_term is None or check.constant is None:
            yield Skip(f"{ix.name} 未提取各指标的“{check.column}”，无法核对合计", table_ids=[ix.table.id])
            continue
        if total_term is not None and check.constant is not None:
            yield SumIdentity(left=[(1, total_term)], right=[(1, const(Decimal(check.constant), "应为"))],
                              where=where, left_name="合计", right_name="应为", exact=True, skip_blank=False)
