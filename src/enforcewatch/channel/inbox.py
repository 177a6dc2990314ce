"""What a point sees when it signs in with its access code: its notices, its suggestions with their
status and reply, and the reminder of what is due (seed 000 §七: 每月5日前报送上月信息) from the 1st
working day of the month until the due date, while the report is not yet filed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from enforcewatch.channel import notices, suggestions
from enforcewatch.monitoring.duedates import WorkCalendar


def first_workday(calendar: WorkCalendar, year: int, month: int) -> dt.date:
    day = dt.date(year, month, 1)
    while not calendar.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def reminders(calendar: WorkCalendar, filed_months: set[str], today: dt.date, reporting_from: str | None = None
              ) -> list[dict[str, str]]:
    """The report due this month (last month's), from the month's first working day to its due date,
    unless it was filed (or the point reports only from a later month)."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    month = f"{last:%Y-%m}"
    if month in filed_months or (reporting_from and month < reporting_from):
        return []
    due = calendar.due_date_of(month)
    if not first_workday(calendar, today.year, today.month) <= today <= due:
        return []
    return [{"month": month, "due": due.isoformat(),
             "text": f"请于{due.year}年{due.month}月{due.day}日前报送{last.year}年{last.month}月接受行政执法检查的情况。"}]


def for_point(table: Any, point: dict[str, Any], calendar: WorkCalendar, today: dt.date) -> dict[str, Any]:
    filed = {str(r["month"]) for r in table.query(f"POINT#{point['point_id']}", "REPORT#")}
    return {"point_id": point["point_id"], "notices": notices.for_point(table, point),
            "suggestions": suggestions.for_point(table, point["point_id"]),
            "reminders": reminders(calendar, filed, today, point.get("reporting_from"))}
