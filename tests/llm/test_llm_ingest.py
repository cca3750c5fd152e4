"""The LLM assist inside `ingest_file`: configured by BUDGETLENS_LLM, driven through the real ChatOpenAI
client and a mocked transport; its verdicts are stored as findings and survive re-validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from llm_fakes import FakeEndpoint, correct_mapping, document_text, prompt_of

from extractor import pipeline
from extractor.config import ExtractionSettings
from extractor.review import revalidate
from extractor.store import Store
from schemas.tables import TableKind

# 2240108 应急救援 printed 476.73 in 合计 but 467.73 in 项目支出: a real arithmetic error, so the table
# fails rules and is sent; a faithful mapping cannot make more rules pass, so it must be rejected.
BROKEN_ROW = "2240108\t应急救援\t476.73\t\t476.73"


def _store(tmp_path: Path) -> Store:
    (tmp_path / "home").mkdir(exist_ok=True)
    return Store(tmp_path / "home" / "budgetlens.sqlite")


def _document(tmp_path: Path) -> Path:
    text = document_text().replace(BROKEN_ROW, "2240108\t应急救援\t476.73\t\t467.73")
    assert text != document_text()
    path = tmp_path / "fake-budget.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> FakeEndpoint:
    ep = FakeEndpoint(lambda req, n: correct_mapping(prompt_of(req)))
    monkeypatch.setenv("BUDGETLENS_LLM", "openai:gpt-4o-mini")
    monkeypatch.setenv("BUDGETLENS_LLM_BASE_URL", "http://llm.test/v1")
    # the configured model, built by the real factory, with the mocked transport underneath
    monkeypatch.setattr("extractor.llm.assist.chat_model", lambda settings: ep.model())
    monkeypatch.setattr("extractor.hooks.ON_DOCUMENT_CHANGED", [])
    return ep


def test_ingest_sends_the_failing_table_and_stores_the_rejection(tmp_path: Path, endpoint: FakeEndpoint) -> None:
    store = _store(tmp_path)
    result = pipeline.ingest_file(_document(tmp_path), store, tmp_path / "home")
    assert result.error is None and len(endpoint.requests) >= 1
    assert "<<<TABLE" in prompt_of(endpoint.requests[0]) and "467.73" in prompt_of(endpoint.requests[0])
    findings = store.findings(result.doc_id)
    rejected = [f for f in findings if f.rule_id == "llm.rejected"]
    assert rejected, [f.rule_id for f in findings]
    table = next(t for t in store.tables(result.doc_id) if t.kind == TableKind.BUDGET_GENERAL_EXPENDITURE)
    assert rejected[0].table_ids == [table.id]
    cell = table.find_cell("2240108", "项目支出")
    assert cell is not None and cell.value.printed == "467.73"  # the printed value stays, nothing invented
    assert any(f.severity.value == "error" and f.rule_id.startswith("func.") for f in findings)
    # re-validation (after a correction elsewhere) keeps the assist's verdict
    revalidate(store, result.doc_id)
    assert [f.id for f in store.findings(result.doc_id) if f.rule_id == "llm.rejected"] == [rejected[0].id]


def test_reingest_with_the_same_model_is_a_no_op_and_another_model_is_a_new_extraction(
        tmp_path: Path, endpoint: FakeEndpoint, monkeypatch: pytest.MonkeyPatch) -> None:
    store, home = _store(tmp_path), tmp_path / "home"
    doc = _document(tmp_path)
    first = pipeline.ingest_file(doc, store, home)
    calls = len(endpoint.requests)
    assert pipeline.ingest_file(doc, store, home).skipped and len(endpoint.requests) == calls
    digest = ExtractionSettings().digest()
    monkeypatch.setenv("BUDGETLENS_LLM", "openai:gpt-4.1-mini")
    assert ExtractionSettings().digest() != digest
    again = pipeline.ingest_file(doc, store, home)
    assert not again.skipped and again.doc_id == first.doc_id
    assert len(endpoint.requests) > calls  # the cache is keyed by model: a new model is asked


def test_without_a_model_nothing_is_sent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUDGETLENS_LLM", raising=False)
    monkeypatch.setattr("extractor.hooks.ON_DOCUMENT_CHANGED", [])

    def refuse(settings):  # noqa: ANN001, ANN202
        raise AssertionError("no model may be built when BUDGETLENS_LLM is unset")

    monkeypatch.setattr("extractor.llm.assist.chat_model", refuse)
    store = _store(tmp_path)
    result = pipeline.ingest_file(_document(tmp_path), store, tmp_path / "home")
    assert result.error is None
    assert not [f for f in store.findings(result.doc_id) if f.rule_id.startswith("llm.")]
