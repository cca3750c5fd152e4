"""The four forms a corpus document is evaluated in: its text, a digital PDF rendered from it,
that PDF's plain get_text() output, and an image-only scan of it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from extractor.extract import extract_tables
from extractor.layout import LoadedDocument
from extractor.load_text import load_text
from schemas.tables import Table

FORMS = ("text", "digital", "gettext", "scanned")


def _id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_form(path: Path, form: str, seed: int = 0, scan_pages: list[int] | None = None) -> LoadedDocument:
    text_bytes = path.read_bytes()
    if form == "text":
        return load_text(text_bytes, _id(text_bytes), path.name)
    from eval.render import read_text, render_digital, render_scanned

    text = read_text(path)
    if form == "scanned":
        from extractor.load_pdf import load_pdf

        pdf, _ = render_scanned(text, seed, pages=scan_pages)
        return load_pdf(pdf, _id(pdf), path.stem + ".scan.pdf", ocr=True)
    pdf, _ = render_digital(text, seed)
    if form == "digital":
        from extractor.load_pdf import load_pdf

        return load_pdf(pdf, _id(pdf), path.stem + ".pdf")
    import pymupdf

    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        plain = "\f".join(page.get_text() for page in doc).encode()
    return load_text(plain, _id(plain), path.stem + ".gettext.txt")


def tables_for(path: Path, form: str, seed: int = 0, scan_pages: list[int] | None = None,
               on_loaded: Callable[[LoadedDocument], None] | None = None) -> list[Table]:
    doc = load_form(path, form, seed, scan_pages)
    if on_loaded:
        on_loaded(doc)
    return extract_tables(doc)[0]
