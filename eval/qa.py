"""`budgetlens eval qa`: the question-answering engine against the hand-written QA gold.

Two gold sets under ``eval/gold/qa/`` (``schemas.gold.GoldQASet``): ``tuned.json`` (the router may be
tuned on it) and ``paraphrases.json`` (the same information needs in other words; never tuned on).
``run(corpus, out)`` ingests the corpus into a fresh store in a temporary ``BUDGETLENS_HOME``, asks
every question (conversations in order, the history passed for follow-ups) in two modes:

- ``router``: the default engine, ``qa_app.engine.answer`` (deterministic: ``BUDGETLENS_LLM`` is
  switched off for the run);
- ``retrieval``: the search tool alone on the same question (all documents, no conversation state).

Scores, per set, per mode and per question kind:

- accuracy: a question is right when every expected number appears in the answer's text or table
  (compared as ``Decimal`` at the expected precision: ``5.772`` matches ``5.77``, ``200.00`` matches
  ``200``; a figure printed in 元 where 万元 is expected, or the reverse, is converted) and, when the
  gold lists ``items``, the answer lists exactly those items (its table's 项目 column, else its
  ``- name：`` lines; names compared after ``norm_key``). Kind ``not_found`` expects an explicit
  "not found" (``AnswerKind.NONE`` or a 没有找到…文件 sentence) instead.
- citation correctness: for each expected number with a gold ``cite``, the answer has a citation
  whose cell (table kind via the store, row key, column; same file) is the gold cell and whose
  printed value is that number (the value pins which of several same-kind forms is meant).

Writes ``out/qa.json`` and ``out/qa.md``; returns True iff the router's accuracy is at least
``FLOOR`` on both sets.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from schemas.answers import Answer, AnswerKind, Citation
from schemas.gold import GoldAnswerNumber, GoldCitation, GoldQASet, GoldQuestion
from schemas.keys import norm_key

GOLD_QA = Path(__file__).parent / "gold" / "qa"
SETS = ("tuned", "paraphrases")
MODES = ("router", "retrieval")
FLOOR = 0.85

_NUMBER = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(万元|元|%)?")
_BULLET = re.compile(r"^\s*[-•·]\s*(.+?)\s*[：:]", re.M)
_NOT_FOUND = re.compile(r"没有找到[^。\n]*(?:文件|单位|年度)|未导入|不在已导入|没有出现")
_ITEM_TRIM = re.compile(r"^[「『“\"'《]+|[」』”\"'》。．.，,；;：:]+$")
_CELL_UNIT = re.compile(r"(万元|元|%)$")


# --------------------------------------------------------------------------------------------
# gold


def load_sets(gold_dir: Path = GOLD_QA) -> dict[str, GoldQASet]:
    return {name: GoldQASet.model_validate_json((gold_dir / f"{name}.json").read_text(encoding="utf-8"))
            for name in SETS}


# --------------------------------------------------------------------------------------------
# comparing numbers and items


def to_decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    t = _CELL_UNIT.sub("", text.replace(",", "").replace("，", "").strip()).strip()
    try:
        return Decimal(t)
    except (InvalidOperation, ValueError):
        return None


def answer_numbers(a: Answer) -> list[tuple[Decimal, str | None]]:
    """Every figure in the answer's text and table, with the money unit printed right after it."""
    texts = [a.text]
    if a.table is not None:
        texts += [" ".join(a.table.columns)] + ["\t".join(r) for r in a.table.rows]
    out = []
    for text in texts:
        for m in _NUMBER.finditer(text):
            try:
                out.append((Decimal(m.group(1).replace(",", "")), m.group(2)))
            except InvalidOperation:
                continue
    return out


def _places(d: Decimal) -> int:
    exp = d.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def number_matches(expected: GoldAnswerNumber, value: Decimal, unit: str | None) -> bool:
    want = Decimal(expected.value.replace(",", ""))
    if expected.money_unit == "万元" and unit == "元":
        value = value / 10000
    elif expected.money_unit == "元" and unit == "万元":
        value = value * 10000
    if value == want:
        return True
    places = _places(want)
    return _places(value) > places and value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) == want


def norm_item(name: str) -> str:
    return _ITEM_TRIM.sub("", norm_key(name))


def listed_items(a: Answer) -> list[str]:
    """What the answer lists: its table's 项目 column, else its ``- name：`` lines."""
    if a.table is not None and "项目" in a.table.columns:
        col = a.table.columns.index("项目")
        return list(dict.fromkeys(r[col] for r in a.table.rows if col < len(r) and r[col].strip()))
    return list(dict.fromkeys(m.group(1) for m in _BULLET.finditer(a.text)))


def is_not_found(a: Answer) -> bool:
    return a.kind == AnswerKind.NONE or bool(_NOT_FOUND.search(a.text))


# --------------------------------------------------------------------------------------------
# citations


@dataclass(frozen=True)
class CitedCell:
    file: str
    table: str  # TableKind value
    row: str  # row key (normalised)
    column: str
    value: Decimal | None


class CellResolver:
    """A citation names a table id, a row label, a column and the printed value; the gold names the
    table kind and the row key. The store's tables translate one into the other."""

    def __init__(self, store) -> None:  # noqa: ANN001 - extractor.store.Store, imported lazily
        from qa_app.engine.catalog import load_catalog

        self.cat = load_catalog(store)

    def resolve(self, c: Citation) -> list[CitedCell]:
        if not c.table_id or c.table_id == "derived" or c.column is None:
            return []
        doc = self.cat.doc(c.doc_id)
        table = doc.table_by_id.get(c.table_id) if doc is not None else None
        if table is None:
            return []
        hits = []
        for r in table.rows:
            cell = r.cell(c.column)
            if cell is None or (c.value is not None and cell.value.printed != c.value):
                continue
            score = (2 if c.row_label in (r.label, r.key) else 0) + (1 if c.line_start and cell.provenance.line_start == c.line_start else 0)
            hits.append((score, r.key))
        if not hits:
            return []
        best = max(s for s, _ in hits)
        return [CitedCell(c.doc_name, table.kind.value, norm_key(key), norm_key(c.column), to_decimal(c.value))
                for s, key in hits if s == best]


def cite_matches(gold: GoldCitation, expected: GoldAnswerNumber, cells: list[CitedCell]) -> bool:
    want = to_decimal(expected.value)
    return any(cell.file == gold.file and cell.table == gold.table.value and cell.row == norm_key(gold.row)
               and cell.column == norm_key(gold.column) and (want is None or cell.value == want) for cell in cells)


# --------------------------------------------------------------------------------------------
# scoring one answer


@dataclass
class QuestionResult:
    id: str
    kind: str
    question: str
    follows: str | None
    correct: bool
    tool: str | None
    answer_kind: str
    missing_numbers: list[str] = field(default_factory=list)
    items_expected: list[str] = field(default_factory=list)
    items_listed: list[str] = field(default_factory=list)
    items_ok: bool = True
    cites_total: int = 0
    cites_ok: int = 0
    cite_misses: list[str] = field(default_factory=list)
    seconds: float = 0.0
    text: str = ""


def score(q: GoldQuestion, a: Answer, resolver: CellResolver, seconds: float = 0.0) -> QuestionResult:
    res = QuestionResult(id=q.id, kind=q.kind, question=q.question, follows=q.follows, correct=False, tool=a.tool,
                         answer_kind=a.kind.value, seconds=round(seconds, 3), text=a.text[:600])
    if q.kind == "not_found":
        res.correct = is_not_found(a)
        return res
    found = answer_numbers(a)
    res.missing_numbers = [f"{n.value}{n.money_unit or ''}" for n in q.numbers
                           if not any(number_matches(n, v, u) for v, u in found)]
    if q.items:
        res.items_expected = list(q.items)
        res.items_listed = listed_items(a)
        res.items_ok = {norm_item(x) for x in q.items} == {norm_item(x) for x in res.items_listed}
    res.correct = not res.missing_numbers and res.items_ok
    cells = [cell for c in a.citations for cell in resolver.resolve(c)]
    for n in q.numbers:
        if n.cite is None:
            continue
        res.cites_total += 1
        if cite_matches(n.cite, n, cells):
            res.cites_ok += 1
        else:
            res.cite_misses.append(f"{n.value} @ {n.cite.table.value}/{n.cite.row}/{n.cite.column}")
    return res


# --------------------------------------------------------------------------------------------
# running


@contextmanager
def _environment(home: Path) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("BUDGETLENS_HOME", "BUDGETLENS_LLM")}
    os.environ["BUDGETLENS_HOME"] = str(home)
    os.environ.pop("BUDGETLENS_LLM", None)  # the default router is the deterministic one
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build_store(corpus: Path, home: Path):  # noqa: ANN201 - extractor.store.Store
    from extractor.pipeline import PDF_SUFFIXES, TEXT_SUFFIXES, ingest_file
    from extractor.store import open_store

    (home / "files").mkdir(parents=True, exist_ok=True)
    store = open_store(home)
    for f in sorted(corpus.iterdir()):
        if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES | PDF_SUFFIXES:
            result = ingest_file(f, store, home)  # the store's hook indexes it (Chroma + BM25)
            if result.error:
                raise RuntimeError(f"ingest of {f.name} failed: {result.error}")
    return store


def ask_router(store, qaset: GoldQASet) -> Iterator[tuple[GoldQuestion, Answer, float]]:  # noqa: ANN001
    from qa_app.engine import answer

    histories: dict[str, list[Answer]] = {}
    for q in qaset.questions:
        history = histories.get(q.follows, []) if q.follows else []
        start = time.perf_counter()
        a = answer(store, q.question, history)
        yield q, a, time.perf_counter() - start
        histories[q.id] = [*history, a]


def ask_retrieval(store, qaset: GoldQASet) -> Iterator[tuple[GoldQuestion, Answer, float]]:  # noqa: ANN001
    from qa_app.engine.catalog import load_catalog
    from qa_app.engine.tools import ToolCall, run_tool

    for q in qaset.questions:
        cat = load_catalog(store)
        start = time.perf_counter()
        a = run_tool(store, cat, q.question, ToolCall("search", [d.id for d in cat.docs], {}))
        yield q, a, time.perf_counter() - start


def summarize(results: list[QuestionResult]) -> dict:
    def block(rs: list[QuestionResult]) -> dict:
        total = sum(r.cites_total for r in rs)
        ok = sum(r.cites_ok for r in rs)
        return {"questions": len(rs), "correct": sum(r.correct for r in rs),
                "accuracy": round(sum(r.correct for r in rs) / len(rs), 4) if rs else None,
                "cites_total": total, "cites_ok": ok, "citation": round(ok / total, 4) if total else None}

    by_kind: dict[str, list[QuestionResult]] = defaultdict(list)
    for r in results:
        by_kind[r.kind].append(r)
    return {**block(results), "by_kind": {k: block(v) for k, v in sorted(by_kind.items())},
            "follow_ups": block([r for r in results if r.follows]),
            "failures": [asdict(r) for r in results if not r.correct],
            "citation_misses": [{"id": r.id, "misses": r.cite_misses} for r in results if r.cite_misses],
            "results": [asdict(r) for r in results]}


def evaluate(corpus: Path) -> dict:
    """Ingest ``corpus`` into a fresh temporary home and score both sets in both modes."""
    sets = load_sets()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="budgetlens-eval-qa-", ignore_cleanup_errors=True) as tmp:
        home = Path(tmp) / "home"
        with _environment(home):
            store = build_store(corpus, home)
            ingest_seconds = time.perf_counter() - start
            try:
                resolver = CellResolver(store)
                report: dict = {"floor": FLOOR, "corpus": str(corpus), "ingest_seconds": round(ingest_seconds, 1),
                                "sets": {}}
                for name, qaset in sets.items():
                    modes = {}
                    for mode, asker in (("router", ask_router), ("retrieval", ask_retrieval)):
                        results = [score(q, a, resolver, s) for q, a, s in asker(store, qaset)]
                        modes[mode] = summarize(results)
                    report["sets"][name] = {"name": qaset.name, "tuned_on": qaset.tuned_on,
                                            "questions": len(qaset.questions), "modes": modes}
            finally:
                store.close()
    report["seconds"] = round(time.perf_counter() - start, 1)
    report["passed"] = all((s["modes"]["router"]["accuracy"] or 0) >= FLOOR for s in report["sets"].values())
    return report


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def markdown(report: dict) -> str:
    lines = ["# QA evaluation", "",
             f"Router accuracy floor {report['floor']:.2f} on both sets: **{'passed' if report['passed'] else 'FAILED'}** "
             f"({report['seconds']} s, of which ingest {report['ingest_seconds']} s).", "",
             "| set | tuned on | questions | mode | accuracy | citation correctness |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, s in report["sets"].items():
        for mode in MODES:
            m = s["modes"][mode]
            lines.append(f"| {name} | {'yes' if s['tuned_on'] else 'no'} | {s['questions']} | {mode} | "
                         f"{_pct(m['accuracy'])} ({m['correct']}/{m['questions']}) | "
                         f"{_pct(m['citation'])} ({m['cites_ok']}/{m['cites_total']}) |")
    for name, s in report["sets"].items():
        lines += ["", f"## {name}: per kind", "", "| kind | questions | router accuracy | router citations | "
                  "retrieval accuracy | retrieval citations |", "| --- | --- | --- | --- | --- | --- |"]
        r, v = s["modes"]["router"], s["modes"]["retrieval"]
        rows = list(r["by_kind"].items()) + [("(follow-ups)", r["follow_ups"])]
        for kind, b in rows:
            rb = v["by_kind"].get(kind) if kind in v["by_kind"] else v["follow_ups"]
            lines.append(f"| {kind} | {b['questions']} | {_pct(b['accuracy'])} | {_pct(b['citation'])} | "
                         f"{_pct(rb['accuracy'])} | {_pct(rb['citation'])} |")
        for mode in MODES:
            m = s["modes"][mode]
            lines += ["", f"### {name} / {mode}: failures ({len(m['failures'])})", ""]
            for f in m["failures"]:
                why = []
                if f["kind"] == "not_found":
                    why.append("no explicit not-found")
                if f["missing_numbers"]:
                    why.append("missing " + ", ".join(f["missing_numbers"]))
                if not f["items_ok"]:
                    exp = {norm_item(x) for x in f["items_expected"]}
                    got = {norm_item(x) for x in f["items_listed"]}
                    why.append(f"items: missing {sorted(exp - got)}, extra {sorted(got - exp)}")
                lines.append(f"- `{f['id']}` ({f['kind']}, tool {f['tool']}) {f['question']} — {'; '.join(why)}")
            if mode == "router" and m["citation_misses"]:
                lines += ["", f"### {name} / router: citations not found", ""]
                lines += [f"- `{c['id']}`: {'; '.join(c['misses'])}" for c in m["citation_misses"]]
    return "\n".join(lines) + "\n"


def run(corpus: Path, out: Path) -> bool:
    """Score the engine on both gold sets; write ``out/qa.json`` and ``out/qa.md``. True iff the
    router's accuracy is at least ``FLOOR`` on both sets."""
    out.mkdir(parents=True, exist_ok=True)
    report = evaluate(corpus)
    (out / "qa.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    report_md = markdown(report)
    (out / "qa.md").write_text(report_md, encoding="utf-8")
    print(report_md.split("\n## ")[0])
    return bool(report["passed"])
