"""Build a typed ``Table`` (rows keyed by code or label, cells with values and provenance)
from a segmented block of grid lines."""

from __future__ import annotations

from itertools import combinations

from extractor.layout import SourceLine
from extractor.tables.catalog import TableTemplate
from extractor.tables.header import SKIP_COLUMNS, TOTAL_LABELS, column_names, is_code, side_split, split_header
from extractor.tables.segment import TableBlock
from extractor.values import is_number_text, parse_value
from schemas.keys import dedupe_keys, norm_key
from schemas.provenance import Provenance, SourceKind
from schemas.tables import Cell, Row, RowRole, Table, TableKind, TableStatus
from schemas.values import MoneyUnit

LABEL_COLUMNS = {"项目", "项目名称", "单位名称", "科目名称", "部门预算支出经济科目名称", "政府预算支出经济科目名称",
                 "科目编码", "科目代码", "收入科目编码", "功能分类科目编码"}


def provenance(doc_id: str, line: SourceLine, source: SourceKind, j: int | None = None,
               table_id: str | None = None) -> Provenance:
    bbox = line.cells[j].bbox if j is not None and j < len(line.cells) and line.cells[j].bbox else line.bbox
    text_source = source == SourceKind.TEXT
    return Provenance(doc_id=doc_id, page=line.page, bbox=None if text_source else bbox,
                      line_start=line.line_no if text_source else None,
                      line_end=(line.line_end or line.line_no) if text_source else None,
                      source=source, table_id=table_id)


def _level(code: str | None) -> int | None:
    if not code:
        return None
    return {3: 1, 5: 2, 7: 3}.get(len(code))


def _role(label: str) -> RowRole:
    key = norm_key(label)
    return RowRole.TOTAL if any(key.endswith(t) or key.startswith(t) for t in TOTAL_LABELS) else RowRole.DATA


def _padded(lines: list[SourceLine], width: int) -> list[list[str]]:
    return [ln.texts + [""] * (width - len(ln.cells)) for ln in lines]


def build_rows(block: TableBlock, names: list[str], data: list[SourceLine], cols: range, doc_id: str,
               source: SourceKind, table_id: str, unit: MoneyUnit | None) -> list[Row]:
    """Rows over the column range ``cols`` (one side of a two-sided table, or all columns)."""
    label_cols = [j for j in cols if names[j].split("/")[-1] in LABEL_COLUMNS]
    if not label_cols and not any(is_number_text(ln.texts[cols[0]]) for ln in data if len(ln.cells) > cols[0]):
        label_cols = [cols[0]]  # no label header, but the first column holds labels
    value_cols = [j for j in cols if j not in label_cols and names[j].split("/")[-1] not in SKIP_COLUMNS]
    rows: list[Row] = []
    for line in data:
        texts = line.texts + [""] * (max(cols) + 1 - len(line.cells))
        labels = [texts[j].strip() for j in label_cols if texts[j].strip()]
        values = [texts[j] for j in value_cols]
        if not labels and not any(v.strip() for v in values):
            continue
        code = labels[0] if labels and is_code(labels[0]) else None
        names_only = [t for t in labels if not is_code(t)]
        label = names_only[0] if names_only else (code or "")
        if block.template and block.template.kind == TableKind.BUDGET_BASIC_ECONOMIC and len(names_only) > 1:
            key = f"{norm_key(names_only[0])}/{norm_key(names_only[1])}"
        else:
            key = code or norm_key(label) or "数据"
        cells = [Cell(column=names[j], value=parse_value(texts[j], unit),
                      provenance=provenance(doc_id, line, source, j, table_id)) for j in value_cols]
        rows.append(Row(key=key, label=label, code=code, level=_level(code), role=_role(label), cells=cells,
                        provenance=provenance(doc_id, line, source, None, table_id)))
    for row, key in zip(rows, dedupe_keys([r.key for r in rows]), strict=True):
        row.key = key
    return rows


def build_grid_table(block: TableBlock, doc_id: str, source: SourceKind, table_id: str) -> Table:
    template = block.template
    kind = template.kind if template else TableKind.UNCLASSIFIED
    width = max((len(r.cells) for r in block.rows), default=0)
    header, data_idx = split_header(_padded(block.rows, width))
    two_sided = bool(template and template.layout == "two_sided")
    names = column_names(header, width, two_sided)
    data = [block.rows[i] for i in data_idx]
    unit = block.money_unit or MoneyUnit.WAN
    if template is not None and template.layout == "blocks" and (period := block_period(names)):
        data = split_blocks(data, period)
        names = [n.split("/")[-1] for n in names[:period]]
        width = period
    if two_sided and (split := side_split(header)) is not None:
        rows = build_rows(block, names, data, range(0, split), doc_id, source, table_id, unit)
        rows += build_rows(block, names, data, range(split, width), doc_id, source, table_id, unit)
    else:
        rows = build_rows(block, names, data, range(0, width), doc_id, source, table_id, unit) if width else []
    table = Table(
        id=table_id, doc_id=doc_id, kind=kind, title=block.title, label=block.label, org=block.org,
        money_unit=block.money_unit, pages=block.pages, header_rows=header,
        columns=[n for n in names if n.split("/")[-1] not in SKIP_COLUMNS], rows=rows, notes=block.notes,
        provenance=provenance(doc_id, block.title_line, source, None, table_id),
    )
    if template is None:
        table.status = TableStatus.UNCLASSIFIED
    elif block.empty or not any(c.value.is_numeric for r in rows for c in r.cells):
        table.status = TableStatus.EMPTY if block.empty or not rows or all(r.role == RowRole.TOTAL for r in rows) \
            else TableStatus.OK
    if template is not None:
        repair_shifted_columns(table, template)
    return table


def block_period(names: list[str]) -> int | None:
    """Four code/name/amount blocks side by side (决算 明细表): the repeating column period."""
    bare = [n.split("/")[-1] for n in names]
    for k in (3, 2, 4):
        if len(bare) >= 2 * k and len(bare) % k == 0 and all(bare[j] == bare[j % k] for j in range(len(bare))):
            return k
    return None


def split_blocks(lines: list[SourceLine], period: int) -> list[SourceLine]:
    """Each block of a side-by-side row becomes its own line. A label whose amount sits in a later
    block (a merged total cell, e.g. 公用经费合计 ... 99.05) is joined to that amount."""
    from extractor.layout import LineCell

    out_blocks: list[list[SourceLine]] = []
    for line in lines:
        cells = line.cells + [LineCell("")] * (-len(line.cells) % period)
        for b in range(len(cells) // period):
            chunk = cells[b * period:(b + 1) * period]
            while len(out_blocks) <= b:
                out_blocks.append([])
            out_blocks[b].append(SourceLine(page=line.page, line_no=line.line_no, cells=list(chunk), sep=line.sep,
                                            bbox=line.bbox, line_end=line.line_end, ruled=line.ruled))
        _join_spanning_total(out_blocks, len(cells) // period, period)
    return [ln for blk in out_blocks for ln in blk if not ln.is_blank]


def _join_spanning_total(out_blocks: list[list[SourceLine]], n: int, period: int) -> None:
    last = [blk[-1] for blk in out_blocks[:n]]
    for i, ln in enumerate(last):
        if ln.cells[0].text.strip() and not ln.cells[-1].text.strip():
            for later in last[i + 1:]:
                if not any(c.text.strip() for c in later.cells[:-1]) and later.cells[-1].text.strip():
                    ln.cells[-1] = later.cells[-1]
                    later.cells[-1] = type(later.cells[-1])("")
                    break


def _row_sum_holds(row: Row, total: str, parts: list[str], names: dict[str, str]) -> bool | None:
    t = row.cell(names.get(total, total))
    if t is None or t.value.wan is None:
        return None
    s = sum((c.value.wan for p in parts if (c := row.cell(names.get(p, p))) and c.value.wan is not None), start=0)
    return abs(t.value.wan - s) <= 0.05


def _holds_count(table: Table, template: TableTemplate, names: dict[str, str]) -> int:
    n = 0
    for rs in template.row_sums:
        n += sum(1 for r in table.rows if _row_sum_holds(r, rs.total, rs.parts, names))
    return n


def repair_shifted_columns(table: Table, template: TableTemplate) -> None:
    """A header printed one cell off: swap two column names when that makes the catalog's row
    identities hold on more rows. The choice is recorded in ``table.repairs``."""
    if not template.row_sums or not table.rows:
        return
    identity = {c: c for c in table.columns}
    best = _holds_count(table, template, identity)
    candidates = [c for c in table.columns if c not in LABEL_COLUMNS]
    for a, b in combinations(candidates, 2):
        trial = dict(identity)
        trial[a], trial[b] = b, a
        if (n := _holds_count(table, template, trial)) > best:
            best, chosen = n, (a, b)
    if best and "chosen" in locals():
        a, b = chosen
        for r in table.rows:
            for c in r.cells:
                c.column = {a: b, b: a}.get(c.column, c.column)
        table.repairs.append(f"表头错位：列“{a}”与“{b}”互换后，行合计恒等式成立的行由少变多（{best} 行成立）")


def is_numeric_text(text: str) -> bool:
    return is_number_text(text)
