"""The deterministic router: linked entities → one tool call, with the documents it applies to.

Follow-ups (那大同呢？ / 按全年预算数算呢？ / 去年呢？) keep the previous answer's tool and slots
(``Answer.context``) and replace only what the new question names.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from extractor.terms import FUNCTION, NARRATIVE, PROJECT_BUDGETS, SANGONG, SELF_EVALUATIONS
from qa_app.engine.catalog import Catalog, DocData
from qa_app.engine.linking import Links, project_names
from qa_app.engine.tools import ToolCall
from schemas.answers import Answer
from schemas.tables import DocKind

TOTALS = {"income", "expenditure", "basic", "project_exp", "personnel", "public", "share", "carryover"}
FOLLOW_UP = re.compile(r"^(那|那么|换成|如果|按|再看|还有|同样|去年|上年|今年)|呢[？?]?$")
# What a document must have for a tool to answer from it: from its terms, so choosing the documents
# loads none of them.
NEEDS: dict[str, Callable[[DocData, dict], bool]] = {
    "execution": lambda d, a: d.has(SELF_EVALUATIONS),
    "top_projects": lambda d, a: d.has(PROJECT_BUDGETS),
    "sangong": lambda d, a: d.has(SANGONG),
    "function": lambda d, a: bool({t.code for t in d.terms if t.kind == FUNCTION} & set(a.get("codes") or [])),
    "project": lambda d, a: bool(set(a.get("projects") or []) & set(project_names(d))),
    "counts": lambda d, a: d.has(NARRATIVE),
}
MAX_DOCS = 12  # documents one answer covers; a question that fits more is answered for these and says so


def intent(links: Links, counting: bool = True) -> str | None:
    """The tool for the linked question. A count asked (几个 / 多少批次、多少人次) is stated in the
    narrative, not the tables: ``counts`` (which falls back to the tool chosen with ``counting=False``)."""
    m = links.metrics
    if "checks" in m:
        return "checks"
    if "execution" in m or (links.basis and not m & TOTALS):
        return "execution"
    if counting and links.count_units:
        return "counts"
    if "sangong" in m:
        return "sangong"
    if "operating_cost" in m:
        return "operating_cost"
    if "procurement" in m:
        return "procurement"
    if (m & {"largest", "smallest"} or links.limit) and ("project" in m or "project_exp" in m):
        return "top_projects"
    if links.projects:
        return "project"
    if links.codes and (links.explicit_code or m & ({"amount", "share"} | TOTALS)):
        return "function"
    if m & TOTALS:
        return "totals"
    return None


def is_follow_up(question: str, links: Links, prev: Answer | None) -> bool:
    if prev is None or not prev.context.get("tool"):
        return False
    topical = links.metrics - {"amount", "compare", "reason", "change", "largest", "smallest", "share"}
    return bool(FOLLOW_UP.search(question.strip())) or (intent(links) is None and not topical and len(links.leftover) <= 2)


def args_for(name: str, links: Links) -> dict:
    args: dict = {}
    if links.basis:
        args["basis"] = links.basis
    if links.threshold is not None:
        args["threshold"] = f"{links.threshold:f}"
    if links.limit:
        args["limit"] = links.limit
    if "smallest" in links.metrics:
        args["smallest"] = "true"
    if links.codes:
        codes = [c for c, _ in links.codes]
        args["codes"] = [c for c in codes if not any(o != c and o.startswith(c) for o in codes)]
    if links.projects:
        args["projects"] = list(dict.fromkeys(n for _, n in links.projects))
    if links.metrics:
        args["metrics"] = sorted(links.metrics)
    if links.count_units:
        args["count_units"] = list(links.count_units)
    return args


def _prev_list(prev: Answer, key: str) -> list[str]:
    v = prev.context.get(key)
    return [str(x) for x in v] if isinstance(v, list) else ([str(v)] if v else [])


def route(cat: Catalog, question: str, links: Links, prev: Answer | None = None) -> tuple[ToolCall | None, str]:
    """The tool call (None: no tool fits, use search) and, when no document matches, why."""
    follow = is_follow_up(question, links, prev)
    name = intent(links) or (str(prev.context["tool"]) if follow and prev else None)
    args = args_for(name or "", links)
    if name == "counts":
        args["fallback"] = intent(links, counting=False) or "search"
    orgs, years = list(links.orgs), list(links.years)
    if follow and prev is not None:
        carried = {k: v for k, v in prev.context.items()
                   if k in ("basis", "threshold", "limit", "smallest", "codes", "metrics", "query", "count_units",
                            "fallback")}
        if name == "search":
            carried["scoped"] = "1"
        args = {**carried, **args}
        if not orgs:
            orgs = _prev_list(prev, "orgs")
        if not years and links.relative_year:
            years = [int(y) + links.relative_year for y in _prev_list(prev, "years")]
        elif not years and orgs == _prev_list(prev, "orgs"):
            years = [int(y) for y in _prev_list(prev, "years")]
    elif links.relative_year and not years and cat.years:
        years = [max(cat.years) + links.relative_year]
    if links.unknown_orgs:
        known = imported(cat)
        return ToolCall(name or "search", [], args), f"没有找到{'、'.join(links.unknown_orgs)}的文件（已导入：{known}）。"
    if name is None:
        return None, ""
    docs, note = select_docs(cat, name, args, orgs, years, links.kind, prev if follow else None)
    if not docs:
        want = "、".join(orgs) or "任何单位"
        when = "、".join(f"{y}年" for y in years)
        return ToolCall(name, [], args), f"没有找到{want}{when}的文件（已导入：{imported(cat)}）。"
    return ToolCall(name, [d.id for d in docs], args, note), ""


def imported(cat: Catalog) -> str:
    """What the store has, for a message: every document's label, or the first few and how many."""
    labels = [d.label for d in cat.docs[:MAX_DOCS]]
    more = f"等{len(cat.docs)}份文件" if len(cat.docs) > MAX_DOCS else ""
    return "、".join(labels) + more


def select_docs(cat: Catalog, name: str, args: dict, orgs: list[str], years: list[int], kind: DocKind | None,
                prev: Answer | None) -> tuple[list[DocData], str]:
    docs = cat.select(orgs, years, kind)
    need = NEEDS.get(name)
    fitting = [d for d in docs if need is None or need(d, args)]
    if need is not None and fitting and (not orgs or len(fitting) < len(docs)) and len(docs) > 1:
        docs = fitting
    if prev is not None and len(docs) > 1 and not years:
        kinds = {str(prev.context.get("doc_kind", ""))}
        same = [d for d in docs if d.meta.kind.value in kinds]
        docs = same or docs
    note = ""
    if len(docs) > MAX_DOCS:
        missing = "单位" if not orgs else "年度" if not years else ""
        note = ((f"问题没有限定{missing}，" if missing else "") + f"共有{len(docs)}份文件符合，以下只回答前{MAX_DOCS}份"
                f"（{'、'.join(d.label for d in docs[:MAX_DOCS])}）；请指明单位或年度以缩小范围。")
        docs = docs[:MAX_DOCS]
    elif len(docs) > 1:
        missing = "单位" if not orgs else "年度" if not years else ""
        note = (f"问题没有限定{missing}，" if missing else "") + f"以下分别回答每份文件：{'、'.join(d.label for d in docs)}。"
    return docs, note
