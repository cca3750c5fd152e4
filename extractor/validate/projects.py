"""项目支出表 and 绩效目标表: org / sub-org / project structure, and matching each performance-target
table to its project (names differ by OCR slips, prefixes and punctuation)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

from extractor.validate.catalog import PROJECTS, Rule
from extractor.validate.checks import ProjectTotalCheck, TargetAmountCheck, TargetCopiesCheck, TargetCoverageCheck
from extractor.validate.context import DocContext
from extractor.validate.identity import Item, Passed, Skip, SumIdentity, Violation
from extractor.validate.index import TableIndex, Term, base_key, row_desc
from extractor.validate.sums import tables_for
from schemas.keys import norm_key
from schemas.records import PerformanceTarget
from schemas.tables import Row, RowRole, TableKind

_PREFIX = re.compile(r"^[A-Za-z0-9]{1,2}(?=[\u4e00-\u9fff])")  # Z/J/X/XM project-type marks, OCR'd as 2
_TRAIL = re.compile(r"[.。,，、;；]+$")
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

    def is_org(r: Row) -> bool:
        return (r.role in (RowRole.TOTAL, RowRole.SUBTOTAL) or r.key in hints or (bool(org) and norm_key(r.label) == org)
                or (top is not None and base_key(r.key) == base_key(top.key)) or (varied and r.indent < deepest))

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


def _contained(name: str, projects: list[tuple[str, Row, TableIndex]]) -> tuple[Row, TableIndex] | None:
    """One name is the other plus a suffix (a document number in brackets, a qualifier)."""
    if len(name) < 8:
        return None
    hits = [(r, ix) for n, r, ix in projects if len(n) >= 8 and (n.startswith(name) or name.startswith(n))]
    return hits[0] if len(hits) == 1 else None


def _fuzzy(name: str, projects: list[tuple[str, Row, TableIndex]]) -> tuple[Row, TableIndex] | None:
    scored = []
    for n, r, ix in projects:
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


def target_copies(check: TargetCopiesCheck, rule: Rule, ctx: DocContext) -> Iterator[Item]:
    if not ctx.tables_of([TableKind.PERFORMANCE_TARGET]):
        yield Skip(f"文档中未找到{ctx.names([TableKind.PERFORMANCE_TARGET])}")
        return
    groups: dict[object, list[Match]] = {}
    for m in matches(ctx):
        groups.setdefault(id(m.project) if m.project is not None else name_key(m.name), []).append(m)
    for copies in groups.values():
        if len(copies) < 2:
            continue
        first = next((m for m in copies if _annual(m) is not None), None)
        for m in copies:
            annual = _annual(m)
            if annual is None:
                yield Skip(f"{m.target.name} 未打印“年度资金总额”，无法与另一份比较", table_ids=[m.target.table.id])
            elif first is not None and m is not first:
                ref = _annual(first)
                assert ref is not None
                yield SumIdentity(left=[(1, annual)], right=[(1, ref)], where=f"项目“{m.name}”的两份绩效目标表：",
                                  left_name=f"{m.target.table.id} 年度资金总额", right_name=f"{first.target.table.id} 年度资金总额",
                                  exact=True, skip_blank=False)
