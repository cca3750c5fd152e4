"""BUDGETLENS_CHROMA_URL: the same index code against a Chroma server (started here with the `chroma`
command that ships with chromadb) instead of the embedded PersistentClient."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from extractor.store import open_store
from qa_app.index import get_index
from tests.qa.helpers import CORPUS, doc_id, ingest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent))
    if chroma is None:
        pytest.skip("the `chroma` command of chromadb is not installed")
    port = _free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([chroma, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                err = proc.stderr.read().decode()[-500:] if proc.stderr else ""
                pytest.fail(f"chroma server did not start: {err}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_ingest_indexes_into_the_server_and_search_reads_it(chroma_url: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    monkeypatch.setenv("BUDGETLENS_CHROMA_URL", chroma_url)
    home = tmp_path / "home"
    ingest(home, ["yangcheng-emergency-2024-final-accounts.txt"])  # the ingest hook indexes
    assert not (home / "chroma").exists()  # nothing embedded locally: the server holds the vectors
    store = open_store(home)
    yc = doc_id(store, "yangcheng")
    index = get_index(home)
    import chromadb

    server = chromadb.HttpClient(host="127.0.0.1", port=int(chroma_url.rsplit(":", 1)[1]))
    [collection] = [c for c in server.list_collections() if c.name == index.name]
    assert collection.count() == index.collection.count() > 0
    assert set(collection.get(where={"doc_id": yc})["ids"]) == set(index.collection.get(where={"doc_id": yc})["ids"])
    hits = index.search("“三公”经费比上年度减少的原因", k=5)
    assert any(h.meta.get("line_start") == 542 for h in hits)
