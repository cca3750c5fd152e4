"""Page render times of the Streamlit app on the three-document corpus (Streamlit's ``AppTest``, the same
script runner a browser session uses): first render and a repeat render per page, target < 1 s."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

PAGES = ("chat", "review", "documents", "overview")
APP = Path(__file__).resolve().parents[1] / "qa_app" / "app" / "main.py"
TARGET_SECONDS = 1.0
QUESTION = "阳城县应急管理局2024年哪些项目预算执行率偏低？"


def bench_app(corpus: Path, smoke: bool) -> dict:
    from streamlit.testing.v1 import AppTest

    from extractor import hooks
    from extractor.pipeline import ingest_file
    from extractor.store import open_store

    rounds = 1 if smoke else 5
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        old_env, old_hooks = os.environ.get("BUDGETLENS_HOME"), list(hooks.ON_DOCUMENT_CHANGED)
        os.environ["BUDGETLENS_HOME"] = str(home)
        hooks.ON_DOCUMENT_CHANGED[:] = []  # the pages read the store; the index is not what is measured
        try:
            store = open_store(home)
            files = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".md"))
            for f in files:
                ingest_file(f, store, home)
            store.close()
            at = AppTest.from_file(str(APP), default_timeout=60)
            at.run()
            pages: dict[str, dict] = {}
            for page in PAGES:
                at.switch_page(f"views/{page}.py")
                t0 = time.perf_counter()
                at.run()
                first = time.perf_counter() - t0
                again = []
                for _ in range(rounds):
                    t0 = time.perf_counter()
                    at.run()
                    again.append(time.perf_counter() - t0)
                pages[page] = {"first_s": round(first, 3), "repeat_median_s": round(statistics.median(again), 3),
                               "repeat_max_s": round(max(again), 3), "errors": [str(e.value) for e in at.exception]}
            # the chat page answering the under-execution question (14 projects, table, chart, ~100 citations)
            at.switch_page("views/chat.py").run()
            t0 = time.perf_counter()
            at.chat_input(key="chat_q").set_value(QUESTION).run()
            answered = time.perf_counter() - t0
            t0 = time.perf_counter()
            at.run()
            pages["chat_with_answer"] = {"first_s": round(answered, 3),
                                         "repeat_median_s": round(time.perf_counter() - t0, 3),
                                         "errors": [str(e.value) for e in at.exception]}
        finally:
            hooks.ON_DOCUMENT_CHANGED[:] = old_hooks
            if old_env is None:
                os.environ.pop("BUDGETLENS_HOME", None)
            else:
                os.environ["BUDGETLENS_HOME"] = old_env
    return {"documents": len(files), "pages": pages, "target_seconds": TARGET_SECONDS,
            "within_target": all(p["repeat_median_s"] < TARGET_SECONDS for p in pages.values())}
