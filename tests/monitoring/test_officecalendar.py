"""Next year's calendar uploaded through the workspace: checked like a calendar file, stored in the
table, and read by load_calendar (given the table) ahead of a content file of the same year."""

from __future__ import annotations

import datetime as dt

import pytest

from enforcewatch.errors import ContentError, InputError
from enforcewatch.monitoring import officecalendar
from enforcewatch.monitoring.duedates import load_calendar

NOW = dt.datetime(2030, 12, 1, 2, 0, tzinfo=dt.UTC)


def test_an_upload_is_checked_like_a_calendar_file() -> None:
    with pytest.raises(ContentError) as bad:
        officecalendar.check_upload("2031", b"holidays: [2031-01-01, 2030-12-31]\nworkdays: [2031-01-06]\n", "a.yaml")
    messages = [str(p) for p in bad.value.problems]
    assert "a.yaml:1: holidays: 2030-12-31 不属于 2031 年" in messages
    assert any(m.startswith("a.yaml:2: workdays:") and "周六或周日" in m for m in messages)
    with pytest.raises(InputError, match="年份"):
        officecalendar.check_upload("31", b"holidays: []\nworkdays: []\n", "a.yaml")
    with pytest.raises(InputError, match="UTF-8"):
        officecalendar.check_upload("2031", "holidays: []".encode("gbk") + b"\xff", "a.yaml")


def test_a_stored_year_is_used_and_wins_over_a_file(moto_table, tmp_path) -> None:
    content = tmp_path / "content"
    (content / "calendar").mkdir(parents=True)
    (content / "calendar" / "2031.yaml").write_text("holidays: [2031-01-01]\nworkdays: []\n", encoding="utf-8")
    assert load_calendar(content, moto_table).is_workday(dt.date(2031, 1, 2))
    year, text, _ = officecalendar.check_upload("2031", b"holidays: [2031-01-01, 2031-01-02]\nworkdays: []\n", "n.yaml")
    officecalendar.save_year(moto_table, year, text, "n.yaml", "city", NOW)
    assert not load_calendar(content, moto_table).is_workday(dt.date(2031, 1, 2))
    assert load_calendar(content).is_workday(dt.date(2031, 1, 2))  # without the table: the file only
    assert [y["year"] for y in officecalendar.stored_years(moto_table)] == [2031]
