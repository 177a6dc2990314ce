"""The quick line rewrite of a changed list item (listlines.edit_scalars): used only where the
result reads back as the item the import wants; otherwise None, and ruamel.yaml rewrites it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from enforcewatch.sitegen.listlines import edit_scalars
from enforcewatch.sitegen.listyaml import _plain

CHUNK = """  - id: scjg-cf-001   # ✔ 核对
    department: scjg
    name: 对某行为的行政处罚
    handling_unit: 综合行政执法支队   # 2025 年调整
    basis: [{law: 《中华人民共和国行政处罚法》, provisions: [第三十二条]}]
    updated: 2025-01-15

  # ───── 下一部门 ─────
"""
FIELDS = ("id", "name", "handling_unit", "basis", "notes", "updated", "status")


def entry() -> dict[str, Any]:
    read = yaml.safe_load(CHUNK)
    assert isinstance(read, list)
    return dict(read[0])


def test_changed_scalars_are_rewritten_in_their_lines_keeping_comments() -> None:
    values = {**entry(), "handling_unit": "食品安全监管科: 一科", "updated": dt.date(2026, 12, 4)}
    out = edit_scalars(CHUNK, entry(), values, FIELDS, 2, _plain)
    assert out is not None
    assert "    handling_unit: '食品安全监管科: 一科'   # 2025 年调整\n" in out
    assert "    updated: 2026-12-04\n" in out and "# ✔ 核对" in out and out.endswith("# ───── 下一部门 ─────\n")
    assert yaml.safe_load(out)[0] == {**entry(), "handling_unit": "食品安全监管科: 一科", "updated": dt.date(2026, 12, 4)}


def test_a_new_scalar_field_goes_after_the_items_last_line() -> None:
    out = edit_scalars(CHUNK, entry(), {**entry(), "status": "已取消"}, FIELDS, 2, _plain)
    assert out is not None
    assert "    updated: 2025-01-15\n    status: 已取消\n\n  # ───── 下一部门 ─────\n" in out


def test_a_list_change_or_a_removed_field_is_left_to_ruamel() -> None:
    laws = [{"law": "《中华人民共和国行政处罚法》", "provisions": ["第三十三条"]}]
    assert edit_scalars(CHUNK, entry(), {**entry(), "basis": laws}, FIELDS, 2, _plain) is None
    assert edit_scalars(CHUNK, entry(), {**entry(), "name": ""}, FIELDS, 2, _plain) is None  # a field removed


def test_a_value_that_does_not_read_back_is_left_to_ruamel() -> None:
    folded = CHUNK.replace("name: 对某行为的行政处罚\n", "name: 对某行为的\n      行政处罚\n")
    assert edit_scalars(folded, entry(), {**entry(), "name": "新名称"}, FIELDS, 2, _plain) is None
    unchanged = edit_scalars(CHUNK, entry(), entry(), FIELDS, 2, _plain)
    assert unchanged == CHUNK


def test_items_are_found_from_the_plan_only_where_each_chunk_names_its_id() -> None:
    from enforcewatch.sitegen.listyaml import _ids_from_plan

    other = CHUNK.replace("scjg-cf-001", "scjg-cf-002").replace("# ✔ 核对", "")
    chunks = [CHUNK, other]
    order = [("scjg-cf-001", "scjg"), ("scjg-cf-002", "scjg")]
    assert _ids_from_plan(chunks, order, 2) == (["scjg-cf-001", "scjg-cf-002"], ["scjg", "scjg"])
    assert _ids_from_plan(chunks, order[::-1], 2) is None  # the file changed since the plan read it
    assert _ids_from_plan(chunks, order[:1], 2) is None
    assert _ids_from_plan([CHUNK, other.replace("    name:", "    id: x\n    name:")], order, 2) is None
