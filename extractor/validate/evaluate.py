"""One evaluator for the whole catalog: ``validate(tables, records, doc_id) -> ValidationReport``.

Lazy: every rule runs, every outcome is collected, nothing raises on bad data. A passing evaluation is
counted but yields no finding; a rounding miss, a failure or an evaluation whose inputs are missing
(``not_checked``, never counted as passed) yields a ``Finding`` with the cells involved.

``Finding.expected`` / ``actual`` / ``difference`` (actual − expected) are in 万元 for money (figures
printed in 元 are converted), plain numbers for counts, scores and percentages.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, get_args

from pydantic import BaseModel, Field, PrivateAttr

from extractor.validate import cross, documents, projects, statements, sums
from extractor.validate.catalog import CATALOG, Rule
from extractor.validate.checks import AnyCheck
from extractor.validate.context import DocContext
from extractor.validate.identity import Identity, Item, Passed, Skip, Violation
from extractor.validate.index import Term
from extractor.validate.tolerance import Outcome
from schemas.findings import CellRef, Finding, Severity
from schemas.records import NarrativeStatement, Record
from schemas.tables import Table, TableKind

Evaluator = Callable[[Any, Rule, DocContext], Iterator[Item]]
EVALUATORS: dict[str, Evaluator] = {
    "rollup": sums.rollup, "economic_rollup": sums.economic_rollup, "column_sum": sums.column_sum,
    "row_sum": sums.row_sum, "project_total": projects.project_total, "score_sum": cross.score_sum,
    "ratio": cross.ratio, "cross_table": cross.cross_table, "code_match": cross.code_match,
    "target_amount": projects.target_amount, "target_coverage": projects.target_coverage,
    "target_copies": projects.target_copies, "name_match": projects.name_match,
    "tables_present": documents.tables_present, "narrative": statements.narrative,
}
_DECLARED = {c.model_fields["kind"].default for c in get_args(get_args(AnyCheck)[0])}
if _DECLARED != set(EVALUATORS):  # a check kind without an evaluator (or the reverse) is a programming error
    raise RuntimeError(f"check kinds {sorted(_DECLARED ^ set(EVALUATORS))} lack a counterpart; "
                       f"known evaluators: {sorted(EVALUATORS)}")
SUFFIX = {Severity.ROUNDING: "（尾数误差）", Severity.WARNING: "（软规则，仅提示）", Severity.ERROR: ""}


class RuleCounts(BaseModel):
    rule_id: str
    title_zh: str
    severity: str
    checked: int = 0  # evaluations with all inputs: passed + rounding + errors + warnings
    passed: int = 0
    rounding: int = 0
    errors: int = 0
    warnings: int = 0  # failures of soft rules
    not_checked: int = 0


class ValidationReport(BaseModel):
    doc_id: str
    rules: dict[str, RuleCounts] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    seconds: float = 0.0
    _identities: list[tuple[Rule, Identity]] = PrivateAttr(default_factory=list)

    def identities(self) -> list[tuple[Rule, Identity]]:
        """Every identity judged (with its inputs present), for re-judging with substituted values."""
        return list(self._identities)

    def by_rule(self, rule_id: str) -> list[Finding]:
        return [f for f in self.findings if f.rule_id == rule_id]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def finding_id(doc_id: str, rule_id: str, keys: Sequence[str], extra: str = "") -> str:
    text = "|".join([doc_id, rule_id, *sorted(keys), extra])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _refs(terms: Sequence[Term]) -> list[CellRef]:
    seen: dict[str, CellRef] = {}
    for t in terms:
        if t.key not in seen and (ref := t.cell_ref()) is not None:
            seen[t.key] = ref
    return list(seen.values())


class _Collector:
    def __init__(self, report: ValidationReport, doc_id: str):
        self.report, self.doc_id = report, doc_id
        self.judged: list[tuple[Rule, Identity]] = []
        self.not_applicable: dict[tuple[str, str], tuple[Finding, list[str], list[Term]]] = {}
        self.skipped: set[tuple[str, ...]] = set()

    def add(self, rule: Rule, item: Item) -> None:
        counts = self.report.rules[rule.id]
        if isinstance(item, Passed):
            counts.checked += 1
            counts.passed += 1
        elif isinstance(item, Skip):
            key = (rule.id, item.where + item.reason, *item.table_ids)
            if key in self.skipped:  # the same reason for the same table (one check per column): once
                return
            self.skipped.add(key)
            counts.not_checked += 1
            self.finding(rule, Severity.NOT_CHECKED, f"{item.where}未检查：{item.reason}", item.terms,
                         item.table_ids, extra=item.reason)
        elif isinstance(item, Violation):
            self.fail(rule, counts)
            self.finding(rule, Severity(rule.severity), item.message, item.terms, item.table_ids, extra=item.message)
        else:
            self.identity(rule, item, counts)

    def fail(self, rule: Rule, counts: RuleCounts) -> None:
        counts.checked += 1
        if rule.severity == "warning":
            counts.warnings += 1
        else:
            counts.errors += 1

    def identity(self, rule: Rule, item: Identity, counts: RuleCounts) -> None:
        if item.blank:
            return
        j = item.judge()
        if j.outcome is None and j.not_applicable:
            self.na(rule, item, counts)
            return
        if j.outcome is None:
            counts.not_checked += 1
            self.finding(rule, Severity.NOT_CHECKED, f"{item.where}未检查：{j.reason}", item.terms(), item.table_ids)
            return
        self.judged.append((rule, item))
        if j.outcome == Outcome.PASS:
            counts.checked += 1
            counts.passed += 1
            return
        if j.outcome == Outcome.ROUNDING:
            counts.checked += 1
            counts.rounding += 1
            severity = Severity.ROUNDING
        else:
            self.fail(rule, counts)
            severity = Severity(rule.severity)
        f = self.finding(rule, severity, item.message(j, SUFFIX[severity]), item.terms(), item.table_ids)
        f.expected, f.actual, f.difference = j.expected, j.actual, j.difference

    def na(self, rule: Rule, item: Identity, counts: RuleCounts) -> None:
        """Inputs printed —— (not applicable in this layout): one not-checked finding per rule and table,
        listing every place, instead of one per cell."""
        table = (item.table_ids or [""])[0]
        where = item.where.rstrip("：: ") or "（无位置）"
        got = self.not_applicable.get((rule.id, table))
        if got is None:
            counts.not_checked += 1
            f = self.finding(rule, Severity.NOT_CHECKED, "", item.terms(), item.table_ids)
            got = self.not_applicable[(rule.id, table)] = (f, [], [])
        f, wheres, terms = got
        wheres.append(where)
        terms += [t for t in item.terms() if t.state == "na"]
        f.message = (f"未检查：{len(wheres)} 处的输入为“——”（不适用，本版式不打印），"
                     f"无法核对：{'；'.join(wheres)}")
        f.cells = _refs(terms) or f.cells

    def finding(self, rule: Rule, severity: Severity, message: str, terms: Sequence[Term], table_ids: Sequence[str],
                extra: str = "") -> Finding:
        refs = _refs(terms)
        keys = [str(r.key.model_dump()) for r in refs]
        f = Finding(id=finding_id(self.doc_id, rule.id, keys, "" if refs else extra + "|".join(table_ids)),
                    doc_id=self.doc_id, rule_id=rule.id, severity=severity, message=message, cells=refs,
                    table_ids=list(dict.fromkeys([*table_ids, *(r.key.table_id for r in refs)])))
        self.report.findings.append(f)
        return f


def _check_kinds(rule: Rule, check: Any) -> tuple[TableKind, ...]:
    if check.kind == "cross_table":
        return tuple(k for s in check.left + check.right for k in s.tables)
    if check.kind == "code_match":
        return check.left.tables + check.right.tables
    return check.only or rule.tables


def validate(tables: Sequence[Table], records: Sequence[Record], doc_id: str,
             rules: Sequence[Rule] = CATALOG, statements: Sequence[NarrativeStatement] = ()) -> ValidationReport:
    """``statements``: the narrative's figures (``extractor.narrative.parse_statements``); without them the
    ``narrative.*`` rules have nothing to check."""
    start = time.perf_counter()
    ctx = DocContext(tables, records, doc_id, statements)
    report = ValidationReport(doc_id=doc_id)
    collect = _Collector(report, doc_id)
    for rule in rules:
        report.rules[rule.id] = RuleCounts(rule_id=rule.id, title_zh=rule.title_zh, severity=rule.severity)
        for check in rule.checks:
            if not ctx.applies(_check_kinds(rule, check)):
                continue
            try:
                for item in EVALUATORS[check.kind](check, rule, ctx):
                    collect.add(rule, item)
            except Exception as exc:  # a bug or unforeseen data must not stop the other rules
                collect.add(rule, Skip(f"校验出错（{type(exc).__name__}: {exc}）"))
    report._identities = collect.judged
    report.seconds = round(time.perf_counter() - start, 4)
    return report
