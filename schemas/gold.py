"""The gold-file format of eval/gold/: typed by hand from the documents, never by the extractor."""

from __future__ import annotations

from pydantic import BaseModel, Field

from schemas.tables import TableKind


class GoldCell(BaseModel):
    row: str  # row key: the classification code when printed, else the row label as printed
    column: str  # column name (the lowest header cell), e.g. 合计, 基本支出, 全年执行数
    printed: str  # the figure exactly as printed, e.g. "9232.39", "4,047,000"


class GoldTable(BaseModel):
    kind: TableKind
    title: str
    line: int  # 1-based line of the title in the corpus text
    empty: bool = False  # 本表无数据
    project: str | None = None  # performance / self-evaluation tables: the project name
    cells: list[GoldCell] = Field(default_factory=list)


class GoldFinding(BaseModel):
    rule_id: str
    severity: str  # error | rounding | warning
    tables: list[TableKind] = Field(default_factory=list)
    where: str  # the row/project the finding is about
    note: str  # what is inconsistent, checked by hand


class GoldDocument(BaseModel):
    file: str  # file name in ../shared/corpus
    org: str
    year: int
    kind: str  # budget | final_accounts
    tables: list[GoldTable]
    findings: list[GoldFinding] = Field(default_factory=list)


class GoldCitation(BaseModel):
    file: str
    table: TableKind
    row: str
    column: str


class GoldAnswerNumber(BaseModel):
    value: str  # as it must appear, e.g. "9236.44"
    money_unit: str | None = None  # 万元 / 元 / % / None
    cite: GoldCitation | None = None


class GoldQuestion(BaseModel):
    id: str
    question: str
    kind: str  # execution | totals | function | sangong | operating_cost | largest | compare | findings | followup
    follows: str | None = None  # id of the previous question in the conversation
    numbers: list[GoldAnswerNumber] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list)  # exactly the expected items (project names ...)
    note: str = ""


class GoldQASet(BaseModel):
    name: str
    tuned_on: bool  # False for the paraphrase set the router is never tuned on
    questions: list[GoldQuestion]
