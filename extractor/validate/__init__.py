"""Sum-rule validation: a declarative catalog of identities, one lazy evaluator, repairs as suggestions."""

from extractor.validate.catalog import CATALOG, RULES, Rule
from extractor.validate.evaluate import RuleCounts, ValidationReport, validate
from extractor.validate.repair import ColumnAssignment, assign_columns, suggest_digit_repairs

__all__ = ["CATALOG", "RULES", "ColumnAssignment", "Rule", "RuleCounts", "ValidationReport", "assign_columns",
           "suggest_digit_repairs", "validate"]
