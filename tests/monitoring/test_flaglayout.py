"""The open-flag range of gsi2 (enforcewatch.monitoring.flagkeys) on moto and DynamoDB Local: it holds
exactly the open flags after every closing, the queue's first page is one limited Query per district,
the queue pages through it, stays in scope, and flags of the older key layout are rekeyed by the
daily check."""

from __future__ import annotations

import datetime as dt

from enforcewatch.monitoring import flagkeys, flagqueue, flags
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.staff import staffing
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable
from support.items import put_point, put_report

CAL = WorkCalendar()
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 11, 23)
DISTRICTS = ("chengguan", "dongshan")
OFFICE = staffing.Scope("city", "office", None, DISTRICTS)
DONGSHAN = staffing.Scope("ds", "district", "dongshan", DISTRICTS)


def _all_flags(table: DynamoTable) -> list[dict]:
    return [i for d in DISTRICTS for i in table.query(f"DISTRICT#{d}", index=schema.GSI1)
            if i["sk"].startswith("FLAG#")]


def _open_range(table: DynamoTable) -> set[tuple[str, str]]:
    return {(i["point_id"], i["sk"]) for d in DISTRICTS
            for i in table.query(f"FLAGS#{d}", flagkeys.OPEN_PREFIX, index=schema.GSI2)}


def assert_index_exact(table: DynamoTable) -> None:
    """The open range holds every flag without `closed_because` and nothing else; each flag's key
    matches its state."""
    stored = _all_flags(table)
    assert _open_range(table) == {(i["point_id"], i["sk"]) for i in stored if not i.get("closed_because")}
    for item in stored:
        assert item[schema.GSI2SK] == flagkeys.expected_gsi2sk(item), item
        assert item["state"] == ("closed" if item.get("closed_because") else "open")


def _backlog(table: DynamoTable, n: int) -> None:
    for i in range(n):
        put_point(table, f"P{i:03d}", district=DISTRICTS[i % 2], reporting_from="2026-08")
    flags.run(table, DISTRICTS, CAL, AS_OF, NOW)


def test_closing_moves_a_flag_out_of_the_open_range_in_the_same_write(table: DynamoTable) -> None:
    _backlog(table, 6)
    assert_index_exact(table)
    assert len(_open_range(table)) == 6 * 5  # overdue Aug–Oct, reminder_due Sep and Oct
    staffing.record_point_event(table, OFFICE, "P000", "reminder", "2026-11-23", None, None, NOW)
    staffing.set_point_status(table, OFFICE, "P001", "terminated", NOW)
    put_report(table, "P002", "2026-10", "2026-11-20T02:00:00.000000Z")  # late: closes the Oct overdue flag
    flags.run(table, DISTRICTS, CAL, AS_OF + dt.timedelta(days=1), NOW)
    assert_index_exact(table)
    left = _open_range(table)
    assert {sk for pid, sk in left if pid in ("P000", "P001")} == {"FLAG#plaque_to_recover#terminated"}
    assert ("P002", "FLAG#overdue#2026-10") not in left and ("P002", "FLAG#overdue#2026-09") in left
    closed = table.get("POINT#P000", "FLAG#overdue#2026-08")
    assert closed[schema.GSI2SK] == "CLOSED#P000#overdue#2026-08"
    # A flag closed once is not moved again by a later closing rule or rerun.
    assert not flags.close_flag(table, closed, flags.state_from_item(closed))
    assert table.get("POINT#P000", "FLAG#overdue#2026-08")["closed_because"] == "reminded"


def test_first_page_is_one_query_for_the_office_one_range_a_district(table: DynamoTable, monkeypatch) -> None:
    _backlog(table, 30)
    calls: list[dict] = []
    real = table.client.query

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(table.client, "query", counting)
    page = staffing.flag_queue(table, OFFICE, limit=2)
    assert [p.point_id for p in page.points] == ["P000", "P001"]
    # The city office's open flags: one limited Query of gsi3, not one per district (or kind).
    [call] = calls
    assert call["IndexName"] == schema.GSI3 and 0 < call["Limit"] < 5 * 30, call
    assert call["ExpressionAttributeValues"][":h"]["S"] == flagkeys.OPEN_FLAGS
    calls.clear()
    staffing.flag_queue(table, OFFICE, state="closed", limit=2)  # closed ones: a gsi2 range a district
    assert sorted(c["ExpressionAttributeValues"][":h"]["S"] for c in calls) == ["FLAGS#chengguan", "FLAGS#dongshan"]
    assert all(c["IndexName"] == schema.GSI2 and c["Limit"] > 0 for c in calls)
    calls.clear()
    staffing.flag_queue(table, DONGSHAN, limit=4)
    # A district's own queue reads only its own range (here a second, larger query: 5 flags a point).
    assert {c["ExpressionAttributeValues"][":h"]["S"] for c in calls} == {"FLAGS#dongshan"} and len(calls) <= 2


def test_paging_through_the_open_range_sees_every_open_flag_once(table: DynamoTable) -> None:
    _backlog(table, 9)
    staffing.record_point_event(table, OFFICE, "P004", "reminder", "2026-11-23", None, None, NOW)
    seen: list[tuple[str, str, str]] = []
    cursor = None
    while True:
        page = staffing.flag_queue(table, OFFICE, cursor=cursor, limit=2)
        seen += [(p.point_id, f["kind"], f["key"]) for p in page.points for f in p.flags]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 8 * 5
    assert {(pid, f"FLAG#{kind}#{key}") for pid, kind, key in seen} == _open_range(table)
    own = staffing.flag_queue(table, DONGSHAN, limit=50)
    assert {p.district for p in own.points} == {"dongshan"} and len(own.points) == 4  # P001 P003 P005 P007
    assert sum(flagqueue.open_counts(table, ["dongshan"])["dongshan"].values()) == 4 * 5


def test_the_daily_check_rekeys_flags_of_the_older_layout(table: DynamoTable) -> None:
    _backlog(table, 2)
    old_open = table.get("POINT#P000", "FLAG#overdue#2026-09")
    old_closed = table.get("POINT#P001", "FLAG#overdue#2026-09")
    # As stored before this layout: kind first, lower-case `closed#`, and no `state` on the oldest.
    table.update("POINT#P000", "FLAG#overdue#2026-09", {schema.GSI2SK: "overdue#P000#2026-09"})
    table.update("POINT#P001", "FLAG#overdue#2026-09",
                 {schema.GSI2SK: "closed#overdue#P001#2026-09", "state": "closed", "closed_on": "2026-11-10",
                  "closed_because": "reminded"})
    assert ("P000", old_open["sk"]) not in _open_range(table)  # unreadable by the queue until rekeyed
    flags.run(table, DISTRICTS, CAL, AS_OF, NOW)  # a rerun: nothing new, only the keys
    assert table.get("POINT#P000", old_open["sk"])[schema.GSI2SK] == "OPEN#P000#overdue#2026-09"
    assert table.get("POINT#P001", old_closed["sk"])[schema.GSI2SK] == "CLOSED#P001#overdue#2026-09"
    assert_index_exact(table)
    page = staffing.flag_queue(table, OFFICE)
    assert ("overdue", "2026-09") in [(f["kind"], f["key"]) for f in page.points[0].flags]
    # A stale open key is never written over a flag closed meanwhile.
    stale = {**old_open, schema.GSI2SK: "overdue#P000#2026-09"}
    staffing.record_point_event(table, OFFICE, "P000", "reminder", "2026-11-23", None, None, NOW)
    assert flagkeys.rekey(table, [stale]) == 0
    assert table.get("POINT#P000", old_open["sk"])[schema.GSI2SK].startswith(flagkeys.CLOSED_PREFIX)
