"""Narrative figures become cited statements; last year's changes are the only source for 比上年."""

from extractor.narrative import parse_line


def test_change_on_last_year_is_about_the_sentence_topic():
    text = "本单位机关运行经费财政拨款预算38.21万元，比2023年预算减少4.15万元，下降9.8%，原因是厉行节约。"
    found = {(s.metric, s.value.value.printed, s.direction) for s in parse_line("d", "八", 7, 1, text)}
    assert ("amount", "38.21", None) in found
    assert ("change", "4.15", "decrease") in found
    assert ("change_pct", "9.8", "decrease") in found
    change = next(s for s in parse_line("d", "八", 7, 1, text) if s.metric == "change")
    assert "机关运行经费" in change.subject
    assert change.value.provenance.line_start == 7


def test_shares_and_counts():
    found = parse_line("d", "", 1, 1, "社会保障和就业支出(类)215.19万元，占比2.31%；2024年二级项目绩效自评个数28个。")
    share = next(s for s in found if s.metric == "share")
    assert share.subject == "社会保障和就业支出" and share.value.value.printed == "2.31"
    assert any(s.metric == "count" and s.value.value.printed == "28" for s in found)


def test_same_as_last_year():
    found = parse_line("d", "", 1, 1, "“三公”经费预算5.00万元与2023年预算数相同。")
    assert any(s.metric == "change" and s.direction == "same" for s in found)
