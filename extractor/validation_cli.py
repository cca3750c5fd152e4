"""`budgetlens validate`: re-run the rules over stored tables and print/export the report."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import click

from extractor.store import Store
from schemas.tables import DocumentMeta


def run_validate(store: Store, metas: list[DocumentMeta], as_json: bool, fmt: str, out: Path | None) -> None:
    try:
        from extractor.validate.evaluate import validate
    except ImportError as exc:
        raise click.ClickException(f"the validator is not available: {exc}") from exc
    from extractor.records import records_from_tables
    from extractor.review import save_revalidated
    from extractor.validate import suggest_digit_repairs

    reports = []
    for meta in metas:
        tables = store.tables(meta.id)
        records = records_from_tables(tables)
        report = validate(tables, records, meta.id, statements=store.statements(meta.id))
        save_revalidated(store, meta.id, [*report.findings, *suggest_digit_repairs(tables, report, records)])
        reports.append((meta, report))
    if fmt == "csv":
        if out is None:
            raise click.ClickException("--format csv needs --out FILE")
        _write_csv(reports, out)
        click.echo(f"wrote {sum(len(r.findings) for _, r in reports)} findings to {out}")
        return
    if as_json:
        click.echo(json.dumps([{"doc_id": m.id, "file": m.file_name, **json.loads(r.model_dump_json())}
                               for m, r in reports], ensure_ascii=False, indent=1))
        return
    for meta, report in reports:
        sev = Counter(f.severity.value for f in report.findings)
        click.echo(f"{meta.file_name} ({meta.id[:8]}): {sev.get('error', 0)} errors, {sev.get('rounding', 0)} rounding, "
                   f"{sev.get('warning', 0)} warnings, {sev.get('not_checked', 0)} not checked")
        for f in report.findings:
            click.echo(f"  [{f.severity.value}] {f.rule_id}: {f.message}")


def _write_csv(reports: list, out: Path) -> None:
    with out.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "doc_id", "rule_id", "severity", "message", "expected", "actual", "difference", "cells"])
        for meta, report in reports:
            for f in report.findings:
                w.writerow([meta.file_name, meta.id, f.rule_id, f.severity.value, f.message, f.expected, f.actual,
                            f.difference, "; ".join(str(c.key) for c in f.cells)])
