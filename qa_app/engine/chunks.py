"""What the search index holds, following the document's structure.

- ``narrative``: one entry per narrative paragraph, with its section path (第三部分 情况说明 > 七、…).
- ``table``: one entry per table: title, org, year, kind, columns, row labels.
- ``project``: one entry per project: budget line + performance target + self-evaluation (+ reasons).
- ``row``: one sentence per table row carrying org, year, table title, code, label, column names and
  values ("阳城县应急管理局 2024 决算 一般公共预算财政拨款支出决算表 2240108 应急救援 项目支出 426.40万元");
  rows go to BM25 only (exact names and figures), the rest to both BM25 and the vector index.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from qa_app.engine.catalog import DocData
from qa_app.engine.cite import unit_of
from schemas.records import PerformanceTarget, ProjectLine, SelfEvaluation
from schemas.tables import TableKind, TableStatus

_H1 = re.compile(r"^第[一二三四五六七八九十]+部分")
_H2 = re.compile(r"^[一二三四五六七八九十]+、")
_H3 = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
FORMS = {TableKind.PERFORMANCE_TARGET, TableKind.SELF_EVALUATION}
MAX_TEXT = 600
EMBED_CHARS = 160  # embedding cost grows with length; the head carries the meaning


@dataclass
class Chunk:
    id: str
    kind: str  # narrative | table | project | row
    text: str
    meta: dict[str, str | int] = field(default_factory=dict)
    embed: str = ""  # the (shorter) text the vector index embeds; ``text`` when empty

    @property
    def embed_text(self) -> str:
        return (self.embed or self.text)[:EMBED_CHARS]


def _base(doc: DocData, kind: str) -> dict[str, str | int]:
    return {"doc_id": doc.id, "org": doc.org, "year": doc.year or 0, "doc_kind": doc.meta.kind.value, "chunk": kind}


def _clean(meta: dict) -> dict[str, str | int]:
    return {k: v for k, v in meta.items() if v is not None}


def narrative_chunks(doc: DocData) -> list[Chunk]:
    out, path = [], ["", "", ""]
    for ln, page, text in doc.narrative:
        t = text.strip()
        if not t or "....." in t or "…" * 3 in t:
            continue
        level = 0 if _H1.match(t) else 1 if _H2.match(t) else 2 if _H3.match(t) else None
        if level is not None and len(t) < 40:
            path[level:] = [t] + [""] * (2 - level)
            continue
        if len(t) < 8:
            continue
        section = " > ".join(p for p in path if p)
        meta = _base(doc, "narrative") | {"page": page, "line_start": ln, "line_end": ln, "section": section}
        last = next((p for p in reversed(path) if p), "")
        out.append(Chunk(f"{doc.id[:16]}:n:{ln}", "narrative", f"{section} | {t}"[:MAX_TEXT], _clean(meta),
                         embed=f"{last} {t}"))
    return out


def table_chunks(doc: DocData) -> list[Chunk]:
    out = []
    for t in doc.tables:
        if t.status == TableStatus.UNCLASSIFIED or t.kind in FORMS:
            continue  # a per-project form is one ``project`` entry
        labels = "、".join(r.label for r in t.rows[:60])
        text = (f"{doc.org} {doc.year or ''} {doc.kind_zh} {t.title} {t.label or ''} 列：{'、'.join(t.columns)} "
                f"行：{labels}" + (" 本表无数据" if t.status == TableStatus.EMPTY else ""))
        meta = _base(doc, "table") | {"table_id": t.id, "table_kind": t.kind.value, "page": t.pages[0] if t.pages else 1,
                                      "line_start": t.provenance.line_start, "title": t.title}
        out.append(Chunk(f"{doc.id[:16]}:t:{t.id}", "table", text[:MAX_TEXT], _clean(meta),
                         embed=f"{doc.org} {doc.year or ''} {doc.kind_zh} {t.title} {t.label or ''} {labels}"))
    return out


def row_chunks(doc: DocData) -> list[Chunk]:
    out = []
    for t in doc.tables:
        if t.status == TableStatus.UNCLASSIFIED:
            continue
        for r in t.rows:
            cells = [c for c in r.cells if c.value.number is not None]
            if not cells:
                continue
            values = " ".join(f"{c.column} {c.value.printed}{unit_of(c, t)}" for c in cells)
            name = t.label if t.kind.value in ("self_evaluation", "performance_target") and t.label else ""
            text = f"{doc.org} {doc.year or ''} {doc.kind_zh} {t.title} {name} {r.code or ''} {r.label} {values}"
            meta = _base(doc, "row") | {"table_id": t.id, "table_kind": t.kind.value, "row_key": r.key,
                                        "page": r.provenance.page, "code": r.code, "line_start": r.provenance.line_start}
            out.append(Chunk(f"{doc.id[:16]}:r:{t.id}:{r.key}", "row", re.sub(r"\s+", " ", text)[:MAX_TEXT], _clean(meta)))
    return out


def project_chunks(doc: DocData) -> list[Chunk]:
    by_name: dict[str, list[str]] = {}
    record: dict[str, str] = {}
    for p in doc.records_of(ProjectLine):
        if not p.is_org_total and (c := p.amounts.get("合计")) is not None:
            by_name.setdefault(p.name, []).append(f"项目支出表{'(上年结转)' if p.carryover else ''} 合计 {c.value.printed}万元")
            record.setdefault(p.name, f"{p.table_id}/{p.row_key}")
    for pt in doc.records_of(PerformanceTarget):
        if pt.annual_total is not None:
            by_name.setdefault(pt.project_name, []).append(f"绩效目标表 年度资金总额 {pt.annual_total.value.printed}元")
            record.setdefault(pt.project_name, pt.table_id)
    for se in doc.records_of(SelfEvaluation):
        bits = [f"{w} {c.value.printed}" for w, c in (("年初预算数", se.initial_budget), ("全年预算数", se.adjusted_budget),
                                                   ("全年执行数", se.executed), ("执行率", se.printed_rate)) if c is not None]
        by_name.setdefault(se.project_name, []).append("绩效自评表 " + " ".join(bits))
        record.setdefault(se.project_name, se.table_id)
    out = []
    for name, bits in by_name.items():
        text = f"{doc.org} {doc.year or ''} {doc.kind_zh} 项目 {name}：" + "；".join(bits)
        meta = _base(doc, "project") | {"project": name, "record_id": record[name]}
        key = hashlib.sha1(name.encode()).hexdigest()[:12]
        out.append(Chunk(f"{doc.id[:16]}:p:{key}", "project", text[:MAX_TEXT], _clean(meta)))
    return out


def document_chunks(doc: DocData) -> list[Chunk]:
    return narrative_chunks(doc) + table_chunks(doc) + project_chunks(doc) + row_chunks(doc)
