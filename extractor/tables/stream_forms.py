"""Forms (绩效自评表, 绩效目标表) from a plain text stream: synthesize the lines ``FormBuilder`` reads.

Self-evaluation: ``项目名称 | name``, the funds header (labels in print order) and its sub-row
(目标申报数/预算编制数 where printed), ``资金总额: | numbers…``, each fund-source line under it (its
blank cells put back by the rate), the ``合计``/``总分`` line and the
``项目绩效分析 | text`` line. Performance targets: ``项目名称 | name`` and the (label, amount) slots of
the funds block, two per line (实施期, 年度), as printed.
"""

from __future__ import annotations

import re

from extractor.layout import SourceLine
from extractor.tables import forms
from extractor.tables.forms import FUND_COLUMNS, FormBuilder
from extractor.tables.stream import StreamBlock, Tok, _synth, one_slip
from extractor.values import MISSING
from schemas.keys import norm_key
from schemas.tables import TableKind

NAME_LABELS = ("项目名称", "转移支付(项目)名称", "转移支付项目名称")
NAME_END = re.compile(r"^(中央主管|地方主管|主管部|实施单位|预算单位|资金使用|项目属性|项目资金|资金情况|资金投入)")
CAPTION = re.compile(r"^(项目资金)?[(（](万元|元)[)）]")  # the funds block's caption glued to a label
SUB_FUNDS = ("目标申报数", "预算编制数")
TOTAL_LABELS = ("合计", "总分")
# funds-header cells that are no funds column (read whole so their words are not taken for one)
OTHER_HEADER_CELLS = {"预算执行率偏低原因分析", "偏差原因分析及改进措施", "未完成原因和改进措施", "资金总额:", "资金总额",
                      "年度资金总额", "年度资金总额:"}
ANALYSIS = "项目绩效分析"
ANALYSIS_END = re.compile(r"^(产出情况|效益情况|满意度情况|主要经验|项目管理中存在|下一步改进|存在问题|其他需要说明)")
NUMERIC = re.compile(r"^[\d,]+(\.\d+)?%?$")
AMOUNT = getattr(forms, "_LEADING_AMOUNT", NUMERIC)  # an amount, possibly with its unit and a note: 2265万元（…）
SLOT_SKIP = re.compile(r"^项目资金")  # the block's own caption, printed amid the slots
FUNDS_START = re.compile(r"^实施期|中期资金|资金总")
FUND_PREFIX = re.compile(r"^(其中|其他|单位|市县|省级|中央|实施期|年度|中期)")
SLOT_BREAK = re.compile(r"^(项目概况|立项依据|项目资金|实施期目标|年度目标)")
FUND_SLOT = re.compile(r"资金总额|中央|省级|市县|区\)|自筹|其他资金|财政资金|财政拨款|^其中")


def _is_num(tok: Tok) -> bool:
    return bool(NUMERIC.match(tok.key))


def _text(toks: list[Tok]) -> str:
    """Tokens of one line joined by a space, lines joined without one (a wrap is no space)."""
    out = ""
    for k, t in enumerate(toks):
        if k and toks[k - 1].line is t.line:
            out += " "
        out += t.text
    return out


def synthesize_form(block: StreamBlock, toks: list[Tok]) -> list[SourceLine]:
    if not toks:
        return []
    lines: list[SourceLine] = []
    name = _name_line(toks)
    if name is not None:
        lines.append(name)
    kind = block.template.kind if block.template else None
    if kind == TableKind.SELF_EVALUATION:
        lines += _self_evaluation(block, toks)
    else:
        lines += _target_funds(toks, block)
    return lines


def _joined(toks: list[Tok], i: int, words, span: int = 4) -> tuple[str | None, int]:
    """Longest run of fragments from toks[i] whose concatenation is in ``words``."""
    best: tuple[str | None, int] = (None, i + 1)
    text = ""
    for j in range(i, min(len(toks), i + span)):
        if j > i and _is_num(toks[j]):
            break
        text += toks[j].key
        if text in words:
            best = (text, j + 1)
    return best


def _name_line(toks: list[Tok]) -> SourceLine | None:
    for i in range(len(toks)):
        label, j = _joined(toks, i, NAME_LABELS)
        if label is None:
            continue
        k = j
        while k < len(toks) and not NAME_END.match(toks[k].key) and k - j < 20:
            k += 1
        if k == j:
            return None
        return _synth(toks[i:k], [label, _text(toks[j:k])])
    return None


# --- 绩效自评表 ---


def _fund_words(text: str) -> list[str]:
    """The funds header cells in print order, from the header's fragments run together (cells may wrap or
    be printed as one run): fewest known words, other text skipped at a cost."""
    vocab = set(FUND_COLUMNS) | set(SUB_FUNDS) | OTHER_HEADER_CELLS
    best: dict[int, tuple[int, list[str]]] = {0: (0, [])}
    for e in range(1, len(text) + 1):
        for b in range(max(0, e - 24), e):
            if b not in best:
                continue
            w = text[b:e]
            if w in vocab:
                cand = (best[b][0] + 1, best[b][1] + [w])
            elif e == b + 1:
                cand = (best[b][0] + 10, best[b][1])
            else:
                continue
            if e not in best or cand[0] < best[e][0]:
                best[e] = cand
    return best[len(text)][1]


def _drop_merged_duplicate(block: StreamBlock, header: SourceLine, sub: SourceLine | None,
                           vals: list[Tok]) -> list[Tok]:
    """One more number than funds columns: a merged header cell printed its value twice. Drop the
    repeat that keeps 资金结(转)余 = 全年预算数 − 全年执行数, preferring one from the longest run of
    equal numbers (a merged cell repeats a value its neighbours often share)."""
    slots = FormBuilder.fund_slots(header, sub)
    nums = [k for k, t in enumerate(vals) if NUMERIC.match(t.key)]
    if len(nums) != len(slots) + 1:
        return vals
    texts = [vals[k].key for k in nums]
    line = _synth(vals, [t.text for t in vals])
    candidates = []
    for k in range(len(nums) - 1):
        if texts[k] != texts[k + 1]:
            continue
        trial = nums[:k] + nums[k + 1:]
        if FormBuilder._balance_holds(line, trial, slots):
            run = sum(1 for x in texts if x == texts[k])
            candidates.append((run, k, trial))
    if not candidates:
        return vals
    run, k, trial = max(candidates, key=lambda c: (c[0], c[1]))
    block.repairs.append(f"资金总额行多印了一个数（合并单元格重复打印）：去掉第 {k + 2} 个数 {texts[k]}，结余恒等式成立")
    keep = set(trial) | {j for j in range(len(vals)) if j not in nums}
    return [t for j, t in enumerate(vals) if j in keep]


def _self_evaluation(block: StreamBlock, toks: list[Tok]) -> list[SourceLine]:
    out: list[SourceLine] = []
    keys = [t.key for t in toks]
    h = next((i for i, k in enumerate(keys) if "全年预" in k), None)
    if h is not None:
        s = h
        while s > 0 and h - s < 6 and "资金" not in keys[s - 1] and "万元" not in keys[s - 1]:
            s -= 1
        e = next((i for i in range(h, len(toks)) if _is_num(toks[i])), len(toks))
        label = next((i for i in range(e - 1, s - 1, -1) if "资金总额" in keys[i]), None)
        words = _fund_words("".join(t.key for t in toks[s:e]))
        main = [w for w in words if w in FUND_COLUMNS and w not in SUB_FUNDS]
        sub = [w for w in words if w in SUB_FUNDS]
        out.append(_synth(toks[s:e], main))
        if sub:
            out.append(_synth(toks[s:e], sub))
        vals: list[Tok] = []
        k = e
        while k < len(toks) and (_is_num(toks[k]) or toks[k].key.upper() in MISSING):
            vals.append(toks[k])
            k += 1
        if vals:
            first = label if label is not None and label > h else e
            vals = _drop_merged_duplicate(block, out[0], out[1] if sub else None, vals)
            out.append(_synth(toks[first:k], ["资金总额:", *[t.text for t in vals]], [None, *vals]))
            out += _fund_source_lines(toks, k, vals)
    for i, t in enumerate(toks):
        if t.key in TOTAL_LABELS:
            nums: list[Tok] = []
            k = i + 1
            while k < len(toks) and _is_num(toks[k]) and len(nums) < 3:
                nums.append(toks[k])
                k += 1
            if nums:
                out.append(_synth(toks[i:k], [t.key, *[x.text for x in nums]], [None, *nums]))
        elif t.key == ANALYSIS:
            k = i + 1
            while k < len(toks) and not ANALYSIS_END.match(toks[k].key) and k - i < 400:
                k += 1
            if k > i + 1:
                out.append(_synth(toks[i:k], [ANALYSIS, _text(toks[i + 1:k])]))
    return out


def _fund_source_lines(toks: list[Tok], k: int, funds: list[Tok]) -> list[SourceLine]:
    """The fund-source lines after the 资金总额 figures (其中：中央资金 964.00 964.00 100.00% …): a label and its
    figures, each line laid out like the 资金总额 line. A line printing fewer figures gets its blank cells back,
    lined up at the rate (the % figure is the 执行率 of both lines); without one it is left as printed."""
    out: list[SourceLine] = []
    rate = next((n for n, t in enumerate(funds) if t.key.endswith("%")), None)
    while k < len(toks):
        label = toks[k]
        name = re.sub(r"^其中[:：]?", "", label.key).rstrip(":：")
        if not forms.FUND_SOURCE.search(name) or "资金总额" in name or forms.SECTION_END.match(name):
            break
        k += 1
        nums: list[Tok] = []
        while k < len(toks) and (_is_num(toks[k]) or "#" + toks[k].key.upper().lstrip("#") in MISSING):
            nums.append(toks[k])
            k += 1
        if not any(_is_num(t) for t in nums):
            continue
        slots: list[Tok | None] = list(nums)
        own = next((n for n, t in enumerate(nums) if t.key.endswith("%")), None)
        if len(nums) < len(funds) and rate is not None and own is not None and 0 <= rate - own <= len(funds) - len(nums):
            slots = [None] * (rate - own) + list(nums)
            slots += [None] * (len(funds) - len(slots))
        out.append(_synth([label, *nums], [label.text, *[t.text if t else "" for t in slots]], [None, *slots]))
    return out


# --- 绩效目标表: (label, amount) slots, two per printed row ---


def _is_amount(tok: Tok) -> bool:
    return bool(AMOUNT.match(tok.key))


FUND_LABELS = {"实施期资金总额", "中期资金总额", "年度资金总额", "中央财政资金", "省级财政资金", "市县(区)财政资金",
               "单位自筹", "其他资金", "财政拨款", "市级财政资金", "县级财政资金"}


def _fund_label(key: str) -> bool:
    return re.sub(r"^其中[:：]?", "", key).rstrip(":：") in FUND_LABELS


def _amount_tail(amount: list[Tok], text: str) -> bool:
    """The wrapped rest of an amount cell: its unit, or the end of an open parenthesis (2265万元（承建…）)."""
    printed = norm_key("".join(t.text for t in amount))
    return bool(re.match(r"^(万元|元|万)", text)) or printed.count("(") > printed.count(")")


_GLUED_AMOUNT = re.compile(r"^(?P<label>.*?[^\d,.])(?P<amount>[\d,]+(\.\d+)?(万元|元)?)$")


def _unglue(tok: Tok) -> list[Tok]:
    """A fund label and its amount printed in one cell (中期资金总额：3514万元, 其中：财政拨款 3514万元): two tokens."""
    m = _GLUED_AMOUNT.match(tok.key)
    if m is None or not (_fund_label(m.group("label")) or (re.search(r"[:：]$", m.group("label"))
                                                           and FUND_SLOT.search(m.group("label")))):
        return [tok]
    return [Tok(m.group("label"), tok.line, tok.cell, tok.k), Tok(m.group("amount"), tok.line, tok.cell, tok.k)]


def _split_cells(frag: list[Tok]) -> list[list[Tok]]:
    """A row printed on one line with its cells separated by spaces: a label ending in a colon, or two fund
    labels side by side (其中：财政拨款 其中：财政拨款), are cells of their own, not one wrapped label."""
    out = [frag[:1]]
    for a, b in zip(frag, frag[1:], strict=False):
        core = re.sub(r"^其中[:：]?", "", a.key).rstrip(":：")  # (其中： alone only opens a label)
        if (re.search(r"[:：]$", a.key) and core and FUND_SLOT.search(core)) or (_fund_label(a.key) and _fund_label(b.key)):
            out.append([b])
        else:
            out[-1].append(b)
    return out


def _slip_fixed(label: str, block: StreamBlock | None) -> str:
    """A fund label one character off a known one (市市(区)财政资金, an OCR slip) reads as the known one."""
    m = re.match(r"^(其中[:：]?)?(.*?)([:：]?)$", norm_key(label))
    assert m is not None  # every part optional
    word = one_slip(m.group(2), FUND_LABELS, prefix=True)
    if word is None:
        return label
    if block is not None:
        block.repairs.append(f"资金来源“{m.group(2)}”读作“{word}”（差一个字，按识别错字处理）")
    return (m.group(1) or "") + word + m.group(3)


def _target_funds(toks: list[Tok], block: StreamBlock | None = None) -> list[SourceLine]:
    start = next((i for i, t in enumerate(toks) if FUNDS_START.search(t.key)
                  or (i + 1 < len(toks) and "资金总额" in t.key + toks[i + 1].key
                      and not FUNDS_START.search(toks[i + 1].key))), None)
    if start is None:
        return []
    toks = toks[:start] + [part for t in toks[start:] for part in _unglue(t)]
    frags = [part for f in _fragments(toks[start:], _is_amount) for part in _split_cells(f)]
    texts = [norm_key("".join(t.text for t in f)) for f in frags]
    amount = [_is_amount(f[0]) for f in frags]
    slots: list[tuple[str, list[Tok], list[Tok]]] = []  # (label, amount tokens, all tokens)
    i = 0
    while i < len(frags):
        f = frags[i]
        if amount[i]:
            if slots and not slots[-1][1]:
                slots[-1][1].append(f[0])
                slots[-1][2].append(f[0])
            i += 1
            continue
        if slots and slots[-1][1] and i and amount[i - 1] and _amount_tail(slots[-1][1], texts[i]):
            slots[-1][1].append(f[0])  # the wrapped rest of an amount cell (2265万元（承建 + 单位）)
            slots[-1][1].extend(f[1:])
            i += 1
            continue
        if len(texts[i]) <= 2 and slots and not SLOT_BREAK.match(texts[i]):
            # the second line of a wrapped label printed after the amounts (金 of 市县（区）财政资 + 金)
            for k in range(max(0, len(slots) - 2), len(slots)):
                label = norm_key(slots[k][0])
                if _fund_label(label + texts[i]) and not _fund_label(label):
                    slots[k] = (slots[k][0] + "".join(t.text for t in f), slots[k][1], slots[k][2] + f)
                    break
            i += 1
            continue
        label, ts = "".join(t.text for t in f), list(f)
        j = i + 1
        # a wrapped label: the next fragment names no fund of its own
        while j < len(frags) and j - i < 3 and not amount[j] and not SLOT_BREAK.match(texts[j]) and (
                (not FUND_SLOT.search(texts[j]) and not re.search(r"[:：]$", label))
                or (_fund_label(norm_key(label) + texts[j]) and not _fund_label(norm_key(label)))):
            label += "".join(t.text for t in frags[j])
            ts += frags[j]
            j += 1
        label = CAPTION.sub("", norm_key(label)) if CAPTION.match(norm_key(label)) else label
        key = norm_key(label)
        if not key:
            i = j
            continue
        if FUND_SLOT.search(key) or FUND_PREFIX.match(key) or (j < len(frags) and amount[j]
                                                                and not SLOT_BREAK.match(key)):
            slots.append((label, [], ts))
        elif not SLOT_SKIP.match(key):
            break
        i = j
    out: list[SourceLine] = []
    for k in range(0, len(slots), 2):
        pair = slots[k:k + 2]
        cells: list[str] = []
        src: list[Tok | None] = []
        all_toks: list[Tok] = []
        for label, nums, ts in pair:
            cells += [_slip_fixed(label, block), _text(nums)]
            src += [None, nums[0] if nums else None]
            all_toks += ts
        out.append(_synth(sorted(all_toks, key=lambda t: t.line.line_no), cells, src))
    return out


def _fragments(toks: list[Tok], is_num=_is_num) -> list[list[Tok]]:
    """Consecutive non-numeric tokens of one line form one fragment; numbers stand alone."""
    out: list[list[Tok]] = []
    for t in toks:
        if out and not is_num(t) and not is_num(out[-1][-1]) and out[-1][-1].line is t.line:
            out[-1].append(t)
        else:
            out.append([t])
    return out
