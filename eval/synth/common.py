"""What budgets and final accounts share: the invented org and its units, the style drawn from
the seed, staff costs by 经济分类 and where they sit in the 功能分类 tree, projects, and the
generic table builders (function-classified tables, empty tables, table heads)."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from eval.synth import catalog as cat
from eval.synth.ir import Fig, TableIR, TRow
from eval.synth.money import FEN_PER_WAN, FEN_PER_YUAN, dec, fmt_pct, fmt_units, pct, round_yuan, wan
from schemas.keys import norm_key

WAN = FEN_PER_WAN


# --- style ------------------------------------------------------------------------------------
@dataclass
class Style:
    province: str  # budget: shanxi | gansu | shanghai; final accounts: open | dept
    scope: str  # 单位 | 部门
    toc: bool
    watermark: bool
    markdown: bool
    spaced: bool
    prefixes: bool  # Z/J/X/XM project-type prefixes
    labels: bool
    label_fmt: str
    org_line: str  # 单位名称 | 部门名称
    unit_line: str  # 单位：万元 | 金额单位：万元
    thousands: bool  # narrative amounts with thousands separators
    yuan_thousands: bool  # 绩效目标表 元 with separators
    indent: bool  # U+3000 indentation of units/projects
    page_breaks: bool
    untitled_targets: bool
    colnum: bool  # column-number rows
    split_label: bool  # final accounts: label printed over two lines (公开02 / 表)

    def as_dict(self) -> dict[str, str | bool]:
        return dict(self.__dict__)


def draw_style(rng: random.Random, kind: str, n_units: int) -> Style:
    budget = kind == "budget"
    province = rng.choice(["shanxi", "shanxi", "gansu", "shanghai"]) if budget else rng.choice(["open", "open", "dept"])
    scope = "部门" if n_units > 1 else rng.choice(["单位", "单位", "部门"])
    if budget:
        label_fmt = {"shanxi": "预算公开表{n}", "gansu": "部门公开表{n}", "shanghai": "表{cn}"}[province]
    else:
        label_fmt = "公开{n:02d}表" if province == "open" else "表{cn}"
    return Style(
        province=province, scope=scope, toc=rng.random() < 0.5, watermark=rng.random() < 0.35,
        markdown=rng.random() < 0.25, spaced=rng.random() < 0.5, prefixes=budget and rng.random() < 0.25,
        labels=rng.random() < 0.7, label_fmt=label_fmt,
        org_line=rng.choice(["单位名称", "部门名称"]) if scope == "单位" else "部门名称",
        unit_line=rng.choice(["单位：万元", "金额单位：万元", "单位:万元"]), thousands=rng.random() < 0.6,
        yuan_thousands=rng.random() < 0.5, indent=n_units > 1 and rng.random() < 0.6,
        page_breaks=rng.random() < 0.4, untitled_targets=budget and rng.random() < 0.3, colnum=rng.random() < 0.6,
        split_label=not budget and rng.random() < 0.2,
    )


# --- org and units ----------------------------------------------------------------------------
@dataclass
class Unit:
    name: str
    code: str
    staff: list[str]  # 行政 and/or 参公 (staff paid like a public institution)


@dataclass
class Org:
    place: str  # 云岭县
    level: str  # 县 | 市 | 区
    type_key: str
    name: str  # the 部门 / 单位 on the cover
    dept_code: str
    units: list[Unit]

    @property
    def otype(self) -> dict:
        return cat.ORG_TYPES[self.type_key]


def _place(rng: random.Random) -> tuple[str, str]:
    while True:
        p = rng.choice(cat.PLACE_FIRST) + rng.choice(cat.PLACE_SECOND)
        if p not in cat.AVOID_PLACES and p[0] != p[1]:
            break
    level = rng.choice(["县", "县", "县", "市", "区"])
    return p + level, level


def make_org(rng: random.Random, org: str | None, n_units: int) -> Org:
    type_key = rng.choice(sorted(cat.ORG_TYPES))
    place, level = _place(rng)
    if org:
        for key, t in cat.ORG_TYPES.items():
            if org.endswith(t["name"]) and len(org) > len(t["name"]):
                type_key, place = key, org[: -len(t["name"])]
                level = place[-1] if place[-1] in "县市区" else "县"
                break
        name = org
    else:
        name = place + cat.ORG_TYPES[type_key]["name"]
    dept_code = str(rng.randint(101, 399))
    subs = list(cat.ORG_TYPES[type_key]["subunits"])
    rng.shuffle(subs)
    units = []
    for i in range(n_units):
        if i == 0:
            uname = name if n_units == 1 else name + rng.choice(["（本级）", "机关", ""])
            staff = ["行政", "参公"] if rng.random() < 0.35 else ["行政"]
        else:
            sub = subs[(i - 1) % len(subs)] + ("" if i - 1 < len(subs) else cat.cn_number(i))
            uname = place + sub
            staff = ["参公"]
        units.append(Unit(name=uname, code=f"{dept_code}{i + 1:03d}", staff=staff))
    return Org(place=place, level=level, type_key=type_key, name=name, dept_code=dept_code, units=units)


# --- amounts ----------------------------------------------------------------------------------
def amount(rng: random.Random, lo_wan: float, hi_wan: float, odd: float = 0.15, whole_wan: float = 0.0) -> int:
    """A random amount (分) between lo and hi 万元, log-uniform: usually a multiple of 100 元
    (exact in 万元 with 2 decimals), with probability ``odd`` to the 元, ``whole_wan`` a round 万."""
    import math

    x = math.exp(rng.uniform(math.log(lo_wan), math.log(hi_wan))) * WAN
    r = rng.random()
    if r < whole_wan:
        return round_yuan(int(x), 10000)
    if r < whole_wan + odd:
        return round_yuan(int(x), 1)
    return round_yuan(int(x), 100)


@dataclass
class Econ:
    code: str
    unit: int
    staff: str  # 行政 | 参公
    fen: int


def staff_costs(rng: random.Random, org: Org, odd: float) -> tuple[list[Econ], dict[int, int]]:
    """Basic spending by 经济分类 item, per unit and staff kind; and vehicles per unit."""
    out: list[Econ] = []
    vehicles: dict[int, int] = {}

    def put(code: str, ui: int, staff: str, fen: int) -> None:
        if fen > 0:
            if rng.random() < 1 - odd:
                fen = round_yuan(fen, 100)
            else:
                fen = round_yuan(fen, 1)
            out.append(Econ(code, ui, staff, fen))

    for ui, unit in enumerate(org.units):
        vehicles[ui] = rng.choice([0, 1, 1, 2, 3]) if ui == 0 else rng.choice([0, 0, 1, 2])
        for staff in unit.staff:
            n = rng.randint(4, 45) if staff == "行政" else rng.randint(3, 60)
            u = rng.uniform
            wages = {"30101": n * u(2.4, 4.2), "30102": n * u(1.0, 3.2)}
            if rng.random() < 0.8:
                wages["30103"] = n * u(0.2, 0.9)
            if rng.random() < 0.7:
                wages["30107"] = n * u(0.8, 2.2)
            if rng.random() < 0.08:
                wages["30106"] = n * u(0.05, 0.2)
            w = sum(wages.values())
            items = dict(wages)
            items["30108"] = w * 0.16
            if rng.random() < 0.9:
                items["30109"] = w * 0.08
            items["30110"] = w * u(0.06, 0.09)
            if staff == "行政" and rng.random() < 0.7:
                items["30111"] = w * 0.03
            if rng.random() < 0.8:
                items["30112"] = w * u(0.003, 0.012)
            items["30113"] = w * 0.12
            if rng.random() < 0.35:
                items["30199"] = n * u(0.05, 0.4)
            if rng.random() < 0.35:
                items["30302"] = rng.randint(1, 8) * u(3, 6)
            if rng.random() < 0.05:
                items["30301"] = u(5, 15)
            if rng.random() < 0.2:
                items["30305"] = u(0.2, 2)
            if rng.random() < 0.3:
                items["30309"] = u(0.05, 0.6)
            public = {"30201": (0.95, n * u(0.1, 0.5)), "30202": (0.3, u(0.3, 3)), "30205": (0.4, u(0.3, 2)),
                      "30206": (0.5, u(1, 8)), "30207": (0.6, u(0.3, 3)), "30208": (0.3, u(1, 10)),
                      "30211": (0.7, n * u(0.05, 0.2)), "30213": (0.3, u(0.5, 5)), "30215": (0.2, u(0.2, 2)),
                      "30216": (0.5, u(0.1, 2)), "30217": (0.6, u(0.1, 3)), "30226": (0.3, u(0.5, 5)),
                      "30227": (0.2, u(0.3, 4)), "30228": (0.9, w * 0.02), "30229": (0.8, n * u(0.1, 0.4)),
                      "30239": (0.7, n * u(0.1, 0.5)), "30240": (0.1, u(0.01, 0.1)), "30299": (0.5, u(0.3, 5)),
                      "31002": (0.3, u(0.5, 10))}
            for code, (p, x) in public.items():
                if rng.random() < p:
                    items[code] = x
            if vehicles[ui] and staff == unit.staff[0]:
                items["30231"] = vehicles[ui] * u(1.0, 3.5)
            if "30201" not in items:
                items["30201"] = n * u(0.1, 0.5)
            for code in sorted(items):
                put(code, ui, staff, int(items[code] * WAN))
    return out, vehicles


def basic_code(org: Org, econ: str, staff: str) -> str:
    """The 功能分类 项 a basic-spending item is charged to."""
    t = org.otype
    fixed = {"30108": "2080505", "30109": "2080506", "30111": "2101103", "30113": "2210201", "30301": "2080501",
             "30305": "2080501", "30309": "2100799",
             "30110": "2101101" if staff == "行政" else "2101102",
             "30302": "2080501" if staff == "行政" else "2080502"}
    return fixed.get(econ, t["admin"] if staff == "行政" else t["inst"])


def personnel(code: str) -> bool:
    return code[:3] in cat.PERSONNEL_CLASSES


# --- projects ---------------------------------------------------------------------------------
PREFIX = {"其他运转类": ["J", "J", "XM"], "特定目标类": ["Z", "Z", "X"]}
SUFFIXES = ["一", "二", "三", "四", "五", "六", "七", "八", "九"]


@dataclass
class Proj:
    name: str
    unit: int
    code: str
    fund: str = "gp"  # gp 一般公共预算 | gf 政府性基金预算
    fen: int = 0  # budget: the amount; final accounts: 全年执行数
    carry: bool = False
    category: str = "其他运转类"
    extra: dict = field(default_factory=dict)


def project_names(rng: random.Random, org: Org, n: int, year: int, prefixes: bool,
                  want: dict[str, bool]) -> list[tuple[str, str, str]]:
    """n distinct (name, 项 code, category). ``want`` forces a name with 品 / 县 / a Z prefix."""
    pool = list(org.otype["projects"])
    rng.shuffle(pool)
    out: list[tuple[str, str, str]] = []
    used: set[str] = set()
    k = 0
    while len(out) < n:
        code, base = pool[k % len(pool)]
        rnd = k // len(pool)
        k += 1
        name = base
        if rnd:
            name = base + SUFFIXES[min(rnd, len(SUFFIXES) - 1)] + ("" if rnd < len(SUFFIXES) else str(rnd))
        elif rng.random() < 0.2:
            name = f"{year}年{base}"
        if name in used:
            continue
        used.add(name)
        category = "特定目标类" if rng.random() < 0.45 else "其他运转类"
        out.append((name, code, category))
    # forced names for requested OCR slips, each on its own project so the slips do not collide
    zi = len(out) // 2
    free = [i for i in range(len(out)) if i != zi] or [0]
    if want.get("pin") and not any("品" in nm for i, (nm, _, _) in enumerate(out) if i != zi):
        i = free[0]
        nm, code, c = out[i]
        out[i] = ("应急物品储备" + nm[-2:] if len(nm) > 2 else "应急物品储备经费", code, c)
    if want.get("county") and not any("县" in nm for i, (nm, _, _) in enumerate(out) if i != zi):
        i = free[-1]
        nm, code, c = out[i]
        out[i] = ("全县" + nm, code, c)
    if prefixes:
        out = [(rng.choice(PREFIX[c]) + nm, code, c) for nm, code, c in out]
    if want.get("z") and not any(nm.startswith("Z") for nm, _, _ in out):
        nm, code, c = out[zi]
        out[zi] = ("Z" + nm.lstrip("JXMZ"), code, "特定目标类")
    return out


# --- formatting helpers used by both kinds ----------------------------------------------------
def w2(fen: int) -> str:
    """A table cell: 万元 with 2 decimals, blank when zero."""
    return wan(fen) if fen else ""


def narr_wan(fen: int, style: Style, rng: random.Random) -> str:
    """A narrative amount in 万元: thousands separators by style, sometimes trailing zeros dropped."""
    if wan(fen) == "0.00":
        return "0"
    s = wan(fen, thousands=style.thousands)
    if rng.random() < 0.1 and "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fig_amount(fen: int, subject: str, style: Style, rng: random.Random, ref=None) -> Fig:
    return Fig(printed=narr_wan(fen, style, rng), kind="amount", subject=subject, value=wan(fen), unit="万元", ref=ref)


def fig_share(part_fen: int, whole_fen: int, subject: str, decimals: int = 2) -> Fig:
    p, w = dec(wan(part_fen)), dec(wan(whole_fen))
    value = pct(p, w, decimals)
    return Fig(printed=fmt_pct(value) if value else "0", kind="share", subject=subject, value=str(value), unit="%", part=str(p),
               whole=str(w))


def change_segs(cur_fen: int, last_fen: int, subject: str, style: Style, rng: random.Random,
                same: str = "与上年相同", unit_word: str = "上年", lead: str | None = None) -> list:
    """``比上年增加X万元，增长Y%`` (or 减少/下降, or ``与上年相同``), figures checked against last year."""
    cur, last = dec(wan(cur_fen)), dec(wan(last_fen))
    delta = cur - last
    if delta == 0:
        return [same]
    up = delta > 0
    p = pct(abs(delta), last, 2) if last else None
    d_units = int(abs(delta) * 100)
    printed = fmt_units(d_units, 2, thousands=style.thousands and rng.random() < 0.7)
    if rng.random() < 0.1:
        printed = printed.rstrip("0").rstrip(".")
    segs: list = [(f"比{unit_word}" if lead is None else lead) + ("增加" if up else "减少"),
                  Fig(printed=printed, kind="change_amount", subject=subject, value=str(abs(delta)), unit="万元",
                      last_year=str(last), current=str(cur)), "万元"]
    if p is not None:
        strip = rng.random() < 0.2
        segs += [f"，{'增长' if up else '下降'}",
                 Fig(printed=fmt_pct(p.quantize(dec('0.1')) if strip else p), kind="change_pct", subject=subject,
                     value=str(p), unit="%", last_year=str(last), current=str(cur)), "%"]
    return segs


def last_year(rng: random.Random, fen: int, same: float = 0.1) -> int:
    """Last year's figure: the same, or this year's ± up to 60%."""
    if not fen:
        return amount(rng, 0.5, 20) if rng.random() < 0.3 else 0
    if rng.random() < same:
        return fen
    return round_yuan(int(fen * rng.uniform(0.45, 1.6)), 100)


# --- table builders ---------------------------------------------------------------------------
def head_lines(style: Style, org_name: str, year: int | None, label: str | None, *, final: bool = False,
               rng: random.Random | None = None) -> tuple[list[str], list[str]]:
    """(lines before the title, lines after it): label, org line, year, unit line."""
    before: list[str] = []
    after: list[str] = []
    org_line = f"{style.org_line}：{org_name}"
    if final:
        if label:
            if style.split_label and rng is not None and rng.random() < 0.5:
                after += [label[:-1], label[-1]]
            else:
                after.append(label)
        swap = rng is not None and rng.random() < 0.2
        after += ([style.unit_line, org_line, f"{year}年度"] if swap else [org_line, f"{year}年度", style.unit_line])
        return before, after
    if label:
        before.append(label)
    after += [org_line, style.unit_line]
    return before, after


def tree(leaves: dict[str, dict[str, int]]) -> list[tuple[str, dict[str, int]]]:
    """Function-classified rows in print order: (code, column sums) for every 类, 款, 项."""
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, cols in leaves.items():
        for c, v in cols.items():
            for k in (code[:3], code[:5], code):
                sums[k][c] += v
    return [(k, dict(sums[k])) for k in sorted(sums)]


def function_rows(leaves: dict[str, dict[str, int]], columns: list[str], start: int,
                  total_label: str = "合计") -> list[TRow]:
    """合计 row then 类/款/项 rows; ``columns`` are the logical value columns from col ``start``."""
    total = {c: sum(v.get(c, 0) for v in leaves.values()) for c in columns}
    pad = [""] * (start - 1)
    rows = [TRow([total_label] + pad + [w2(total[c]) for c in columns])]
    for j in range(len(columns)):
        rows[0].add(norm_key(total_label), start + j)
    for code, sums in tree(leaves):
        row = TRow([code, cat.code_name(code)] + [""] * (start - 2) + [w2(sums.get(c, 0)) for c in columns])
        for j in range(len(columns)):
            row.add(code, start + j)
        rows.append(row)
    return rows


def empty_note(rng: random.Random) -> str:
    return rng.choice(["注：本表无数据", "说明：本表无数据", "注：本单位无此项收支，本表无数据。"])


def maybe_break(t: TableIR, style: Style, rng: random.Random, watermark: str) -> None:
    """A page break inside a long table: blank line, maybe a watermark, maybe repeated header rows."""
    if not style.page_breaks or len(t.rows) < 14 or rng.random() < 0.4:
        return
    t.break_at = rng.randint(8, len(t.rows) - 3)
    lines = [""]
    if style.watermark and rng.random() < 0.5:
        lines.append(watermark)
    if t.header and rng.random() < 0.3:
        lines += ["\t".join(h) for h in t.header]
    t.break_lines = lines


def yuan_str(fen: int, thousands: bool, decimals: int = 0) -> str:
    from eval.synth.money import yuan

    return yuan(fen, decimals, thousands=thousands)


def fen_of_yuan(y: int) -> int:
    return y * FEN_PER_YUAN
