"""The workspace's first page: the current reporting month at a glance, each figure with the list
behind it (issue 16). The current reporting month is last calendar month: its reports fall due in
the first working days of this month (seed 000 §七)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from enforcewatch.clock import parse_aware
from enforcewatch.errors import CalendarUnknown
from enforcewatch.monitoring import flagqueue
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.staff import staffing
from enforcewatch.staff.pointviews import PointRow
from enforcewatch.staff.staffing import Scope
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

STATES = ("on_time", "late", "missing", "pending")


def reporting_month(today: dt.date) -> str:
    """The month whose reports are being collected: the one before today's."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return f"{last:%Y-%m}"


@dataclass
class DistrictLine:
    district: str
    due: int = 0
    counts: Counter[str] = field(default_factory=Counter)


@dataclass
class Dashboard:
    month: str
    due_date: dt.date | None
    districts: list[DistrictLine]
    flags: Counter[str]
    complaints_waiting: int | None  # None: not the office's page (district accounts see no complaints)
    complaints_late: int | None
    transfers_late: list[dict[str, Any]]

    @property
    def total(self) -> DistrictLine:
        line = DistrictLine("")
        for d in self.districts:
            line.due += d.due
            line.counts.update(d.counts)
        return line


def build(table: DynamoTable, scope: Scope, calendar: WorkCalendar, today: dt.date, reply_limit: int,
          district: str | None = None) -> Dashboard:
    """Per district in scope: its points and the month's reports (two key ranges), open flags counted
    per kind (no items read); plus the complaints and the transfers past their deadline."""
    month = reporting_month(today)
    try:
        due: dt.date | None = calendar.due_date_of(month)
    except CalendarUnknown:
        due = None
    lines = [district_line(table, d, month, due, today) for d in scope.districts(district)]
    flag_counts: Counter[str] = Counter()
    for counts in flagqueue.open_counts(table, scope.districts(district)).values():
        flag_counts.update(counts)
    waiting = late = None
    if scope.is_office and not district:
        waiting, late = complaint_counts(table, scope, today, reply_limit, calendar.is_workday)
    late_transfers = sorted(transfers_late(table, scope, today, district), key=lambda t: str(t.get("deadline")))
    return Dashboard(month, due, lines, flag_counts, waiting, late, late_transfers)


def district_line(table: DynamoTable, district: str, month: str, due: dt.date | None, today: dt.date
                   ) -> DistrictLine:
    """One district's month (nothing when its due date is not known yet): its points (gsi2 `POINTS#{district}`, points only) against that month's
    first filings (gsi2 `REPORTS#{district}` from `{month}#`): two reads of just those items."""
    line = DistrictLine(district)
    if due is None:
        return line
    first: dict[str, dt.datetime] = {}
    for item in table.query(f"REPORTS#{district}", f"{month}#", index=schema.GSI2):
        if int(item.get("seq", 0)) == 0:
            first[str(item["point_id"])] = parse_aware(item["received_at"])
    for item in table.query(f"POINTS#{district}", index=schema.GSI2):
        row = PointRow(item, first_filing={month: first[item["point_id"]]} if item["point_id"] in first else {})
        if row.owes(month):
            line.due += 1
            line.counts[row.reported(month, due, today)] += 1
    return line


def transfers_late(table: DynamoTable, scope: Scope, today: dt.date, district: str | None = None
                   ) -> Iterator[dict[str, Any]]:
    """Open transfers whose deadline passed before today (docs/data-model.md: a BETWEEN query of
    gsi2 `TRANSFERS#{district}` up to yesterday; the office also has complaints' clues)."""
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    buckets = scope.districts(district) + (["office"] if scope.is_office and not district else [])
    for b in buckets:
        for item in table.query(f"TRANSFERS#{b}", index=schema.GSI2, sk_between=("0", f"{yesterday}#\uffff")):
            if item.get("status") != "closed":
                yield item


def complaint_counts(table: DynamoTable, scope: Scope, today: dt.date, limit: int,
                     is_workday: Callable[[dt.date], bool]) -> tuple[int, int]:
    """Complaints of the last twelve months in scope: (awaiting a reply, past the reply deadline)."""
    recent = list(staffing.complaints(table, scope, f"{today.year - 1}-{today.month:02d}", f"{today:%Y-%m}"))
    waiting = sum(1 for c in recent if not c.get("reply"))
    late = sum(1 for _ in staffing.unreplied_complaints(iter(recent), today, limit, is_workday))
    return waiting, late


def as_dict(board: Dashboard) -> dict[str, Any]:
    return {"month": board.month, "due_date": board.due_date.isoformat() if board.due_date else None,
            "districts": [{"district": d.district, "due": d.due, **{s: d.counts[s] for s in STATES}}
                          for d in board.districts],
            "flags": dict(board.flags), "complaints_waiting": board.complaints_waiting,
            "complaints_late": board.complaints_late, "transfers_late": len(board.transfers_late)}
