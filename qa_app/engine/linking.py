"""Entity linking: orgs (and their short forms), years, document kinds, classification codes and
names, project names (fuzzy), metric words and numbers. Everything is built from what is in the
store; only the domain vocabulary (metric synonyms, place suffixes) is written here.

Matching is longest-first over one span table, so a project name (应急救援专项资金) wins over
the function name inside it (应急救援), and an org name masks the 应急管理 inside it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import LCSseq

from extractor.terms import FUNCTION, ORG, PROJECT
from qa_app.engine.catalog import Catalog, DocData
from schemas.keys import norm_key
from schemas.tables import DocKind

METRICS: dict[str, tuple[str, ...]] = {
    "checks": ("对不上", "不一致", "一致吗", "是否一致", "相符", "不符", "勾稽", "校验", "核对", "不平", "加不上",
               "算不对", "有问题", "错误"),
    "execution": ("执行率", "执行情况", "执行偏低", "预算执行", "执行得", "没花完", "未执行", "执行", "结余"),
    "sangong": ("三公", "公务接待", "公务用车", "因公出国"),
    "operating_cost": ("机关运行经费", "运行经费"),
    "procurement": ("政府采购", "采购"),
    "largest": ("最大", "最多", "最高", "前几", "排名", "排行", "top", "Top", "TOP"),
    "smallest": ("最小", "最少", "最低"),
    "income": ("收入总计", "总收入", "收入总额", "收入合计", "本年收入", "收入"),
    "expenditure": ("支出总计", "总支出", "支出总额", "支出合计", "本年支出", "支出"),
    "basic": ("基本支出",),
    "project_exp": ("项目支出",),
    "personnel": ("人员经费",),
    "public": ("公用经费",),
    "carryover": ("上年结转", "结转"),
    "share": ("占比", "比重", "各占", "占多少", "结构", "构成", "比例"),
    "change": ("增减", "变化", "变动", "比上年", "增加", "减少", "增长", "下降", "同比"),
    "reason": ("原因", "为什么", "为何"),
    "compare": ("比较", "对比", "相比", "哪个单位", "各单位", "哪家", "分别"),
    "project": ("项目",),
    "amount": ("多少", "金额", "安排", "是多少", "预算数"),
}
BASIS = {"adjusted": ("全年预算数", "全年预算", "调整后预算", "调整后"), "initial": ("年初预算数", "年初预算", "预算编制数", "年初")}
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_PLACE = re.compile(r"^(?P<place>.{2,8}?[省市县区旗州盟])")
QUESTION_WORDS = re.compile(r"花了多少钱|花了|用了|是多少|有多少|多少钱|多少|是什么|有哪些|哪些|哪个|什么|怎么样|怎样|如何|为什么|"
                            r"情况|安排了|安排|呢|吗|的|了|是|有|年|按|算|那|那么|请问|一下|告诉我")
_ORG_LIKE = re.compile(r"[\u4e00-\u9fff]{2,6}?[省市县区][\u4e00-\u9fff]{0,8}?(?:局|委员会|办公室|厅|中心)")
# A budget document named as such: 2024年预算 / 年度预算 / 今年预算 / 预算公开 / 部门预算, but not a basis
# (全年预算(数)、年初预算、调整后预算) nor 预算执行 / 预算数 / 预算编制 / 预算安排.
BUDGET_DOC = re.compile(r"预算公开|部门预算|单位预算|(?:\d{2,4}\s*年度?|(?<![全初])年度|[今明本]年度?)预算(?!执行|数|编制|安排)")
# A count asked for (几个股室 / 多少批次、多少人次 / 几辆车 / 几项): the unit, longest first.
COUNT_ASK = re.compile(r"(?:几|多少)\s*(批次|人次|个|项|辆|批|名|人|家|所|台|套|条|处|次|位)")
_PROJECT_PREFIX = re.compile(r"^(?:XM|[ZJX2])(?=[\u4e00-\u9fff])")


@dataclass
class Span:
    surface: str
    kind: str  # org | project | function | metric
    value: str  # org name / project key / code / metric name
    doc_id: str | None = None


@dataclass
class Links:
    orgs: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    relative_year: int | None = None  # -1 for 去年/上年
    kind: DocKind | None = None
    codes: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    projects: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, project name)
    metrics: set[str] = field(default_factory=set)
    basis: str | None = None
    limit: int | None = None
    threshold: Decimal | None = None
    numbers: list[str] = field(default_factory=list)
    unknown_orgs: list[str] = field(default_factory=list)  # org-like names the store does not have
    explicit_code: bool = False  # a code was typed (2240108), not only a name
    count_units: list[str] = field(default_factory=list)  # units of the counts asked (批次, 人次, 个 ...)
    leftover: str = ""  # what no entity, metric or question word accounts for


def org_aliases(org: str) -> set[str]:
    out = {org, org.replace("管理局", "局")}
    if m := _PLACE.match(org):
        place = m.group("place")
        core = place[:-1] if len(place) > 2 else place
        rest = org[len(place):]
        out |= {place, core, core + rest, core + rest.replace("管理局", "局")}
    return {a for a in out if len(a) >= 2}


def project_aliases(name: str) -> set[str]:
    out = {name, norm_key(name)}
    if (stripped := _PROJECT_PREFIX.sub("", name)) != name:
        out.add(stripped)
    return {a for a in out if len(a) >= 4}


@dataclass
class Lexicon:
    spans: list[Span]  # longest surface first
    projects: dict[str, list[tuple[str, str]]]  # alias -> [(doc_id, name)]
    functions: dict[str, str]  # code -> name
    # first two characters -> lengths of the surfaces starting with them; surface -> (position in spans, span)
    _heads: dict[str, set[int]] = field(default_factory=dict)
    _by_surface: dict[str, list[tuple[int, Span]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for i, s in enumerate(self.spans):
            self._heads.setdefault(s.surface[:2], set()).add(len(s.surface))
            self._by_surface.setdefault(s.surface, []).append((i, s))

    def occurring(self, text: str, kinds: Collection[str] | None = None) -> list[Span]:
        """The spans whose surface occurs in ``text``, in ``spans`` order (longest first): a set lookup
        per position and surface length, not a scan of every span (10,000 documents make ~2x10^5)."""
        found: dict[int, Span] = {}
        for pos in range(len(text)):
            for n in self._heads.get(text[pos:pos + 2], ()):
                for i, s in self._by_surface.get(text[pos:pos + n], ()):
                    if kinds is None or s.kind in kinds:
                        found[i] = s
        return [found[i] for i in sorted(found)]


def project_names(doc: DocData) -> list[str]:
    return [t.value for t in doc.terms if t.kind == PROJECT]


def lexicon(cat: Catalog) -> Lexicon:
    if "lexicon" not in cat.extras:
        cat.extras["lexicon"] = build_lexicon(cat)
    return cat.extras["lexicon"]


def build_lexicon(cat: Catalog) -> Lexicon:
    """From the documents' terms (``extractor.terms``): no document is loaded."""
    spans: list[Span] = []
    projects: dict[str, list[tuple[str, str]]] = {}
    functions: dict[str, str] = {}
    for d in cat.docs:
        for org in {d.org} | {t.value for t in d.terms if t.kind == ORG}:
            spans += [Span(a, "org", d.org, d.id) for a in org_aliases(org)]
        for name in project_names(d):
            for a in project_aliases(name):
                projects.setdefault(a, []).append((d.id, name))
                spans.append(Span(a, "project", name, d.id))
        for t in d.terms:
            if t.kind == FUNCTION:
                functions.setdefault(t.code, t.value)
    spans += [Span(name, "function", code) for code, name in functions.items() if len(name) >= 2]
    for metric, words in METRICS.items():
        spans += [Span(w, "metric", metric) for w in words]
    spans.sort(key=lambda s: -len(s.surface))
    return Lexicon(spans=spans, projects=projects, functions=functions)


def _cn_int(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if len(text) == 2 and text[0] == "十":
        return 10 + _CN_NUM.get(text[1], 0)
    return _CN_NUM.get(text)


def asked_count_units(question: str) -> list[str]:
    return list(dict.fromkeys(COUNT_ASK.findall(question)))


def link(cat: Catalog, question: str) -> Links:
    lex = lexicon(cat)
    q = question.replace("（", "(").replace("）", ")")
    links = Links()
    masked = q
    taken: set[str] = set()
    for s in lex.occurring(q):
        if s.surface in masked or s.surface in taken:  # every span of a surface (a name printed two ways)
            masked = masked.replace(s.surface, "\0" * len(s.surface))
            taken.add(s.surface)
            _take(links, s)
    if not links.projects:
        links.projects = fuzzy_projects(lex, masked)
    _scalars(links, q, masked, lex.functions)
    links.unknown_orgs = [m.group(0) for m in _ORG_LIKE.finditer(q) if not _known_org(lex, m.group(0))]
    links.leftover = re.sub(r"[\0\W\d]|" + QUESTION_WORDS.pattern, "", masked)
    return links


def _known_org(lex: Lexicon, name: str) -> bool:
    """Whether ``name`` ends with an org name (or alias of 4+ characters) the store has."""
    return any(name.endswith(s.surface) for s in lex.occurring(name, ("org",)) if len(s.surface) >= 4)


def _take(links: Links, s: Span) -> None:
    if s.kind == "org" and s.value not in links.orgs:
        links.orgs.append(s.value)
    elif s.kind == "project" and s.doc_id and (s.doc_id, s.value) not in links.projects:
        links.projects.append((s.doc_id, s.value))
    elif s.kind == "function" and (s.value, s.surface) not in links.codes:
        links.codes.append((s.value, s.surface))
    elif s.kind == "metric":
        links.metrics.add(s.value)


def fuzzy_projects(lex: Lexicon, text: str) -> list[tuple[str, str]]:
    """Project names nearly quoted in the question: a typo (edit ratio ≥ 88), or most of the name
    in order with words left out (第二城市消防站装备购置 → …消防站应急灭火救援装备购置). Scored for
    every (chunk, alias) pair at once (rapidfuzz ``cdist``): 10,000 documents have ~10^4 aliases."""
    chunks = [c for c in re.split(r"[\0\s，。？?、,]+", QUESTION_WORDS.sub("", text)) if len(c) >= 4]
    aliases = list(lex.projects)
    if not chunks or not aliases:
        return []
    lcs = process.cdist(chunks, aliases, scorer=LCSseq.similarity).astype(np.float64).T  # (alias, chunk)
    ratio = process.cdist(chunks, aliases, scorer=fuzz.ratio).astype(np.float64).T / 100
    alias_len = np.array([len(a) for a in aliases], dtype=np.float64)[:, None]
    chunk_len = np.array([len(c) for c in chunks], dtype=np.float64)[None, :]
    covered = (lcs >= 6) & (lcs / chunk_len >= 0.85) & (lcs / alias_len >= 0.5)
    score = np.maximum(ratio, np.where(covered, (lcs / chunk_len + lcs / alias_len) / 2, 0))
    best: list[tuple[float, str, str]] = []
    for a, c in zip(*np.nonzero((ratio >= 0.88) | covered), strict=True):  # alias-major, as a double loop would
        best += [(float(score[a, c]), d, n) for d, n in lex.projects[aliases[a]]]
    best.sort(key=lambda x: -x[0])
    top = best[0][0] if best else 0
    return list(dict.fromkeys((d, n) for s, d, n in best if s >= top - 0.02))


def _scalars(links: Links, q: str, masked: str, functions: dict[str, str]) -> None:
    for y in re.findall(r"(20\d{2})\s*年?", masked):
        if int(y) not in links.years:
            links.years.append(int(y))
    if re.search(r"去年|(?<![比较与同])上一?年度?(?!结转|预算数|相比)|前一年", q):
        links.relative_year = -1
    final, budget = "决算" in q, bool(BUDGET_DOC.search(q))
    if final != budget:  # naming both (2024年决算和2025年预算) filters neither
        links.kind = DocKind.FINAL_ACCOUNTS if final else DocKind.BUDGET
    for basis, words in BASIS.items():
        if any(w in q for w in words):
            links.basis = basis
            break
    if m := re.search(r"(?:前|(?:最大|最高|最多|最低|最小|最少)的?|top\s*)([0-9]+|[一二两三四五六七八九十]{1,2})", q, re.I):
        links.limit = _cn_int(m.group(1))
    elif m := re.search(r"([0-9]+|[一二两三四五六七八九十]{1,2})\s*个(?:最|项目)", q):
        links.limit = _cn_int(m.group(1))
    if m := re.search(r"(?:低于|不足|小于|未达到?|不到)\s*([0-9]+(?:\.[0-9]+)?)\s*%", q):
        links.threshold = Decimal(m.group(1))
    links.numbers = re.findall(r"\d+(?:\.\d+)?", q)
    links.count_units = asked_count_units(q)
    for code in re.findall(r"(?<![\d.])(\d{7}|\d{5}|\d{3})(?![\d.%])", masked):
        if len(code) > 3 or code in functions:
            links.explicit_code = True
            if all(code != c for c, _ in links.codes):
                links.codes.append((code, functions.get(code, "")))
