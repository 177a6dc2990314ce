"""The published reporting calendar: computed by the same code as the check, unknown years said plainly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bs4 import BeautifulSoup

from enforcewatch.cli import main
from enforcewatch.monitoring.duedates import WorkCalendar, calendar_page_context

ROOT = Path(__file__).resolve().parents[2]


def test_page_context_covers_current_and_next_year_as_far_as_known() -> None:
    ctx = calendar_page_context(WorkCalendar(), dt.date(2025, 3, 1))
    assert [y["year"] for y in ctx["years"]] == [2025, 2026]
    assert ctx["unknown_years"] == [2027]  # December 2026 is due in January 2027
    assert ctx["years"][0]["months"][8] == {"month": "2025-09", "label": "2025年9月", "due": dt.date(2025, 10, 9),
                                           "weekday": "星期四", "unknown_year": None}


def test_built_calendar_page(tmp_path: Path) -> None:
    out = tmp_path / "site"
    assert main(["build", "--content", str(ROOT / "site/content"), "--templates", str(ROOT / "site/templates"),
                 "--out", str(out), "--today", "2026-11-23"]) == 0
    soup = BeautifulSoup((out / "calendar" / "index.html").read_text(encoding="utf-8"), "html.parser")
    tables = soup.find_all("table")
    assert [t.caption.get_text() for t in tables] == ["2026年各月监测信息报送截止日", "2027年各月监测信息报送截止日"]
    rows = {tr.th.get_text(): tr.find_all("td") for tr in tables[0].tbody.find_all("tr")}
    assert rows["2026年3月"][0].time["datetime"] == "2026-04-07"
    assert rows["2026年11月"][0].get_text() == "2026年12月7日"
    assert "待定：2027年节假日安排公布后确定" in rows["2026年12月"][0].get_text()
    assert all("待定" in tr.get_text() for tr in tables[1].tbody.find_all("tr"))
    assert "2027年、2028年的法定节假日安排尚未公布" in soup.get_text()  # Dec 2027 is due in 2028


def test_build_uses_the_year_the_office_uploaded(tmp_path: Path, moto_table, monkeypatch) -> None:
    """Issue 16: the public build reads the years uploaded through the workspace from the store (here the
    deployed table, EW_STORE=aws), so 2027's due dates are published once its notice is uploaded."""
    from enforcewatch.config import ENV_STORE, ENV_TABLE
    from enforcewatch.monitoring import officecalendar

    # 2027: New Year on Friday 1 January, the Spring Festival week from 8 February, 5 April (清明) off.
    text = (b"holidays: [2027-01-01, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12, 2027-04-05]\n"
            b"workdays: []\n")
    year, stored, _ = officecalendar.check_upload("2027", text, "2027.yaml")
    officecalendar.save_year(moto_table, year, stored, "2027.yaml", "city", dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    monkeypatch.setenv(ENV_STORE, "aws")
    monkeypatch.setenv(ENV_TABLE, moto_table.name)
    out = tmp_path / "site"
    assert main(["build", "--content", str(ROOT / "site/content"), "--templates", str(ROOT / "site/templates"),
                 "--out", str(out), "--today", "2026-11-23"]) == 0
    soup = BeautifulSoup((out / "calendar" / "index.html").read_text(encoding="utf-8"), "html.parser")
    tables = soup.find_all("table")
    first = {tr.th.get_text(): tr.find_all("td") for tr in tables[0].tbody.find_all("tr")}
    second = {tr.th.get_text(): tr.find_all("td") for tr in tables[1].tbody.find_all("tr")}
    assert first["2026年12月"][0].time["datetime"] == "2027-01-05"  # no longer 待定
    assert second["2027年1月"][0].time["datetime"] == "2027-02-05"
    assert second["2027年3月"][0].time["datetime"] == "2027-04-06"  # 5 April is a holiday: moved on a day
    assert not any("待定" in tr.get_text() for tr in tables[1].tbody.find_all("tr")[:11])
