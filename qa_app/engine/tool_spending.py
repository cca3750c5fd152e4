"""Tools ``sangong`` ("三公"经费) and ``operating_cost`` (机关运行经费): budget vs final from the
tables, the change against last year from the narrative (its only source)."""

from __future__ import annotations

import re
from decimal import Decimal

from qa_app.engine.catalog import DocData
from qa_app.engine.sourcetext import change_sentences, sentences
from qa_app.engine.tools import Ctx, Draft, tool
from schemas.answers import Answer, ChartSpec
from schemas.keys import norm_key
from schemas.records import OperatingCost, Procurement, SanGong
from schemas.tables import Cell, Table, TableKind

ITEMS = (("abroad", "因公出国(境)费"), ("reception", "公务接待费"), ("vehicle_total", "公务用车购置及运行费"),
         ("vehicle_purchase", "公务用车购置费"), ("vehicle_operation", "公务用车运行维护费"))
SUBJECT_WORDS = {"reception": ("公务接待费",), "vehicle_operation": ("公务用车运行维护费", "公务用车运行费"),
                 "vehicle_purchase": ("公务用车购置费",), "abroad": ("因公出国",)}


def _changes(d: Draft, doc: DocData, *subjects: str) -> str:
    for ch in change_sentences(doc, *subjects):
        return d.cites.line(doc, ch.line_no, ch.page, ch.clause)
    return ""


# Row labels of a row-per-item 三公 table (①公务用车购置费 / ②公务用车运行维护费 ...), by record field;
# the first matching prefix wins, so 购置及运行 is tried before 购置费.
ITEM_ROWS = (("vehicle_total", ("公务用车购置及运行",)), ("vehicle_purchase", ("公务用车购置",)),
             ("vehicle_operation", ("公务用车运行",)), ("abroad", ("因公出国",)), ("reception", ("公务接待",)))
_ITEM_NUMBERING = re.compile(r"^[\s\d①-⑩⑴-⒇（()）、.．:：]+")


def _item_field(label: str) -> str | None:
    name = _ITEM_NUMBERING.sub("", norm_key(label))
    return next((f for f, prefixes in ITEM_ROWS if name.startswith(prefixes)), None)


def _complete(t: Table | None, rec: SanGong | None) -> SanGong | None:
    """Fill the items the record lacks from the table's own rows (a numbered sub-row such as
    ②公务用车运行维护费 is an item of its own, cited on its own row)."""
    if t is None or rec is None or rec.total is None:
        return rec
    column = rec.total.column
    found: dict[str, Cell] = {}
    for r in t.rows:
        if (f := _item_field(r.label)) is not None and f not in found and (c := r.cell(column)) is not None:
            found[f] = c
    update = {f: c for f, c in found.items() if getattr(rec, f) is None}
    return rec.model_copy(update=update) if update else rec


def _sangong_blocks(doc: DocData) -> tuple[Table | None, SanGong | None, SanGong | None]:
    recs = doc.records_of(SanGong)
    budget = next((r for r in recs if r.block == "budget" and r.column in ("合计", "预算数")), None)
    final = next((r for r in recs if r.block == "final"), None)
    first = budget or final
    t = doc.table_by_id.get(first.table_id) if first else None
    return t, _complete(t, budget), _complete(t, final)


def _items(d: Draft, doc: DocData, t: Table, rec: SanGong) -> str:
    bits = []
    for field, name in ITEMS:
        c: Cell | None = getattr(rec, field)
        if c is not None and c.value.number:
            bits.append(f"{name}{d.cites.cell(doc, t, _label(t, c), c)}")
    return "，".join(bits)


def _label(t: Table, c: Cell) -> str:
    for r in t.rows:
        if any(x is c or (x.column == c.column and x.provenance == c.provenance) for x in r.cells):
            return r.label
    return ""


@tool("sangong", "“三公”经费：预算数、决算数、明细，以及说明中与上年的比较；多个单位时比较高低。")
def sangong(ctx: Ctx) -> Answer:
    d = Draft()
    d.columns = ["单位", "年度", "口径", "三公经费合计(万元)", "来源表"]
    ranking: list[tuple[Decimal, DocData, str]] = []
    for doc in ctx.docs:
        t, budget, final = _sangong_blocks(doc)
        if t is None:
            d.parts.append(f"{doc.label}没有“三公”经费表。")
            continue
        bits = []
        for rec, what in ((budget, "预算数"), (final, "决算数")):
            if rec is not None and rec.total is not None:
                shown = d.cites.cell(doc, t, _label(t, rec.total), rec.total)
                items = _items(d, doc, t, rec)
                bits.append(f"{what}{shown}" + (f"（{items}）" if items else ""))
                d.rows.append([doc.org, str(doc.year or ""), what, rec.total.value.printed, t.title])
        if budget and final and budget.total and final.total:
            rate = d.cites.pct(doc, final.total.value.printed, budget.total.value.printed, f"{doc.org} 三公经费决算数 ÷ 预算数")
            bits.append(f"决算为预算的{rate}")
        change = _changes(d, doc, "三公")
        text = f"{doc.label}：“三公”经费" + "，".join(bits) + "。"
        text += f"与上年比较（情况说明）：{change}。" if change else "说明中没有与上年的比较。"
        for field, words in SUBJECT_WORDS.items():
            rec = final or budget
            if rec is not None and getattr(rec, field) is not None and (ch := _changes(d, doc, *words)):
                text += f"其中{words[0]}{ch}。"
        d.parts.append(text)
        rec = budget or final
        if rec is not None and rec.total is not None and rec.total.value.number is not None:
            ranking.append((rec.total.value.number, doc, rec.total.value.printed))
    _rank(d, ranking, "“三公”经费预算数", "（决算文件取其中的全年预算数）")
    return d.answer(ctx)


def _rank(d: Draft, ranking: list[tuple[Decimal, DocData, str]], what: str, basis: str = "") -> None:
    if len(ranking) < 2:
        return
    ranking.sort(key=lambda x: -x[0])
    top = ranking[0]
    d.parts.append(f"按{what}比较{basis}，最高的是{top[1].label}（{top[2]}万元）。")
    d.chart = ChartSpec(kind="bar", x="单位", y=[what], title=what + "(万元)",
                        data=[{"单位": f"{doc.org}{doc.year or ''}", what: float(v)} for v, doc, _ in ranking])


def _operating_cells(doc: DocData) -> list[tuple[Table, str, Cell]]:
    recs = [r for r in doc.records_of(OperatingCost) if r.amount is not None and r.amount.value.number is not None]
    total = [r for r in recs if r.is_total] or recs[:1]
    if total:
        r = total[0]
        return [(doc.table_by_id[r.table_id], r.org_name, r.amount)]  # type: ignore[list-item]
    out = []
    for t in doc.by_kind(TableKind.FINAL_INFO_STATS):
        inside = False
        for row in t.rows:
            if "机关运行经费" in row.label:
                inside = True
                continue
            if inside and row.label[:2] in ("三、", "四、"):
                break
            if inside and (c := next((c for c in row.cells if c.value.number is not None), None)) is not None:
                out.append((t, row.label, c))
    return out


@tool("operating_cost", "机关运行经费：金额，以及说明中与上年的增减和原因。")
def operating_cost(ctx: Ctx) -> Answer:
    d = Draft()
    d.columns = ["单位", "年度", "行", "机关运行经费(万元)", "来源表"]
    ranking: list[tuple[Decimal, DocData, str]] = []
    for doc in ctx.docs:
        cells = _operating_cells(doc)
        if not cells:
            d.parts.append(f"{doc.label}没有找到机关运行经费。")
            continue
        bits = [f"{label}{d.cites.cell(doc, t, label, c)}" for t, label, c in cells]
        d.rows += [[doc.org, str(doc.year or ""), label, c.value.printed, t.title] for t, label, c in cells]
        change = _changes(d, doc, "机关运行经费")
        d.parts.append(f"{doc.label}：机关运行经费{'，'.join(bits)}（{cells[0][0].title}）。"
                       + (f"与上年比较（情况说明）：{change}。" if change else "说明中没有与上年的比较。"))
        if len(cells) == 1 and cells[0][2].value.number is not None:
            ranking.append((cells[0][2].value.number, doc, cells[0][2].value.printed))
    _rank(d, ranking, "机关运行经费", "（预算文件为预算数，决算文件为决算数）")
    return d.answer(ctx)


@tool("procurement", "政府采购：合计、货物、工程、服务（决算的相关信息统计表；预算则引用说明中的句子）。")
def procurement(ctx: Ctx) -> Answer:
    d = Draft()
    d.columns = ["单位", "年度", "类别", "金额(万元)", "来源表"]
    for doc in ctx.docs:
        recs = [r for r in doc.records_of(Procurement) if r.total is not None]
        if recs:
            rec, t = recs[0], doc.table_by_id[recs[0].table_id]
            bits = []
            for field, name in (("total", "合计"), ("goods", "货物"), ("works", "工程"), ("services", "服务")):
                c: Cell | None = getattr(rec, field)
                if c is not None and c.value.number is not None:
                    bits.append(f"{name}{d.cites.cell(doc, t, _label(t, c) or name, c)}")
                    d.rows.append([doc.org, str(doc.year or ""), name, c.value.printed, t.title])
            d.parts.append(f"{doc.label}：政府采购{'，'.join(bits)}（{t.title}）。")
            continue
        said = next(((ln, pg, s) for ln, pg, text in doc.narrative for s in sentences(text)
                     if "政府采购" in s and re.search(r"\d", s) and "....." not in s), None)
        if said:
            d.parts.append(f"{doc.label}：表格中没有政府采购数据，情况说明中写道：{d.cites.line(doc, said[0], said[1], said[2][:150])}")
        else:
            d.parts.append(f"{doc.label}没有政府采购数据。")
    return d.answer(ctx)
