"""The validate-and-reask loop (Instructor style) with acceptance decided by checks, not by the model:

(a) every number equals a whole number token of the table's source text and cites it, each token once
    (a number inside a sentence is a token only where the deterministic reader took it as a figure);
    a classification code must be printed in the table;
(b) by the validator: the mapped table passes more rule evaluations than the deterministic one, fails no
    rule more often, no rule becomes not-checked, and no row a rule reads is dropped.
An answer meeting (a) and (b) whose remaining failures the deterministic mapping has too (same cells, same
figures: the document's own inconsistencies) is accepted at once; one meeting them with new failures is
kept as the best so far and the model is re-asked with the violations; after the last attempt the best is
accepted, or the deterministic table stays and an ``llm.rejected`` finding says why.

Transport errors (timeouts, 429, 5xx) are retried with backoff by the client itself (``max_retries``);
a call that still fails ends the loop (with the best answer so far, or the deterministic table and an
``llm.failed`` finding). Latency and token counts are logged and returned per call.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ValidationError

from extractor.layout import SourceLine
from extractor.llm.cache import LLMCache
from extractor.llm.prompt import build_messages, reask
from extractor.llm.schema import SCHEMA_VERSION, LLMTable, response_schema
from extractor.llm.tokens import SourceToken, number_tokens, token_problems
from extractor.tables.grid import provenance
from extractor.values import parse_value
from schemas.findings import Finding, Severity
from schemas.keys import dedupe_keys, norm_key
from schemas.provenance import ExtractionPath
from schemas.tables import Cell, Row, RowRole, Table, TableKind, TableStatus

log = logging.getLogger(__name__)


class RuleScore(BaseModel):
    passed: int  # evaluations reading the table that pass (a rounding miss passes)
    checked: set[str]  # ids of rules evaluated with their inputs present
    violations: list[str] = []  # failures and not-checked evaluations, phrased for the model
    failed: int = 0  # evaluations reading the table that fail (errors, not soft rules)
    failures: dict[str, int] = {}  # rule id -> failing evaluations
    errors: list[str] = []  # the failures' messages (same cells and values give the same message)
    rows_read: set[str] = set()  # keys of the table's rows that the evaluations read


ScoreFn = Callable[[Table], RuleScore]


@dataclass
class LLMOutcome:
    table: Table  # the accepted LLM table, or the deterministic one
    accepted: bool
    finding: Finding | None = None
    attempts: int = 0
    calls: list[dict[str, Any]] = field(default_factory=list)  # latency and token counts per call


def _kind(value: str) -> TableKind | None:
    try:
        return TableKind(value)
    except ValueError:
        return None


def _printed(tok: SourceToken) -> str:
    """The whole cell when the token is its only figure (keeps 万元 / % glued to it), else the token."""
    cell = tok.line.cells[tok.cell_index].text.strip()
    whole = parse_value(cell).number
    return cell if whole is not None and whole == parse_value(tok.text).number else tok.text


_LABEL_COLUMN = re.compile(r"(名称|编码|行次|栏次)$|(^|/)(项目|科目)$")


def _value_columns(out: LLMTable, base: Table) -> list[str]:
    """The columns a row gets an empty cell in when it has no figure there (as the grid builder does), so a
    column that is empty throughout is still a column the rules can read. Label columns are left out."""
    text_cols = {c.column for r in base.rows for c in r.cells
                 if c.value.number is None and c.value.printed.strip() and c.value.kind.value == "text"}
    return [c for c in dict.fromkeys(norm_key(c) for c in out.columns)
            if c and c not in text_cols and not _LABEL_COLUMN.search(c)]


def _side(column: str) -> str:
    return column.split("/", 1)[0] if "/" in column else ""


def to_table(out: LLMTable, base: Table, tokens: list[SourceToken], model_name: str) -> Table:
    by_id = {t.id: t for t in tokens}
    value_columns = _value_columns(out, base)
    rows: list[Row] = []
    for r in out.rows:
        cells = []
        for c in r.cells:
            tok = by_id[c.token]
            prov = provenance(base.doc_id, tok.line, base.provenance.source, tok.cell_index, base.id)
            cells.append(Cell(column=norm_key(c.column), value=parse_value(_printed(tok), base.money_unit),
                              provenance=prov.model_copy(update={"path": ExtractionPath.LLM, "model": model_name})))
        code = norm_key(r.code or "") or None
        key = code or norm_key(r.label) or "数据"
        row_prov = base.provenance.model_copy(update={"path": ExtractionPath.LLM, "model": model_name})
        sides = {_side(c.column) for c in cells}
        have = {c.column for c in cells}
        cells += [Cell(column=col, value=parse_value("", base.money_unit), provenance=row_prov)
                  for col in value_columns if col not in have and cells and _side(col) in sides]
        rows.append(Row(key=key, label=r.label, code=code, role=RowRole.TOTAL if "合计" in r.label else RowRole.DATA,
                        level={3: 1, 5: 2, 7: 3}.get(len(code or "")), cells=cells, provenance=row_prov))
    for row, key in zip(rows, dedupe_keys([r.key for r in rows]), strict=True):
        row.key = key
    kind = _kind(out.kind) or base.kind
    return base.model_copy(update={"kind": kind, "rows": rows, "columns": [norm_key(c) for c in out.columns],
                                   "status": TableStatus.OK if kind != TableKind.UNCLASSIFIED else base.status})


def _where(cell: Cell) -> tuple:
    p = cell.provenance
    return (p.page, p.line_start, p.bbox, cell.value.number)


_NAMED = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def dropped_rows(base: Table, candidate: Table, read: set[str]) -> list[str]:
    """Labels of the deterministic rows that the rules read and that the candidate leaves out: no row with
    that code or name, and none of its figures cited (same printed place, same number). Leaving out a row a
    sum reads does not count as passing. Rows the deterministic reader could not name (``数据``, a figure
    taken for a label) are not held against the candidate: they are what a messy rendering breaks."""
    cited = {_where(c) for r in candidate.rows for c in r.cells if c.value.number is not None}
    names = {n for r in candidate.rows for n in (r.key, r.code, norm_key(r.label)) if n}
    out = []
    for r in base.rows:
        figures = [c for c in r.cells if c.value.number is not None]
        named = bool(r.code) or (bool(_NAMED.search(r.label or "")) and not r.key.startswith("数据"))
        if (r.role != RowRole.NOISE and r.key in read and figures and named
                and not ({r.key, r.code, norm_key(r.label)} & names) and not any(_where(c) in cited for c in figures)):
            out.append(r.label or r.key)
    return out


@dataclass
class Verdict:
    candidate: Table | None  # None: not acceptable
    problems: list[str]  # why not acceptable, or the rule failures left (to re-ask with)
    score: RuleScore | None = None
    clean: bool = False  # acceptable and every failure left was already there, with the same figures


def check(out: LLMTable, tokens: list[SourceToken], base: Table, score: ScoreFn,
          det: RuleScore, model_name: str, source_text: str = "") -> Verdict:
    """(a) then (b). Acceptable = better than the deterministic mapping by the rules; clean = acceptable
    with no failure the deterministic mapping does not have too (the document's own inconsistencies)."""
    problems = token_problems([(c.token, c.printed) for r in out.rows for c in r.cells], tokens)
    if _kind(out.kind) is None:
        problems.append(f"kind '{out.kind}' is not a known table kind")
    for r in out.rows:
        code = norm_key(r.code or "")
        if code and (not code.isdigit() or code not in set(re.findall(r"\d+", source_text))):
            problems.append(f"row '{r.label}': code {r.code} is not printed in this table")
    if problems:
        return Verdict(None, problems)
    candidate = to_table(out, base, tokens, model_name)
    mine = score(candidate)
    if missing := dropped_rows(base, candidate, det.rows_read):
        problems.append(f"{len(missing)} rows of the table are missing (every printed row with figures must be "
                        f"kept): " + "、".join(missing[:10]))
    if lost := sorted(det.checked - mine.checked):
        problems.append("rules that could be checked before cannot be checked now: " + ", ".join(lost))
    if mine.passed <= det.passed or mine.passed - mine.failed <= det.passed - det.failed:
        problems.append(f"passes {mine.passed} rule checks and fails {mine.failed}; "
                        f"the deterministic mapping passes {det.passed} and fails {det.failed}")
    if worse := sorted(r for r, n in mine.failures.items() if n > det.failures.get(r, 0)):
        problems.append("fails rules more often than the deterministic mapping: " + ", ".join(worse))
    if problems:
        return Verdict(None, problems + mine.violations, mine)
    clean = all(e in det.errors for e in mine.errors)
    return Verdict(candidate, [] if clean else mine.violations, mine, clean)


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def parse_output(text: str) -> tuple[LLMTable | None, list[str]]:
    """The reply text → the schema, or the problems to re-ask with (not JSON; fields missing or extra)."""
    body = m.group(1) if (m := _FENCE.match(text)) else text
    try:
        data = json.loads(body)
    except ValueError:
        return None, [f"the output is not valid JSON (it starts with {text.strip()[:60]!r})"]
    if not isinstance(data, dict):
        return None, ["the output is not a JSON object with kind, columns and rows"]
    try:
        return LLMTable.model_validate(data), []
    except ValidationError as exc:
        errs = [f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()[:10]]
        return None, ["the JSON does not match the schema: " + "; ".join(errs)]


def _structured(model: Any) -> Any:
    schema = response_schema()
    try:
        return model.with_structured_output(schema, method="json_schema", include_raw=True)
    except (ValueError, NotImplementedError, TypeError):  # a provider without json_schema: its default method
        return model.with_structured_output(schema, include_raw=True)


def _call(model: Any, messages: list[BaseMessage], cache: LLMCache | None, key: str) -> tuple[str, dict]:
    if cache is not None and (hit := cache.get(key)) is not None:
        return hit, {"cached": True, "seconds": 0.0, "input_tokens": 0, "output_tokens": 0}
    start = time.perf_counter()
    result = _structured(model).invoke(messages)
    raw = result["raw"]
    text = raw.content if isinstance(raw.content, str) else json.dumps(raw.content, ensure_ascii=False)
    if not text.strip() and isinstance(result.get("parsed"), dict):  # tool-call providers: the arguments
        text = json.dumps(result["parsed"], ensure_ascii=False)
    usage = getattr(raw, "usage_metadata", None) or {}
    meta = {"cached": False, "seconds": round(time.perf_counter() - start, 3),
            "input_tokens": usage.get("input_tokens"), "output_tokens": usage.get("output_tokens")}
    if cache is not None:
        cache.put(key, text)
    return text, meta


def llm_map_table(model: Any, model_name: str, base: Table, lines: list[SourceLine], score: ScoreFn,
                  examples: list[str] | None = None, cache: LLMCache | None = None,
                  max_attempts: int = 3) -> LLMOutcome:
    taken = {_where(c) for r in base.rows for c in r.cells if c.value.number is not None}

    def taken_by_reader(line: SourceLine, j: int, number: str) -> bool:
        prov = provenance(base.doc_id, line, base.provenance.source, j, base.id)
        return (prov.page, prov.line_start, prov.bbox, parse_value(number).number) in taken

    tokens = number_tokens(lines, taken_by_reader)
    source_text = "\n".join(ln.text for ln in lines)
    messages = build_messages(base.title, base.money_unit.value if base.money_unit else None, base.pages, lines,
                              tokens, examples or [])
    det = score(base)
    outcome = LLMOutcome(table=base, accepted=False)
    problems: list[str] = []
    best: tuple[int, int, Table] | None = None  # acceptable but not clean: (net passes, attempt, table)
    for attempt in range(1, max_attempts + 1):
        outcome.attempts = attempt
        key = hashlib.sha256(f"{SCHEMA_VERSION}|{model_name}|{[m.content for m in messages]}".encode()).hexdigest()
        start = time.perf_counter()
        try:
            text, meta = _call(model, messages, cache, key)
        except Exception as exc:  # noqa: BLE001 - retries exhausted: fall back to the deterministic table
            meta = {"cached": False, "seconds": round(time.perf_counter() - start, 3), "input_tokens": None,
                    "output_tokens": None, "error": type(exc).__name__}
            outcome.calls.append({"table_id": base.id, "attempt": attempt, **meta})
            log.warning("llm call failed table=%s attempt=%d %s", base.id, attempt, meta)
            if best is not None:  # an earlier answer already beat the deterministic mapping
                return _accepted(outcome, base, best[2], model_name, best[1])
            return _rejected(outcome, base, model_name, [f"call failed: {type(exc).__name__}: {exc}"[:300]],
                             rule_id="llm.failed")
        outcome.calls.append({"table_id": base.id, "attempt": attempt, **meta})
        log.info("llm call table=%s attempt=%d %s", base.id, attempt, meta)
        out, problems = parse_output(text)
        if out is not None:
            verdict = check(out, tokens, base, score, det, model_name, source_text)
            problems = verdict.problems
            if verdict.candidate is not None and verdict.clean:
                return _accepted(outcome, base, verdict.candidate, model_name, attempt)
            if verdict.candidate is not None and verdict.score is not None:
                net = verdict.score.passed - verdict.score.failed
                if best is None or net > best[0]:
                    best = (net, attempt, verdict.candidate)
        if attempt < max_attempts:
            messages = reask(messages, text, problems)
    if best is not None:  # better than the deterministic mapping, though some sums still fail
        return _accepted(outcome, base, best[2], model_name, best[1])
    return _rejected(outcome, base, model_name, problems)


def _accepted(outcome: LLMOutcome, base: Table, candidate: Table, model_name: str, attempt: int) -> LLMOutcome:
    note = f"LLM 映射（{model_name}）被采用：第 {attempt} 次回答，规则校验优于确定性映射"
    outcome.table = candidate.model_copy(update={"repairs": [*base.repairs, note]})
    outcome.accepted = True
    return outcome


def _rejected(outcome: LLMOutcome, base: Table, model_name: str, reasons: list[str],
              rule_id: str = "llm.rejected") -> LLMOutcome:
    what = "调用失败" if rule_id == "llm.failed" else "未被采用"
    msg = (f"表“{base.title}”的 LLM 映射（{model_name}）{what}（{outcome.attempts} 次尝试），保留确定性结果："
           + "；".join(reasons[:5]))
    outcome.finding = Finding(id=hashlib.sha1(f"{base.doc_id}|{rule_id}|{base.id}".encode()).hexdigest()[:16],
                              doc_id=base.doc_id, rule_id=rule_id, severity=Severity.INFO, message=msg,
                              table_ids=[base.id])
    return outcome
