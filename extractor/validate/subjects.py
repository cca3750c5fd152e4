"""What a narrative figure names: its subject (the words before it) resolved to table cells.

Data first: ``CONCEPTS`` maps the standard subjects of a 情况说明 (收入总计, 基本支出, 三公, 机关运行经费,
政府采购 …) to candidate cells, each a sum of ``CellSpec``s; any other subject is looked up by name among
the rows of the classification, economic and project tables (exact, then by suffix, then by similarity).
A subject that names no printed cell is left unresolved (the rule reports it not checked, with the reason).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

from extractor.validate.checks import CellSpec
from extractor.validate.context import DocContext
from extractor.validate.cross import resolve
from extractor.validate.index import TableIndex, Term, base_key
from schemas.tables import Row, RowRole
from schemas.tables import TableKind as K

SUM, FIS = (K.BUDGET_SUMMARY, K.FINAL_SUMMARY), (K.BUDGET_FISCAL_SUMMARY, K.FINAL_FISCAL_SUMMARY)
INC, EXP = (K.BUDGET_INCOME, K.FINAL_INCOME), (K.BUDGET_EXPENDITURE, K.FINAL_EXPENDITURE)
GEN = (K.BUDGET_GENERAL_EXPENDITURE, K.FINAL_GENERAL_EXPENDITURE)
ECO, DET, SG, FSG = (K.BUDGET_BASIC_ECONOMIC,), (K.FINAL_BASIC_DETAIL,), (K.BUDGET_SANGONG,), (K.FINAL_SANGONG,)
OPC, STATS = (K.BUDGET_OPERATING_COST,), (K.FINAL_INFO_STATS,)
PROJ = (K.BUDGET_PROJECTS, K.BUDGET_PROJECTS_CARRYOVER)
FUND, CAPITAL = (K.BUDGET_FUND_EXPENDITURE, K.FINAL_FUND), (K.BUDGET_STATE_CAPITAL, K.FINAL_STATE_CAPITAL)
BLOCK = "{block}"  # in a column spec: 预算数 when the subject says 预算, else 决算数 (三公 决算表)


def c(tables: tuple[K, ...], row: str, column: str, side: str | None = None) -> CellSpec:
    return CellSpec(tables=tables, row=row, column=column, side=side, absent="skip")


@dataclass(frozen=True)
class Concept:
    name: str
    pattern: str  # searched in the cleaned subject
    cells: tuple[tuple[CellSpec, ...], ...] = ()  # candidates, each Σ of its cells; any equal → consistent
    reason: str = ""  # no table prints it: not checked, with this reason


def _sg(item: str, budget_row: str) -> tuple[tuple[CellSpec, ...], ...]:
    return ((c(SG, budget_row, "合计"),), (c(FSG, "数据|~.", f"{BLOCK}/{item}"),))


CONCEPTS: tuple[Concept, ...] = (
    Concept("年初预算数", r"年初预算", reason="决算报表不列年初预算数，只有情况说明给出"),
    Concept("中小企业合同金额", r"中小企业|小微企业", reason="报表不列授予中小企业的合同金额"),
    Concept("财政拨款收入总计", r"财政拨款(收入|收支)总(计|预算|额)", ((c(FIS, "收入总计|总计", "@first", "收入"),),)),
    Concept("财政拨款支出总计", r"财政拨款支出总计", ((c(FIS, "支出总计|总计", "小计|合计|@first", "支出"),),)),
    Concept("收入总计", r"收入总计|收入预算总计", ((c(SUM, "收入总计|总计", "@first", "收入"),),)),
    Concept("支出总计", r"支出总计|支出预算总计", ((c(SUM, "支出总计|总计", "@first", "支出"),),)),
    Concept("本年收入合计", r"^本年收入(合计)?$|收入合计$",
            ((c(SUM, "本年收入合计", "@first", "收入"),), (c(INC, "合计", "合计|本年收入合计"),))),
    Concept("本年支出合计", r"本年支出合计|支出合计$",
            ((c(SUM, "本年支出合计", "@first", "支出"),), (c(EXP, "合计", "合计|本年支出合计"),))),
    Concept("本年预算安排", r"[本当]年预算安排", ((c(SUM, "本年支出合计", "当年预算安排", "支出"),), (c(GEN, "合计", "合计"),))),
    Concept("当年拨款收入", r"当年拨款(收入)?$", ((c(FIS, "本年收入合计", "@first", "收入"),),)),
    Concept("上年结转", r"上年结转", ((c(SUM, "上年结转", "@first", "收入"),),
                                 (c(SUM, "本年支出合计", "上年结转安排", "支出"),),
                                 (c(FIS, "上年财政拨款结转|上年结转", "@first", "收入"),), (c(INC, "合计", "上年结转"),))),
    Concept("预算收入", r"预算收入$|收入预算$", ((c(SUM, "收入总计|总计", "@first", "收入"),),
                                            (c(SUM, "本年收入合计", "@first", "收入"),))),
    Concept("支出预算", r"支出预算$", ((c(EXP, "合计", "合计"),), (c(SUM, "支出总计|总计", "@first", "支出"),))),
    Concept("财政拨款收入", r"^财政拨款收入$", ((c(INC, "合计", "财政拨款收入"),),
                                          (c(SUM, "~^一、一般公共预算财政拨款", "@first", "收入"),
                                           c(SUM, "~^二、政府性基金预算财政拨款", "@first", "收入"),
                                           c(SUM, "~^三、国有资本经营预算财政拨款", "@first", "收入")))),
    Concept("一般公共预算收入", r"一般公共预算(拨款)?收入", ((c(SUM, "~^一、一般公共预算", "@first", "收入"),),
                                                   (c(INC, "合计", "一般公共预算"),))),
    Concept("政府性基金收入", r"政府性基金(预算)?(拨款)?收入", ((c(SUM, "~^二、政府性基金", "@first", "收入"),),
                                                   (c(INC, "合计", "政府性基金|政府性基金预算"),))),
    Concept("国有资本经营收入", r"国有资本经营(预算)?(拨款)?收入", ((c(SUM, "~^三、国有资本经营", "@first", "收入"),),
                                                     (c(INC, "合计", "国有资本经营预算|国有资本经营"),))),
    Concept("财政专户管理资金", r"财政专户管理资金", ((c(SUM, "~财政专户管理资金", "@first", "收入"),),
                                             (c(INC, "合计", "财政专户管理资金"),))),
    Concept("单位资金", r"^单位资金(收入)?$", ((c(SUM, "~单位资金", "@first", "收入"),), (c(INC, "合计", "单位资金"),))),
    Concept("一般公共预算拨款", r"一般公共预算拨款$", ((c(FIS, "支出总计|总计", "一般公共预算", "支出"),),
                                              (c(FIS, "~^一、一般公共预算", "@first", "收入"),))),
    Concept("政府性基金预算拨款", r"政府性基金预算拨款$", ((c(FIS, "支出总计|总计", "政府性基金预算", "支出"),),
                                                (c(FIS, "~^二、政府性基金", "@first", "收入"),))),
    Concept("国有资本经营预算拨款", r"国有资本经营预算拨款$", ((c(FIS, "支出总计|总计", "国有资本经营预算", "支出"),),
                                                  (c(FIS, "~^三、国有资本经营", "@first", "收入"),))),
    Concept("政府性基金预算支出", r"政府性基金预算(财政拨款)?(当年)?支出$",
            ((c(FUND, "合计", "小计|合计|本年支出合计|@first"),),)),
    Concept("国有资本经营预算支出", r"国有资本经营预算(财政拨款)?(当年)?支出$",
            ((c(CAPITAL, "合计", "合计|小计|@first"),),)),
    Concept("基本支出", r"基本支出$", ((c(EXP, "合计", "基本支出"),), (c(GEN, "合计", "基本支出"),), (c(ECO, "合计", "合计"),))),
    Concept("项目支出", r"项目支出(总额)?$", ((c(EXP, "合计", "项目支出"),), (c(GEN, "合计", "项目支出"),))),
    Concept("人员经费", r"人员经费$", ((c(ECO, "合计", "人员经费"),), (c(DET, "人员经费合计", "@first"),))),
    Concept("公用经费", r"公用经费$", ((c(ECO, "合计", "公用经费"),), (c(DET, "公用经费合计", "@first"),))),
    Concept("一般公共预算支出", r"一般公共预算.*支出$", ((c(GEN, "合计", "合计|小计"),),)),
    Concept("机关运行经费", r"机关运行经费", ((c(OPC, "部门合计|合计", "合计"),),
                                        (c(STATS, r"~^\(一\)行政单位|^机关运行经费", "统计数|@first"),
                                         c(STATS, r"~^\(二\)参照公务员法", "统计数|@first")),
                                        (c(ECO, "合计", "公用经费"),), (c(DET, "公用经费合计", "@first"),))),
    Concept("“三公”经费", r"三公", ((c(SG, "合计", "合计"),), (c(FSG, "数据|~.", f"{BLOCK}/合计"),))),
    Concept("因公出国(境)费", r"因公出国", _sg("因公出国(境)费", "~因公出国")),
    Concept("公务接待费", r"^公务接待", _sg("公务接待费", "~^公务接待")),
    Concept("公务用车购置及运行费", r"公务用车购置及运行", _sg("小计", "~公务用车购置及运行")),
    Concept("公务用车购置费", r"公务用车购置费?(支出)?$", _sg("公务用车购置费", "~公务用车购置费$")),
    Concept("公务用车运行维护费", r"公务用车运行", _sg("公务用车运行维护费", "~公务用车运行(维护)?费$")
            + ((c(DET, "30231", "@first"),),)),
    Concept("政府采购总额", r"政府采购.*(总额|合计)|^政府采购(支出|预算)?$", ((c(STATS, "合计", "统计数|@first"),),)),
    Concept("政府采购货物", r"政府采购货物", ((c(STATS, "货物", "统计数|@first"),),)),
    Concept("政府采购工程", r"政府采购工程", ((c(STATS, "工程", "统计数|@first"),),)),
    Concept("政府采购服务", r"政府采购服务", ((c(STATS, "服务", "统计数|@first"),),)),
)
GENERIC = re.compile(r"^(支出决算|决算数?|预算数?|共计|合计|总计|金额|共计金额|涉及(项目)?(金额|资金)|其中)$")
_CUT = re.compile(r"\d[\d,.]*(?:万元|元|%)?[、，,；;:：]|[、，,；;:：]")
_NUMBERING = re.compile(r"^(?:\d+|[一二三四五六七八九十]+)[、.．)）]|^[（(](?:\d+|[一二三四五六七八九十]+)[)）]")
_YEAR = re.compile(r"^\d{4}年度?")
_PUNCT = re.compile(r"[“”\"'‘’《》()（）\[\]【】<>.。,，、;；:：\s-]")
FUZZY = 0.85


def clean(subject: str) -> str:
    """The subject's last phrase, without numbering, year, '(类)' or quotes: '出375.99万元、卫生健康支出' →
    '卫生健康支出'."""
    s = unicodedata.normalize("NFKC", subject or "").replace(" ", "")
    s = re.sub(r"\(类\)", "", s)
    s = _CUT.split(s)[-1]
    s = _NUMBERING.sub("", s)
    return _YEAR.sub("", s).strip()


def name_key(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "")
    return _PUNCT.sub("", re.sub(r"^\d{3,7}", "", s))


def concept_for(subject: str) -> Concept | None:
    return next((k for k in CONCEPTS if re.search(k.pattern, subject)), None)


@dataclass
class Candidate:
    terms: list[Term]
    name: str  # where it was found, for messages


def concept_candidates(concept: Concept, subject: str, ctx: DocContext) -> tuple[list[Candidate], str]:
    """The concept's cells as printed in this document, or why none is."""
    block = "预算数" if "预算" in subject else "决算数"
    out: list[Candidate] = []
    for first, *extra in concept.cells:  # the first cell must be printed; the others add when printed
        terms: list[Term] = []
        for spec in (first, *extra):
            got = resolve(spec.model_copy(update={"column": spec.column.replace(BLOCK, block)}), ctx)
            if not isinstance(got, list):
                break
            terms += got
        if terms:
            out.append(Candidate(terms, concept.name))
    kinds = tuple(dict.fromkeys(k for specs in concept.cells for s in specs for k in s.tables))
    if concept.reason:
        return out, concept.reason
    return out, f"文档中未找到{ctx.names(kinds)}" if ctx.relevant(kinds) else "这类文档的报表不列此项"


# --- by name -------------------------------------------------------------------------------------
_NAME_TABLES: tuple[tuple[tuple[K, ...], str, str | None], ...] = (
    (GEN, "合计|小计|@first", None), (EXP, "合计|本年支出合计|@first", None), (FIS, "小计|合计|@first", "支出"),
    (SUM, "@first", "支出"), (ECO, "合计|@first", None), (DET, "@first", None), (PROJ, "合计|@first", None),
)


def _row_name(ix: TableIndex, row: Row) -> str:
    if ix.table.kind in ECO:
        return name_key(base_key(row.key).split("/")[0])
    text = row.label or base_key(row.key)
    return name_key(re.sub(r"^[一二三四五六七八九十]+、", "", unicodedata.normalize("NFKC", text)))


def _level(name: str, subject: str) -> int | None:
    """0 exact, 1 the subject ends with the name, 2 the name ends with a truncated subject, 3 similar."""
    if name == subject:
        return 0
    if len(name) >= 3 and subject.endswith(name):
        return 1
    if len(subject) >= 6 and name.endswith(subject):
        return 2
    if min(len(name), len(subject)) >= 6:
        sm = SequenceMatcher(None, name, subject, autojunk=False)
        if sm.quick_ratio() >= FUZZY and sm.ratio() >= FUZZY:
            return 3
    return None


def name_candidates(subject: str, ctx: DocContext) -> list[Candidate]:
    """Rows named by the subject: the best match level only; per table, rows sharing one name (a 部门
    经济科目 printed under two 政府经济科目) add up; several names ending alike: each, and their sum."""
    key = name_key(subject)
    if len(key) < 2:
        return []
    hits: list[tuple[int, TableIndex, Row, str]] = []
    for kinds, column, side in _NAME_TABLES:
        for ix in ctx.tables_of(kinds):
            col = ix.find_column(column, side)
            if ix.empty or col is None:
                continue
            for row in ix.side_rows(side):
                if row.role == RowRole.TOTAL:
                    continue
                lv = _level(_row_name(ix, row), key)
                if lv is not None:
                    hits.append((lv, ix, row, col))
    if not hits:
        return []
    best = min(h[0] for h in hits)
    out: list[Candidate] = []
    tables = {id(h[1]): h[1] for h in hits if h[0] == best}
    for ix in tables.values():
        rows = [(r, col) for lv, i, r, col in hits if lv == best and i is ix]
        names = {_row_name(ix, r) for r, _ in rows}
        terms = [ix.term(r, col) for r, col in rows]
        if len(names) == 1 and not any(r.code for r, _ in rows):
            out.append(Candidate(terms, ix.name))
            continue
        out += [Candidate([t], ix.name) for t in terms]
        if len(terms) > 1:
            out.append(Candidate(terms, ix.name))
    return out
