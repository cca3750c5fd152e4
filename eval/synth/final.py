"""A final-account disclosure (决算公开): 公开01-10 tables, 项目支出绩效自评表 attachments in three
layouts, and the 情况说明 narrative."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from eval.synth import catalog as cat
from eval.synth.common import (
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
    narr_wan,
    personnel,
    project_names,
    staff_costs,
    w2,
)
from eval.synth.ir import Doc, Fig, Para, Ref, TableIR, TRow, column_names
from eval.synth.model import SelfEvaluation, TruthProject
from eval.synth.money import FEN_PER_YUAN, dec, fmt_pct, fmt_units, pct, round_yuan, wan, wan_units, yuan
from eval.synth.text import WATERMARK, cover, glossary, label_text, overview, table_toc_items, title_prefix, toc
from schemas.keys import dedupe_keys, norm_key
from schemas.tables import TableKind as K

WAN = 1_000_000


@dataclass
class FinalPlan:
    econ: list[Econ]
    vehicles: dict[int, int]
    projects: list[Proj]
    basic: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    proj_gp: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # 全年执行数 by 项
    proj_gf: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    begin: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # 年初结转和结余 spent this year
    end: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # 年末结转和结余

    @property
    def spent_gp(self) -> int:
        return sum(self.basic.values()) + sum(self.proj_gp.values())

    @property
    def spent_gf(self) -> int:
        return sum(self.proj_gf.values())

    @property
    def income_gp(self) -> int:
        return self.spent_gp - sum(self.begin.values()) + sum(self.end.values())

    def income_leaves(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for src, sign in ((self.basic, 1), (self.proj_gp, 1), (self.proj_gf, 1), (self.begin, -1), (self.end, 1)):
            for code, v in src.items():
                out[code]["tot"] += sign * v
                out[code]["fin"] += sign * v
        return {c: v for c, v in out.items() if v["tot"]}


def _cents(rng: random.Random, fen: int) -> int:
    return fen + rng.randint(1, 99) if rng.random() < 0.5 else fen


def plan(rng: random.Random, org: Org, year: int, style: Style, want: dict[str, bool]) -> FinalPlan:
    econ, vehicles = staff_costs(rng, org, odd=0.3)
    n = max(2, int(rng.triangular(3, 32, 12)))
    names = project_names(rng, org, n, year, False, want)
    projects: list[Proj] = []
    for name, code, category in names:
        source = rng.choices(["county", "provincial", "central", "city"], [60, 20, 15, 5])[0]
        if source in ("county", "city"):
            layout = "progress" if rng.random() < 0.8 else "funds"
        elif source == "provincial":
            layout = "funds"
        else:
            layout = "transfer" if rng.random() < 0.6 else "funds"
        r = rng.random()
        lo, hi = (0.5, 30) if r < 0.6 else (30, 300) if r < 0.9 else (300, 5000)
        base = amount(rng, lo, hi, odd=0.25, whole_wan=0.3)
        se: dict = {"layout": layout, "source": source}
        if layout == "progress":
            scenario = rng.choices(["full", "reset", "under", "added", "increased"], [38, 24, 10, 18, 10])[0]
        elif layout == "funds":
            scenario = rng.choices(["added", "full", "under"], [65, 25, 10])[0]
        else:
            scenario = rng.choices(["full", "under"], [85, 15])[0]
        if scenario == "reset":
            initial = _cents(rng, base)
            executed = max(FEN_PER_YUAN, int(initial * rng.uniform(0.05, 0.985)))
            budget = executed
        elif scenario == "under":
            initial = budget = base
            executed = max(FEN_PER_YUAN, int(budget * rng.uniform(0.45, 0.995)))
        elif scenario == "added":
            initial = 0
            budget = base
            executed = budget if rng.random() < 0.7 else max(FEN_PER_YUAN, int(budget * rng.uniform(0.6, 0.999)))
        elif scenario == "increased":
            initial = base
            budget = round_yuan(int(base * rng.uniform(1.05, 1.6)), 100)
            executed = budget
        else:
            initial = budget = executed = base
        if layout == "transfer":
            initial = 0
        se.update(scenario=scenario, initial=initial, budget=budget, executed=executed,
                  declared=initial if initial and rng.random() < 0.4 else 0)
        unit = 0 if len(org.units) == 1 or rng.random() < 0.5 else rng.randrange(len(org.units))
        projects.append(Proj(name=name, unit=unit, code=code, fen=executed, category=category, extra=se))
    if rng.random() < 0.06:
        fen = amount(rng, 8, 30, whole_wan=0.5)
        projects.append(Proj(name="公务用车购置经费", unit=0, code=org.otype["admin"], fen=fen,
                             extra={"layout": "progress", "source": "county", "scenario": "full", "initial": fen,
                                    "budget": fen, "executed": fen, "declared": 0, "car": True}))
    if "fund_projects" in org.otype and rng.random() < 0.4:
        code, name = org.otype["fund_projects"][0]
        fen = amount(rng, 10, 500, whole_wan=0.4)
        projects.append(Proj(name=name, unit=0, code=code, fund="gf", fen=fen, category="特定目标类",
                             extra={"layout": "funds", "source": "provincial", "scenario": "full", "initial": fen,
                                    "budget": fen, "executed": fen, "declared": 0}))
    fp = FinalPlan(econ=econ, vehicles=vehicles, projects=projects)
    for e in econ:
        fp.basic[basic_code(org, e.code, e.staff)] += e.fen
    for p in projects:
        (fp.proj_gf if p.fund == "gf" else fp.proj_gp)[p.code] += p.fen
    gp_projects = [p for p in projects if p.fund == "gp"]
    if rng.random() < 0.25 and gp_projects:  # spent from last year's balance
        p = rng.choice(gp_projects)
        fp.begin[p.code] += round_yuan(int(p.fen * rng.uniform(0.1, 0.9)), 100)
    if rng.random() < 0.3:  # an under-spent project keeps its balance for next year
        under = [p for p in gp_projects if p.extra["scenario"] == "under" and p.extra["budget"] > p.fen]
        if under:
            p = rng.choice(under)
            fp.end[p.code] += p.extra["budget"] - p.fen
            p.extra["carried"] = True
    return fp


def _w3(fen: int) -> str:
    """Self-evaluation amounts: 万元 with up to 3 decimals, Excel General format."""
    return fmt_units(wan_units(fen, 3), 3, strip=True)


class FinalBuilder:
    def __init__(self, rng: random.Random, org: Org, style: Style, year: int, fp: FinalPlan):
        self.rng, self.org, self.style, self.y, self.fp = rng, org, style, year, fp
        self.tables: dict[K, TableIR] = {}
        self.n_label = 0

    def ref(self, kind: K, key: str, j: int) -> Ref | None:
        t = self.tables.get(kind)
        if t is None:
            return None
        width = max([len(r) for r in t.header] + [len(r.cells) for r in t.rows])
        return (kind, key, column_names(t, width)[j])

    def new_table(self, kind: K, header: list[list[str]], rows: list[TRow], *, colnum: list[str] | None = None,
                  split: int | None = None, notes: list[str] | None = None, empty: bool = False,
                  blocks: bool = False) -> TableIR:
        title = cat.FINAL_TITLES[self.style.province][kind.value].format(y=self.y)
        self.n_label += 1
        label = label_text(self.style, self.n_label) if self.style.labels else None
        before, after = head_lines(self.style, self.org.name, self.y, label, final=True, rng=self.rng)
        note = f"注：本表反映{self.style.scope}本年度{_NOTE[kind]}。"
        if kind == K.FINAL_SUMMARY and self.rng.random() < 0.5:
            note += "本套报表金额单位转换时可能存在尾数误差。"
        t = TableIR(kind=kind, title=title, header=header, rows=rows, colnum=colnum, before=before, after=after,
                    notes=[note] + (notes or []), empty=empty, label=label, org=self.org.name, split=split,
                    blocks=blocks, title_prefix=title_prefix(self.style, self.rng))
        maybe_break(t, self.style, self.rng, WATERMARK)
        self.tables[kind] = t
        return t

    def colnum(self, n: int, lead: int = 2) -> list[str] | None:
        return ["栏次"] + [""] * (lead - 1) + [str(i) for i in range(1, n + 1)] if self.style.colnum else None

    # --- 公开01 收入支出决算总表 -------------------------------------------------------------------
    def by_class(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        fp = self.fp
        for src, col in ((fp.basic, "gp"), (fp.proj_gp, "gp"), (fp.proj_gf, "gf")):
            for code, v in src.items():
                out[code[:3]][col] += v
        return out

    def summary(self) -> TableIR:
        fp = self.fp
        classes = cat.FINAL_SUMMARY_CLASSES
        bc = self.by_class()
        income = [("一、一般公共预算财政拨款收入", fp.income_gp), ("二、政府性基金预算财政拨款收入", fp.spent_gf),
                  ("三、国有资本经营预算财政拨款收入", 0), ("四、上级补助收入", 0), ("五、事业收入", 0), ("六、经营收入", 0),
                  ("七、附属单位上缴收入", 0), ("八、其他收入", 0)]
        B, E = sum(fp.begin.values()), sum(fp.end.values())
        inc_total = fp.income_gp + fp.spent_gf
        spent = fp.spent_gp + fp.spent_gf
        rows: list[TRow] = []
        n = len(classes)
        for i, cls in enumerate(classes):
            row = TRow([])
            left = ["", str(i + 1), ""]
            if i < len(income):
                left = [income[i][0], str(i + 1), w2(income[i][1])]
                row.add(norm_key(income[i][0]), 2)
            elabel = f"{cat.cn_number(i + 1)}、{cat.CLASS_NAMES[cls]}"
            v = sum(bc.get(cls, {}).values())
            row.cells = left + [elabel, str(n + 6 + i), w2(v)]
            row.add(norm_key(elabel), 5)
            rows.append(row)
        tail = [("本年收入合计", inc_total, "本年支出合计", spent), ("使用非财政拨款结余（含专用结余）", 0, "结余分配", 0),
                ("年初结转和结余", B, "年末结转和结余", E), ("", 0, "", 0), ("总计", inc_total + B, "总计", spent + E)]
        for k, (lab, v, elab, ev) in enumerate(tail):
            row = TRow([lab, str(n + 1 + k), w2(v), elab, str(2 * n + 6 + k), w2(ev)])
            if lab:
                row.add(norm_key(lab), 2)
            if elab:
                row.add(norm_key(elab), 5)
            rows.append(row)
        header = [["收入", "", "", "支出", "", ""], ["项目", "行次", "金额", "项目", "行次", "金额"]]
        colnum = ["栏次", "", "1", "栏次", "", "2"] if self.style.colnum else None
        return self.new_table(K.FINAL_SUMMARY, header, rows, colnum=colnum, split=3)

    def income(self) -> TableIR:
        leaves = self.fp.income_leaves()
        header = [["项目", "", "本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入",
                   "其他收入"], ["科目代码", "科目名称", "", "", "", "", "", "", ""]]
        rows = function_rows(leaves, ["tot", "fin", "a", "b", "c", "d", "e"], 2)
        return self.new_table(K.FINAL_INCOME, header, rows, colnum=self.colnum(7))

    def exp_leaves(self, gf: bool = True) -> dict[str, dict[str, int]]:
        fp = self.fp
        leaves: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for code, v in fp.basic.items():
            leaves[code]["tot"] += v
            leaves[code]["basic"] += v
        for code, v in list(fp.proj_gp.items()) + (list(fp.proj_gf.items()) if gf else []):
            leaves[code]["tot"] += v
            leaves[code]["proj"] += v
        return leaves

    def expenditure(self) -> TableIR:
        header = [["项目", "", "本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"],
                  ["科目代码", "科目名称", "", "", "", "", "", ""]]
        rows = function_rows(self.exp_leaves(), ["tot", "basic", "proj", "x", "y", "z"], 2)
        return self.new_table(K.FINAL_EXPENDITURE, header, rows, colnum=self.colnum(6))

    def fiscal_summary(self) -> TableIR:
        fp = self.fp
        bc = self.by_class()
        classes = cat.FINAL_SUMMARY_CLASSES
        n = len(classes)
        B, E = sum(fp.begin.values()), sum(fp.end.values())
        income = [("一、一般公共预算财政拨款", fp.income_gp), ("二、政府性基金预算财政拨款", fp.spent_gf),
                  ("三、国有资本经营预算财政拨款", 0)]
        rows: list[TRow] = []
        for i, cls in enumerate(classes):
            row = TRow([])
            left = ["", str(i + 1), ""]
            if i < len(income):
                left = [income[i][0], str(i + 1), w2(income[i][1])]
                row.add(norm_key(income[i][0]), 2)
            elabel = f"{cat.cn_number(i + 1)}、{cat.CLASS_NAMES[cls]}"
            gp, gf = bc.get(cls, {}).get("gp", 0), bc.get(cls, {}).get("gf", 0)
            row.cells = left + [elabel, str(n + 7 + i), w2(gp + gf), w2(gp), w2(gf), ""]
            for j in (5, 6, 7, 8):
                row.add(norm_key(elabel), j)
            rows.append(row)
        spent = [fp.spent_gp + fp.spent_gf, fp.spent_gp, fp.spent_gf, 0]
        tail: list[tuple[str, int, str, list[int] | None]] = [
            ("本年收入合计", fp.income_gp + fp.spent_gf, "本年支出合计", spent),
            ("年初财政拨款结转和结余", B, "年末财政拨款结转和结余", [E, E, 0, 0]),
            ("一般公共预算财政拨款", B, "", None), ("政府性基金预算财政拨款", 0, "", None),
            ("国有资本经营预算财政拨款", 0, "", None),
            ("总计", fp.income_gp + fp.spent_gf + B, "总计", [spent[0] + E, spent[1] + E, spent[2], 0])]
        in_keys = dedupe_keys([norm_key(lab) for lab, _ in income] + [norm_key(t[0]) for t in tail])
        for k, (lab, v, elab, ev) in enumerate(tail):
            row = TRow([lab, str(n + 1 + k), w2(v), elab, str(2 * n + 7 + k)] + ([w2(x) for x in ev] if ev else [""] * 4))
            row.add(in_keys[len(income) + k], 2)
            if elab:
                for j in (5, 6, 7, 8):
                    row.add(norm_key(elab), j)
            rows.append(row)
        header = [["收入", "", "", "支出", "", "", "", "", ""],
                  ["项目", "行次", "金额", "项目", "行次", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款",
                   "国有资本经营预算财政拨款"]]
        colnum = ["栏次", "", "1", "栏次", "", "2", "3", "4", "5"] if self.style.colnum else None
        return self.new_table(K.FINAL_FISCAL_SUMMARY, header, rows, colnum=colnum, split=3)

    def general(self) -> TableIR:
        total = self.rng.choice(["小计", "小计", "合计"])
        header = [["项目", "", "本年支出", "", ""], ["科目代码", "科目名称", total, "基本支出", "项目支出"]]
        rows = function_rows(self.exp_leaves(gf=False), ["tot", "basic", "proj"], 2)
        return self.new_table(K.FINAL_GENERAL_EXPENDITURE, header, rows, colnum=self.colnum(3))

    def econ_by_code(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for e in self.fp.econ:
            out[e.code] += e.fen
        return out

    def detail(self) -> TableIR:
        by = self.econ_by_code()
        cls_tot: dict[str, int] = defaultdict(int)
        for c, v in by.items():
            cls_tot[c[:3]] += v

        def entries(classes: list[str]) -> list[tuple[str, str, str]]:
            out = []
            for cls in classes:
                na = cls in cat.NOT_APPLICABLE_CLASSES
                out.append((cls, cat.ECON_CLASS_NAMES[cls], "——" if na else w2(cls_tot.get(cls, 0))))
                for c in cat.DETAIL_LAYOUT[cls]:
                    out.append((c, cat.ECON_ITEMS[c][0], "——" if na else w2(by.get(c, 0))))
            return out

        block1 = entries(cat.PERSONNEL_CLASSES)
        public = entries(cat.PUBLIC_CLASSES)
        height = max(len(block1), -(-len(public) // 3))
        blocks = [block1] + [public[k * height:(k + 1) * height] for k in range(3)]
        rows: list[TRow] = []
        for i in range(height):
            row = TRow([])
            for b, blk in enumerate(blocks):
                if i < len(blk):
                    code, name, val = blk[i]
                    row.cells += [code, name, val]
                    row.add(code, 3 * b + 2)
                else:
                    row.cells += ["", "", ""]
            rows.append(row)
        pers = sum(v for c, v in by.items() if personnel(c))
        pub = sum(v for c, v in by.items() if not personnel(c))
        last = TRow(["人员经费合计", "", w2(pers), "公用经费合计", "", "", "", "", "", "", "", w2(pub)])
        last.add("人员经费合计", 2).add("公用经费合计", 11)
        rows.append(last)
        header = [["人员经费", "", "", "公用经费", "", "", "", "", "", "", "", ""],
                  ["科目代码", "科目名称", "决算数"] * 4]
        return self.new_table(K.FINAL_BASIC_DETAIL, header, rows, blocks=True)

    def fund(self) -> TableIR:
        header = [["项目", "", "年初结转和结余", "本年收入", "本年支出", "", "", "年末结转和结余"],
                  ["科目代码", "科目名称", "", "", "小计", "基本支出", "项目支出", ""]]
        leaves: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for code, v in self.fp.proj_gf.items():
            leaves[code]["in"] += v
            leaves[code]["sub"] += v
            leaves[code]["proj"] += v
        if not leaves:
            return self.new_table(K.FINAL_FUND, header, [TRow(["合计", "", "", "", "", "", "", ""])],
                                  colnum=self.colnum(6), notes=[empty_note(self.rng)], empty=True)
        rows = function_rows(leaves, ["begin", "in", "sub", "basic", "proj", "end"], 2)
        return self.new_table(K.FINAL_FUND, header, rows, colnum=self.colnum(6))

    def state_capital(self) -> TableIR:
        header = [["项目", "", "本年支出", "", ""], ["科目代码", "科目名称", "合计", "基本支出", "项目支出"]]
        return self.new_table(K.FINAL_STATE_CAPITAL, header, [TRow(["合计", "", "", "", ""])], colnum=self.colnum(3),
                              notes=[empty_note(self.rng)], empty=True)

    def sangong_values(self) -> tuple[dict[str, int], dict[str, int]]:
        by = self.econ_by_code()
        final = {"abroad": by.get("30212", 0), "buy": sum(p.fen for p in self.fp.projects if p.extra.get("car")),
                 "run": by.get("30231", 0), "reception": by.get("30217", 0)}
        if not hasattr(self, "_sg_budget"):
            rng = self.rng
            self._sg_budget = {k: (v if rng.random() < 0.6 else round_yuan(int(v * rng.uniform(1.0, 1.3)), 100))
                               if v else 0 for k, v in final.items()}
        return self._sg_budget, final

    def sangong(self) -> TableIR:
        bud, fin = self.sangong_values()
        row = TRow([])
        for blk, v in (("预算数", bud), ("决算数", fin)):
            car = v["buy"] + v["run"]
            vals = [v["abroad"] + car + v["reception"], v["abroad"], car, v["buy"], v["run"], v["reception"]]
            start = len(row.cells)
            row.cells += [w2(x) for x in vals]
            for j in range(6):
                row.add("数据", start + j)
            del blk
        header = [["预算数", "", "", "", "", "", "决算数", "", "", "", "", ""],
                  ["合计", "因公出国（境）费", "公务用车购置及运行维护费", "", "", "公务接待费"] * 2,
                  ["", "", "小计", "公务用车购置费", "公务用车运行维护费", ""] * 2]
        colnum = [str(i) for i in range(1, 13)]
        note = "注：本表反映部门本年度“三公”经费支出预决算情况。其中，预算数为“三公”经费全年预算数，决算数是包括当年财政拨款和以前年度结转资金安排的实际支出。"
        t = self.new_table(K.FINAL_SANGONG, header, [row], colnum=colnum)
        t.notes = [note]
        return t

    def public_by_staff(self) -> tuple[int, int]:
        adm = sum(e.fen for e in self.fp.econ if not personnel(e.code) and e.staff == "行政")
        ref = sum(e.fen for e in self.fp.econ if not personnel(e.code) and e.staff != "行政")
        return adm, ref

    def info_values(self) -> dict[str, int]:
        if not hasattr(self, "_info"):
            rng = self.rng
            by = self.econ_by_code()
            ptot = sum(p.fen for p in self.fp.projects)
            goods = by.get("31002", 0) + (round_yuan(int(ptot * rng.uniform(0, 0.2)), 100) if rng.random() < 0.5 else 0)
            works = round_yuan(int(ptot * rng.uniform(0, 0.3)), 100) if rng.random() < 0.2 else 0
            serv = round_yuan(int(ptot * rng.uniform(0, 0.3)), 100) if rng.random() < 0.6 else 0
            sme = round_yuan(int((goods + works + serv) * rng.uniform(0.5, 1.0)), 100) if goods + works + serv else 0
            self._info = {"goods": goods, "works": works, "services": serv, "sme": min(sme, goods + works + serv)}
        return self._info

    VEHICLE_KINDS = ["1. 副部(省)级及以上领导用车", "2. 主要负责人用车", "3. 机要通信用车", "4. 应急保障用车", "5. 执法执勤用车",
                     "6. 特种专业技术用车", "7. 离退休干部服务用车", "8. 其他用车"]

    def vehicle_split(self) -> list[int]:
        if not hasattr(self, "_veh"):
            n = sum(self.fp.vehicles.values())
            split = [0] * len(self.VEHICLE_KINDS)
            for _ in range(n):
                split[self.rng.choice([2, 3, 3, 4, 4, 7])] += 1
            self._veh = split
        return self._veh

    def info_stats(self) -> TableIR:
        v = self.info_values()
        adm, refc = self.public_by_staff()
        rows: list[TRow] = []

        def r(label: str, n: str, val: str, key: str | None = None) -> None:
            row = TRow([label, n, val])
            if key:
                row.add(key, 2)
            rows.append(row)

        r("合计", "1", w2(v["goods"] + v["works"] + v["services"]), "合计")
        r("货物", "2", w2(v["goods"]), "货物")
        r("工程", "3", w2(v["works"]), "工程")
        r("服务", "4", w2(v["services"]), "服务")
        rows.append(TRow(["二、机关运行经费", "", ""]))
        rows.append(TRow(["项目", "", "统计数"]))
        r("(一) 行政单位", "5", w2(adm), "(一)行政单位")
        r("(二) 参照公务员法管理事业单位", "6", w2(refc), "(二)参照公务员法管理事业单位")
        rows.append(TRow(["三、国有资产占用情况", "", ""]))
        split = self.vehicle_split()
        r("(一) 车辆数合计(辆)", "7", str(sum(split)), "(一)车辆数合计(辆)")
        for k, (kind, c) in enumerate(zip(self.VEHICLE_KINDS, split, strict=True)):
            r(kind, str(8 + k), str(c) if c else "", norm_key(kind))
        r("(二) 单价100万元(含)以上设备(不含车辆)", "16", "", None)
        header = [["一、政府采购情况", "", ""], ["项目", "行次", "统计数"]]
        return self.new_table(K.FINAL_INFO_STATS, header, rows)

    # --- 绩效自评表 ---------------------------------------------------------------------------
    def self_eval(self, p: Proj) -> tuple[TableIR, TruthProject]:
        se = p.extra
        layout = se["layout"]
        builder = {"progress": self._se_progress, "funds": self._se_funds, "transfer": self._se_transfer}[layout]
        t, ev = builder(p, se)
        unit = self.org.units[p.unit].name
        t.project, t.org, t.layout = p.name, unit, layout
        truth = TruthProject(name=p.name, org=unit, code=p.code, fund="政府性基金预算" if p.fund == "gf" else "一般公共预算",
                             category=p.category, amount=wan(p.fen), self_evaluation=ev)
        return t, truth

    WEIGHTS = [[20, 10, 10, 10, 30, 10], [20, 10, 10, 10, 15, 15, 10], [10, 5, 5, 10, 10, 10, 30, 10]]

    def _indicators(self, weights: list[int]) -> list[tuple[str, str, str, str, str, int, int, str]]:
        """(一级, 二级, 三级, 指标值, 完成值, 分值, 得分, 原因); the weights sum to 90, satisfaction last."""
        rng = self.rng
        specs = [("产出指标", "数量指标", "完成工作任务数量", f"{rng.randint(2, 80)}{rng.choice('个项次人')}"),
                 ("", "数量指标", "覆盖范围", f"{rng.randint(2, 30)}个"),
                 ("", "质量指标", "任务完成率", "100%"), ("", "时效指标", "完成时间", f"{self.y}年12月"),
                 ("", "成本指标", "资金使用标准", f"{rng.randint(20, 5000)}元/{rng.choice('人次项')}"),
                 ("效益指标", "社会效益指标", "工作保障水平", "提高"), ("", "可持续影响指标", "长效机制运行", "长期")]
        if len(weights) == 6:
            specs = [specs[0]] + specs[2:6]
        elif len(weights) == 7:
            specs = [specs[0]] + specs[2:]
        specs = specs[: len(weights) - 1] + [("满意度指标", "服务对象满意度指标", rng.choice(cat.INDICATOR_SATISFACTION), "≥90%")]
        out = []
        for (l1, l2, l3, val), w in zip(specs, weights, strict=True):
            lost = rng.choice([0, 0, 0, 0, 1, 2]) if w >= 5 else 0
            reason = "部分工作未按计划完成，下一步加强管理。" if lost else ""
            actual = val if not lost else ("≥85%" if "%" in val else "基本完成")
            out.append((l1, l2, l3, val, actual, w, w - lost, reason))
        return out

    @staticmethod
    def _score(rate: Decimal) -> Decimal:
        return (min(rate, Decimal(100)) / 10).quantize(Decimal("0.01"))

    def _rate(self, budget: int, executed: int, decimals: int) -> Decimal:
        b = Decimal(wan_units(budget, decimals)).scaleb(-decimals)
        e = Decimal(wan_units(executed, decimals)).scaleb(-decimals)
        return pct(e, b, 2)

    def _se_progress(self, p: Proj, se: dict) -> tuple[TableIR, SelfEvaluation]:
        rng, y = self.rng, self.y
        init, b, e, d = se["initial"], se["budget"], se["executed"], se["declared"]
        rate = self._rate(b, e, 3)
        score = self._score(rate)
        bal = _w3(b - e) if b != e else "0"
        unit = self.org.units[p.unit]
        W = 11
        rows: list[TRow] = []

        def line(*cells: str) -> TRow:
            r = TRow(list(cells) + [""] * (W - len(cells)))
            rows.append(r)
            return r

        line("项目名称", "", p.name)
        line("主管部门及代码", "", f"{self.org.dept_code}-{self.org.name}", "", "", "", "预算单位", "", f"{unit.code}-{unit.name}")
        line("项目资金预算安排及执行进度(万元)", "", "年初预算数", "", "全年预算数", "全年执行数", "资金结(转)余", "执行率", "得分",
             "偏差原因分析及改进措施")
        line("", "", "目标申报数", "预算编制数")
        rate_s = fmt_pct(rate, strip=True)
        score_s = fmt_pct(score, strip=True)
        vals = [_w3(d) if d else "0", _w3(init) if init else "0", _w3(b), _w3(e), bal, rate_s, score_s]
        cols = ["目标申报数", "年初预算数", "全年预算数", "全年执行数", "资金结(转)余", "执行率", "得分"]
        r = line("", "资金总额:", *vals)
        for k, c in enumerate(cols):
            r.add("资金总额", 2 + k, c)
        src = {"county": "市县区财政资金", "city": "市级财政资金"}.get(se["source"], "市县区财政资金")
        vals2 = vals[:5] + [f"{rate:.2f}", f"{score:.2f}"]
        r = line(src, "", *vals2)
        for k, c in enumerate(cols):
            r.add(norm_key(src), 2 + k, c)
        line("项目年度绩效目标", "年度目标", "", "", "", "", "实际完成情况")
        line("", f"完成{p.name}相关工作任务。", "", "", "", "", f"{y}年全年完成{p.name}相关工作任务。")
        line("绩效指标", "一级指标", "二级指标", "三级指标", "年初指标值", "调整后指标值", "实际完成值", "分值", "得分",
             "偏差原因分析及改进措施")
        inds = self._indicators(rng.choice(self.WEIGHTS[:2]))
        for l1, l2, l3, val, actual, w, s, reason in inds:
            rr = line("", l1, l2, l3, "=" + val[-1:] if val[-1:] in "%个项次人" else "", "=" + val, actual, str(w), str(s),
                      reason)
            rr.add(norm_key(l3), 7, "分值").add(norm_key(l3), 8, "得分")
        total = score + sum(x[6] for x in inds)
        grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
        tot_s = fmt_pct(total, strip=True)
        line("总分", "", "", "", "", "", "", tot_s, grade).add("合计", 7, "得分")
        ev = SelfEvaluation(layout="progress", declared=vals[0], initial=vals[1], budget=vals[2], executed=vals[3],
                            balance=bal, rate=rate_s, score=score_s, total_score=tot_s, grade=grade,
                            reset=se["scenario"] == "reset", added_in_year=init == 0)
        # 项目绩效分析: the rate against the initial budget, in 元
        e_y = yuan(e, 2 if e % 100 else 0)
        if init:
            i_y = yuan(init, 2 if init % 100 else 0)
            ir = pct(Decimal(e), Decimal(init), 2)
            text = (f"{y}年年初预算数为{i_y}元,预算执行数为{e_y}元,预算执行率为{ir}%,专款专用率达到100%。"
                    + ("预算执行率偏低的主要原因是部分支出未达到支付条件，结余资金已按规定交回财政。" if ir < 100 else ""))
            r = line("项目绩效分析", "项目实施和预算执行情况", text)
            r.add("项目绩效分析", 2, "年初预算数(元)", i_y).add("项目绩效分析", 2, "预算执行数(元)", e_y)
            r.add("项目绩效分析", 2, "预算执行率(%)", str(ir))
            ev.narrative_initial_yuan, ev.narrative_executed_yuan, ev.narrative_rate = i_y, e_y, str(ir)
            ev.initial_rate = str(ir)
        else:
            b_y = yuan(b, 2 if b % 100 else 0)
            ir = pct(Decimal(e), Decimal(b), 2)
            text = f"{y}年全年预算数为{b_y}元,预算执行数为{e_y}元,预算执行率为{ir}%。本项目为年中追加项目。"
            r = line("项目绩效分析", "项目实施和预算执行情况", text)
            r.add("项目绩效分析", 2, "预算执行数(元)", e_y).add("项目绩效分析", 2, "预算执行率(%)", str(ir))
            ev.narrative_executed_yuan, ev.narrative_rate = e_y, str(ir)
        line("", "主要经验做法", "严格执行项目资金管理制度，专款专用。")
        line("", "下一步改进措施及管理建议", "科学合理编制预算，严格执行预算，强化预算约束。")
        title = rng.choice([f"{p.name}项目支出绩效自评表", f"{p.name}项目支出绩效自评表"])
        t = TableIR(kind=K.SELF_EVALUATION, title=title, rows=rows, after=[f"({y}年度)"])
        return t, ev

    def _se_funds(self, p: Proj, se: dict) -> tuple[TableIR, SelfEvaluation]:
        rng, y = self.rng, self.y
        init, b, e = se["initial"], se["budget"], se["executed"]
        rate = self._rate(b, e, 2)
        score = self._score(rate)
        unit = self.org.units[p.unit]
        W = 9
        rows: list[TRow] = []

        def line(*cells: str) -> TRow:
            r = TRow(list(cells) + [""] * (W - len(cells)))
            rows.append(r)
            return r

        line("项目名称", p.name)
        line("主管部门", f"{self.org.dept_code}-{self.org.name}", "", "", "实施单位", f"{unit.code}-{unit.name}")
        line("资金情况（万元）", "", "年初预算数", "全年预算数", "全年执行数", "预算执行率", "分值", "得分", "预算执行率偏低原因分析")
        rate_s = f"{rate:.2f}%"
        vals = [wan(init), wan(b), wan(e), rate_s, "10", f"{score:.2f}"]
        cols = ["年初预算数", "全年预算数", "全年执行数", "执行率", "分值", "得分"]
        r = line("", "年度资金总额", *vals)
        for k, c in enumerate(cols):
            r.add("资金总额", 2 + k, c)
        src_label = {"central": "中央资金", "provincial": "省级资金", "city": "市级资金", "county": "县级资金"}[se["source"]]
        for lab in ("其中：中央资金", "省级资金", "市级资金", "县级资金", "其他资金"):
            if lab.endswith(src_label):
                r = line("", lab, "", wan(b), wan(e), rate_s)
                key = norm_key(lab.replace("其中：", ""))
                r.add(key, 3, "全年预算数").add(key, 4, "全年执行数").add(key, 5, "执行率")
            else:
                line("", lab, "", "", "", "#DIV/0!")
        line("年度总体目标", "年度目标", "", "", "全年实际完成情况")
        line("", f"完成{p.name}支持的工作任务。", "", "", f"已按文件要求完成{p.name}支持的工作任务。")
        line("绩效指标", "一级指标", "二级指标", "三级指标", "年初指标值", "全年完成值", "分值", "得分", "未完成原因和改进措施")
        inds = self._indicators(rng.choice(self.WEIGHTS))
        for l1, l2, l3, val, actual, w, s, reason in inds:
            rr = line("", l1, l2, l3, val, actual, str(w), str(s), reason)
            rr.add(norm_key(l3), 6, "分值").add(norm_key(l3), 7, "得分")
        total = score + sum(x[6] for x in inds)
        tot_s = fmt_pct(total, strip=True)
        line("合计", "", "", "", "", "", "100", tot_s).add("合计", 6, "分值").add("合计", 7, "得分")
        b_s, e_s = wan(b, strip=True), wan(e, strip=True)
        line("项目绩效分析", "项目实施和预算执行情况分析",
             f"{y}年全年预算数{b_s}万元，全年执行{e_s}万元，预算执行率为{rate:.2f}%。")
        line("", "主要经验做法", "建立完善项目管理制度，明确责任人和进度要求，确保项目按计划推进。")
        title = rng.choice([f"{p.name}项目绩效目标自评表", f"{p.name}预算项目支出绩效自评表"])
        ev = SelfEvaluation(layout="funds", initial=vals[0], budget=vals[1], executed=vals[2], rate=rate_s, weight="10",
                            score=vals[5], total_score=tot_s, reset=False, added_in_year=init == 0)
        t = TableIR(kind=K.SELF_EVALUATION, title=title, rows=rows, after=[f"({y}年度)"])
        return t, ev

    def _se_transfer(self, p: Proj, se: dict) -> tuple[TableIR, SelfEvaluation]:
        rng, y = self.rng, self.y
        b, e = se["budget"], se["executed"]
        rate = self._rate(b, e, 2)
        unit = self.org.units[p.unit]
        W = 7
        rows: list[TRow] = []

        def line(*cells: str) -> TRow:
            r = TRow(list(cells) + [""] * (W - len(cells)))
            rows.append(r)
            return r

        line("转移支付（项目）名称", p.name)
        line("中央主管部门", rng.choice(["相关部委", "中央业务主管部门"]))
        line("地方主管部门", "省级业务主管部门", "资金使用单位", unit.name)
        line("资金投入情况（万元）", "", "全年预算数(A)", "全年执行数(B)", "", "预算执行率（B/A×100%）")
        rate_s = f"{rate:.2f}%"
        b_s, e_s = wan(b, strip=True), wan(e, strip=True)
        r = line("", "年度资金总额:", b_s, e_s, "", rate_s)
        r.add("资金总额", 2, "全年预算数").add("资金总额", 3, "全年执行数").add("资金总额", 5, "执行率")
        r = line("", "其中:中央财政资金", b_s, e_s, "", rate_s)
        r.add("中央财政资金", 2, "全年预算数").add("中央财政资金", 3, "全年执行数").add("中央财政资金", 5, "执行率")
        for lab in ("省级资金", "市级资金", "县(区)级资金", "其他资金"):
            line("", lab)
        line("总体目标完成情况", "总体目标", "", "全年实际完成情况")
        line("", f"足额及时拨付{p.name}，保障资金使用安全有效。", "", f"{y}年已完成{p.name}的拨付和使用。")
        line("绩效指标", "一级指标", "二级指标", "三级指标", "指标值", "全年实际完成值", "未完成原因和改进措施")
        for l1, l2, l3, val, actual, _w, _s, reason in self._indicators(self.WEIGHTS[0]):
            line("", l1, l2, l3, val, actual, reason)
        title = f"{p.name}转移支付项目绩效自评表" if rng.random() < 0.6 else f"{p.name}（中央）转移支付项目绩效目标自评表"
        t = TableIR(kind=K.SELF_EVALUATION, title=title, rows=rows, after=[f"({y}年度)"],
                    before=["附件2"] if rng.random() < 0.5 else [],
                    notes=["注: 1. 资金使用单位按项目绩效目标填报, 主管部门汇总时按区域绩效目标填报。",
                           "2. 全年执行数是指按照国库集中支付制度要求所形成的实际支出。"])
        ev = SelfEvaluation(layout="transfer", budget=b_s, executed=e_s, rate=rate_s)
        return t, ev

    # --- the document -------------------------------------------------------------------------
    def build(self) -> tuple[Doc, list[TruthProject]]:
        rng, st, y = self.rng, self.style, self.y
        builders = {K.FINAL_SUMMARY: self.summary, K.FINAL_INCOME: self.income, K.FINAL_EXPENDITURE: self.expenditure,
                    K.FINAL_FISCAL_SUMMARY: self.fiscal_summary, K.FINAL_GENERAL_EXPENDITURE: self.general,
                    K.FINAL_BASIC_DETAIL: self.detail, K.FINAL_FUND: self.fund, K.FINAL_STATE_CAPITAL: self.state_capital,
                    K.FINAL_SANGONG: self.sangong, K.FINAL_INFO_STATS: self.info_stats}
        tables = [builders[K(k)]() for k in cat.FINAL_ORDER]
        evals = [self.self_eval(p) for p in self.fp.projects]
        narrative = self.narrative()
        blocks: list = list(cover(self.org, st, y, "final_accounts"))
        part2 = f"第二部分 {y}年{st.scope}决算表"
        part3 = "第三部分 情况说明"
        part4 = "第四部分 名词解释"
        part5 = "第五部分 附件"
        if st.toc:
            blocks.append(toc(st, [("第一部分 概况", ["一、本部门（单位）职责", "二、机构设置情况"]),
                                   (part2, table_toc_items(tables, False)),
                                   (part3, [p.lines[0][0] for p in narrative if p.heading == 9]),
                                   (part4, []), (part5, [])], rng))
        blocks += overview(self.org, st, rng, y)
        h = 2 if st.markdown else 0
        blocks.append(Para([[part2]], heading=h))
        for t in tables:
            blocks.append(t)
        blocks.append(Para([[part3]], heading=h))
        for para in narrative:
            if para.heading == 9:
                para.heading = h + 1 if h else 0
            blocks.append(para)
        blocks += glossary(st, rng, part4)
        blocks.append(Para([[part5]], heading=h))
        for t, _ in evals:
            if st.watermark and rng.random() < 0.15:
                blocks.append([WATERMARK] * rng.choice([1, 2, 4]))
            blocks.append(t)
        return Doc(blocks=blocks, spaced=st.spaced), [tr for _, tr in evals]

    # --- 情况说明 -------------------------------------------------------------------------------
    def narrative(self) -> list[Para]:
        rng, st, y, fp = self.rng, self.style, self.y, self.fp
        paras: list[Para] = []

        def sec(title: str) -> str:
            paras.append(Para([[title]], heading=9))
            return title

        def amt(fen: int, subject: str, r: Ref | None) -> Fig:
            return fig_amount(fen, subject, st, rng, r)

        B, E = sum(fp.begin.values()), sum(fp.end.values())
        inc_total = fp.income_gp + fp.spent_gf + B
        spent = fp.spent_gp + fp.spent_gf
        exp_total = spent + E
        last_total = last_year(rng, exp_total, 0.03)
        S = K.FINAL_SUMMARY
        s = sec("一、收入支出决算总体情况说明")
        segs = [f"{y}年度收入总计", amt(inc_total, "收入总计", self.ref(S, "总计", 2)), "万元，支出总计",
                amt(exp_total, "支出总计", self.ref(S, "总计", 5)), "万元。与上年相比，收入总计"]
        segs += change_segs(inc_total, last_total, "收入总计比上年", st, rng, lead="")
        segs += [f"，主要原因是{rng.choice(cat.REASONS_UP if inc_total >= last_total else cat.REASONS_DOWN)}。"]
        paras.append(Para([segs], section=s))

        s = sec("二、收入决算情况说明")
        inc = fp.income_gp + fp.spent_gf
        segs = [f"{y}年度收入合计", amt(inc, "收入合计", self.ref(S, "本年收入合计", 2)), "万元，其中：财政拨款收入",
                amt(inc, "财政拨款收入", self.ref(K.FINAL_INCOME, "合计", 3)), "万元，占比", fig_share(inc, inc, "财政拨款收入占比"),
                "%。"]
        paras.append(Para([segs], section=s))

        s = sec("三、支出决算情况说明")
        basic = sum(fp.basic.values())
        proj = spent - basic
        E3 = K.FINAL_EXPENDITURE
        segs = [f"{y}年度支出合计", amt(spent, "支出合计", self.ref(E3, "合计", 2)), "万元，其中：基本支出",
                amt(basic, "基本支出", self.ref(E3, "合计", 3)), "万元，占比", fig_share(basic, spent, "基本支出占比"),
                "%；项目支出", amt(proj, "项目支出", self.ref(E3, "合计", 4)), "万元，占比",
                fig_share(proj, spent, "项目支出占比"), "%。"]
        paras.append(Para([segs], section=s))

        s = sec("四、财政拨款收支决算总体情况说明")
        F4 = K.FINAL_FISCAL_SUMMARY
        segs = [f"{y}年度财政拨款收入总计", amt(inc_total, "财政拨款收入总计", self.ref(F4, "总计", 2)), "万元，支出总计",
                amt(exp_total, "财政拨款支出总计", self.ref(F4, "总计", 5)), "万元。与上年相比，财政拨款收入总计"]
        segs += change_segs(inc_total, last_total, "财政拨款收入总计比上年", st, rng, lead="") + ["。"]
        paras.append(Para([segs], section=s))

        s = sec("五、一般公共预算财政拨款支出决算情况说明")
        G = K.FINAL_GENERAL_EXPENDITURE
        gp = fp.spent_gp
        paras.append(Para([["（一）一般公共预算财政拨款支出决算总体情况"]], section=s))
        segs = [f"{y}年一般公共预算财政拨款决算支出", amt(gp, "一般公共预算财政拨款支出", self.ref(G, "合计", 2)),
                "万元，占本年支出合计的", fig_share(gp, spent, "一般公共预算财政拨款支出占本年支出合计"), "%。与上年相比，"]
        segs += change_segs(gp, last_year(rng, gp, 0.03), "一般公共预算财政拨款支出比上年", st, rng,
                            lead="一般公共预算财政拨款支出") + ["。"]
        paras.append(Para([segs], section=s))
        paras.append(Para([["（二）一般公共预算财政拨款支出决算结构情况"]], section=s))
        by_cls: dict[str, int] = defaultdict(int)
        for src in (fp.basic, fp.proj_gp):
            for code, v in src.items():
                by_cls[code[:3]] += v
        lines: list[list] = [[f"{y}年度一般公共预算财政拨款支出", amt(gp, "一般公共预算财政拨款支出", self.ref(G, "合计", 2)),
                              "万元，主要用于以下方面："]]
        for k, cls in enumerate(sorted(by_cls)):
            name = cat.CLASS_NAMES[cls]
            lines.append([f"{name}(类)", amt(by_cls[cls], name, self.ref(G, cls, 2)), "万元，占比",
                          fig_share(by_cls[cls], gp, f"{name}占比"), "%" + ("。" if k == len(by_cls) - 1 else "；")])
        paras.append(Para(lines, section=s))
        paras.append(Para([["（三）一般公共预算财政拨款支出决算具体情况"]], section=s))
        init_tot = 0
        lines = []
        for cls in sorted(by_cls):
            v = by_cls[cls]
            init = v if rng.random() < 0.4 else round_yuan(int(v * rng.uniform(0.4, 1.2)), 100)
            init_tot += init
            name = cat.CLASS_NAMES[cls]
            r = pct(dec(wan(v)), dec(wan(init)), 2)
            seg = [f"{name}年初预算", Fig(narr_wan(init, st, rng), "amount", f"{name}年初预算", wan(init), "万元"), "万元，支出决算",
                   amt(v, name, self.ref(G, cls, 2)), "万元，完成年初预算的",
                   Fig(fmt_pct(r), "rate", f"{name}完成年初预算", str(r), "%", part=wan(v), whole=wan(init)), "%。较上年决算"]
            seg += change_segs(v, last_year(rng, v, 0.05), f"{name}比上年", st, rng, lead="", same="持平") + ["。"]
            lines.append(seg)
        r = pct(dec(wan(gp)), dec(wan(init_tot)), 2)
        head = [f"{y}年度一般公共预算财政拨款支出年初预算", Fig(narr_wan(init_tot, st, rng), "amount", "年初预算",
                                                     wan(init_tot), "万元"),
                "万元，支出决算", amt(gp, "一般公共预算财政拨款支出", self.ref(G, "合计", 2)), "万元，完成年初预算的",
                Fig(fmt_pct(r), "rate", "完成年初预算", str(r), "%", part=wan(gp), whole=wan(init_tot)), "%。其中："]
        paras.append(Para([head] + lines, section=s))

        s = sec("六、一般公共预算财政拨款基本支出决算情况说明")
        D = K.FINAL_BASIC_DETAIL
        by = self.econ_by_code()
        pers = sum(v for c, v in by.items() if personnel(c))
        pub = basic - pers
        segs = [f"{y}年度财政拨款基本支出", amt(basic, "基本支出", self.ref(G, "合计", 3)), "万元，其中：人员经费",
                amt(pers, "人员经费", self.ref(D, "人员经费合计", 2)), "万元，主要包括"]
        items = [c for c in sorted(by) if personnel(c)]
        for k, c in enumerate(items):
            segs += [cat.ECON_ITEMS[c][0], amt(by[c], cat.ECON_ITEMS[c][0], self.ref(D, c, 2)),
                     "万元" + ("；" if k == len(items) - 1 else "、")]
        segs += ["公用经费", amt(pub, "公用经费", self.ref(D, "公用经费合计", 11)), "万元，主要包括"]
        items = [c for c in sorted(by) if not personnel(c)]
        for k, c in enumerate(items):
            segs += [cat.ECON_ITEMS[c][0], amt(by[c], cat.ECON_ITEMS[c][0], self.ref(D, c, 2)),
                     "万元" + ("。" if k == len(items) - 1 else "、")]
        paras.append(Para([segs], section=s))

        s = sec("七、政府性基金预算财政拨款收支决算情况说明")
        if fp.spent_gf:
            segs = [f"{y}年度政府性基金预算财政拨款支出", amt(fp.spent_gf, "政府性基金预算财政拨款支出",
                                                     self.ref(K.FINAL_FUND, "合计", 4)), "万元。"]
        else:
            segs = ["本年度无此项收支。"]
        paras.append(Para([segs], section=s))
        s = sec("八、国有资本经营预算财政拨款支出决算情况说明")
        paras.append(Para([["本年度无此项支出。"]], section=s))

        s = sec("九、财政拨款“三公”经费支出决算情况说明")
        bud, fin = self.sangong_values()
        tb = bud["abroad"] + bud["buy"] + bud["run"] + bud["reception"]
        tf = fin["abroad"] + fin["buy"] + fin["run"] + fin["reception"]
        SG = K.FINAL_SANGONG
        r = pct(dec(wan(tf)), dec(wan(tb)), 2)
        segs = [f"{y}年度“三公”经费财政拨款支出全年预算", amt(tb, "三公经费全年预算", self.ref(SG, "数据", 0)), "万元，支出决算",
                amt(tf, "三公经费决算", self.ref(SG, "数据", 6)), "万元，完成全年预算的",
                Fig(fmt_pct(r), "rate", "三公经费完成全年预算", str(r), "%", part=wan(tf), whole=wan(tb)), "%，"]
        segs += change_segs(tf, last_year(rng, tf, 0.2), "三公经费比上年", st, rng, unit_word="上年度") + ["。其中："]
        lines = [segs]
        for key, j, name in (("abroad", 7, "因公出国（境）费"), ("buy", 9, "公务用车购置费"), ("run", 10, "公务用车运行维护费"),
                             ("reception", 11, "公务接待费")):
            seg = [f"{name}支出", amt(fin[key], name, self.ref(SG, "数据", j)), "万元，"]
            seg += change_segs(fin[key], last_year(rng, fin[key], 0.4), f"{name}比上年", st, rng, unit_word="上年度") + ["；"]
            lines.append(seg)
        paras.append(Para(lines, section=s))

        s = sec("十、其他重要事项情况说明")
        adm, refc = self.public_by_staff()
        oc = adm + refc
        I10 = K.FINAL_INFO_STATS
        segs = ["（一）机关运行经费支出情况说明"]
        paras.append(Para([segs], section=s))
        segs = [f"{y}年机关运行经费支出", amt(oc, "机关运行经费", self.ref(D, "公用经费合计", 11)), "万元，"]
        segs += change_segs(oc, last_year(rng, oc, 0.05), "机关运行经费比上年", st, rng, unit_word=f"{y - 1}年") + ["。"]
        paras.append(Para([segs], section=s))
        iv = self.info_values()
        pt = iv["goods"] + iv["works"] + iv["services"]
        segs = ["（二）政府采购情况说明"]
        paras.append(Para([segs], section=s))
        segs = [f"{y}年度政府采购支出总额", amt(pt, "政府采购支出总额", self.ref(I10, "合计", 2)), "万元，其中：政府采购货物支出",
                amt(iv["goods"], "政府采购货物支出", self.ref(I10, "货物", 2)), "万元、政府采购工程支出",
                amt(iv["works"], "政府采购工程支出", self.ref(I10, "工程", 2)), "万元、政府采购服务支出",
                amt(iv["services"], "政府采购服务支出", self.ref(I10, "服务", 2)), "万元。"]
        if pt:
            segs += ["授予中小企业合同金额", amt(iv["sme"], "授予中小企业合同金额", None), "万元，占政府采购支出总额的",
                     fig_share(iv["sme"], pt, "中小企业合同占比"), "%。"]
        paras.append(Para([segs], section=s))
        split = self.vehicle_split()
        nv = sum(split)
        segs = ["（三）国有资产占用情况说明"]
        paras.append(Para([segs], section=s))
        segs = [f"截至{y}年12月31日，本{st.scope}共有车辆", Fig(str(nv), "count", "车辆数", str(nv), "辆"), "辆。"]
        paras.append(Para([segs], section=s))
        paras.append(Para([["（四）预算绩效情况说明"]], section=s))
        np_ = len(fp.projects)
        segs = [f"{y}年二级项目绩效自评个数", Fig(str(np_), "count", "绩效自评项目个数", str(np_), "个"), "个，涉及资金",
                amt(proj, "绩效自评涉及资金", self.ref(E3, "合计", 4)), "万元。"]
        paras.append(Para([segs], section=s))
        return paras


_NOTE = {
    K.FINAL_SUMMARY: "的总收支和年末结转结余情况", K.FINAL_INCOME: "取得的各项收入情况", K.FINAL_EXPENDITURE: "各项支出情况",
    K.FINAL_FISCAL_SUMMARY: "一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款的总收支和年末结转结余情况",
    K.FINAL_GENERAL_EXPENDITURE: "一般公共预算财政拨款支出情况", K.FINAL_BASIC_DETAIL: "一般公共预算财政拨款基本支出明细情况",
    K.FINAL_FUND: "政府性基金预算财政拨款收入、支出及结转和结余情况", K.FINAL_STATE_CAPITAL: "国有资本经营预算财政拨款支出情况",
    K.FINAL_SANGONG: "“三公”经费支出预决算情况", K.FINAL_INFO_STATS: "政府采购、机关运行经费和国有资产占用情况",
}
