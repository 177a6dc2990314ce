"""The workspace's domain reads (enforcewatch.staff: dashboard, pointviews, readings, paging, labels)
on moto and DynamoDB Local, with a tiny city built here so every figure is known."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcewatch.errors import InputError
from enforcewatch.intake.reports import ReportStored
from enforcewatch.monitoring.deadlines import Flag
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.monitoring.flags import flag_item
from enforcewatch.monitoring.flagstate import OPEN_STATE, FlagState
from enforcewatch.monitoring.registry import point_index_keys
from enforcewatch.staff import dashboard, labels, paging, pointviews, readings
from enforcewatch.staff.staffing import Scope
from enforcewatch.store import schema

TODAY = dt.date(2026, 3, 9)  # the reporting month is 2026-02, due 2026-03-05 (a Thursday)
OFFICE = Scope("city", "office", None, ("hongqi", "weibin"))
NOW = dt.datetime(2026, 3, 9, 2, 0, tzinfo=dt.UTC)
HQ = Scope("hq", "district", "hongqi", ("hongqi", "weibin"))


def point(pid: str, district: str, status: str = "active", reporting_from: str = "2025-06", **extra) -> dict:
    return {"pk": f"POINT#{pid}", "sk": "POINT", "point_id": pid, "district": district, "status": status,
            "reporting_from": reporting_from, "enterprise_name": f"{pid}有限公司", "uscc": f"USCC{pid}",
            "industry": extra.get("industry", "制造业"),
            schema.GSI1PK: f"DISTRICT#{district}", schema.GSI1SK: f"POINT#{pid}#POINT", **point_index_keys(district, pid)}


def report(pid: str, district: str, month: str, received: str, **inspection) -> dict:
    inspections = [{"date": f"{month}-10", "agency": "红旗区市场监管局", "satisfaction": "满意", **inspection}]
    return ReportStored(point_id=pid, district=district, month=month, seq=0, received_at=received,
                        inspections=inspections, suggestions=None, contact={"name": "张三", "phone": "1"}).item()


@pytest.fixture
def city(table):
    table.batch_put([
        point("A1", "hongqi"), point("A2", "hongqi"), point("A3", "hongqi"), point("A4", "hongqi"),
        point("A5", "hongqi", status="withdrawn"), point("A6", "hongqi", reporting_from="2026-03"),
        point("B1", "weibin", industry="餐饮业"),
        report("A1", "hongqi", "2026-02", "2026-03-02T01:00:00.000000Z"),  # on time
        report("A2", "hongqi", "2026-02", "2026-03-05T15:59:59.000000Z"),  # 23:59:59 Beijing: on time
        report("A3", "hongqi", "2026-02", "2026-03-05T16:00:00.000000Z", misconduct=["重复检查"],
               satisfaction="不满意"),  # 00:00 on the 6th: late
        report("B1", "weibin", "2026-01", "2026-02-03T01:00:00.000000Z"),
        *[flag_item(Flag(pid, "hongqi", "overdue", "2026-02", dt.date(2026, 3, 6)), NOW, state)
          for pid, state in (("A4", OPEN_STATE), ("A3", FlagState("closed", dt.date(2026, 3, 6), "report_arrived")))],
    ])
    return table


def test_dashboard_counts_the_reporting_month_by_district(city) -> None:
    board = dashboard.build(city, OFFICE, WorkCalendar(), TODAY, 10)
    assert board.month == "2026-02" and board.due_date == dt.date(2026, 3, 5)
    lines = {d.district: d for d in board.districts}
    hq = lines["hongqi"]  # A5 has left, A6 starts in March: neither is due
    assert hq.due == 4 and dict(hq.counts) == {"on_time": 2, "late": 1, "missing": 1}
    assert lines["weibin"].due == 1 and lines["weibin"].counts["missing"] == 1
    assert board.total.due == 5
    assert board.flags["overdue"] == 1  # counted from the flag index (open flags only)


def test_district_dashboard_and_registry_stay_in_the_district(city) -> None:
    board = dashboard.build(city, HQ, WorkCalendar(), TODAY, 10)
    assert [d.district for d in board.districts] == ["hongqi"] and board.complaints_waiting is None
    rows, industries = pointviews.registry(city, HQ, pointviews.RegistryFilter(), None, TODAY)
    assert {r.point_id for r in rows} == {"A1", "A2", "A3", "A4", "A5", "A6"} and industries == ["制造业"]


def test_registry_filters_behind_the_dashboard_figures(city) -> None:
    due = dt.date(2026, 3, 5)

    def ids(**kw: str) -> set[str]:
        rows, _ = pointviews.registry(city, OFFICE, pointviews.RegistryFilter(**kw), due, TODAY)
        return {r.point_id for r in rows}

    assert ids(month="2026-02", reported="late") == {"A3"}
    assert ids(month="2026-02", reported="missing") == {"A4", "B1"}
    assert ids(month="2026-02", reported="due") == {"A1", "A2", "A3", "A4", "B1"}
    assert ids(q="usccb1") == {"B1"} and ids(q="A2有限") == {"A2"} and ids(status="withdrawn") == {"A5"}
    assert ids(industry="餐饮业") == {"B1"}
    with pytest.raises(InputError, match="月份"):
        pointviews.RegistryFilter(reported="late").check()


def test_reports_table_filters(city) -> None:
    flt = readings.ReportFilter("2026-01", "2026-02")
    assert [r["point_id"] for r in readings.reports(city, OFFICE, flt)] == ["A3", "A2", "A1", "B1"]
    bad = readings.reports(city, OFFICE, readings.ReportFilter("2026-01", "2026-02", misconduct=True))
    assert [r["point_id"] for r in bad] == ["A3"] and bad[0]["dissatisfied"]
    assert [r["point_id"] for r in readings.reports(city, HQ, flt)] == ["A3", "A2", "A1"]
    with pytest.raises(InputError, match="月份"):
        readings.reports(city, OFFICE, readings.ReportFilter("2026-1", "2026-02"))


def test_paging_and_labels() -> None:
    page = paging.paginate(list(range(120)), 3)
    assert page.items == list(range(100, 120)) and page.pages == 3 and (page.first_row, page.last_row) == (101, 120)
    assert paging.paginate(list(range(120)), 9).number == 3 and paging.paginate([], 1).pages == 1
    assert page.around() == [1, 2, 3]
    with pytest.raises(InputError, match="页码"):
        paging.page_number("x")
    assert labels.beijing("2026-03-05T16:00:00.000000Z") == "2026-03-06 00:00"
    assert labels.DistrictNames([{"id": "hongqi", "name": "红旗区"}])("hongqi") == "红旗区"
