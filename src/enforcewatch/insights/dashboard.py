"""The office's dashboard for the current reporting month (issue 16): per district, the points a
report is due from, reported on time, late, and missing; open flags by kind; complaints awaiting a
reply and past their reply deadline (city office only); transfers past their deadline.

The counts are the workspace's (`enforcewatch.staff.dashboard`), shaped for the JSON API.
The current reporting month is the month before today's (China time): its report is due by the 5th
of this month, holidays postponed (seed 000 §七). A point is due to report for it if its status is
active and its first reporting month is on or before it. Each count comes from key-range reads:
the district's registry (gsi2 `POINTS#{district}`), the month's reports (gsi2 `REPORTS#{district}`
between `{month}#` and `{month}#\uffff`), counts of open flags (Select=COUNT), open transfers and
the last year's complaints; never the whole district's history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from enforcewatch.casework import transfers
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.monitoring.flagqueue import KIND_LABELS, open_counts
from enforcewatch.staff import staffing
from enforcewatch.staff.dashboard import complaint_counts, district_line, reporting_month
from enforcewatch.store.dynamo import DynamoTable


@dataclass
class DistrictMonth:
    district: str
    name: str
    due: int = 0  # points a report is due from
    on_time: int = 0
    late: int = 0
    missing: int = 0  # no report yet (before the due date has passed: not yet received)
    open_flags: dict[str, int] = field(default_factory=dict)


@dataclass
class Dashboard:
    today: dt.date
    month: str  # the current reporting month, YYYY-MM
    due_date: dt.date
    due_passed: bool  # False: `missing` means "not received yet", not late
    districts: list[DistrictMonth]
    open_flags: dict[str, int]  # by kind, over the districts in scope
    complaints_awaiting_reply: int | None  # None for a district account (complaints are the office's)
    complaints_past_deadline: int | None
    transfers_past_deadline: int

    def totals(self) -> dict[str, int]:
        return {k: sum(getattr(d, k) for d in self.districts) for k in ("due", "on_time", "late", "missing")}

    def as_json(self) -> dict[str, Any]:
        doc = asdict(self)
        doc.update(today=self.today.isoformat(), due_date=self.due_date.isoformat(), totals=self.totals(),
                   kind_labels=KIND_LABELS)
        return doc


def district_month(table: DynamoTable, district: str, name: str, month: str, due_date: dt.date,
                   today: dt.date) -> DistrictMonth:
    """Due, on time, late and missing for one district and month: the workspace's own count
    (`staff.dashboard.district_line`), with "not received yet" counted as missing."""
    line = district_line(table, district, month, due_date, today)
    return DistrictMonth(district, name, line.due, line.counts["on_time"], line.counts["late"],
                         line.counts["missing"] + line.counts["pending"])


def dashboard(table: DynamoTable, scope: staffing.Scope, calendar: WorkCalendar, today: dt.date,
              district_names: Mapping[str, str], reply_limit: int,
              is_workday: Callable[[dt.date], bool] | None = None, district: str | None = None) -> Dashboard:
    """The dashboard of the districts in scope (or the one requested, if allowed), as of `today`
    (China time). Raises CalendarUnknown if this month's due date is not known yet."""
    districts = scope.districts(district)
    month = reporting_month(today)
    due_date = calendar.due_date_of(month)
    rows = [district_month(table, d, district_names.get(d, d), month, due_date, today) for d in districts]
    counts = open_counts(table, districts)
    for row in rows:
        row.open_flags = counts[row.district]
    by_kind = {k: sum(c[k] for c in counts.values()) for k in KIND_LABELS}
    awaiting = past = None
    if scope.is_office and not district:
        awaiting, past = complaint_counts(table, scope, today, reply_limit, is_workday or calendar.is_workday)
    overdue = sum(1 for t in transfers.listing(table, scope, today, district) if t["overdue"])
    return Dashboard(today, month, due_date, due_date < today, rows, by_kind, awaiting, past, overdue)
