"""``answer(store, question, history)``: link → route → tool → grounding check (→ optional LLM)."""

from __future__ import annotations

import logging
import os
import time

from extractor.store import Store
from qa_app.engine import grounding
from qa_app.engine.catalog import load_catalog
from qa_app.engine.linking import link
from qa_app.engine.router import route
from qa_app.engine.tools import ToolCall, run_tool
from schemas.answers import Answer, AnswerKind

log = logging.getLogger(__name__)


def answer(store: Store, question: str, history: list[Answer] | None = None) -> Answer:
    """Answer one question over the store. ``history``: the previous answers of this conversation
    (the last one resolves follow-ups such as 那大同呢？ / 按全年预算数算呢？ / 去年呢？)."""
    start = time.perf_counter()
    question = (question or "").strip()
    cat = load_catalog(store)
    if not question:
        return Answer(question=question, text="请输入一个问题。", kind=AnswerKind.NONE)
    if not cat.docs:
        return Answer(question=question, text="还没有导入任何文件：先运行 budgetlens ingest。", kind=AnswerKind.NONE)
    if os.environ.get("BUDGETLENS_LLM"):
        from qa_app.engine.llm import answer_with_llm

        return answer_with_llm(store, question, history)
    result = deterministic(store, question, history)
    log.debug("answered in %.3fs with %s", time.perf_counter() - start, result.tool)
    return result


def warm_up(store: Store) -> None:
    """Load what the first answers would otherwise wait for (the catalog and lexicon, the search
    index with its embedding model and tokenizer): call it once in the background at app start."""
    from pathlib import Path

    from qa_app.engine.linking import lexicon
    from qa_app.index import get_index

    lexicon(load_catalog(store))
    index = get_index(Path(store.path).parent)
    index.sync(store)
    index.search("预热", k=1)


def deterministic(store: Store, question: str, history: list[Answer] | None = None) -> Answer:
    cat = load_catalog(store)
    prev = history[-1] if history else None
    links = link(cat, question)
    call, why = route(cat, question, links, prev)
    if call is None:
        scoped = [d.id for d in cat.select(links.orgs, links.years)]
        call = ToolCall("search", scoped or [d.id for d in cat.docs], {"scoped": "1" if scoped and (links.orgs or links.years) else ""})
    elif not call.doc_ids:
        return Answer(question=question, text=why, kind=AnswerKind.NONE, tool=call.name,
                      context={"tool": call.name, **{k: v for k, v in call.args.items() if isinstance(v, (str, int))}})
    result = run_tool(store, cat, question, call)
    report = grounding.check(store, result)
    if not report.ok:
        result.warnings += [f"grounding: {p}" for p in report.problems()]
    return result
