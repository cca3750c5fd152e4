"""Number tokens of a table's source text: what an LLM mapping may cite, each at most once."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from extractor.layout import SourceLine
from extractor.values import NUMBER_IN_TEXT, parse_value


@dataclass(frozen=True)
class SourceToken:
    id: str
    text: str
    line: SourceLine
    cell_index: int


_LABEL = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_UNIT = re.compile(r"^(亿元|万元|元|%|％|个|套|辆|台|人|次|项|家|天|分)")
_GLUED_LABEL_MAX = 20  # `1,234.50一、一般公共服务支出`: a figure glued to a label, not inside a sentence


def is_figure(cell: str, start: int, end: int) -> bool:
    """Whether the number at ``cell[start:end]`` is a figure of the table: the cell's value
    (``12.50``, ``300万元``, ``100.00%``), or a number glued to a short label at either end of the cell.
    A number inside a sentence of text (a note, an instruction planted in a label) is not."""
    text = cell.strip()
    if parse_value(text).number is not None and parse_value(text).number == parse_value(cell[start:end]).number:
        return True
    before, after = cell[:start].strip(), _UNIT.sub("", cell[end:].strip())
    rest = before + after
    if not _LABEL.search(rest):
        return True
    return (not before or not after) and len(rest) <= _GLUED_LABEL_MAX and not any(ch.isdigit() for ch in rest)


def number_tokens(lines: list[SourceLine],
                  in_text: Callable[[SourceLine, int, str], bool] | None = None) -> list[SourceToken]:
    """The figures of the table's lines, numbered T1, T2 ... in reading order. A number inside a sentence
    is left out unless ``in_text(line, cell_index, number)`` admits it (the caller admits the ones the
    deterministic reader took as figures, e.g. the amounts a 绩效自评表 quotes in its 项目绩效分析)."""
    out: list[SourceToken] = []
    for line in lines:
        for j, cell in enumerate(line.cells):
            for m in NUMBER_IN_TEXT.finditer(cell.text):
                if is_figure(cell.text, m.start(), m.end()) or (in_text is not None and in_text(line, j, m.group(0))):
                    out.append(SourceToken(id=f"T{len(out) + 1}", text=m.group(0), line=line, cell_index=j))
    return out


def token_problems(cited: list[tuple[str, str]], tokens: list[SourceToken]) -> list[str]:
    """(token id, printed) pairs → violations: unknown token, a number that is not the token's
    whole text, a token used twice. Phrased for the model to act on."""
    by_id = {t.id: t for t in tokens}
    used: set[str] = set()
    problems: list[str] = []
    for token_id, printed in cited:
        token = by_id.get(token_id)
        if token is None:
            problems.append(f"{printed}: cites {token_id}, which is not a token of this table")
        elif parse_value(printed).number is None or parse_value(printed).number != parse_value(token.text).number:
            problems.append(f"{printed}: is not the number printed in {token_id} ({token.text})")
        elif token_id in used:
            problems.append(f"{token_id} ({token.text}) is used more than once")
        used.add(token_id)
    return problems
