"""The rule catalog: data, not code. Each ``Rule`` names the tables it reads, a readable formula, the
severity of a failure (fixed here, never tuned per document) and the check that evaluates it.
Adding a rule = adding an entry to ``CATALOG``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from extractor.validate.checks import (
    AnyCheck,
    CellSpec,
    CodeMatchCheck,
    ColumnSumCheck,
    CrossTableCheck,
    EconomicRollupCheck,
    NameMatchCheck,
    NarrativeCheck,
    ProjectTotalCheck,
    RatioCheck,
    RollupCheck,
    RowSumCheck,
    ScoreSumCheck,
    TablesPresentCheck,
    TargetAmountCheck,
    TargetCopiesCheck,
    TargetCoverageCheck,
)
from schemas.tables import TableKind as K


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    title_zh: str
    title_en: str
    tables: tuple[K, ...]
    formula: str
    severity: Literal["error", "warning"] = "error"
    check: AnyCheck | tuple[AnyCheck, ...]

    @property
    def checks(self) -> tuple[AnyCheck, ...]:
        return self.check if isinstance(self.check, tuple) else (self.check,)

    @model_validator(mode="after")
    def _restrictions_within_tables(self) -> Rule:
        for c in self.checks:
            if c.only and not set(c.only) <= set(self.tables):
                raise ValueError(f"rule {self.id}: check restricted to tables the rule does not read: {c.only}")
        return self


SUMMARY = (K.BUDGET_SUMMARY, K.FINAL_SUMMARY, K.BUDGET_FISCAL_SUMMARY, K.FINAL_FISCAL_SUMMARY)
FUNCTION = (K.BUDGET_INCOME, K.BUDGET_EXPENDITURE, K.BUDGET_GENERAL_EXPENDITURE, K.BUDGET_FUND_INCOME,
            K.BUDGET_FUND_EXPENDITURE, K.BUDGET_STATE_CAPITAL, K.FINAL_INCOME, K.FINAL_EXPENDITURE,
            K.FINAL_GENERAL_EXPENDITURE, K.FINAL_FUND, K.FINAL_STATE_CAPITAL)
BASIC_PROJECT = (K.BUDGET_EXPENDITURE, K.BUDGET_GENERAL_EXPENDITURE, K.BUDGET_FUND_EXPENDITURE, K.BUDGET_STATE_CAPITAL,
                 K.FINAL_EXPENDITURE, K.FINAL_GENERAL_EXPENDITURE, K.FINAL_FUND, K.FINAL_STATE_CAPITAL)
PROJECTS = (K.BUDGET_PROJECTS, K.BUDGET_PROJECTS_CARRYOVER)
ECONOMIC_CLASSES = ("工资福利支出", "商品和服务支出", "对个人和家庭的补助", "资本性支出", "资本性支出(基本建设)",
                    "对企业补助", "对企业补助(基本建设)", "债务利息及费用支出", "对社会保障基金补助", "其他支出")
PUBLIC_CLASSES = ("302", "307", "309", "310", "311", "312", "313", "399")
SE = K.SELF_EVALUATION
NARRATIVE = "项目绩效分析"


def cell(tables: K | tuple[K, ...], row: str, column: str, side: str | None = None, all_tables: bool = False,
         absent: Literal["not_checked", "zero", "skip"] = "not_checked") -> CellSpec:
    return CellSpec(tables=tables if isinstance(tables, tuple) else (tables,), row=row, column=column, side=side,
                    all_tables=all_tables, absent=absent)


def _summary_rules() -> list[Rule]:
    return [
        Rule(id="summary.income_total", title_zh="本年收入合计 = 各收入项之和", title_en="Income lines add up",
             tables=SUMMARY, formula="本年收入合计 = Σ 收入项（一、二、三…）",
             check=RowSumCheck(total="本年收入合计", scope="before", side="收入")),
        Rule(id="summary.expenditure_total", title_zh="本年支出合计 = 各功能支出之和",
             title_en="Function lines add up (per column)", tables=SUMMARY, formula="本年支出合计 = Σ 功能支出项（逐列）",
             check=RowSumCheck(total="本年支出合计", scope="before", side="支出")),
        Rule(id="summary.row_total", title_zh="支出行合计 = 当年预算安排 + 上年结转安排",
             title_en="Row total = this year's + carried over", tables=(K.BUDGET_SUMMARY,),
             formula="合计 = 当年预算安排 + 上年结转安排",
             check=ColumnSumCheck(total=r"~(\d{4}年)?合计", parts=("当年预算安排", "上年结转安排"), side="支出")),
        Rule(id="summary.income_grand_total", title_zh="收入总计 = 本年收入合计 + 结转（结余）",
             title_en="Income grand total", tables=SUMMARY,
             formula="收入总计 = 本年收入合计 + 上年结转（决算：+ 使用非财政拨款结余 + 年初结转和结余）",
             check=RowSumCheck(total="收入总计|总计", parts=("本年收入合计", "上年结转", "上年财政拨款结转",
                                                      "~^使用非财政拨款结余", "年初结转和结余", "年初财政拨款结转和结余"),
                               optional=("上年结转", "上年财政拨款结转", "~^使用非财政拨款结余", "年初结转和结余",
                                         "年初财政拨款结转和结余"), side="收入")),
        Rule(id="summary.expenditure_grand_total", title_zh="支出总计 = 本年支出合计 + 结转（结余）",
             title_en="Expenditure grand total", tables=SUMMARY,
             formula="支出总计 = 本年支出合计 + 年终结转（决算：+ 结余分配 + 年末结转和结余）",
             check=RowSumCheck(total="支出总计|总计", parts=("本年支出合计", "年终结转", "结余分配", "年末结转和结余",
                                                      "年末财政拨款结转和结余"),
                               optional=("年终结转", "结余分配", "年末结转和结余", "年末财政拨款结转和结余"), side="支出")),
        Rule(id="summary.balance", title_zh="收入总计 = 支出总计", title_en="Income equals expenditure",
             tables=SUMMARY, formula="收入总计 = 支出总计",
             check=CrossTableCheck(left=(cell(SUMMARY, "收入总计|总计", "@first", side="收入"),),
                                   right=(cell(SUMMARY, "支出总计|总计", "@first", side="支出"),), per_table=True)),
        Rule(id="fiscal.subtotal", title_zh="财政拨款支出 小计 = 各类拨款之和", title_en="Fiscal subtotal by fund",
             tables=(K.BUDGET_FISCAL_SUMMARY, K.FINAL_FISCAL_SUMMARY),
             formula="小计 = 一般公共预算 + 政府性基金预算 + 国有资本经营预算",
             check=ColumnSumCheck(total="小计|合计", parts=("一般公共预算|一般公共预算财政拨款",
                                                       "政府性基金预算|政府性基金预算财政拨款",
                                                       "国有资本经营预算|国有资本经营预算财政拨款"),
                                  optional=("政府性基金预算|政府性基金预算财政拨款",
                                            "国有资本经营预算|国有资本经营预算财政拨款"), side="支出")),
    ]


def _function_rules() -> list[Rule]:
    return [
        Rule(id="income.row_total", title_zh="收入表 行合计 = 各来源之和", title_en="Income row total by source",
             tables=(K.BUDGET_INCOME, K.FINAL_INCOME), formula="合计 = Σ 来源列（预算：上年结转不在合计内）",
             check=(ColumnSumCheck(total="合计", exclude=("上年结转",), only=(K.BUDGET_INCOME,)),
                    ColumnSumCheck(total="本年收入合计|合计", only=(K.FINAL_INCOME,)))),
        Rule(id="func.rollup", title_zh="功能分类逐级汇总", title_en="Function classification rolls up",
             tables=FUNCTION, formula="类 = Σ 款；款 = Σ 项；合计 = Σ 类（逐列）", check=RollupCheck(levels=(1, 2, 3))),
        Rule(id="func.basic_plus_project", title_zh="合计 = 基本支出 + 项目支出", title_en="Total = basic + project",
             tables=BASIC_PROJECT, formula="合计 = 基本支出 + 项目支出（决算：+ 上缴上级 + 经营 + 对附属单位补助）",
             check=ColumnSumCheck(total="合计|本年支出合计|小计", parts=("基本支出", "项目支出", "上缴上级支出", "经营支出",
                                                                 "对附属单位补助支出"),
                                  optional=("上缴上级支出", "经营支出", "对附属单位补助支出"))),
        Rule(id="basic.personnel_plus_public", title_zh="基本支出 合计 = 人员经费 + 公用经费",
             title_en="Basic = personnel + public", tables=(K.BUDGET_BASIC_ECONOMIC,), formula="合计 = 人员经费 + 公用经费",
             check=ColumnSumCheck(total="合计", parts=("人员经费", "公用经费"))),
        Rule(id="basic.class_sum", title_zh="经济分类逐级汇总", title_en="Economic classification rolls up",
             tables=(K.BUDGET_BASIC_ECONOMIC, K.FINAL_BASIC_DETAIL), formula="类 = Σ 款；合计 = Σ 类",
             check=EconomicRollupCheck(class_names=ECONOMIC_CLASSES)),
        Rule(id="basic.final_personnel", title_zh="人员经费合计 = 301 + 303", title_en="Personnel = 301 + 303",
             tables=(K.FINAL_BASIC_DETAIL,), formula="人员经费合计 = 301 + 303",
             check=RowSumCheck(total="人员经费合计", parts=("301", "303"), optional=("301", "303"))),
        Rule(id="basic.final_public", title_zh="公用经费合计 = 302+307+309+310+311+312+313+399",
             title_en="Public = 302+307+309+310+311+312+313+399", tables=(K.FINAL_BASIC_DETAIL,),
             formula="公用经费合计 = 302 + 307 + 309 + 310 + 311 + 312 + 313 + 399（—— 为不适用）",
             check=RowSumCheck(total="公用经费合计", parts=PUBLIC_CLASSES, optional=PUBLIC_CLASSES)),
    ]


def _small_table_rules() -> list[Rule]:
    sg, fsg = (K.BUDGET_SANGONG,), (K.FINAL_SANGONG,)
    blocks = ("预算数", "决算数")
    return [
        Rule(id="sangong.vehicle", title_zh="公务用车购置及运行费 = 购置费 + 运行维护费", title_en="Vehicles = purchase + running",
             tables=sg + fsg, formula="公务用车购置及运行费 = 购置费 + 运行维护费（决算：预算数、决算数两组）",
             check=(RowSumCheck(total="~公务用车购置及运行", parts=("~公务用车购置费$", "~公务用车运行(维护)?费$"), only=sg),
                    ColumnSumCheck(total="小计", parts=("公务用车购置费", "公务用车运行维护费"), blocks=blocks, only=fsg))),
        Rule(id="sangong.total", title_zh="三公经费 合计 = 出国 + 接待 + 公务用车", title_en="Three public expenses total",
             tables=sg + fsg, formula="合计 = 因公出国(境)费 + 公务接待费 + 公务用车购置及运行费",
             check=(RowSumCheck(total="合计", parts=("~因公出国", "~^公务接待", "~公务用车购置及运行"), only=sg),
                    ColumnSumCheck(total="合计", parts=("~因公出国.*", "公务接待费", "小计"), blocks=blocks, only=fsg))),
        Rule(id="sangong.fund_columns", title_zh="三公经费 行合计 = 各资金来源之和", title_en="Three public expenses by fund",
             tables=sg, formula="合计 = 一般公共预算 + 政府性基金预算 + 国有资本经营预算（逐行）",
             check=ColumnSumCheck(total="合计")),
        Rule(id="opcost.orgs", title_zh="机关运行经费 部门合计 = 各单位之和", title_en="Operating cost: department = Σ orgs",
             tables=(K.BUDGET_OPERATING_COST,), formula="部门合计 = Σ 单位",
             check=RowSumCheck(total="部门合计|合计", scope="after")),
        Rule(id="opcost.fund_columns", title_zh="机关运行经费 行合计 = 各资金来源之和", title_en="Operating cost by fund",
             tables=(K.BUDGET_OPERATING_COST,), formula="合计 = Σ 资金来源列（逐行）", check=ColumnSumCheck(total="合计")),
        Rule(id="procurement.total", title_zh="政府采购 合计 = 货物 + 工程 + 服务", title_en="Procurement total",
             tables=(K.FINAL_INFO_STATS,), formula="合计 = 货物 + 工程 + 服务",
             check=RowSumCheck(total="合计", parts=("货物", "工程", "服务"), optional=("货物", "工程", "服务"),
                               columns="统计数|@first")),
        Rule(id="vehicles.total", title_zh="车辆数合计 = 各类车辆之和", title_en="Vehicle count total",
             tables=(K.FINAL_INFO_STATS,), formula="车辆数合计 = Σ 各类用车",
             check=RowSumCheck(total="~车辆数合计", scope="after", part_pattern=r"^\d+[.、]", columns="统计数|@first",
                               exact=True)),
        Rule(id="projects.org_total", title_zh="项目支出表 单位合计 = 各项目之和", title_en="Project table: org = Σ projects",
             tables=PROJECTS, formula="单位合计 = Σ 项目（下级单位合计行不重复计算）", check=ProjectTotalCheck()),
    ]


def _performance_rules() -> list[Rule]:
    pt = (K.PERFORMANCE_TARGET,)
    return [
        Rule(id="perf.annual_sources", title_zh="绩效目标表 年度资金总额 = 各来源之和", title_en="Annual funds = Σ sources",
             tables=pt, formula="年度资金总额 = 中央 + 省级 + 市县 + 自筹 + 其他",
             check=ColumnSumCheck(total="年度资金总额", rows=("年度资金",))),
        Rule(id="perf.period_sources", title_zh="绩效目标表 实施期资金总额 = 各来源之和", title_en="Period funds = Σ sources",
             tables=pt, formula="实施期资金总额 = 中央 + 省级 + 市县 + 自筹 + 其他",
             check=ColumnSumCheck(total="实施期资金总额", rows=("实施期资金",))),
        Rule(id="perf.annual_vs_project", title_zh="绩效目标表 年度资金 = 项目支出表金额",
             title_en="Performance target amount = project amount", tables=pt + PROJECTS,
             formula="年度资金总额（元）÷ 10000，保留两位 = 项目支出表 该项目 合计（万元）", check=TargetAmountCheck()),
        Rule(id="perf.coverage", title_zh="每个项目有且只有一张绩效目标表", title_en="One target table per project",
             tables=pt + PROJECTS, formula="项目支出表的项目 ↔ 绩效目标表", severity="warning", check=TargetCoverageCheck()),
        Rule(id="perf.duplicate_copies", title_zh="重复打印的绩效目标表金额一致", title_en="Duplicated attachments agree",
             tables=pt, formula="同一项目的各份绩效目标表 年度资金总额 相同", check=TargetCopiesCheck(exact=True)),
        Rule(id="perf.name_match", title_zh="绩效目标表项目名称 = 项目支出表项目名称", title_en="Target table names its project",
             tables=pt + PROJECTS, formula="绩效目标表 项目名称 = 项目支出表 项目名称（只差一两个字：疑似识别错误 Z→2、品→吕、县→市）",
             severity="warning", check=NameMatchCheck()),
        Rule(id="selfeval.duplicate_copies", title_zh="重复打印的自评表执行数一致", title_en="Duplicated self-evaluations agree",
             tables=(SE,), formula="同一项目的各份自评表 全年执行数 相同",
             check=TargetCopiesCheck(form=SE, row="资金总额", column="全年执行数", exact=True)),
        Rule(id="selfeval.balance", title_zh="自评表 结余 = 全年预算数 − 全年执行数", title_en="Balance = budget − executed",
             tables=(SE,), formula="资金结(转)余 = 全年预算数 − 全年执行数",
             check=ColumnSumCheck(total="资金结(转)余|结余|结转结余", parts=("全年预算数",), minus=("全年执行数",),
                                  rows=("资金总额",))),
        Rule(id="selfeval.rate", title_zh="自评表 执行率 = 全年执行数 ÷ 全年预算数", title_en="Execution rate",
             tables=(SE,), formula="执行率 = 全年执行数 ÷ 全年预算数 × 100%",
             check=RatioCheck(numerator=(("资金总额", "全年执行数"),), denominator=(("资金总额", "全年预算数"),),
                              rate=("资金总额", "执行率"))),
        Rule(id="selfeval.score_total", title_zh="自评表 总分 = 各项得分之和", title_en="Total score = Σ scores",
             tables=(SE,), formula="总分 = Σ 得分", check=ScoreSumCheck(column="得分", total_row="合计|总分", exact=True, require_row="资金总额",
                                 partner="分值")),
        Rule(id="selfeval.weight_total", title_zh="自评表 分值合计 = 100", title_en="Weights add up to 100",
             tables=(SE,), formula="Σ 分值 = 100", check=ScoreSumCheck(column="分值", total_row="合计|总分", constant=Decimal(100), exact=True,
                                 require_row="资金总额", partner="得分")),
        Rule(id="selfeval.narrative_initial", title_zh="绩效分析所述年初预算数 = 表中年初预算数",
             title_en="Narrative initial budget = table", tables=(SE,), formula="年初预算数（元）÷ 10000 = 年初预算数（万元）",
             check=CrossTableCheck(left=(cell(SE, NARRATIVE, "年初预算数(元)", absent="skip"),),
                                   right=(cell(SE, "资金总额", "年初预算数"),), per_table=True)),
        Rule(id="selfeval.narrative_executed", title_zh="绩效分析所述执行数 = 表中全年执行数",
             title_en="Narrative executed = table", tables=(SE,), formula="预算执行数（元）÷ 10000 = 全年执行数（万元）",
             check=CrossTableCheck(left=(cell(SE, NARRATIVE, "预算执行数(元)", absent="skip"),),
                                   right=(cell(SE, "资金总额", "全年执行数"),), per_table=True)),
        Rule(id="selfeval.narrative_rate", title_zh="绩效分析所述执行率 = 执行数 ÷ 年初预算数",
             title_en="Narrative rate against the initial budget", tables=(SE,),
             formula="预算执行率 = 预算执行数 ÷ 年初预算数 × 100%",
             check=RatioCheck(numerator=((NARRATIVE, "预算执行数(元)"), ("资金总额", "全年执行数")),
                              denominator=((NARRATIVE, "年初预算数(元)"),), rate=(NARRATIVE, "预算执行率(%)"),
                              absent="skip")),
    ]


def _cross_rules() -> list[Rule]:
    b_inc, f_inc = K.BUDGET_INCOME, K.FINAL_INCOME
    b_sum, f_sum = K.BUDGET_SUMMARY, K.FINAL_SUMMARY
    gen, basic = K.BUDGET_GENERAL_EXPENDITURE, K.BUDGET_BASIC_ECONOMIC
    fgen, fdet, fexp = K.FINAL_GENERAL_EXPENDITURE, K.FINAL_BASIC_DETAIL, K.FINAL_EXPENDITURE
    proj, carry = K.BUDGET_PROJECTS, K.BUDGET_PROJECTS_CARRYOVER
    opc, stats = K.BUDGET_OPERATING_COST, K.FINAL_INFO_STATS
    all_fiscal = (cell(f_sum, "本年收入合计", "@first", side="收入"),
                  cell(f_sum, "~^一、一般公共预算财政拨款", "@first", side="收入"))
    return [
        Rule(id="xtable.income_vs_summary", title_zh="收入总表 合计 = 收支总表 本年收入合计",
             title_en="Income table total = summary income", tables=(b_inc, f_inc, b_sum, f_sum),
             formula="收入总表 合计 = 收支总表 本年收入合计",
             check=CrossTableCheck(left=(cell((b_inc, f_inc), "合计", "合计|本年收入合计"),),
                                   right=(cell((b_sum, f_sum), "本年收入合计", "@first", side="收入"),))),
        Rule(id="xtable.expenditure_vs_summary", title_zh="支出总表 合计 = 收支总表 本年支出合计",
             title_en="Expenditure table total = summary expenditure",
             tables=(K.BUDGET_EXPENDITURE, fexp, b_sum, f_sum), formula="支出总表 合计 = 收支总表 本年支出合计",
             check=CrossTableCheck(left=(cell((K.BUDGET_EXPENDITURE, fexp), "合计", "合计|本年支出合计"),),
                                   right=(cell((b_sum, f_sum), "本年支出合计", "@first", side="支出"),))),
        Rule(id="xtable.general_vs_income", title_zh="一般公共预算支出表 = 收入总表 一般公共预算列（逐科目）",
             title_en="General budget by code = income table's general column", tables=(gen, b_inc),
             formula="每个科目：一般公共预算支出表 合计 = 收入总表 一般公共预算",
             check=CodeMatchCheck(left=cell(gen, "", "合计"), right=cell(b_inc, "", "一般公共预算"))),
        Rule(id="xtable.basic_vs_general", title_zh="基本支出（经济分类）合计 = 一般公共预算支出表 基本支出",
             title_en="Economic basic total = general table basic", tables=(basic, gen, fdet, fgen),
             formula="基本支出表 合计 = 一般公共预算支出表 合计行 基本支出（决算：人员经费合计 + 公用经费合计）",
             check=(CrossTableCheck(left=(cell(basic, "合计", "合计"),), right=(cell(gen, "合计", "基本支出"),)),
                    CrossTableCheck(left=(cell(fdet, "人员经费合计", "@first"), cell(fdet, "公用经费合计", "@first")),
                                    right=(cell(fgen, "合计", "基本支出"),)))),
        Rule(id="xtable.opcost_vs_public", title_zh="机关运行经费 = 公用经费合计", title_en="Operating cost = public funds",
             tables=(opc, basic, stats, fdet), formula="机关运行经费 = 基本支出 公用经费合计",
             check=(CrossTableCheck(left=(cell(opc, "部门合计|合计", "合计"),), right=(cell(basic, "合计", "公用经费"),)),
                    CrossTableCheck(left=(cell(stats, r"~^\(一\)行政单位|^机关运行经费", "统计数|@first"),
                                          cell(stats, r"~^\(二\)参照公务员法", "统计数|@first", absent="zero")),
                                    right=(cell(fdet, "公用经费合计", "@first"),)))),
        Rule(id="xtable.projects_vs_general", title_zh="项目支出表(本年) 合计 = 一般公共预算支出表 项目支出",
             title_en="Project table = general table project", tables=(proj, gen),
             formula="项目支出表(本年) 单位合计（一般公共预算）= 一般公共预算支出表 合计行 项目支出",
             check=CrossTableCheck(left=(cell(proj, "@org_total", "一般公共预算|合计"),),
                                   right=(cell(gen, "合计", "项目支出"),))),
        Rule(id="xtable.projects_vs_expenditure", title_zh="项目支出表 本年 + 上年结转 = 支出总表 项目支出",
             title_en="Projects this year + carried over = expenditure table project", tables=(proj, carry, K.BUDGET_EXPENDITURE),
             formula="项目支出表(本年) 合计 + 项目支出表(上年结转) 合计 = 支出总表 合计行 项目支出",
             check=CrossTableCheck(left=(cell(proj, "@org_total", "合计"), cell(carry, "@org_total", "合计")),
                                   right=(cell(K.BUDGET_EXPENDITURE, "合计", "项目支出"),))),
        Rule(id="xtable.carryover_vs_summary", title_zh="项目支出表(上年结转) 合计 = 收支总表 上年结转",
             title_en="Carried-over projects = summary carry-over", tables=(carry, b_sum),
             formula="项目支出表(上年结转) 合计 = 收支总表 上年结转",
             check=CrossTableCheck(left=(cell(carry, "@org_total", "合计"),),
                                   right=(cell(b_sum, "上年结转", "@first", side="收入", absent="zero"),))),
        Rule(id="xtable.final_general_vs_expenditure", title_zh="全部为财政拨款时 一般公共预算财政拨款支出决算表 = 支出决算表",
             title_en="General-budget final = expenditure final when all money is general budget",
             tables=(fgen, fexp, f_sum), formula="每个科目、每列：一般公共预算财政拨款支出 = 支出决算（收入全部为一般公共预算财政拨款时）",
             check=tuple(CodeMatchCheck(left=cell(fgen, "", a), right=cell(fexp, "", b), condition=all_fiscal,
                                        condition_text="本年收入全部为一般公共预算财政拨款")
                         for a, b in (("小计|合计", "本年支出合计|合计"), ("基本支出", "基本支出"), ("项目支出", "项目支出")))),
        Rule(id="soft.sangong_vs_economic", title_zh="三公经费 与 经济分类科目（软规则）",
             title_en="Three public expenses vs economic items (soft)", tables=(K.BUDGET_SANGONG, basic, K.FINAL_SANGONG, fdet),
             formula="三公 公务用车运行维护费 ≈ 30231 / 公务用车运行维护费；公务接待费 ≈ 30217（项目支出也可能列支）",
             severity="warning",
             check=(CrossTableCheck(left=(cell(K.FINAL_SANGONG, "数据|~.", "决算数/公务用车运行维护费"),),
                                    right=(cell(fdet, "30231", "@first", absent="zero"),)),
                    CrossTableCheck(left=(cell(K.FINAL_SANGONG, "数据|~.", "决算数/公务接待费"),),
                                    right=(cell(fdet, "30217", "@first", absent="zero"),)),
                    CrossTableCheck(left=(cell(K.BUDGET_SANGONG, "~公务用车运行(维护)?费$", "合计"),),
                                    right=(cell(basic, "~^公务用车运行维护费", "合计", absent="zero"),)))),
        Rule(id="soft.selfeval_vs_projects", title_zh="自评表 执行数之和 与 项目支出（软规则）",
             title_en="Σ self-evaluation executed vs project expenditure (soft)", tables=(SE, fexp),
             formula="Σ 自评表 全年执行数 ≈ 支出决算表 项目支出（自评表无科目编码，项目可跨年）", severity="warning",
             check=CrossTableCheck(left=(cell(SE, "资金总额", "全年执行数", all_tables=True),),
                                   right=(cell(fexp, "合计", "项目支出"),))),
    ]


BUDGET_STANDARD = (K.BUDGET_SUMMARY, K.BUDGET_INCOME, K.BUDGET_EXPENDITURE, K.BUDGET_FISCAL_SUMMARY,
                   K.BUDGET_GENERAL_EXPENDITURE, K.BUDGET_BASIC_ECONOMIC, K.BUDGET_FUND_EXPENDITURE, K.BUDGET_STATE_CAPITAL,
                   K.BUDGET_SANGONG)
BUDGET_EXTENDED = (K.BUDGET_FUND_INCOME, K.BUDGET_OPERATING_COST, K.BUDGET_PROJECTS, K.BUDGET_PROJECTS_CARRYOVER)
FINAL_STANDARD = (K.FINAL_SUMMARY, K.FINAL_INCOME, K.FINAL_EXPENDITURE, K.FINAL_FISCAL_SUMMARY, K.FINAL_GENERAL_EXPENDITURE,
                  K.FINAL_BASIC_DETAIL, K.FINAL_FUND, K.FINAL_STATE_CAPITAL, K.FINAL_SANGONG, K.FINAL_INFO_STATS)
NARRATED = BUDGET_STANDARD + BUDGET_EXTENDED + FINAL_STANDARD + (SE, K.PERFORMANCE_TARGET)


def _narrative_rules() -> list[Rule]:
    """The 情况说明 against the tables (needs the narrative statements: ``validate(..., statements=...)``)."""
    def rule(metric: str, zh: str, en: str, formula: str) -> Rule:
        return Rule(id=f"narrative.{metric}", title_zh=zh, title_en=en, tables=NARRATED, formula=formula,
                    check=NarrativeCheck(metric=metric))  # type: ignore[arg-type]

    return [
        rule("amount", "情况说明所述金额 = 表中数", "Narrative amount = table value",
             "情况说明的每个金额 = 其主语所指的表格单元格（按名称对应，必要时模糊匹配；按说明的打印精度比较）"),
        rule("share", "情况说明所述占比 = 部分 ÷ 整体", "Narrative share = part ÷ whole",
             "占比 = 该项金额 ÷ 所属总额 × 100%（按打印精度，四舍五入或截断均可）"),
        rule("change", "情况说明所述增减率 = 增减额 ÷ 上年数", "Narrative change rate",
             "增减率 = 增减额 ÷ (本年数 − 增减额) × 100%（本年数取表中数）"),
        rule("count", "情况说明所述个数 = 表格所列个数", "Narrative count = tables printed",
             "自评个数 = 自评表张数；公开项目绩效目标个数 = 有绩效目标表的项目数；二级项目个数 = 项目支出表项目数；"
             "“N个项目，涉及金额X万元”的 X = 项目支出合计"),
        rule("sum", "情况说明所述合计 = 所述各项之和", "Narrative total = Σ stated parts",
             "政府采购总额 = 货物 + 工程 + 服务（同一句中所述）"),
    ]


def _document_rules() -> list[Rule]:
    return [Rule(id="doc.tables_present", title_zh="标准表格齐全", title_en="Standard tables are all printed",
                 tables=BUDGET_STANDARD + BUDGET_EXTENDED + FINAL_STANDARD, severity="warning",
                 formula="预算：收支总表…“三公”经费表 9 张（13 张表的版式另含政府性基金收入、机关运行经费、项目支出 本年/上年结转）；"
                         "决算：公开01–10 表；无数据的表也应打印",
                 check=TablesPresentCheck(budget=BUDGET_STANDARD, budget_extended=BUDGET_EXTENDED, final=FINAL_STANDARD))]


CATALOG: list[Rule] = (_summary_rules() + _function_rules() + _small_table_rules() + _performance_rules() + _cross_rules()
                       + _narrative_rules() + _document_rules())
RULES: dict[str, Rule] = {r.id: r for r in CATALOG}
assert len(RULES) == len(CATALOG), "duplicate rule ids"

TABLE_NAMES: dict[K, str] = {
    K.BUDGET_SUMMARY: "收支总表", K.BUDGET_INCOME: "收入总表", K.BUDGET_EXPENDITURE: "支出总表",
    K.BUDGET_FISCAL_SUMMARY: "财政拨款收支总表", K.BUDGET_GENERAL_EXPENDITURE: "一般公共预算支出表",
    K.BUDGET_BASIC_ECONOMIC: "一般公共预算基本支出表", K.BUDGET_FUND_INCOME: "政府性基金预算收入表",
    K.BUDGET_FUND_EXPENDITURE: "政府性基金预算支出表", K.BUDGET_STATE_CAPITAL: "国有资本经营预算表",
    K.BUDGET_SANGONG: "“三公”经费支出表", K.BUDGET_OPERATING_COST: "机关运行经费表",
    K.BUDGET_PROJECTS: "项目支出表(本年预算)", K.BUDGET_PROJECTS_CARRYOVER: "项目支出表(上年结转)",
    K.PERFORMANCE_TARGET: "项目支出绩效目标表", K.OVERALL_PERFORMANCE_TARGET: "整体支出绩效目标表",
    K.FINAL_SUMMARY: "收入支出决算总表", K.FINAL_INCOME: "收入决算表", K.FINAL_EXPENDITURE: "支出决算表",
    K.FINAL_FISCAL_SUMMARY: "财政拨款收入支出决算总表", K.FINAL_GENERAL_EXPENDITURE: "一般公共预算财政拨款支出决算表",
    K.FINAL_BASIC_DETAIL: "一般公共预算财政拨款基本支出决算明细表", K.FINAL_FUND: "政府性基金预算财政拨款收入支出决算表",
    K.FINAL_STATE_CAPITAL: "国有资本经营预算财政拨款支出决算表", K.FINAL_SANGONG: "财政拨款“三公”经费支出决算表",
    K.FINAL_INFO_STATS: "部门决算公开相关信息统计表", K.SELF_EVALUATION: "项目支出绩效自评表", K.UNCLASSIFIED: "未分类表",
}
