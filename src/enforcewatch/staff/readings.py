"""Reports and complaints read on the page: a filterable table of reports (month, district, agency,
has misconduct, dissatisfied) and the complaints inbox with each reply's deadline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from enforcewatch.clock import china_date, parse_aware
from enforcewatch.errors import FieldError, InputError, NotFound
from enforcewatch.intake.submissions import DISSATISFIED
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.staff import staffing
from enforcewatch.staff.staffing import Scope
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable


def _month_ok(text: str) -> bool:
    return len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() and "01" <= text[5:] <= "12"


@dataclass(frozen=True)
class ReportFilter:
    month_from: str
    month_to: str
    district: str = ""
    agency: str = ""
    misconduct: bool = False
    dissatisfied: bool = False

    def check(self) -> None:
        problems = [FieldError((name,), f"月份应写作 YYYY-MM，而不是“{value}”")
                    for name, value in (("from", self.month_from), ("to", self.month_to)) if not _month_ok(value)]
        if not problems and self.month_from > self.month_to:
            problems.append(FieldError(("to",), "截止月份不能早于起始月份"))
        if problems:
            raise InputError("；".join(p.msg for p in problems), problems)


def report_summary(item: dict[str, Any]) -> dict[str, Any]:
    inspections = item.get("inspections") or []
    return {
        "point_id": item["point_id"], "district": item["district"], "month": item["month"],
        "seq": int(item.get("seq", 0)), "received_at": item.get("received_at"),
        "inspections": len(inspections),
        "agencies": sorted({str(i.get("agency", "")) for i in inspections if i.get("agency")}),
        "misconduct": sorted({m for i in inspections for m in (i.get("misconduct") or [])}),
        "dissatisfied": any(i.get("satisfaction") in DISSATISFIED for i in inspections),
    }


def reports(table: DynamoTable, scope: Scope, flt: ReportFilter) -> list[dict[str, Any]]:
    """The matching filings (amendments included), newest month first."""
    flt.check()
    out = []
    for d in scope.districts(flt.district or None):
        for item in table.query(f"REPORTS#{d}", index=schema.GSI2,
                                sk_between=(f"{flt.month_from}#", f"{flt.month_to}#\uffff")):
            row = report_summary(item)
            if flt.agency and not any(flt.agency in a for a in row["agencies"]):
                continue
            if (flt.misconduct and not row["misconduct"]) or (flt.dissatisfied and not row["dissatisfied"]):
                continue
            out.append(row)
    out.sort(key=lambda r: (r["month"], r["point_id"], r["seq"]), reverse=True)
    return out


COMPLAINT_VIEWS = {"": "全部", "waiting": "待答复", "late": "已超过答复期限"}


def complaints(table: DynamoTable, scope: Scope, calendar: WorkCalendar, now: dt.datetime, reply_limit: int,
               view: str = "") -> list[dict[str, Any]]:
    """The last twelve months' complaints (office only), newest first, each with its reply deadline."""
    if view not in COMPLAINT_VIEWS:
        raise InputError("筛选条件不在可选范围内", [FieldError(("view",), "应为 待答复 或 已超过答复期限")])
    today = china_date(now)
    items = list(staffing.complaints(table, scope, f"{today.year - 1}-{today.month:02d}", f"{today:%Y-%m}"))
    late = {c["complaint_id"] for c in staffing.unreplied_complaints(iter(items), today, reply_limit,
                                                                     calendar.is_workday)}
    out = []
    for c in items:
        arrived = china_date(parse_aware(c["received_at"]))
        row = {**c, "deadline": calendar.add_working_days(arrived, reply_limit), "late": c["complaint_id"] in late}
        if (view == "waiting" and c.get("reply")) or (view == "late" and not row["late"]):
            continue
        out.append(row)
    out.sort(key=lambda c: c["received_at"], reverse=True)
    return out


def complaint(table: DynamoTable, scope: Scope, complaint_id: str) -> dict[str, Any]:
    scope.require_office()
    item = table.get(f"COMPLAINT#{complaint_id}", "COMPLAINT")
    if item is None:
        raise NotFound("没有找到该投诉")
    return {k: v for k, v in item.items()
            if not k.startswith(("pk", "sk", "gsi")) and k not in staffing.COMPLAINT_INTERNAL}
