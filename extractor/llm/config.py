"""Which chat model to use, from the environment; none configured means the assist is off.

BUDGETLENS_LLM: ``provider:model`` (``openai:gpt-4o-mini``, ``ollama:qwen2.5:7b``) resolved by LangChain's
``init_chat_model``; BUDGETLENS_LLM_BASE_URL / BUDGETLENS_LLM_API_KEY for OpenAI-compatible endpoints
(DeepSeek, DashScope, vLLM, llama.cpp server).
"""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel


class LLMSettings(BaseModel):
    spec: str
    base_url: str | None = None
    api_key: str | None = None
    timeout: float = 60.0
    max_retries: int = 2  # the client retries 429/5xx with exponential backoff
    max_attempts: int = 3  # validate-and-reask rounds

    @property
    def provider(self) -> str:
        return self.spec.split(":", 1)[0] if ":" in self.spec else "openai"

    @property
    def model(self) -> str:
        return self.spec.split(":", 1)[1] if ":" in self.spec else self.spec


def settings_from_env() -> LLMSettings | None:
    spec = os.environ.get("BUDGETLENS_LLM", "").strip()
    if not spec:
        return None
    return LLMSettings(spec=spec, base_url=os.environ.get("BUDGETLENS_LLM_BASE_URL") or None,
                       api_key=os.environ.get("BUDGETLENS_LLM_API_KEY") or None)


def chat_model(settings: LLMSettings, **client_kwargs: Any) -> Any:
    """A LangChain chat model; ``client_kwargs`` (e.g. ``http_client``) go to the provider class."""
    from langchain.chat_models import init_chat_model

    kwargs: dict[str, Any] = {"timeout": settings.timeout, "max_retries": settings.max_retries, **client_kwargs}
    if settings.base_url:
        kwargs["base_url"] = settings.base_url
    if settings.api_key:
        kwargs["api_key"] = settings.api_key
    elif settings.provider == "openai":
        kwargs["api_key"] = os.environ.get("OPENAI_API_KEY", "not-needed")  # local endpoints ignore it
    return init_chat_model(settings.model, model_provider=settings.provider, **kwargs)
