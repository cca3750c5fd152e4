"""Loaded document → tables with ids, plus document metadata (org, year, kind)."""

from __future__ import annotations

import re
from collections import Counter

from extractor.layout import LoadedDocument
from extractor.tables.forms import build_form_table
from extractor.tables.grid import build_grid_table
from extractor.tables.segment import Segmentation, line_text, segment
from extractor.tables.stream import is_stream_document, stream_segment
from schemas.tables import DocKind, Table, TableKind

_ORG_TITLE = re.compile(r"^(?P<org>\S{2,30}?(局|委员会|委|办公室|中心|院|所|站|队|部|厅|会|学校|医院|政府))$")
_YEAR_KIND = re.compile(r"(?P<year>20\d{2})年度?.*?(?P<kind>预算|决算)(公开)?")


def extract_tables(doc: LoadedDocument) -> tuple[list[Table], Segmentation]:
    # plain get_text() output (one cell per line, empty cells gone) is rebuilt into grids first
    seg = stream_segment(doc) if is_stream_document(doc) else segment(doc)
    return build_tables(doc, seg), seg


def build_tables(doc: LoadedDocument, seg: Segmentation) -> list[Table]:
    """Segmented blocks → tables with ids ``<kind>#<ordinal>``."""
    tables: list[Table] = []
    ordinal: Counter[str] = Counter()
    for block in seg.tables:
        kind = block.template.kind if block.template else TableKind.UNCLASSIFIED
        ordinal[kind.value] += 1
        table_id = f"{kind.value}#{ordinal[kind.value]}"
        if block.template is not None and block.template.layout == "form":
            table = build_form_table(block, doc.doc_id, doc.source, table_id)
        else:
            table = build_grid_table(block, doc.doc_id, doc.source, table_id)
        table.repairs.extend(getattr(block, "repairs", []))
        tables.append(table)
    return tables


def document_identity(seg: Segmentation, tables: list[Table]) -> tuple[str | None, int | None, DocKind]:
    """Org, year and kind from the cover lines, falling back on the tables' org lines."""
    org = year = None
    kind = DocKind.UNKNOWN
    for line in seg.narrative[:60]:
        text = line_text(line).replace(" ", "")
        if org is None and (m := _ORG_TITLE.match(text)):
            org = m.group("org")
        if year is None and (m := _YEAR_KIND.search(text)) and len(text) < 30:
            year = int(m.group("year"))
            kind = DocKind.FINAL_ACCOUNTS if m.group("kind") == "决算" else DocKind.BUDGET
    orgs = Counter(t.org for t in tables if t.org)
    if orgs:
        org = orgs.most_common(1)[0][0]
    if kind == DocKind.UNKNOWN and tables:
        finals = sum(1 for t in tables if t.kind.value.startswith("final") or t.kind == TableKind.SELF_EVALUATION)
        kind = DocKind.FINAL_ACCOUNTS if finals * 2 > len(tables) else DocKind.BUDGET
    return org, year, kind
