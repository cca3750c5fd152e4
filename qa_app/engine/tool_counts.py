"""Tool ``counts``: how many (几个 / 多少批次 / 几辆): counts are stated in the narrative (设16个内设股室,
共接待8批次，73人次, 实有8辆, 安排了7项…), not in the tables. The answer quotes the narrative
sentence that states a count in the unit asked and shares most with the question, cited to its line
(narrative lines come from the store, so PDF inputs work too). When no sentence fits, the tool the
question would otherwise go to answers (``fallback``), else search.
"""

from __future__ import annotations

import re

from qa_app.engine.catalog import DocData
from qa_app.engine.linking import QUESTION_WORDS, asked_count_units, lexicon
from qa_app.engine.sourcetext import sentences
from qa_app.engine.tools import Ctx, Draft, ToolCall, run_tool, tool
from schemas.answers import Answer

MAX_QUOTE = 150
_CLAUSE = re.compile(r"(?<=[，,：:])")
# Units a following character turns into another word (人员, 项目, 次数 ...).
_NOT_AFTER = {"人": "次员民均", "项": "目", "次": "数", "个": "人"}
# Units that say what is counted (辆: vehicles; 批次/人次: receptions); any other unit (个, 项 ...) needs a
# word of the question (two characters in a row) in the sentence too.
TELLING_UNITS = {"辆", "批次", "人次"}
# Characters too common to say what a sentence is about.
_FUNCTION_CHARS = set("的了是有在和与及共为对把被从向其中年月日各这那个项")


def count_pattern(unit: str) -> re.Pattern[str]:
    after = _NOT_AFTER.get(unit, "")
    return re.compile(rf"\d+\s*{re.escape(unit)}" + (f"(?![{after}])" if after else ""))


def _topic(ctx: Ctx, question: str) -> str:
    """The question without org names, years, the asking words (几个 / 多少人次) and question words."""
    text = question
    for s in lexicon(ctx.cat).occurring(question, ("org",)):
        if s.surface in text:
            text = text.replace(s.surface, " ")
    text = re.sub(r"(?:几|多少)\s*(?:批次|人次|[^\s\d，。？?、,]?)", " ", text)
    text = re.sub(r"20\d{2}\s*年度?|\d+", " ", QUESTION_WORDS.sub(" ", text))
    return re.sub(r"[^\u4e00-\u9fff]+", " ", text)


def _score(topic: str, sentence: str) -> tuple[int, int]:
    chars = {c for c in topic if c.strip() and c not in _FUNCTION_CHARS}
    bigrams = {topic[i:i + 2] for i in range(len(topic) - 1) if " " not in topic[i:i + 2]}
    return sum(b in sentence for b in bigrams), sum(c in sentence for c in chars)


def _quote(sentence: str, patterns: list[re.Pattern[str]]) -> str:
    """The sentence, or (when long) the clauses from the first to the last count asked."""
    if len(sentence) <= MAX_QUOTE:
        return sentence
    clauses = _CLAUSE.split(sentence)
    hit = [i for i, c in enumerate(clauses) if any(p.search(c) for p in patterns)]
    quote = "".join(clauses[hit[0]:hit[-1] + 1])
    if len(quote) > MAX_QUOTE:
        quote = clauses[hit[0]]
    if len(quote) > MAX_QUOTE:  # one long clause (a list of names): the stretch around the count
        m = next(m for p in patterns if (m := p.search(quote)))
        start = max(0, min(m.start() - MAX_QUOTE // 2, len(quote) - MAX_QUOTE))
        quote = quote[start:start + MAX_QUOTE]
    return quote.rstrip("，,：:")


def best_sentence(ctx: Ctx, doc: DocData, question: str, units: list[str]) -> tuple[int, int, str] | None:
    """(line, page, quote) of the narrative sentence that best states the count asked."""
    patterns = [count_pattern(u) for u in units]
    topic = _topic(ctx, question)
    best: tuple[tuple, int, int, str] | None = None
    for ln, pg, text in doc.narrative:
        if "....." in text or "…" * 3 in text:
            continue
        for sent in sentences(text):
            found = sum(bool(p.search(sent)) for p in patterns)
            if not found:
                continue
            bigrams, chars = _score(topic, sent)
            telling = any(u in TELLING_UNITS and p.search(sent) for u, p in zip(units, patterns, strict=True))
            if not bigrams and not (telling and chars):
                continue
            key = (found, bigrams, chars, -len(sent))
            if best is None or key > best[0]:
                best = (key, ln, pg, _quote(sent, patterns))
    return best[1:] if best else None


@tool("counts", "数量（几个、多少项、多少批次/人次、几辆车）：引用情况说明中写明该数量的句子。参数: query=问题")
def counts(ctx: Ctx) -> Answer:
    question = str(ctx.call.args.get("query") or ctx.question)
    units = list(ctx.call.args.get("count_units") or asked_count_units(question))
    d = Draft()
    missing = []
    for doc in ctx.docs:
        hit = best_sentence(ctx, doc, question, units) if units else None
        if hit is None:
            missing.append(doc)
            continue
        ln, pg, quote = hit
        d.parts.append(f"{doc.label}（情况说明）：{d.cites.line(doc, ln, pg, quote)}")
    if not d.parts:
        fallback = str(ctx.call.args.get("fallback") or "search")
        fallback = fallback if fallback != "counts" else "search"
        args = {k: v for k, v in ctx.call.args.items() if k not in ("fallback", "count_units")}
        if fallback == "search":
            args = {"scoped": "1", "query": question}
        return run_tool(ctx.store, ctx.cat, ctx.question, ToolCall(fallback, ctx.call.doc_ids, args, ctx.call.note))
    if missing:
        d.parts.append(f"{'、'.join(doc.label for doc in missing)}的情况说明没有写明这个数量。")
    return d.answer(ctx, query=question, count_units=units)
