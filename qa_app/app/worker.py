"""The one background writer: uploads and re-ingests are queued and run one at a time on a thread
with its own store connection, so pages stay responsive while a long PDF is OCR'd."""

from __future__ import annotations

import queue
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import streamlit as st

from extractor.config import ExtractionSettings
from extractor.pipeline import IngestResult, ingest_file
from extractor.store import open_store
from qa_app.app.state import home_dir


@dataclass
class Job:
    id: str
    name: str
    path: Path
    force: bool = False
    state: str = "queued"  # queued | running | done | failed
    pages_done: int = 0
    pages_total: int = 0
    result: IngestResult | None = None
    error: str | None = None
    submitted: float = field(default_factory=time.time)
    seconds: float = 0.0


class IngestWorker:
    def __init__(self, home: Path):
        self.home = home
        self.jobs: list[Job] = []
        self._queue: queue.Queue[Job] = queue.Queue()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="budgetlens-ingest-writer", daemon=True)
        self._thread.start()

    def submit(self, name: str, data: bytes, force: bool = False) -> Job:
        """Queue ``data`` to be ingested under the file name ``name`` (a base name, kept as given)."""
        job_id = uuid.uuid4().hex[:12]
        folder = Path(tempfile.mkdtemp(prefix=f"upload-{job_id}-", dir=self._uploads()))
        path = folder / Path(name).name
        path.write_bytes(data)
        job = Job(id=job_id, name=path.name, path=path, force=force)
        with self._lock:
            self.jobs.append(job)
        self._queue.put(job)
        return job

    def snapshot(self) -> list[Job]:
        with self._lock:
            return [replace(j) for j in self.jobs]

    def active(self) -> bool:
        with self._lock:
            return any(j.state in ("queued", "running") for j in self.jobs)

    def _uploads(self) -> Path:
        path = self.home / "uploads"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _run(self) -> None:
        store = open_store(self.home)  # this thread's own connection: the only writer of ingests
        while True:
            job = self._queue.get()
            self._update(job, state="running")
            start = time.perf_counter()

            def progress(done: int, total: int, j: Job = job) -> None:
                self._update(j, pages_done=done, pages_total=total)

            try:
                result = ingest_file(job.path, store, self.home, ExtractionSettings(), force=job.force,
                                     progress=progress)
                self._update(job, result=result, error=result.error, state="failed" if result.error else "done")
            except Exception as exc:  # noqa: BLE001 - a bug in one file must not stop the writer
                self._update(job, error=f"{type(exc).__name__}: {exc}", state="failed")
            finally:
                self._update(job, seconds=round(time.perf_counter() - start, 2))
                shutil.rmtree(job.path.parent, ignore_errors=True)

    def _update(self, job: Job, **changes: object) -> None:
        with self._lock:
            for k, v in changes.items():
                setattr(job, k, v)


@st.cache_resource(show_spinner=False)
def _worker(home_str: str) -> IngestWorker:
    return IngestWorker(Path(home_str))


def worker() -> IngestWorker:
    return _worker(str(home_dir()))
