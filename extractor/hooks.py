"""Plugins called when a document's data changes (ingest, correction): the search index lives
above ``extractor`` and is registered here by import path, loaded only when present."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

ON_DOCUMENT_CHANGED: list[str] = ["qa_app.index:update_index"]


def _resolve(spec: str) -> Callable[..., Any] | None:
    module, attr = spec.split(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return None


def document_changed(store: Any, doc_id: str) -> None:
    for spec in ON_DOCUMENT_CHANGED:
        if (fn := _resolve(spec)) is not None:
            fn(store, doc_id)
