"""The flag queue against the store (moto and DynamoDB Local): states stored by the check, flags
closing at once when staff act, the paged queue by point, and the reason labels."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from enforcewatch import codes
from enforcewatch.errors import Forbidden, InputError, NotFound
from enforcewatch.monitoring import events, flagqueue, flags
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.staff import staffing
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable
from support.items import put_point, put_report

CAL = WorkCalendar()
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)  # 2026-11-23 09:00 China time
AS_OF = dt.date(2026, 11, 23)
OFFICE = staffing.Scope("city", "office", None, ("chengguan", "dongshan"))
CHENGGUAN = staffing.Scope("cg", "district", "chengguan", ("chengguan", "dongshan"))


def flag(table: DynamoTable, pid: str, kind: str, key: str) -> dict:
    item = table.get(f"POINT#{pid}", f"FLAG#{kind}#{key}")
    assert item is not None, f"{pid} {kind} {key} not stored"
    return item


def test_the_check_stores_state_and_closes_what_a_late_report_resolves(table: DynamoTable) -> None:
    put_point(table, "A", reporting_from="2026-09")
    put_report(table, "A", "2026-09", "2026-10-01T02:00:00.000000Z")
    flags.run(table, ["chengguan"], CAL, dt.date(2026, 11, 6), NOW)
    assert flag(table, "A", "overdue", "2026-10")["state"] == "open"
    put_report(table, "A", "2026-10", "2026-11-09T02:00:00.000000Z")  # late
    flags.run(table, ["chengguan"], CAL, dt.date(2026, 11, 9), NOW)  # received on the day itself: not yet
    assert flag(table, "A", "overdue", "2026-10")["state"] == "open"
    flags.run(table, ["chengguan"], CAL, dt.date(2026, 11, 10), NOW)
    item = flag(table, "A", "overdue", "2026-10")
    assert (item["state"], item["closed_on"], item["closed_because"]) == ("closed", "2026-11-09", "report_arrived")
    assert item[schema.GSI2SK] == "CLOSED#A#overdue#2026-10"
    rerun = flags.run(table, ["chengguan"], CAL, dt.date(2026, 11, 23), NOW)
    assert rerun.new_total == 0 and flag(table, "A", "overdue", "2026-10")["closed_on"] == "2026-11-09"


def test_a_flag_raised_and_resolved_within_a_gap_is_stored_closed(table: DynamoTable) -> None:
    put_point(table, "A", reporting_from="2026-10")
    put_report(table, "A", "2026-10", "2026-11-09T02:00:00.000000Z")
    flags.run(table, ["chengguan"], CAL, AS_OF, NOW)
    item = flag(table, "A", "overdue", "2026-10")
    assert (item["raised_on"], item["state"], item["closed_on"]) == ("2026-11-06", "closed", "2026-11-09")


def test_staff_actions_close_flags_at_once(table: DynamoTable) -> None:
    put_point(table, "A", reporting_from="2026-09")
    put_point(table, "B", reporting_from="2026-09")
    flags.run(table, ["chengguan"], CAL, AS_OF, NOW)  # Sep and Oct missed by both: overdue ×2, reminder_due
    staffing.record_point_event(table, CHENGGUAN, "A", "reminder", "2026-11-23", None, None, NOW)
    for key in ("2026-09", "2026-10"):
        assert flag(table, "A", "overdue", key)["closed_because"] == "reminded"
    assert flag(table, "A", "reminder_due", "2026-10")["closed_on"] == "2026-11-23"
    assert flag(table, "B", "reminder_due", "2026-10")["state"] == "open"  # another point: untouched
    staffing.set_point_status(table, CHENGGUAN, "B", "terminated", NOW)
    assert flag(table, "B", "overdue", "2026-10")["closed_because"] == "terminated"
    assert flag(table, "B", "reminder_due", "2026-10")["closed_because"] == "terminated"


def test_revocation_decisions_close_the_revocable_flag(table: DynamoTable) -> None:
    for pid in ("A", "B"):
        put_point(table, pid, district="dongshan")
        events.record_event(table, pid, "disqualifying", "2026-10-20", "large_fine", None, recorded_by="t",
                            now=NOW, today=AS_OF)
    flags.run(table, ["dongshan"], CAL, AS_OF, NOW)
    key = events.event_id_for("disqualifying", dt.date(2026, 10, 20), "large_fine")
    with pytest.raises(InputError, match="理由"):
        staffing.decide_revocation(table, OFFICE, "A", key, "keep", "  ", NOW)
    with pytest.raises(NotFound):
        staffing.decide_revocation(table, OFFICE, "A", "2026-01", "keep", "理由", NOW)
    with pytest.raises(InputError, match="decision"):
        staffing.decide_revocation(table, OFFICE, "A", key, "maybe", None, NOW)
    assert flag(table, "A", "revocable", key)["state"] == "open"
    staffing.decide_revocation(table, OFFICE, "A", key, "keep", "罚款已缴清，经研究保留资格", NOW)
    item = flag(table, "A", "revocable", key)
    assert (item["state"], item["closed_because"], item["closed_on"]) == ("closed", "kept", "2026-11-23")
    kept = [e for e in table.query("POINT#A", "EVENT#") if e["kind"] == "revocation_kept"]
    assert [(e["flag_key"], e["note"], e["recorded_by"]) for e in kept] == [(key, "罚款已缴清，经研究保留资格", "city")]
    staffing.decide_revocation(table, OFFICE, "B", key, "revoke", None, NOW)
    assert table.get("POINT#B", "POINT")["status"] == "revoked"
    assert flag(table, "B", "revocable", key)["closed_because"] == "revoked"
    flags.run(table, ["dongshan"], CAL, AS_OF + dt.timedelta(days=1), NOW)  # a rerun keeps the decisions
    assert flag(table, "A", "revocable", key)["closed_because"] == "kept"
    plaque = flag(table, "B", "plaque_to_recover", "revoked")
    assert plaque["state"] == "open"
    staffing.record_point_event(table, OFFICE, "B", "plaque_returned", "2026-11-23", None, None, NOW)
    assert flag(table, "B", "plaque_to_recover", "revoked")["closed_because"] == "plaque_returned"


def test_a_district_cannot_act_on_another_districts_point(table: DynamoTable) -> None:
    put_point(table, "X", district="dongshan")
    with pytest.raises(NotFound):
        staffing.decide_revocation(table, CHENGGUAN, "X", "k", "revoke", None, NOW)
    with pytest.raises(NotFound):
        staffing.reissue_access_code(table, CHENGGUAN, "X", NOW, random.Random(1))
    with pytest.raises(Forbidden):
        staffing.flag_queue(table, CHENGGUAN, "dongshan")
    assert table.get("POINT#X", "POINT")["status"] == "active"


def _backlog(table: DynamoTable, n: int) -> None:
    for i in range(n):
        put_point(table, f"P{i:03d}", district="chengguan" if i % 2 == 0 else "dongshan", reporting_from="2026-08")
    flags.run(table, ["chengguan", "dongshan"], CAL, AS_OF, NOW)


def test_queue_groups_by_point_and_pages_with_a_cursor(table: DynamoTable) -> None:
    _backlog(table, 12)
    first = staffing.flag_queue(table, OFFICE, limit=5)
    assert [p.point_id for p in first.points] == [f"P{i:03d}" for i in range(5)]
    assert first.next_cursor
    kinds = [(f["kind"], f["key"]) for f in first.points[0].flags]
    assert kinds == [("overdue", "2026-08"), ("overdue", "2026-09"), ("reminder_due", "2026-09"),
                     ("overdue", "2026-10"), ("reminder_due", "2026-10")]
    assert first.points[1].district == "dongshan"
    assert (first.points[0].enterprise_name, first.points[0].status) == ("示范企业有限公司", "active")
    view = first.points[0].flags[0]
    assert view["state"] == "open" and view["action"] == "record_reminder" and view["kind_label"] == "逾期未报"
    assert not any(k.startswith(("pk", "sk", "gsi")) for k in view)
    seen = [p.point_id for p in first.points]
    cursor = first.next_cursor
    while cursor:
        page = staffing.flag_queue(table, OFFICE, cursor=cursor, limit=5)
        seen += [p.point_id for p in page.points]
        cursor = page.next_cursor
    assert seen == [f"P{i:03d}" for i in range(12)]
    for bad in ("!!", flagqueue.encode_cursor("\uffff#"), flagqueue.encode_cursor("A#B")):
        with pytest.raises(InputError, match="cursor"):
            staffing.flag_queue(table, OFFICE, cursor=bad)
    with pytest.raises(InputError, match="limit"):
        staffing.flag_queue(table, OFFICE, limit=0)
    own = staffing.flag_queue(table, CHENGGUAN, limit=50)
    assert {p.district for p in own.points} == {"chengguan"} and own.next_cursor is None


def test_queue_filters_by_kind_month_and_state(table: DynamoTable) -> None:
    _backlog(table, 4)
    by_kind = staffing.flag_queue(table, OFFICE, kind="reminder_due")
    assert {f["kind"] for p in by_kind.points for f in p.flags} == {"reminder_due"}
    by_month = staffing.flag_queue(table, OFFICE, month="2026-09")
    assert {(f["kind"], f["key"]) for p in by_month.points for f in p.flags} == {
        ("overdue", "2026-09"), ("reminder_due", "2026-09")}
    staffing.record_point_event(table, OFFICE, "P000", "reminder", "2026-11-23", None, None, NOW)
    assert "P000" not in [p.point_id for p in staffing.flag_queue(table, OFFICE).points]
    closed = staffing.flag_queue(table, OFFICE, state="closed")
    assert [p.point_id for p in closed.points] == ["P000"]
    assert {f["closed_because_label"] for f in closed.points[0].flags} == {"已记录提醒"}
    assert "action" not in closed.points[0].flags[0]
    every = staffing.flag_queue(table, OFFICE, state="all")
    assert len(every.points) == 4
    with pytest.raises(InputError) as bad:
        staffing.flag_queue(table, OFFICE, state="done", kind="late", month="2026-13")
    assert [e.loc[0] for e in bad.value.errors] == ["state", "kind", "month"]


def test_first_page_reads_a_page_not_the_backlog(table: DynamoTable, monkeypatch) -> None:
    _backlog(table, 40)  # 40 points × 5 flags
    returned: list[int] = []
    real = table.client.query

    def counting(**kwargs):
        out = real(**kwargs)
        returned.append(len(out.get("Items", [])))
        return out

    monkeypatch.setattr(table.client, "query", counting)
    page = staffing.flag_queue(table, OFFICE, limit=3)
    assert len(page.points) == 3
    assert sum(returned) < 200 / 2, returned  # far from every flag of the two districts


def test_open_counts_by_kind(table: DynamoTable) -> None:
    _backlog(table, 4)
    staffing.record_point_event(table, OFFICE, "P000", "reminder", "2026-11-23", None, None, NOW)
    counts = flagqueue.open_counts(table, ["chengguan", "dongshan"])
    assert counts["chengguan"] == {"overdue": 3, "reminder_due": 2, "revocable": 0, "terminated": 0,
                                   "plaque_to_recover": 0, "transfer_overdue": 0}
    assert counts["dongshan"]["overdue"] == 6


def test_the_check_lists_older_points_in_the_registry_index(table: DynamoTable) -> None:
    put_point(table, "A")
    assert schema.GSI2PK not in table.get("POINT#A", "POINT")
    flags.run(table, ["chengguan"], CAL, AS_OF, NOW)
    assert [i["point_id"] for i in table.query("POINTS#chengguan", index=schema.GSI2)] == ["A"]


def test_a_reason_is_taken_as_its_code_or_its_chinese_label(table: DynamoTable) -> None:
    put_point(table, "A")
    item = events.record_event(table, "A", "disqualifying", "2026-10-20", "重大安全生产责任事故", None,
                               recorded_by="t", now=NOW, today=AS_OF)
    assert item["reason"] == "safety_accident"
    same = events.record_event(table, "A", "disqualifying", "2026-10-20", "safety_accident", None,
                               recorded_by="t", now=NOW, today=AS_OF)
    assert same["event_id"] == item["event_id"]
    item = events.record_event(table, "A", "terminated", "2026-10-21", " 依法破产 ", None, recorded_by="t",
                               now=NOW, today=AS_OF)
    assert item["reason"] == "bankruptcy"
    with pytest.raises(InputError, match="重大安全生产责任事故（safety_accident）"):
        events.record_event(table, "A", "disqualifying", "2026-10-20", "安全事故", None, recorded_by="t",
                            now=NOW, today=AS_OF)
    with pytest.raises(InputError, match="reason"):  # a label of another kind is not this kind's reason
        events.record_event(table, "A", "terminated", "2026-10-20", "重大安全生产责任事故", None, recorded_by="t",
                            now=NOW, today=AS_OF)
    assert events.reason_choices()["terminated"][0] == {"code": "bankruptcy", "label": "依法破产"}


def test_access_code_reissued_for_one_point_only(table: DynamoTable) -> None:
    put_point(table, "A")
    put_point(table, "B")
    code = staffing.reissue_access_code(table, CHENGGUAN, "A", NOW, random.Random(7))
    assert table.get("POINT#A", "POINT")["access_code_hash"] == codes.hash_code(code)
    assert "access_code_hash" not in table.get("POINT#B", "POINT")
    again = staffing.reissue_access_code(table, CHENGGUAN, "A", NOW, random.Random(8))
    assert again != code and table.get("POINT#A", "POINT")["access_code_hash"] == codes.hash_code(again)


def test_store_counts_a_key_range_and_batch_reads_keys(table: DynamoTable) -> None:
    """The two store operations the queue and the dashboard add: Select=COUNT and BatchGetItem."""
    table.batch_put([{"pk": f"C#{i:03d}", "sk": "X", schema.GSI2PK: "COUNTME",
                      schema.GSI2SK: f"{'a' if i % 3 else 'b'}#{i:03d}"} for i in range(130)])
    assert table.count("COUNTME", index=schema.GSI2) == 130
    assert table.count("COUNTME", index=schema.GSI2, sk_prefix="b#") == 44
    assert table.count("NOTHING", index=schema.GSI2) == 0
    keys = [(f"C#{i:03d}", "X") for i in range(0, 130, 1)] + [("C#999", "X"), ("C#000", "X")]
    got = table.batch_get(keys)  # over 100 keys: two calls; a missing key is left out; a repeat read once
    assert sorted(i["pk"] for i in got) == [f"C#{i:03d}" for i in range(130)]
    assert table.batch_get([]) == []
