"""What the generator returns: the document text and its exact ground truth (JSON-serialisable).

Truth tables and cells extend the gold-file format (``schemas/gold.py``) so a synthetic truth can be
scored like a hand-typed gold file (:meth:`SynthTruth.to_gold`). Row keys and column names follow
``schemas/keys.py``: code when printed, else the normalised label; column = lowest header cell;
two-sided tables prefix ``收入/`` / ``支出/``; repeated names get the spanning header as prefix.
Form tables (绩效目标表, 绩效自评表) use the semantic rows of the extractor: ``实施期资金``/``年度资金``,
``资金总额``, fund-source rows, indicator rows (by 三级指标), ``合计``, ``项目绩效分析``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from schemas.gold import GoldCell, GoldDocument, GoldTable
from schemas.tables import TableKind

DefectType = Literal[
    "arithmetic",  # a table cell changed by more than 0.05
    "narrative_mismatch",  # a figure quoted in 情况说明 differs from the table
    "ocr_digit_swap",  # two adjacent digits of a cell swapped
    "ocr_pin_lv",  # 品 → 吕 in a label
    "ocr_county_city",  # 县 → 市 in a label
    "ocr_z_2",  # Z → 2 at the start of a project name
    "missing_table",  # a standard table left out
    "duplicate_attachment",  # an attachment printed twice, the copies disagree
]


class DefectSpec(BaseModel):
    """How many defects of each kind to inject (each is recorded in the truth)."""

    arithmetic: int = 0
    narrative_mismatch: int = 0
    ocr_digit_swap: int = 0
    ocr_pin_lv: int = 0
    ocr_county_city: int = 0
    ocr_z_2: int = 0
    missing_table: int = 0
    duplicate_attachment: int = 0

    @classmethod
    def every_kind(cls) -> DefectSpec:
        return cls(arithmetic=1, narrative_mismatch=1, ocr_digit_swap=1, ocr_pin_lv=1, ocr_county_city=1, ocr_z_2=1,
                   missing_table=1, duplicate_attachment=1)

    def total(self) -> int:
        return sum(self.model_dump().values())


class TruthCell(GoldCell):
    line: int  # 1-based line of the cell in the text


class TruthTable(GoldTable):
    cells: list[TruthCell] = Field(default_factory=list)  # type: ignore[assignment]
    end_line: int  # last line of the table block (notes included)
    label: str | None = None  # 预算公开表1 / 公开01表 ...
    org: str | None = None  # the 单位名称/部门名称 line, or the form's 实施单位/预算单位
    layout: str | None = None  # forms: funds | progress | transfer (自评), target (绩效目标)
    copy_no: int = 1  # 2 for the second print of a duplicated attachment


class SelfEvaluation(BaseModel):
    """项目支出绩效自评表 figures. 万元 amounts as printed (3 or 2 decimals); None = not printed."""

    layout: Literal["funds", "progress", "transfer"]
    declared: str | None = None  # 目标申报数
    initial: str | None = None  # 年初预算数 (= 预算编制数 in the split layout)
    budget: str  # 全年预算数
    executed: str  # 全年执行数
    balance: str | None = None  # 资金结(转)余
    rate: str  # 执行率 as printed (全年执行数 ÷ 全年预算数)
    weight: str | None = None  # 分值 of the funds line
    score: str | None = None  # 得分 of the funds line
    total_score: str | None = None  # 合计/总分
    grade: str | None = None  # 优 / 良 ...
    reset: bool = False  # 全年预算数 was reset to 全年执行数
    added_in_year: bool = False  # no initial budget
    narrative_initial_yuan: str | None = None  # 项目绩效分析: 年初预算数 … 元
    narrative_executed_yuan: str | None = None  # … 预算执行数 … 元
    narrative_rate: str | None = None  # … 预算执行率 …% (against the initial budget when quoted)
    initial_rate: str | None = None  # exact 执行数 ÷ 年初预算数 × 100 (2 decimals), None without initial budget


class TruthProject(BaseModel):
    name: str  # as printed in the project table (or the form when no table)
    org: str  # the unit it belongs to
    code: str  # 功能分类 项 it is charged to
    fund: Literal["一般公共预算", "政府性基金预算"] = "一般公共预算"
    carryover: bool = False  # 上年结转 project
    category: str | None = None  # 其他运转类 / 特定目标类
    amount: str  # 万元, 2 decimals (budget: the amount; final accounts: 全年执行数)
    target_annual_yuan: str | None = None  # 绩效目标表 年度资金总额 (元)
    target_period_yuan: str | None = None  # 实施期资金总额 (元)
    cost_formula: dict[str, int] | None = None  # cost indicators that multiply out to the annual amount
    self_evaluation: SelfEvaluation | None = None


class NarrativeFigure(BaseModel):
    section: str  # the numbered heading it sits under
    subject: str  # what it measures, e.g. 收入总计, 基本支出占比, 三公经费比上年
    kind: Literal["amount", "share", "change_amount", "change_pct", "count", "rate"]
    printed: str  # as printed, e.g. "9,236.44", "99.96", "9.8"
    value: str  # exact decimal it must equal (the table value, or the computed share/rate)
    money_unit: str | None = None  # 万元 / 元 / % / 个 / 辆
    line: int = 0
    table: TableKind | None = None  # the table cell it quotes, when any
    row: str | None = None
    column: str | None = None
    whole: str | None = None  # shares: the denominator's value
    part: str | None = None  # shares / rates: the numerator's value
    last_year: str | None = None  # changes: last year's figure
    current: str | None = None  # changes: this year's figure


class Rounding(BaseModel):
    """An identity that misses only by 尾数 (≤ 0.01 per addend): a validator reports it as rounding."""

    rule: str
    table: TableKind
    row: str
    column: str
    printed: str  # the total as printed
    expected: str  # Σ of the printed parts
    parts: list[str] = Field(default_factory=list)  # "row|column" of each part


class Defect(BaseModel):
    type: DefectType
    table: TableKind | None = None
    row: str | None = None
    column: str | None = None
    original: str | None = None  # printed before the defect (None for a missing table)
    new: str | None = None  # printed after (None for a missing table)
    line: int | None = None
    note: str = ""


class SynthTruth(BaseModel):
    generator: str = "eval.synth/1"
    seed: int
    org: str  # the org named on the cover (部门 for multi-unit documents)
    units: list[str]  # the units consolidated (one for a 单位 document)
    year: int
    kind: Literal["budget", "final_accounts"]
    style: dict[str, str | bool] = Field(default_factory=dict)
    tables: list[TruthTable]
    projects: list[TruthProject] = Field(default_factory=list)
    narrative: list[NarrativeFigure] = Field(default_factory=list)
    roundings: list[Rounding] = Field(default_factory=list)
    defects: list[Defect] = Field(default_factory=list)

    def table(self, kind: TableKind | str, copy_no: int = 1) -> TruthTable | None:
        return next((t for t in self.tables if t.kind == kind and t.copy_no == copy_no), None)

    def to_gold(self, file: str) -> GoldDocument:
        tables = [GoldTable(kind=t.kind, title=t.title, line=t.line, empty=t.empty, project=t.project,
                            cells=[GoldCell(row=c.row, column=c.column, printed=c.printed) for c in t.cells])
                  for t in self.tables]
        return GoldDocument(file=file, org=self.org, year=self.year, kind=self.kind, tables=tables)


class SynthDoc(BaseModel):
    name: str
    text: str
    truth: SynthTruth
