"""The table catalog: what each standard table kind looks like, kept as data.

A template recognises a table by its title (patterns over the normalised title, most specific
first), its label (预算公开表N / 公开0N表) and, for tables printed without a title, its first header
cell. It also says how rows are keyed and which row identity can settle an ambiguous column
assignment. Nothing here names a document or an org: templates describe table kinds.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from schemas.tables import DocKind, TableKind


class RowSum(BaseModel):
    """total column = Σ part columns, on every data row (used to settle column assignments)."""

    total: str
    parts: list[str]


class TableTemplate(BaseModel):
    kind: TableKind
    doc_kind: DocKind
    zh: str  # the standard name
    titles: list[str]  # regexes over the normalised title (no year, no quotes)
    exclude: list[str] = Field(default_factory=list)
    layout: Literal["grid", "two_sided", "blocks", "form"] = "grid"
    starts_with: str | None = None  # first cell of a title-less table (form tables)
    row_sums: list[RowSum] = Field(default_factory=list)

    def matches(self, title: str) -> bool:
        if any(re.search(p, title) for p in self.exclude):
            return False
        return any(re.search(p, title) for p in self.titles)


_FUNDS = ["一般公共预算", "政府性基金", "国有资本经营预算", "财政专户管理资金", "单位资金"]
_B, _F = DocKind.BUDGET, DocKind.FINAL_ACCOUNTS

CATALOG: list[TableTemplate] = [
    # --- final accounts (more specific titles first) ---
    TableTemplate(kind=TableKind.FINAL_FISCAL_SUMMARY, doc_kind=_F, zh="财政拨款收入支出决算总表",
                  titles=[r"财政拨款收入支出决算总表"], layout="two_sided"),
    TableTemplate(kind=TableKind.FINAL_SUMMARY, doc_kind=_F, zh="收入支出决算总表",
                  titles=[r"收入支出决算总表", r"收支决算总表"], exclude=[r"财政拨款"], layout="two_sided"),
    TableTemplate(kind=TableKind.FINAL_BASIC_DETAIL, doc_kind=_F, zh="一般公共预算财政拨款基本支出决算明细表",
                  titles=[r"基本支出决算(明细)?表"], layout="blocks"),
    TableTemplate(kind=TableKind.FINAL_GENERAL_EXPENDITURE, doc_kind=_F, zh="一般公共预算财政拨款支出决算表",
                  titles=[r"一般公共预算财政拨款(项目)?支出决算表"],
                  row_sums=[RowSum(total="小计", parts=["基本支出", "项目支出"])]),
    TableTemplate(kind=TableKind.FINAL_FUND, doc_kind=_F, zh="政府性基金预算财政拨款收入支出决算表",
                  titles=[r"政府性基金预算财政拨款(收入)?支出决算表"]),
    TableTemplate(kind=TableKind.FINAL_STATE_CAPITAL, doc_kind=_F, zh="国有资本经营预算财政拨款支出决算表",
                  titles=[r"国有资本经营预算财政拨款(收入)?支出决算表"]),
    TableTemplate(kind=TableKind.FINAL_SANGONG, doc_kind=_F, zh="财政拨款三公经费支出决算表",
                  titles=[r"三公经费.*决算表"]),
    TableTemplate(kind=TableKind.FINAL_INFO_STATS, doc_kind=_F, zh="部门决算公开相关信息统计表",
                  titles=[r"决算公开相关信息统计表", r"相关信息统计表"]),
    TableTemplate(kind=TableKind.FINAL_INCOME, doc_kind=_F, zh="收入决算表",
                  titles=[r"^(部门)?收入决算表"],
                  row_sums=[RowSum(total="本年收入合计", parts=["财政拨款收入", "上级补助收入", "事业收入", "经营收入",
                                                              "附属单位上缴收入", "其他收入"])]),
    TableTemplate(kind=TableKind.FINAL_EXPENDITURE, doc_kind=_F, zh="支出决算表",
                  titles=[r"^(部门)?支出决算表"],
                  row_sums=[RowSum(total="本年支出合计", parts=["基本支出", "项目支出", "上缴上级支出", "经营支出",
                                                              "对附属单位补助支出"])]),
    TableTemplate(kind=TableKind.SELF_EVALUATION, doc_kind=_F, zh="项目支出绩效自评表",
                  titles=[r"自评表"], layout="form"),
    # --- budgets ---
    TableTemplate(kind=TableKind.BUDGET_FISCAL_SUMMARY, doc_kind=_B, zh="财政拨款收支总表",
                  titles=[r"财政拨款收支(预算)?总(体情况)?表"], exclude=[r"决算"], layout="two_sided"),
    TableTemplate(kind=TableKind.BUDGET_SUMMARY, doc_kind=_B, zh="收支总表",
                  titles=[r"收支(预算)?总表", r"收支总体情况表", r"财务收支预算总表"], exclude=[r"决算", r"财政拨款"],
                  layout="two_sided"),
    TableTemplate(kind=TableKind.BUDGET_INCOME, doc_kind=_B, zh="收入总表",
                  titles=[r"收入(预算)?总表", r"收入总体情况表"], exclude=[r"决算", r"收支"],
                  row_sums=[RowSum(total="合计", parts=_FUNDS)]),
    TableTemplate(kind=TableKind.BUDGET_EXPENDITURE, doc_kind=_B, zh="支出总表",
                  titles=[r"支出(预算)?总表", r"支出总体情况表"], exclude=[r"决算", r"收支"],
                  row_sums=[RowSum(total="合计", parts=["基本支出", "项目支出"])]),
    TableTemplate(kind=TableKind.BUDGET_BASIC_ECONOMIC, doc_kind=_B, zh="一般公共预算基本支出表",
                  titles=[r"基本支出.*(经济科目|经济分类)?.*表"], exclude=[r"决算"],
                  row_sums=[RowSum(total="合计", parts=["人员经费", "公用经费"])]),
    TableTemplate(kind=TableKind.BUDGET_GENERAL_EXPENDITURE, doc_kind=_B, zh="一般公共预算支出表",
                  titles=[r"一般公共预算(财政拨款)?支出(预算|情况)?表"], exclude=[r"决算", r"基本支出"],
                  row_sums=[RowSum(total="合计", parts=["基本支出", "项目支出"])]),
    TableTemplate(kind=TableKind.BUDGET_FUND_INCOME, doc_kind=_B, zh="政府性基金预算收入表",
                  titles=[r"政府性基金预算收入(预算)?表"], exclude=[r"决算"]),
    TableTemplate(kind=TableKind.BUDGET_FUND_EXPENDITURE, doc_kind=_B, zh="政府性基金预算支出表",
                  titles=[r"政府性基金预算(财政拨款)?支出(预算)?表"], exclude=[r"决算"]),
    TableTemplate(kind=TableKind.BUDGET_STATE_CAPITAL, doc_kind=_B, zh="国有资本经营预算表",
                  titles=[r"国有资本经营预算.*表"], exclude=[r"决算"]),
    TableTemplate(kind=TableKind.BUDGET_SANGONG, doc_kind=_B, zh="三公经费支出表",
                  titles=[r"三公经费.*表"], exclude=[r"决算"]),
    TableTemplate(kind=TableKind.BUDGET_OPERATING_COST, doc_kind=_B, zh="机关运行经费表",
                  titles=[r"机关运行经费.*表"], exclude=[r"决算"]),
    TableTemplate(kind=TableKind.BUDGET_PROJECTS_CARRYOVER, doc_kind=_B, zh="项目支出表(上年结转)",
                  titles=[r"项目支出(预算)?表.*上年结转"]),
    TableTemplate(kind=TableKind.OVERALL_PERFORMANCE_TARGET, doc_kind=_B, zh="整体支出绩效目标表",
                  titles=[r"整体支出绩效目标(申报)?表"], layout="form"),
    TableTemplate(kind=TableKind.PERFORMANCE_TARGET, doc_kind=_B, zh="项目支出绩效目标表",
                  titles=[r"项目支出绩效目标(申报)?表", r"项目绩效目标(申报)?表"], exclude=[r"自评"], layout="form",
                  starts_with="项目名称"),
    TableTemplate(kind=TableKind.BUDGET_PROJECTS, doc_kind=_B, zh="项目支出表(本年预算)",
                  titles=[r"项目支出(预算)?表"], exclude=[r"绩效", r"决算"]),
]

BY_KIND: dict[TableKind, TableTemplate] = {t.kind: t for t in CATALOG}

_YEAR = re.compile(r"^\d{4}(年度?)?")
_QUOTES = re.compile(r"[\"“”'‘’「」]")
_PAREN_TAIL = re.compile(r"\((不含上年结转|\d{4}年度?|\d{4})\)|\(\d{4}\)年度")
_ORDINAL = re.compile(r"^(表[一二三四五六七八九十\d]+|[一二三四五六七八九十]+、)")


def normalise_title(title: str) -> str:
    from schemas.keys import norm_key

    t = norm_key(title)
    t = _QUOTES.sub("", t)
    t = _ORDINAL.sub("", t)
    t = _YEAR.sub("", t)
    return _PAREN_TAIL.sub("", t)


def classify_title(title: str) -> TableTemplate | None:
    """The template whose title patterns match, most specific first; None when none does."""
    t = normalise_title(title)
    for template in CATALOG:
        if template.matches(t):
            return template
    return None


def known_kinds() -> list[str]:
    return [t.kind.value for t in CATALOG]
