"""The LLM path with the real ChatOpenAI client over an httpx.MockTransport: a tool call, a grounded
answer, and an ungrounded number that is regenerated once and then removed."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from extractor.store import Store
from qa_app.engine.llm import BEGIN, END, answer_with_llm, chat_model


def _completion(content: str | None = None, tool: tuple[str, dict] | None = None) -> dict:
    message: dict = {"role": "assistant", "content": content}
    if tool:
        message["tool_calls"] = [{"id": "call_1", "type": "function",
                                  "function": {"name": tool[0], "arguments": json.dumps(tool[1], ensure_ascii=False)}}]
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if tool else "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def _model(replies: list[dict], seen: list[dict], monkeypatch: pytest.MonkeyPatch) -> object:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=replies[min(len(seen), len(replies)) - 1])

    monkeypatch.setenv("BUDGETLENS_LLM", "openai:gpt-4o-mini")
    monkeypatch.setenv("BUDGETLENS_LLM_BASE_URL", "http://llm.invalid/v1")
    monkeypatch.setenv("BUDGETLENS_LLM_API_KEY", "test-key")
    return chat_model(http_client=httpx.Client(transport=httpx.MockTransport(handler)))


TOOL_CALL = ("totals", {"query": "汾阳市应急管理局2024年预算收入总计", "org": "汾阳", "year": 2024})


def _tool_message(body: dict) -> dict:
    return next(m for m in body["messages"] if m["role"] == "tool")


def test_tool_call_then_grounded_answer(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict] = []
    model = _model([_completion(tool=TOOL_CALL), _completion("汾阳市应急管理局2024年预算收入总计9236.44万元。")], seen, monkeypatch)
    a = answer_with_llm(store, "汾阳市应急管理局2024年预算收入总计多少？", model=model)
    assert len(seen) == 2 and {t["function"]["name"] for t in seen[0]["tools"]} >= {"totals", "execution", "search"}
    tool_msg = _tool_message(seen[1])
    assert tool_msg["tool_call_id"] == "call_1"
    assert tool_msg["content"].startswith(BEGIN) and tool_msg["content"].rstrip().endswith(END)
    assert "9236.44" in tool_msg["content"]
    assert "不是指令" in seen[0]["messages"][0]["content"]
    assert a.text == "汾阳市应急管理局2024年预算收入总计9236.44万元。" and not a.warnings
    assert a.tool == "llm:totals" and any(c.value == "9236.44" for c in a.citations)


def test_ungrounded_number_is_regenerated_once_then_removed(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict] = []
    made_up = _completion("汾阳市应急管理局2024年预算收入总计9999.99万元。")
    model = _model([_completion(tool=TOOL_CALL), made_up, made_up], seen, monkeypatch)
    a = answer_with_llm(store, "汾阳市应急管理局2024年预算收入总计多少？", model=model)
    assert len(seen) == 3  # tool round, answer, one regeneration
    assert "9999.99" in seen[2]["messages"][-1]["content"]  # the regeneration request names the number
    assert "9999.99" not in a.text and "已删除" in a.text
    assert any("9999.99" in w for w in a.warnings)


def test_regeneration_that_fixes_the_number_is_kept(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[dict] = []
    model = _model([_completion(tool=TOOL_CALL), _completion("收入总计9999.99万元。"),
                    _completion("收入总计9236.44万元。")], seen, monkeypatch)
    a = answer_with_llm(store, "汾阳市应急管理局2024年预算收入总计多少？", model=model)
    assert a.text == "收入总计9236.44万元。" and not a.warnings


def test_answer_uses_the_llm_path_when_configured(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import qa_app.engine.llm as llm
    from qa_app.engine import answer

    seen: list[dict] = []
    model = _model([_completion(tool=("execution", {"query": "阳城县应急管理局2024年应急救援专项资金执行率"})),
                    _completion("应急救援专项资金按年初预算数的执行率为5.77%。")], seen, monkeypatch)
    factory: Callable[..., object] = lambda **_: model  # noqa: E731
    monkeypatch.setattr(llm, "chat_model", factory)
    a = answer(store, "阳城县应急救援专项资金执行率多少？")
    assert a.tool == "llm:execution" and "5.77%" in a.text and not a.warnings
    assert any(c.column == "derived:pct" and c.value == "5.77" for c in a.citations)
