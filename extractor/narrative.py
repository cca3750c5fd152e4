"""Figures quoted in the narrative (情况说明): amounts, shares, changes on last year, counts.

Each becomes a cited ``NarrativeStatement``: the narrative is checked against the tables, and it is
the only source for "比上年" questions. Pure functions over (line number, page, text).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from extractor.values import to_decimal
from schemas.provenance import Provenance, SourceKind
from schemas.records import NarrativeStatement
from schemas.tables import Cell
from schemas.values import MoneyUnit, Value, ValueKind

Metric = Literal["amount", "change", "change_pct", "share", "count", "rate"]  # NarrativeStatement.metric
Direction = Literal["increase", "decrease", "same"]  # NarrativeStatement.direction

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
AMOUNT = re.compile(rf"(?P<n>{_NUM})\s*(?P<u>万元|元)")
CHANGE = re.compile(rf"(?:比|较|与)(?P<base>上年度?|上年决算|上年预算数?|\d{{4}}年(?:预算|决算)?数?)\s*(?P<dir>增加|减少|增长|下降)\s*(?P<n>{_NUM})\s*(?P<u>万元|元)")
CHANGE_PCT = re.compile(rf"(?P<dir>增长|下降|增加|减少)\s*(?P<n>{_NUM})\s*%")
SAME = re.compile(r"与(?:上年|\d{4}年)(?:预算数|决算数)?相同")
SHARE = re.compile(rf"占(?:比|本年支出合计的|部门（单位）项目支出总额的)?\s*(?P<n>{_NUM})\s*%")
COUNT = re.compile(r"(?P<what>项目|自评个数|绩效目标)\D{0,6}?(?P<n>\d+)\s*个")
HEADING = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_CLAUSE = re.compile(r"[，；。;]")
_LEAD = re.compile(r"^(其中[:：]?|主要包括|主要用于以下方面[:：]?|包括|用于|全年|\d{4}年度?)+")


def _subject(prefix: str) -> str:
    """The words right before a figure: 'XX局预算收入总计' -> '预算收入总计' (last 16 characters)."""
    words = re.sub(r"[（(]类[)）]", "", prefix).strip(" ：:、")
    words = _LEAD.sub("", words.split("，")[-1]).strip(" ：:")
    return words[-16:]


def _cell(doc_id: str, line_no: int, page: int, printed: str, kind: ValueKind, unit: MoneyUnit | None,
          source: SourceKind) -> Cell:
    number = to_decimal(printed)
    return Cell(column="narrative", value=Value(printed=printed, kind=kind, number=number, money_unit=unit),
                provenance=Provenance(doc_id=doc_id, page=page, line_start=line_no, line_end=line_no, source=source))


def parse_statements(doc_id: str, lines: list[tuple[int, int, str]],
                     source: SourceKind = SourceKind.TEXT) -> list[NarrativeStatement]:
    out: list[NarrativeStatement] = []
    section = ""
    for line_no, page, text in lines:
        if HEADING.match(text) and len(text) < 40:
            section = text
            continue
        out += parse_line(doc_id, section, line_no, page, text, source)
    return out


def parse_line(doc_id: str, section: str, line_no: int, page: int, text: str,
               source: SourceKind = SourceKind.TEXT) -> list[NarrativeStatement]:
    out: list[NarrativeStatement] = []
    topic = ""
    for sentence in text.split("。"):
        found, topic = _parse_sentence(doc_id, section, line_no, page, sentence, source, topic)
        out += found
    return out


def _parse_sentence(doc_id: str, section: str, line_no: int, page: int, text: str, source: SourceKind,
                    prev_topic: str) -> tuple[list[NarrativeStatement], str]:
    """A change on last year ("比上年增加…") is about the sentence's topic: its first figure's subject
    (or the previous sentence's topic when this one starts with the change)."""
    out: list[NarrativeStatement] = []
    subject = topic = ""

    def emit(clause: str, subj: str, metric: Metric, printed: str, kind: ValueKind, unit: MoneyUnit | None,
             direction: Direction | None = None) -> None:
        out.append(NarrativeStatement(
            doc_id=doc_id, section=section, subject=subj, metric=metric, direction=direction,
            value=_cell(doc_id, line_no, page, printed, kind, unit, source), sentence=clause.strip()))

    d: Direction
    for clause in _CLAUSE.split(text):
        change = CHANGE.search(clause)
        for m in AMOUNT.finditer(clause):
            if change and change.start("n") <= m.start() < change.end():
                continue
            subject = _subject(clause[: m.start()]) or subject
            topic = topic or subject
            emit(clause, subject, "amount", m.group("n"), ValueKind.MONEY, MoneyUnit(m.group("u")))
        about = (_subject(clause[: change.start()]) if change else "") or topic or prev_topic
        if change:
            d = "increase" if change.group("dir") in ("增加", "增长") else "decrease"
            emit(clause, about, "change", change.group("n"), ValueKind.MONEY, MoneyUnit(change.group("u")), d)
        if SAME.search(clause):
            emit(clause, topic or subject, "change", "0", ValueKind.MONEY, MoneyUnit.WAN, "same")
        for m in CHANGE_PCT.finditer(clause):
            d = "increase" if m.group("dir") in ("增加", "增长") else "decrease"
            emit(clause, about, "change_pct", m.group("n"), ValueKind.PERCENT, None, d)
        for m in SHARE.finditer(clause):
            emit(clause, subject, "share", m.group("n"), ValueKind.PERCENT, None)
        for m in COUNT.finditer(clause):
            emit(clause, m.group("what"), "count", m.group("n"), ValueKind.COUNT, None)
    return out, topic or prev_topic


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return None if whole == 0 else part / whole * 100
