"""Shared contracts: documents, tables, typed records, provenance, findings, corrections, answers, gold."""

from schemas.answers import Answer, AnswerKind, AnswerTable, ChartSpec, Citation
from schemas.findings import CellRef, Correction, CorrectionKind, EditConflict, Finding, Severity
from schemas.gold import GoldCell, GoldDocument, GoldFinding, GoldQASet, GoldQuestion, GoldTable
from schemas.provenance import BBox, ExtractionPath, Provenance, SourceKind
from schemas.records import (
    EconomicLine,
    FunctionLine,
    Indicator,
    NarrativeFigure,
    NarrativeStatement,
    OperatingCost,
    PerformanceTarget,
    Procurement,
    ProjectLine,
    Record,
    SanGong,
    SelfEvaluation,
    SummaryLine,
)
from schemas.tables import (
    Cell,
    CellKey,
    DocKind,
    DocumentMeta,
    PageInfo,
    Row,
    RowRole,
    Table,
    TableKind,
    TableStatus,
)
from schemas.values import MoneyUnit, Value, ValueKind

__all__ = [
    "Answer", "AnswerKind", "AnswerTable", "ChartSpec", "Citation",
    "CellRef", "Correction", "CorrectionKind", "EditConflict", "Finding", "Severity",
    "GoldCell", "GoldDocument", "GoldFinding", "GoldQASet", "GoldQuestion", "GoldTable",
    "BBox", "ExtractionPath", "Provenance", "SourceKind",
    "EconomicLine", "FunctionLine", "Indicator", "NarrativeFigure", "NarrativeStatement", "OperatingCost",
    "PerformanceTarget", "Procurement", "ProjectLine", "Record", "SanGong", "SelfEvaluation", "SummaryLine",
    "Cell", "CellKey", "DocKind", "DocumentMeta", "PageInfo", "Row", "RowRole", "Table", "TableKind", "TableStatus",
    "MoneyUnit", "Value", "ValueKind",
]
