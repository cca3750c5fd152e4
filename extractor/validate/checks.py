"""The check vocabulary: each check is a name (``kind``) plus parameters, evaluated by one function
registered under that kind (see ``evaluate.EVALUATORS``). Rules in ``catalog.py`` are built from these.

Addressing conventions (shared with ``schemas/keys.py``):

- Row spec: a row key (``合计``, ``22401``, ``本年收入合计``); ``a|b`` tries alternatives in order; a spec
  starting with ``~`` is a regular expression searched in the key (``~公务用车购置费$``). ``@org_total``
  names the org total row of a 项目支出表.
- Column spec: a column name, ``a|b`` alternatives, ``~regex`` (full match), ``@first`` (the first
  numeric column), ``*`` (every numeric column, one evaluation each). With a ``side``
  (``收入``/``支出`` of a two-sided table) or a ``block`` (``预算数``/``决算数``), the spec is matched
  against the part of the column name after that prefix.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.tables import TableKind


class _Check(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    only: tuple[TableKind, ...] | None = None  # restrict to these of the rule's tables
    exact: bool = False  # counts and scores: no rounding tolerance


class RollupCheck(_Check):
    """Function classification, every numeric column: 类 = Σ 款, 款 = Σ 项, 合计 row = Σ 类."""

    kind: Literal["rollup"] = "rollup"
    levels: tuple[int, ...] = (1, 2, 3)
    total_row: str = "合计|总计"
    columns: str = "*"


class EconomicRollupCheck(_Check):
    """Economic classification: each class (3-digit code or a class name) = Σ its items; 合计 = Σ classes."""

    kind: Literal["economic_rollup"] = "economic_rollup"
    class_names: tuple[str, ...]
    total_row: str = "合计"
    columns: str = "*"


class ColumnSumCheck(_Check):
    """Within each row: ``total`` column = Σ ``parts`` − Σ ``minus``. ``parts=None``: every other
    numeric column of the same side/block, except ``exclude``."""

    kind: Literal["column_sum"] = "column_sum"
    total: str
    parts: tuple[str, ...] | None = None
    minus: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()  # parts that a layout may not print
    exclude: tuple[str, ...] = ()
    rows: tuple[str, ...] | None = None  # None: every row
    side: str | None = None
    blocks: tuple[str, ...] | None = None  # evaluate once per column-name prefix


class RowSumCheck(_Check):
    """Within each column: ``total`` row = Σ part rows. ``scope``: ``listed`` (``parts`` by name),
    ``before`` (the rows of the same side above the total, back to the previous total), ``after``
    (the contiguous rows below it, matching ``part_pattern`` when given)."""

    kind: Literal["row_sum"] = "row_sum"
    total: str
    parts: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    scope: Literal["listed", "before", "after"] = "listed"
    part_pattern: str | None = None
    columns: str = "*"
    side: str | None = None


class ProjectTotalCheck(_Check):
    """项目支出表: the org total row = Σ project rows; a sub-org total row = Σ its own projects."""

    kind: Literal["project_total"] = "project_total"
    columns: str = "*"


class ScoreSumCheck(_Check):
    """A form's 合计 row = Σ the other rows' ``column`` (得分, 分值); ``constant``: the sum it must equal."""

    kind: Literal["score_sum"] = "score_sum"
    column: str
    total_row: str = "合计"
    constant: Decimal | None = None
    # the sum is incomplete (not checked) when ``require_row`` does not print ``column`` or a part prints
    # ``partner`` but not ``column`` (a 资金 line with 得分 and no 分值, an indicator printing one score)
    require_row: str | None = None
    partner: str | None = None


class CellSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    tables: tuple[TableKind, ...]
    row: str
    column: str
    side: str | None = None
    all_tables: bool = False  # sum this cell over every table of these kinds
    # a missing table/row/column: not checked (default), counted as 0, or the evaluation silently skipped
    # (a narrative that simply does not quote the figure)
    absent: Literal["not_checked", "zero", "skip"] = "not_checked"


class RatioCheck(_Check):
    """``rate`` (percent, as printed) = numerator ÷ denominator × 100. Each operand is a list of
    (row, column) alternatives within the same table; the first printed one is used."""

    kind: Literal["ratio"] = "ratio"
    numerator: tuple[tuple[str, str], ...]
    denominator: tuple[tuple[str, str], ...]
    rate: tuple[str, str]
    absent: Literal["not_checked", "skip"] = "not_checked"  # when the operands or the rate are not printed


class CrossTableCheck(_Check):
    """Σ ``left`` cells = Σ ``right`` cells. ``per_table``: both sides resolved inside each table of the
    (single) kind, e.g. a form's narrative figure against its own table figure."""

    kind: Literal["cross_table"] = "cross_table"
    left: tuple[CellSpec, ...]
    right: tuple[CellSpec, ...]
    per_table: bool = False


class CodeMatchCheck(_Check):
    """Per classification code (and the 合计 row): ``left`` column of one table = ``right`` column of
    another. ``condition``: two cells that must be equal for the rule to apply (else not checked)."""

    kind: Literal["code_match"] = "code_match"
    left: CellSpec  # row is ignored
    right: CellSpec
    condition: tuple[CellSpec, CellSpec] | None = None
    condition_text: str = ""


class TargetAmountCheck(_Check):
    """绩效目标表 年度资金总额 (元 ÷ 10000, rounded to ``decimals``) = the project's amount in 项目支出表."""

    kind: Literal["target_amount"] = "target_amount"
    decimals: int = 2


class TargetCoverageCheck(_Check):
    """Each project has a 绩效目标表 and each 绩效目标表 a project."""

    kind: Literal["target_coverage"] = "target_coverage"


class TargetCopiesCheck(_Check):
    """A form printed more than once (same project): the copies carry the same ``row``/``column`` figure
    (绩效目标表 年度资金总额; 自评表 全年执行数)."""

    kind: Literal["target_copies"] = "target_copies"
    form: TableKind = TableKind.PERFORMANCE_TARGET
    row: str = "年度资金"
    column: str = "年度资金总额"


class NameMatchCheck(_Check):
    """A 绩效目标表's project name is printed as in the 项目支出表 (a match found only after dropping a
    prefix or by similarity is an OCR slip such as Z→2, 品→吕, 县→市)."""

    kind: Literal["name_match"] = "name_match"


class TablesPresentCheck(_Check):
    """The standard tables of the document's family are printed (本表无数据 counts as printed).
    ``budget``/``final``: always expected; ``budget_extended``: a layout printing at least
    ``min_extended`` of them prints them all (the 13-table budget layouts). A document printing fewer
    than ``min_present`` standard tables is an excerpt (an attachment alone): not checked."""

    kind: Literal["tables_present"] = "tables_present"
    budget: tuple[TableKind, ...]
    budget_extended: tuple[TableKind, ...] = ()
    min_extended: int = 2
    final: tuple[TableKind, ...] = ()
    min_present: int = 5


class NarrativeCheck(_Check):
    """Figures quoted in the narrative (情况说明, ``NarrativeStatement``s) against the tables.
    ``metric``: ``amount`` (= the table value its subject names), ``share`` (= part ÷ whole at the
    printed precision), ``change`` (增减率 = 增减额 ÷ (本年数 − 增减额)), ``count`` (= the tables or
    rows counted), ``sum`` (a stated total = Σ its stated parts, e.g. 政府采购 = 货物 + 工程 + 服务)."""

    kind: Literal["narrative"] = "narrative"
    metric: Literal["amount", "share", "change", "count", "sum"]


AnyCheck = Annotated[
    RollupCheck | EconomicRollupCheck | ColumnSumCheck | RowSumCheck | ProjectTotalCheck | ScoreSumCheck
    | RatioCheck | CrossTableCheck | CodeMatchCheck | TargetAmountCheck | TargetCoverageCheck | TargetCopiesCheck
    | NameMatchCheck | TablesPresentCheck | NarrativeCheck,
    Field(discriminator="kind"),
]
