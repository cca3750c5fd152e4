"""The narrative rules (情况说明 ↔ tables): each passes on a consistent hand-written narrative and fails when
one quoted figure is re-printed; a subject naming no table is not checked, never passed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sample_docs import budget_doc, final_doc
from tablekit import DOC

from extractor.narrative import parse_statements
from extractor.validate import RULES, ValidationReport, validate
from schemas.findings import Severity
from schemas.tables import Table

BUDGET = [
    "一、收支预算总体情况说明",
    "2024年度测试局预算收入总计205.00万元，其中：本年收入200.00万元，上年结转5.00万元，比上年增加5.00万元，增长2.50%。",
    "三、支出预算情况说明",
    "2024年度测试局支出预算205.00万元，其中：基本支出150.00万元，占73.17%；项目支出55.00万元，占26.83%。",
    "（二）一般公共预算当年支出结构情况",
    "2024年度测试局一般公共预算当年支出200.00万元，主要用于以下方面：社会保障和就业支出60.00万元，占30.00%；"
    "灾害防治及应急管理支出140.00万元，占70.00%。",
    "六、一般公共预算基本支出情况说明",
    "2024年度测试局一般公共预算安排基本支出150.00万元，其中：人员经费130.00万元，公用经费20.00万元，基本工资80.00万元。",
    "七、“三公”经费增减变动原因说明",
    "2024年测试局财政拨款安排的“三公”经费预算12.00万元，比上年减少3.00万元，下降20.00%。其中：因公出国（境）费0万元，"
    "公务接待费2.00万元，公务用车购置及运行费10.00万元。",
    "八、机关运行经费增减变动原因说明",
    "2024年测试局机关运行经费财政拨款预算20.00万元，比2023年预算增加4.00万元，增长25.0%。",
    "九、政府采购情况",
    "2024年测试局政府采购预算总额30.00万元。其中：政府采购货物预算10.00万元、政府采购工程预算0万元、政府采购服务预算20.00万元。",
    "十、绩效管理情况",
    "2024年测试局纳入绩效目标管理的二级项目3个，共计金额55.00万元。公开项目绩效目标3个。",
    "十一、其他说明",
    "1、项目乙40.00万元，用于安全监管。",
]
FINAL = [
    "二、收入决算情况说明",
    "2024年度收入合计300.00万元，其中：",
    "财政拨款收入300.00万元，占比100.00%。",
    "（三）一般公共预算财政拨款支出决算具体情况",
    "社会保障和就业支出年初预算90.00万元，支出决算100.00万元，完成年初预算的111.11%。较上年决算增加10.00万元，增长11.11%。",
    "九、财政拨款“三公”经费支出决算情况说明",
    "2024年度“三公”经费财政拨款支出全年预算8.00万元，支出决算8.00万元，公务接待费支出3.00万元。",
    "（四）预算绩效情况说明",
    "2024年二级项目绩效自评个数2个，涉及资金80.00万元。",
]


def statements(lines: list[str]) -> list:
    return parse_statements(DOC, [(n, 1, text) for n, text in enumerate(lines, 1000)])


def run(doc: Callable[[], list[Table]], lines: list[str]) -> ValidationReport:
    return validate(doc(), [], DOC, statements=statements(lines))


def reprint(lines: list[str], old: str, new: str) -> list[str]:
    hit = [i for i, line in enumerate(lines) if old in line]
    assert len(hit) == 1, old
    out = list(lines)
    out[hit[0]] = out[hit[0]].replace(old, new, 1)
    return out


# rule -> (document, narrative, the figure as printed, the figure re-printed)
CASES = {
    "narrative.amount": [(budget_doc, BUDGET, "基本支出150.00万元，占", "基本支出151.00万元，占"),
                         (budget_doc, BUDGET, "基本工资80.00万元", "基本工资81.00万元"),
                         (budget_doc, BUDGET, "项目乙40.00万元", "项目乙44.00万元"),
                         (final_doc, FINAL, "支出决算100.00万元", "支出决算110.00万元"),
                         (final_doc, FINAL, "公务接待费支出3.00万元", "公务接待费支出3.50万元")],
    "narrative.share": [(budget_doc, BUDGET, "占73.17%", "占73.71%"), (final_doc, FINAL, "占比100.00%", "占比10.00%")],
    "narrative.change": [(budget_doc, BUDGET, "增长2.50%", "增长2.05%"), (budget_doc, BUDGET, "下降20.00%", "下降25.00%"),
                         (final_doc, FINAL, "增长11.11%", "增长11.01%")],
    "narrative.count": [(budget_doc, BUDGET, "二级项目3个", "二级项目4个"), (budget_doc, BUDGET, "绩效目标3个", "绩效目标2个"),
                        (final_doc, FINAL, "自评个数2个", "自评个数3个")],
    "narrative.sum": [(budget_doc, BUDGET, "政府采购服务预算20.00万元", "政府采购服务预算21.00万元")],
}
PARAMS = [pytest.param(rid, doc, lines, old, new, id=f"{rid}-{i}")
          for rid, cases in CASES.items() for i, (doc, lines, old, new) in enumerate(cases)]


def test_every_narrative_rule_has_cases() -> None:
    assert set(CASES) == {r for r in RULES if r.startswith("narrative.")}


@pytest.mark.parametrize("doc,lines", [(budget_doc, BUDGET), (final_doc, FINAL)], ids=["budget", "final"])
def test_consistent_narrative_raises_nothing(doc: Callable[[], list[Table]], lines: list[str]) -> None:
    report = run(doc, lines)
    bad = [f.message for f in report.findings if f.rule_id.startswith("narrative.") and f.severity != Severity.NOT_CHECKED]
    assert bad == []
    for rid in CASES:
        counts = report.rules[rid]
        assert counts.checked == counts.passed


@pytest.mark.parametrize("rule_id,doc,lines,old,new", PARAMS)
def test_narrative_rule_passes_then_fails(rule_id: str, doc: Callable[[], list[Table]], lines: list[str], old: str,
                                          new: str) -> None:
    assert run(doc, lines).rules[rule_id].passed >= 1
    report = run(doc, reprint(lines, old, new))
    failing = [f for f in report.by_rule(rule_id) if f.severity == Severity(RULES[rule_id].severity)]
    assert failing, [f.message for f in report.findings if f.rule_id.startswith("narrative.")]
    for f in failing:  # cites the narrative line it read, by line number
        assert any(c.key.table_id == "narrative" and c.provenance.line_start for c in f.cells), f.message


def test_changes_use_the_table_figure_and_the_right_subject() -> None:
    """'…费0万元，比上年减少…' is about the figure just before it; 上年数 = 本年数 − 增减额 (0.39 → −100%)."""
    lines = ["七、“三公”经费", "“三公”经费预算12.00万元，与上年预算数相同。其中：因公出国（境）费0万元，比上年减少0.39万元，"
             "下降100.00%；公务接待费2.00万元，比上年增加1.00万元，增长100.00%。"]
    counts = run(budget_doc, lines).rules["narrative.change"]
    assert counts.passed == 2 and counts.errors == 0


def test_an_unknown_subject_is_not_checked_never_passed() -> None:
    report = run(budget_doc, ["主要原因是新增车辆购置资金共5.00万元，上级追加资金0.50万元。"])
    counts = report.rules["narrative.amount"]
    assert counts.checked == counts.passed == 0 and counts.not_checked == 1  # one finding for the line
    (f,) = report.by_rule("narrative.amount")
    assert f.severity == Severity.NOT_CHECKED and "车辆购置资金" in f.message and len(f.cells) == 2


def test_a_figure_no_table_of_the_family_prints_says_why() -> None:
    report = run(final_doc, ["一般公共预算财政拨款支出年初预算250.00万元，支出决算300.00万元。"])
    counts = report.rules["narrative.amount"]
    assert counts.passed == 1 and counts.not_checked == 1
    assert any("年初预算" in f.message for f in report.by_rule("narrative.amount"))


def test_shares_allow_truncation_and_amounts_their_printed_precision() -> None:
    lines = ["三、支出预算情况说明", "支出预算205.0万元，其中：基本支出150万元，占73.1%；项目支出55.00万元，占26.8%。"]
    report = run(budget_doc, lines)
    assert report.rules["narrative.share"].passed == 2  # 73.17 truncated to 73.1; 26.83 to 26.8
    assert report.rules["narrative.amount"].errors == 0  # 205.0 and 150 are 205.00 and 150.00


def test_without_statements_the_narrative_rules_stay_silent() -> None:
    report = validate(budget_doc(), [], DOC)
    assert all(report.rules[r].checked == report.rules[r].not_checked == 0 for r in CASES)
