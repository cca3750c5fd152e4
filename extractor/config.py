"""Where state lives and the settings an extraction is keyed by."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pydantic import BaseModel, Field

EXTRACTOR_VERSION = "0.4.0"


def home() -> Path:
    """``BUDGETLENS_HOME`` (default ``./.budgetlens``): the store, the Chroma index and ``files/``."""
    path = Path(os.environ.get("BUDGETLENS_HOME", ".budgetlens")).resolve()
    (path / "files").mkdir(parents=True, exist_ok=True)
    return path


class ExtractionSettings(BaseModel):
    """Saved beside each extraction so a rerun is reproducible."""

    ocr: bool = True
    ocr_engine: str = "rapidocr"
    ocr_dpi: int = 200
    # The chat model of the optional LLM assist: a different model is a different extraction.
    llm: str = Field(default_factory=lambda: os.environ.get("BUDGETLENS_LLM", "").strip())

    def digest(self) -> str:
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]
