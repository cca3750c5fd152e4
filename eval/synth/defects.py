"""Inject recorded defects into a built document (before it becomes text): arithmetic errors,
narrative/table mismatches, OCR slips, a missing table, a duplicated attachment whose copies
disagree. Each returns a :class:`Defect` whose line is filled in after rendering."""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Iterator
from decimal import Decimal

from eval.synth.ir import NUMERIC, Doc, Fig, Para, TableIR, TRow, column_names
from eval.synth.model import Defect, DefectSpec, DefectType
from schemas.keys import norm_key
from schemas.tables import TableKind as K

FORMS = {K.PERFORMANCE_TARGET, K.SELF_EVALUATION, K.OVERALL_PERFORMANCE_TARGET}
MISSABLE = {
    "budget": [K.BUDGET_SANGONG, K.BUDGET_OPERATING_COST, K.BUDGET_FUND_EXPENDITURE, K.BUDGET_PROJECTS_CARRYOVER,
               K.BUDGET_FISCAL_SUMMARY, K.BUDGET_GENERAL_EXPENDITURE, K.BUDGET_INCOME, K.BUDGET_BASIC_ECONOMIC],
    "final_accounts": [K.FINAL_SANGONG, K.FINAL_INFO_STATS, K.FINAL_FUND, K.FINAL_STATE_CAPITAL, K.FINAL_FISCAL_SUMMARY,
                       K.FINAL_GENERAL_EXPENDITURE, K.FINAL_INCOME, K.FINAL_BASIC_DETAIL],
}
TWO_DEC = re.compile(r"^\d+\.\d\d$")


def _tables(doc: Doc) -> list[TableIR]:
    return [b for b in doc.blocks if isinstance(b, TableIR)]


def _width(t: TableIR) -> int:
    return max([len(r) for r in t.header] + [len(r.cells) for r in t.rows] + [1])


def _numeric_cells(doc: Doc) -> Iterator[tuple[TableIR, TRow, int, str, str]]:
    """(table, row, column index, row key, column name) of every 2-decimal 万元 cell of a grid table."""
    for t in _tables(doc):
        if t.kind in FORMS or t.copy_no != 1:
            continue
        names = column_names(t, _width(t))
        for row in t.rows:
            for key, j, column, quoted in row.truth:
                if quoted is None and j < len(row.cells) and TWO_DEC.match(row.cells[j].strip()):
                    yield t, row, j, key, column or names[j]


MIN_DELTA = Decimal("0.6")  # above the tolerance of any identity the cell is part of (0.01 per addend)


def _changed(rng: random.Random, printed: str) -> str:
    v = Decimal(printed)
    delta = Decimal(rng.choice([rng.randint(60, 99), rng.randint(100, 5000)])) / 100
    new = v + delta if rng.random() < 0.5 or v - delta <= 0 else v - delta
    return f"{new:.2f}"


def _swaps(printed: str) -> list[str]:
    """Every adjacent-digit swap that changes the value by at least MIN_DELTA."""
    out = []
    for i in range(len(printed) - 1):
        a, b = printed[i], printed[i + 1]
        if a.isdigit() and b.isdigit() and a != b and not (i == 0 and b == "0"):
            new = printed[:i] + b + a + printed[i + 2:]
            if abs(Decimal(new) - Decimal(printed)) >= MIN_DELTA:
                out.append(new)
    return out


def _retyped(rng: random.Random, printed: str) -> str | None:
    """A narrative figure with one digit (0.1 万元 or more) changed."""
    digits = [i for i, ch in enumerate(printed) if ch.isdigit()]
    if "." in printed:
        digits = [i for i in digits if i < len(printed) - 1 or printed.index(".") > i]
        dot = printed.index(".")
        digits = [i for i in digits if i < dot or i == dot + 1]
    if not digits:
        return None
    i = rng.choice(digits)
    choices = [d for d in "0123456789" if d != printed[i] and not (i == 0 and d == "0")]
    return printed[:i] + rng.choice(choices) + printed[i + 1:]


def _relabel(t: TableIR, row: TRow, j: int, new_text: str) -> tuple[str, str]:
    """Change a label cell; row keys and column names derived from it follow. Returns (old, new) keys."""
    old_text = row.cells[j]
    old_key, new_key = norm_key(old_text), norm_key(new_text)
    row.cells[j] = new_text
    row.truth = [(new_key if k == old_key else k, jj,
                  new_key if (c == old_key and jj == j + 1) else c, q) for k, jj, c, q in row.truth]
    if t.project is not None and old_text.strip() == t.project:
        t.project = new_text.strip()
    return old_key, new_key


def _label_candidates(doc: Doc, char: str) -> list[tuple[TableIR, TRow, int]]:
    out = []
    for t in _tables(doc):
        if t.copy_no != 1:
            continue
        for row in t.rows:
            if not row.cells:
                continue
            if t.kind in FORMS:
                if norm_key(row.cells[0]) in ("项目名称", "转移支付(项目)名称"):
                    jn = next((k for k in (1, 2) if k < len(row.cells) and row.cells[k].strip()), None)
                    if jn is not None and char in row.cells[jn]:
                        out.append((t, row, jn))
                for j in (0, 1, 4):  # fund-source labels
                    if j < len(row.cells) and "财政资金" in row.cells[j] and char in row.cells[j]:
                        out.append((t, row, j))
            elif t.kind in (K.BUDGET_PROJECTS, K.BUDGET_PROJECTS_CARRYOVER) and char in row.cells[0]:
                out.append((t, row, 0))
    return out


def apply(rng: random.Random, doc: Doc, spec: DefectSpec, kind: str) -> list[tuple[Defect, TableIR | None]]:
    done: list[tuple[Defect, TableIR | None]] = []
    used: set[tuple[int, int]] = set()  # (row, column index) already edited
    touched: set[int] = set()  # tables already edited

    def pick_cell() -> tuple[TableIR, TRow, int, str, str] | None:
        cands = [c for c in _numeric_cells(doc) if (id(c[1]), c[2]) not in used]
        return rng.choice(cands) if cands else None

    for _ in range(spec.arithmetic):
        if (c := pick_cell()) is None:
            break
        t, row, j, key, col = c
        old = row.cells[j]
        row.cells[j] = _changed(rng, old.strip())
        used.add((id(row), j))
        touched.add(id(t))
        done.append((Defect(type="arithmetic", table=t.kind, row=key, column=col, original=old.strip(),
                            new=row.cells[j]), t))
    for _ in range(spec.ocr_digit_swap):
        swap_cands = [c for c in _numeric_cells(doc) if (id(c[1]), c[2]) not in used and _swaps(c[1].cells[c[2]].strip())]
        if not swap_cands:
            break
        t, row, j, key, col = rng.choice(swap_cands)
        old = row.cells[j].strip()
        row.cells[j] = rng.choice(_swaps(old))
        used.add((id(row), j))
        touched.add(id(t))
        done.append((Defect(type="ocr_digit_swap", table=t.kind, row=key, column=col, original=old, new=row.cells[j]), t))
    figs = [s for b in doc.blocks if isinstance(b, Para) for ln in b.lines for s in ln
            if isinstance(s, Fig) and s.kind == "amount" and s.ref is not None and Decimal(s.value) > 0]
    for _ in range(spec.narrative_mismatch):
        if not figs:
            break
        f = rng.choice(figs)
        new = _retyped(rng, f.printed)
        if new is None:
            continue
        old = f.printed
        f.printed = new
        assert f.ref is not None
        done.append((Defect(type="narrative_mismatch", table=f.ref[0], row=f.ref[1], column=f.ref[2], original=old,
                            new=new, note=f.subject), None))
        figs.remove(f)
    for _ in range(spec.ocr_z_2):
        z_cands: list[tuple[TableIR, TRow, int]] = []
        for t in _tables(doc):
            for row in t.rows:
                for j in (0, 1, 2):
                    if not any(r == id(row) for r, _ in used) and j < len(row.cells) and row.cells[j].lstrip("\u3000").startswith("Z") and (
                            (t.kind in FORMS and norm_key(row.cells[0]) in ("项目名称", "转移支付(项目)名称"))
                            or (t.kind in (K.BUDGET_PROJECTS, K.BUDGET_PROJECTS_CARRYOVER) and j == 0)):
                        z_cands.append((t, row, j))
        if not z_cands:
            break
        t, row, j = rng.choice(z_cands)
        old_text = row.cells[j]
        k = old_text.index("Z")
        new_text = old_text[:k] + "2" + old_text[k + 1:]
        old_key, new_key = _relabel(t, row, j, new_text)
        used.add((id(row), j))
        touched.add(id(t))
        done.append((Defect(type="ocr_z_2", table=t.kind, row=new_key, original=old_text.strip(), new=new_text.strip(),
                            note=f"project name {old_key} printed as {new_key}"), t))
    slips: list[tuple[int, DefectType, str, str]] = [(spec.ocr_pin_lv, "ocr_pin_lv", "品", "吕"),
                                                     (spec.ocr_county_city, "ocr_county_city", "县", "市")]
    for n, dtype, char, repl in slips:
        for _ in range(n):
            label_cands = [c for c in _label_candidates(doc, char) if (id(c[1]), c[2]) not in used
                           and not any(r == id(c[1]) for r, _ in used)]
            if not label_cands:
                break
            t, row, j = rng.choice(label_cands)
            old_text = row.cells[j]
            k = rng.choice([i for i, ch in enumerate(old_text) if ch == char])
            new_text = old_text[:k] + repl + old_text[k + 1:]
            old_key, new_key = _relabel(t, row, j, new_text)
            used.add((id(row), j))
            touched.add(id(t))
            done.append((Defect(type=dtype, table=t.kind, row=new_key, original=old_text.strip(), new=new_text.strip(),
                                note=f"label {old_key} printed as {new_key}"), t))
    for _ in range(spec.missing_table):
        present = {b.kind: b for b in _tables(doc)}
        kinds = [k for k in MISSABLE[kind] if k in present and id(present[k]) not in touched]
        if not kinds:
            break
        gone = rng.choice(kinds)
        t = present[gone]
        doc.blocks.remove(t)
        done.append((Defect(type="missing_table", table=gone, note=t.title), None))
    for _ in range(spec.duplicate_attachment):
        d = _duplicate(rng, doc)
        if d:
            done.append(d)
    return done


def _duplicate(rng: random.Random, doc: Doc) -> tuple[Defect, TableIR] | None:
    forms = [t for t in _tables(doc) if t.kind in (K.PERFORMANCE_TARGET, K.SELF_EVALUATION) and t.copy_no == 1
             and not any(u.project == t.project and u.copy_no == 2 for u in _tables(doc))]
    if not forms:
        return None
    t = rng.choice(forms)
    dup = copy.deepcopy(t)
    dup.copy_no = 2
    if t.kind == K.PERFORMANCE_TARGET:
        # 年度资金总额 and the source carrying the money change together (the copy adds up, the copies disagree)
        row = next(r for r in dup.rows if r.cells and "年度资金总额" in "".join(r.cells))
        j = next(jj for k, jj, c, q in row.truth if c == "年度资金总额")
        old = row.cells[j]
        thousands = "," in old
        v = int(old.replace(",", ""))
        nv = v + rng.choice([-1, 1]) * rng.choice([1000, 5000, 10000, 20000]) if v > 20000 else v + 10000
        new = f"{nv:,}" if thousands else str(nv)
        row.cells[j] = new
        delta = nv - v
        srcs = [(r, jj) for r in dup.rows if r is not row for k, jj, c, _q in r.truth
                if k == "年度资金" and r.cells[jj].replace(",", "").isdigit()]
        if srcs:  # the largest source carries the change, so the copy still adds up
            r, jj = max(srcs, key=lambda x: int(x[0].cells[x[1]].replace(",", "")))
            sv = int(r.cells[jj].replace(",", "")) + delta
            r.cells[jj] = f"{sv:,}" if thousands else str(sv)
        column, key = "年度资金总额", "年度资金"
    else:
        row = next(r for r in dup.rows if any(k == "资金总额" for k, _, _, _ in r.truth))
        j = next(jj for k, jj, c, q in row.truth if c == "全年执行数")
        old = row.cells[j]
        if not NUMERIC.match(old.strip()):
            return None
        dec = len(old.split(".")[1]) if "." in old else 0
        dv = Decimal(old)
        step = Decimal(1).scaleb(-dec)
        dnv = max(dv * Decimal(str(round(rng.uniform(1.05, 1.4), 2))), dv + 100 * step).quantize(step)
        new = f"{dnv:.{dec}f}"
        row.cells[j] = new
        column, key = "全年执行数", "资金总额"
    idx = doc.blocks.index(t)
    doc.blocks.insert(idx + 1 + (1 if rng.random() < 0.3 and idx + 1 < len(doc.blocks) else 0), dup)
    return (Defect(type="duplicate_attachment", table=t.kind, row=key, column=column, original=old.strip(), new=new,
                   note=f"attachment for {t.project} printed twice; the second copy differs"), dup)
