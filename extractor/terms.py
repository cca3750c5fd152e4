"""The names and features of a document that questions are routed by, kept in the store beside it.

A question names an org, a project or a function class (应急救援 / 2240108) and asks about something
a document may or may not have (self-evaluations, 三公, a narrative). The question-answering engine
links and routes over every document in the store, so it needs these for all documents at once,
without parsing each document's tables: the store writes them with the tables (``Store`` calls
``document_terms``) into its ``terms`` table, one row per term.
"""

from __future__ import annotations

from typing import NamedTuple

from extractor.records import records_from_tables
from schemas.records import FunctionLine, ProjectLine, SanGong, SelfEvaluation
from schemas.tables import Table

# Term kinds: names a question can mention ...
ORG, PROJECT, FUNCTION = "org", "project", "function"
# ... and what a document has (``value`` names the feature), for routing without loading it.
FEATURE = "has"
SELF_EVALUATIONS, PROJECT_BUDGETS, SANGONG, NARRATIVE = "self_evaluations", "project_budgets", "sangong", "narrative"


class Term(NamedTuple):
    kind: str
    value: str
    code: str = ""


def document_terms(org: str, tables: list[Table], has_narrative: bool) -> list[Term]:
    """The document's terms: its org (always, so every document has at least one row), the orgs its
    tables name, project names (budget lines and self-evaluations), function classes (code, name) and
    its features."""
    records = records_from_tables(tables)
    out = [Term(ORG, org)] + [Term(ORG, t.org) for t in tables if t.org and t.org != org]
    out += [Term(PROJECT, r.project_name) for r in records if isinstance(r, SelfEvaluation) and r.project_name]
    out += [Term(PROJECT, r.name) for r in records if isinstance(r, ProjectLine) and not r.is_org_total and r.name]
    out += [Term(FUNCTION, r.name, r.code) for r in records if isinstance(r, FunctionLine) and r.code and r.name]
    features = {SELF_EVALUATIONS: any(isinstance(r, SelfEvaluation) for r in records),
                PROJECT_BUDGETS: any(isinstance(r, ProjectLine) and not r.carryover for r in records),
                SANGONG: any(isinstance(r, SanGong) for r in records),
                NARRATIVE: has_narrative}
    out += [Term(FEATURE, name) for name, present in features.items() if present]
    return list(dict.fromkeys(out))
