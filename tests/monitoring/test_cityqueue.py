"""The city office's open-flag queue read from gsi3 (enforcewatch.monitoring.flagkeys) on moto and
DynamoDB Local: the same pages as the districts' gsi2 ranges merged, cursor by cursor, over a mix of
districts, kinds, points, closed flags and the office's own transfers; the closing write takes a flag
out of gsi3; the daily check gives flags stored before gsi3 their keys; a kept table gains the index."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from enforcewatch import local
from enforcewatch.casework import transfers
from enforcewatch.monitoring import events, flagkeys, flagqueue, flags
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.staff import staffing
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable
from support.items import put_point, put_report

CAL = WorkCalendar()
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 11, 23)
DISTRICTS = ("chengguan", "dongshan", "xishan")
OFFICE = staffing.Scope("city", "office", None, DISTRICTS)


def _transfer(table: DynamoTable, transfer_id: str, *, point: tuple[str, str] | None = None,
              complaint: str | None = None) -> None:
    """A transfer open past its deadline: of a point (its district's), or of a complaint clue (the
    office's own, `FLAGS#office`)."""
    if point:
        pid, district = point
        owner = {"pk": f"POINT#{pid}", "point_id": pid, "district": district,
                 schema.GSI1PK: f"DISTRICT#{district}", schema.GSI1SK: f"POINT#{pid}#TRANSFER#{transfer_id}"}
    else:
        owner = {"pk": f"COMPLAINT#{complaint}", "complaint_id": complaint}
    bucket = point[1] if point else transfers.OFFICE_BUCKET
    table.put({**owner, "sk": f"TRANSFER#{transfer_id}", "transfer_id": transfer_id, "clue": "重复检查",
               "department": "市税务局", "deadline": "2026-11-10", "status": "transferred", "steps": [], "rev": 0,
               schema.GSI2PK: f"TRANSFERS#{bucket}", schema.GSI2SK: f"2026-11-10#{transfer_id}"})


def _mixed_city(table: DynamoTable) -> None:
    """Points spread unevenly over three districts (ids interleaved, some clustered), flags of every
    kind, some closed by staff, overdue transfers of points and of complaint clues."""
    pids = [(f"P{i:03d}", DISTRICTS[(i * 7 // 5) % 3]) for i in range(24)] + [(f"Q{i}", "xishan") for i in range(4)]
    for n, (pid, district) in enumerate(pids):
        put_point(table, pid, district=district, reporting_from=("2026-08", "2026-06", "2026-10")[n % 3])
        if n % 4 == 1:
            put_report(table, pid, "2026-09", "2026-10-01T02:00:00.000000Z", district=district)
        if n % 5 == 2:
            events.record_event(table, pid, "disqualifying", "2026-10-20", "large_fine", None, recorded_by="t",
                                now=NOW, today=AS_OF)
    flags.run(table, DISTRICTS, CAL, AS_OF, NOW)
    staffing.record_point_event(table, OFFICE, "P003", "reminder", "2026-11-23", None, None, NOW)
    staffing.set_point_status(table, OFFICE, "P008", "terminated", NOW)
    staffing.record_point_event(table, OFFICE, "P010", "reminder", "2026-11-23", None, None, NOW)
    flags.run(table, DISTRICTS, CAL, AS_OF + dt.timedelta(days=1), NOW)  # plaque_to_recover of P008
    where = dict(pids)
    _transfer(table, "T-P004", point=("P004", where["P004"]))
    _transfer(table, "T-P011", point=("P011", where["P011"]))
    _transfer(table, "T-C1", complaint="C1")
    transfers.flag_overdue(table, DISTRICTS, AS_OF, NOW)
    transfers.close_flag(table, "POINT#P011", "T-P011", AS_OF)


def _open_in_gsi2(table: DynamoTable) -> set[str]:
    return {f"{i['point_id']}#{i['kind']}#{i['key']}" for d in DISTRICTS
            for i in table.query(flagkeys.flags_pk(d), flagkeys.OPEN_PREFIX, index=schema.GSI2)}


def _gsi3(table: DynamoTable) -> list[dict[str, Any]]:
    return list(table.query(flagkeys.OPEN_FLAGS, index=schema.GSI3))


def assert_gsi3_exact(table: DynamoTable) -> None:
    """gsi3 holds exactly the open flags of the districts' gsi2 ranges, each under its own key."""
    indexed = _gsi3(table)
    assert {i[schema.GSI3SK] for i in indexed} == _open_in_gsi2(table)
    assert all(not i.get("closed_because") and i.get("point_id") for i in indexed)


def _pages(table: DynamoTable, city_wide: bool, filters: flagqueue.QueueFilter, limit: int) -> list[dict]:
    pages, cursor = [], None
    while True:
        page = flagqueue.flag_page(table, DISTRICTS, filters, cursor, limit, city_wide=city_wide)
        pages.append(page.as_json())
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_gsi3_gives_the_same_pages_as_the_districts_ranges(table: DynamoTable, monkeypatch) -> None:
    _mixed_city(table)
    stored = [i for d in (*DISTRICTS, "office") for i in table.query(flagkeys.flags_pk(d), index=schema.GSI2)]
    kinds = {i["kind"] for i in stored}
    # The mix the comparison needs, so it cannot pass on an empty or one-sided city.
    assert {"overdue", "reminder_due", "revocable", "plaque_to_recover", "transfer_overdue"} <= kinds
    assert any(i.get("closed_because") for i in stored) and any(i.get("complaint_id") for i in stored)
    assert_gsi3_exact(table)
    assert "C1" not in str([i[schema.GSI3SK] for i in _gsi3(table)])  # the office's own: not a point's
    indexes: list[str] = []
    real = table.client.query
    monkeypatch.setattr(table.client, "query", lambda **kw: indexes.append(kw["IndexName"]) or real(**kw))
    compared = 0
    # Page sizes from one point to more than a range's first query; each kind filter; a month filter.
    cases = [(None, None, 1), (None, None, 4), (None, None, 9), ("overdue", None, 3), ("transfer_overdue", None, 2),
             ("revocable", None, 5), (None, "2026-10", 4), ("reminder_due", "2026-10", 2)]
    for kind, month, limit in cases:
        filters = flagqueue.QueueFilter.parse("open", kind, month)
        indexes.clear()
        city = _pages(table, True, filters, limit)
        assert set(indexes) == {schema.GSI3}
        indexes.clear()
        merged = _pages(table, False, filters, limit)
        assert set(indexes) == {schema.GSI2}
        assert city == merged, (kind, month, limit)
        compared += sum(len(p["points"]) for p in city)
    assert compared > 100
    everything = _pages(table, True, flagqueue.QueueFilter(), 200)[0]["points"]
    assert {f"{p['point_id']}#{f['kind']}#{f['key']}" for p in everything for f in p["flags"]} == _open_in_gsi2(table)
    # The office's queue through staffing reads gsi3; a district's, and closed flags, read gsi2.
    indexes.clear()
    assert staffing.flag_queue(table, OFFICE, limit=5).as_json() == _pages(table, False, flagqueue.QueueFilter(), 5)[0]
    assert indexes[0] == schema.GSI3
    indexes.clear()
    staffing.flag_queue(table, OFFICE, "dongshan")
    staffing.flag_queue(table, OFFICE, state="closed")
    assert set(indexes) == {schema.GSI2}


def test_a_district_no_longer_in_scope_stays_out_of_the_city_queue(table: DynamoTable) -> None:
    _mixed_city(table)
    two = ("chengguan", "dongshan")
    city = flagqueue.flag_page(table, two, limit=200, city_wide=True)
    assert {p.district for p in city.points} == set(two)
    assert city.as_json() == flagqueue.flag_page(table, two, limit=200).as_json()


def test_closing_takes_a_flag_out_of_gsi3_in_the_same_write(table: DynamoTable) -> None:
    _mixed_city(table)
    assert table.get("POINT#P005", "FLAG#overdue#2026-10")[schema.GSI3PK] == flagkeys.OPEN_FLAGS
    staffing.record_point_event(table, OFFICE, "P005", "reminder", "2026-11-23", None, None, NOW)
    closed = table.get("POINT#P005", "FLAG#overdue#2026-10")
    assert closed["closed_because"] == "reminded" and schema.GSI3PK not in closed and schema.GSI3SK not in closed
    transfers.close_flag(table, "POINT#P004", "T-P004", AS_OF)
    assert schema.GSI3PK not in table.get("POINT#P004", "FLAG#transfer_overdue#T-P004")
    assert table.get("COMPLAINT#C1", "FLAG#transfer_overdue#T-C1").get(schema.GSI3PK) is None
    assert_gsi3_exact(table)


def test_the_daily_check_gives_older_flags_their_gsi3_keys(table: DynamoTable) -> None:
    _mixed_city(table)
    indexed = _gsi3(table)
    # As stored before gsi3: open flags (the check's and a point's transfer) without its keys, and a
    # flag closed by a writer that did not know gsi3 (still carrying them).
    stripped = [next(i for i in indexed if i["kind"] == kind) for kind in ("overdue", "reminder_due", "transfer_overdue")]
    for item in stripped:
        table.update(item["pk"], item["sk"], {}, remove=flagkeys.CITY_KEYS)
    closed = table.get("POINT#P003", "FLAG#overdue#2026-08")
    assert closed["closed_because"] == "reminded"
    table.update(closed["pk"], closed["sk"], flagkeys.city_keys("overdue", "P003", "2026-08"))
    before = {i[schema.GSI3SK] for i in _gsi3(table)}
    assert not before & {i[schema.GSI3SK] for i in stripped} and "P003#overdue#2026-08" in before
    flags.run(table, DISTRICTS, CAL, AS_OF, NOW)  # the daily check's rerun: nothing new, only the keys
    transfers.flag_overdue(table, DISTRICTS, AS_OF, NOW)
    assert_gsi3_exact(table)
    assert {i[schema.GSI3SK] for i in stripped} <= {i[schema.GSI3SK] for i in _gsi3(table)}
    # Idempotent: every flag keyed, a second pass writes nothing.
    everything = [i for d in (*DISTRICTS, "office") for i in table.query(flagkeys.flags_pk(d), index=schema.GSI2)]
    assert flagkeys.rekey(table, everything) == 0
    # A stale open item never puts a flag closed meanwhile back into gsi3.
    stale = {k: v for k, v in table.get(stripped[1]["pk"], stripped[1]["sk"]).items() if k not in flagkeys.CITY_KEYS}
    staffing.record_point_event(table, OFFICE, stale["point_id"], "reminder", "2026-11-23", None, None, NOW)
    assert table.get(stale["pk"], stale["sk"])["closed_because"] == "reminded"
    assert flagkeys.rekey(table, [stale]) == 0
    assert schema.GSI3PK not in table.get(stale["pk"], stale["sk"])


def _old_table(table: DynamoTable, name: str) -> DynamoTable:
    """A table as created before gsi3 (a local data directory kept on disk)."""
    request = schema.create_table_request(name)
    request["GlobalSecondaryIndexes"] = [g for g in request["GlobalSecondaryIndexes"] if g["IndexName"] != schema.GSI3]
    request["AttributeDefinitions"] = [a for a in request["AttributeDefinitions"]
                                       if a["AttributeName"] not in flagkeys.CITY_KEYS]
    table.client.create_table(**request)
    table.client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    return DynamoTable(table.client, name)


def test_a_kept_table_without_gsi3_gains_it_on_opening(table: DynamoTable, tmp_path: Path) -> None:
    old = _old_table(table, f"{table.name}-kept")
    put_point(old, "P000", reporting_from="2026-08")
    put_point(old, "P001", reporting_from="2026-09")
    flags.run(old, ["chengguan"], CAL, AS_OF, NOW)
    stored = list(old.query("FLAGS#chengguan", flagkeys.OPEN_PREFIX, index=schema.GSI2))
    for item in stored:  # as the code before gsi3 wrote them
        old.update(item["pk"], item["sk"], {}, remove=flagkeys.CITY_KEYS)
    assert old.ensure_exists() is False
    described = old.client.describe_table(TableName=old.name)["Table"]
    assert {i["IndexName"] for i in described["GlobalSecondaryIndexes"]} == {schema.GSI1, schema.GSI2, schema.GSI3}
    assert {i["IndexStatus"] for i in described["GlobalSecondaryIndexes"]} == {"ACTIVE"}
    assert old.add_missing_indexes(described) == []  # opening it again changes nothing
    scope = staffing.Scope("city", "office", None, ("chengguan",))
    assert staffing.flag_queue(old, scope).points == []  # the flags kept on disk have no gsi3 keys yet
    # The local stack keys them when it starts (the deployed table: the daily check), once.
    (tmp_path / "districts.yaml").write_text("- {id: chengguan, name: 城关区}\n", encoding="utf-8")
    local._key_open_flags(old, tmp_path)
    assert {i[schema.GSI3SK] for i in _gsi3(old)} == {f"{i['point_id']}#{i['kind']}#{i['key']}" for i in stored}
    assert flagkeys.key_open_flags(old, ["chengguan"]) == 0
    page = staffing.flag_queue(old, scope)
    assert [p.point_id for p in page.points] == ["P000", "P001"]
    assert page.as_json() == flagqueue.flag_page(old, ["chengguan"]).as_json()
