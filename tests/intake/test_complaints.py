"""Complaints and receipts: one self-contained item per complaint, written by one conditional PutItem;
the receipt code is stored only as a hash, and the look-up shows status and reply only."""

from __future__ import annotations

import functools
import random
from datetime import UTC, datetime, timedelta

import pytest

from enforcewatch import codes
from enforcewatch.errors import Conflict, InputError, NotFound
from enforcewatch.intake import complaints
from enforcewatch.intake.complaints import complaint_id_for, look_up, receipt_code
from support.submitting import NOW, complaint

SECRET = "receipt-secret-for-tests-0123456789abcdef"
file_complaint = functools.partial(complaints.file_complaint, secret=SECRET)


def _complaints(table):
    return list(table.query("COMPLAINTS", index="gsi2"))


def _scan(table):
    return table.client.scan(TableName=table.name)["Items"]


def test_complaint_is_one_item_and_the_receipt_only_as_a_hash(table):
    answer = file_complaint(table, complaint(), NOW, random.Random(7))
    code = answer["receipt"]
    assert codes.normalize(code) == code and answer["status"] == "收到"
    assert codes.ENTROPY_BITS == 100
    (item,) = _complaints(table)
    assert item["agency"] == "示范市某执法大队" and item["status"] == "收到" and "reply" not in item
    assert item["gsi2sk"].startswith("2026-03#2026-03-03T02:00:00.000000Z#")
    assert item["receipt_hash"] == codes.hash_code(code)
    assert item["pk"] == f"COMPLAINT#{item['complaint_id']}" and item["complaint_id"] == complaint_id_for(
        codes.hash_code(code))
    assert len(_scan(table)) == 1  # no receipt item, no idempotency record
    everything = str(_scan(table))
    assert code not in everything and code.replace("-", "") not in everything


def test_a_key_derives_the_code_under_the_secret_only(table):
    key = "k" * 20
    answer = file_complaint(table, complaint(), NOW, random.Random(1), key)
    assert answer["receipt"] == receipt_code(SECRET, key, 0)
    assert receipt_code("another-secret-0123456789abcdef-xyz", key, 0) != answer["receipt"]
    assert receipt_code(SECRET, key, 1) != answer["receipt"]
    (item,) = _scan(table)
    assert key not in str(item)  # neither the key nor anything that finds the item from it alone


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
    with pytest.raises(Conflict) as exc:
        file_complaint(table, complaint(request="另一个请求"), NOW, random.Random(3), key)
    assert exc.value.errors[0].loc == ("idempotency_key",)
    assert len(_scan(table)) == 1 and not any(i["pk"]["S"].startswith(("IDEM#", "RECEIPT#")) for i in _scan(table))


def test_retry_gets_the_first_answer_after_staff_changed_the_status(table):
    key = "s" * 24
    first = file_complaint(table, complaint(), NOW, random.Random(1), key)
    (item,) = _complaints(table)
    table.update(item["pk"], "COMPLAINT", {"status": "处理中"})
    assert file_complaint(table, complaint(), NOW + timedelta(hours=1), random.Random(2), key) == first


def test_without_a_key_every_post_is_a_new_complaint(table):
    first = file_complaint(table, complaint(), NOW, random.Random(1))
    second = file_complaint(table, complaint(), NOW, random.Random(2))
    assert first["receipt"] != second["receipt"] and len(_complaints(table)) == 2


def test_after_the_window_the_same_key_files_a_new_complaint_and_its_retry_is_idempotent(table):
    key = "w" * 24
    ttl = timedelta(hours=24)
    first = file_complaint(table, complaint(), NOW, random.Random(1), key, ttl)
    later = NOW + ttl
    second = file_complaint(table, complaint(), later, random.Random(2), key, ttl)
    assert second["receipt"] != first["receipt"] and second["received_at"] != first["received_at"]
    assert file_complaint(table, complaint(), later + timedelta(hours=1), random.Random(3), key, ttl) == second
    with pytest.raises(Conflict):  # inside the second window, another body is still refused
        file_complaint(table, complaint(request="另一个请求"), later, random.Random(4), key, ttl)
    assert len(_complaints(table)) == 2
    assert look_up(table, first["receipt"]).status == look_up(table, second["receipt"]).status == "收到"


def test_an_id_collision_moves_a_keyed_complaint_to_its_next_generation(table):
    key = "x" * 24
    taken = complaint_id_for(codes.hash_code(receipt_code(SECRET, key, 0)))
    table.put({"pk": f"COMPLAINT#{taken}", "sk": "COMPLAINT", "complaint_id": taken, "status": "已办结",
               "receipt_hash": "0" * 64, "fingerprint": "other", "received_at": "2026-03-03T01:00:00.000000Z"})
    answer = file_complaint(table, complaint(), NOW, random.Random(1), key)
    assert answer["receipt"] == receipt_code(SECRET, key, 1)
    assert file_complaint(table, complaint(), NOW, random.Random(2), key) == answer
    assert look_up(table, answer["receipt"]).status == "收到"


def test_a_random_code_that_collides_is_drawn_again(table):
    first = file_complaint(table, complaint(), NOW, random.Random(5))
    second = file_complaint(table, complaint(), NOW, random.Random(5))  # draws the same code first
    assert first["receipt"] != second["receipt"] and len(_complaints(table)) == 2


def test_a_key_reused_beyond_its_generations_is_refused(moto_table):
    key = "g" * 24
    for generation in range(complaints.GENERATIONS):
        file_complaint(moto_table, complaint(), NOW + generation * timedelta(days=1), random.Random(1), key)
    with pytest.raises(Conflict):
        file_complaint(moto_table, complaint(), NOW + timedelta(days=complaints.GENERATIONS), random.Random(1), key)
    assert len(_complaints(moto_table)) == complaints.GENERATIONS


def test_wrong_code_with_the_same_printed_prefix_is_not_found(table):
    code = file_complaint(table, complaint(), NOW, random.Random(7))["receipt"]
    last = code[-1]
    wrong = code[:-1] + ("0" if last != "0" else "1")
    with pytest.raises(NotFound):
        look_up(table, wrong)


def test_an_item_found_by_id_whose_full_hash_differs_is_not_found(table):
    code = file_complaint(table, complaint(), NOW, random.Random(7))["receipt"]
    (item,) = _complaints(table)
    real = item["receipt_hash"]
    table.update(item["pk"], "COMPLAINT", {"receipt_hash": real[:-1] + ("0" if real[-1] != "0" else "1")})
    with pytest.raises(NotFound):
        look_up(table, code)  # same id (80 bits of the hash), different full hash: not this code's complaint


def test_receipts_of_complaints_filed_before_keep_working(table):
    code = "7KQ2-M9XD-3F5G-H8JN-ABCD"
    table.put({"pk": "COMPLAINT#20260101-ABCDEFGH", "sk": "COMPLAINT", "complaint_id": "20260101-ABCDEFGH",
               "status": "已回复", "reply": "已答复。", "received_at": "2026-01-01T02:00:00.000000Z"})
    table.put({"pk": f"RECEIPT#{codes.hash_code(code)}", "sk": "RECEIPT", "kind": "receipt",
               "complaint_id": "20260101-ABCDEFGH", "created_at": "2026-01-01T02:00:00.000000Z"})
    assert look_up(table, code.lower()).model_dump() == {"status": "已回复", "reply": "已答复。"}
    with pytest.raises(NotFound):
        look_up(table, "7KQ2-M9XD-3F5G-H8JN-ABCE")
