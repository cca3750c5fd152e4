"""Flatten tables to one row per cell (printed + normalised value + provenance) for JSON/CSV/XLSX."""

from __future__ import annotations

import csv
from pathlib import Path

from schemas.tables import DocumentMeta, Table

FIELDS = ["doc_id", "file", "org", "year", "table_id", "table_kind", "table_title", "row_key", "row_label", "code",
          "column", "printed", "value_kind", "number", "money_unit", "wan", "page", "bbox", "line_start", "line_end",
          "path"]


def export_rows(meta: DocumentMeta, tables: list[Table]) -> list[dict]:
    out = []
    for t in tables:
        for r in t.rows:
            for c in r.cells:
                if not c.value.printed.strip():
                    continue
                v, p = c.value, c.provenance
                out.append({
                    "doc_id": meta.id, "file": meta.file_name, "org": meta.org, "year": meta.year, "table_id": t.id,
                    "table_kind": t.kind.value, "table_title": t.title, "row_key": r.key, "row_label": r.label,
                    "code": r.code, "column": c.column, "printed": v.printed, "value_kind": v.kind.value,
                    "number": None if v.number is None else str(v.number),
                    "money_unit": v.money_unit.value if v.money_unit else None,
                    "wan": None if v.wan is None else str(round(v.wan, 6).normalize()),
                    "page": p.page, "bbox": list(p.bbox) if p.bbox else None, "line_start": p.line_start,
                    "line_end": p.line_end, "path": p.path.value})
    return out


def write_csv(rows: list[dict], out: Path) -> None:
    with out.open("w", newline="", encoding="utf-8-sig") as fh:  # BOM: Excel opens Chinese CSV correctly
        w = csv.DictWriter(fh, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)


def write_xlsx(rows: list[dict], out: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "cells"
    ws.append(FIELDS)
    for r in rows:
        ws.append([str(r[f]) if isinstance(r[f], list) else r[f] for f in FIELDS])
    wb.save(out)
