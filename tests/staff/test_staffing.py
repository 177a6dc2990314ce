"""Scope rules and the unanswered-complaint flag (working days by the official calendar)."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcewatch.errors import Forbidden
from enforcewatch.monitoring.duedates import WorkCalendar, load_calendar
from enforcewatch.staff.staffing import Scope, unreplied_complaints, working_days_between


def test_scope() -> None:
    office = Scope("city", "office", None, ("a", "b"))
    district = Scope("d", "district", "a", ("a", "b"))
    assert office.districts() == ["a", "b"] and office.districts("b") == ["b"]
    assert district.districts() == ["a"] and district.districts("a") == ["a"]
    with pytest.raises(Forbidden):
        district.districts("b")
    with pytest.raises(Forbidden):
        district.require_office()


def test_unreplied_complaints_count_working_days(tmp_path) -> None:
    calendar: WorkCalendar = load_calendar(tmp_path)
    # 2025-09-30 (Tue) → National Day week: 10-01..10-08 are holidays, 09-28 and 10-11 make-up working days
    assert working_days_between(dt.date(2025, 9, 30), dt.date(2025, 10, 10), calendar.is_workday) == 2
    items = [
        {"complaint_id": "late", "received_at": "2025-09-29T02:00:00.000000Z", "status": "收到"},
        {"complaint_id": "answered", "received_at": "2025-09-29T02:00:00.000000Z", "reply": "已办结"},
        # 16:30 UTC on 09-29 is already 09-30 in China: one working day less
        {"complaint_id": "fresh", "received_at": "2025-09-29T16:30:00.000000Z"},
    ]
    flagged = list(unreplied_complaints(iter(items), dt.date(2025, 10, 10), 2, calendar.is_workday))
    assert [(f["complaint_id"], f["working_days"]) for f in flagged] == [("late", 3)]
