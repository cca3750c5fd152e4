"""Documents and the tables found in them, down to the cell."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from schemas.provenance import Provenance, SourceKind
from schemas.values import MoneyUnit, Value


class DocKind(StrEnum):
    BUDGET = "budget"  # 预算公开
    FINAL_ACCOUNTS = "final_accounts"  # 决算公开
    PERFORMANCE = "performance"  # a stand-alone performance attachment
    UNKNOWN = "unknown"


class TableKind(StrEnum):
    # 预算 (budget)
    BUDGET_SUMMARY = "budget_summary"  # 收支总表
    BUDGET_INCOME = "budget_income"  # 收入总表
    BUDGET_EXPENDITURE = "budget_expenditure"  # 支出总表
    BUDGET_FISCAL_SUMMARY = "budget_fiscal_summary"  # 财政拨款收支总表
    BUDGET_GENERAL_EXPENDITURE = "budget_general_expenditure"  # 一般公共预算支出表
    BUDGET_BASIC_ECONOMIC = "budget_basic_economic"  # 一般公共预算基本支出表 (经济分类)
    BUDGET_FUND_INCOME = "budget_fund_income"  # 政府性基金预算收入表
    BUDGET_FUND_EXPENDITURE = "budget_fund_expenditure"  # 政府性基金预算支出表
    BUDGET_STATE_CAPITAL = "budget_state_capital"  # 国有资本经营预算表
    BUDGET_SANGONG = "budget_sangong"  # "三公"经费支出表
    BUDGET_OPERATING_COST = "budget_operating_cost"  # 机关运行经费表
    BUDGET_PROJECTS = "budget_projects"  # 项目支出表(本年预算)
    BUDGET_PROJECTS_CARRYOVER = "budget_projects_carryover"  # 项目支出表(上年结转)
    PERFORMANCE_TARGET = "performance_target"  # 项目支出绩效目标表
    OVERALL_PERFORMANCE_TARGET = "overall_performance_target"  # 整体支出绩效目标表
    # 决算 (final accounts)
    FINAL_SUMMARY = "final_summary"  # 收入支出决算总表
    FINAL_INCOME = "final_income"  # 收入决算表
    FINAL_EXPENDITURE = "final_expenditure"  # 支出决算表
    FINAL_FISCAL_SUMMARY = "final_fiscal_summary"  # 财政拨款收入支出决算总表
    FINAL_GENERAL_EXPENDITURE = "final_general_expenditure"  # 一般公共预算财政拨款支出决算表
    FINAL_BASIC_DETAIL = "final_basic_detail"  # 一般公共预算财政拨款基本支出决算明细表
    FINAL_FUND = "final_fund"  # 政府性基金预算财政拨款收入支出决算表
    FINAL_STATE_CAPITAL = "final_state_capital"  # 国有资本经营预算财政拨款支出决算表
    FINAL_SANGONG = "final_sangong"  # 财政拨款"三公"经费支出决算表
    FINAL_INFO_STATS = "final_info_stats"  # 部门决算公开相关信息统计表
    SELF_EVALUATION = "self_evaluation"  # 项目支出绩效自评表
    UNCLASSIFIED = "unclassified"


class TableStatus(StrEnum):
    OK = "ok"
    EMPTY = "empty"  # 本表无数据: present, no data rows
    UNCLASSIFIED = "unclassified"  # kept as a generic grid


class RowRole(StrEnum):
    DATA = "data"
    TOTAL = "total"  # 合计 / 总计 / 本年收入合计 ...
    SUBTOTAL = "subtotal"
    NOISE = "noise"  # marked by a reviewer; ignored by rules


class CellKey(BaseModel):
    """Stable address of a cell across re-extractions: corrections are re-applied by it."""

    doc_id: str
    table_id: str  # e.g. "budget_income#1", "self_evaluation#7"
    row_key: str  # classification code when printed, else the normalised row label
    column: str  # normalised column path, e.g. "2024年预算数/合计"

    def __str__(self) -> str:
        return f"{self.doc_id[:8]}/{self.table_id}/{self.row_key}/{self.column}"


class Cell(BaseModel):
    column: str
    value: Value
    provenance: Provenance


class Row(BaseModel):
    key: str
    label: str  # the printed row label (name)
    code: str | None = None  # 功能分类 / 经济分类 code when printed
    level: int | None = None  # 1 类, 2 款, 3 项 (function codes of 3/5/7 digits)
    role: RowRole = RowRole.DATA
    indent: int = 0  # U+3000 indentation (org / sub-org / project)
    cells: list[Cell] = Field(default_factory=list)
    provenance: Provenance

    def cell(self, column: str) -> Cell | None:
        for c in self.cells:
            if c.column == column:
                return c
        return None


class Table(BaseModel):
    id: str  # "<kind>#<ordinal>", unique within the document
    doc_id: str
    kind: TableKind
    status: TableStatus = TableStatus.OK
    title: str
    label: str | None = None  # 预算公开表1, 公开01表 ...
    org: str | None = None
    money_unit: MoneyUnit | None = None
    pages: list[int] = Field(default_factory=list)
    header_rows: list[list[str]] = Field(default_factory=list)
    columns: list[str] = Field(default_factory=list)
    rows: list[Row] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    confidence: float = 1.0
    provenance: Provenance  # the title line
    repairs: list[str] = Field(default_factory=list)  # column assignments chosen by identities, etc.

    def row(self, key: str) -> Row | None:
        for r in self.rows:
            if r.key == key:
                return r
        return None

    def find_cell(self, row_key: str, column: str) -> Cell | None:
        """The cell at (row key, column). Two-sided tables repeat a row key on each side (总计),
        so every row with the key is searched."""
        for r in self.rows:
            if r.key == row_key and (c := r.cell(column)) is not None:
                return c
        return None


class PageInfo(BaseModel):
    number: int
    width: float | None = None
    height: float | None = None
    ocr: bool = False
    error: str | None = None


class DocumentMeta(BaseModel):
    id: str  # sha256 of the original bytes (hex); DOC arguments accept a prefix
    file_name: str
    org: str | None = None
    year: int | None = None
    kind: DocKind = DocKind.UNKNOWN
    source: SourceKind = SourceKind.TEXT
    page_count: int = 0
    pages_ocr: int = 0
    extractor_version: str = ""
    settings_hash: str = ""
    ingested_at: datetime | None = None
    seconds: float = 0.0
    status: str = "ok"  # ok | partial | failed | deleted
    errors: list[str] = Field(default_factory=list)
