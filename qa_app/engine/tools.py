"""The structured tools: a registry keyed by name, each a function over the store's validated data
that returns a cited ``Answer``. The router picks one deterministically; the optional LLM agent
calls the same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from extractor.store import Store
from qa_app.engine.catalog import Catalog, DocData
from qa_app.engine.cite import Cites
from schemas.answers import Answer, AnswerKind, AnswerTable, ChartSpec


@dataclass
class ToolCall:
    name: str
    doc_ids: list[str] = field(default_factory=list)
    args: dict[str, Any] = field(default_factory=dict)
    note: str = ""  # how the documents were chosen, said in the answer


@dataclass
class Ctx:
    store: Store
    cat: Catalog
    question: str
    call: ToolCall

    @property
    def docs(self) -> list[DocData]:
        return [d for i in self.call.doc_ids if (d := self.cat.doc(i)) is not None]


@dataclass
class Draft:
    """What a tool builds: text parts, a table, a chart and the citations."""

    cites: Cites = field(default_factory=Cites)
    parts: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    chart: ChartSpec | None = None
    warnings: list[str] = field(default_factory=list)
    kind: AnswerKind = AnswerKind.COMPUTED

    def answer(self, ctx: Ctx, **context: Any) -> Answer:
        text = "\n".join(p for p in ([ctx.call.note] if ctx.call.note else []) + self.parts if p)
        table = AnswerTable(columns=self.columns, rows=self.rows) if self.columns and self.rows else None
        slots: dict[str, str | int | list[str] | None] = {"tool": ctx.call.name, "doc_ids": ctx.call.doc_ids,
                 "orgs": list(dict.fromkeys(d.org for d in ctx.docs)),
                 "years": [str(y) for y in dict.fromkeys(d.year for d in ctx.docs if d.year)],
                 "doc_kind": ctx.docs[0].meta.kind.value if ctx.docs else None}
        for k, v in {**ctx.call.args, **context}.items():
            if v is None or isinstance(v, (str, int)):
                slots[k] = v
            elif isinstance(v, list):
                slots[k] = [str(x) for x in v]
            else:
                slots[k] = str(v)
        return Answer(question=ctx.question, text=text, kind=self.kind, tool=ctx.call.name, table=table,
                      chart=self.chart, citations=self.cites.items, warnings=self.warnings, context=slots)


Tool = Callable[[Ctx], Answer]
REGISTRY: dict[str, Tool] = {}
DESCRIPTIONS: dict[str, str] = {}


def tool(name: str, description: str) -> Callable[[Tool], Tool]:
    def register(fn: Tool) -> Tool:
        REGISTRY[name] = fn
        DESCRIPTIONS[name] = description
        return fn

    return register


def run_tool(store: Store, cat: Catalog, question: str, call: ToolCall) -> Answer:
    _load_builtin_tools()
    if call.name not in REGISTRY:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown tool '{call.name}'; known tools: {known}")
    return REGISTRY[call.name](Ctx(store, cat, question, call))


def _load_builtin_tools() -> None:
    from qa_app.engine import (  # noqa: F401
        tool_budget,
        tool_checks,
        tool_counts,
        tool_execution,
        tool_search,
        tool_spending,
    )
