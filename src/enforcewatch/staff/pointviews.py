"""The registry as staff read it: the points in scope, searched and filtered, each with its last
report month and open flags; one point's whole page (details, status, history, reports, events,
open flags and casework); and reissuing one point's access code.

Reads only the districts in scope (`Scope.districts`), so a district account never reads another
district; the list reads points, open flags and (when filtering by a month) that month's reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from enforcewatch.clock import parse_aware
from enforcewatch.errors import FieldError, InputError, NotFound
from enforcewatch.monitoring import flagkeys
from enforcewatch.monitoring.deadlines import STATUSES, on_time
from enforcewatch.monitoring.flags import state_from_item
from enforcewatch.staff.staffing import Scope, point_in_scope
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

REPORTED = {"on_time": "按时报送", "late": "逾期报送", "missing": "未报送", "pending": "尚未报送（未到截止日）",
            "due": "应报送"}


def is_open(flag: dict[str, Any]) -> bool:
    """A flag needs action until it is closed (docs/rules.md, the closing rules)."""
    return state_from_item(flag).is_open


@dataclass
class PointRow:
    """One point of the registry list."""

    point: dict[str, Any]
    last_month: str | None = None
    open_flags: list[dict[str, Any]] = field(default_factory=list)
    first_filing: dict[str, dt.datetime] = field(default_factory=dict)  # month → first received_at

    @property
    def point_id(self) -> str:
        return str(self.point["point_id"])

    def reported(self, month: str, due: dt.date, today: dt.date) -> str:
        """on_time / late / missing / pending for `month`, whose reports are due on `due`."""
        received = self.first_filing.get(month)
        if received is not None:
            return "on_time" if on_time(received, due) else "late"
        return "missing" if due < today else "pending"

    def owes(self, month: str) -> bool:
        """An active point whose reporting had begun by `month`."""
        return self.point.get("status", "active") == "active" and str(self.point.get("reporting_from", "")) <= month


def scope_rows(table: DynamoTable, scope: Scope, district: str | None, month: str = "") -> list[PointRow]:
    """The points in scope (gsi2 `POINTS#{district}`: points only) with their open flags (the open
    range of gsi2 `FLAGS#{district}`) and, given a month, its first filings (gsi2 `REPORTS#`): what
    the list filters on, without reading every report and closed flag of the district."""
    out: list[PointRow] = []
    for d in scope.districts(district or None):
        flagged: dict[str, list[dict[str, Any]]] = {}
        for item in table.query(flagkeys.flags_pk(d), flagkeys.OPEN_PREFIX, index=schema.GSI2):
            if item.get("point_id"):
                flagged.setdefault(str(item["point_id"]), []).append(item)
        filed: dict[str, dt.datetime] = {}
        if month:
            for item in table.query(f"REPORTS#{d}", f"{month}#", index=schema.GSI2):
                if int(item.get("seq", 0)) == 0:
                    filed[str(item["point_id"])] = parse_aware(item["received_at"])
        for item in table.query(f"POINTS#{d}", index=schema.GSI2):
            pid = str(item["point_id"])
            out.append(PointRow(item, open_flags=flagged.get(pid, []),
                                first_filing={month: filed[pid]} if pid in filed else {}))
    return sorted(out, key=lambda r: r.point_id)


def fill_last_months(table: DynamoTable, rows: list[PointRow]) -> None:
    """The last report month of the points on one page (one query of each point's reports)."""
    for row in rows:
        months = [str(i["month"]) for i in table.query(f"POINT#{row.point_id}", "REPORT#")]
        row.last_month = max(months) if months else None


@dataclass(frozen=True)
class RegistryFilter:
    q: str = ""
    district: str = ""
    status: str = ""
    industry: str = ""
    flagged: bool = False
    month: str = ""  # with `reported`: the points of that reporting state in that month
    reported: str = ""

    def check(self) -> None:
        problems = []
        if self.status and self.status not in STATUSES:
            problems.append(FieldError(("status",), "状态不在可选范围内"))
        if self.reported and self.reported not in REPORTED:
            problems.append(FieldError(("reported",), "报送情况不在可选范围内"))
        if self.reported and not self.month:
            problems.append(FieldError(("month",), "按报送情况筛选时须选择月份"))
        if problems:
            raise InputError("；".join(p.msg for p in problems), problems)

    def matches(self, row: PointRow, due: dt.date | None, today: dt.date) -> bool:
        p = row.point
        needle = self.q.strip().lower()
        if needle and not any(needle in str(p.get(k, "")).lower() for k in ("point_id", "enterprise_name", "uscc")):
            return False
        if self.status and p.get("status", "active") != self.status:
            return False
        if self.industry and p.get("industry") != self.industry:
            return False
        if self.flagged and not row.open_flags:
            return False
        if self.reported and due is not None:
            if not row.owes(self.month):
                return False
            if self.reported != "due" and row.reported(self.month, due, today) != self.reported:
                return False
        return True


def registry(table: DynamoTable, scope: Scope, flt: RegistryFilter, due: dt.date | None, today: dt.date
             ) -> tuple[list[PointRow], list[str]]:
    """The matching points (by id) and every industry seen, for the filter's choices."""
    flt.check()
    rows = scope_rows(table, scope, flt.district, flt.month if flt.reported else "")
    industries = sorted({str(r.point.get("industry")) for r in rows if r.point.get("industry")})
    return [r for r in rows if flt.matches(r, due, today)], industries


# -- one point ---------------------------------------------------------------------------------------

SECTIONS = {"REPORT#": "reports", "EVENT#": "events", "FLAG#": "flags", "STATUS#": "statuses",
            "DESIGNATION#": "designations", "VERIFY#": "verifications", "TRANSFER#": "transfers",
            "COMMEND#": "commendations", "FINDING#": "findings"}
HIDDEN = ("access_code_hash",)


def point_page(table: DynamoTable, scope: Scope, point_id: str) -> dict[str, Any]:
    """Everything staff see on a point's page; another district's point is 'not found'."""
    point = point_in_scope(table, scope, point_id)
    page: dict[str, Any] = {name: [] for name in SECTIONS.values()}
    page["point"] = {k: v for k, v in point.items() if k not in HIDDEN}
    page["has_code"] = bool(point.get("access_code_hash"))
    for item in table.query(f"POINT#{point_id}", consistent=True):
        sk = item.get(schema.SK, "")
        for prefix, name in SECTIONS.items():
            if sk.startswith(prefix):
                page[name].append(item)
    page["reports"].sort(key=lambda r: (r["month"], r.get("seq", 0)), reverse=True)
    page["events"].sort(key=lambda e: e.get("date", ""), reverse=True)
    page["statuses"].sort(key=lambda s: s.get("changed_at", ""), reverse=True)
    page["open_flags"] = [f for f in page["flags"] if is_open(f)]
    page["closed_flags"] = [f for f in page["flags"] if not is_open(f)]
    return page


def report_of(table: DynamoTable, scope: Scope, point_id: str, month: str, seq: int) -> dict[str, Any]:
    point = point_in_scope(table, scope, point_id)
    item = table.get(f"POINT#{point_id}", f"REPORT#{month}#{seq:04d}")
    if item is None:
        raise NotFound("没有找到该报送")
    return {"report": item, "point": {k: v for k, v in point.items() if k not in HIDDEN}}
