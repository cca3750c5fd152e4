"""Throwaway helper that lays out the hand-checked gold JSON from the TAB lines of the corpus.

Every table below is specified by hand (title line, data-line range, which cell index holds which column,
judgement calls as explicit overrides), after reading the document; the script only copies the printed
figures of those cells so they are not retyped, and refuses cells it was not told about. It imports
nothing from ``extractor/``. Every table was then checked by eye against the document (see ../README.md).

    python eval/gold/tools/build_gold.py            # compares with eval/gold/*.json (writes nothing)
    python eval/gold/tools/build_gold.py --write    # deliberately replaces eval/gold/*.json
    python eval/gold/tools/build_gold.py --check    # prints every table and re-runs the sum identities
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from schemas.gold import GoldCell, GoldDocument, GoldTable  # noqa: E402
from schemas.keys import dedupe_keys, norm_key  # noqa: E402
from schemas.tables import TableKind as K  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"  # ../shared/corpus, as in the Makefile
OUT = ROOT / "eval" / "gold"
NUM = re.compile(r"^-?[\d,]+(\.\d+)?%?$")
CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")


class Doc:
    def __init__(self, name: str) -> None:
        self.name = name
        self.lines = (CORPUS / name).read_text(encoding="utf-8").split("\n")

    def cells(self, n: int) -> list[str]:
        return [c.strip() for c in self.lines[n - 1].split("\t")]

    def text(self, n: int) -> str:
        return self.lines[n - 1]


def is_num(s: str) -> bool:
    return bool(NUM.match(s.replace(" ", "")))


# ---------------------------------------------------------------- grid tables
def grid(doc: Doc, first: int, last: int, label: list[int], cols: dict[int, str], skip: tuple[int, ...] = (),
         basic_economic: bool = False, override: dict[tuple[int, int], str] | None = None) -> list[GoldCell]:
    """Rows over lines first..last. ``label``: cell indices holding code/name; ``cols``: index -> column.
    ``skip``: indices that hold 行次 or the other side of a two-sided table. ``override``: (line, index) -> column."""
    override = override or {}
    rows: list[tuple[str, list[tuple[str, str]]]] = []
    for n in range(first, last + 1):
        c = doc.cells(n)
        if not any(c):
            continue  # blank line (page break)
        c += [""] * (max(list(cols) + label + list(skip)) + 1 - len(c))
        labels = [c[j] for j in label if c[j]]
        vals: list[tuple[str, str]] = []
        for j, v in enumerate(c):
            if not v or j in label or j in skip:
                continue
            col = override.get((n, j), cols.get(j))
            if col is None:
                raise ValueError(f"{doc.name}:{n} unexpected cell {j}={v!r}")
            if v == "——":
                continue
            if not is_num(v):
                raise ValueError(f"{doc.name}:{n} non-numeric value cell {j}={v!r}")
            vals.append((col, v))
        if not labels and not vals:
            continue
        code = labels[0] if labels and CODE.match(labels[0]) else None
        names = [x for x in labels if not CODE.match(x)]
        if basic_economic and len(names) > 1:
            key = f"{norm_key(names[0])}/{norm_key(names[1])}"
        else:
            key = code or (norm_key(names[0]) if names else "数据")
        rows.append((key, vals))
    keys = dedupe_keys([k for k, _ in rows])
    return [GoldCell(row=k, column=col, printed=v) for k, (_, vals) in zip(keys, rows, strict=True) for col, v in vals]


def blocks(doc: Doc, first: int, last: int, period: int, nblocks: int, col: str) -> list[GoldCell]:
    """Side-by-side code/name/amount blocks: each block is its own row, keyed by code (else label)."""
    out: list[tuple[str, str]] = []
    for n in range(first, last + 1):
        c = doc.cells(n)
        if not any(c):
            continue
        c += [""] * (period * nblocks - len(c))
        for b in range(nblocks):
            code, name, amount = c[b * period: b * period + 3]
            if code and not CODE.match(code) and not name and not amount:
                # a label whose amount is printed further right (公用经费合计 ... 99.05)
                rest = [x for x in c[b * period + 1:] if x]
                if len(rest) == 1 and is_num(rest[0]):
                    out.append((norm_key(code), rest[0]))
                    break
            if amount and amount != "——":
                if not is_num(amount):
                    raise ValueError(f"{doc.name}:{n} block {b}: {amount!r}")
                out.append((code if CODE.match(code) else norm_key(code), amount))
    keys = dedupe_keys([k for k, _ in out])
    return [GoldCell(row=k, column=col, printed=v) for k, (_, v) in zip(keys, out, strict=True)]


# ---------------------------------------------------------------- performance-target forms
FUND = [("实施期资金总额", "总额"), ("中期资金总额", "总额"), ("年度资金总额", "总额"), ("中央财政", "中央财政资金"),
        ("省级财政", "省级财政资金"), ("市县", "市县(区)财政资金"), ("单位自", "单位自筹"), ("财政拨款", "财政拨款"),
        ("其他资", "其他资金")]
FIG = re.compile(r"^[\d,]+(\.\d+)?\s*(万元|元)?")


def fund_label(cell: str) -> str | None:
    c = norm_key(cell)
    for pat, name in FUND:
        if pat in c:
            return name
    return None


def perf_funds(doc: Doc, first: int, stop: int, extra: list[tuple[str, str, str]] | None = None,
               drop_note: bool = False) -> tuple[list[GoldCell], list[int]]:
    """Fund lines of a 绩效目标表 between ``first`` and ``stop`` (the 项目概况 line): the first label of a line
    belongs to the 实施期 block, the second to the 年度 block; the value is the next figure after the label."""
    cells: list[GoldCell] = []
    used: list[int] = []
    for n in range(first, stop):
        seen = 0
        cur: tuple[str, str] | None = None
        for s in doc.cells(n):
            if not s:
                continue
            lab = fund_label(s)
            if lab:
                blk = "实施期资金" if seen == 0 else "年度资金"
                seen += 1
                col = lab if lab != "总额" else f"{blk}总额"
                cur = (blk, col)
                m = re.search(r"[:：]\s*([\d,.]+\s*万?元?)$", s) or re.search(r"财政拨款\s+([\d,.]+\s*万?元?)$", s)
                if m:
                    cells.append(GoldCell(row=blk, column=col, printed=m.group(1).strip()))
                    used.append(n)
                    cur = None
                continue
            if cur and FIG.match(s):
                v = s
                if drop_note:
                    v = re.sub(r"[（(].*[)）]$", "", v).strip()
                cells.append(GoldCell(row=cur[0], column=cur[1], printed=v))
                used.append(n)
                cur = None
    for row, col, v in extra or []:
        cells.append(GoldCell(row=row, column=col, printed=v))
    return cells, used


def perf_tables(doc: Doc, starts: list[int], title_of: Callable[[int], tuple[str, int]],
                project_of: Callable[[int], str], overrides: dict[int, dict[str, Any]]) -> list[GoldTable]:
    tables = []
    for i, s in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(doc.lines)
        stop = next(n for n in range(s, end) if norm_key(doc.cells(n)[0]).startswith("项目概况"))
        ov = overrides.get(s, {})
        cells, _ = perf_funds(doc, s, stop, ov.get("extra", []), ov.get("drop_note", False))
        title, line = title_of(s)
        tables.append(GoldTable(kind=K.PERFORMANCE_TARGET, title=title, line=line, project=project_of(s), cells=cells))
    return tables


def project_name(doc: Doc, n: int) -> str:
    c = [x for x in doc.cells(n) if x]
    assert norm_key(c[0]).endswith("名称"), (n, c)
    return norm_key(c[1])


# ---------------------------------------------------------------- self-evaluation forms
L1 = ["年初预算数", "全年预算数", "全年执行数", "执行率", "分值", "得分"]  # 省级 layout
L2 = ["全年预算数", "全年执行数", "执行率"]  # central transfer-payment layout
L3 = ["目标申报数", "年初预算数", "全年预算数", "全年执行数", "资金结(转)余", "执行率", "得分"]  # county layout


def nums(doc: Doc, n: int) -> list[str]:
    return [x for x in doc.cells(n) if x and is_num(x)]


def self_eval(doc: Doc, title_line: int, title: str, name_line: int, layout: list[str], funds_line: int,
              total: tuple[int, str, list[str]] | None, narrative: tuple[int, dict[str, str]] | None,
              funds_cols: list[str] | None = None) -> GoldTable:
    vals = nums(doc, funds_line)
    cols = funds_cols or layout
    if len(vals) != len(cols):
        raise ValueError(f"{doc.name}:{funds_line} funds {vals} vs {cols}")
    cells = [GoldCell(row="资金总额", column=c, printed=v) for c, v in zip(cols, vals, strict=True) if c != "_dup"]
    if total:
        n, key, tcols = total
        tv = nums(doc, n)
        if len(tv) != len(tcols):
            raise ValueError(f"{doc.name}:{n} total {tv} vs {tcols}")
        cells += [GoldCell(row=key, column=c, printed=v) for c, v in zip(tcols, tv, strict=True)]
    if narrative:
        n, figs = narrative
        text = doc.text(n)
        for col, v in figs.items():
            if v not in text:
                raise ValueError(f"{doc.name}:{n} narrative figure {v!r} not in line")
            cells.append(GoldCell(row="项目绩效分析", column=col, printed=v))
    return GoldTable(kind=K.SELF_EVALUATION, title=title, line=title_line, project=project_name(doc, name_line),
                     cells=cells)


def check_printed(doc: Doc, table: GoldTable) -> None:
    """Every printed figure must occur in the document text at or after the title line."""
    body = "\n".join(doc.lines[table.line - 1:])
    for c in table.cells:
        if c.printed not in body:
            raise ValueError(f"{doc.name}: {table.title} {c} not found")


# ================================================================ fenyang (budget 2024)
def fenyang() -> GoldDocument:
    d = Doc("fenyang-emergency-2024-budget.txt")
    t: list[GoldTable] = []
    summ = grid(d, 57, 90, [0], {1: "收入/2024年"}, skip=(2, 3, 4, 5))
    summ += grid(d, 57, 90, [2], {3: "支出/2024年合计", 4: "支出/当年预算安排", 5: "支出/上年结转安排"}, skip=(0, 1))
    t.append(GoldTable(kind=K.BUDGET_SUMMARY, title="2024年预算收支总表", line=49, cells=summ))
    # header shifted by one cell: the far-right figure (index 8, printed under 单位资金) is the 上年结转 column
    inc_cols = {2: "合计", 3: "一般公共预算", 4: "政府性基金", 5: "国有资本经营预算", 6: "财政专户管理资金", 7: "单位资金",
                8: "上年结转"}
    t.append(GoldTable(kind=K.BUDGET_INCOME, title="2024年预算收入总表", line=92,
                       cells=grid(d, 100, 135, [0, 1], inc_cols)))
    exp_cols = {2: "合计", 3: "基本支出", 4: "项目支出"}
    t.append(GoldTable(kind=K.BUDGET_EXPENDITURE, title="2024年预算支出总表", line=137,
                       cells=grid(d, 145, 179, [0, 1], exp_cols)))
    fs = grid(d, 190, 226, [0], {1: "收入/金额"}, skip=(2, 3, 4, 5, 6))
    fs += grid(d, 190, 226, [2], {3: "支出/小计", 4: "支出/一般公共预算", 5: "支出/政府性基金预算", 6: "支出/国有资本经营预算"},
               skip=(0, 1))
    t.append(GoldTable(kind=K.BUDGET_FISCAL_SUMMARY, title="2024年财政拨款收支总表", line=181, cells=fs))
    t.append(GoldTable(kind=K.BUDGET_GENERAL_EXPENDITURE, title="2024年一般公共预算支出预算表（不含上年结转）", line=228,
                       cells=grid(d, 236, 270, [0, 1], exp_cols)))
    t.append(GoldTable(kind=K.BUDGET_BASIC_ECONOMIC, title="2024年一般公共预算安排基本支出分经济科目表（不含上年结转）", line=272,
                       cells=grid(d, 280, 311, [0, 1], {2: "合计", 3: "人员经费", 4: "公用经费"}, basic_economic=True)))
    t.append(GoldTable(kind=K.BUDGET_FUND_INCOME, title="2024年政府性基金预算收入表（不含上年结转）", line=313, empty=True))
    t.append(GoldTable(kind=K.BUDGET_FUND_EXPENDITURE, title="2024年政府性基金预算支出表（不含上年结转）", line=325, empty=True))
    t.append(GoldTable(kind=K.BUDGET_STATE_CAPITAL, title="2024年国有资本经营预算收支预算表（不含上年结转）", line=338, empty=True))
    fund4 = {1: "合计", 2: "一般公共预算", 3: "政府性基金预算", 4: "国有资本经营预算"}
    t.append(GoldTable(kind=K.BUDGET_SANGONG, title="2024年财政拨款安排“三公”经费支出预算表", line=353,
                       cells=grid(d, 361, 366, [0], fund4)))
    t.append(GoldTable(kind=K.BUDGET_OPERATING_COST, title="2024年财政拨款安排机关运行经费预算表", line=368,
                       cells=grid(d, 376, 377, [0], fund4)))
    t.append(GoldTable(kind=K.BUDGET_PROJECTS, title="2024年项目支出预算表（本年预算）", line=379,
                       cells=grid(d, 388, 441, [0], {1: "合计", 2: "一般公共预算", 3: "政府性基金预算", 4: "国有资本经营预算",
                                                      5: "财政专户管理资金", 6: "单位资金"})))
    t.append(GoldTable(kind=K.BUDGET_PROJECTS_CARRYOVER, title="2024年项目支出预算表（上年结转）", line=443,
                       cells=grid(d, 452, 454, [0], fund4)))
    # project performance-target attachment, printed twice, no title line: line = the 项目名称 line
    starts = [n for n in range(690, len(d.lines) + 1)
              if any(norm_key(x) == "项目名称" for x in d.cells(n)[:3])]
    assert len(starts) == 101, len(starts)
    overrides: dict[int, dict[str, Any]] = {
        1580: {"drop_note": True},  # 2265万元（山西一建集团有限公司）
        # 中期资金总额：3514万元 / 其中：财政拨款 3514万元: figure glued to the label (handled by the regex)
        3594: {"extra": [("年度资金", "年度资金总额", "16,000"), ("年度资金", "中央财政资金", "0")]},  # wrapped to 3599-3600
    }
    t += perf_tables(d, starts, lambda s: ("", s), lambda s: project_name(d, s), overrides)
    t.append(GoldTable(kind=K.OVERALL_PERFORMANCE_TARGET, title="县(区)级预算单位整体支出绩效目标申报表 (2024)年度", line=3657))
    for tb in t:
        check_printed(d, tb)
    return GoldDocument(file=d.name, org="汾阳市应急管理局", year=2024, kind="budget", tables=t)


# ================================================================ datong (budget 2025)
def datong() -> GoldDocument:
    d = Doc("datong-emergency-2025-budget.md")
    t: list[GoldTable] = []
    summ = grid(d, 131, 164, [0], {1: "收入/2025年"}, skip=(2, 3, 4, 5))
    summ += grid(d, 131, 164, [2], {3: "支出/2025年合计", 4: "支出/当年预算安排", 5: "支出/上年结转安排"}, skip=(0, 1))
    t.append(GoldTable(kind=K.BUDGET_SUMMARY, title="2025年预算收支总表", line=122, cells=summ))
    inc_cols = {2: "合计", 3: "一般公共预算", 4: "政府性基金", 5: "国有资本经营预算", 6: "财政专户管理资金", 7: "单位资金",
                8: "上年结转"}
    t.append(GoldTable(kind=K.BUDGET_INCOME, title="2025年预算收入总表", line=166, cells=grid(d, 174, 198, [0, 1], inc_cols)))
    exp_cols = {2: "合计", 3: "基本支出", 4: "项目支出"}
    t.append(GoldTable(kind=K.BUDGET_EXPENDITURE, title="2025年预算支出总表", line=200,
                       cells=grid(d, 208, 231, [0, 1], exp_cols)))
    fs = grid(d, 242, 278, [0], {1: "收入/金额"}, skip=(2, 3, 4, 5, 6))
    fs += grid(d, 242, 278, [2], {3: "支出/小计", 4: "支出/一般公共预算", 5: "支出/政府性基金预算", 6: "支出/国有资本经营预算"},
               skip=(0, 1))
    t.append(GoldTable(kind=K.BUDGET_FISCAL_SUMMARY, title="2025年财政拨款收支总表", line=233, cells=fs))
    t.append(GoldTable(kind=K.BUDGET_GENERAL_EXPENDITURE, title="2025年一般公共预算支出预算表（不含上年结转）", line=282,
                       cells=grid(d, 290, 313, [0, 1], exp_cols)))
    t.append(GoldTable(kind=K.BUDGET_BASIC_ECONOMIC, title="2025年一般公共预算安排基本支出分经济科目表（不含上年结转）", line=315,
                       cells=grid(d, 323, 348, [0, 1], {2: "合计", 3: "人员经费", 4: "公用经费"}, basic_economic=True)))
    t.append(GoldTable(kind=K.BUDGET_FUND_INCOME, title="2025年政府性基金预算收入表（不含上年结转）", line=350, empty=True))
    t.append(GoldTable(kind=K.BUDGET_FUND_EXPENDITURE, title="2025年政府性基金预算支出表（不含上年结转）", line=362, empty=True))
    t.append(GoldTable(kind=K.BUDGET_STATE_CAPITAL, title="2025年国有资本经营预算收支预算表（不含上年结转）", line=373, empty=True))
    fund4 = {1: "合计", 2: "一般公共预算", 3: "政府性基金预算", 4: "国有资本经营预算"}
    t.append(GoldTable(kind=K.BUDGET_SANGONG, title="2025年财政拨款安排“三公”经费支出预算表", line=386,
                       cells=grid(d, 394, 399, [0], fund4)))
    t.append(GoldTable(kind=K.BUDGET_OPERATING_COST, title="2025年财政拨款安排机关运行经费预算表", line=401,
                       cells=grid(d, 409, 410, [0], fund4)))
    t.append(GoldTable(kind=K.BUDGET_PROJECTS, title="2025年项目支出预算表（本年预算）", line=412,
                       cells=grid(d, 421, 434, [0], {1: "合计", 2: "一般公共预算", 3: "政府性基金预算", 4: "国有资本经营预算",
                                                      5: "财政专户管理资金", 6: "单位资金"})))
    t.append(GoldTable(kind=K.BUDGET_PROJECTS_CARRYOVER, title="2025年项目支出预算表（上年结转）", line=436, empty=True))
    titles = {522: 526, 555: 559, 586: 590, 619: 623, 655: 659, 686: 690, 723: 727, 757: 761, 789: 793, 822: 826,
              853: 857, 886: 890}
    name_to_title = {v: k for k, v in titles.items()}

    def project(s: int) -> str:
        p = project_name(d, s)
        return "Z" + p[1:] if p.startswith("2安全生产监管系统") else p  # OCR slip Z->2 (line 727), cf. line 431

    t += perf_tables(d, list(titles.values()), lambda s: (d.text(name_to_title[s]).strip(), name_to_title[s]),
                     project, {})
    for tb in t:
        check_printed(d, tb)
    return GoldDocument(file=d.name, org="大同市应急管理局", year=2025, kind="budget", tables=t)


# ================================================================ yangcheng (final accounts 2024)
def yangcheng() -> GoldDocument:
    d = Doc("yangcheng-emergency-2024-final-accounts.txt")
    t: list[GoldTable] = []
    s = grid(d, 112, 143, [0], {2: "收入/金额"}, skip=(1, 3, 4, 5))
    s += grid(d, 112, 143, [3], {5: "支出/金额"}, skip=(0, 1, 2, 4))
    t.append(GoldTable(kind=K.FINAL_SUMMARY, title="收入支出决算总表", line=99, cells=s))
    t.append(GoldTable(kind=K.FINAL_INCOME, title="收入决算表", line=147,
                       cells=grid(d, 162, 190, [0, 1], {2: "本年收入合计", 3: "财政拨款收入", 4: "上级补助收入", 5: "事业收入",
                                                         6: "经营收入", 7: "附属单位上缴收入", 8: "其他收入"})))
    t.append(GoldTable(kind=K.FINAL_EXPENDITURE, title="支出决算表", line=194,
                       cells=grid(d, 207, 235, [0, 1], {2: "本年支出合计", 3: "基本支出", 4: "项目支出", 5: "上缴上级支出",
                                                         6: "经营支出", 7: "对附属单位补助支出"})))
    fs = grid(d, 252, 284, [0], {2: "收入/金额"}, skip=(1, 3, 4, 5, 6, 7, 8))
    fs += grid(d, 252, 284, [3], {5: "支出/合计", 6: "支出/一般公共预算财政拨款", 7: "支出/政府性基金预算财政拨款",
                                  8: "支出/国有资本经营预算财政拨款"}, skip=(0, 1, 2, 4))
    t.append(GoldTable(kind=K.FINAL_FISCAL_SUMMARY, title="财政拨款收入支出决算总表", line=239, cells=fs))
    t.append(GoldTable(kind=K.FINAL_GENERAL_EXPENDITURE, title="一般公共预算财政拨款支出决算表", line=288,
                       cells=grid(d, 301, 329, [0, 1], {2: "小计", 3: "基本支出", 4: "项目支出"})))
    t.append(GoldTable(kind=K.FINAL_BASIC_DETAIL, title="一般公共预算财政拨款基本支出决算明细表", line=333,
                       cells=blocks(d, 345, 374, 3, 4, "决算数")))
    t.append(GoldTable(kind=K.FINAL_FUND, title="政府性基金预算财政拨款收入支出决算表", line=378, empty=True))
    t.append(GoldTable(kind=K.FINAL_STATE_CAPITAL, title="国有资本经营预算财政拨款支出决算表", line=397, empty=True))
    sg = ["合计", "因公出国(境)费", "小计", "公务用车购置费", "公务用车运行维护费", "公务接待费"]
    sg_cols = {i: f"预算数/{c}" for i, c in enumerate(sg)} | {i + 6: f"决算数/{c}" for i, c in enumerate(sg)}
    t.append(GoldTable(kind=K.FINAL_SANGONG, title="财政拨款“三公”经费支出决算表", line=416,
                       cells=grid(d, 430, 430, [], sg_cols)))
    t.append(GoldTable(kind=K.FINAL_INFO_STATS, title="部门决算公开相关信息统计表", line=434,
                       cells=grid(d, 446, 449, [0], {2: "统计数"}, skip=(1,))
                       + grid(d, 452, 464, [0], {2: "统计数"}, skip=(1,))))

    def n3(a: str, b: str, c: str) -> dict[str, str]:
        out = {}
        if a:
            out["年初预算数(元)"] = a
        if b:
            out["预算执行数(元)"] = b
        if c:
            out["预算执行率(%)"] = c
        return out

    TOT1 = ["分值", "得分"]
    TOT3 = ["得分"]
    se = [
        # title line, title, 项目名称 line, layout, funds line, (total line, key, cols), (narrative line, figures)
        (622, "2024年省级基本建设支出项目绩效目标自评表", 627, L1, 630, (649, "合计", TOT1), (650, n3("", "964万元", "100"))),
        (657, "2024年安全生产预防和应急救援能力建设补助资金预算项目支出绩效自评表", 661, L1, 664, (684, "合计", TOT1),
         (685, n3("", "191万元", "100"))),
        (692, "2024年煤矿安全改造专项中央基建投资预算项目支出绩效自评表", 696, L1, 699, (719, "合计", TOT1),
         (720, n3("", "4610万元", "100"))),
        (729, "2023年安全生产预防和应急救援能力建设补助资金（中央）转移支付项目绩效自评表", 732, L2, 736, None, None),
        (771, "自然灾害救灾资金转移支付项目绩效目标自评表", 774, L2, 778, None, None),
        (811, "行政执法制式服装经费项目支出绩效自评表", 815, L3, 819, (830, "总分", TOT3),
         (831, n3("123457.34", "121438.42", "98.36"))),
        (839, "煤矿整治重大隐患特别行动工作专项经费项目支出绩效自评表", 843, L3, 847, (858, "总分", TOT3),
         (859, n3("2027880", "1929940", "95.17"))),
        (867, "阳东一级消防站建设项目经费项目支出绩效自评表", 871, L3, 875, (890, "总分", TOT3),
         (891, n3("1500000", "1500000", "100"))),
        (899, "阳东一级消防站建设项目经费（二）项目支出绩效自评表", 903, L1, 906, (927, "合计", TOT1),
         (928, n3("", "349.87万元", "99.96"))),
        (935, "应急规划及预案管理经费项目支出绩效自评表", 939, L3, 943, (954, "总分", TOT3),
         (955, n3("261840", "134615", "51.41"))),
        (963, "应急指挥中心运行经费项目支出绩效自评表", 967, L3, 971, (987, "总分", TOT3), None),
        (996, "应急管理及安全生产监管经费项目支出绩效自评表", 1000, L3, 1004, (1015, "总分", TOT3),
         (1016, n3("45000", "450000", "100"))),
        (1024, "应急救援总指挥部办公室工作经费项目支出绩效自评表", 1028, L3, 1032, (1043, "总分", TOT3),
         (1044, n3("450000", "284012", "63.11"))),
        (1052, "煤矿安全监管五人小组经费项目支出绩效自评表", 1056, L3, 1060, (1071, "总分", TOT3),
         (1072, n3("2900000", "2899894.93", "99.99"))),
        (1080, "安监人员入井补助项目支出绩效自评表", 1082, L3, 1086, (1097, "总分", TOT3),
         (1098, n3("30万元", "30万元", "100"))),
        (1106, "煤矿安全监管专员工作经费项目支出绩效自评表", 1110, L3, 1114, (1125, "总分", TOT3),
         (1126, n3("180000", "126786", "70.44"))),
        (1138, "应急救援补贴及应急值班补助项目支出绩效自评表", 1142, L3, 1146, (1157, "总分", TOT3),
         (1158, n3("99000", "46750", "47.22"))),
        (1174, "应急救援专项资金项目支出绩效自评表", 1178, L3, 1182, (1193, "总分", TOT3),
         (1194, n3("2000000", "115440", "5.77"))),
        (1202, "地震检测预警防治经费项目支出绩效自评表", 1206, L3, 1210, (1221, "总分", TOT3),
         (1222, n3("90000", "70302", "78.11"))),
        (1230, "应急管理及安全生产专家经费项目支出绩效自评表", 1234, L3, 1238, (1249, "总分", TOT3),
         (1250, n3("90000", "89200", "99.11"))),
        (1258, "应急管理及安全生产教育经费项目支出绩效自评表", 1262, L3, 1266, (1276, "总分", TOT3),
         (1277, n3("90000", "75277", "83.64"))),
        (1285, "瓦斯基础参数抽检经费项目支出绩效自评表", 1289, L3, 1293, (1304, "总分", TOT3),
         (1305, n3("50000", "48400", "96.8"))),
        (1313, "安全生产月活动经费项目支出绩效自评表", 1317, L3, 1321, (1332, "总分", TOT3),
         (1333, n3("50000", "50000", "100"))),
        (1341, "煤炭及危化企业常态化安全体检工作经费项目支出绩效自评表", 1345, L3, 1349, (1361, "总分", TOT3),
         (1362, n3("2736300", "2686870", "98.91"))),
        (1370, "2023年医保未支付个人部分项目支出绩效自评表", 1374, L3, 1378, (1389, "总分", TOT3),
         (1390, n3("16276.15", "16276.15", "100"))),
        (1398, "2024年县级地震（地质）灾害应急演练及地震重点危险区应急准备工作预案（方案）项目资金项目支出绩效自评表", 1402, L1,
         1405, (1423, "合计", TOT1), (1424, n3("", "53.31万元", "100"))),
    ]
    assert len(se) == 26
    for title_line, title, name_line, layout, funds_line, total, narr in se:
        assert d.text(title_line).startswith(title), (title_line, title)
        cols = None
        if funds_line == 1266:  # only the 市区区财政资金 line is printed, without 得分 (see README)
            cols = L3[:-1]
        if funds_line == 847:  # the merged 全年预算数 header spans two cells and its figure is printed twice
            cols = L3[:3] + ["_dup"] + L3[3:]
        t.append(self_eval(d, title_line, title, name_line, layout, funds_line, total, narr, cols))
    for tb in t:
        check_printed(d, tb)
    return GoldDocument(file=d.name, org="阳城县应急管理局", year=2024, kind="final_accounts", tables=t)


# ---------------------------------------------------------------- checks (run after writing, read by eye)
def _dec(s: str) -> Decimal | None:
    try:
        return Decimal(s.replace(",", "").replace("%", ""))
    except InvalidOperation:
        return None


def _hier(rows: dict[str, dict[str, str]], cols: list[str]) -> list[str]:
    bad = []
    codes = [r for r in rows if r.isdigit()]
    for col in cols:
        for r in codes + ["合计"]:
            kids = [k for k in codes if len(k) == 3] if r == "合计" else \
                [k for k in codes if k.startswith(r) and len(k) == len(r) + 2]
            if not kids or r not in rows:
                continue
            tot = sum((_dec(rows[k].get(col, "0")) or Decimal(0) for k in kids), Decimal(0))
            v = _dec(rows[r].get(col, "0")) or Decimal(0)
            if abs(tot - v) > Decimal("0.021"):
                bad.append(f"{col} {r}: {v} != sum {tot}")
    return bad


def _rowsum(rows: dict[str, dict[str, str]], total: str, parts: list[str]) -> list[str]:
    bad = []
    for r, d in rows.items():
        if total in d:
            t = _dec(d[total]) or Decimal(0)
            s = sum((_dec(d.get(p, "0")) or Decimal(0) for p in parts), Decimal(0))
            if abs(t - s) > Decimal("0.021"):
                bad.append(f"{r}: {total} {t} != {s}")
    return bad


def check(doc: GoldDocument) -> list[str]:
    probs: list[str] = []
    print("=====", doc.file)
    for tb in doc.tables:
        rows: dict[str, dict[str, str]] = defaultdict(dict)
        for c in tb.cells:
            rows[c.row][c.column] = c.printed
        print(f"--- {tb.kind} L{tb.line} {tb.title!r} project={tb.project!r} empty={tb.empty} cells={len(tb.cells)}")
        for r, d in rows.items():
            print("   ", r, "|", "  ".join(f"{k}={v}" for k, v in d.items()))
        k = tb.kind
        if k in (K.BUDGET_EXPENDITURE, K.BUDGET_GENERAL_EXPENDITURE):
            probs += _hier(rows, ["合计", "基本支出", "项目支出"]) + _rowsum(rows, "合计", ["基本支出", "项目支出"])
        elif k == K.BUDGET_INCOME:
            probs += _hier(rows, ["合计", "一般公共预算"])
            probs += _rowsum(rows, "合计", ["一般公共预算", "政府性基金", "国有资本经营预算", "财政专户管理资金", "单位资金"])
        elif k == K.FINAL_INCOME:
            probs += _hier(rows, ["本年收入合计", "财政拨款收入"]) + _rowsum(rows, "本年收入合计", ["财政拨款收入"])
        elif k == K.FINAL_EXPENDITURE:
            probs += _hier(rows, ["本年支出合计", "基本支出", "项目支出"])
            probs += _rowsum(rows, "本年支出合计", ["基本支出", "项目支出"])
        elif k == K.FINAL_GENERAL_EXPENDITURE:
            probs += _hier(rows, ["小计", "基本支出", "项目支出"]) + _rowsum(rows, "小计", ["基本支出", "项目支出"])
        elif k in (K.BUDGET_SANGONG, K.BUDGET_OPERATING_COST, K.BUDGET_PROJECTS, K.BUDGET_PROJECTS_CARRYOVER):
            probs += _rowsum(rows, "合计", ["一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户管理资金", "单位资金"])
        elif k == K.BUDGET_BASIC_ECONOMIC:
            probs += _rowsum(rows, "合计", ["人员经费", "公用经费"])
        elif k == K.PERFORMANCE_TARGET:
            for blk in ("年度资金", "实施期资金"):
                d = rows.get(blk, {})
                tot = d.get(f"{blk}总额")
                parts = [_dec(v) for c, v in d.items() if c != f"{blk}总额"]
                if tot and parts and _dec(tot) is not None and None not in parts:
                    if sum(p for p in parts if p is not None) != _dec(tot):
                        probs.append(f"L{tb.line} {blk}: {d}")
        elif k == K.SELF_EVALUATION:
            d = rows["资金总额"]
            if {"全年预算数", "全年执行数", "资金结(转)余"} <= set(d):
                a, b, rest = (_dec(d[x]) or Decimal(0) for x in ("全年预算数", "全年执行数", "资金结(转)余"))
                if a - b != rest:
                    probs.append(f"L{tb.line} 资金结(转)余: {d}")
    return probs


# Gold changes only deliberately: files are rewritten only with --write (or this switch, which a test
# requires to be off).
REGENERATE = False


def build() -> list[tuple[GoldDocument, str]]:
    return [(fenyang(), "fenyang-emergency-2024-budget.json"), (datong(), "datong-emergency-2025-budget.json"),
            (yangcheng(), "yangcheng-emergency-2024-final-accounts.json")]


def main() -> None:
    docs = build()
    write = REGENERATE or "--write" in sys.argv
    for doc, out in docs:
        text = doc.model_dump_json(indent=1)
        GoldDocument.model_validate_json(text)
        same = (OUT / out).exists() and (OUT / out).read_text(encoding="utf-8") == text + "\n"
        if write:
            (OUT / out).write_text(text + "\n", encoding="utf-8")
        print(out, len(doc.tables), "tables", sum(len(tb.cells) for tb in doc.tables), "cells",
              "unchanged" if same else ("WRITTEN" if write else "DIFFERS (use --write to replace)"))
    if "--check" in sys.argv:
        for doc, _ in docs:
            for p in check(doc):
                print("PROBLEM", p)


if __name__ == "__main__":
    main()
