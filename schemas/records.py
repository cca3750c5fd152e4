"""Typed records mapped from recognised tables. Each field is a Cell (value + provenance);
a figure a layout does not print is ``None`` (absent), never 0."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from schemas.tables import Cell


class RecordBase(BaseModel):
    doc_id: str
    table_id: str
    row_key: str


class FunctionLine(RecordBase):
    """A 功能分类 line: 类 (3 digits), 款 (5), 项 (7), or the 合计 row (code None, level 0)."""

    record_type: Literal["function_line"] = "function_line"
    code: str | None
    name: str
    level: int
    amounts: dict[str, Cell] = Field(default_factory=dict)  # column -> cell


class EconomicLine(RecordBase):
    """A 经济分类 line of a 基本支出 table (budget: names; final accounts: codes)."""

    record_type: Literal["economic_line"] = "economic_line"
    code: str | None
    name: str
    gov_name: str | None = None  # 政府预算支出经济科目名称 (budgets)
    group: Literal["personnel", "public", "total", "class", "item"] = "item"
    amounts: dict[str, Cell] = Field(default_factory=dict)


class SummaryLine(RecordBase):
    """A line of a 收支总表 / 财政拨款收支总表: income or expenditure side."""

    record_type: Literal["summary_line"] = "summary_line"
    side: Literal["income", "expenditure"]
    name: str
    amounts: dict[str, Cell] = Field(default_factory=dict)


class ProjectLine(RecordBase):
    """A row of 项目支出表: an org total row or a project."""

    record_type: Literal["project_line"] = "project_line"
    name: str
    is_org_total: bool = False
    carryover: bool = False  # 上年结转 table
    amounts: dict[str, Cell] = Field(default_factory=dict)


class Indicator(BaseModel):
    level1: str | None = None  # 一级指标
    level2: str | None = None  # 二级指标
    level3: str | None = None  # 三级指标
    target: Cell | None = None  # 指标值 / 年初指标值
    adjusted_target: Cell | None = None  # 调整后指标值
    actual: Cell | None = None  # 全年完成值 / 实际完成值
    weight: Cell | None = None  # 分值
    score: Cell | None = None  # 得分


class PerformanceTarget(RecordBase):
    """项目支出绩效目标表: one per project, amounts usually in 元."""

    record_type: Literal["performance_target"] = "performance_target"
    project_name: str
    period_total: Cell | None = None  # 实施期资金总额
    annual_total: Cell | None = None  # 年度资金总额
    annual_sources: dict[str, Cell] = Field(default_factory=dict)  # 中央/省级/市县/自筹/其他
    indicators: list[Indicator] = Field(default_factory=list)


class NarrativeFigure(BaseModel):
    """A figure quoted in a 项目绩效分析 / 情况说明 sentence."""

    label: str  # e.g. 年初预算数, 预算执行数, 预算执行率
    cell: Cell
    sentence: str


class SelfEvaluation(RecordBase):
    """项目支出绩效自评表 (final accounts), in any of its layouts."""

    record_type: Literal["self_evaluation"] = "self_evaluation"
    project_name: str
    layout: str  # which catalog layout matched
    target_declared: Cell | None = None  # 目标申报数
    initial_budget: Cell | None = None  # 年初预算数 (= 预算编制数 where split)
    adjusted_budget: Cell | None = None  # 全年预算数
    executed: Cell | None = None  # 全年执行数
    balance: Cell | None = None  # 资金结(转)余
    printed_rate: Cell | None = None  # 执行率 / 预算执行率 as printed
    budget_score: Cell | None = None  # 得分 of the funds line
    total_weight: Cell | None = None  # Σ 分值 (合计/总分 row)
    total_score: Cell | None = None  # 总分 / 合计 得分
    grade: str | None = None  # 优 / 良 ...
    indicators: list[Indicator] = Field(default_factory=list)
    narrative: list[NarrativeFigure] = Field(default_factory=list)
    low_rate_reason: str | None = None  # 预算执行率偏低原因 / 偏差原因 / 存在问题 text
    analysis_text: str | None = None  # 项目实施和预算执行情况 sentence(s)


class SanGong(RecordBase):
    """"三公"经费: one block (budget figures or final figures)."""

    record_type: Literal["sangong"] = "sangong"
    block: Literal["budget", "final"]
    column: str  # 合计 / 一般公共预算 / ... for budget tables; 预算数/决算数 for finals
    total: Cell | None = None
    abroad: Cell | None = None  # 因公出国(境)费
    reception: Cell | None = None  # 公务接待费
    vehicle_total: Cell | None = None  # 公务用车购置及运行(维护)费
    vehicle_purchase: Cell | None = None
    vehicle_operation: Cell | None = None


class OperatingCost(RecordBase):
    """机关运行经费 per org (budget) or the final-account statistic."""

    record_type: Literal["operating_cost"] = "operating_cost"
    org_name: str
    amount: Cell | None = None
    is_total: bool = False


class Procurement(RecordBase):
    record_type: Literal["procurement"] = "procurement"
    total: Cell | None = None
    goods: Cell | None = None
    works: Cell | None = None
    services: Cell | None = None


class NarrativeStatement(BaseModel):
    """A figure stated in the narrative (情况说明), e.g. last year's change: the only source for 比上年."""

    doc_id: str
    section: str  # section heading path
    subject: str  # what the sentence is about (e.g. 机关运行经费, 收入总计, 社会保障和就业支出)
    metric: Literal["amount", "change", "change_pct", "share", "count", "rate"]
    value: Cell
    direction: Literal["increase", "decrease", "same"] | None = None
    sentence: str


Record = (
    FunctionLine
    | EconomicLine
    | SummaryLine
    | ProjectLine
    | PerformanceTarget
    | SelfEvaluation
    | SanGong
    | OperatingCost
    | Procurement
)
