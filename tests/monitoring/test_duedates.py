"""Due dates against the State Council's annual holiday notices, and office-supplied years.

Each expected date below was worked out from the notice (days off, make-up working days), not
copied from the code's output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from enforcewatch.errors import CalendarUnknown, ContentError
from enforcewatch.monitoring.duedates import WorkCalendar, load_calendar, reporting_calendar

D = dt.date

NOTICE_CASES = [
    # (report month, due date, why)
    ("2019-04", D(2019, 5, 5), "劳动节 5.1–5.4；5.5（周日）调休上班：截止日就是5日"),
    ("2020-01", D(2020, 2, 5), "春节延长至2.2；2.5（周三）上班"),
    ("2020-03", D(2020, 4, 7), "清明 4.4–4.6 放假"),
    ("2020-04", D(2020, 5, 6), "劳动节 5.1–5.5 放假"),
    ("2020-09", D(2020, 10, 9), "国庆中秋 10.1–10.8 放假"),
    ("2021-03", D(2021, 4, 6), "清明 4.3–4.5 放假"),
    ("2021-04", D(2021, 5, 6), "劳动节 5.1–5.5 放假"),
    ("2021-09", D(2021, 10, 8), "国庆 10.1–10.7 放假"),
    ("2022-01", D(2022, 2, 7), "春节 1.31–2.6 放假，2.5、2.6 是周末也在假期内"),
    ("2022-03", D(2022, 4, 6), "清明 4.3–4.5 放假"),
    ("2022-04", D(2022, 5, 5), "劳动节 4.30–5.4 放假，5.5（周四）上班"),
    ("2022-09", D(2022, 10, 8), "国庆 10.1–10.7 放假；10.8（周六）调休上班"),
    ("2023-01", D(2023, 2, 6), "2.5 是周日"),
    ("2023-03", D(2023, 4, 6), "清明 4.5（周三）放假一天"),
    ("2023-04", D(2023, 5, 5), "劳动节 4.29–5.3 放假，5.5（周五）上班"),
    ("2023-09", D(2023, 10, 7), "中秋国庆 9.29–10.6 放假；10.7（周六）调休上班"),
    ("2024-01", D(2024, 2, 5), "2.5（周一）上班，春节 2.10 起"),
    ("2024-02", D(2024, 3, 5), "3.5（周二）"),
    ("2024-03", D(2024, 4, 7), "清明 4.4–4.6 放假；4.7（周日）调休上班"),
    ("2024-04", D(2024, 5, 6), "劳动节 5.1–5.5 放假"),
    ("2024-09", D(2024, 10, 8), "国庆 10.1–10.7 放假"),
    ("2024-12", D(2025, 1, 6), "1.5 是周日"),
    ("2025-01", D(2025, 2, 5), "春节 1.28–2.4 放假，2.5（周三）上班"),
    ("2025-03", D(2025, 4, 7), "清明 4.4–4.6 放假"),
    ("2025-04", D(2025, 5, 6), "劳动节 5.1–5.5 放假"),
    ("2025-09", D(2025, 10, 9), "国庆中秋 10.1–10.8 放假"),
    ("2025-12", D(2026, 1, 5), "元旦 1.1–1.3；1.5（周一）"),
    ("2026-01", D(2026, 2, 5), "2.5（周四），春节 2.15 起"),
    ("2026-03", D(2026, 4, 7), "清明 4.4–4.6 放假"),
    ("2026-04", D(2026, 5, 6), "劳动节 5.1–5.5 放假"),
    ("2026-09", D(2026, 10, 8), "国庆 10.1–10.7 放假"),
    ("2026-11", D(2026, 12, 7), "12.5 是周六"),
]


@pytest.mark.parametrize(("month", "due", "why"), NOTICE_CASES, ids=[c[0] for c in NOTICE_CASES])
def test_due_date_follows_state_council_notice(month: str, due: dt.date, why: str) -> None:
    assert WorkCalendar().due_date_of(month) == due, why


def test_make_up_sunday_is_a_working_day() -> None:
    cal = WorkCalendar()
    assert cal.is_workday(D(2024, 4, 7))  # 清明调休：4月7日（周日）上班
    assert not cal.is_workday(D(2024, 4, 5))


def test_unknown_year_is_refused_naming_the_year() -> None:
    with pytest.raises(CalendarUnknown, match="2027"):
        WorkCalendar().due_date_of("2026-12")  # due in January 2027
    with pytest.raises(CalendarUnknown, match="2003"):
        WorkCalendar().due_date_of("2003-01")


def write_year(folder: Path, name: str, text: str) -> Path:
    (folder / "calendar").mkdir(parents=True, exist_ok=True)
    path = folder / "calendar" / name
    path.write_text(text, encoding="utf-8")
    return path


def test_office_year_extends_the_library(tmp_path: Path) -> None:
    # A made-up year for the test only (not an official notice): 1.1–1.5 off, 1.9 (Sat) work.
    write_year(tmp_path, "2027.yaml", "holidays:\n  - 2027-01-01\n  - 2027-01-04\n  - 2027-01-05\n"
               "workdays:\n  - 2027-01-09\n")
    cal = load_calendar(tmp_path)
    assert cal.due_date_of("2026-12") == D(2027, 1, 6)
    assert cal.is_workday(D(2027, 1, 9))
    assert not cal.is_workday(D(2027, 1, 10))  # a plain Sunday
    assert cal.due_date_of("2027-01") == D(2027, 2, 5)  # 2027-02-05 is a Friday


def test_office_year_overrides_the_library(tmp_path: Path) -> None:
    write_year(tmp_path, "2024.yaml", "holidays: [2024-03-05]\nworkdays: []\n")
    assert load_calendar(tmp_path).due_date_of("2024-02") == D(2024, 3, 6)


def test_bad_office_year_names_file_line_and_field(tmp_path: Path) -> None:
    path = write_year(tmp_path, "2027.yaml", "holidays:\n  - 2027-02-30\n  - 2026-12-31\nworkdays:\n"
                      "  - 2027-01-04\nextra: 1\n")
    with pytest.raises(ContentError) as caught:
        load_calendar(tmp_path)
    text = str(caught.value)
    assert f"{path}:2: holidays: 日期应写作 YYYY-MM-DD" in text
    assert f"{path}:3: holidays: 2026-12-31 不属于 2027 年" in text
    assert f"{path}:5: workdays: 2027-01-04 是周一至周五" in text
    assert f"{path}:6: extra: 未知字段" in text


def test_badly_named_or_incomplete_year_file(tmp_path: Path) -> None:
    write_year(tmp_path, "next.yaml", "holidays: []\nworkdays: []\n")
    write_year(tmp_path, "2028.yaml", "holidays: []\n")
    with pytest.raises(ContentError) as caught:
        load_calendar(tmp_path)
    assert len(caught.value.problems) == 2
    assert "next.yaml: 日历文件应以年份命名" in str(caught.value)
    assert "2028.yaml:1: workdays: 缺少此字段" in str(caught.value)


def test_reporting_calendar_marks_unknown_year() -> None:
    rows = reporting_calendar(WorkCalendar(), D(2026, 11, 23))
    assert len(rows) == 24
    assert rows[0].month == "2026-01" and rows[0].due == D(2026, 2, 5)
    assert rows[10].due == D(2026, 12, 7)
    assert rows[11].month == "2026-12" and rows[11].due is None and rows[11].unknown_year == 2027
    assert all(r.due is None for r in rows[12:])


def test_repository_calendar_data_loads() -> None:
    root = Path(__file__).resolve().parents[2]
    cal = load_calendar(root / "site" / "content")
    assert cal.due_date_of("2026-10") == D(2026, 11, 5)
    assert not cal.known(2027) or (root / "site/content/calendar/2027.yaml").is_file()


def test_add_working_days_skips_national_day_and_counts_make_up_saturday() -> None:
    calendar = WorkCalendar()
    # 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are make-up working days.
    assert calendar.add_working_days(dt.date(2025, 9, 30), 1) == dt.date(2025, 10, 9)
    assert calendar.add_working_days(dt.date(2025, 9, 30), 3) == dt.date(2025, 10, 11)
    assert calendar.add_working_days(dt.date(2025, 9, 26), 1) == dt.date(2025, 9, 28)
    with pytest.raises(CalendarUnknown):
        calendar.add_working_days(dt.date(2099, 12, 30), 5)
    with pytest.raises(ValueError):
        calendar.add_working_days(dt.date(2025, 9, 30), 0)
