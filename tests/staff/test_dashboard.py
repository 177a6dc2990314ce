"""The dashboard of the current reporting month, on moto and DynamoDB Local."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcewatch.errors import Forbidden
from enforcewatch.insights.dashboard import dashboard
from enforcewatch.monitoring import flags
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.staff import staffing
from enforcewatch.staff.dashboard import reporting_month
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable
from support.items import put_point, put_report

CAL = WorkCalendar()
TODAY = dt.date(2026, 11, 23)  # reporting month 2026-10, due 2026-11-05
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
NAMES = {"chengguan": "城关区", "dongshan": "东山区"}
OFFICE = staffing.Scope("city", "office", None, ("chengguan", "dongshan"))
CHENGGUAN = staffing.Scope("cg", "district", "chengguan", ("chengguan", "dongshan"))


def listed_point(table: DynamoTable, pid: str, district: str = "chengguan", **over: str) -> None:
    item = put_point(table, pid, district, **over)
    table.put({**item, schema.GSI2PK: f"POINTS#{district}", schema.GSI2SK: pid})


def seed(table: DynamoTable) -> None:
    listed_point(table, "A", reporting_from="2026-09")
    put_report(table, "A", "2026-10", "2026-11-05T15:59:59.000000Z")  # 23:59:59 China time on the due date
    listed_point(table, "B", reporting_from="2026-09")
    put_report(table, "B", "2026-10", "2026-11-05T16:00:00.000000Z")  # one second late
    put_report(table, "B", "2026-10", "2026-11-04T00:00:00.000000Z", seq=1)  # an amendment decides nothing
    listed_point(table, "C", reporting_from="2026-09")  # missing
    listed_point(table, "D", reporting_from="2026-09", status="revoked")  # not due
    put_report(table, "D", "2026-10", "2026-11-01T00:00:00.000000Z")
    listed_point(table, "E", reporting_from="2026-11")  # not due yet
    listed_point(table, "F", district="dongshan", reporting_from="2026-10")
    put_report(table, "F", "2026-10", "2026-11-02T00:00:00.000000Z", district="dongshan")
    put_report(table, "A", "2026-09", "2026-10-02T00:00:00.000000Z")  # another month: not counted
    complaints = [("C1", "2026-11-02T01:00:00.000000Z", None), ("C2", "2026-11-20T01:00:00.000000Z", None),
                  ("C3", "2026-11-02T01:00:00.000000Z", "已答复")]
    for cid, at, reply in complaints:
        table.put({"pk": f"COMPLAINT#{cid}", "sk": "COMPLAINT", "kind": "complaint", "complaint_id": cid,
                   "received_at": at, "status": "收到", "reply": reply, schema.GSI2PK: "COMPLAINTS",
                   schema.GSI2SK: f"{at[:7]}#{at}#{cid}"})
    for tid, deadline in (("T1", "2026-11-10"), ("T2", "2026-12-10")):
        table.put({"pk": "POINT#A", "sk": f"TRANSFER#{tid}", "transfer_id": tid, "point_id": "A",
                   "district": "chengguan", "status": "open", "deadline": deadline, "department": "某局",
                   schema.GSI1PK: "DISTRICT#chengguan", schema.GSI1SK: f"POINT#A#TRANSFER#{tid}", schema.GSI2PK: "TRANSFERS#chengguan", schema.GSI2SK: f"{deadline}#{tid}"})
    flags.run(table, ["chengguan", "dongshan"], CAL, TODAY, NOW)


def test_reporting_month_is_the_month_before_today() -> None:
    assert reporting_month(dt.date(2026, 11, 23)) == "2026-10"
    assert reporting_month(dt.date(2027, 1, 3)) == "2026-12"


def test_office_dashboard_counts_each_figure(table: DynamoTable) -> None:
    seed(table)
    board = dashboard(table, OFFICE, CAL, TODAY, NAMES, reply_limit=10)
    assert (board.month, board.due_date, board.due_passed) == ("2026-10", dt.date(2026, 11, 5), True)
    rows = {r.district: (r.name, r.due, r.on_time, r.late, r.missing) for r in board.districts}
    assert rows == {"chengguan": ("城关区", 3, 1, 1, 1), "dongshan": ("东山区", 1, 1, 0, 0)}
    assert board.totals() == {"due": 4, "on_time": 2, "late": 1, "missing": 1}
    # B: Sep missed, Oct late (its overdue closed by the report); C: both missed; D revoked: its plaque
    assert board.open_flags == {"overdue": 3, "reminder_due": 2, "revocable": 0, "terminated": 0,
                                "plaque_to_recover": 1, "transfer_overdue": 0}
    assert board.districts[0].open_flags["overdue"] == 3 and board.districts[1].open_flags["overdue"] == 0
    assert board.complaints_awaiting_reply == 2 and board.complaints_past_deadline == 1
    assert board.transfers_past_deadline == 1
    doc = board.as_json()
    assert doc["due_date"] == "2026-11-05" and doc["kind_labels"]["overdue"] == "逾期未报"


def test_district_dashboard_sees_its_own_and_no_complaints(table: DynamoTable) -> None:
    seed(table)
    board = dashboard(table, CHENGGUAN, CAL, TODAY, NAMES, reply_limit=10)
    assert [r.district for r in board.districts] == ["chengguan"]
    assert board.complaints_awaiting_reply is None and board.complaints_past_deadline is None
    with pytest.raises(Forbidden):
        dashboard(table, CHENGGUAN, CAL, TODAY, NAMES, reply_limit=10, district="dongshan")


def test_before_the_due_date_missing_means_not_received_yet(table: DynamoTable) -> None:
    seed(table)
    board = dashboard(table, OFFICE, CAL, dt.date(2026, 11, 4), NAMES, reply_limit=10)
    assert board.due_passed is False and board.totals()["missing"] == 1
