"""Router and tool fixes, each over the real corpus store (``store`` fixture; skipped without the corpus):
search with the words the index knows, 最小/最少 linking, 全年预算 is a basis not a document kind, a
question naming 决算 and 预算 keeps both kinds, the final accounts' 人员经费/公用经费, counts quoted
from the narrative, 三公 items cited on their own rows, narrative figures printed in 万元."""

from __future__ import annotations

from decimal import Decimal

from extractor.store import Store
from qa_app.engine import answer
from qa_app.engine.catalog import load_catalog
from qa_app.engine.cite import Cites, with_unit_suffix
from qa_app.engine.execution import exec_rows
from qa_app.engine.grounding import check
from qa_app.engine.linking import link
from schemas.answers import AnswerKind
from schemas.records import ProjectLine
from schemas.tables import DocKind, TableKind
from schemas.values import MoneyUnit
from tests.qa.helpers import doc_id


def _grounded(store: Store, a) -> None:  # noqa: ANN001
    report = check(store, a)
    assert report.ok and not a.warnings, (a.question, report.problems(), a.warnings)


# 1. search: words absent from the index do not block the words it has


def test_search_uses_the_known_words_when_some_are_absent(store: Store) -> None:
    a = answer(store, "阳城县应急管理局内部都设了哪些股室？")  # 内部 occurs nowhere; 股室 does
    assert a.tool == "search" and a.kind == AnswerKind.SEARCH, a.text
    assert "内部" in a.text  # said: searched without it
    assert any("内设股室" in (c.value or "") for c in a.citations)
    _grounded(store, a)


def test_search_still_refuses_when_nothing_the_question_is_about_occurs(store: Store) -> None:
    for q in ("火星探测器的发射费用是多少？", "阳城县应急管理局的火星探测器"):  # the org alone is not a topic
        a = answer(store, q)
        assert a.kind == AnswerKind.NONE and "火星" in a.text and not a.citations, (q, a.text)


# 2. 金额最小 / 最少 are smallest, not largest


def test_smallest_is_not_swallowed_by_largest(store: Store) -> None:
    cat = load_catalog(store)
    for q in ("汾阳市应急管理局2024年金额最小的两个项目是哪些？", "汾阳应急局预算金额最少的两个项目是什么？"):
        links = link(cat, q)
        assert "smallest" in links.metrics and "largest" not in links.metrics and links.limit == 2, q
        a = answer(store, q)
        assert a.tool == "top_projects" and a.context.get("smallest") == "true" and "金额最小" in a.text
        doc = cat.doc(doc_id(store, "fenyang"))
        amounts = sorted(p.amounts["合计"].value.number for p in doc.records_of(ProjectLine)
                         if not p.carryover and not p.is_org_total and "合计" in p.amounts
                         and p.amounts["合计"].value.number is not None)
        assert a.table is not None and [Decimal(r[2]) for r in a.table.rows] == amounts[:2]
        _grounded(store, a)


# 3. 全年预算 / 年初预算 are a basis, not "the budget document"


def test_basis_words_do_not_filter_budget_documents(store: Store) -> None:
    cat = load_catalog(store)
    for q in ("如果用调整后的全年预算来算呢？", "按年初预算来算呢？", "机关运行经费比上年预算减少了多少？"):
        assert link(cat, q).kind is None, q
    for q in ("汾阳市应急管理局2024年预算收入总计多少？", "今年预算是多少？", "部门预算公开了哪些表？"):
        assert link(cat, q).kind == DocKind.BUDGET, q
    assert link(cat, "如果用调整后的全年预算来算呢？").basis == "adjusted"
    first = answer(store, "阳城应急局2024年有哪些项目钱没花完？原因是什么？")
    follow = answer(store, "如果用调整后的全年预算来算呢？", [first])
    assert follow.tool == "execution" and follow.kind == AnswerKind.COMPUTED and follow.table is not None
    below = [r.name for r in exec_rows(store, cat.doc(doc_id(store, "yangcheng")))
             if r.rate_adjusted is not None and r.rate_adjusted < 100]
    assert [r[1] for r in follow.table.rows] == below and below


# 4. naming both 决算 and 预算 keeps both kinds of document


def test_a_question_naming_final_accounts_and_budget_keeps_both(store: Store) -> None:
    q = "对比一下阳城应急局2024年决算和大同应急局2025年预算的基本支出"
    assert link(load_catalog(store), q).kind is None
    a = answer(store, q)
    assert a.tool == "totals"
    kinds = {load_catalog(store).doc(i).meta.kind for i in a.context["doc_ids"]}
    assert kinds == {DocKind.FINAL_ACCOUNTS, DocKind.BUDGET}
    assert "没有限定" not in a.text  # both orgs and years were named
    assert link(load_catalog(store), "阳城县应急管理局2024年决算支出合计多少？").kind == DocKind.FINAL_ACCOUNTS


# 5. final accounts: 人员经费 / 公用经费 from the 基本支出决算明细表's 合计 rows


def test_personnel_and_public_funds_of_final_accounts(store: Store) -> None:
    doc = doc_id(store, "yangcheng")
    t = next(t for t in store.tables(doc) if t.kind == TableKind.FINAL_BASIC_DETAIL)
    want = {k: t.row(k).cell("决算数") for k in ("人员经费合计", "公用经费合计")}
    a = answer(store, "阳城应急局2024年决算的人员经费多少？公用经费多少？")
    assert a.tool == "totals"
    for key, cell in want.items():
        assert f"{key.removesuffix('合计')}{cell.value.printed}万元" in a.text
        assert any(c.table_id == t.id and c.row_label == key and c.value == cell.value.printed for c in a.citations)
    _grounded(store, a)


# 6. counts (批次 / 人次 / 个 / 辆) are quoted from the narrative lines in the store


def test_counts_are_quoted_from_the_narrative(store: Store) -> None:
    doc = doc_id(store, "yangcheng")
    lines = {ln: text for ln, _, text in store.narrative(doc)}
    for q in ("阳城县应急管理局2024年公务接待共接待了多少批次、多少人次？", "阳城应急局2024年一共接待了多少批次、多少人次？"):
        a = answer(store, q)
        assert a.tool == "counts" and a.kind == AnswerKind.COMPUTED, (q, a.tool)
        quote = next(c for c in a.citations if c.line_start in lines)
        assert "批次" in quote.value and "人次" in quote.value and quote.value in lines[quote.line_start]
        _grounded(store, a)
    a = answer(store, "阳城县应急管理局内部一共设了几个股室？")
    assert a.tool == "counts" and any("个内设股室" in (c.value or "") for c in a.citations)
    cars = answer(store, "大同市应急管理局实际有几辆车？")
    assert cars.tool == "counts" and any("实有" in (c.value or "") for c in cars.citations)


def test_a_count_no_sentence_states_falls_back(store: Store) -> None:
    a = answer(store, "汾阳市应急管理局有几个火星？")
    assert a.kind == AnswerKind.NONE and "火星" in a.text
    ex = answer(store, "阳城县应急管理局2024年有几个项目执行率低于60%？")  # execution keeps its questions
    assert ex.tool == "execution"


# 7. 三公: a numbered sub-row (②公务用车运行维护费) is cited on its own row


def test_sangong_items_are_cited_on_their_own_rows(store: Store) -> None:
    doc = doc_id(store, "datong")
    t = next(t for t in store.tables(doc) if t.kind == TableKind.BUDGET_SANGONG)
    row = next(r for r in t.rows if "运行维护费" in r.label)
    cell = row.cell("合计")
    a = answer(store, "大同市应急管理局2025年公务用车运行维护费预算多少？")
    assert a.tool == "sangong" and f"公务用车运行维护费{cell.value.printed}万元" in a.text
    assert any(c.table_id == t.id and c.row_label == row.label and c.value == cell.value.printed for c in a.citations)
    _grounded(store, a)


# 8. a narrative figure printed in 万元 is not read as 元


def test_narrative_figures_in_wan_are_not_treated_as_yuan(store: Store) -> None:
    assert with_unit_suffix("964万元", "万元") == "964万元" and with_unit_suffix("964.00", "万元") == "964.00万元"
    doc = doc_id(store, "yangcheng")
    cat = load_catalog(store)
    rows = exec_rows(store, cat.doc(doc))
    in_wan = [r for r in rows if any(c.value.money_unit == MoneyUnit.WAN for c in r.narrative.values())]
    assert in_wan
    a = answer(store, "阳城县应急管理局2024年哪些项目预算执行率偏低？原因是什么？")
    assert "万元万元" not in a.text
    for r in in_wan:
        narr = r.narrative.get("预算执行数(元)")
        if narr is not None and narr.value.money_unit == MoneyUnit.WAN and r.rec.executed is not None \
                and narr.value.number == r.rec.executed.value.number:
            assert f"- {r.name}：说明中全年执行数" not in a.text, r.name  # same figure, not a disagreement
    wan = next(c for c in in_wan[0].narrative.values() if c.value.money_unit == MoneyUnit.WAN)
    assert Cites().cell(cat.doc(doc), in_wan[0].table, "项目绩效分析", wan) == wan.value.printed
    _grounded(store, a)
