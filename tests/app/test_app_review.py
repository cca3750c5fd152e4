"""审核: reviewers edit through extractor.review (stored value changes, correction logged), a
concurrent edit of the same cell is refused with a conflict message, analysts cannot edit,
findings are highlighted, queued by severity and can be marked false positives."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractor.store import open_store
from schemas.findings import CellRef, Finding, Severity
from schemas.provenance import Provenance
from schemas.tables import CellKey, TableKind
from tests.app.helpers import YANGCHENG, make_app

TABLE, ROW, COL = "final_summary#1", "一、一般公共预算财政拨款收入", "收入/金额"


@pytest.fixture
def yc(app_home):
    store = open_store(app_home)
    return store, store.resolve(YANGCHENG).id


def _open_table(user: str, doc_id: str, table_id: str = TABLE):
    at = make_app("review", user=user)
    at.selectbox(key="review_doc").set_value(doc_id).run()
    return at.selectbox(key="review_table").set_value(table_id).run()


def _edit(at, doc_id: str, value: str, reason: str = "OCR 把 3 读成了 4"):
    editor = at.data_editor[0]
    row = list(editor.value["行"]).index("一、一般公共预算财政拨款收入")
    at.session_state[editor.key] = {"edited_rows": {row: {COL: value}}, "added_rows": [], "deleted_rows": []}
    at.text_input(key=f"reason:{doc_id[:12]}:{TABLE}").set_value(reason)
    at.run()
    at.button(key="editor_save").click()
    return at.run()


def _stored(store, doc_id):
    return store.table(doc_id, TABLE).row(ROW).cell(COL)


def test_reviewer_edit_changes_store_and_logs_correction(yc):
    store, doc_id = yc
    at = _open_table("审核员", doc_id)
    assert not at.exception and len(at.data_editor) == 1
    at = _edit(at, doc_id, "9316.64")
    assert not at.exception, [e.value for e in at.exception]
    assert any("已保存" in s.value for s in at.success), [e.value for e in at.error]
    cell = _stored(store, doc_id)
    assert cell.value.printed == "9316.64" and cell.value.number == Decimal("9316.64")
    assert cell.provenance.path == "reviewer"
    c = store.corrections(doc_id)[-1]
    assert (c.kind, c.author, c.old, c.new, c.reason) == ("cell_value", "审核员", "9316.63", "9316.64", "OCR 把 3 读成了 4")
    assert c.cell == CellKey(doc_id=doc_id, table_id=TABLE, row_key=ROW, column=COL)
    # the page shows the stored value after the save
    assert "9316.64" in list(at.data_editor[0].value[COL])


def test_concurrent_edit_is_a_conflict_and_keeps_the_first_value(yc):
    store, doc_id = yc
    first, second = _open_table("审核员", doc_id), _open_table("审核员", doc_id)  # both load version 0
    first = _edit(first, doc_id, "9316.64")
    assert any("已保存" in s.value for s in first.success)
    second = _edit(second, doc_id, "1.00", reason="我也要改")
    assert not second.exception
    errors = [e.value for e in second.error]
    assert any("冲突" in e and "没有保存" in e for e in errors), errors
    assert _stored(store, doc_id).value.printed == "9316.64"
    assert [c.new for c in store.corrections(doc_id)] == ["9316.64"]
    second.button(key="editor_reload").click()
    second.run()  # after reloading, the second reviewer sees the first reviewer's value
    assert "9316.64" in list(second.data_editor[0].value[COL])


def test_analyst_cannot_edit(yc):
    store, doc_id = yc
    for user in ("分析员", None):
        at = _open_table(user, doc_id) if user else _open_table("", doc_id)
        assert not at.exception
        assert len(at.data_editor) == 0 and len(at.dataframe) >= 2  # table and source lines, read only
        assert any("只读" in i.value for i in at.info)
        assert not any(b.key == "editor_save" for b in at.button) and len(at.form) == 0
    assert store.corrections(doc_id) == []


def _finding(doc_id: str, severity: Severity, rid: str, row: str = ROW) -> Finding:
    key = CellKey(doc_id=doc_id, table_id=TABLE, row_key=row, column=COL)
    from schemas.provenance import Provenance

    return Finding(id=rid, doc_id=doc_id, rule_id=f"rule.{rid}", severity=severity, message=f"测试 {rid}",
                   expected=Decimal("1"), actual=Decimal("2"), difference=Decimal("1"), table_ids=[TABLE],
                   cells=[CellRef(key=key, printed="9316.63", provenance=Provenance(doc_id=doc_id, page=1))])


def test_findings_highlight_queue_and_false_positive(yc):
    store, doc_id = yc
    store.save_findings(doc_id, [_finding(doc_id, Severity.WARNING, "w1"), _finding(doc_id, Severity.ERROR, "e1"),
                                 _finding(doc_id, Severity.NOT_CHECKED, "n1", row="本年收入合计"),
                                 _finding(doc_id, Severity.ROUNDING, "r1")])
    at = _open_table("审核员", doc_id)
    assert not at.exception
    queue = at.dataframe(key="df-queue").value
    order = ["错误", "尾数差", "提示", "未检查"]
    ranks = [order.index(s.split()[-1]) for s in queue["严重度"]]
    assert ranks == sorted(ranks)  # error > rounding > warning > not_checked, across documents
    ours = queue[queue["规则"].str.startswith("rule.")]
    assert [s.split()[-1] for s in ours["严重度"]] == order
    table = at.dataframe[1].value
    assert table.loc[table["行"] == ROW, "检查"].item().endswith("错误")  # worst finding on the row
    findings = next(d.value for d in at.dataframe if "规则" in d.value.columns and "误报" in d.value.columns)
    assert len(findings) == 4
    at.selectbox(key="fp_finding").set_value("w1")
    at.text_input(key="fp_reason").set_value("上年数口径不同")
    at.form_submit_button[[b.label for b in at.form_submit_button].index("标记为误报")].click()
    at.run()
    assert not at.exception
    fp = [c for c in store.corrections(doc_id) if c.kind == "false_positive"]
    assert fp and fp[0].finding_id == "w1" and fp[0].reason == "上年数口径不同"


def test_noise_row_and_reclassify_need_a_reason(yc):
    store, doc_id = yc
    at = _open_table("审核员", doc_id)
    submit = {b.label: b for b in at.form_submit_button}
    at.multiselect(key="noise_rows").set_value(["四、上级补助收入"])
    submit["标记为噪声行"].click()
    at.run()
    assert any("原因" in e.value for e in at.error)
    assert store.corrections(doc_id) == []
    at.multiselect(key="noise_rows").set_value(["四、上级补助收入"])
    at.text_input(key="noise_reason").set_value("空行")
    {b.label: b for b in at.form_submit_button}["标记为噪声行"].click()
    at.run()
    assert not at.exception
    assert store.table(doc_id, TABLE).row("四、上级补助收入").role == "noise"
    at.selectbox(key="reclassify_kind").set_value(TableKind.FINAL_FISCAL_SUMMARY)
    at.text_input(key="reclassify_reason").set_value("标题识别错误")
    {b.label: b for b in at.form_submit_button}["重新分类"].click()
    at.run()
    assert not at.exception
    assert store.table(doc_id, TABLE).kind == "final_fiscal_summary"
    assert [c.kind for c in store.corrections(doc_id)] == ["noise_row", "table_kind"]


def _submit(at, label: str):
    {b.label: b for b in at.form_submit_button}[label].click()
    return at.run()


def test_repair_suggestion_accepted_from_the_page(yc):
    store, doc_id = yc
    key = CellKey(doc_id=doc_id, table_id=TABLE, row_key=ROW, column=COL)
    suggestion = Finding(id="fix1", doc_id=doc_id, rule_id="repair.digit", severity=Severity.INFO,
                         message="疑似误读", suggestion=f"将 {ROW} 由 9316.63 改为 9316.68 可使 2 条规则全部成立",
                         proposed="9316.68", table_ids=[TABLE],
                         cells=[CellRef(key=key, printed="9316.63", provenance=Provenance(doc_id=doc_id, page=1))])
    store.save_findings(doc_id, [*store.findings(doc_id), suggestion])
    at = _open_table("审核员", doc_id)
    assert any("修复建议" in h.value for h in at.subheader)
    at.selectbox(key="repair_finding").set_value("fix1")
    at = _submit(at, "接受：改为建议值")
    assert any("原因" in e.value for e in at.error) and _stored(store, doc_id).value.printed == "9316.63"
    at.selectbox(key="repair_finding").set_value("fix1")
    at.text_input(key="repair_reason").set_value("对照原件")
    at = _submit(at, "接受：改为建议值")
    assert not at.exception, [e.value for e in at.exception]
    assert _stored(store, doc_id).value.printed == "9316.68"
    assert [c.kind for c in store.corrections(doc_id)] == ["accept_repair", "cell_value"]


def test_split_and_merge_from_the_page(yc):
    store, doc_id = yc
    rows = [r.key for r in store.table(doc_id, TABLE).rows]
    at = _open_table("审核员", doc_id)
    at.selectbox(key="split_at").set_value(rows[5])
    at.text_input(key="split_reason").set_value("两张表连在一起")
    at = _submit(at, "拆分")
    assert not at.exception, [e.value for e in at.exception]
    tail_id = f"{TABLE}~{rows[5]}"
    assert [r.key for r in store.table(doc_id, TABLE).rows] == rows[:5]
    assert [r.key for r in store.table(doc_id, tail_id).rows] == rows[5:]
    at = _open_table("审核员", doc_id)
    at.selectbox(key="merge_second").set_value(tail_id)
    at.text_input(key="merge_reason").set_value("其实是同一张表")
    at = _submit(at, "合并")
    assert not at.exception, [e.value for e in at.exception]
    assert [r.key for r in store.table(doc_id, TABLE).rows] == rows and store.table(doc_id, tail_id) is None
    assert [c.kind for c in store.corrections(doc_id)] == ["split_table", "merge_tables"]
