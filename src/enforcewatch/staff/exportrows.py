"""The rows of staff downloads: which columns, where each value comes from, and its cell type.

Report rows are one per inspection (a report without inspections gives one row) and carry the
enterprise's name (from the registry) and the district's name; 联系人 and 联系电话 come from the stored
contact map. Counts, dates and times are typed values (`Count`, `date`, Beijing-time `datetime`) that
the XLSX writer makes spreadsheet values; everything else is written as formula-safe text
(`enforcewatch.staff.exports`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

# (header, source). Report sources: "r.<field>" from the report, "i.<field>" from one inspection,
# "p.<field>" from the point's registry entry, "c.<field>" from the report's contact ({name, phone}).
# `r.district` is written as the district's name.
REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("监测点编号", "r.point_id"), ("企业名称", "p.enterprise_name"), ("县（市、区）", "r.district"),
    ("报送月份", "r.month"), ("版本(0=首次报送)", "r.seq"), ("接收时间(北京时间)", "r.received_at"),
    ("本月未接受检查", "r.no_inspections"),
    ("检查序号", "i.#"), ("检查日期", "i.date"), ("执法单位", "i.agency"), ("执法人员人数", "i.officer_count"),
    ("是否亮证", "i.credentials_shown"), ("检查类型", "i.inspection_type"), ("是否提前告知", "i.notice_given"),
    ("是否备案/扫码入企", "i.filed_or_scanned"), ("是否联合检查", "i.joint"), ("检查事项", "i.items_checked"),
    ("检查结果", "i.outcome"), ("结果说明", "i.outcome_note"), ("存在问题", "i.misconduct"),
    ("满意度", "i.satisfaction"), ("具体说明", "i.comment"), ("意见建议", "r.suggestions"),
    ("联系人", "c.name"), ("联系电话", "c.phone"),
)
COMPLAINT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("投诉编号", "complaint_id"), ("接收时间(北京时间)", "received_at"), ("投诉人类型", "complainant_type"),
    ("姓名(名称)", "name"), ("统一社会信用代码", "uscc"), ("联系电话", "phone"), ("邮箱", "email"),
    ("是否要求回复", "wants_reply"), ("被投诉单位", "agency"), ("被投诉人员", "officers"),
    ("发生日期", "incident_date"), ("地点", "place"), ("投诉类别", "category"), ("事实和理由", "description"),
    ("投诉请求", "request"), ("状态", "status"), ("答复", "reply"), ("答复时间(北京时间)", "replied_at"),
)
# Cells written as spreadsheet values in XLSX (numbers, dates, times: nothing a formula can hide in);
# every other cell is formula-safe text. Times are stored in UTC and written in Beijing time.
COUNTS = {"r.seq", "i.#", "i.officer_count"}
DATES = {"i.date", "incident_date"}
TIMES = {"r.received_at", "received_at", "replied_at"}
CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no daylight saving


class Count(int):
    """A count: a number cell in XLSX (a plain int stays text, as every other cell)."""


def typed(source: str, value: Any) -> Any:
    """The cell value of `source`: a Count, a date, a Beijing-time datetime (naive), or as stored when it
    is not what the column expects (it is then written as text, so nothing is lost)."""
    if value is None or isinstance(value, bool):
        return value
    try:
        if source in COUNTS and isinstance(value, int):
            return Count(value)
        if source in DATES and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if source in TIMES and isinstance(value, str):
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                return moment.astimezone(CHINA).replace(tzinfo=None, microsecond=0)
    except ValueError:
        pass
    return value


PointLookup = Callable[[str, str], Mapping[str, Any] | None]


def report_rows(reports: Iterable[Mapping[str, Any]], points: PointLookup | None = None,
                district_names: Mapping[str, str] | None = None) -> Iterator[list[Any]]:
    """One row per inspection of each report; a report without inspections still gives one row. With
    `points` (point_id, district → registry entry) every row carries the enterprise's name; the district
    is written by its name from `district_names`."""
    names = district_names or {}
    for report in reports:
        point = points(str(report.get("point_id")), str(report.get("district"))) if points else None
        contact = _contact(report)
        inspections = report.get("inspections") or [None]
        for number, inspection in enumerate(inspections, start=1):
            yield [_report_cell(source, report, point, contact, inspection, number, names)
                   for _, source in REPORT_COLUMNS]


def _report_cell(source: str, report: Mapping[str, Any], point: Mapping[str, Any] | None,
                 contact: Mapping[str, Any], inspection: Mapping[str, Any] | None, number: int,
                 names: Mapping[str, str]) -> Any:
    """One cell of a report row, by its column's source: `r.` the report (the district by its name),
    `p.` the registry entry, `c.` the contact, else the inspection (`#` its number; none: empty)."""
    scope, _, name = source.partition(".")
    if scope == "r":
        value = report.get(name)
        return (names.get(str(value)) or value) if name == "district" else typed(source, value)
    if scope == "p":
        return (point or {}).get(name)
    if scope == "c":
        return contact.get(name)
    if inspection is None:
        return None
    return typed(source, number if name == "#" else inspection.get(name))


def _contact(report: Mapping[str, Any]) -> Mapping[str, Any]:
    """The report's contact as {name, phone}: stored as one map (`contact`), or, in reports stored
    before, as `contact_name` and `contact_phone`."""
    contact = report.get("contact")
    if isinstance(contact, Mapping):
        return contact
    return {"name": report.get("contact_name"), "phone": report.get("contact_phone")}


def complaint_rows(complaints: Iterable[Mapping[str, Any]]) -> Iterator[list[Any]]:
    for complaint in complaints:
        yield [typed(name, complaint.get(name)) for _, name in COMPLAINT_COLUMNS]


class PointNames:
    """Registry entries for report rows: one query of a district's points (gsi2 `POINTS#{district}`)
    the first time the district is seen, then a GetItem for a point that query did not list."""

    def __init__(self, table: DynamoTable) -> None:
        self.table = table
        self.known: dict[str, Mapping[str, Any] | None] = {}
        self.read: set[str] = set()

    def __call__(self, point_id: str, district: str) -> Mapping[str, Any] | None:
        if district not in self.read:
            self.read.add(district)
            for item in self.table.query(f"POINTS#{district}", index=schema.GSI2):
                self.known[str(item["point_id"])] = {"enterprise_name": item.get("enterprise_name")}
        if point_id not in self.known:
            found = self.table.get(f"POINT#{point_id}", "POINT", consistent=False)
            self.known[point_id] = {"enterprise_name": found.get("enterprise_name")} if found else None
        return self.known[point_id]


def stored_reports(table: DynamoTable, districts: Iterable[str], month_from: str, month_to: str
                   ) -> Iterator[dict[str, Any]]:
    """Reports (every filing and amendment) of these districts and months, page by page (gsi2)."""
    for district in districts:
        yield from table.query(f"REPORTS#{district}", index=schema.GSI2,
                               sk_between=(f"{month_from}#", f"{month_to}#\uffff"))


def stored_complaints(table: DynamoTable, month_from: str, month_to: str) -> Iterator[dict[str, Any]]:
    yield from table.query("COMPLAINTS", index=schema.GSI2, sk_between=(f"{month_from}#", f"{month_to}#\uffff"))
