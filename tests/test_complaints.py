"""Complaints and receipts: stored once with a hashed receipt, look-up shows status and reply only."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from enforcewatch import codes
from enforcewatch.complaints import file_complaint, look_up
from enforcewatch.errors import Conflict, InputError, NotFound
from submitting import NOW, complaint


def _complaints(table):
    return list(table.query("COMPLAINTS", index="gsi2"))


def test_complaint_is_stored_and_the_receipt_only_as_a_hash(table):
    answer = file_complaint(table, complaint(), NOW, random.Random(7))
    code = answer["receipt"]
    assert codes.normalize(code) == code and answer["status"] == "收到"
    assert codes.ENTROPY_BITS >= 80
    (item,) = _complaints(table)
    assert item["agency"] == "示范市某执法大队" and item["status"] == "收到" and "reply" not in item
    assert item["gsi2sk"].startswith("2026-03#2026-03-03T02:00:00.000000Z#")
    receipt = table.get(f"RECEIPT#{codes.hash_code(code)}", "RECEIPT")
    assert receipt["complaint_id"] == item["complaint_id"]
    everything = str(list(table.client.scan(TableName=table.name)["Items"]))
    assert code not in everything and code.replace("-", "") not in everything


def test_receipt_shows_status_and_reply_and_nothing_else(table):
    code = file_complaint(table, complaint(), NOW, random.Random(7))["receipt"]
    assert look_up(table, code.lower().replace("-", " ")).model_dump() == {"status": "收到", "reply": None}
    (item,) = _complaints(table)
    table.update(item["pk"], "COMPLAINT", {"status": "已办结", "reply": "已责成整改。"})
    assert look_up(table, code).model_dump() == {"status": "已办结", "reply": "已责成整改。"}


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN-PQRS-TVWX", "not a code", ""])
def test_unknown_receipt_is_not_found(moto_table, code):
    file_complaint(moto_table, complaint(), NOW, random.Random(7))
    with pytest.raises(NotFound):
        look_up(moto_table, code)


def test_anonymous_complaint_without_identity_is_accepted(moto_table):
    data = complaint(complainant_type="匿名", wants_reply=False)
    for name in ("name", "uscc", "phone"):
        del data[name]
    assert file_complaint(moto_table, data, NOW, random.Random(1))["ok"]


def test_anonymous_with_identity_is_refused_naming_the_fields(moto_table):
    with pytest.raises(InputError) as exc:
        file_complaint(moto_table, complaint(complainant_type="匿名"), NOW, random.Random(1))
    assert {e.loc for e in exc.value.errors} == {("name",), ("uscc",), ("phone",)}
    assert _complaints(moto_table) == []


@pytest.mark.parametrize("value, expected", [
    ("91410700MA44XTBU0P", "统一社会信用代码：统一社会信用代码校验位不正确，请核对后重新填写"),
    ("9141070", "统一社会信用代码：统一社会信用代码应为18位，当前为7位"),
])
def test_uscc_is_checked_by_its_check_character(moto_table, value, expected):
    with pytest.raises(InputError) as exc:
        file_complaint(moto_table, complaint(uscc=value), NOW, random.Random(1))
    assert [e.msg for e in exc.value.errors] == [expected]


def test_lower_case_uscc_is_accepted_and_stored_upper(moto_table):
    file_complaint(moto_table, complaint(uscc="91410700ma44xtbu0k"), NOW, random.Random(1))
    assert _complaints(moto_table)[0]["uscc"] == "91410700MA44XTBU0K"


def test_field_messages(moto_table):
    bad = complaint(category="别的", description="太短", incident_date="2026-03-04", attest=False)
    del bad["agency"]
    with pytest.raises(InputError) as exc:
        file_complaint(moto_table, bad, NOW, random.Random(1))
    msgs = {e.loc: e.msg for e in exc.value.errors}
    assert msgs[("agency",)] == "被投诉单位：必填"
    assert msgs[("description",)] == "事实和理由：至少填写10个字"
    assert msgs[("category",)].startswith("投诉类别：请从给定选项中选择")
    with pytest.raises(InputError) as exc:
        file_complaint(moto_table, complaint(incident_date="2026-03-04", attest=False), NOW, random.Random(1))
    assert {e.loc for e in exc.value.errors} == {("incident_date",), ("attest",)}


def test_retry_with_the_same_key_returns_the_same_receipt(table):
    key = "c" * 24
    first = file_complaint(table, complaint(), NOW, random.Random(1), key)
    again = file_complaint(table, complaint(), datetime(2026, 3, 3, 5, tzinfo=UTC), random.Random(2), key)
    assert again == first
    assert len(_complaints(table)) == 1
    assert look_up(table, again["receipt"]).status == "收到"
    with pytest.raises(Conflict):
        file_complaint(table, complaint(request="另一个请求"), NOW, random.Random(3), key)
    idem = [i for i in table.client.scan(TableName=table.name)["Items"] if i["pk"]["S"].startswith("IDEM#")]
    assert len(idem) == 1 and first["receipt"] not in str(idem)
