"""The one CLI: a thin layer over the library. Bad input becomes one sentence, never a traceback.

Examples:
  budgetlens ingest ../shared/corpus/
  budgetlens tables fenyang --json
  budgetlens export yangcheng --format xlsx --out yangcheng.xlsx
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from extractor.config import ExtractionSettings, home
from extractor.pipeline import PDF_SUFFIXES, TEXT_SUFFIXES, IngestResult, ingest_file
from extractor.store import DocumentNotFound, Store, open_store


def _store() -> Store:
    return open_store(home())


def _resolve(store: Store, ref: str | None) -> list:
    try:
        return [store.resolve(ref)] if ref else store.documents()
    except DocumentNotFound as exc:
        raise click.ClickException(str(exc)) from exc


def _expand(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.suffix.lower() in TEXT_SUFFIXES | PDF_SUFFIXES)
        else:
            files.append(p)
    return files


class LazyGroup(click.Group):
    """Commands that live above ``extractor`` (question answering, the app, evaluation) are
    registered by import path and loaded when used, keeping the import direction
    schemas ← extractor ← qa_app, with eval above all."""

    lazy = {
        "ask": "qa_app.commands.ask:ask",
        "serve": "qa_app.commands.serve:serve",
        "correct": "qa_app.commands.correct:correct",
        "eval": "eval.commands:eval_cmd",
        "bench": "eval.commands:bench",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            import importlib

            module, attr = self.lazy[name].split(":")
            try:
                return getattr(importlib.import_module(module), attr)
            except (ImportError, AttributeError) as exc:
                raise click.ClickException(f"'{name}' is not available in this build: {exc}") from exc
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup)
@click.version_option(package_name="budgetlens")
def main() -> None:
    """budgetlens: Chinese budget / final-account disclosures → validated, cited data.

    All state lives under BUDGETLENS_HOME (default ./.budgetlens).
    """


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--force", is_flag=True, help="Re-extract even if this file was extracted by this extractor.")
@click.option("--no-ocr", is_flag=True, help="Do not OCR scanned pages (they are reported instead).")
@click.option("--jobs", default=1, show_default=True, help="Parallel loaders (one writer to the store).")
@click.option("--json", "as_json", is_flag=True, help="Print the per-file results as JSON.")
def ingest(paths: tuple[str, ...], force: bool, no_ocr: bool, jobs: int, as_json: bool) -> None:
    """Ingest PDF / text files or folders, e.g. `budgetlens ingest ../shared/corpus/`."""
    from rich.progress import Progress

    files = _expand(paths)
    if not files:
        raise click.ClickException("no PDF, .txt or .md files found in the given paths")
    store, root = _store(), home()
    settings = ExtractionSettings(ocr=not no_ocr)
    _llm_notice(as_json)
    results: list[IngestResult] = []
    with Progress(transient=True, disable=as_json or not sys.stderr.isatty()) as bar:
        task = bar.add_task("ingest", total=len(files))
        for f in files:
            bar.update(task, description=f.name[:40])
            results.append(ingest_file(f, store, root, settings, force=force))
            bar.advance(task)
    if as_json:
        click.echo(json.dumps([_result_json(r) for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            click.echo(_result_line(r))
    if any(r.error for r in results):
        sys.exit(1)


def _llm_notice(quiet: bool) -> None:
    import os

    if not os.environ.get("BUDGETLENS_LLM") and not quiet:
        click.echo("LLM assist is off (BUDGETLENS_LLM not set): deterministic mapping only.", err=True)


def _result_json(r: IngestResult) -> dict:
    return {"file": str(r.path), "doc_id": r.doc_id, "skipped": r.skipped, "error": r.error,
            "tables": dict(r.tables_by_kind), "unclassified": r.unclassified, "pages": r.pages,
            "pages_ocr": r.pages_ocr, "seconds": r.seconds, "warnings": r.warnings}


def _result_line(r: IngestResult) -> str:
    if r.error:
        return f"FAILED  {r.path.name}: {r.error}"
    if r.skipped:
        return f"same    {r.path.name} ({r.doc_id[:8]}): already extracted by this extractor (use --force)"
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(r.tables_by_kind.items()))
    return (f"ok      {r.path.name} ({r.doc_id[:8]}): {sum(r.tables_by_kind.values())} tables [{kinds}], "
            f"{r.unclassified} unclassified, {r.pages} pages, {r.pages_ocr} OCR'd, {r.seconds:.2f}s")


@main.command()
@click.argument("doc", required=False)
@click.option("--json", "as_json", is_flag=True)
def tables(doc: str | None, as_json: bool) -> None:
    """List extracted tables: kind, title, pages, rows. DOC = hash prefix or file name."""
    store = _store()
    out = []
    for meta in _resolve(store, doc):
        for t in store.tables(meta.id):
            out.append({"doc": meta.file_name, "doc_id": meta.id[:12], "table_id": t.id, "kind": t.kind.value,
                        "status": t.status.value, "title": t.title, "pages": t.pages, "rows": len(t.rows),
                        "repairs": t.repairs})
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for o in out:
        click.echo(f"{o['doc_id'][:8]}  {o['table_id']:<32} {o['status']:<12} p.{','.join(map(str, o['pages'])):<8} "
                   f"{o['rows']:>4} rows  {o['title']}")


@main.command()
@click.argument("doc", required=False)
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Write to this file (JSON goes to stdout otherwise).")
def export(doc: str | None, fmt: str, out: Path | None) -> None:
    """Export every extracted cell with printed and normalised values and provenance."""
    from extractor.export import export_rows, write_csv, write_xlsx

    store = _store()
    metas = _resolve(store, doc)
    rows = [r for m in metas for r in export_rows(m, store.tables(m.id))]
    if fmt == "json":
        text = json.dumps(rows, ensure_ascii=False, indent=1)
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            click.echo(text)
        return
    if out is None:
        raise click.ClickException(f"--format {fmt} needs --out FILE")
    (write_csv if fmt == "csv" else write_xlsx)(rows, out)
    click.echo(f"wrote {len(rows)} cells to {out}")


@main.command()
@click.argument("doc", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text")
@click.option("--out", type=click.Path(path_type=Path))
def validate(doc: str | None, as_json: bool, fmt: str, out: Path | None) -> None:
    """Run the sum rules; per document: checked / passed / rounding / errors / not checked, then findings."""
    from extractor.validation_cli import run_validate

    run_validate(_store(), _resolve(_store(), doc), as_json, fmt, out)


if __name__ == "__main__":  # pragma: no cover
    main()
