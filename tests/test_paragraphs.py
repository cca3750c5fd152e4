"""Wrapped narrative lines are rejoined into paragraphs; paragraphs already whole are left alone."""

from __future__ import annotations

from extractor.paragraphs import join_wrapped, width

FULL = "本单位按照预算法和相关规定编制部门预算并向社会公开各项收支情况如下"  # a full line of a page


def _lines(*texts: str) -> list[tuple[int, int, str]]:
    return [(i + 1, 1 + i // 30, t) for i, t in enumerate(texts)]


def test_width_counts_ascii_as_half() -> None:
    assert width("预算") == 2 and width("118.00") == 3 and width(" 合计 ") == 2


def test_a_sentence_wrapped_at_the_column_edge_is_one_paragraph() -> None:
    wrapped = "2025年度政府采购预算总额118.00万元，其中：政府采购货物预算101.00万元、政府采"
    lines = _lines(*[FULL] * 6, "一、政府采购情况", wrapped, "购服务预算17.00万元。", "二、其他说明", FULL + "。")
    paragraphs = join_wrapped(lines)
    joined = next(p for p in paragraphs if "政府采购预算总额" in p[2])
    assert joined[0] == 8 and joined[2].endswith("政府采购服务预算17.00万元。")
    assert ("二、其他说明" in [p[2] for p in paragraphs]) and ("一、政府采购情况" in [p[2] for p in paragraphs])


def test_short_lines_sentence_ends_and_new_items_are_not_joined() -> None:
    lines = _lines(*[FULL + "。"] * 6, FULL, "（二）下一项从这里开始。", "短行", "另一段。", FULL + "；", "接着一段。")
    paragraphs = join_wrapped(lines)
    texts = [p[2] for p in paragraphs]
    assert "（二）下一项从这里开始。" in texts  # an item number starts a paragraph even after a full line
    assert "短行" in texts and "另一段。" in texts and "接着一段。" in texts  # ended or short: not wrapped


def test_one_paragraph_per_line_text_is_unchanged() -> None:
    lines = _lines("一、收入预算情况说明", "收入预算合计2233.22万元，比上年增加22.87万元。",
                   "二、支出预算情况说明", "支出预算合计2233.22万元。", "三、三公经费", "三公经费预算5.00万元。",
                   "四、机关运行经费", "机关运行经费预算80.00万元。")
    assert join_wrapped(lines) == lines
