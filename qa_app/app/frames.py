"""Tables as DataFrames, severity highlighting, and the CSV / Excel downloads every table gets."""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
import streamlit as st

from qa_app.app.safe import file_stem
from schemas.findings import Finding, Severity
from schemas.tables import Table

LABEL_COL, CODE_COL, ROLE_COL, FLAG_COL = "行", "编码", "行类型", "检查"
SEVERITY_ORDER = [Severity.ERROR, Severity.ROUNDING, Severity.WARNING, Severity.NOT_CHECKED, Severity.INFO]
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITY_ORDER)}
SEVERITY_ZH = {Severity.ERROR: "错误", Severity.ROUNDING: "尾数差", Severity.WARNING: "提示",
               Severity.NOT_CHECKED: "未检查", Severity.INFO: "信息"}
SEVERITY_MARK = {s: f"■ {zh}" for s, zh in SEVERITY_ZH.items()}
SEVERITY_CSS = {Severity.ERROR: "background-color: #f8d0d0", Severity.ROUNDING: "background-color: #fde2c0",
                Severity.WARNING: "background-color: #fff3b8", Severity.NOT_CHECKED: "background-color: #e4e4e7",
                Severity.INFO: "background-color: #dbeafe"}
ROLE_ZH = {"data": "", "total": "合计", "subtotal": "小计", "noise": "噪声(已排除)"}


def data_columns(t: Table) -> list[str]:
    """The value columns in print order (label/code columns are not cells)."""
    present: list[str] = []
    for r in t.rows:
        for c in r.cells:
            if c.column not in present:
                present.append(c.column)
    ordered = [c for c in t.columns if c in present]
    return ordered + [c for c in present if c not in ordered]


def table_frame(t: Table) -> pd.DataFrame:
    """One row per table row (positional index: row keys need not be unique across the two sides of a
    收支总表), printed text in every cell (None where the row has no such cell)."""
    cols = data_columns(t)
    records = []
    for r in t.rows:
        rec: dict[str, str | None] = {LABEL_COL: r.label, CODE_COL: r.code or "",
                                      ROLE_COL: ROLE_ZH.get(r.role.value, r.role.value)}
        for col in cols:
            cell = r.cell(col)
            rec[col] = cell.value.printed if cell else None
        records.append(rec)
    return pd.DataFrame(records, columns=[LABEL_COL, CODE_COL, ROLE_COL, *cols], dtype=object)


def row_position(t: Table, row_key: str, column: str) -> int | None:
    """The position of the row with this key that has this column (keys can repeat across sides)."""
    hits = [i for i, r in enumerate(t.rows) if r.key == row_key]
    return next((i for i in hits if t.rows[i].cell(column) is not None), hits[0] if hits else None)


def cell_severity(t: Table, findings: list[Finding]) -> dict[tuple[int, str], Severity]:
    """(row position, column) → the worst open finding that involves this cell."""
    out: dict[tuple[int, str], Severity] = {}
    for f in findings:
        if f.false_positive:
            continue
        for ref in f.cells:
            if ref.key.table_id != t.id or (pos := row_position(t, ref.key.row_key, ref.key.column)) is None:
                continue
            k = (pos, ref.key.column)
            if k not in out or SEVERITY_RANK[f.severity] < SEVERITY_RANK[out[k]]:
                out[k] = f.severity
    return out


def row_marks(n_rows: int, sev: dict[tuple[int, str], Severity]) -> list[str]:
    worst: dict[int, Severity] = {}
    for (row, _), s in sev.items():
        if row not in worst or SEVERITY_RANK[s] < SEVERITY_RANK[worst[row]]:
            worst[row] = s
    return [SEVERITY_MARK[worst[i]] if i in worst else "" for i in range(n_rows)]


def styled(df: pd.DataFrame, sev: dict[tuple[int, str], Severity]):
    """A Styler colouring each cell by the worst finding on it (and the 检查 column by the row's worst)."""
    by_mark = {m: SEVERITY_CSS[s] for s, m in SEVERITY_MARK.items()}

    def css(frame: pd.DataFrame) -> pd.DataFrame:
        out = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for (row, col), s in sev.items():
            if row in out.index and col in out.columns:
                out.loc[row, col] = SEVERITY_CSS[s]
        if FLAG_COL in frame.columns:
            out[FLAG_COL] = [by_mark.get(m, "") for m in frame[FLAG_COL]]
        return out

    return df.fillna("").style.apply(css, axis=None)


def xlsx_bytes(df: pd.DataFrame, sheet: str = "table") -> bytes:
    """Excel with every text cell stored as text (a printed `=63套` must not become a formula)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = file_stem(sheet)[:31]
    ws.append([str(c) for c in df.columns])
    for row in df.itertuples(index=False):
        ws.append([None if _blank(v) else v for v in row])
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v))


def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8-sig")  # BOM: Excel opens Chinese CSV correctly


def downloads(df: pd.DataFrame | Callable[[], pd.DataFrame], name: str, key: str) -> None:
    """CSV and Excel buttons; the files are built only when clicked."""
    get = df if callable(df) else (lambda: df)
    stem = file_stem(name)
    row = st.container(horizontal=True, gap="small")
    row.download_button("CSV", icon=":material/download:", data=lambda: csv_bytes(get()), file_name=f"{stem}.csv", mime="text/csv",
                      key=f"dl-csv-{key}", on_click="ignore")
    row.download_button("Excel", icon=":material/download:", data=lambda: xlsx_bytes(get(), stem), file_name=f"{stem}.xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      key=f"dl-xlsx-{key}", on_click="ignore")


def show_table(df: pd.DataFrame, name: str, key: str, styler=None, **kwargs):
    """st.dataframe (optionally styled) + its CSV/Excel downloads; returns the selection state when
    ``on_select`` is given."""
    if kwargs.get("on_select"):
        kwargs.setdefault("key", f"df-{key}")
    out = st.dataframe(df if styler is None else styler, **kwargs)
    downloads(df, name, key)
    return out
