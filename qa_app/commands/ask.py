"""``budgetlens ask "问题" [--json]``: answer a question over the store, with the table and the
citations (document, page, table, row, column, printed value, line span or box).

Examples:
  budgetlens ask "阳城县应急管理局2024年哪些项目预算执行率偏低？原因是什么？"
  budgetlens ask "大同市应急管理局2025年最大的五个项目是什么？" --json
"""

from __future__ import annotations

import click

from extractor.config import home
from extractor.store import open_store
from schemas.answers import Answer


def render(a: Answer) -> str:
    lines = [a.text]
    if a.table and a.table.rows:
        lines += ["", " | ".join(a.table.columns)] + [" | ".join(r) for r in a.table.rows]
    if a.citations:
        lines += ["", "出处："]
        for n, c in enumerate(a.citations, start=1):
            if c.table_id == "derived":
                lines.append(f"[{n}] 计算 {c.table_title} = {c.value}（{c.row_label}）")
                continue
            where = f"p.{c.page}" + (f" L{c.line_start}" + (f"-{c.line_end}" if c.line_end and c.line_end != c.line_start else "")
                                     if c.line_start else "") + (f" bbox={tuple(round(x) for x in c.bbox)}" if c.bbox else "")
            cell = f" 《{c.table_title}》 {c.row_label} / {c.column}" if c.column else ""
            lines.append(f"[{n}] {c.doc_name} {where}{cell}: {c.value}")
    lines += [f"注意：{w}" for w in a.warnings]
    return "\n".join(lines)


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the Answer object as JSON.")
def ask(question: str, as_json: bool) -> None:
    """Answer a question with cited numbers, e.g. `budgetlens ask "汾阳市应急管理局2024年预算收入总计多少？"`."""
    from qa_app.engine import answer

    store = open_store(home())
    try:
        result = answer(store, question)
    finally:
        store.close()
    click.echo(result.model_dump_json(indent=2) if as_json else render(result))
