"""Grounding: every number an answer shows must be a cited value.

``check(store, answer)`` extracts the numbers of the text and the table and verifies that
- each number equals (numerically, as printed) the value of one of the answer's citations;
- each cell citation names a cell that exists in the store with that printed value;
- each quoted span 「…」 is cited and appears verbatim on the cited source lines (numbers inside a
  verified quote are grounded by it);
- each derived citation (``table_id="derived"``, see ``cite``) recomputes from operands that are
  themselves cited values: ``pct`` a÷b×100, ``diff`` a−b, ``sum``, ``div``; ``count``/``param``/``check``
  carry no arithmetic.
Years (2024年), classification codes, and names (orgs, projects, tables, row labels) are not claims.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from extractor.store import Store
from qa_app.engine.catalog import Catalog, load_catalog
from qa_app.engine.cite import DERIVED, quantize, to_decimal
from qa_app.engine.linking import lexicon
from qa_app.engine.sourcetext import line_at
from schemas.answers import Answer, Citation

NUMBER = re.compile(r"(?<![A-Za-z0-9.,_])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![A-Za-z0-9_])")
QUOTE = re.compile(r"「([^」]*)」")
_OPS = {"pct": lambda a: a[0] / a[1] * 100, "diff": lambda a: a[0] - a[1], "sum": sum, "div": lambda a: a[0] / a[1]}
_NO_ARITHMETIC = {"count", "param", "check"}


@dataclass
class Report:
    numbers: int = 0
    ungrounded: list[str] = field(default_factory=list)  # numbers in the answer no citation carries
    bad_citations: list[str] = field(default_factory=list)  # citations that do not check out
    bad_quotes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.ungrounded or self.bad_citations or self.bad_quotes)

    def problems(self) -> list[str]:
        return ([f"未被引用的数字: {', '.join(self.ungrounded)}"] if self.ungrounded else []) + self.bad_citations + [
            f"引文与原文不符: {q}" for q in self.bad_quotes]


def numbers_in(text: str) -> list[str]:
    return NUMBER.findall(text)


def verify_citation(store: Store, cat: Catalog, c: Citation) -> str | None:
    """None when the citation checks out against the store, else the reason."""
    if c.table_id == DERIVED:
        return None  # checked by recomputation
    if c.column:
        row = store.db.execute("SELECT 1 FROM cells WHERE doc_id=? AND table_id=? AND column_name=? AND printed=? "
                               "AND row_label=?", (c.doc_id, c.table_id, c.column, c.value, c.row_label)).fetchone()
        return None if row else f"单元格不存在: {c.table_id}/{c.row_label}/{c.column}={c.value}"
    doc = cat.doc(c.doc_id)
    if doc is None or c.line_start is None or not c.value:
        return f"引文缺少来源: {c.value}"
    text = " ".join(line_at(store, doc, n) or "" for n in range(c.line_start, (c.line_end or c.line_start) + 1))
    return None if _squash(c.value) in _squash(text) else f"引文不在第{c.line_start}行: {c.value[:30]}"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _recompute(c: Citation, values: set[Decimal]) -> str | None:
    op = (c.column or "").split(":", 1)[-1]
    if op in _NO_ARITHMETIC:
        return None
    m = re.fullmatch(r"\w+\((.*)\)", c.table_title or "")
    operands = [to_decimal(x) for x in (m.group(1).split(", ") if m else [])]
    result = to_decimal(c.value)
    if op not in _OPS or result is None or not operands or any(o is None for o in operands):
        return f"派生数无法复算: {c.table_title} = {c.value}"
    missing = [o for o in operands if o not in values]
    if missing:
        return f"派生数的操作数未被引用: {c.table_title}"
    try:
        exact = _OPS[op](operands)
    except (ArithmeticError, ZeroDivisionError):
        return f"派生数无法复算: {c.table_title}"
    places = max(-result.as_tuple().exponent, 0)  # type: ignore[operator]
    trunc = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
    return None if result in (quantize(exact, places), trunc) else f"派生数复算不符: {c.table_title} ≠ {c.value}"


def _names(cat: Catalog, answer: Answer, texts: list[str]) -> list[str]:
    """The names (orgs, projects, functions, row labels, titles, document labels) that occur in the
    answer's texts: their digits are not claims."""
    spans = lexicon(cat).occurring("\n".join(texts), ("org", "project", "function"))
    names = {s.surface for s in spans}
    for c in answer.citations:
        if c.table_id != DERIVED:
            names |= {x for x in (c.row_label, c.table_title, c.doc_name) if x}
    orgs = {s.value for s in spans if s.kind == "org"}
    names |= {d.label for d in cat.select(sorted(orgs))}
    return sorted(names, key=len, reverse=True)


def check(store: Store, answer: Answer, allowed: set[str] | None = None) -> Report:
    cat = load_catalog(store)
    rep = Report()
    values: set[Decimal] = set()
    quotes = {c.value for c in answer.citations if c.value and not c.column and c.table_id is None}
    for c in answer.citations:
        if (reason := verify_citation(store, cat, c)) is not None:
            rep.bad_citations.append(reason)
        elif (v := to_decimal(c.value)) is not None:
            values.add(v)
    for c in answer.citations:
        if c.table_id == DERIVED and (reason := _recompute(c, values)) is not None:
            rep.bad_citations.append(reason)
    texts = [answer.text] + [cell for row in (answer.table.rows if answer.table else []) for cell in row]
    skip = _skip_numbers(cat, answer.question) | (allowed or set())
    names = _names(cat, answer, texts)
    for text in texts:
        _check_text(text, quotes, names, values, skip, rep)
    return rep


def _skip_numbers(cat: Catalog, question: str) -> set[str]:
    codes = set(lexicon(cat).functions)
    return codes | set(numbers_in(question)) | {str(y) for y in cat.years}


def _check_text(text: str, quotes: set[str], names: list[str], values: set[Decimal], skip: set[str], rep: Report) -> None:
    for q in QUOTE.findall(text):
        if q not in quotes:
            rep.bad_quotes.append(q[:40])
    rest = QUOTE.sub(" ", text)
    for n in names:
        if n in rest:
            rest = rest.replace(n, " ")
    rest = re.sub(r"(?:19|20)\d{2}(?=\s*年)", " ", rest)
    for tok in numbers_in(rest):
        rep.numbers += 1
        if tok in skip:
            continue
        v = to_decimal(tok)
        if v is None or v not in values:
            rep.ungrounded.append(tok)


def strip_ungrounded(text: str, tokens: list[str]) -> str:
    """Remove ungrounded numbers (and the unit right after them) from a generated text."""
    for tok in sorted(set(tokens), key=len, reverse=True):
        text = re.sub(rf"(?<![\d.,]){re.escape(tok)}(?![\d])\s*(?:万元|元|%|个)?", "[已删除未核实的数字]", text)
    return text
