"""The reporting calendar: when each month's monitoring report is due.

seed 000 §七: 每月5日（节假日顺延至节后第一个工作日）前报送上月信息. The report for month M is due on
the first official working day on or after the 5th of M+1. Working days follow the State Council's
annual notice: weekends and public holidays are days off, its make-up working days (调休上班) are
working days. The library `chinesecalendar` knows the notices it shipped with; the office adds a
year the library does not know yet as data in `site/content/calendar/<YEAR>.yaml`. For a year
known to neither, every function here raises `CalendarUnknown` naming the year: never guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from enforcewatch.errors import CalendarUnknown, ContentError, ContentProblem

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.store.dynamo import DynamoTable

DUE_DAY = 5  # seed 000 §七: 每月5日前
CALENDAR_DIR = "calendar"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR_FILE = re.compile(r"^(\d{4})\.yaml$")


def parse_month(text: str) -> tuple[int, int]:
    """`YYYY-MM` → (year, month); ValueError with a Chinese message otherwise."""
    m = _MONTH.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"月份应写作 YYYY-MM（如 2026-03），而不是“{text}”")
    return int(m.group(1)), int(m.group(2))


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


@dataclass(frozen=True)
class OfficeYear:
    """A year's days off and make-up working days, as the office typed them from the notice."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str


@dataclass
class WorkCalendar:
    """Official working days: the office's years first, then chinesecalendar's."""

    office: dict[int, OfficeYear] = field(default_factory=dict)
    _due: dict[tuple[int, int], dt.date] = field(default_factory=dict, repr=False, compare=False)

    def known(self, year: int) -> bool:
        if year in self.office:
            return True
        try:
            self._library_workday(dt.date(year, 6, 1))
        except CalendarUnknown:
            return False
        return True

    def is_workday(self, day: dt.date) -> bool:
        office = self.office.get(day.year)
        if office is not None:
            if day in office.workdays:
                return True
            return day.weekday() < 5 and day not in office.holidays
        return self._library_workday(day)

    @staticmethod
    def _library_workday(day: dt.date) -> bool:
        # cold start: the holiday library loads only for a year the office has not listed
        import chinese_calendar

        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise CalendarUnknown(unknown_year_message(day.year)) from None

    def due_date(self, year: int, month: int) -> dt.date:
        """The due date of the report for month (year, month)."""
        cached = self._due.get((year, month))
        if cached is not None:
            return cached
        self._due[(year, month)] = due = self._find_due(year, month)
        return due

    def _find_due(self, year: int, month: int) -> dt.date:
        ny, nm = next_month(year, month)
        day = dt.date(ny, nm, DUE_DAY)
        # 节假日顺延: the longest run of days off in a notice is well under a month.
        for _ in range(31):
            if self.is_workday(day):
                return day
            day += dt.timedelta(days=1)
        raise CalendarUnknown(f"{ny}年{nm}月5日后31天内没有工作日，请核对日历数据")  # pragma: no cover

    def due_date_of(self, month: str) -> dt.date:
        return self.due_date(*parse_month(month))

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th official working day after `start` (start itself not counted): a deadline of
        "N working days" set on `start` (e.g. a transferred clue's 限期整改)."""
        if days < 1:
            raise ValueError("工作日数应为正整数")
        day, counted = start, 0
        while counted < days:
            day += dt.timedelta(days=1)
            counted += self.is_workday(day)
        return day


def unknown_year_message(year: int) -> str:
    return (
        f"{year}年的法定节假日安排尚未录入，无法计算该年的报送截止日。"
        f"国务院办公厅公布{year}年安排后，请按 site/content/calendar/README.md 添加 {year}.yaml"
    )


@dataclass(frozen=True)
class CalendarMonth:
    """One row of the published reporting calendar: a month and its due date (None if unknown)."""

    month: str
    due: dt.date | None
    unknown_year: int | None = None


def reporting_calendar(calendar: WorkCalendar, today: dt.date) -> list[CalendarMonth]:
    """Each month of the current and next year with its due date, as far as the calendar is known."""
    rows = []
    for year in (today.year, today.year + 1):
        for month in range(1, 13):
            try:
                rows.append(CalendarMonth(month_text(year, month), calendar.due_date(year, month)))
            except CalendarUnknown:
                rows.append(CalendarMonth(month_text(year, month), None, next_month(year, month)[0]))
    return rows


WEEKDAYS = "一二三四五六日"


def calendar_page_context(calendar: WorkCalendar, today: dt.date) -> dict[str, Any]:
    """What the published calendar page shows: the current and next year, as far as the calendar is known."""
    years: dict[int, list[dict[str, Any]]] = {}
    unknown: set[int] = set()
    for row in reporting_calendar(calendar, today):
        year, month = parse_month(row.month)
        if row.unknown_year is not None:
            unknown.add(row.unknown_year)
        years.setdefault(year, []).append({
            "month": row.month, "label": f"{year}年{month}月", "due": row.due,
            "weekday": f"星期{WEEKDAYS[row.due.weekday()]}" if row.due else None, "unknown_year": row.unknown_year})
    return {"built_on": today.isoformat(), "years": [{"year": y, "months": m} for y, m in sorted(years.items())],
            "unknown_years": sorted(unknown)}


def calendar_hook(content_dir: Path, today: dt.date,
                  table: DynamoTable | None = None) -> Callable[[Any], Mapping[str, Any]]:
    """A build context hook: `reporting_calendar` for site/templates/pages/calendar/index.html. Given
    the table, the years the office uploaded through the workspace count too (`load_calendar`), so
    the published due dates follow a new year's notice without a redeploy."""
    def hook(_content: Any) -> Mapping[str, Any]:
        return {"reporting_calendar": calendar_page_context(load_calendar(content_dir, table), today)}
    return hook


# -- office-supplied years ----------------------------------------------------------------------

STORED_CALENDAR = "CALENDAR"  # pk of the years uploaded through the staff workspace (sk YEAR#{year})


def load_calendar(content_dir: Path, table: DynamoTable | None = None) -> WorkCalendar:
    """The working calendar with the office's years from `content_dir/calendar/*.yaml` and, given the
    table, the years uploaded through the staff workspace (`CALENDAR` / `YEAR#{year}`), which win
    over a file of the same year: a new year's notice takes effect without redeploying.

    Every problem in every file is collected and raised at once as ContentError (PATH:LINE: field: message).
    """
    folder = content_dir / CALENDAR_DIR
    problems: list[ContentProblem] = []
    office: dict[int, OfficeYear] = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml"):
                continue
            year = _read_year(path, problems)
            if year is not None:
                office[year.year] = year
    for item in (table.query(STORED_CALENDAR, consistent=True) if table is not None else ()):
        year = read_year_text(f"{STORED_CALENDAR}/{item['year']}.yaml", int(item["year"]), str(item["text"]), problems)
        if year is not None:
            office[year.year] = year
    if problems:
        raise ContentError(problems)
    return WorkCalendar(office)


def _read_year(path: Path, problems: list[ContentProblem]) -> OfficeYear | None:
    where = str(path)
    m = _YEAR_FILE.match(path.name)
    if not m:
        problems.append(ContentProblem(where, None, "", "日历文件应以年份命名，如 2027.yaml"))
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(ContentProblem(where, None, "", f"文件应为 UTF-8 编码：{exc}"))
        return None
    return read_year_text(where, int(m.group(1)), text, problems)


def read_year_text(where: str, year: int, text: str, problems: list[ContentProblem]) -> OfficeYear | None:
    """One year's days off and make-up working days from its YAML text (a file, or an upload)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        problems.append(ContentProblem(where, line + 1 if line is not None else None, "", f"YAML格式错误：{exc}"))
        return None
    if not isinstance(root, yaml.MappingNode):
        problems.append(ContentProblem(where, 1, "", "应为含 holidays 和 workdays 两个列表的映射"))
        return None
    lists: dict[str, list[dt.date]] = {"holidays": [], "workdays": []}
    before = len(problems)
    for key_node, value_node in root.value:
        key = key_node.value
        if key not in lists:
            problems.append(ContentProblem(where, key_node.start_mark.line + 1, str(key),
                                           "未知字段（只允许 holidays、workdays）"))
            continue
        lists[key] = _read_dates(where, key, value_node, year, problems)
    for key in lists:
        if key not in {k.value for k, _ in root.value}:
            problems.append(ContentProblem(where, 1, key, "缺少此字段（没有时写空列表 []）"))
    _check_days(where, root, lists, problems)
    if len(problems) > before:
        return None
    return OfficeYear(year, frozenset(lists["holidays"]), frozenset(lists["workdays"]), where)


def _read_dates(where: str, key: str, node: yaml.Node, year: int,
                problems: list[ContentProblem]) -> list[dt.date]:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(ContentProblem(where, node.start_mark.line + 1, key, "应为日期列表"))
        return []
    out = []
    for item in node.value:
        line = item.start_mark.line + 1
        try:
            day = dt.date.fromisoformat(str(item.value))
        except ValueError:
            problems.append(ContentProblem(where, line, key, f"日期应写作 YYYY-MM-DD，而不是“{item.value}”"))
            continue
        if day.year != year:
            problems.append(ContentProblem(where, line, key, f"{day} 不属于 {year} 年"))
            continue
        if key == "workdays" and day.weekday() < 5:
            problems.append(ContentProblem(where, line, key, f"{day} 是周一至周五，调休上班日应为周六或周日"))
            continue
        out.append(day)
    return out


def _check_days(where: str, root: yaml.MappingNode, lists: dict[str, list[dt.date]],
                problems: list[ContentProblem]) -> None:
    both = set(lists["holidays"]) & set(lists["workdays"])
    for day in sorted(both):
        problems.append(ContentProblem(where, root.start_mark.line + 1, "workdays", f"{day} 同时列为放假和上班"))


