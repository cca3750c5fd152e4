"""The same store code on PostgreSQL (BUDGETLENS_DB): a throwaway server started for the session from
Debian's postgresql package, the corpus ingested through the real pipeline, read back, corrected.

Set BUDGETLENS_TEST_PG_URL to use an existing server instead."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor import hooks, pipeline
from extractor.db import to_postgres
from extractor.review import correct_cell
from extractor.store import open_store
from schemas.findings import EditConflict
from schemas.tables import CellKey
from tests.conftest import DATONG, YANGCHENG


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    if url := os.environ.get("BUDGETLENS_TEST_PG_URL"):
        yield url
        return
    pytest.importorskip("psycopg", reason="psycopg not installed (pip install -e '.[dev]')")
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:
        pytest.skip("PostgreSQL server binaries not found (apt install postgresql; `make setup` does it)")
    bin_dir = Path(initdb[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="budgetlens-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start a PostgreSQL server")
        shutil.chown(root, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = root / "data"
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)
    subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w",
                    "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh database per test."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg_server.rsplit("/", 1)[0] + f"/{name}"


def test_sqlite_dialect_translates_to_upserts() -> None:
    columns = {"documents": ["id", "file_name", "meta"]}
    assert to_postgres("SELECT json FROM tables WHERE doc_id=? AND kind LIKE '%x'", {}) == \
        "SELECT json FROM tables WHERE doc_id=%s AND kind LIKE '%%x'"
    assert to_postgres("INSERT OR REPLACE INTO documents VALUES (?,?,?)", columns) == (
        "INSERT INTO documents (id, file_name, meta) VALUES (%s,%s,%s) "
        "ON CONFLICT (id) DO UPDATE SET file_name=EXCLUDED.file_name, meta=EXCLUDED.meta")
    assert to_postgres("INSERT OR REPLACE INTO narrative (doc_id, line_no) VALUES (?,?)", {}).endswith(
        "ON CONFLICT (doc_id, line_no) DO NOTHING")


@pytest.mark.corpus
def test_ingest_read_correct_on_postgres(corpus: Path, tmp_path: Path, pg_url: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hooks, "ON_DOCUMENT_CHANGED", [])
    monkeypatch.setenv("BUDGETLENS_DB", pg_url)
    lite_home, pg_home = tmp_path / "lite", tmp_path / "pg"
    lite = open_store(lite_home, url="")
    pg = open_store(pg_home)
    assert (lite.dialect, pg.dialect) == ("sqlite", "postgresql")
    for store, home in ((lite, lite_home), (pg, pg_home)):
        for name in (DATONG, YANGCHENG):
            r = pipeline.ingest_file(corpus / name, store, home)
            assert r.error is None, r.error
    doc = lite.resolve(YANGCHENG).id
    assert pg.resolve(YANGCHENG).id == doc and pg.resolve(doc[:8]).file_name == YANGCHENG
    # the same tables, cells, narrative, statements and findings as the embedded store
    assert [t.model_dump() for t in pg.tables(doc)] == [t.model_dump() for t in lite.tables(doc)]
    assert pg.narrative(doc) == lite.narrative(doc) and pg.statements(doc) == lite.statements(doc)
    assert sorted(f.id for f in pg.findings(doc)) == sorted(f.id for f in lite.findings(doc))
    # idempotent: the same file again is a no-op
    assert pipeline.ingest_file(corpus / YANGCHENG, pg, pg_home).skipped
    # a reviewer's edit lands once; a second edit from the same loaded version is a conflict
    key = CellKey(doc_id=doc, table_id="final_sangong#1", row_key="数据", column="决算数/公务接待费")
    cell = pg.table(doc, key.table_id).find_cell(key.row_key, key.column)  # type: ignore[union-attr]
    assert cell is not None
    correct_cell(pg, key, "0.43", "张三", "对照原件", base_version=0)
    with pytest.raises(EditConflict):
        correct_cell(pg, key, "0.44", "李四", "对照原件", base_version=0)
    [c] = pg.corrections(doc)
    assert c.id == 1 and c.new == "0.43" and c.author == "张三"
    fresh = open_store(pg_home)  # another process's view
    assert fresh.table(doc, key.table_id).find_cell(key.row_key, key.column).value.printed == "0.43"  # type: ignore[union-attr]
    fresh.mark_deleted(doc)
    assert [d.file_name for d in pg.documents()] == [DATONG] and len(pg.corrections(doc)) == 1
