"""Repairs decided by the identities, proposed and never applied silently.

- ``assign_columns``: a space-separated row lost its empty cells (``2240103 机关服务 110.00  110.00``);
  choose the order-preserving assignment of its numbers to the numeric columns that satisfies the row
  identities (合计 = 基本支出 + 项目支出). Ambiguous or impossible → ``None``.
- ``suggest_digit_repairs``: when exactly one single-character change (a misread digit, or two adjacent
  digits swapped) to one printed value makes every identity that value takes part in hold, propose it
  as an ``info`` finding with a ``suggestion``. The value itself is never changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from itertools import combinations

from pydantic import BaseModel

from extractor.validate.catalog import Rule
from extractor.validate.checks import ColumnSumCheck
from extractor.validate.evaluate import ValidationReport, finding_id, validate
from extractor.validate.identity import Identity
from extractor.validate.index import Term
from extractor.validate.tolerance import Outcome, classify, step_of, sum_tolerance
from schemas.findings import Finding, Severity
from schemas.records import Record
from schemas.tables import Table

RowIdentity = tuple[str, Sequence[str]] | ColumnSumCheck  # (total column, part columns)


class ColumnAssignment(BaseModel):
    values: dict[str, str]  # column -> printed number; columns not listed are empty
    note: str


def _number(text: str | Decimal) -> Decimal | None:
    if isinstance(text, Decimal):
        return text
    cleaned = re.sub(r"[^\d.\-]", "", text)
    try:
        return Decimal(cleaned) if cleaned else None
    except InvalidOperation:
        return None


def _decimals(text: str | Decimal) -> int:
    s = str(text)
    return len(s.split(".", 1)[1]) if "." in s else 0


def _holds(identity: RowIdentity, values: Mapping[str, Decimal], step: Decimal) -> bool:
    total, parts = (identity.total, identity.parts or ()) if isinstance(identity, ColumnSumCheck) else identity
    addends = [values.get(p, Decimal(0)) for p in parts]
    diff = values.get(total, Decimal(0)) - sum(addends, Decimal(0))
    return classify(diff, sum_tolerance([step], sum(1 for a in addends if a))) != Outcome.FAIL


def assign_columns(numbers: Sequence[str | Decimal], columns: Sequence[str], identities: Sequence[RowIdentity],
                   known: Mapping[str, Decimal] | None = None) -> ColumnAssignment | None:
    """The unique order-preserving assignment of ``numbers`` to ``columns`` under which every identity
    holds (unassigned columns are empty = 0). ``known``: values some columns must take (e.g. the same
    row in another table), to break ties. ``None`` when no assignment or more than one fits."""
    parsed = [_number(n) for n in numbers]
    if not numbers or len(numbers) > len(columns) or any(p is None for p in parsed):
        return None
    step = step_of(max(_decimals(n) for n in numbers))
    fits = []
    for combo in combinations(range(len(columns)), len(numbers)):
        values = {columns[i]: p for i, p in zip(combo, parsed, strict=True) if p is not None}
        if known and any(values.get(c, Decimal(0)) != v for c, v in known.items()):
            continue
        if all(_holds(idn, values, step) for idn in identities):
            fits.append(combo)
    if len(fits) != 1:
        return None
    chosen = [columns[i] for i in fits[0]]
    names = [f"{i.total} = {' + '.join(i.parts or ())}" if isinstance(i, ColumnSumCheck) else
             f"{i[0]} = {' + '.join(i[1])}" for i in identities]
    empty = [c for c in columns if c not in chosen]
    note = (f"{len(numbers)} 个数、{len(columns)} 列：按 {'；'.join(names)} 分配到 {'、'.join(chosen)}"
            + (f"（{'、'.join(empty)} 为空）" if empty else ""))
    return ColumnAssignment(values={c: str(n) for c, n in zip(chosen, numbers, strict=True)}, note=note)


def digit_variants(printed: str) -> list[str]:
    """Every string one digit away (replaced), or with two adjacent digits swapped."""
    s = printed.strip()
    out: set[str] = set()
    first = next((i for i, ch in enumerate(s) if ch.isdigit()), None)
    for i, ch in enumerate(s):
        if not ch.isdigit():
            continue
        for d in "0123456789":
            leading_zero = i == first and d == "0" and i + 1 < len(s) and s[i + 1].isdigit()
            if d != ch and not leading_zero:
                out.add(s[:i] + d + s[i + 1:])
    for i in range(len(s) - 1):
        if s[i].isdigit() and s[i + 1].isdigit() and s[i] != s[i + 1] and not (i == first and s[i + 1] == "0"):
            out.add(s[:i] + s[i + 1] + s[i] + s[i + 2:])
    return sorted(out)


def _fixes(term: Term, involved: list[Identity]) -> tuple[list[str], list[str]]:
    """Variants of the term's printed value under which every involved identity passes exactly / holds."""
    strict: list[str] = []
    lenient: list[str] = []
    for v in digit_variants(term.printed):
        n = _number(v)
        if n is None:
            continue
        exact = holds = True
        for idn in involved:  # stop at the first identity the variant breaks (most variants break the first)
            outcome = idn.judge({term.key: n * term.scale}).outcome
            exact = exact and outcome == Outcome.PASS
            if outcome not in (Outcome.PASS, Outcome.ROUNDING):
                holds = False
                break
        if holds:
            (strict if exact else lenient).append(v)
    return strict, lenient


def suggest_digit_repairs(tables: Sequence[Table], report: ValidationReport,
                          records: Sequence[Record] = ()) -> list[Finding]:
    judged: list[tuple[Rule, Identity]] = report.identities() or validate(tables, records, report.doc_id).identities()
    hard = [(r, i) for r, i in judged if r.severity == "error"]
    by_key: dict[str, list[Identity]] = {}
    for _, idn in hard:
        for t in idn.terms():
            by_key.setdefault(t.key, []).append(idn)
    cache: dict[str, tuple[list[str], list[str]]] = {}
    out: dict[str, Finding] = {}
    for _, idn in hard:
        if idn.judge().outcome != Outcome.FAIL:
            continue
        found: list[tuple[Term, str]] = []
        for kind in (0, 1):  # exact fixes first; fixes within rounding only when there is none
            for t in idn.terms():
                if t.state != "ok" or not t.printed.strip() or t.source is None:
                    continue
                if t.key not in cache:
                    cache[t.key] = _fixes(t, by_key[t.key])
                found += [(t, v) for v in cache[t.key][kind]]
            if found:
                break
        if len(found) == 1:
            t, new = found[0]
            key = f"{t.key}->{new}"
            out.setdefault(key, _suggestion(report.doc_id, t, new, len(by_key[t.key])))
    return list(out.values())


def _suggestion(doc_id: str, term: Term, new: str, n_rules: int) -> Finding:
    old = term.printed.strip()
    text = f"将 {term.label} 由 {old} 改为 {new} 可使 {n_rules} 条规则全部成立"
    ref = term.cell_ref()
    new_value = (_number(new) or Decimal(0)) * term.scale
    return Finding(id=finding_id(doc_id, "repair.digit", [term.key], new), doc_id=doc_id, rule_id="repair.digit",
                   severity=Severity.INFO, message=f"疑似误读：{text}", expected=new_value, actual=term.value,
                   difference=term.value - new_value, cells=[ref] if ref else [], table_ids=[term.table_id],
                   suggestion=text, proposed=new)
