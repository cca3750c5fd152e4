"""Every page renders on the three-document corpus, fast; the roster is created with defaults."""

from __future__ import annotations

import json
import time

import pytest

from extractor.store import open_store
from tests.app.helpers import YANGCHENG, make_app

PAGES = ["chat", "review", "documents", "overview"]


def test_every_page_renders(app_home, record_property):
    """Render times are recorded, not asserted (`budgetlens bench app` measures them against the 1 s target)."""
    at = make_app()  # first run: imports and the roster
    roster = json.loads((app_home / "roster.json").read_text(encoding="utf-8"))
    assert {"name": "审核员", "role": "reviewer"} in roster and {"name": "分析员", "role": "analyst"} in roster
    timings = {}
    for page in PAGES:
        at.switch_page(f"views/{page}.py")
        start = time.perf_counter()
        at.run()
        first = time.perf_counter() - start
        assert not at.exception, [e.value for e in at.exception]
        start = time.perf_counter()
        at.run()
        timings[page] = (round(first, 3), round(time.perf_counter() - start, 3))
        assert not at.exception
    record_property("render_seconds", timings)
    print("render seconds (first, cached):", timings)
    assert at.header, "page header missing"


@pytest.mark.parametrize("page,expect", [("review", "审核"), ("documents", "文档"), ("overview", "概览")])
def test_page_headers(app_home, page, expect):
    at = make_app(page, user="分析员")
    assert not at.exception
    assert at.header[0].value == expect


def test_overview_figures(app_home):
    at = make_app("overview")
    figures = at.dataframe[0].value
    yc = figures[figures["单位"] == "阳城县应急管理局"].iloc[0]
    assert yc["收入总计"] == pytest.approx(9316.63) and yc["基本支出"] == pytest.approx(1543.42)
    assert yc["项目支出"] == pytest.approx(7773.21)
    store = open_store(app_home)
    at.selectbox(key="overview_doc").set_value(store.resolve(YANGCHENG).id).run()
    assert not at.exception
    assert [m.value for m in at.metric] == ["9,316.63 万元", "9,316.63 万元", "1,543.42 万元", "7,773.21 万元"]
    rates = next(d.value for d in at.dataframe if "执行率(年初预算)%" in d.value.columns)
    assert len(rates) == 26  # every self-evaluation table, both bases
    assert (rates["执行率(全年预算)%"].dropna() <= 100.01).all()
    classes = next(d.value for d in at.dataframe if "类" in d.value.columns)
    assert "224" in set(classes["编码"]) and classes["占比%"].sum() == pytest.approx(100, abs=0.05)


def test_pages_on_an_empty_home(tmp_path, monkeypatch):
    monkeypatch.setenv("BUDGETLENS_HOME", str(tmp_path / "empty"))
    at = make_app(user="审核员")
    for page in PAGES:
        at.switch_page(f"views/{page}.py").run()
        assert not at.exception, (page, [e.value for e in at.exception])
    assert (tmp_path / "empty" / "roster.json").exists()
