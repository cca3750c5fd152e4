"""The synthetic disclosure generator: arithmetic, truth/text agreement, defects, determinism."""

from __future__ import annotations

import json
import re
import time
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

import pytest

from eval.synth import DefectSpec, SynthTruth, generate, write_corpus
from eval.synth import catalog as cat
from eval.synth import identities as ids
from eval.synth.__main__ import main as cli_main
from schemas.keys import norm_key
from schemas.tables import TableKind as K

SEEDS = [0, 1, 2, 3, 5, 8, 13, 21]
CASES = [(s, k, u) for s in SEEDS for k in ("budget", "final_accounts") for u in (1, 3)]
CENT = Decimal("0.01")
CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")


@cache
def doc(seed: int, kind: str, units: int = 1, defects: bool = False):
    return generate(seed, kind, n_units=units, defects=DefectSpec.every_kind() if defects else None)  # type: ignore[arg-type]


def cells(t) -> dict[tuple[str, str], Decimal]:
    return {(c.row, c.column): Decimal(c.printed.replace(",", "").rstrip("%")) for c in t.cells}


# --- arithmetic ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed,kind,units", CASES)
def test_every_identity_holds_within_rounding(seed: int, kind: str, units: int) -> None:
    truth = doc(seed, kind, units).truth
    checks = ids.checks(truth)
    bad = [(c.rule, c.table, c.row, c.column, c.total, c.expected) for c in checks if not c.ok]
    assert not bad, bad[:5]
    # enough identities were actually checked for every kind of table
    per_table = Counter(c.table for c in checks)
    for t in truth.tables:
        if t.cells and not t.empty and t.kind != K.FINAL_STATE_CAPITAL:
            assert per_table[t.kind] > 0, f"no identity checked on {t.kind}"
    assert len(checks) > (150 if kind == "budget" else 200)
    # a miss within tolerance is recorded as rounding, and only such misses are
    misses = {(c.rule, c.table, c.row, c.column) for c in checks if not c.exact}
    recorded = {(r.rule, r.table, r.row, r.column) for r in truth.roundings}
    assert misses == recorded


def test_roundings_do_occur() -> None:
    """Rounding misses of 0.01 happen, as in real documents, but not on most identities."""
    n_checks = n_round = 0
    for seed, kind, units in CASES:
        truth = doc(seed, kind, units).truth
        n_checks += len(ids.checks(truth))
        n_round += len(truth.roundings)
        for r in truth.roundings:
            assert Decimal(0) < abs(Decimal(r.printed) - Decimal(r.expected)) <= CENT * max(1, len(r.parts))
    assert n_round > 0
    assert n_round < n_checks * 0.05


@pytest.mark.parametrize("seed,kind,units", CASES[::3])
def test_function_trees_recomputed_independently(seed: int, kind: str, units: int) -> None:
    """类 = Σ 款, 款 = Σ 项, 合计 = Σ 类 for every column of every function-classified table,
    recomputed here without the identities module (0.01 per addend)."""
    truth = doc(seed, kind, units).truth
    n = 0
    for t in truth.tables:
        if t.kind not in ids.FUNCTION_TABLES or t.empty:
            continue
        v = cells(t)
        codes = {r for r, _ in v if CODE.match(r)}
        columns = {c for _, c in v}
        for col in columns:
            for code in codes:
                kids = [k for k in codes if len(k) == len(code) + 2 and k.startswith(code)]
                if kids:
                    s = sum(v.get((k, col), Decimal(0)) for k in kids)
                    assert abs(v.get((code, col), Decimal(0)) - s) <= CENT * len(kids), (t.kind, code, col)
                    n += 1
            tops = [k for k in codes if len(k) == 3]
            s = sum(v.get((k, col), Decimal(0)) for k in tops)
            assert abs(v.get(("合计", col), Decimal(0)) - s) <= CENT * len(tops), (t.kind, col)
    assert n > 20


@pytest.mark.parametrize("seed", SEEDS)
def test_budget_cross_table_equalities(seed: int) -> None:
    truth = doc(seed, "budget", 1 + seed % 3).truth
    get = {t.kind: cells(t) for t in truth.tables if t.copy_no == 1}
    y = truth.year
    s, inc, exp, gen = get[K.BUDGET_SUMMARY], get[K.BUDGET_INCOME], get[K.BUDGET_EXPENDITURE], \
        get[K.BUDGET_GENERAL_EXPENDITURE]
    ic, ec = f"收入/{y}年", next(c for _, c in s if c.startswith("支出/") and c.endswith("合计"))
    zero = Decimal(0)
    assert inc[("合计", "合计")] == s[("本年收入合计", ic)]
    assert exp[("合计", "合计")] == s[("本年支出合计", ec)]
    assert s[("收入总计", ic)] == s[("支出总计", ec)]
    for code in {r for r, _ in gen} | {r for r, _ in inc}:
        if CODE.match(code):
            assert gen.get((code, "合计"), zero) == inc.get((code, "一般公共预算"), zero), code
    if K.BUDGET_BASIC_ECONOMIC in get:
        eco = get[K.BUDGET_BASIC_ECONOMIC]
        assert eco[("合计", "合计")] == gen[("合计", "基本支出")]
        if K.BUDGET_OPERATING_COST in get:
            oc = get[K.BUDGET_OPERATING_COST]
            first = next(r for r, _ in oc)
            assert oc[(first, "合计")] == eco[("合计", "公用经费")]
    if K.BUDGET_PROJECTS in get:
        p = get[K.BUDGET_PROJECTS]
        assert p[(norm_key(truth.org), "一般公共预算")] == gen.get(("合计", "项目支出"), zero)
    if K.BUDGET_PROJECTS_CARRYOVER in get and not truth.table(K.BUDGET_PROJECTS_CARRYOVER).empty:
        c = get[K.BUDGET_PROJECTS_CARRYOVER]
        assert c[(norm_key(truth.org), "合计")] == s[("上年结转", ic)]


@pytest.mark.parametrize("seed", SEEDS)
def test_final_cross_table_equalities(seed: int) -> None:
    truth = doc(seed, "final_accounts", 1 + seed % 3).truth
    get = {t.kind: cells(t) for t in truth.tables}
    s, e, g, d = get[K.FINAL_SUMMARY], get[K.FINAL_EXPENDITURE], get[K.FINAL_GENERAL_EXPENDITURE], \
        get[K.FINAL_BASIC_DETAIL]
    assert s[("总计", "收入/金额")] == s[("总计", "支出/金额")]
    assert e[("合计", "本年支出合计")] == s[("本年支出合计", "支出/金额")]
    basic = g[("合计", "基本支出")]
    assert abs(d[("人员经费合计", "决算数")] + d[("公用经费合计", "决算数")] - basic) <= 2 * CENT
    info = get[K.FINAL_INFO_STATS]
    oc = info.get(("(一)行政单位", "统计数"), Decimal(0)) + info.get(("(二)参照公务员法管理事业单位", "统计数"), Decimal(0))
    assert abs(oc - d[("公用经费合计", "决算数")]) <= 2 * CENT
    sg = get[K.FINAL_SANGONG]
    for blk in ("预算数", "决算数"):
        parts = [f"{blk}/因公出国(境)费", f"{blk}/小计", f"{blk}/公务接待费"]
        assert sg.get(("数据", f"{blk}/合计"), Decimal(0)) == sum(sg.get(("数据", p), Decimal(0)) for p in parts)
    assert sg.get(("数据", "决算数/合计"), Decimal(0)) <= sg.get(("数据", "预算数/合计"), Decimal(0))


# --- projects: self-evaluation and performance targets --------------------------------------------
def _d(x: str | None) -> Decimal:
    return Decimal((x or "0").replace(",", "").rstrip("%"))


@pytest.mark.parametrize("seed", SEEDS)
def test_self_evaluation_figures(seed: int) -> None:
    truth = doc(seed, "final_accounts", 1 + seed % 3).truth
    assert truth.projects
    total = Decimal(0)
    for p in truth.projects:
        ev = p.self_evaluation
        assert ev is not None
        b, e = _d(ev.budget), _d(ev.executed)
        tol = Decimal("0.001") if ev.layout == "progress" else CENT
        assert abs(e - _d(p.amount)) <= Decimal("0.0055"), p.name  # 全年执行数 (3 decimals) is the project's spending
        total += _d(p.amount)
        if ev.balance is not None:
            assert abs(_d(ev.balance) - (b - e)) <= 2 * tol
        assert _d(ev.rate) == (e / b * 100).quantize(CENT, ROUND_HALF_UP), (p.name, ev.rate, b, e)
        if ev.layout == "transfer":
            assert ev.initial is None
            continue
        if ev.reset:  # 全年预算数 reset to 全年执行数: the table says 100, the narrative says less
            assert b == e and _d(ev.rate) == 100
            assert ev.initial_rate is not None and Decimal(ev.initial_rate) < 100
            assert ev.narrative_rate == ev.initial_rate
            assert _d(ev.initial) > e
        if ev.added_in_year:
            assert _d(ev.initial) == 0 and ev.initial_rate is None
        if ev.narrative_initial_yuan:
            assert abs(_d(ev.narrative_initial_yuan) / 10000 - _d(ev.initial)) <= Decimal("0.0005")
            i_y, e_y = _d(ev.narrative_initial_yuan), _d(ev.narrative_executed_yuan)
            assert _d(ev.narrative_rate) == (e_y / i_y * 100).quantize(CENT, ROUND_HALF_UP)
        if ev.total_score is not None and ev.score is not None:
            assert Decimal(ev.total_score) >= Decimal(ev.score)
    projects_cell = cells(truth.table(K.FINAL_EXPENDITURE))[("合计", "项目支出")]
    assert abs(total - projects_cell) <= CENT * len(truth.projects)


def test_self_evaluation_layouts_and_scenarios_covered() -> None:
    seen: Counter[str] = Counter()
    for seed in range(20):
        for p in doc(seed, "final_accounts").truth.projects:
            ev = p.self_evaluation
            assert ev is not None
            seen[ev.layout] += 1
            seen["reset"] += ev.reset
            seen["added"] += ev.added_in_year
            seen["under_not_reset"] += ev.layout != "transfer" and _d(ev.rate) < 100
            seen["split"] += ev.declared is not None
    for key in ("progress", "funds", "transfer", "reset", "added", "under_not_reset", "split"):
        assert seen[key] > 0, key


@pytest.mark.parametrize("seed", SEEDS)
def test_performance_targets_match_projects(seed: int) -> None:
    truth = doc(seed, "budget", 1 + seed % 3).truth
    targets = [t for t in truth.tables if t.kind == K.PERFORMANCE_TARGET]
    assert len(targets) == len(truth.projects)  # one 绩效目标表 per project and vice versa
    by_name = {p.name: p for p in truth.projects}
    for t in targets:
        p = by_name[t.project]
        v = cells(t)
        annual = v[("年度资金", "年度资金总额")]
        assert str(annual) == p.target_annual_yuan.replace(",", "")
        assert (annual / 10000).quantize(CENT, ROUND_HALF_UP) == Decimal(p.amount)  # 元 ÷ 10000 = 万元
        for row, total in (("年度资金", "年度资金总额"), ("实施期资金", "实施期资金总额")):
            parts = sum(x for (r, c), x in v.items() if r == row and c != total)
            assert parts == v[(row, total)]
        if p.cost_formula:
            f = p.cost_formula
            assert f["quantity"] * f["unit_yuan"] * f["months"] == annual
    # the project table lists the same amounts
    rows = {}
    for kind in (K.BUDGET_PROJECTS, K.BUDGET_PROJECTS_CARRYOVER):
        t = truth.table(kind)
        if t is not None:
            rows.update({r: x for (r, c), x in cells(t).items() if c == "合计"})
    if truth.table(K.BUDGET_PROJECTS) is None:  # a 9-table layout (Shanghai-like) prints no project table
        assert truth.style["province"] == "shanghai"
        return
    for p in truth.projects:
        assert rows[norm_key(p.name)] == Decimal(p.amount)


@pytest.mark.parametrize("seed", [1, 4])
def test_multi_unit_tables_list_each_unit(seed: int) -> None:
    truth = doc(seed, "budget", 3).truth
    assert len(truth.units) == 3
    oc = truth.table(K.BUDGET_OPERATING_COST)
    if oc is not None:
        rows = [c.row for c in oc.cells]
        for u in truth.units:
            assert norm_key(u) in rows
    p = truth.table(K.BUDGET_PROJECTS)
    if p is not None:
        rows = {c.row for c in p.cells}
        units_with_projects = {x.org for x in truth.projects if not x.carryover}
        for u in units_with_projects:
            assert norm_key(u) in rows


# --- text and truth agree -------------------------------------------------------------------------
@pytest.mark.parametrize("seed,kind,units", CASES)
def test_truth_cells_are_printed_on_their_lines(seed: int, kind: str, units: int) -> None:
    d = doc(seed, kind, units)
    lines = d.text.split("\n")
    assert d.truth.tables
    for t in d.truth.tables:
        assert 1 <= t.line <= t.end_line <= len(lines)
        if t.title:
            assert t.title in lines[t.line - 1]
        for c in t.cells:
            assert t.line <= c.line <= t.end_line, (t.kind, c)
            line = lines[c.line - 1]
            if c.row in ("项目绩效分析",):  # figures quoted inside a text cell
                assert c.printed in line
            else:
                assert c.printed in line.split("\t"), (t.kind, c, line)
    for f in d.truth.narrative:
        assert f.printed in lines[f.line - 1], f


@pytest.mark.parametrize("seed,kind,units", CASES)
def test_narrative_agrees_with_tables(seed: int, kind: str, units: int) -> None:
    truth = doc(seed, kind, units).truth
    assert ids.narrative_problems(truth) == []
    kinds = Counter(f.kind for f in truth.narrative)
    for k in ("amount", "share", "change_amount", "change_pct"):
        assert kinds[k] > 0, k
    assert sum(1 for f in truth.narrative if f.table is not None) > 10


def test_truth_round_trips_as_json() -> None:
    truth = doc(2, "final_accounts", 2).truth
    again = SynthTruth.model_validate_json(truth.model_dump_json())
    assert again == truth
    gold = truth.to_gold("x.txt")
    assert len(gold.tables) == len(truth.tables)


# --- defects --------------------------------------------------------------------------------------
DEFECT_SEEDS = [0, 3, 7, 11, 19]


@pytest.mark.parametrize("seed,kind", [(s, k) for s in DEFECT_SEEDS for k in ("budget", "final_accounts")])
def test_injected_defects_are_present_and_recorded(seed: int, kind: str) -> None:
    d = doc(seed, kind, 1 + seed % 2, defects=True)
    truth = d.truth
    lines = d.text.split("\n")
    types = Counter(x.type for x in truth.defects)
    for t in DefectSpec.model_fields:
        assert types[t] == 1, (t, types)
    checks = ids.checks(truth)
    bad = ids.defect_cells(truth)
    # outside the defects, the arithmetic still holds
    assert [c.rule for c in checks if not c.ok and not ids.touched(c, bad)] == []
    for x in truth.defects:
        if x.type == "missing_table":
            assert truth.table(x.table) is None
            continue
        assert x.line and x.new and x.new in lines[x.line - 1], x
        if x.type in ("arithmetic", "ocr_digit_swap"):
            assert abs(Decimal(x.new) - Decimal(x.original)) > Decimal("0.05")
            hit = [c for c in checks if not c.ok and (str(x.table), x.row, x.column) in
                   {(k, r, col) for k, _cp, r, col in c.cells}]
            assert hit, f"{x} breaks no identity"
            t = truth.table(x.table)
            assert any(c.row == x.row and c.column == x.column and c.printed == x.new for c in t.cells)
        elif x.type == "narrative_mismatch":
            flagged = [truth.narrative[i] for i, _s, _w in ids.narrative_problems(truth) if i >= 0]
            assert any(f.printed == x.new and f.table == x.table and f.row == x.row for f in flagged)
        elif x.type in ("ocr_pin_lv", "ocr_county_city", "ocr_z_2"):
            a, b = {"ocr_pin_lv": ("品", "吕"), "ocr_county_city": ("县", "市"), "ocr_z_2": ("Z", "2")}[x.type]
            assert x.original.replace(a, b, 1) == x.new or (a in x.original and b in x.new)
            assert len(x.original) == len(x.new)
        elif x.type == "duplicate_attachment":
            copies = [t for t in truth.tables if t.kind == x.table and t.project ==
                      next(t2.project for t2 in truth.tables if t2.copy_no == 2)]
            assert sorted(t.copy_no for t in copies) == [1, 2]
            first, second = (cells(t) for t in sorted(copies, key=lambda t: t.copy_no))
            assert first[(x.row, x.column)] != second[(x.row, x.column)]
            assert str(first[(x.row, x.column)]) == x.original.replace(",", "")


def test_defects_do_not_change_the_document_otherwise() -> None:
    """A defect-free and a defective document from the same seed share their amounts."""
    clean = doc(5, "budget").truth
    spec = DefectSpec(arithmetic=1)
    dirty = generate(5, "budget", defects=spec).truth
    (x,) = dirty.defects
    changed = [(t.kind, c1.row, c1.column) for t, u in zip(clean.tables, dirty.tables, strict=True)
               for c1, c2 in zip(t.cells, u.cells, strict=True) if c1.printed != c2.printed]
    assert changed == [(x.table, x.row, x.column)]


# --- variants, determinism, speed, corpus -----------------------------------------------------------
def test_styles_and_variants_covered() -> None:
    seen: dict[str, set] = defaultdict(set)
    for seed in range(16):
        for kind in ("budget", "final_accounts"):
            d = doc(seed, kind)
            st = d.truth.style
            seen["province"].add(st["province"])
            for flag in ("toc", "watermark", "markdown", "spaced", "colnum", "labels"):
                seen[flag].add(st[flag])
            text = d.text
            seen["has_watermark"].add("仅供内部审核" in text)
            seen["has_md"].add("## " in text or "<b>" in text)
            seen["empty_note"].add("本表无数据" in text)
            for t in d.truth.tables:
                seen["titles"].add(t.title)
    assert seen["province"] >= {"shanxi", "gansu", "shanghai", "open", "dept"}
    for flag in ("toc", "watermark", "markdown", "spaced", "colnum", "labels", "has_watermark", "has_md"):
        assert seen[flag] == {True, False}, flag
    assert True in seen["empty_note"]
    for title in ("部门收支总体情况表", "财务收支预算总表", "收入支出决算总表"):
        assert title in seen["titles"]


def test_deterministic_for_a_seed() -> None:
    a = generate(42, "final_accounts", n_units=2, defects=DefectSpec(arithmetic=1, ocr_z_2=1))
    b = generate(42, "final_accounts", n_units=2, defects=DefectSpec(arithmetic=1, ocr_z_2=1))
    assert a.text == b.text
    assert a.truth.model_dump_json() == b.truth.model_dump_json()
    assert generate(43, "final_accounts", n_units=2).text != a.text


def test_org_override_and_validation() -> None:
    d = generate(3, "budget", org="测试县应急管理局")
    assert d.truth.org == "测试县应急管理局"
    assert "测试县应急管理局" in d.text
    with pytest.raises(ValueError):
        generate(1, "audit")  # type: ignore[arg-type]


def test_catalog_names_every_code() -> None:
    for t in cat.ORG_TYPES.values():
        codes = [c for c, _ in t["projects"] + t.get("fund_projects", [])] + [t["admin"], t["inst"]]
        for code in codes:
            for k in (code[:3], code[:5], code):
                assert cat.code_name(k)


def test_generation_is_fast() -> None:
    t0 = time.process_time()
    for seed in range(30):
        generate(1000 + seed, "budget" if seed % 2 else "final_accounts")
    per_doc = (time.process_time() - t0) / 30
    assert per_doc < 0.15  # ~20 ms on an idle machine: 1,000 documents well under a minute


def test_write_corpus_and_cli(tmp_path) -> None:
    paths = write_corpus(tmp_path / "c", 4, seed=9, defect_rate=1.0)
    assert len(paths) == 4
    for p in paths:
        truth = SynthTruth.model_validate(json.loads(p.with_suffix(".truth.json").read_text(encoding="utf-8")))
        assert truth.defects
        assert p.read_text(encoding="utf-8").count("\n") > 100
    assert cli_main(["--out", str(tmp_path / "cli"), "-n", "2", "--seed", "1"]) == 0
    assert len(list((tmp_path / "cli").glob("*.truth.json"))) == 2
