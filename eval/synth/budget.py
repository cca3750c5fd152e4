"""A budget disclosure (预算公开): the plan of exact amounts, the standard tables, the
performance-target attachments and the 情况说明 narrative quoting them."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from eval.synth import catalog as cat
from eval.synth.common import (
    SUFFIXES,
    Econ,
    Org,
    Proj,
    Style,
    amount,
    basic_code,
    change_segs,
    empty_note,
    fig_amount,
    fig_share,
    function_rows,
    head_lines,
    last_year,
    maybe_break,
    personnel,
    project_names,
    staff_costs,
    w2,
)
from eval.synth.ir import Doc, Fig, Para, Ref, TableIR, TRow, column_names
from eval.synth.model import TruthProject
from eval.synth.money import FEN_PER_YUAN, round_yuan, wan, yuan
from eval.synth.text import WATERMARK, cover, glossary, label_text, overview, table_toc_items, title_prefix, toc
from schemas.keys import dedupe_keys, norm_key
from schemas.tables import TableKind as K

WAN = 1_000_000


@dataclass
class BudgetPlan:
    econ: list[Econ]
    vehicles: dict[int, int]
    projects: list[Proj]
    basic: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # 项 -> 基本支出 (一般公共预算)
    proj_gp: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # 本年 项目支出, 一般公共预算
    proj_gf: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # 本年 项目支出, 政府性基金
    carry: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # 上年结转 项目支出

    @property
    def gp_cur(self) -> int:
        return sum(self.basic.values()) + sum(self.proj_gp.values())

    @property
    def gf(self) -> int:
        return sum(self.proj_gf.values())

    @property
    def carry_total(self) -> int:
        return sum(self.carry.values())


def plan(rng: random.Random, org: Org, year: int, style: Style, want: dict[str, bool]) -> BudgetPlan:
    econ, vehicles = staff_costs(rng, org, odd=0.12)
    n = max(2, int(rng.triangular(3, 45, 14)))
    names = project_names(rng, org, n, year, style.prefixes, want)
    projects: list[Proj] = []
    for i, (name, code, category) in enumerate(names):
        unit = 0 if len(org.units) == 1 or rng.random() < 0.5 else rng.randrange(len(org.units))
        r = rng.random()
        lo, hi = (0.5, 40) if r < 0.55 else (40, 400) if r < 0.88 else (400, 4000)
        fen = amount(rng, lo, hi, odd=0.12, whole_wan=0.35)
        p = Proj(name=name, unit=unit, code=code, fen=fen, category=category)
        if rng.random() < 0.25 and fen < 400 * WAN:  # cost indicators that multiply out to the amount
            months = rng.choice([12, 12, 10])
            people = rng.randint(2, 60)
            per = max(50, round(fen / FEN_PER_YUAN / (people * months)))
            p.fen = people * per * months * FEN_PER_YUAN
            p.extra["cost"] = {"quantity": people, "unit_yuan": per, "months": months}
        projects.append(p)
        del i
    if "fund_projects" in org.otype and rng.random() < 0.5:
        for code, name in org.otype["fund_projects"][: rng.randint(1, len(org.otype["fund_projects"]))]:
            projects.append(Proj(name=name, unit=0, code=code, fund="gf", fen=amount(rng, 10, 800, whole_wan=0.4),
                                 category="特定目标类"))
    if rng.random() < 0.4:
        for k in range(rng.randint(1, 3)):
            code, base = rng.choice(org.otype["projects"] + [(org.otype["admin"], "绩效考核奖励资金")])
            name = f"{year - 1}年{base}" if rng.random() < 0.5 else f"{base}（上年结转）"
            if style.prefixes:
                name = "X" + name
            if any(p.name == name for p in projects):
                name += SUFFIXES[k]
            projects.append(Proj(name=name, unit=rng.randrange(len(org.units)), code=code, carry=True,
                                 fen=amount(rng, 0.5, 120, odd=0.2), category="其他运转类"))
    bp = BudgetPlan(econ=econ, vehicles=vehicles, projects=projects)
    for e in econ:
        bp.basic[basic_code(org, e.code, e.staff)] += e.fen
    for p in projects:
        target = bp.carry if p.carry else bp.proj_gf if p.fund == "gf" else bp.proj_gp
        target[p.code] += p.fen
    return bp


class BudgetBuilder:
    def __init__(self, rng: random.Random, org: Org, style: Style, year: int, bp: BudgetPlan):
        self.rng, self.org, self.style, self.y, self.bp = rng, org, style, year, bp
        self.tables: dict[K, TableIR] = {}
        self.n_label = 0

    # --- helpers ------------------------------------------------------------------------------
    def ref(self, kind: K, key: str, j: int) -> Ref:
        t = self.tables[kind]
        width = max([len(r) for r in t.header] + [len(r.cells) for r in t.rows])
        return (kind, key, column_names(t, width)[j])

    def new_table(self, kind: K, header: list[list[str]], rows: list[TRow], *, colnum: list[str] | None = None,
                  split: int | None = None, notes: list[str] | None = None, empty: bool = False) -> TableIR:
        titles = cat.BUDGET_TITLES[self.style.province]
        title = titles[kind.value].format(y=self.y)
        self.n_label += 1
        label = None
        if self.style.labels and (self.style.province != "shanxi" or self.rng.random() < 0.5):
            label = label_text(self.style, self.n_label)
        before, after = head_lines(self.style, self.org.name, self.y, label)
        t = TableIR(kind=kind, title=title, header=header, rows=rows, colnum=colnum, before=before, after=after,
                    notes=notes or [], empty=empty, label=label, org=self.org.name, split=split,
                    title_prefix=title_prefix(self.style, self.rng))
        maybe_break(t, self.style, self.rng, WATERMARK)
        self.tables[kind] = t
        return t

    def printed(self, kind: K) -> bool:
        return kind.value in cat.BUDGET_TITLES[self.style.province]

    # --- tables -------------------------------------------------------------------------------
    def summary(self) -> TableIR:
        bp, y = self.bp, self.y
        income = [("一、一般公共预算", bp.gp_cur), ("二、政府性基金预算", bp.gf), ("三、国有资本经营预算", 0),
                  ("四、财政专户管理资金", 0), ("五、单位资金", 0)]
        by_class_all: dict[str, int] = defaultdict(int)
        by_class_carry: dict[str, int] = defaultdict(int)
        for src in (bp.basic, bp.proj_gp, bp.proj_gf, bp.carry):
            for code, v in src.items():
                by_class_all[code[:3]] += v
        for code, v in bp.carry.items():
            by_class_carry[code[:3]] += v
        rows: list[TRow] = []
        classes = cat.BUDGET_SUMMARY_CLASSES
        in_keys = dedupe_keys([norm_key(lab) for lab, _ in income] + ["本年收入合计", "上年结转", "收入总计"])
        for i, cls in enumerate(classes):
            left = ["", ""]
            row = TRow([])
            if i < len(income):
                lab, v = income[i]
                left = [lab, w2(v)]
                row.add(in_keys[i], 1)
            elabel = f"{cat.cn_number(i + 1)}、{cat.CLASS_NAMES[cls]}"
            a, c = by_class_all.get(cls, 0), by_class_carry.get(cls, 0)
            row.cells = left + [elabel, w2(a), w2(a - c), w2(c)]
            for j in (3, 4, 5):
                row.add(norm_key(elabel), j)
            rows.append(row)
        all_ = bp.gp_cur + bp.gf + bp.carry_total
        tail = [("本年收入合计", bp.gp_cur + bp.gf, "本年支出合计", [all_, all_ - bp.carry_total, bp.carry_total]),
                ("上年结转", bp.carry_total, "年终结转", [0, 0, 0]),
                ("收入总计", all_, "支出总计", [all_, all_ - bp.carry_total, bp.carry_total])]
        for k, (lab, v, elab, ev) in enumerate(tail):
            row = TRow([lab, w2(v), elab] + [w2(x) for x in ev])
            row.add(in_keys[len(income) + k], 1)
            for j in (3, 4, 5):
                row.add(elab, j)
            rows.append(row)
        header = [["收入", "", "支出", "", "", ""], ["项目", f"{y}年", "项目", f"{y}年合计", "当年预算安排", "上年结转安排"]]
        return self.new_table(K.BUDGET_SUMMARY, header, rows, split=2)

    def income(self) -> TableIR:
        bp = self.bp
        leaves: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for code, v in list(bp.basic.items()) + list(bp.proj_gp.items()):
            leaves[code]["合计"] += v
            leaves[code]["gp"] += v
        for code, v in bp.proj_gf.items():
            leaves[code]["合计"] += v
            leaves[code]["gf"] += v
        for code, v in bp.carry.items():
            leaves[code]["carry"] += v
        cols = ["合计", "gp", "gf", "sc", "fin", "own", "carry"]
        header = [["项目", "", "本年收入", "", "", "", "", "", "上年结转"],
                  ["科目编码", "科目名称", "合计", "一般公共预算", "政府性基金", "国有资本经营预算", "财政专户管理资金",
                   "单位资金", ""]]
        return self.new_table(K.BUDGET_INCOME, header, function_rows(leaves, cols, 2))

    def expenditure(self) -> TableIR:
        bp = self.bp
        leaves: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for code, v in bp.basic.items():
            leaves[code]["合计"] += v
            leaves[code]["basic"] += v
        for src in (bp.proj_gp, bp.proj_gf, bp.carry):
            for code, v in src.items():
                leaves[code]["合计"] += v
                leaves[code]["proj"] += v
        header = [["项目", "", f"{self.y}年预算数", "", ""], ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
        return self.new_table(K.BUDGET_EXPENDITURE, header, function_rows(leaves, ["合计", "basic", "proj"], 2))

    def fiscal_summary(self) -> TableIR:
        bp = self.bp
        by_class: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for src, col in ((bp.basic, "gp"), (bp.proj_gp, "gp"), (bp.carry, "gp"), (bp.proj_gf, "gf")):
            for code, v in src.items():
                by_class[code[:3]][col] += v
        income = [("一、一般公共预算", bp.gp_cur), ("二、政府性基金预算", bp.gf), ("三、国有资本经营预算", 0)]
        carry_lines = [("一、一般公共预算", bp.carry_total), ("二、政府性基金预算", 0), ("三、国有资本经营预算", 0)]
        in_labels = ([lab for lab, _ in income] + ["本年收入合计", "上年财政拨款结转"] + [lab for lab, _ in carry_lines]
                     + ["收入总计"])
        in_keys = dict(zip(range(len(in_labels)), dedupe_keys([norm_key(x) for x in in_labels]), strict=True))
        rows: list[TRow] = []
        for i, cls in enumerate(cat.BUDGET_SUMMARY_CLASSES):
            row = TRow([])
            left = ["", ""]
            if i < len(income):
                left = [income[i][0], w2(income[i][1])]
                row.add(in_keys[i], 1)
            elabel = f"{cat.cn_number(i + 1)}、{cat.CLASS_NAMES[cls]}"
            gp, gf = by_class.get(cls, {}).get("gp", 0), by_class.get(cls, {}).get("gf", 0)
            row.cells = left + [elabel, w2(gp + gf), w2(gp), w2(gf), ""]
            for j in (3, 4, 5, 6):
                row.add(norm_key(elabel), j)
            rows.append(row)
        gp_all, gf_all = bp.gp_cur + bp.carry_total, bp.gf
        exp_tot = [gp_all + gf_all, gp_all, gf_all, 0]
        tail: list[tuple[str, int, str, list[int]]] = [
            ("本年收入合计", bp.gp_cur + bp.gf, "本年支出合计", exp_tot),
            ("上年财政拨款结转", bp.carry_total, "年终结转", [0, 0, 0, 0])]
        tail += [(lab, v, "", []) for lab, v in carry_lines]
        tail.append(("收入总计", bp.gp_cur + bp.gf + bp.carry_total, "支出总计", exp_tot))
        for k, (lab, v, elab, ev) in enumerate(tail):
            idx = len(income) + k
            row = TRow([lab, w2(v), elab] + ([w2(x) for x in ev] if ev else ["", "", "", ""]))
            row.add(in_keys[idx], 1)
            if elab:
                for j in (3, 4, 5, 6):
                    row.add(elab, j)
            rows.append(row)
        header = [["收入", "", "支出", "", "", "", ""], ["项目", "金额", "项目", "金额", "", "", ""],
                  ["", "", "", "小计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]]
        return self.new_table(K.BUDGET_FISCAL_SUMMARY, header, rows, split=2)

    def general(self) -> TableIR:
        bp = self.bp
        leaves: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for code, v in bp.basic.items():
            leaves[code]["合计"] += v
            leaves[code]["basic"] += v
        for code, v in bp.proj_gp.items():
            leaves[code]["合计"] += v
            leaves[code]["proj"] += v
        header = [["项目", "", f"{self.y}年预算数", "", ""], ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
        return self.new_table(K.BUDGET_GENERAL_EXPENDITURE, header, function_rows(leaves, ["合计", "basic", "proj"], 2))

    def economic(self) -> TableIR:
        by_pair: dict[tuple[str, str], int] = defaultdict(int)
        for e in self.bp.econ:
            names = cat.ECON_ITEMS[e.code]
            by_pair[(e.code, names[1] if e.staff == "行政" else names[2])] += e.fen
        pers = sum(v for (c, _), v in by_pair.items() if personnel(c))
        pub = sum(v for (c, _), v in by_pair.items() if not personnel(c))
        rows = [TRow(["合计", "", w2(pers + pub), w2(pers), w2(pub)])]
        for j in (2, 3, 4):
            rows[0].add("合计", j)
        for cls in ("301", "302", "303", "310"):
            items = sorted((c, g, v) for (c, g), v in by_pair.items() if c[:3] == cls)
            if not items:
                continue
            tot = sum(v for _, _, v in items)
            p = personnel(cls)
            cname = cat.ECON_CLASS_NAMES[cls]
            row = TRow([cname, "", w2(tot), w2(tot) if p else "", "" if p else w2(tot)])
            for j in (2, 3, 4):
                row.add(norm_key(cname), j)
            rows.append(row)
            for c, g, v in items:
                name = cat.ECON_ITEMS[c][0]
                key = f"{norm_key(name)}/{norm_key(g)}"
                row = TRow([name, g, w2(v), w2(v) if p else "", "" if p else w2(v)])
                for j in (2, 3, 4):
                    row.add(key, j)
                rows.append(row)
        header = [["部门预算支出经济科目名称", "政府预算支出经济科目名称", f"{self.y}年预算数", "", ""],
                  ["", "", "合计", "人员经费", "公用经费"]]
        return self.new_table(K.BUDGET_BASIC_ECONOMIC, header, rows)

    def fund_income(self) -> TableIR:
        header = [["项目", "", "政府性基金收入预算"], ["收入科目编码", "科目名称", ""]]
        return self.new_table(K.BUDGET_FUND_INCOME, header, [TRow(["合计", "", ""])], notes=[empty_note(self.rng)],
                              empty=True)

    def fund_expenditure(self) -> TableIR:
        leaves: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for code, v in self.bp.proj_gf.items():
            leaves[code]["合计"] += v
            leaves[code]["proj"] += v
        header = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
        if not leaves:
            return self.new_table(K.BUDGET_FUND_EXPENDITURE, header, [TRow(["合计", "", "", "", ""])],
                                  notes=[empty_note(self.rng)], empty=True)
        return self.new_table(K.BUDGET_FUND_EXPENDITURE, header, function_rows(leaves, ["合计", "basic", "proj"], 2))

    def state_capital(self) -> TableIR:
        header = [["国有资本经营预算收入", "", "", "国有资本经营预算支出", "", "", "", ""],
                  ["项目", "", "国有资本经营收入预算", "科目编码", "科目名称", "合计", "基本支出", "项目支出"],
                  ["收入科目编码", "科目名称", "", "", "", "", "", ""]]
        return self.new_table(K.BUDGET_STATE_CAPITAL, header, [TRow(["合计", "", "", "", "", "", "", ""])],
                              notes=[empty_note(self.rng)], empty=True)

    def sangong_values(self) -> dict[str, int]:
        e = self.bp.econ
        car_buy = sum(p.fen for p in self.bp.projects if p.extra.get("car"))
        return {"abroad": sum(x.fen for x in e if x.code == "30212"),
                "reception": sum(x.fen for x in e if x.code == "30217"),
                "car_buy": car_buy, "car_run": sum(x.fen for x in e if x.code == "30231")}

    def sangong(self) -> TableIR:
        sv = self.sangong_values()
        car = sv["car_buy"] + sv["car_run"]
        total = sv["abroad"] + sv["reception"] + car
        lines = [("因公出国（境）费", sv["abroad"]), ("公务接待费", sv["reception"]), ("公务用车购置及运行费", car),
                 ("①公务用车购置费", sv["car_buy"]), ("②公务用车运行维护费", sv["car_run"])]
        lines = ([("合计", total)] + lines) if self.rng.random() < 0.3 else (lines + [("合计", total)])
        rows = []
        for lab, x in lines:
            row = TRow([lab, w2(x), w2(x), "", ""])
            row.add(norm_key(lab), 1).add(norm_key(lab), 2)
            rows.append(row)
        header = [["项目", f"{self.y}年预算数", "", "", ""], ["", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]]
        return self.new_table(K.BUDGET_SANGONG, header, rows)

    def unit_public(self) -> list[int]:
        out = [0] * len(self.org.units)
        for e in self.bp.econ:
            if not personnel(e.code):
                out[e.unit] += e.fen
        return out

    def operating_cost(self) -> TableIR:
        per = self.unit_public()
        label = self.rng.choice(["部门合计", "合计"])
        rows = [TRow([label, w2(sum(per)), w2(sum(per)), "", ""])]
        rows[0].add(norm_key(label), 1).add(norm_key(label), 2)
        ind = "\u3000" if self.style.indent else ""
        names = [u.name for u in self.org.units]
        keys = dedupe_keys([norm_key(label)] + [norm_key(n) for n in names])[1:]
        for name, key, x in zip(names, keys, per, strict=True):
            rows.append(TRow([ind + name, w2(x), w2(x), "", ""]).add(key, 1).add(key, 2))
        header = [["单位名称", f"{self.y}预算数", "", "", ""], ["", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]]
        return self.new_table(K.BUDGET_OPERATING_COST, header, rows)

    def project_rows(self, projects: list[Proj], fund_cols: int) -> list[TRow]:
        """Dept row, unit rows (several units), project rows; keys deduplicated in print order."""
        ind = "\u3000" if self.style.indent else ""
        lines: list[tuple[str, int, int]] = []  # (label, gp, gf)

        def tot(ps: list[Proj]) -> tuple[int, int]:
            return sum(p.fen for p in ps if p.fund == "gp"), sum(p.fen for p in ps if p.fund == "gf")

        lines.append((self.org.name, *tot(projects)))
        multi = len(self.org.units) > 1
        if not multi and self.rng.random() < 0.3:
            lines.append((ind + self.org.units[0].name, *tot(projects)))
        for ui, unit in enumerate(self.org.units):
            ps = [p for p in projects if p.unit == ui]
            if multi:
                if not ps:
                    continue
                lines.append((ind + unit.name, *tot(ps)))
            for p in ps:
                lines.append((ind * (2 if multi else 1) + p.name, *tot([p])))
        keys = dedupe_keys([norm_key(lab) for lab, _, _ in lines])
        rows = []
        for (lab, gp, gf), key in zip(lines, keys, strict=True):
            cells = [lab, w2(gp + gf), w2(gp), w2(gf), ""] + [""] * (fund_cols - 3)
            row = TRow(cells[: 2 + fund_cols]).add(key, 1).add(key, 2).add(key, 3)
            rows.append(row)
        return rows

    def projects(self) -> TableIR:
        ps = [p for p in self.bp.projects if not p.carry]
        header = [["项目名称", "合计", f"{self.y}年财政拨款", "", "", "财政专户管理资金", "单位资金"],
                  ["", "", "一般公共预算", "政府性基金预算", "国有资本经营预算", "", ""]]
        colnum = [str(i) for i in range(1, 8)] if self.style.colnum else None
        return self.new_table(K.BUDGET_PROJECTS, header, self.project_rows(ps, 5), colnum=colnum)

    def carryover(self) -> TableIR:
        ps = [p for p in self.bp.projects if p.carry]
        header = [["项目名称", "合计", f"{self.y}年财政拨款", "", ""],
                  ["", "", "一般公共预算", "政府性基金预算", "国有资本经营预算"]]
        colnum = [str(i) for i in range(1, 6)] if self.style.colnum else None
        if not ps:
            return self.new_table(K.BUDGET_PROJECTS_CARRYOVER, header, [], colnum=colnum,
                                  notes=[empty_note(self.rng)], empty=True)
        return self.new_table(K.BUDGET_PROJECTS_CARRYOVER, header, self.project_rows(ps, 3), colnum=colnum)

    # --- 绩效目标表 -----------------------------------------------------------------------------
    def target(self, p: Proj) -> tuple[TableIR, TruthProject]:
        rng, st = self.rng, self.style
        annual = p.fen
        multi_year = rng.random() < 0.2
        period = annual * rng.choice([2, 3]) if multi_year else annual
        period = round_yuan(period, 100) if multi_year else period
        src_kind = "local"
        if p.category == "特定目标类" and rng.random() < 0.3:
            src_kind = rng.choice(["central", "provincial"])

        def split(total: int) -> dict[str, int]:
            if src_kind == "local":
                return {"中央财政资金": 0, "省级财政资金": 0, "市县（区）财政资金": total, "单位自筹": 0}
            part = round_yuan(int(total * rng.uniform(0.3, 0.9)), 100) if total > 200 * FEN_PER_YUAN else total
            part = min(part, total)
            key = "中央财政资金" if src_kind == "central" else "省级财政资金"
            out = {"中央财政资金": 0, "省级财政资金": 0, "市县（区）财政资金": total - part, "单位自筹": 0}
            out[key] = part
            return out

        ps, an = split(period), split(annual)

        def y_(fen: int) -> str:
            return yuan(fen, thousands=st.yuan_thousands)

        unit = self.org.units[p.unit].name
        attr = ("经常性项目（长期开展）", "99年") if p.category == "其他运转类" and not multi_year else \
            ("跨年度项目", f"{rng.choice([2, 3])}年") if multi_year else ("一次性项目（1年结束）", "1年")
        W = 8
        rows: list[TRow] = []

        def line(*cells: str) -> TRow:
            r = TRow(list(cells) + [""] * (W - len(cells)))
            rows.append(r)
            return r

        line("项目名称", "", p.name)
        line("主管部门及代码", "", f"{self.org.dept_code}-{self.org.name}", "", "实施单位", "", unit)
        line("项目属性", "", attr[0], "", "项目期", "", attr[1])
        line("项目资金（元）", "实施期资金总额：", y_(period), "", "年度资金总额：", y_(annual)).add(
            "实施期资金", 2, "实施期资金总额").add("年度资金", 5, "年度资金总额")
        for k, src in enumerate(["中央财政资金", "省级财政资金", "市县（区）财政资金", "单位自筹"]):
            lab = ("其中：" if k == 0 else "") + src
            line("", lab, y_(ps[src]), "", lab, y_(an[src])).add("实施期资金", 2, norm_key(src)).add(
                "年度资金", 5, norm_key(src))
        line("", "其他资金", "", "", "其他资金", "")
        for lab in ("项目概况", "立项依据", "项目设立必要性", "保证项目实施的制度、措施", "项目实施计划"):
            line(lab, "", _blurb(lab, p.name, self.y, rng))
        goal = f"按计划完成{p.name.lstrip('JXMZ')}相关工作，保障资金按规定使用。"
        line("实施期目标", "", "", "", "年度目标")
        line("总体目标", "", goal, "", "", goal)
        line("绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "二级指标", "三级指标", "指标值")
        cost = p.extra.get("cost")
        indicators = _target_indicators(rng, p, annual, cost, st)
        for lvl1, lvl2, name, val in indicators:
            line("", lvl1, lvl2, name, val, lvl2, name, val)
        if rng.random() < 0.5:
            line("负责人:", "经办人:", "", f"联系电话: {rng.randint(2000000, 8999999)}")
        untitled = st.untitled_targets
        if st.province == "shanxi" and self.org.level == "市" and rng.random() < 0.5:
            title = f"{self.org.place}市级预算部门（单位）项目支出绩效目标表"
        elif st.province == "shanghai":
            title = "项目绩效目标申报表"
        else:
            title = rng.choice(["项目支出绩效目标表", f"{self.y}年度项目支出绩效目标表"])
        t = TableIR(kind=K.PERFORMANCE_TARGET, title="" if untitled else title, rows=rows, project=p.name, org=unit,
                    layout="target", untitled=untitled, after=[] if untitled else [f"({self.y}年度)"],
                    title_prefix="" if untitled else title_prefix(st, rng))
        truth = TruthProject(name=p.name, org=unit, code=p.code, fund="政府性基金预算" if p.fund == "gf" else "一般公共预算",
                             carryover=p.carry, category=p.category, amount=wan(p.fen),
                             target_annual_yuan=yuan(annual), target_period_yuan=yuan(period), cost_formula=cost)
        return t, truth

    # --- the document -------------------------------------------------------------------------
    def build(self) -> tuple[Doc, list[TruthProject]]:
        rng, st, y = self.rng, self.style, self.y
        builders = {K.BUDGET_SUMMARY: self.summary, K.BUDGET_INCOME: self.income, K.BUDGET_EXPENDITURE: self.expenditure,
                    K.BUDGET_FISCAL_SUMMARY: self.fiscal_summary, K.BUDGET_GENERAL_EXPENDITURE: self.general,
                    K.BUDGET_BASIC_ECONOMIC: self.economic, K.BUDGET_FUND_INCOME: self.fund_income,
                    K.BUDGET_FUND_EXPENDITURE: self.fund_expenditure, K.BUDGET_STATE_CAPITAL: self.state_capital,
                    K.BUDGET_SANGONG: self.sangong, K.BUDGET_OPERATING_COST: self.operating_cost,
                    K.BUDGET_PROJECTS: self.projects, K.BUDGET_PROJECTS_CARRYOVER: self.carryover}
        tables = [builders[K(k)]() for k in cat.BUDGET_ORDER if K(k) in builders and self.printed(K(k))]
        targets = [self.target(p) for p in self.bp.projects]
        narrative = self.narrative()
        blocks: list = list(cover(self.org, st, y, "budget"))
        part2 = f"第二部分 {y}年{st.scope}预算报表"
        part3 = f"第三部分 {y}年度{st.scope}预算情况说明"
        part4 = "第四部分 名词解释"
        if st.toc:
            blocks.append(toc(st, [("第一部分 概况", [f"一、本{st.scope}职责", "二、机构设置情况"]),
                                   (part2, table_toc_items(tables, rng.random() < 0.5)),
                                   (part3, [p.lines[0][0] for p in narrative if p.heading == 9]),
                                   (part4, [])], rng))
        blocks += overview(self.org, st, rng, y)
        h = 2 if st.markdown else 0
        blocks.append(Para([[part2]], heading=h))
        for t in tables:
            if st.watermark and rng.random() < 0.15:
                blocks.append([WATERMARK])
            blocks.append(t)
        blocks.append(Para([[part3]], heading=h))
        for para in narrative:
            if para.heading == 9:
                para.heading = h + 1 if h else 0
            blocks.append(para)
        attach_first = rng.random() < 0.5
        if not attach_first:
            blocks += glossary(st, rng, part4)
        if targets:
            blocks.append(Para([["附件：项目支出绩效目标表"]], heading=h))
            for t, _ in targets:
                if st.watermark and rng.random() < 0.1:
                    blocks.append([WATERMARK, WATERMARK])
                blocks.append(t)
        if attach_first:
            blocks += glossary(st, rng, part4)
        return Doc(blocks=blocks, spaced=st.spaced), [tr for _, tr in targets]

    # --- 情况说明 -------------------------------------------------------------------------------
    def narrative(self) -> list[Para]:
        rng, st, y, bp, org = self.rng, self.style, self.y, self.bp, self.org
        T = self.tables
        paras: list[Para] = []
        all_ = bp.gp_cur + bp.gf + bp.carry_total

        def ref(kind: K, key: str, j: int) -> Ref | None:
            return self.ref(kind, key, j) if kind in T else None

        def sec(title: str) -> str:
            paras.append(Para([[title]], heading=9))
            return title

        def amt(fen: int, subject: str, r: Ref | None) -> Fig:
            return fig_amount(fen, subject, st, rng, r)

        # 一、收支总体
        s = sec("一、单位预算收支数据变动情况及原因" if st.province == "shanxi" else "一、收支预算总体情况说明")
        last_all = last_year(rng, all_, 0.05)
        segs = [f"{y}年度{org.name}预算收入总计", amt(all_, "收入总计", ref(K.BUDGET_SUMMARY, "收入总计", 1)),
                "万元，其中：本年收入", amt(bp.gp_cur + bp.gf, "本年收入合计", ref(K.BUDGET_SUMMARY, "本年收入合计", 1)),
                "万元，上年结转", amt(bp.carry_total, "上年结转", ref(K.BUDGET_SUMMARY, "上年结转", 1)), "万元，"]
        segs += change_segs(all_, last_all, "收入总计比上年", st, rng)
        segs += [f"，主要原因是{rng.choice(cat.REASONS_UP if all_ >= last_all else cat.REASONS_DOWN)}。"]
        segs += [f"{y}年度支出预算总计", amt(all_, "支出总计", ref(K.BUDGET_SUMMARY, "支出总计", 3)), "万元。"]
        paras.append(Para([segs], section=s))
        # 二、收入
        s = sec("二、收入预算情况说明")
        segs = [f"{y}年度{org.name}预算收入", amt(all_, "收入总计", ref(K.BUDGET_SUMMARY, "收入总计", 1)),
                "万元，主要包括一般公共预算拨款收入", amt(bp.gp_cur, "一般公共预算收入", ref(K.BUDGET_SUMMARY, "一、一般公共预算", 1)),
                "万元，占", fig_share(bp.gp_cur, all_, "一般公共预算收入占比"), "%；政府性基金预算拨款收入",
                amt(bp.gf, "政府性基金预算收入", ref(K.BUDGET_SUMMARY, "二、政府性基金预算", 1)), "万元，占",
                fig_share(bp.gf, all_, "政府性基金预算收入占比"), "%；上年结转",
                amt(bp.carry_total, "上年结转", ref(K.BUDGET_SUMMARY, "上年结转", 1)), "万元，占",
                fig_share(bp.carry_total, all_, "上年结转占比"), "%。"]
        paras.append(Para([segs], section=s))
        # 三、支出
        s = sec("三、支出预算情况说明")
        basic = sum(bp.basic.values())
        proj = all_ - basic
        segs = [f"{y}年度{org.name}支出预算", amt(all_, "支出合计", ref(K.BUDGET_EXPENDITURE, "合计", 2)), "万元，其中：基本支出",
                amt(basic, "基本支出", ref(K.BUDGET_EXPENDITURE, "合计", 3)), "万元，占", fig_share(basic, all_, "基本支出占比"),
                "%；项目支出", amt(proj, "项目支出", ref(K.BUDGET_EXPENDITURE, "合计", 4)), "万元，占",
                fig_share(proj, all_, "项目支出占比"), "%。"]
        paras.append(Para([segs], section=s))
        # 四、财政拨款
        s = sec("四、财政拨款收支预算总体情况说明")
        fiscal_ref = "收入总计"
        segs = [f"{y}年度{org.name}财政拨款收支总预算", amt(all_, "财政拨款收支总计", ref(K.BUDGET_FISCAL_SUMMARY, fiscal_ref, 1)),
                "万元。其中：一般公共预算拨款", amt(bp.gp_cur + bp.carry_total, "一般公共预算拨款",
                                          ref(K.BUDGET_FISCAL_SUMMARY, "支出总计", 4)),
                "万元，政府性基金预算拨款", amt(bp.gf, "政府性基金预算拨款", ref(K.BUDGET_FISCAL_SUMMARY, "支出总计", 5)),
                "万元，国有资本经营预算拨款0万元。"]
        paras.append(Para([segs], section=s))
        # 五、一般公共预算
        s = sec("五、一般公共预算支出情况说明")
        gp = bp.gp_cur
        segs = ["（一）一般公共预算当年支出规模变化情况"]
        paras.append(Para([segs], section=s))
        segs = [f"{y}年度{org.name}一般公共预算当年支出", amt(gp, "一般公共预算支出", ref(K.BUDGET_GENERAL_EXPENDITURE, "合计", 2)),
                "万元，"] + change_segs(gp, last_year(rng, gp, 0.05), "一般公共预算支出比上年", st, rng) + ["。"]
        paras.append(Para([segs], section=s))
        paras.append(Para([["（二）一般公共预算当年支出结构情况"]], section=s))
        by_cls: dict[str, int] = defaultdict(int)
        for src in (bp.basic, bp.proj_gp):
            for code, v in src.items():
                by_cls[code[:3]] += v
        segs = [f"{y}年度{org.name}一般公共预算当年支出", amt(gp, "一般公共预算支出", ref(K.BUDGET_GENERAL_EXPENDITURE, "合计", 2)),
                "万元，主要用于以下方面："]
        for k, cls in enumerate(sorted(by_cls)):
            name = cat.CLASS_NAMES[cls]
            segs += [name, amt(by_cls[cls], name, ref(K.BUDGET_GENERAL_EXPENDITURE, cls, 2)), "万元，占",
                     fig_share(by_cls[cls], gp, f"{name}占比"), "%" + ("。" if k == len(by_cls) - 1 else "；")]
        paras.append(Para([segs], section=s))
        # 六、基本支出
        s = sec("六、一般公共预算基本支出情况说明")
        pers = sum(e.fen for e in bp.econ if personnel(e.code))
        pub = basic - pers
        pers_names = sorted({cat.ECON_ITEMS[e.code][0] for e in bp.econ if personnel(e.code)})
        pub_names = sorted({cat.ECON_ITEMS[e.code][0] for e in bp.econ if not personnel(e.code)})
        segs = [f"{y}年度{org.name}一般公共预算安排基本支出", amt(basic, "基本支出", ref(K.BUDGET_BASIC_ECONOMIC, "合计", 2)),
                "万元，其中：人员经费", amt(pers, "人员经费", ref(K.BUDGET_BASIC_ECONOMIC, "合计", 3)),
                "万元，主要包括：" + "、".join(pers_names) + "；公用经费",
                amt(pub, "公用经费", ref(K.BUDGET_BASIC_ECONOMIC, "合计", 4)), "万元，主要包括：" + "、".join(pub_names) + "。"]
        paras.append(Para([segs], section=s))
        # 七、三公
        s = sec("七、“三公”经费增减变动原因说明")
        sv = self.sangong_values()
        car = sv["car_buy"] + sv["car_run"]
        total = sv["abroad"] + sv["reception"] + car
        same = "与上年预算数相同"
        sk = K.BUDGET_SANGONG

        def sg(fen: int, subject: str, key: str) -> list:
            return [amt(fen, subject, ref(sk, key, 1)), "万元，"] + change_segs(
                fen, last_year(rng, fen, 0.5), f"{subject}比上年", st, rng, same=same, unit_word=f"{y - 1}年预算")

        segs = [f"{y}年{org.name}财政拨款安排的“三公”经费预算"] + sg(total, "三公经费", "合计") + ["。其中：因公出国（境）费"]
        segs += sg(sv["abroad"], "因公出国（境）费", "因公出国(境)费") + ["；公务接待费"]
        segs += sg(sv["reception"], "公务接待费", "公务接待费") + ["；公务用车购置及运行费"]
        segs += sg(car, "公务用车购置及运行费", "公务用车购置及运行费") + ["（其中：公务用车购置费",
                                                             amt(sv["car_buy"], "公务用车购置费", ref(sk, "1公务用车购置费", 1)),
                                                             "万元，公务用车运行维护费",
                                                             amt(sv["car_run"], "公务用车运行维护费",
                                                                 ref(sk, "2公务用车运行维护费", 1)), "万元）。"]
        paras.append(Para([segs], section=s))
        # 八、机关运行经费
        s = sec("八、机关运行经费增减变动原因说明")
        oc = sum(self.unit_public())
        oc_ref = ref(K.BUDGET_OPERATING_COST, norm_key(T[K.BUDGET_OPERATING_COST].rows[0].cells[0]), 1) \
            if K.BUDGET_OPERATING_COST in T else ref(K.BUDGET_BASIC_ECONOMIC, "合计", 4)
        last_oc = last_year(rng, oc, 0.1)
        segs = [f"{y}年{org.name}机关运行经费财政拨款预算", amt(oc, "机关运行经费", oc_ref), "万元，"]
        segs += change_segs(oc, last_oc, "机关运行经费比上年", st, rng, unit_word=f"{y - 1}年预算", same="与上年预算数相同")
        segs += [f"，原因是{rng.choice(cat.REASONS_DOWN if oc < last_oc else cat.REASONS_UP)}。"]
        paras.append(Para([segs], section=s))
        # 九、政府采购
        s = sec("九、政府采购情况")
        ptot = sum(p.fen for p in bp.projects)
        goods = round_yuan(int(ptot * rng.uniform(0.0, 0.35)), 100) if rng.random() < 0.8 else 0
        works = round_yuan(int(ptot * rng.uniform(0.0, 0.3)), 100) if rng.random() < 0.3 else 0
        serv = round_yuan(int(ptot * rng.uniform(0.0, 0.25)), 100) if rng.random() < 0.7 else 0
        segs = [f"{y}年{org.name}政府采购预算总额", amt(goods + works + serv, "政府采购预算总额", None),
                "万元。其中：政府采购货物预算", amt(goods, "政府采购货物预算", None), "万元、政府采购工程预算",
                amt(works, "政府采购工程预算", None), "万元、政府采购服务预算", amt(serv, "政府采购服务预算", None), "万元。"]
        paras.append(Para([segs], section=s))
        # 十、绩效
        s = sec("十、绩效管理情况")
        run = [p for p in bp.projects if p.category == "其他运转类"]
        spec = [p for p in bp.projects if p.category != "其他运转类"]
        segs = [f"{y}年{org.name}纳入绩效目标管理的二级项目",
                Fig(str(len(bp.projects)), "count", "绩效目标项目个数", str(len(bp.projects)), "个"), "个，共计金额",
                amt(ptot, "绩效目标项目金额", ref(K.BUDGET_EXPENDITURE, "合计", 4)), "万元。其中：其他运转类项目",
                Fig(str(len(run)), "count", "其他运转类项目个数", str(len(run)), "个"), "个，涉及金额",
                amt(sum(p.fen for p in run), "其他运转类项目金额", None), "万元；特定目标类项目",
                Fig(str(len(spec)), "count", "特定目标类项目个数", str(len(spec)), "个"), "个，涉及金额",
                amt(sum(p.fen for p in spec), "特定目标类项目金额", None), "万元。"]
        paras.append(Para([segs], section=s))
        # 十一、国有资产
        s = sec("十一、国有资产占有使用情况")
        nv = sum(self.bp.vehicles.values())
        kinds = ["机要通信用车", "应急保障用车", "执法执勤用车", "特种专业技术用车", "其他用车"]
        split = [0] * len(kinds)
        for _ in range(nv):
            split[rng.randrange(len(kinds))] += 1
        segs = [f"截至{y - 1}年12月31日，{org.name}共有公务用车", Fig(str(nv), "count", "车辆数", str(nv), "辆"), "辆，其中："]
        for k, (kind, c) in enumerate(zip(kinds, split, strict=True)):
            segs += [kind, Fig(str(c), "count", kind, str(c), "辆"), "辆" + ("。" if k == len(kinds) - 1 else "，")]
        paras.append(Para([segs], section=s))
        return paras


_BLURB = {
    "项目概况": "用于保障{n}相关工作的正常开展。",
    "立项依据": "根据有关文件和{y}年度工作安排设立。",
    "项目设立必要性": "保障{n}按期完成，提高资金使用效益。",
    "保证项目实施的制度、措施": "严格执行财务管理制度，专款专用。",
    "项目实施计划": "{y}年1月1日起至{y}年12月31日止。",
}


def _blurb(label: str, name: str, year: int, rng: random.Random) -> str:
    return _BLURB[label].format(n=name.lstrip("JXMZ"), y=year)


def _target_indicators(rng: random.Random, p: Proj, annual: int, cost: dict | None,
                       st: Style) -> list[tuple[str, str, str, str]]:
    base = p.name.lstrip("JXMZ")
    out: list[tuple[str, str, str, str]] = []
    if cost:
        out.append(("产出指标", "数量指标", "补助人数", f"{cost['quantity']}人"))
    else:
        out.append(("产出指标", "数量指标", f"{base[:8]}完成数量", f"{rng.randint(1, 60)}{rng.choice('个项次件')}"))
    out.append(("", "质量指标", "任务完成率", rng.choice(["100%", "≥95%", "有效保障"])))
    if cost:
        out.append(("", "时效指标", "补助发放月数", f"{cost['months']}个月"))
        out.append(("", "成本指标", "补助标准", f"{cost['unit_yuan']}元/人·月"))
    else:
        out.append(("", "时效指标", "完成时间", rng.choice(["及时", "12月底前", "按时完成"])))
        wan_txt = wan(annual, strip=True)
        out.append(("", "成本指标", "项目资金", f"{wan_txt}万元" if rng.random() < 0.5 else f"{yuan(annual)}元"))
    out.append(("效益指标", "经济效益指标", "", ""))
    out.append(("", "社会效益指标", "工作保障水平", rng.choice(["提高", "长期", "保障"])))
    out.append(("", "生态效益指标", "", ""))
    out.append(("", "可持续影响指标", "长效机制", "长期"))
    out.append(("满意度指标", "服务对象满意度指标", rng.choice(cat.INDICATOR_SATISFACTION), rng.choice(["≥90%", "≥95%", "≥98%"])))
    return out
