"""文档: bad uploads get a clear error, a good one is ingested by the background writer; a document
carrying HTML/script is shown inert on every page; delete asks for confirmation and leaves a tombstone."""

from __future__ import annotations

import re

import pytest

from extractor import review
from extractor.store import open_store
from schemas.tables import CellKey
from tests.app.helpers import EVIL, YANGCHENG, make_app, markup_texts, wait_until

EVIL_NAME = "evil-2024-budget.txt"


def _upload(at, files):
    at.file_uploader(key="uploader").set_value(files)
    at.run()
    at.button(key="upload_go").click()
    return at.run()


def test_bad_files_get_clear_errors(app_home):
    at = make_app("documents", user="分析员")
    at = _upload(at, [("notes.docx", b"PK\x03\x04 zip", "application/octet-stream"),
                      ("fake.pdf", b"this is not a pdf", "application/pdf"),
                      ("empty.txt", b"", "text/plain"),
                      ("binary.txt", b"\x00\x01\x02\x03" * 20, "text/plain"),
                      ("broken.pdf", b"%PDF-1.7\n garbage", "application/pdf")])
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    for expected in ("notes.docx：不支持的文件类型", "fake.pdf：不是有效的 PDF", "empty.txt：文件为空",
                     "binary.txt：看起来是二进制文件", "broken.pdf："):
        assert expected in errors.replace("\\", ""), errors
    assert len(open_store(app_home).documents()) == 3


def test_upload_ingests_and_a_script_is_inert(app_home):
    store = open_store(app_home)
    at = make_app("documents", user="分析员")
    at = _upload(at, [(EVIL_NAME, EVIL.encode(), "text/plain")])
    assert not at.exception and not at.error, [e.value for e in at.error]
    wait_until(at, lambda: any(d.file_name == EVIL_NAME for d in store.documents()))
    wait_until(at, lambda: any(EVIL_NAME in str(v) for v in at.dataframe[0].value["文件"]))
    meta = store.resolve(EVIL_NAME)
    assert meta.org == "<script>alert(1)</script>应急管理局"
    assert store.table(meta.id, "budget_expenditure#1") is not None
    assert any("完成" in s.label for s in at.status), [s.label for s in at.status]
    assert (app_home / "files" / f"{meta.id}.txt").exists()
    _assert_inert(at)
    # the review page: table, source lines and captions carry the script as text only
    review = make_app("review", user="审核员")
    review.selectbox(key="review_doc").set_value(meta.id).run()
    assert not review.exception
    texts = _assert_inert(review)
    assert any(r"\<script\>" in t for t in texts)  # the org line is shown, escaped
    shown = " ".join(str(v) for d in review.dataframe for v in d.value.astype(str).to_numpy().ravel())
    assert "<script>alert(1)</script>灾害防治" in shown  # shown verbatim, as data
    assert "<img src=x onerror=alert(2)>" in shown or "<script>" in shown
    overview = make_app("overview")
    overview.selectbox(key="overview_doc").set_value(meta.id).run()
    assert not overview.exception
    _assert_inert(overview)


def _assert_inert(at) -> None:
    assert len(at.get("html")) == 0  # st.html is never used
    texts = markup_texts(at)
    for text in texts:  # no unescaped tag, link or emphasis from the document
        assert not re.search(r"(?<!\\)<(script|img|/script)|(?<!\\)\]\(javascript|\*\*粗体", text), text
    return texts


def test_reingest_keeps_corrections_and_delete_needs_confirmation(app_home):
    store = open_store(app_home)
    meta = store.resolve(YANGCHENG)
    key = CellKey(doc_id=meta.id, table_id="final_summary#1", row_key="本年收入合计", column="收入/金额")
    review.correct_cell(store, key, "9316.65", "审核员", "测试")
    at = make_app("documents", user="审核员")
    at.selectbox(key="docs_doc").set_value(meta.id).run()
    at.button(key="reingest").click()
    at.run()
    wait_until(at, lambda: store.resolve(YANGCHENG).ingested_at != meta.ingested_at)
    assert not at.exception
    cell = store.table(meta.id, "final_summary#1").row("本年收入合计").cell("收入/金额")
    assert cell.value.printed == "9316.65" and cell.provenance.path == "reviewer"  # the correction survived
    at.button(key="delete_ask").click()
    at.run()
    assert any("确认删除" in w.value for w in at.warning)
    assert store.resolve(YANGCHENG)  # not deleted yet
    at.button(key="delete_no").click()
    at.run()
    assert not any("确认删除" in w.value for w in at.warning)
    at.button(key="delete_ask").click()
    at.run()
    at.button(key="delete_yes").click()
    at.run()
    assert not at.exception
    assert YANGCHENG not in {d.file_name for d in store.documents()}
    assert "deleted" in {d.status for d in store.documents(include_deleted=True) if d.id == meta.id}
    assert YANGCHENG not in " ".join(at.dataframe[0].value["文件"])


def test_analyst_cannot_delete(app_home):
    at = make_app("documents", user="分析员")
    assert at.button(key="delete_ask").disabled
    at = make_app("documents")
    assert at.file_uploader(key="uploader").disabled and at.button(key="upload_go").disabled


@pytest.mark.parametrize("name,data,ok", [("a.md", "表\t1".encode(), True), ("a.TXT", "表".encode("gb18030"), True),
                                          ("a.pdf", b"%PDF-", False), ("a", b"x", False)])
def test_check_upload(name, data, ok):
    from qa_app.app.documents_page import check_upload

    assert (check_upload(name, data) is None) == ok
