"""Open flags carry their point's enterprise name and status, so the queue's page reads no registry
item for them (moto and DynamoDB Local): the check stores them, the registry import and a status change
update them on the point's open flags, and flags stored before they carried them still get the name."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from enforcewatch.monitoring import events, flags
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.monitoring.flagstate import FlagState
from enforcewatch.monitoring.registry import District, run_import
from enforcewatch.staff import staffing
from enforcewatch.store.dynamo import DynamoTable
from support.items import put_point
from support.registry import row, write_csv

CAL = WorkCalendar()
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
AS_OF = dt.date(2026, 11, 23)
OFFICE = staffing.Scope("city", "office", None, ("chengguan", "dongshan"))
DISTRICTS = [District("chengguan", "城关区"), District("dongshan", "东山县")]


def _no_batch_reads(table: DynamoTable, monkeypatch) -> list[int]:
    asked: list[int] = []
    real = table.batch_get

    def counting(keys, *args, **kwargs):
        asked.append(len(keys))
        return real(keys, *args, **kwargs)

    monkeypatch.setattr(table, "batch_get", counting)
    return asked


def _open_flags(table: DynamoTable, pid: str) -> list[dict]:
    return [i for i in table.query(f"POINT#{pid}", "FLAG#") if not i.get("closed_because")]


def test_the_queue_takes_names_from_the_flags_without_reading_the_registry(table: DynamoTable, monkeypatch) -> None:
    for i in range(4):
        put_point(table, f"P{i}", district="chengguan" if i % 2 == 0 else "dongshan", reporting_from="2026-08")
    flags.run(table, ["chengguan", "dongshan"], CAL, AS_OF, NOW)
    stored = _open_flags(table, "P0")
    assert stored and {(f["enterprise_name"], f["point_status"]) for f in stored} == {("示范企业有限公司", "active")}
    asked = _no_batch_reads(table, monkeypatch)
    page = staffing.flag_queue(table, OFFICE, limit=3)
    assert [(p.point_id, p.enterprise_name, p.status) for p in page.points] == [
        ("P0", "示范企业有限公司", "active"), ("P1", "示范企业有限公司", "active"), ("P2", "示范企业有限公司", "active")]
    assert asked == []


def test_older_flags_without_a_name_fall_back_to_one_registry_read(table: DynamoTable, monkeypatch) -> None:
    put_point(table, "A", reporting_from="2026-08")
    put_point(table, "B", reporting_from="2026-08")
    flags.run(table, ["chengguan"], CAL, AS_OF, NOW)
    for item in table.query("POINT#A", "FLAG#"):  # as stored before flags carried the point's fields
        table.put({k: v for k, v in item.items() if k not in ("enterprise_name", "point_status")})
    table.update("POINT#A", "POINT", {"enterprise_name": "旧标记企业"})
    asked = _no_batch_reads(table, monkeypatch)
    page = staffing.flag_queue(table, OFFICE)
    assert [(p.point_id, p.enterprise_name, p.status) for p in page.points] == [
        ("A", "旧标记企业", "active"), ("B", "示范企业有限公司", "active")]
    assert asked == [1]  # only the point whose flags lack the name


def test_a_registry_import_renaming_a_point_renames_its_open_flags_only(table: DynamoTable, tmp_path: Path) -> None:
    run_import(table, write_csv(tmp_path / "first.csv", [row(1, reporting_from="2026-08"), row(2)]), DISTRICTS,
               tmp_path / "first-codes.csv", rng=random.Random(1), now=NOW)
    flags.run(table, ["chengguan"], CAL, AS_OF, NOW)
    closed = _open_flags(table, "XX-001")[0]
    flags.close_flag(table, closed, FlagState("closed", AS_OF, "report_arrived"))
    assert {f["enterprise_name"] for f in _open_flags(table, "XX-001")} == {"示范企业1有限公司"}
    rows = [row(1, reporting_from="2026-08", enterprise_name="更名后企业有限公司"), row(2)]
    run_import(table, write_csv(tmp_path / "second.csv", rows), DISTRICTS, tmp_path / "second-codes.csv",
               rng=random.Random(2), now=NOW + dt.timedelta(hours=1))
    assert {f["enterprise_name"] for f in _open_flags(table, "XX-001")} == {"更名后企业有限公司"}
    assert table.get(closed["pk"], closed["sk"])["enterprise_name"] == "示范企业1有限公司"  # closed: as it was
    page = staffing.flag_queue(table, OFFICE)
    assert [(p.point_id, p.enterprise_name) for p in page.points] == [("XX-001", "更名后企业有限公司"),
                                                                      ("XX-002", "示范企业2有限公司")]


def test_a_status_change_is_carried_to_the_points_open_flags(table: DynamoTable) -> None:
    put_point(table, "A", reporting_from="2026-08")
    flags.run(table, ["chengguan"], CAL, AS_OF, NOW)
    events.set_status(table, "A", "withdrawn", now=NOW)
    assert {f["point_status"] for f in _open_flags(table, "A")} == {"withdrawn"}
    assert staffing.flag_queue(table, OFFICE).points[0].status == "withdrawn"
