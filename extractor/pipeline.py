"""One pipeline: load → tables → validate → store → index.

``ingest_file`` is idempotent: an extraction is keyed by (content hash, extractor version,
settings); the same file with the same extractor is a no-op unless ``force``.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from extractor.config import EXTRACTOR_VERSION, ExtractionSettings
from extractor.corrections import apply_corrections
from extractor.extract import document_identity, extract_tables
from extractor.layout import LoadedDocument
from extractor.load_text import load_text
from extractor.narrative import parse_statements
from extractor.paragraphs import narrative_paragraphs
from extractor.store import Store
from extractor.tables.segment import Segmentation
from schemas.findings import Finding
from schemas.records import NarrativeStatement
from schemas.tables import DocumentMeta, Table, TableStatus

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDF_SUFFIXES = {".pdf"}
MAX_BYTES = 512 * 1024 * 1024


class IngestError(Exception):
    """A file that cannot be ingested; the message is one sentence with the reason."""


@dataclass
class IngestResult:
    path: Path
    doc_id: str = ""
    skipped: bool = False  # already extracted with this extractor and settings
    tables_by_kind: Counter[str] = field(default_factory=Counter)
    unclassified: int = 0
    pages: int = 0
    pages_ocr: int = 0
    seconds: float = 0.0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_any(path: Path, data: bytes, doc_id: str, settings: ExtractionSettings,
             progress: Callable[[int, int], None] | None = None) -> LoadedDocument:
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES or data[:5] == b"%PDF-":
        try:
            from extractor.load_pdf import PdfLoadError, load_pdf
        except ImportError as exc:  # pragma: no cover - the PDF loader ships with the package
            raise IngestError(f"PDF support is not installed: {exc}") from exc
        try:
            return load_pdf(data, doc_id, path.name, ocr=settings.ocr, progress=progress,
                            ocr_engine=settings.ocr_engine, ocr_dpi=settings.ocr_dpi)
        except PdfLoadError as exc:
            raise IngestError(str(exc)) from exc
    if suffix in TEXT_SUFFIXES:
        try:
            return load_text(data, doc_id, path.name)
        except ValueError as exc:
            raise IngestError(str(exc)) from exc
    raise IngestError(f"unsupported file type '{suffix or '(none)'}': give a PDF, .txt or .md file")


def validate_tables(tables: list[Table], doc_id: str,
                    statements: Sequence[NarrativeStatement] = ()) -> list[Finding]:
    """All rule findings (tables and the narrative's quoted figures), plus single-digit repairs proposed
    for review (never applied)."""
    from extractor.records import records_from_tables
    from extractor.validate import suggest_digit_repairs, validate

    records = records_from_tables(tables)
    report = validate(tables, records, doc_id, statements=statements)
    return [*report.findings, *suggest_digit_repairs(tables, report, records)]


def ingest_file(path: Path, store: Store, home: Path, settings: ExtractionSettings | None = None,
                force: bool = False, progress: Callable[[int, int], None] | None = None) -> IngestResult:
    settings = settings or ExtractionSettings()
    result = IngestResult(path=path)
    start = time.perf_counter()
    try:
        if path.stat().st_size > MAX_BYTES:
            raise IngestError(f"file is larger than {MAX_BYTES // 2**20} MB")
        data = path.read_bytes()
        if not data:
            raise IngestError("file is empty")
        doc_id = result.doc_id = content_hash(data)
        if not force and store.find_extraction(doc_id, EXTRACTOR_VERSION, settings.digest()):
            result.skipped = True
            return result
        loaded = load_any(path, data, doc_id, settings, progress)
        tables, seg = extract_tables(loaded)
        llm_findings = _llm_assist(loaded, tables, seg, store)
        tables = llm_findings.tables
        result.warnings = apply_corrections(tables, store.corrections(doc_id))
        narrative = narrative_paragraphs(seg)
        statements = parse_statements(doc_id, narrative, loaded.source)
        findings = [*validate_tables(tables, doc_id, statements), *llm_findings.findings]
        org, year, kind = document_identity(seg, tables)
        meta = DocumentMeta(
            id=doc_id, file_name=path.name, org=org, year=year, kind=kind, source=loaded.source,
            page_count=len(loaded.pages), pages_ocr=sum(1 for p in loaded.pages if p.ocr),
            extractor_version=EXTRACTOR_VERSION, settings_hash=settings.digest(), ingested_at=datetime.now(UTC),
            seconds=round(time.perf_counter() - start, 3), status="partial" if loaded.errors else "ok",
            errors=loaded.errors)
        (home / "files").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, home / "files" / f"{doc_id}{path.suffix.lower()}")
        store.save_document(meta, tables, narrative, findings, statements)
        _index(store, meta)
        result.tables_by_kind = Counter(t.kind.value for t in tables if t.status != TableStatus.UNCLASSIFIED)
        result.unclassified = sum(1 for t in tables if t.status == TableStatus.UNCLASSIFIED)
        result.pages, result.pages_ocr = meta.page_count, meta.pages_ocr
        result.warnings += loaded.errors
    except IngestError as exc:
        result.error = str(exc)
    except OSError as exc:
        result.error = f"cannot read file: {exc.strerror or exc}"
    result.seconds = round(time.perf_counter() - start, 3)
    return result


@dataclass
class _Assisted:
    tables: list[Table]
    findings: list[Finding]


def _llm_assist(loaded: LoadedDocument, tables: list[Table], seg: Segmentation, store: Store) -> _Assisted:
    """The optional LLM pass (off unless ``BUDGETLENS_LLM`` is set): accepted mappings swap tables in,
    rejected attempts leave the deterministic tables and a finding saying why."""
    from extractor.llm.assist import llm_assist

    assisted, findings, _calls = llm_assist(loaded, tables, seg, store=store)
    return _Assisted(assisted, findings)


def _index(store: Store, meta: DocumentMeta) -> None:
    from extractor.hooks import document_changed

    document_changed(store, meta.id)


def stored_path(home: Path, meta: DocumentMeta) -> Path | None:
    hits = list((home / "files").glob(f"{meta.id}.*"))
    return hits[0] if hits else None
