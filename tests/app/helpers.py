"""Helpers for the app tests (AppTest sessions, Markdown-rendered text, waiting on the writer)."""

from __future__ import annotations

import importlib
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
APP = ROOT / "qa_app" / "app" / "main.py"
YANGCHENG = "yangcheng-emergency-2024-final-accounts.txt"
EVIL = ("<script>alert(1)</script>应急管理局\n2024年单位预算公开\n\n2024年预算支出总表\n"
        "单位名称：<script>alert(1)</script>应急管理局\t\t\t\t单位：万元\n科目编码\t科目名称\t合计\t基本支出\t项目支出\n"
        "\t合计\t30.00\t10.00\t20.00\n224\t<script>alert(1)</script>灾害防治\t30.00\t10.00\t20.00\n"
        "<img src=x onerror=alert(2)>说明 [link](javascript:alert(3)) **粗体** :red[红]\n")


def engine_available() -> bool:
    try:
        engine = importlib.import_module("qa_app.engine")
    except ImportError:
        return False
    return callable(getattr(engine, "answer", None))


def make_app(page: str | None = None, user: str | None = None, timeout: float = 30):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    if user:
        at.session_state["user_name"] = user
    at.run()
    if page:
        at.switch_page(f"views/{page}.py").run()
    return at


def markup_texts(at) -> list[str]:
    """Every string Streamlit renders as Markdown on the page (must never carry raw document HTML)."""
    out: list[str] = []
    for name in ("markdown", "caption", "header", "subheader", "title", "error", "warning", "info", "success",
                 "toast"):
        out += [str(e.value) for e in getattr(at, name)]
    out += [str(e.label) for e in at.expander] + [str(b.label) for b in at.button]
    return out


def wait_until(at, done, seconds: float = 20.0):
    end = time.time() + seconds
    while time.time() < end:
        at.run()
        if done():
            return at
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the background writer")
