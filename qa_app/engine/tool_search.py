"""Tool ``search``: when no structured tool fits, the best passages from the index (vector + BM25,
fused), each cited. The answer says plainly that it is a search result; when nothing relevant is
found it says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from qa_app.engine.catalog import DocData
from qa_app.engine.tools import Ctx, Draft, tool
from schemas.answers import Answer, AnswerKind
from schemas.tables import Table

if TYPE_CHECKING:  # chromadb, jieba and bm25s load on the first search, not with every computed answer
    from qa_app.index import Hit

# Words every document of this domain is full of: a match on these alone is not relevance.
GENERIC = {"花了", "多少钱", "怎么样", "是不是", "有没有", "哪里", "为什么", "原因", "时候", "今年", "去年", "请问", "告诉",
           "经费", "预算", "支出", "项目", "资金", "单位", "年度", "情况", "应急", "管理", "管理局", "部门", "财政", "多少",
           "金额", "哪些", "什么", "怎么", "如何", "是否", "工作", "说明", "公开", "一般", "公共", "安排", "本年",
           "费用", "一共", "总共", "共计"}
# Interrogative quantities (几个 / 几项 / 几辆车 / 多少个): they ask, the documents never say them.
ASKING = re.compile(r"^(?:几|多少)")
MAX_PASSAGES = 3
MAX_QUOTE = 150


def specific_words(question: str) -> set[str]:
    from qa_app.engine.bm25 import tokenize

    return {w for w in tokenize(question)
            if w not in GENERIC and len(w) >= 2 and not w.isdigit() and not ASKING.match(w)}


def relevant(question: str, hits: list[Hit], words: set[str] | None = None) -> list[Hit]:
    """Hits that share a specific (non-generic) word with the question (or with ``words``)."""
    words = specific_words(question) if words is None else words
    return [h for h in hits if words and any(w in h.text.lower() for w in words)]


def _org_words(ctx: Ctx, query: str) -> set[str]:
    """The names of the store's orgs the question uses (阳城县应急管理局, 阳城): they scope a question, not
    its topic."""
    from qa_app.engine.linking import lexicon

    q = query.lower()
    return {s.surface.lower() for s in lexicon(ctx.cat).occurring(q, ("org",))}


def split_words(ctx: Ctx, query: str, known: Callable[[str], bool]) -> tuple[set[str], list[str]]:
    """The question's topical words the index knows, and (collapsed) the ones it does not."""
    words = specific_words(query)
    orgs = _org_words(ctx, query)
    topical = {w for w in words if not any(w in o for o in orgs)}
    missing = {w for w in topical if not known(w)}
    unknown = sorted(w for w in missing if not any(w != o and w in o for o in missing))
    return topical - missing, unknown


@tool("search", "检索文件原文（说明段落、表格、项目），返回最相关的段落并注明出处。参数: query=检索词")
def search(ctx: Ctx) -> Answer:
    d = Draft(kind=AnswerKind.SEARCH)
    from qa_app.index import get_index

    query = str(ctx.call.args.get("query") or ctx.question)
    index = get_index(Path(ctx.store.path).parent)
    index.sync(ctx.store)
    doc_ids = set(ctx.call.doc_ids) if ctx.call.args.get("scoped") else None
    known, unknown = split_words(ctx, query, lambda w: index.bm25.known(w, doc_ids))
    if unknown and not known:  # nothing the question is about occurs anywhere
        d.kind = AnswerKind.NONE
        d.parts.append(f"已导入的文件中没有出现“{'、'.join(unknown)}”，无法回答这个问题。")
        return d.answer(ctx, query=query)
    # search with the words the index knows; relevance: a hit shares one of them (or, when the
    # question names only an org, one of its words)
    hits = relevant(query, index.search(query, k=12, doc_ids=doc_ids), known or None)
    if not hits:
        d.kind = AnswerKind.NONE
        d.parts.append("没有在已导入的文件中找到与这个问题相关的内容，无法回答。")
        return d.answer(ctx)
    d.parts.append("没有可直接计算的工具适用于这个问题；以下是检索到的最相关原文（检索结果，不是计算得出的答案）：")
    if unknown:
        d.parts.append(f"（文件中没有出现“{'、'.join(unknown)}”，按其余的词检索。）")
    shown = 0
    for h in hits:
        doc = ctx.cat.doc(str(h.meta.get("doc_id", "")))
        if doc is not None and (passage := _passage(d, doc, h)):
            d.parts.append(f"- {doc.label}：{passage}")
            shown += 1
        if shown >= MAX_PASSAGES:
            break
    return d.answer(ctx, query=query)


def _passage(d: Draft, doc: DocData, h: Hit) -> str:
    kind = h.meta.get("chunk")
    if kind == "narrative":
        ln = int(h.meta.get("line_start", 0))
        text = next((t for n, _, t in doc.narrative if n == ln), "")
        if len(text) < 12:
            return ""
        section = str(h.meta.get("section", ""))
        return (f"（{section}）" if section else "") + d.cites.line(doc, ln, int(h.meta.get("page", 1)), text[:MAX_QUOTE])
    table = doc.table_by_id.get(str(h.meta.get("table_id", "")))
    if kind == "project":
        ref = str(h.meta.get("record_id", ""))
        table = doc.table_by_id.get(ref.split("/")[0])
        return _row(d, doc, table, ref.split("/")[1] if "/" in ref else None, str(h.meta.get("project", "")))
    if kind == "row" and table is not None:
        return _row(d, doc, table, str(h.meta.get("row_key")), "")
    if kind == "table" and table is not None and table.label and table.kind.value in ("performance_target", "self_evaluation"):
        return _row(d, doc, table, None, table.label)
    if kind == "table" and table is not None:
        labels = "、".join(re.sub(r"\d", "", r.label) for r in table.rows[:8] if r.label)
        return f"《{table.title}》" + (f"（行：{labels}…）" if labels else "（本表无数据）")
    return ""


def _row(d: Draft, doc: DocData, table: Table | None, row_key: str | None, name: str) -> str:
    if table is None:
        return ""
    row = table.row(row_key) if row_key else next((r for r in table.rows if any(c.value.number is not None for c in r.cells)), None)
    if row is None:
        return ""
    cells = [c for c in row.cells if c.value.number is not None][:6]
    values = "，".join(f"{c.column}{d.cites.cell(doc, table, row.label, c)}" for c in cells)
    return f"《{table.title}》{name or row.label}：{values}"
