"""The real thing: `budgetlens serve` in a subprocess, Debian chromium driven by Playwright, a question
asked in the chat, its answer and citations on screen; writes docs/screenshot-chat.png."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.app.helpers import ROOT, YANGCHENG, engine_available

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
QUESTION = "阳城县应急管理局2024年哪些项目预算执行率偏低？"
SCREENSHOT = ROOT / "docs" / "screenshot-chat.png"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
              pytest.mark.skipif(not engine_available(), reason="qa_app.engine (answer) is not installed yet")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "budgetlens"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from extractor.cli import main; main()"]


@pytest.fixture
def server(app_home: Path, tmp_path: Path):
    port = _free_port()
    log = (tmp_path / "serve.log").open("wb")
    env = {**os.environ, "BUDGETLENS_HOME": str(app_home)}
    proc = subprocess.Popen([*_cli(), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://localhost:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f"budgetlens serve did not start: {(tmp_path / 'serve.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_chat_in_a_browser(server: str):
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.goto(server)
            box = page.locator('[data-testid="stChatInput"] textarea')
            expect(box).to_be_visible(timeout=30_000)
            expect(page.get_by_text("问答引擎尚未安装")).to_have_count(0)
            box.fill(QUESTION)
            box.press("Enter")
            messages = page.locator('[data-testid="stChatMessage"]')
            expect(messages).to_have_count(2, timeout=120_000)
            answer = messages.nth(1)
            expect(answer.get_by_text(re.compile(r"引用（\d+）"))).to_be_visible(timeout=30_000)
            expect(answer.locator('[data-testid="stDataFrame"]').last).to_be_visible()
            text = answer.inner_text()
            assert "执行率" in text, text[:500]
            height = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll('*'), e => e.scrollHeight))")
            page.set_viewport_size({"width": 1400, "height": max(1000, min(int(height) + 40, 7000))})
            page.wait_for_timeout(1500)  # let the charts and data grids paint at the new size
            SCREENSHOT.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
    assert YANGCHENG  # the corpus document the question is about
