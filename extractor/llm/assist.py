"""The LLM assist over one document: pick the tables the deterministic mapper may have got wrong, ask the
model for a mapping, keep it only when the checks in ``mapper`` accept it.

Candidates: unclassified tables; tables with ``repairs`` or confidence < 1 (low confidence); tables whose
records fail rules of the validator. A table is scored with the real validator: the document is validated
with that table swapped in and the evaluations that read it are counted (``rule_score``). A classified
table with nothing to gain (no failing and no not-checked evaluation) is not sent: no mapping could pass
more rules than it does.

Off when no model is configured (``BUDGETLENS_LLM`` unset and no ``model`` given): the tables come back
unchanged, with no findings and no calls.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from extractor.layout import LoadedDocument
from extractor.llm.cache import LLMCache
from extractor.llm.config import LLMSettings, chat_model, settings_from_env
from extractor.llm.mapper import RuleScore, ScoreFn, llm_map_table
from extractor.llm.tokens import number_tokens
from extractor.records import records_from_tables
from extractor.tables.segment import Segmentation
from extractor.validate import ValidationReport, validate
from extractor.validate.tolerance import Outcome
from schemas.findings import Correction, CorrectionKind, Finding, Severity
from schemas.keys import norm_key
from schemas.tables import Table, TableKind, TableStatus

log = logging.getLogger(__name__)

CACHE_FILE = "llm_cache.sqlite"  # beside the store's database
MAX_EXAMPLES = 8
_EXAMPLE_KINDS = (CorrectionKind.CELL_VALUE, CorrectionKind.COLUMN_ASSIGNMENT, CorrectionKind.TABLE_KIND,
                  CorrectionKind.NOISE_ROW)


def rule_score(report: ValidationReport, table_id: str) -> RuleScore:
    """The evaluations of ``report`` that read table ``table_id``: passed (a rounding miss passes),
    failed (errors; soft rules are left out), the rules checked, and the failures and not-checked
    evaluations as messages the model can act on."""
    passed = failed = 0
    checked: set[str] = set()
    violations: list[str] = []
    errors: list[str] = []
    failures: dict[str, int] = {}
    rows_read: set[str] = set()
    for rule, identity in report.identities():
        if table_id in identity.table_ids:
            checked.add(rule.id)
            rows_read |= {t.source[1] for t in identity.terms() if t.table_id == table_id and t.source}
            if identity.judge().outcome in (Outcome.PASS, Outcome.ROUNDING):
                passed += 1
    for f in report.findings:
        if table_id not in f.table_ids:
            continue
        if f.severity == Severity.ERROR:
            failed += 1
            failures[f.rule_id] = failures.get(f.rule_id, 0) + 1
            checked.add(f.rule_id)
            errors.append(f"[{f.rule_id}] {f.message}")
            violations.append(errors[-1])
        elif f.severity == Severity.NOT_CHECKED:
            violations.append(f"[{f.rule_id}] {f.message}")
    return RuleScore(passed=passed, checked=checked, violations=violations, failed=failed, failures=failures,
                     errors=errors, rows_read=rows_read)


def table_scorer(tables: list[Table], index: int, doc_id: str) -> ScoreFn:
    """``ScoreFn`` for ``tables[index]``: validate the document with the given table in its place."""
    memo: dict[int, tuple[Table, RuleScore]] = {}

    def score(table: Table) -> RuleScore:
        if (hit := memo.get(id(table))) is not None:
            return hit[1]
        swapped = [*tables[:index], table, *tables[index + 1:]]
        result = rule_score(validate(swapped, records_from_tables(swapped), doc_id), table.id)
        memo[id(table)] = (table, result)  # keeps the table alive, so its id is not reused
        return result

    return score


def candidates(tables: list[Table], report: ValidationReport) -> list[int]:
    failing = {tid for f in report.findings if f.severity == Severity.ERROR for tid in f.table_ids}
    out = []
    for i, t in enumerate(tables):
        if t.status == TableStatus.EMPTY:
            continue
        unclassified = t.kind == TableKind.UNCLASSIFIED or t.status == TableStatus.UNCLASSIFIED
        if unclassified or t.repairs or t.confidence < 1.0 or t.id in failing:
            out.append(i)
    return out


def _title_key(title: str) -> str:
    return re.sub(r"\d{4}年度?|预算公开表\d+|公开\d+表", "", norm_key(title))


def correction_examples(base: Table, store: Any | None, limit: int = MAX_EXAMPLES) -> list[str]:
    """Reviewer corrections on tables of the same kind (or, for an unclassified table, the same title),
    newest first, as one line each."""
    if store is None:
        return []
    titles: dict[tuple[str, str], str] = {}

    def title_of(doc_id: str, table_id: str) -> str:
        if (doc_id, table_id) not in titles:
            t = store.table(doc_id, table_id) if hasattr(store, "table") else None
            titles[(doc_id, table_id)] = t.title if t is not None else ""
        return titles[(doc_id, table_id)]

    out: list[str] = []
    for c in reversed(store.corrections()):
        table_id = c.cell.table_id if c.cell else c.table_id
        if c.kind not in _EXAMPLE_KINDS or not table_id:
            continue
        kind = table_id.split("#")[0]
        title = title_of(c.doc_id, table_id)
        same_kind = base.kind != TableKind.UNCLASSIFIED and kind == base.kind.value
        same_title = bool(title) and _title_key(title) == _title_key(base.title)
        if not (same_kind or same_title):
            continue
        text = describe_correction(c, kind, title)
        if text not in out:
            out.append(text)
        if len(out) >= limit:
            break
    return out


def describe_correction(c: Correction, kind: str, title: str) -> str:
    where = f"table '{title or kind}' ({kind})"
    why = f" (reason: {c.reason})" if c.reason else ""
    if c.kind == CorrectionKind.TABLE_KIND:
        return f"{where} is a table of kind {c.new}, not {c.old or kind}{why}"
    if c.kind == CorrectionKind.NOISE_ROW and c.cell:
        return f"{where}: row {c.cell.row_key} is not a data row{why}"
    if c.kind == CorrectionKind.COLUMN_ASSIGNMENT and c.cell:
        return f"{where}: row {c.cell.row_key}: the figure read under column {c.cell.column} belongs to column {c.new}{why}"
    cell = f"row {c.cell.row_key}, column {c.cell.column}" if c.cell else "a cell"
    return f"{where}: {cell}: value {c.old or '(empty)'} -> {c.new or '(empty)'}{why}"


def _model_name(model: Any) -> str:
    return str(getattr(model, "model_name", None) or getattr(model, "model", None) or type(model).__name__)


def llm_assist(doc: LoadedDocument, tables: list[Table], seg: Segmentation, *, store: Any | None = None,
               settings: LLMSettings | None = None, model: Any | None = None,
               cache: LLMCache | None = None) -> tuple[list[Table], list[Finding], list[dict[str, Any]]]:
    """``tables`` with accepted LLM tables swapped in, findings for rejected or failed attempts, and one
    dict per call (table, attempt, seconds, input/output tokens, cached, error)."""
    settings = settings or settings_from_env()
    if model is None:
        if settings is None:
            return tables, [], []
        try:
            model = chat_model(settings)
        except Exception as exc:  # noqa: BLE001 - a misconfigured provider must not stop ingestion
            log.warning("LLM assist unavailable: %s", exc)
            return tables, [Finding(id=f"llm-unavailable-{doc.doc_id[:8]}", doc_id=doc.doc_id, rule_id="llm.failed",
                                    severity=Severity.INFO,
                                    message=f"LLM（{settings.spec}）不可用，仅用确定性结果：{exc}"[:300])], []
    model_name = settings.spec if settings else _model_name(model)
    max_attempts = settings.max_attempts if settings else 3
    if cache is None and store is not None and getattr(store, "path", None) is not None:
        cache = LLMCache(Path(store.path).parent / CACHE_FILE)
    current = list(tables)
    report = validate(current, records_from_tables(current), doc.doc_id)
    findings: list[Finding] = []
    calls: list[dict[str, Any]] = []
    todo = candidates(current, report)
    for n, i in enumerate(todo):
        if i >= len(seg.tables):
            continue
        base, lines = current[i], seg.tables[i].rows
        if not number_tokens(lines):
            continue
        score = table_scorer(current, i, doc.doc_id)
        if base.kind != TableKind.UNCLASSIFIED and not score(base).violations:
            log.debug("llm assist: %s passes every rule it reads; not sent", base.id)
            continue
        outcome = llm_map_table(model, model_name, base, lines, score, correction_examples(base, store), cache,
                                max_attempts)
        calls += outcome.calls
        if outcome.accepted:
            current[i] = outcome.table
        elif outcome.finding is not None:
            findings.append(outcome.finding)
            if outcome.finding.rule_id == "llm.failed" and (left := len(todo) - n - 1):
                # the endpoint is down or out of quota even after the client's retries: stop for this document
                outcome.finding.message += f"；本文档其余 {left} 张候选表未发送"
                break
    return current, findings, calls
