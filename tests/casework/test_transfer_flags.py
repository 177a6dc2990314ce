"""Overdue transfers in the flag queue (moto and DynamoDB Local): the flag shows under its point with
the action in words, closes when the transfer is closed (办结), and the daily check closes one the
closing write missed and rekeys flags stored under the older layout. Scoped like every flag."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from enforcewatch.casework import transfers
from enforcewatch.monitoring import flagkeys, flagqueue
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.staff import staffing
from enforcewatch.staff.staffing import Scope
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable
from support.casework import seed_casework
from support.staff import HQ, WB, seed

NOW = dt.datetime(2026, 3, 9, 2, 0, tzinfo=dt.UTC)  # 2026-03-09 10:00 China time
LATE = dt.date(2026, 3, 24)  # T-WB was due 2026-03-20
OFFICE = Scope("city", "office", None, (HQ, WB))
HONGQI = Scope("hongqi", "district", HQ, (HQ, WB))
WEIBIN = Scope("weibin", "district", WB, (HQ, WB))


@pytest.fixture
def seeded(table: DynamoTable) -> DynamoTable:
    seed(table)
    seed_casework(table)
    return table


def _transfer_flags(page: flagqueue.FlagPage) -> list[dict]:
    return [f for p in page.points for f in p.flags if f["kind"] == "transfer_overdue"]


def test_an_overdue_transfer_is_in_its_districts_queue_with_an_action(seeded: DynamoTable) -> None:
    transfers.flag_overdue(seeded, (HQ, WB), LATE, NOW)
    page = staffing.flag_queue(seeded, WEIBIN, kind="transfer_overdue")
    [view] = _transfer_flags(page)
    assert (page.points[0].point_id, view["key"], view["state"]) == ("P-WB-1", "T-WB", "open")
    assert view["kind_label"] == "转交逾期未办结" and view["action"] == "close_transfer"
    assert view["action_label"] == "督促部门办理，办结后登记办结" and view["month"] == "2026-03"
    assert _transfer_flags(staffing.flag_queue(seeded, HONGQI)) == []  # another district's
    assert flagqueue.open_counts(seeded, [WB])[WB]["transfer_overdue"] == 1
    assert [f["key"] for f in staffing.flags(seeded, WEIBIN) if f["kind"] == "transfer_overdue"] == ["T-WB"]


def test_the_flag_closes_when_the_transfer_is_closed_not_when_answered(seeded: DynamoTable) -> None:
    transfers.flag_overdue(seeded, (HQ, WB), LATE, NOW)
    later = dt.datetime(2026, 3, 25, 2, 0, tzinfo=dt.UTC)
    transfers.record(seeded, WEIBIN, "T-WB", {"status": "answered", "answer": "已约谈"}, later)
    assert _transfer_flags(staffing.flag_queue(seeded, WEIBIN))  # answered, not yet closed: still open
    transfers.record(seeded, WEIBIN, "T-WB", {"status": "closed"}, later)
    assert _transfer_flags(staffing.flag_queue(seeded, WEIBIN)) == []
    [closed] = _transfer_flags(staffing.flag_queue(seeded, WEIBIN, state="closed"))
    assert (closed["closed_on"], closed["closed_because"], closed["closed_because_label"]) == (
        "2026-03-25", "transfer_closed", "转交已办结")
    assert "action" not in closed
    item = seeded.get("POINT#P-WB-1", "FLAG#transfer_overdue#T-WB")
    assert item[schema.GSI2SK] == "CLOSED#P-WB-1#transfer_overdue#T-WB"
    # Later runs do not raise it again nor reopen it.
    assert transfers.flag_overdue(seeded, (HQ, WB), LATE + dt.timedelta(days=3), NOW)[1][WB] == 0
    assert seeded.get("POINT#P-WB-1", "FLAG#transfer_overdue#T-WB")["closed_on"] == "2026-03-25"


def test_the_daily_check_closes_a_flag_the_closing_write_missed(seeded: DynamoTable, monkeypatch) -> None:
    transfers.flag_overdue(seeded, (HQ, WB), LATE, NOW)
    monkeypatch.setattr(transfers, "close_flag", lambda *a, **k: False)  # as if the second write was lost
    transfers.record(seeded, WEIBIN, "T-WB", {"status": "closed"}, NOW)
    monkeypatch.undo()
    assert seeded.get("POINT#P-WB-1", "FLAG#transfer_overdue#T-WB")["state"] == "open"
    transfers.flag_overdue(seeded, (HQ, WB), LATE + dt.timedelta(days=1), NOW)
    item = seeded.get("POINT#P-WB-1", "FLAG#transfer_overdue#T-WB")
    assert (item["state"], item["closed_on"], item["closed_because"]) == ("closed", "2026-03-09", "transfer_closed")


def test_flags_of_the_older_layout_are_rekeyed_and_counted_open(seeded: DynamoTable) -> None:
    transfers.flag_overdue(seeded, (HQ, WB), LATE, NOW)
    seeded.update("POINT#P-WB-1", "FLAG#transfer_overdue#T-WB", {schema.GSI2SK: "transfer_overdue#P-WB-1#T-WB"})
    rng, calendar = random.Random(3), WorkCalendar()
    office = transfers.create(seeded, OFFICE, calendar, {"complaint_id": "C1", "clue": "吃拿卡要", "discipline": True,
                                                         "working_days": 1}, NOW, rng)
    transfers.flag_overdue(seeded, (HQ, WB), LATE, NOW)
    office_pk = "COMPLAINT#C1"
    seeded.update(office_pk, f"FLAG#transfer_overdue#{office['transfer_id']}",
                  {schema.GSI2SK: f"transfer_overdue#C1#{office['transfer_id']}"})
    transfers.flag_overdue(seeded, (HQ, WB), LATE + dt.timedelta(days=1), NOW)
    assert seeded.get("POINT#P-WB-1", "FLAG#transfer_overdue#T-WB")[schema.GSI2SK] == (
        flagkeys.flag_gsi2sk("transfer_overdue", "P-WB-1", "T-WB"))
    assert seeded.get(office_pk, f"FLAG#transfer_overdue#{office['transfer_id']}")[schema.GSI2SK] == (
        flagkeys.flag_gsi2sk("transfer_overdue", "C1", office["transfer_id"]))
    # The complaint clue's flag is the office's: listed for the office, never for a district.
    assert office["transfer_id"] in {f["key"] for f in staffing.flags(seeded, OFFICE)}
    assert office["transfer_id"] not in {f["key"] for f in staffing.flags(seeded, WEIBIN)}
