"""Monthly reports: validation in Chinese, authentication, amendments, idempotency (moto and DynamoDB Local)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from enforcewatch.errors import Conflict, Forbidden, InputError, Unauthorized
from enforcewatch.intake import idempotency
from enforcewatch.intake.reports import file_report
from support.submitting import NOW, add_point, inspection, report


def _reports(table, point_id="XX-0001"):
    return list(table.query(f"POINT#{point_id}", "REPORT#", consistent=True))


def _msgs(exc: InputError) -> dict[tuple, str]:
    return {e.loc: e.msg for e in exc.errors}


def test_first_filing_is_stored_with_keys_for_the_deadline_check_and_exports(table):
    code = add_point(table)
    answer = file_report(table, report("XX-0001", code), NOW)
    assert answer == {"ok": True, "point_id": "XX-0001", "month": "2026-02", "seq": 0, "amendment": False,
                      "received_at": "2026-03-03T02:00:00.000000Z"}
    (item,) = _reports(table)
    assert item["sk"] == "REPORT#2026-02#0000"
    assert item["gsi1pk"] == "DISTRICT#weibin" and item["gsi1sk"] == "POINT#XX-0001#REPORT#2026-02#0000"
    assert item["gsi2pk"] == "REPORTS#weibin" and item["gsi2sk"] == "2026-02#XX-0001#0000"
    assert item["district"] == "weibin" and item["inspections"][0]["agency"] == "示范市市场监督管理局"
    assert item["contact"] == {"name": "王经理", "phone": "0373-1234567"}
    assert "access_code" not in item and code not in str(item)
    by_month = list(table.query("REPORTS#weibin", index="gsi2", sk_between=("2026-02", "2026-02~")))
    assert [r["point_id"] for r in by_month] == ["XX-0001"]


def test_empty_inspections_is_a_valid_report(table):
    code = add_point(table)
    assert file_report(table, report("XX-0001", code, inspections=[]), NOW)["seq"] == 0
    assert _reports(table)[0]["inspections"] == []


def test_second_filing_is_an_amendment_and_the_first_is_untouched(table):
    code = add_point(table)
    first = file_report(table, report("XX-0001", code), NOW)
    later = datetime(2026, 3, 9, tzinfo=UTC)
    second = file_report(table, report("XX-0001", code, inspections=[]), later)
    assert (first["seq"], second["seq"], second["amendment"]) == (0, 1, True)
    items = _reports(table)
    assert [i["sk"] for i in items] == ["REPORT#2026-02#0000", "REPORT#2026-02#0001"]
    assert items[0]["received_at"] == "2026-03-03T02:00:00.000000Z" and len(items[0]["inspections"]) == 1


@pytest.mark.parametrize("point_id, use_code", [("XX-0001", False), ("NO-SUCH", True)])
def test_wrong_code_and_unknown_point_get_the_same_401(table, point_id, use_code):
    code = add_point(table)
    other = "ABCD-EFGH-JKMN-PQRS-TVWX"
    with pytest.raises(Unauthorized) as exc:
        file_report(table, report(point_id, code if use_code else other), NOW)
    assert exc.value.message == "监测点编号或访问码不正确"
    assert _reports(table) == []


def test_inactive_point_is_refused(table):
    code = add_point(table, status="revoked")
    with pytest.raises(Forbidden):
        file_report(table, report("XX-0001", code), NOW)


@pytest.mark.parametrize("month", ["2026-03", "2026-04"])
def test_month_not_ended_is_refused(moto_table, month):
    code = add_point(moto_table)
    with pytest.raises(InputError) as exc:
        file_report(moto_table, report("XX-0001", code, month=month, inspections=[]), NOW)
    assert "尚未结束" in _msgs(exc.value)[("month",)]
    assert _reports(moto_table) == []


def test_month_ends_in_china_time_not_utc(moto_table):
    code = add_point(moto_table)
    # 2026-02-28 16:30 UTC is already 2026-03-01 00:30 in China: February is over.
    just_after = datetime(2026, 2, 28, 16, 30, tzinfo=UTC)
    assert file_report(moto_table, report("XX-0001", code), just_after)["seq"] == 0
    code2 = add_point(moto_table, "XX-0002", seed=2)
    with pytest.raises(InputError):
        file_report(moto_table, report("XX-0002", code2), datetime(2026, 2, 28, 15, 59, tzinfo=UTC))


def test_month_before_reporting_from_is_refused(moto_table):
    code = add_point(moto_table, reporting_from="2026-02")
    with pytest.raises(InputError) as exc:
        file_report(moto_table, report("XX-0001", code, month="2026-01", inspections=[]), NOW)
    assert "2026-02" in _msgs(exc.value)[("month",)]


def test_field_errors_are_chinese_name_the_field_and_are_all_reported(moto_table):
    code = add_point(moto_table)
    bad = report("XX-0001", code, month="2026-13", contact_phone="abc", inspections=[
        inspection(date="2026-02-30", officer_count=0, satisfaction="还行"),
    ])
    del bad["contact_name"]
    with pytest.raises(InputError) as exc:
        file_report(moto_table, bad, NOW)
    msgs = _msgs(exc.value)
    assert msgs[("month",)] == "报送月份：格式不正确"
    assert msgs[("contact_name",)] == "联系人：必填"
    assert msgs[("contact_phone",)] == "联系电话：格式不正确"
    assert msgs[("inspections", 0, "officer_count")] == "检查记录（第1条）·执法人员人数：不能小于1"
    assert msgs[("inspections", 0, "date")].startswith("检查记录（第1条）·检查日期：日期格式")
    assert msgs[("inspections", 0, "satisfaction")].startswith("检查记录（第1条）·满意度：请从给定选项中选择")
    assert _reports(moto_table) == []


def test_cross_field_rules(moto_table):
    code = add_point(moto_table)
    bad = report("XX-0001", code, attest=False, inspections=[
        inspection(), inspection(date="2026-01-31", misconduct=["重复检查"], comment=None),
    ])
    with pytest.raises(InputError) as exc:
        file_report(moto_table, bad, NOW)
    msgs = _msgs(exc.value)
    assert set(msgs) == {("attest",), ("inspections", 1, "date"), ("inspections", 1, "comment")}
    assert "应在报送月份2026-02内" in msgs[("inspections", 1, "date")]


def test_unknown_field_is_refused(moto_table):
    code = add_point(moto_table)
    with pytest.raises(InputError) as exc:
        file_report(moto_table, report("XX-0001", code, secret_field="x"), NOW)
    assert _msgs(exc.value)[("secret_field",)] == "secret_field：不是本表的字段"


def test_retry_with_the_same_key_returns_the_first_answer_and_stores_nothing_new(table):
    code = add_point(table)
    key = "k" * 20
    first = file_report(table, report("XX-0001", code), NOW, key)
    again = file_report(table, report("XX-0001", code), datetime(2026, 3, 3, 3, tzinfo=UTC), key)
    assert again == first
    assert len(_reports(table)) == 1
    with pytest.raises(Conflict):
        file_report(table, report("XX-0001", code, inspections=[]), NOW, key)
    assert len(_reports(table)) == 1


def test_expired_key_is_a_new_submission(moto_table):
    code = add_point(moto_table)
    key = "e" * 20
    file_report(moto_table, report("XX-0001", code), NOW, key)
    later = NOW + idempotency.TTL * 2
    assert file_report(moto_table, report("XX-0001", code), later, key)["seq"] == 1


def test_malformed_key_is_refused(moto_table):
    code = add_point(moto_table)
    with pytest.raises(InputError):
        file_report(moto_table, report("XX-0001", code), NOW, "short")
    assert _reports(moto_table) == []


def test_a_concurrent_filing_takes_the_next_number_and_never_overwrites(table, monkeypatch):
    code = add_point(table)
    file_report(table, report("XX-0001", code), NOW)
    real_query = table.query
    calls = []

    def stale_query(*args, **kwargs):  # as if the first filing landed after we counted
        calls.append(args)
        return iter([]) if len(calls) == 1 else real_query(*args, **kwargs)

    monkeypatch.setattr(table, "query", stale_query)
    answer = file_report(table, report("XX-0001", code, inspections=[]), NOW)
    assert answer["seq"] == 1
    monkeypatch.undo()
    first, second = _reports(table)
    assert len(first["inspections"]) == 1 and second["inspections"] == []


@pytest.mark.ddb_local
def test_dynamodb_local_reports_the_error_codes_the_store_translates(local_table):
    """moto is lenient; DynamoDB Local is the contract: these codes are what dynamoerrors.translate relies on."""
    from botocore.exceptions import ClientError

    from enforcewatch.store.attrvalues import to_attr

    item = {"pk": "POINT#X", "sk": "REPORT#2026-02#0000"}
    local_table.put_new(item)
    with pytest.raises(ClientError) as exc:
        local_table.client.put_item(TableName=local_table.name, Item=to_attr(item),
                                    ConditionExpression="attribute_not_exists(pk)")
    assert exc.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    with pytest.raises(ClientError) as exc:
        local_table.client.transact_write_items(TransactItems=[
            {"Put": {"TableName": local_table.name, "Item": to_attr(item), "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": local_table.name, "Item": to_attr({"pk": "IDEM#1", "sk": "IDEM"}),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ])
    assert exc.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in exc.value.response["CancellationReasons"]]
    assert reasons == ["ConditionalCheckFailed", "None"]
    assert local_table.get("IDEM#1", "IDEM") is None  # all or nothing
    with pytest.raises(Conflict):
        local_table.transact_put_new([item])
