"""The arithmetic that ties a disclosure together, recomputed from truth cells alone.

:func:`checks` lists every identity of domain.md that the tables of a :class:`SynthTruth` allow:
within a table (类 = Σ 款, 款 = Σ 项, 合计 = Σ 类, row 合计 = Σ parts, 收支总表 totals, 三公, 机关运行经费,
project units, 自评 结余 / 执行率 / 总分, 绩效目标 年度资金), and across tables (收入总表 = 收支总表, 基本支出 =
经济分类合计, 机关运行经费 = 公用经费, 项目表 = 项目支出, 绩效目标 元 vs 项目 万元, ...). A missing cell counts as 0
(a blank cell). Each :class:`Check` carries the cells it involves, so a caller can tell a rounding
miss (≤ tolerance, reported as rounding) from an error, and ignore checks touched by a recorded defect.
The generator uses it to fill ``truth.roundings``; the tests use it to prove the arithmetic holds.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from eval.synth.model import Rounding, SynthTruth, TruthTable
from schemas.keys import norm_key
from schemas.tables import TableKind as K

ZERO = Decimal(0)
CENT = Decimal("0.01")
MILLI = Decimal("0.001")
ORDINAL = re.compile(r"^[一二三四五六七八九十]+、")
CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")
ECON_CLASSES = {"工资福利支出", "商品和服务支出", "对个人和家庭的补助", "资本性支出", "资本性支出(基本建设)", "对企业补助",
                "债务利息及费用支出", "其他支出", "对社会保障基金补助", "对企业补助(基本建设)"}
FUNCTION_TABLES = {K.BUDGET_INCOME, K.BUDGET_EXPENDITURE, K.BUDGET_GENERAL_EXPENDITURE, K.BUDGET_FUND_EXPENDITURE,
                   K.FINAL_INCOME, K.FINAL_EXPENDITURE, K.FINAL_GENERAL_EXPENDITURE, K.FINAL_FUND,
                   K.FINAL_STATE_CAPITAL}

Cell = tuple[str, int, str, str]  # (table kind, copy, row, column)


def num(printed: str) -> Decimal:
    return Decimal(printed.replace(",", "").rstrip("%"))


@dataclass
class Check:
    rule: str
    table: K
    row: str
    column: str
    total: Decimal
    parts: list[tuple[Cell, int]]  # (cell, sign)
    expected: Decimal
    tolerance: Decimal
    extra: set[Cell] = field(default_factory=set)  # cells involved besides total and parts
    copy_no: int = 1

    @property
    def cells(self) -> set[Cell]:
        return {(self.table.value, self.copy_no, self.row, self.column)} | {c for c, _ in self.parts} | self.extra

    @property
    def diff(self) -> Decimal:
        return self.total - self.expected

    @property
    def ok(self) -> bool:
        return abs(self.diff) <= self.tolerance

    @property
    def exact(self) -> bool:
        return self.diff == 0


class Tab:
    """The cells of one truth table, by (row, column)."""

    def __init__(self, t: TruthTable):
        self.t = t
        self.kind = K(t.kind)
        self.kv = self.kind.value
        self.cells: dict[tuple[str, str], Decimal] = {}
        self.by_row: dict[str, set[str]] = {}
        for c in sorted(t.cells, key=lambda c: c.line):
            self.cells[(c.row, c.column)] = num(c.printed)
            self.by_row.setdefault(c.row, set()).add(c.column)
        self.rows: list[str] = list(self.by_row)  # row keys in print order
        self.columns: list[str] = list(dict.fromkeys(c for _r, c in self.cells))

    def get(self, row: str, column: str) -> Decimal:
        return self.cells.get((row, column), Decimal(0))

    def has(self, row: str, column: str | None = None) -> bool:
        cols = self.by_row.get(row)
        return cols is not None and (column is None or column in cols)

    def cell(self, row: str, column: str) -> Cell:
        return (self.kind.value, self.t.copy_no, row, column)

    def col(self, *prefixes: str) -> list[str]:
        return [c for c in self.columns if any(c.startswith(p) for p in prefixes)]


class Checker:
    def __init__(self, truth: SynthTruth):
        self.truth = truth
        self.tabs: dict[tuple[K, int], Tab] = {}
        self.multi: dict[K, list[Tab]] = defaultdict(list)
        for t in truth.tables:
            tab = Tab(t)
            self.multi[tab.kind].append(tab)
            self.tabs.setdefault((tab.kind, t.copy_no), tab)
        self.out: list[Check] = []

    def tab(self, kind: K) -> Tab | None:
        return self.tabs.get((kind, 1))

    def add(self, rule: str, total: tuple[Tab, str, str], parts: list[tuple[Tab, str, str, int]],
            per_addend: Decimal = CENT) -> None:
        tt, tr, tc = total
        expected = Decimal(0)
        pcells = []
        for tab, r, c, sign in parts:
            v = tab.cells.get((r, c))
            if v is not None:
                expected += v if sign > 0 else -v
            pcells.append(((tab.kv, tab.t.copy_no, r, c), sign))
        self.out.append(Check(rule, tt.kind, tr, tc, tt.cells.get((tr, tc), ZERO), pcells, expected,
                              per_addend * max(1, len(parts)), copy_no=tt.t.copy_no))

    def eq(self, rule: str, a: tuple[Tab, str, str], b: tuple[Tab, str, str]) -> None:
        self.add(rule, a, [(b[0], b[1], b[2], 1)], per_addend=Decimal(0))

    # --- within a table -----------------------------------------------------------------------
    def function_tree(self, tab: Tab) -> None:
        codes = [r for r in tab.rows if CODE.match(r)]
        total_row = next((r for r in tab.rows if not CODE.match(r)), None)
        kids: dict[str, list[str]] = defaultdict(list)
        for k in codes:
            if len(k) > 3:
                kids[k[:-2]].append(k)
        for col in tab.columns:
            for code in codes:
                if code in kids:
                    self.add("类=Σ款" if len(code) == 3 else "款=Σ项", (tab, code, col),
                             [(tab, k, col, 1) for k in kids[code]])
            if total_row:
                self.add("合计=Σ类", (tab, total_row, col), [(tab, k, col, 1) for k in codes if len(k) == 3])

    def row_sum(self, tab: Tab, total_col: str, part_cols: list[str], rule: str) -> None:
        if total_col not in tab.columns:
            return
        for r in tab.rows:
            if tab.has(r):
                self.add(rule, (tab, r, total_col), [(tab, r, c, 1) for c in part_cols if c in tab.columns])

    def two_sided(self, tab: Tab, final: bool) -> None:
        inc_cols = tab.col("收入/")
        exp_cols = tab.col("支出/")
        if not inc_cols or not exp_cols:
            return
        ic = inc_cols[0]
        inc_rows = [r for r in tab.rows if ORDINAL.match(r) and tab.has(r, ic) and "#" not in r]
        exp_rows = [r for r in tab.rows if ORDINAL.match(r) and any(tab.has(r, c) for c in exp_cols)]
        self.add("本年收入合计=Σ收入", (tab, "本年收入合计", ic), [(tab, r, ic, 1) for r in inc_rows])
        for c in exp_cols:
            self.add("本年支出合计=Σ类", (tab, "本年支出合计", c), [(tab, r, c, 1) for r in exp_rows])
        if len(exp_cols) > 1:
            for r in exp_rows + ["本年支出合计", "支出总计", "总计"]:
                if tab.has(r, exp_cols[0]):
                    self.add("行合计=Σ列", (tab, r, exp_cols[0]), [(tab, r, c, 1) for c in exp_cols[1:]])
        e0 = exp_cols[0]
        if tab.kind == K.BUDGET_SUMMARY:
            self.add("收入总计=本年收入合计+上年结转", (tab, "收入总计", ic),
                     [(tab, "本年收入合计", ic, 1), (tab, "上年结转", ic, 1)])
            for c in exp_cols:
                self.add("支出总计=本年支出合计+年终结转", (tab, "支出总计", c),
                         [(tab, "本年支出合计", c, 1), (tab, "年终结转", c, 1)])
            self.eq("收入总计=支出总计", (tab, "收入总计", ic), (tab, "支出总计", e0))
        elif tab.kind == K.BUDGET_FISCAL_SUMMARY:
            subs = [r for r in tab.rows if r.endswith("#2") and ORDINAL.match(r)]
            self.add("上年结转=Σ分项", (tab, "上年财政拨款结转", ic), [(tab, r, ic, 1) for r in subs])
            self.add("收入总计=本年收入合计+上年结转", (tab, "收入总计", ic),
                     [(tab, "本年收入合计", ic, 1), (tab, "上年财政拨款结转", ic, 1)])
            for c in exp_cols:
                self.add("支出总计=本年支出合计+年终结转", (tab, "支出总计", c),
                         [(tab, "本年支出合计", c, 1), (tab, "年终结转", c, 1)])
            self.eq("收入总计=支出总计", (tab, "收入总计", ic), (tab, "支出总计", e0))
        elif tab.kind == K.FINAL_SUMMARY:
            self.add("收入总计=本年收入合计+结余+年初结转", (tab, "总计", ic),
                     [(tab, "本年收入合计", ic, 1), (tab, "使用非财政拨款结余(含专用结余)", ic, 1),
                      (tab, "年初结转和结余", ic, 1)])
            self.add("支出总计=本年支出合计+结余分配+年末结转", (tab, "总计", e0),
                     [(tab, "本年支出合计", e0, 1), (tab, "结余分配", e0, 1), (tab, "年末结转和结余", e0, 1)])
            self.eq("收入总计=支出总计", (tab, "总计", ic), (tab, "总计", e0))
        elif tab.kind == K.FINAL_FISCAL_SUMMARY:
            subs = ["一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"]
            self.add("年初结转=Σ分项", (tab, "年初财政拨款结转和结余", ic), [(tab, r, ic, 1) for r in subs])
            self.add("收入总计=本年收入合计+年初结转", (tab, "总计", ic),
                     [(tab, "本年收入合计", ic, 1), (tab, "年初财政拨款结转和结余", ic, 1)])
            for c in exp_cols:
                self.add("支出总计=本年支出合计+年末结转", (tab, "总计", c),
                         [(tab, "本年支出合计", c, 1), (tab, "年末财政拨款结转和结余", c, 1)])
            self.eq("收入总计=支出总计", (tab, "总计", ic), (tab, "总计", e0))

    def economic(self, tab: Tab) -> None:
        total_col, parts = (tab.columns[0], tab.columns[1:]) if tab.columns else ("", [])
        for r in tab.rows:
            self.add("合计=人员经费+公用经费", (tab, r, total_col), [(tab, r, c, 1) for c in parts])
        groups: dict[str, list[str]] = defaultdict(list)
        cls = None
        for r in tab.rows:
            if r in ECON_CLASSES:
                cls = r
            elif "/" in r and cls:
                groups[cls].append(r)
        for col in tab.columns:
            for c, items in groups.items():
                self.add("类=Σ款", (tab, c, col), [(tab, i, col, 1) for i in items])
            self.add("合计=Σ类", (tab, "合计", col), [(tab, c, col, 1) for c in groups])

    def detail(self, tab: Tab) -> None:
        col = "决算数"
        codes = [r for r in tab.rows if CODE.match(r)]
        for c in (r for r in codes if len(r) == 3):
            self.add("类=Σ款", (tab, c, col), [(tab, i, col, 1) for i in codes if len(i) == 5 and i.startswith(c)])
        self.add("人员经费合计=301+303", (tab, "人员经费合计", col), [(tab, c, col, 1) for c in ("301", "303")])
        self.add("公用经费合计=302+307+309+310+311+312+313+399", (tab, "公用经费合计", col),
                 [(tab, c, col, 1) for c in ("302", "307", "309", "310", "311", "312", "313", "399")])

    def sangong(self, tab: Tab) -> None:
        if tab.kind == K.BUDGET_SANGONG:
            cols = tab.columns
            if not cols:
                return
            for r in tab.rows:
                self.add("行合计=Σ资金来源", (tab, r, cols[0]), [(tab, r, c, 1) for c in cols[1:]])
            for c in cols:
                self.add("公务用车购置及运行费=购置+运维", (tab, "公务用车购置及运行费", c),
                         [(tab, "1公务用车购置费", c, 1), (tab, "2公务用车运行维护费", c, 1)])
                self.add("三公合计=出国+接待+用车", (tab, "合计", c),
                         [(tab, "因公出国(境)费", c, 1), (tab, "公务接待费", c, 1), (tab, "公务用车购置及运行费", c, 1)])
        else:
            for blk in ("预算数", "决算数"):
                self.add("公务用车小计=购置+运维", (tab, "数据", f"{blk}/小计"),
                         [(tab, "数据", f"{blk}/公务用车购置费", 1), (tab, "数据", f"{blk}/公务用车运行维护费", 1)])
                self.add("三公合计=出国+用车+接待", (tab, "数据", f"{blk}/合计"),
                         [(tab, "数据", f"{blk}/因公出国(境)费", 1), (tab, "数据", f"{blk}/小计", 1),
                          (tab, "数据", f"{blk}/公务接待费", 1)])

    def operating_cost(self, tab: Tab) -> None:
        if not tab.rows or not tab.columns:
            return
        cols = tab.columns
        first = tab.rows[0]
        for c in cols:
            self.add("部门合计=Σ单位", (tab, first, c), [(tab, r, c, 1) for r in tab.rows[1:]])
        for r in tab.rows:
            self.add("行合计=Σ资金来源", (tab, r, cols[0]), [(tab, r, c, 1) for c in cols[1:]])

    def projects(self, tab: Tab) -> None:
        if not tab.rows:
            return
        orgs = {norm_key(self.truth.org)} | {norm_key(u) for u in self.truth.units}
        cols = tab.columns
        first = tab.rows[0]
        is_org = [r.split("#")[0] in orgs for r in tab.rows]
        projects = [r for r, o in zip(tab.rows, is_org, strict=True) if not o]
        for c in cols:
            self.add("部门合计=Σ项目", (tab, first, c), [(tab, r, c, 1) for r in projects])
            # unit total rows: the projects that follow each, up to the next org row
            for i, r in enumerate(tab.rows[1:], start=1):
                if not is_org[i]:
                    continue
                kids = []
                for k in range(i + 1, len(tab.rows)):
                    if is_org[k]:
                        break
                    kids.append(tab.rows[k])
                if kids:
                    self.add("单位合计=Σ项目", (tab, r, c), [(tab, k, c, 1) for k in kids])
        for r in tab.rows:
            self.add("行合计=Σ资金来源", (tab, r, cols[0]), [(tab, r, c, 1) for c in cols[1:]])

    def info_stats(self, tab: Tab) -> None:
        col = "统计数"
        self.add("政府采购合计=货物+工程+服务", (tab, "合计", col), [(tab, r, col, 1) for r in ("货物", "工程", "服务")])
        kinds = [r for r in tab.rows if re.match(r"^\d\.", r)]
        self.add("车辆数合计=Σ车型", (tab, "(一)车辆数合计(辆)", col), [(tab, r, col, 1) for r in kinds], Decimal(0))

    def target(self, tab: Tab) -> None:
        for row, total in (("实施期资金", "实施期资金总额"), ("年度资金", "年度资金总额")):
            parts = [c for (r, c) in tab.cells if r == row and c != total]
            self.add("资金总额=Σ来源", (tab, row, total), [(tab, row, c, 1) for c in parts], Decimal(0))

    def self_eval(self, tab: Tab) -> None:
        t = tab.t
        k = "资金总额"
        milli = t.layout == "progress"
        tol = MILLI if milli else CENT
        if tab.has(k, "资金结(转)余"):
            self.add("结余=全年预算数-全年执行数", (tab, k, "资金结(转)余"),
                     [(tab, k, "全年预算数", 1), (tab, k, "全年执行数", -1)], tol)
        for r in [r for r in tab.rows if tab.has(r, "执行率") and tab.has(r, "全年预算数")]:
            b, e = tab.get(r, "全年预算数"), tab.get(r, "全年执行数")
            if b:
                rate = (e / b * 100).quantize(CENT)
                self.out.append(Check(rule="执行率=执行数÷预算数", table=tab.kind, row=r, column="执行率",
                                      total=tab.get(r, "执行率"), parts=[(tab.cell(r, "全年执行数"), 1),
                                                                      (tab.cell(r, "全年预算数"), 1)],
                                      expected=rate, tolerance=CENT, extra=set(), copy_no=t.copy_no))
        if t.layout == "transfer":
            return
        inds = [r for r in tab.rows if tab.has(r, "得分") and r not in (k, "合计") and not tab.has(r, "全年预算数")]
        self.add("总分=Σ得分", (tab, "合计", "得分"), [(tab, k, "得分", 1)] + [(tab, r, "得分", 1) for r in inds],
                 Decimal(0))
        weights = sum((tab.get(r, "分值") for r in inds), start=Decimal(0)) + (tab.get(k, "分值") or Decimal(10))
        self.out.append(Check(rule="Σ分值=100", table=tab.kind, row="合计", column="分值", total=Decimal(100),
                              parts=[(tab.cell(r, "分值"), 1) for r in inds], expected=weights, tolerance=Decimal(0),
                              extra={tab.cell(r, "分值") for r in inds}, copy_no=t.copy_no))
        if tab.has("合计", "分值"):
            self.add("合计分值=Σ分值", (tab, "合计", "分值"), [(tab, k, "分值", 1)] + [(tab, r, "分值", 1) for r in inds],
                     Decimal(0))
        if tab.has("项目绩效分析", "预算执行数(元)"):
            e_y = tab.get("项目绩效分析", "预算执行数(元)")
            self.out.append(Check(rule="执行数(元)=执行数(万元)", table=tab.kind, row="项目绩效分析", column="预算执行数(元)",
                                  total=(e_y / 10000).quantize(MILLI), parts=[(tab.cell(k, "全年执行数"), 1)],
                                  expected=tab.get(k, "全年执行数"), tolerance=MILLI,
                                  extra={tab.cell("项目绩效分析", "预算执行数(元)"), tab.cell(k, "全年执行数")}, copy_no=t.copy_no))
        if tab.has("项目绩效分析", "年初预算数(元)"):
            i_y = tab.get("项目绩效分析", "年初预算数(元)")
            self.out.append(Check(rule="年初预算数(元)=年初预算数(万元)", table=tab.kind, row="项目绩效分析",
                                  column="年初预算数(元)", total=(i_y / 10000).quantize(MILLI),
                                  parts=[(tab.cell(k, "年初预算数"), 1)], expected=tab.get(k, "年初预算数"), tolerance=MILLI,
                                  extra={tab.cell("项目绩效分析", "年初预算数(元)"), tab.cell(k, "年初预算数")}, copy_no=t.copy_no))
            e_y = tab.get("项目绩效分析", "预算执行数(元)")
            if i_y:
                self.out.append(Check(rule="执行率(年初)=执行数÷年初预算数", table=tab.kind, row="项目绩效分析",
                                      column="预算执行率(%)", total=tab.get("项目绩效分析", "预算执行率(%)"), parts=[],
                                      expected=(e_y / i_y * 100).quantize(CENT), tolerance=CENT,
                                      extra={tab.cell("项目绩效分析", c) for c in ("预算执行率(%)", "预算执行数(元)",
                                                                                "年初预算数(元)")}, copy_no=t.copy_no))

    # --- across tables ------------------------------------------------------------------------
    def across_budget(self) -> None:
        S, INC, E, G = (self.tab(k) for k in (K.BUDGET_SUMMARY, K.BUDGET_INCOME, K.BUDGET_EXPENDITURE,
                                              K.BUDGET_GENERAL_EXPENDITURE))
        F, ECO, OC = self.tab(K.BUDGET_FISCAL_SUMMARY), self.tab(K.BUDGET_BASIC_ECONOMIC), self.tab(K.BUDGET_OPERATING_COST)
        P, C, FE = self.tab(K.BUDGET_PROJECTS), self.tab(K.BUDGET_PROJECTS_CARRYOVER), self.tab(K.BUDGET_FUND_EXPENDITURE)
        ic = S.col("收入/")[0] if S and S.col("收入/") else None
        ec = S.col("支出/")[0] if S and S.col("支出/") else None
        if S and INC and ic:
            self.eq("收入总表合计=收支总表本年收入合计", (INC, "合计", "合计"), (S, "本年收入合计", ic))
            self.eq("收入总表上年结转=收支总表上年结转", (INC, "合计", "上年结转"), (S, "上年结转", ic))
        if S and E and ec:
            self.eq("支出总表合计=收支总表本年支出合计", (E, "合计", "合计"), (S, "本年支出合计", ec))
        if S and F and ic:
            fi = F.col("收入/")[0]
            self.eq("财政拨款收入总计=收支总表收入总计", (F, "收入总计", fi), (S, "收入总计", ic))
        if G and INC:
            codes = sorted({r for r in G.rows + INC.rows if CODE.match(r)})
            for code in codes:
                self.eq("一般公共预算支出=收入总表一般公共预算", (G, code, "合计"), (INC, code, "一般公共预算"))
        if E and INC:
            for code in sorted({r for r in E.rows + INC.rows if CODE.match(r)}):
                self.add("支出总表=本年收入+上年结转", (E, code, "合计"), [(INC, code, "合计", 1), (INC, code, "上年结转", 1)])
        if ECO and G:
            self.eq("经济分类合计=一般公共预算基本支出", (ECO, "合计", ECO.columns[0]), (G, "合计", "基本支出"))
        if OC and ECO and OC.rows:
            self.eq("机关运行经费=公用经费", (OC, OC.rows[0], OC.columns[0]), (ECO, "合计", ECO.columns[-1]))
        if P and G and P.rows:
            self.eq("本年项目表=一般公共预算项目支出", (P, P.rows[0], "一般公共预算"), (G, "合计", "项目支出"))
        if P and E and P.rows:
            carry = [(C, C.rows[0], "合计", 1)] if C and C.rows else [] if C else [(S, "上年结转", ic, 1)] if S and ic else []
            parts = [(P, P.rows[0], "合计", 1)] + carry
            self.add("本年+上年结转项目=支出总表项目支出", (E, "合计", "项目支出"), parts)
        if C and S and ic and C.rows:
            self.eq("上年结转项目=收支总表上年结转", (C, C.rows[0], "合计"), (S, "上年结转", ic))
        if FE and S and ic:
            self.eq("政府性基金支出=收支总表政府性基金", (FE, "合计", "合计"), (S, "二、政府性基金预算", ic))
        # 绩效目标表 年度资金总额 (元) vs the project's 万元
        for tab in self.multi.get(K.PERFORMANCE_TARGET, []):
            name = norm_key(tab.t.project or "")
            src = next((x for x in (P, C) if x and x.has(name, "合计")), None)
            if src is None or not tab.has("年度资金", "年度资金总额"):
                continue
            y = tab.get("年度资金", "年度资金总额")
            self.out.append(Check(rule="绩效目标年度资金(元)=项目金额(万元)", table=tab.kind, row="年度资金",
                                  column="年度资金总额", total=(y / 10000).quantize(CENT, ROUND_HALF_UP), parts=[(src.cell(name, "合计"), 1)],
                                  expected=src.get(name, "合计"), tolerance=Decimal(0),
                                  extra={tab.cell("年度资金", "年度资金总额"), src.cell(name, "合计")}, copy_no=tab.t.copy_no))

    def across_final(self) -> None:
        S, INC, E, F = (self.tab(k) for k in (K.FINAL_SUMMARY, K.FINAL_INCOME, K.FINAL_EXPENDITURE, K.FINAL_FISCAL_SUMMARY))
        G, D, INFO, FUND = (self.tab(k) for k in (K.FINAL_GENERAL_EXPENDITURE, K.FINAL_BASIC_DETAIL, K.FINAL_INFO_STATS,
                                                  K.FINAL_FUND))
        ic = S.col("收入/")[0] if S else None
        ec = S.col("支出/")[0] if S else None
        if S and INC and ic:
            self.eq("收入决算表合计=总表本年收入合计", (INC, "合计", "本年收入合计"), (S, "本年收入合计", ic))
        if S and E and ec:
            self.eq("支出决算表合计=总表本年支出合计", (E, "合计", "本年支出合计"), (S, "本年支出合计", ec))
        if F and E:
            fc = F.col("支出/")[0]
            self.eq("财政拨款支出=支出决算表合计", (F, "本年支出合计", fc), (E, "合计", "本年支出合计"))
        if G and F:
            fg = F.col("支出/")[1]
            self.eq("一般公共预算支出=财政拨款总表一般公共预算", (G, "合计", G.columns[0]), (F, "本年支出合计", fg))
        no_fund = not any(p.fund == "政府性基金预算" for p in self.truth.projects)
        if G and E and no_fund:
            for code in sorted({r for r in G.rows + E.rows if CODE.match(r)} | {"合计"}):
                for gc, ecol in ((G.columns[0], "本年支出合计"), ("基本支出", "基本支出"), ("项目支出", "项目支出")):
                    self.eq("一般公共预算支出决算表=支出决算表", (G, code, gc), (E, code, ecol))
        if D and G:
            self.add("基本支出=人员经费+公用经费", (G, "合计", "基本支出"),
                     [(D, "人员经费合计", "决算数", 1), (D, "公用经费合计", "决算数", 1)])
        if D and INFO:
            self.add("机关运行经费=公用经费合计", (D, "公用经费合计", "决算数"),
                     [(INFO, "(一)行政单位", "统计数", 1), (INFO, "(二)参照公务员法管理事业单位", "统计数", 1)])

    def run(self) -> list[Check]:
        for tabs in self.multi.values():
            for tab in tabs:
                k = tab.kind
                if tab.t.empty:
                    continue
                if k in FUNCTION_TABLES:
                    self.function_tree(tab)
                    if k == K.BUDGET_INCOME:
                        self.row_sum(tab, "合计", ["一般公共预算", "政府性基金", "国有资本经营预算", "财政专户管理资金", "单位资金"],
                                     "合计=Σ资金来源")
                    elif k in (K.BUDGET_EXPENDITURE, K.BUDGET_GENERAL_EXPENDITURE, K.BUDGET_FUND_EXPENDITURE):
                        self.row_sum(tab, "合计", ["基本支出", "项目支出"], "合计=基本支出+项目支出")
                    elif k == K.FINAL_INCOME:
                        self.row_sum(tab, "本年收入合计", tab.columns[1:], "本年收入合计=Σ来源")
                    elif k == K.FINAL_EXPENDITURE:
                        self.row_sum(tab, "本年支出合计", tab.columns[1:], "本年支出合计=Σ支出类型")
                    elif k == K.FINAL_GENERAL_EXPENDITURE:
                        self.row_sum(tab, tab.columns[0], ["基本支出", "项目支出"], "小计=基本支出+项目支出")
                    elif k == K.FINAL_FUND:
                        self.row_sum(tab, "小计", ["基本支出", "项目支出"], "小计=基本支出+项目支出")
                elif k in (K.BUDGET_SUMMARY, K.BUDGET_FISCAL_SUMMARY, K.FINAL_SUMMARY, K.FINAL_FISCAL_SUMMARY):
                    self.two_sided(tab, k in (K.FINAL_SUMMARY, K.FINAL_FISCAL_SUMMARY))
                elif k == K.BUDGET_BASIC_ECONOMIC:
                    self.economic(tab)
                elif k == K.FINAL_BASIC_DETAIL:
                    self.detail(tab)
                elif k in (K.BUDGET_SANGONG, K.FINAL_SANGONG):
                    self.sangong(tab)
                elif k == K.BUDGET_OPERATING_COST:
                    self.operating_cost(tab)
                elif k in (K.BUDGET_PROJECTS, K.BUDGET_PROJECTS_CARRYOVER):
                    self.projects(tab)
                elif k == K.FINAL_INFO_STATS:
                    self.info_stats(tab)
                elif k == K.PERFORMANCE_TARGET:
                    self.target(tab)
                elif k == K.SELF_EVALUATION:
                    self.self_eval(tab)
        if self.truth.kind == "budget":
            self.across_budget()
        else:
            self.across_final()
        return self.out


def checks(truth: SynthTruth) -> list[Check]:
    return Checker(truth).run()


def defect_cells(truth: SynthTruth) -> set[tuple[str, str, str]]:
    """(table kind, row, column) touched by a recorded defect; column ``*`` for a relabelled row."""
    out = set()
    for d in truth.defects:
        if d.table is None or d.row is None or d.type in ("narrative_mismatch", "duplicate_attachment"):
            continue
        out.add((str(d.table), d.row, d.column or "*"))
    return out


def touched(check: Check, defects: set[tuple[str, str, str]]) -> bool:
    """The check involves a defective cell or row, or a second copy of a duplicated attachment."""
    return check.copy_no != 1 or any((k, r, c) in defects or (k, r, "*") in defects for k, _copy, r, c in check.cells)


def roundings(truth: SynthTruth) -> list[Rounding]:
    """Identities that miss only by 尾数, outside any defect."""
    bad = defect_cells(truth)
    out = []
    for ch in checks(truth):
        if ch.exact or not ch.ok or touched(ch, bad):
            continue
        out.append(Rounding(rule=ch.rule, table=ch.table, row=ch.row, column=ch.column, printed=str(ch.total),
                            expected=str(ch.expected), parts=[f"{r}|{c}" for (_k, _cp, r, c), _s in ch.parts]))
    return out


# --- the narrative ----------------------------------------------------------------------------
def _matches_at_precision(printed: str, value: Decimal) -> bool:
    """A percentage compared at the precision it is printed with, allowing truncation."""
    p = num(printed)
    exp = p.as_tuple().exponent
    q = Decimal(1).scaleb(exp if isinstance(exp, int) else 0)
    return p in (value.quantize(q, ROUND_HALF_UP), value.quantize(q, ROUND_DOWN))


def narrative_problems(truth: SynthTruth) -> list[tuple[int, str, str]]:
    """(index, subject, what is wrong) for every quoted figure that does not agree with its source:
    the table cell it quotes (a blank cell is 0), its share/rate (part ÷ whole), its change on last
    year (Δ = current − last; pct = Δ ÷ last), and the sums it states (政府采购 total, project counts)."""
    cells: dict[tuple[str, str, str], Decimal] = {}
    present = {str(t.kind) for t in truth.tables if t.copy_no == 1}
    for t in truth.tables:
        if t.copy_no == 1:
            for c in t.cells:
                cells[(str(t.kind), c.row, c.column)] = num(c.printed)
    out: list[tuple[int, str, str]] = []
    for i, f in enumerate(truth.narrative):
        value = Decimal(f.value)
        if f.kind in ("amount", "count") and num(f.printed) != value:
            out.append((i, f.subject, f"printed {f.printed} but the figure is {f.value}"))
        if f.kind == "amount" and f.table is not None and str(f.table) in present:
            cell = cells.get((str(f.table), f.row or "", f.column or ""), Decimal(0))
            if cell != value:
                out.append((i, f.subject, f"table {f.table} {f.row}/{f.column} is {cell}, narrative value {value}"))
        if f.kind in ("share", "rate"):
            assert f.part is not None and f.whole is not None
            part, whole = Decimal(f.part), Decimal(f.whole)
            want = (part / whole * 100).quantize(CENT, ROUND_HALF_UP) if whole else Decimal(0)
            if want != value or not _matches_at_precision(f.printed, value):
                out.append((i, f.subject, f"{f.printed}% but {part} ÷ {whole} = {want}%"))
        if f.kind in ("change_amount", "change_pct"):
            assert f.current is not None and f.last_year is not None
            cur, last = Decimal(f.current), Decimal(f.last_year)
            delta = abs(cur - last)
            want = delta if f.kind == "change_amount" else (delta / last * 100).quantize(CENT, ROUND_HALF_UP)
            ok = num(f.printed) == want if f.kind == "change_amount" else _matches_at_precision(f.printed, want)
            if want != value or not ok:
                out.append((i, f.subject, f"change printed {f.printed}, computed {want}"))
    by = {f.subject: Decimal(f.value) for f in truth.narrative}
    for total, parts in (("政府采购预算总额", ["政府采购货物预算", "政府采购工程预算", "政府采购服务预算"]),
                         ("绩效目标项目个数", ["其他运转类项目个数", "特定目标类项目个数"]),
                         ("绩效目标项目金额", ["其他运转类项目金额", "特定目标类项目金额"])):
        if total in by and all(p in by for p in parts) and abs(by[total] - sum(by[p] for p in parts)) > CENT:
            out.append((-1, total, f"{by[total]} ≠ Σ {parts}"))
    return out
