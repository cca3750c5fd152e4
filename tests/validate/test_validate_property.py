"""Property: a generated balanced function-classified table passes every rule; perturbing one cell makes
exactly the identities that read it fail (by > 0.05: errors; by 0.01: rounding notes only)."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tablekit import DOC, cell_keys, make_table, set_cell

from extractor.validate import validate
from schemas.findings import Severity
from schemas.tables import Table, TableKind

COLS = ["合计", "基本支出", "项目支出"]
TABLE_ID = "budget_general_expenditure#1"
CENT = D("0.01")


@st.composite
def trees(draw: st.DrawFn) -> dict[str, list]:
    """{code: [basic cents, project cents]} for 项; 类 and 款 are sums of their children."""
    leis = draw(st.lists(st.sampled_from(["201", "205", "208", "210", "213", "221", "224"]), min_size=1, max_size=3,
                         unique=True))
    amount = st.integers(0, 900_000)
    leaves: dict[str, list] = {}
    for lei in sorted(leis):
        for kuan in sorted(draw(st.lists(st.integers(1, 99), min_size=1, max_size=3, unique=True))):
            for xiang in sorted(draw(st.lists(st.integers(1, 99), min_size=1, max_size=3, unique=True))):
                leaves[f"{lei}{kuan:02d}{xiang:02d}"] = [draw(amount), draw(amount)]
    return leaves


def printed(cents: int, blank_zero: bool) -> str:
    return "" if cents == 0 and blank_zero else f"{D(cents) / 100:.2f}"


def build(leaves: dict[str, list], blank_zero: bool) -> tuple[Table, dict[str, str | None]]:
    """The table, and each row's parent (None for 合计)."""
    sums: dict[str, list[int]] = {"合计": [0, 0]}
    parent: dict[str, str | None] = {"合计": None}
    for code, (b, p) in leaves.items():
        for node, up in ((code[:3], "合计"), (code[:5], code[:3]), (code, code[:5])):
            parent.setdefault(node, up)
            acc = sums.setdefault(node, [0, 0])
            acc[0] += b
            acc[1] += p
        sums["合计"][0] += b
        sums["合计"][1] += p
    rows = [(key, key, [printed(b + p, blank_zero), printed(b, blank_zero), printed(p, blank_zero)])
            for key, (b, p) in sorted(sums.items(), key=lambda kv: (kv[0] != "合计", kv[0]))]
    return make_table(TableKind.BUDGET_GENERAL_EXPENDITURE, COLS, rows), parent


def expected_readers(row: str, parent: dict[str, str | None]) -> int:
    """Identities reading one cell: its row's 合计 = 基本 + 项目, the rollup where it is the parent (every
    non-项 row has children), the rollup where it is a child (every row but 合计 has a parent)."""
    return 1 + (len(row) != 7) + (parent[row] is not None)


def hard(report) -> list:
    return [f for f in report.findings if f.severity in (Severity.ERROR, Severity.ROUNDING, Severity.WARNING)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(leaves=trees(), blank_zero=st.booleans(), data=st.data())
def test_balanced_table_passes_and_one_perturbation_fails_exactly_its_readers(leaves, blank_zero, data) -> None:
    table, parent = build(leaves, blank_zero)
    assert hard(validate([table], [], DOC)) == []

    row = data.draw(st.sampled_from(sorted(parent)), label="row")
    col = data.draw(st.sampled_from(COLS), label="column")
    cell = table.row(row).cell(col)
    old = cell.value.number or D(0)
    key = (TABLE_ID, row, col)
    n = expected_readers(row, parent)

    big = data.draw(st.integers(6, 10**7).map(lambda c: D(c) * CENT) | st.integers(-10**7, -6).map(lambda c: D(c) * CENT),
                    label="delta")
    report = validate(set_cell([table], TABLE_ID, row, col, f"{old + big:.2f}"), [], DOC)
    errors = hard(report)
    assert all(f.severity == Severity.ERROR and key in cell_keys(f) for f in errors)
    assert len(errors) == n
    assert {f.rule_id for f in errors} <= {"func.rollup", "func.basic_plus_project"}
    assert any(f.rule_id == "func.basic_plus_project" for f in errors)

    small = data.draw(st.sampled_from([CENT, -CENT]), label="cent")
    report = validate(set_cell([table], TABLE_ID, row, col, f"{old + small:.2f}"), [], DOC)
    notes = hard(report)
    assert len(notes) == n and all(f.severity == Severity.ROUNDING and key in cell_keys(f) for f in notes)
