"""项目支出表 and 绩效目标表: org / sub-org / project structure, and matching each performance-target
table to its project (names differ by OCR slips, prefixes and punctuation)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher

from extractor.validate.catalog import PROJECTS, Rule
from extractor.validate.checks import (
    NameMatchCheck,
    ProjectTotalCheck,
    TargetAmountCheck,
    TargetCopiesCheck,
    TargetCoverageCheck,
)
from extractor.validate.context import DocContext
from extractor.validate.identity import Item, Passed, Skip, SumIdentity, Violation
from extractor.validate.index import TableIndex, Term, base_key, row_desc
from extractor.validate.sums import tables_for
from schemas.keys import norm_key
from schemas.records import PerformanceTarget
from schemas.tables import Row, RowRole, TableKind

_PREFIX = re.compile(r"^[A-Za-z0-9]{1,2}(?=[\u4e00-\u9fff])")  # Z/J/X/XM project-type marks, OCR'd as 2
_TRAIL = re.compile(r"[.。,，、;；]+$")
_PUNCT = re.compile(r"[“”\"'‘’《》()（）\[\]【】<>.。,，、;；:：\s-]")
FUZZY = 0.85


@dataclass
class Structure:
    top: Row | None
    groups: list[tuple[Row, list[Row]]]  # sub-org total row, its projects
    projects: list[Row]


def structure(ix: TableIndex, ctx: DocContext) -> Structure:
    """The org total (a 合计 row, else the first row), sub-org total rows (same name as the org, marked
    by the records, a total role or a shallower indent) and the project rows."""
    key = f"structure:{ix.table.id}"
    if key in ctx.memo:
        return ctx.memo[key]
    rows = ix.rows
    totals = [r for r in rows if r.role == RowRole.TOTAL]
    top = totals[0] if totals else (rows[0] if rows else None)
    org = norm_key(ix.table.org or "")
    hints = ctx.org_rows.get(ix.table.id, set())
    deepest = max((r.indent for r in rows), default=0)
    varied = any(r.indent != deepest for r in rows)

    adds_up = _sub_org_rows(ix, top)

    def is_org(r: Row) -> bool:
        return (r.role in (RowRole.TOTAL, RowRole.SUBTOTAL) or r.key in hints or (bool(org) and norm_key(r.label) == org)
                or (top is not None and base_key(r.key) == base_key(top.key)) or (varied and r.indent < deepest)
                or id(r) in adds_up)

    groups: list[tuple[Row, list[Row]]] = []
    direct: list[Row] = []
    for r in rows:
        if r is top:
            continue
        if is_org(r):
            groups.append((r, []))
        else:
            (groups[-1][1] if groups else direct).append(r)
    out = Structure(top, groups, direct + [p for _, ps in groups for p in ps])
    ctx.memo[key] = out
    return out


def project_total(check: ProjectTotalCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    tabs, skip = tables_for(check, rule, ctx)
    if skip:
        yield skip
    for ix in tabs:
        st = structure(ix, ctx)
        if st.top is None:
            continue
        cols = ix.columns(check.columns)
        pairs = [(st.top, st.projects, "各项目之和（不含下级单位合计行）")]
        pairs += [(sub, ps, "其下各项目之和") for sub, ps in st.groups if ps]
        for total, parts, right_name in pairs:
            for col in cols:
                yield SumIdentity(left=[(1, ix.term(total, col))], right=[(1, ix.term(r, col)) for r in parts],
                                  where=f"{ix.name} “{col}” 列：", left_name=row_desc(total), right_name=right_name)


_ORG_NAME = re.compile(r"(局|队|中心|站|所|院|办公室|委员会|馆|处|机关|\(本级\))$")


def _sub_org_rows(ix: TableIndex, top: Row | None) -> set[int]:
    """Rows named like an org (…局, …大队, …中心, …(本级)) whose amount is the sum of the rows below them up to
    the next such row: sub-org totals, when the indentation that marks them was lost."""
    named = [r for r in ix.rows if r is not top and _ORG_NAME.search(_TRAIL.sub("", norm_key(r.label or r.key)))]
    out: set[int] = set()
    for n, r in enumerate(named):
        start = ix.position(r) + 1
        end = ix.position(named[n + 1]) if n + 1 < len(named) else len(ix.rows)
        below = [x for x in ix.rows[start:end] if x is not top]
        for col in ix.numeric_columns if below else []:  # one column adding up is enough (another may be misprinted)
            own = ix.term(r, col).value
            if own and abs(own - sum((ix.term(x, col).value for x in below), Decimal(0))) <= Decimal("0.05"):
                out.add(id(r))
                break
    return out


# --- performance targets ---
@dataclass
class Match:
    target: TableIndex
    name: str
    project: Row | None = None
    ptable: TableIndex | None = None


def name_key(text: str) -> str:
    return _TRAIL.sub("", norm_key(text))


def _target_name(ix: TableIndex, ctx: DocContext) -> str:
    if ix.table.label:
        return ix.table.label.strip()
    rec = next((r for r in ctx.records if isinstance(r, PerformanceTarget) and r.table_id == ix.table.id), None)
    return rec.project_name if rec else ""


def matches(ctx: DocContext) -> list[Match]:
    if "targets" in ctx.memo:
        return ctx.memo["targets"]
    projects = [(name_key(r.label or r.key), r, ix) for ix in ctx.tables_of(PROJECTS) if not ix.empty
                for r in structure(ix, ctx).projects]
    exact = {n: (r, ix) for n, r, ix in reversed(projects)}
    bare: dict[str, list[tuple[Row, TableIndex]]] = {}
    for n, r, ix in projects:
        bare.setdefault(_PREFIX.sub("", n), []).append((r, ix))
    out = []
    for tix in ctx.tables_of([TableKind.PERFORMANCE_TARGET]):
        m = Match(tix, _target_name(tix, ctx))
        n = name_key(m.name)
        hit = exact.get(n) or (lambda c: c[0] if len(c) == 1 else None)(bare.get(_PREFIX.sub("", n), []))
        if hit is None and n:
            hit = _contained(n, projects) or _fuzzy(n, projects)
        if hit is not None:
            m.project, m.ptable = hit
        out.append(m)
    ctx.memo["targets"] = out
    return out


_ORDINAL = re.compile(r"[一二三四五六七八九十]+$")


def _sibling(a: str, b: str) -> bool:
    """Numbered siblings ('…经费', '…经费二'; an unnumbered name is the first, '…经费一') are two projects:
    names with different ordinals never match by containment or similarity."""
    def ordinal(n: str) -> str:
        m = _ORDINAL.search(n)
        return m.group(0) if m else "一"

    return ordinal(a) != ordinal(b)


def _contained(name: str, projects: list[tuple[str, Row, TableIndex]]) -> tuple[Row, TableIndex] | None:
    """One name is the other plus a suffix (a document number in brackets, a qualifier)."""
    if len(name) < 8:
        return None
    hits = [(r, ix) for n, r, ix in projects if len(n) >= 8 and (n.startswith(name) or name.startswith(n))
            and not _sibling(n, name) and ("上年结转" in n) == ("上年结转" in name)]
    return hits[0] if len(hits) == 1 else None


def _fuzzy(name: str, projects: list[tuple[str, Row, TableIndex]]) -> tuple[Row, TableIndex] | None:
    scored = []
    for n, r, ix in projects:
        if _sibling(n, name):
            continue
        sm = SequenceMatcher(None, name, n, autojunk=False)
        if sm.real_quick_ratio() >= FUZZY and sm.quick_ratio() >= FUZZY and (score := sm.ratio()) >= FUZZY:
            scored.append((score, r, ix))
    scored.sort(key=lambda s: -s[0])
    if scored and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 0.03):
        return scored[0][1], scored[0][2]
    return None


def _annual(m: Match) -> Term | None:
    row = m.target.find_row("年度资金")
    col = m.target.find_column("年度资金总额")
    if row is None or col is None or col not in m.target.cells(row):
        return None
    return m.target.term(row, col)


def _project_term(m: Match) -> Term:
    assert m.ptable is not None and m.project is not None
    col = m.ptable.find_column("合计|@first") or ""
    return m.ptable.term(m.project, col)


def _no_targets(rule: Rule, ctx: DocContext) -> Skip | None:
    for kinds in ([TableKind.PERFORMANCE_TARGET], list(PROJECTS)):
        if not ctx.tables_of(kinds):
            return Skip(f"文档中未找到{ctx.names(kinds)}")
    return None


def target_amount(check: TargetAmountCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    if skip := _no_targets(rule, ctx):
        yield skip
        return
    for m in matches(ctx):
        if m.project is None:
            continue  # reported by perf.coverage
        annual = _annual(m)
        if annual is None:
            yield Skip(f"{m.target.name} 未打印“年度资金总额”", table_ids=[m.target.table.id])
            continue
        yield SumIdentity(left=[(1, _project_term(m))], right=[(1, annual)], where=f"项目“{m.name}”：",
                          left_name=f"{m.ptable.name if m.ptable else ''} 金额", right_name="绩效目标表 年度资金总额 ÷ 10000",
                          quantize=True, skip_blank=False)


def target_coverage(check: TargetCoverageCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    if skip := _no_targets(rule, ctx):
        yield skip
        return
    found = matches(ctx)
    matched = {id(m.project) for m in found if m.project is not None}
    for ix in ctx.tables_of(PROJECTS):
        for r in structure(ix, ctx).projects:
            col = ix.find_column("合计|@first")
            terms = [ix.term(r, col)] if col else []
            if id(r) in matched:
                yield Passed(terms)
            else:
                yield Violation(f"{ix.name} 项目“{row_desc(r)}”没有对应的绩效目标表", terms, [ix.table.id])
    for m in found:
        if m.project is None:
            annual = _annual(m)
            yield Violation(f"{m.target.name} 在项目支出表中找不到对应项目", [annual] if annual else [],
                            [m.target.table.id])


def _copies(check: TargetCopiesCheck, ctx: DocContext) -> list[list[tuple[TableIndex, str]]]:
    """The forms printed more than once, grouped by project (targets: by the matched project)."""
    groups: dict[object, list[tuple[TableIndex, str]]] = {}
    if check.form == TableKind.PERFORMANCE_TARGET:
        for m in matches(ctx):
            groups.setdefault(id(m.project) if m.project is not None else name_key(m.name), []).append((m.target, m.name))
    else:
        for ix in ctx.tables_of([check.form]):
            name = _target_name(ix, ctx)
            groups.setdefault(name_key(name), []).append((ix, name))
    return [g for g in groups.values() if len(g) > 1]


def _figure(ix: TableIndex, check: TargetCopiesCheck) -> Term | None:
    row, col = ix.find_row(check.row), ix.find_column(check.column)
    return ix.term(row, col) if row is not None and col is not None and col in ix.cells(row) else None


def target_copies(check: TargetCopiesCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    if not ctx.tables_of([check.form]):
        yield Skip(f"文档中未找到{ctx.names([check.form])}")
        return
    for copies in _copies(check, ctx):
        first = next(((ix, t) for ix, _ in copies if (t := _figure(ix, check)) is not None), None)
        for ix, name in copies:
            figure = _figure(ix, check)
            if figure is None:
                yield Skip(f"{ix.name} 未打印“{check.column}”，无法与另一份比较", table_ids=[ix.table.id])
            elif first is not None and ix is not first[0]:
                yield SumIdentity(left=[(1, figure)], right=[(1, first[1])], where=f"项目“{name}”的两份{ctx.names([check.form])}：",
                                  left_name=f"{ix.table.id} {check.column}", right_name=f"{first[0].table.id} {check.column}",
                                  exact=True, skip_blank=False)


def _similar_slip(a: str, b: str) -> bool:
    """Two names of one length differing in one or two characters (an OCR slip: Z→2, 品→吕, 县→市)."""
    return len(a) == len(b) and 0 < sum(x != y for x, y in zip(a, b, strict=True)) <= 2


def name_match(check: NameMatchCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    if skip := _no_targets(rule, ctx):
        yield skip
        return
    for m in matches(ctx):
        if m.project is None or m.ptable is None:
            continue
        printed, listed = m.name.strip(), row_desc(m.project)
        a, b = _PUNCT.sub("", norm_key(printed)), _PUNCT.sub("", norm_key(listed))
        terms = [t for t in (_annual(m), _project_term(m)) if t is not None]
        if a != b and _similar_slip(a, b):
            yield Violation(f"{m.target.name} 的项目名称与{m.ptable.name}不一致：印为“{printed}”，项目支出表为“{listed}”"
                            f"（疑似识别错误）", terms, [m.target.table.id, m.ptable.table.id])
        else:
            yield Passed(terms)
