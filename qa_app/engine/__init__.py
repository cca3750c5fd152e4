"""Question answering over the store: ``answer(store, question, history) -> Answer``.

Entity linking (``linking``) → a deterministic router (``router``) → structured tools (``tools``
and ``tool_*``) over the validated records, or retrieval (``tool_search``) when no tool fits;
``grounding`` checks that every number is a cited value. With ``BUDGETLENS_LLM`` set, a LangChain
tool-calling agent (``llm``) uses the same tools, under the same grounding check.
"""

from qa_app.engine.answering import answer, warm_up

__all__ = ["answer", "warm_up"]
