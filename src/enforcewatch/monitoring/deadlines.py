"""The monitoring-point rules, as of a date (seed 000 §四, §七; docs/rules.md). Pure: no clock, no store.

`evaluate` returns every flag that the daily check would have raised on any day up to `as_of`, each
with the day it first arose (`raised_on`). A run after a gap of days therefore catches up, and
storing each flag under its deterministic key makes reruns idempotent.

"As of D" means the start of day D in China time: a month is due once its due date has passed
(due < D), and a report counts if it was received before D began.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from enforcewatch.clock import china_date, china_time_text
from enforcewatch.errors import CalendarUnknown
from enforcewatch.monitoring.duedates import WorkCalendar, month_text, next_month, parse_month

STATUSES = ("active", "revoked", "terminated", "withdrawn")
FLAG_KINDS = ("overdue", "reminder_due", "revocable", "terminated", "plaque_to_recover")
EVENT_KINDS = ("reminder", "disqualifying", "terminated", "withdrawn", "plaque_returned", "revocation_kept")

# seed 000 §四(二): grounds that revoke a point from the month after they occur (SPEC "revocable").
DISQUALIFYING_REASONS = {
    "safety_accident": "重大安全生产责任事故",
    "environmental_accident": "重大环境污染事故",
    "food_drug_accident": "重大食品药品安全事故",
    "tax_violation": "重大税收违法行为",
    "licence_not_renewed": "依法应取得行政许可或展期而未及时办理",
    "large_fine": "受到大额罚款",
    "confiscation": "没收违法所得、没收非法财物",
    "suspension": "责令停产停业",
    "licence_revoked": "暂扣或者吊销许可证、执照",
    "representative_crime": "法定代表人（实控人）涉嫌刑事犯罪",
    "credit_risk": "出现重大社会信用风险",
    "dishonest_party": "被列入失信被执行人等黑名单",
}
# seed 000 §四(二): 依法破产、重组或其他影响企业正常生产经营事项 → 终止.
TERMINATION_REASONS = {"bankruptcy": "依法破产", "restructuring": "重组", "other": "其他影响正常生产经营事项"}
EVENT_LABELS = {"reminder": "提醒", "disqualifying": "取消资格事由", "terminated": "终止事由",
                "withdrawn": "自愿退出", "plaque_returned": "牌匾已收回", "revocation_kept": "经研究保留资格"}
STATUS_LABELS = {"active": "正常", "revoked": "已取消", "terminated": "已终止", "withdrawn": "已退出"}


@dataclass(frozen=True)
class Point:
    point_id: str
    district: str
    reporting_from: str  # YYYY-MM: the first month a report is due for
    status: str = "active"
    designated_on: dt.date | None = None
    status_since: dt.date | None = None  # the day (China time) staff last set the status, if known


@dataclass(frozen=True)
class Report:
    point_id: str
    month: str
    received_at: dt.datetime  # timezone-aware; the first filing (seq 0)


@dataclass(frozen=True)
class Event:
    point_id: str
    kind: str
    date: dt.date
    reason: str | None = None
    event_id: str = ""
    flag_key: str | None = None  # revocation_kept: the key of the `revocable` flag decided

    @property
    def key(self) -> str:
        return self.event_id or event_id_for(self.kind, self.date, self.flag_key or self.reason)


def event_id_for(kind: str, date: dt.date, reason: str | None) -> str:
    """Deterministic: recording the same event twice is one event."""
    digest = hashlib.sha256(f"{kind}|{date}|{reason or ''}".encode()).hexdigest()[:8]
    return f"{kind}-{digest}"


@dataclass(frozen=True)
class Flag:
    point_id: str
    district: str
    kind: str
    key: str  # unique per point and kind: a month, or an event id, or a status
    raised_on: dt.date
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_json(self) -> dict[str, Any]:
        return {"point_id": self.point_id, "district": self.district, "kind": self.kind, "key": self.key,
                "raised_on": self.raised_on.isoformat(), **self.details}


@dataclass(frozen=True)
class MonthState:
    month: str
    due: dt.date
    received_at: dt.datetime | None  # as seen by as_of
    on_time: bool
    reminder: dt.date | None  # the reminder in force when this month fell due

    @property
    def missed(self) -> bool:
        return not self.on_time


@dataclass
class Timeline:
    """One point's months, as of a date, with why reporting stops (if it does)."""

    point: Point
    months: list[MonthState]
    end: dt.date | None  # reports whose due date is on or after this day are not due
    end_reason: str | None
    events: list[Event]
    unknown_year: int | None = None


@dataclass
class Result:
    as_of: dt.date
    flags: list[Flag]
    warnings: list[str]


def on_time(received_at: dt.datetime, due: dt.date) -> bool:
    """On time if first received by 23:59:59.999999 China time on the due date."""
    return china_date(received_at) <= due


def evaluate(points: Iterable[Point], reports: Iterable[Report], events: Iterable[Event],
             as_of: dt.date, calendar: WorkCalendar) -> Result:
    by_point_reports: dict[str, list[Report]] = {}
    for r in reports:
        by_point_reports.setdefault(r.point_id, []).append(r)
    by_point_events: dict[str, list[Event]] = {}
    for e in events:
        by_point_events.setdefault(e.point_id, []).append(e)
    flags: list[Flag] = []
    unknown: set[int] = set()
    for point in points:
        tl = timeline(point, by_point_reports.get(point.point_id, []),
                      by_point_events.get(point.point_id, []), as_of, calendar)
        if tl.unknown_year is not None:
            unknown.add(tl.unknown_year)
        flags.extend(point_flags(tl, as_of))
    warnings = [f"{y}年的节假日安排未知：截止日在{y}年的月份暂不判断，请尽快添加 calendar/{y}.yaml"
                for y in sorted(unknown)]
    return Result(as_of, flags, warnings)


def _reporting_end(point: Point, events: Sequence[Event]) -> tuple[dt.date | None, str | None]:
    """The day revocation or termination takes effect, from dated events (earliest wins)."""
    ends: list[tuple[dt.date, str]] = []
    for e in events:
        if e.kind == "disqualifying":
            # seed 000 §四(二): 自发生之日下月起 取消资格
            ny, nm = next_month(e.date.year, e.date.month)
            ends.append((dt.date(ny, nm, 1), f"{e.date} 发生取消资格事由，自 {ny}-{nm:02d}-01 起取消"))
        elif e.kind in ("terminated", "withdrawn"):
            ends.append((e.date, f"{e.date} {EVENT_LABELS[e.kind]}，自当日起终止"))
    return min(ends) if ends else (None, None)


def _first_filings(reports: Sequence[Report], as_of: dt.date) -> dict[str, dt.datetime]:
    """When each month was first filed, counting only filings received before `as_of` began."""
    first: dict[str, dt.datetime] = {}
    for r in reports:
        if china_date(r.received_at) < as_of and (r.month not in first or r.received_at < first[r.month]):
            first[r.month] = r.received_at
    return first


def _fallen_due(calendar: WorkCalendar, year: int, month: int, as_of: dt.date, end: dt.date | None
                ) -> tuple[dt.date | None, int | None]:
    """(due date, None) if the month fell due before `as_of` and before the point's end; else (None,
    the year whose unknown calendar keeps the month from being judged, if any)."""
    try:
        due = calendar.due_date(year, month)
    except CalendarUnknown:
        ny, nm = next_month(year, month)
        fifth = dt.date(ny, nm, 5)
        # it may have fallen due: say so, never guess
        return None, (ny if fifth < as_of and (end is None or fifth < end) else None)
    if due >= as_of or (end is not None and due >= end):
        return None, None
    return due, None


def _reminder_in_force(reminders: Sequence[dt.date], due: dt.date, in_force: dt.date | None) -> dt.date | None:
    """A reminder stays in force until the point's next on-time report (docs/rules.md): the latest
    reminder before the due date, or the one already in force."""
    for day in reminders:
        if day < due and (in_force is None or day > in_force):
            in_force = day
    return in_force


def timeline(point: Point, reports: Sequence[Report], events: Sequence[Event], as_of: dt.date,
             calendar: WorkCalendar) -> Timeline:
    seen_events = sorted((e for e in events if e.date < as_of), key=lambda e: (e.date, e.kind))
    end, end_reason = _reporting_end(point, seen_events)
    first = _first_filings(reports, as_of)
    reminders = [e.date for e in seen_events if e.kind == "reminder"]
    months: list[MonthState] = []
    in_force: dt.date | None = None
    year, month = parse_month(point.reporting_from)
    while True:
        due, unknown_year = _fallen_due(calendar, year, month, as_of, end)
        if due is None:
            break
        in_force = _reminder_in_force(reminders, due, in_force)
        text = month_text(year, month)
        received = first.get(text)
        ok = received is not None and on_time(received, due)
        months.append(MonthState(text, due, received, ok, in_force))
        if ok:
            in_force = None
            reminders = [day for day in reminders if day >= due]
        year, month = next_month(year, month)
    return Timeline(point, months, end, end_reason, seen_events, unknown_year)


def point_flags(tl: Timeline, as_of: dt.date) -> list[Flag]:
    p = tl.point
    out: list[Flag] = []

    def flag(kind: str, key: str, raised_on: dt.date, **details: Any) -> None:
        out.append(Flag(p.point_id, p.district, kind, key, raised_on, details))

    if p.status == "active":
        _reporting_flags(tl, flag)
        for e in tl.events:
            seen_on = e.date + dt.timedelta(days=1)  # the first check that sees the event
            if e.kind == "disqualifying":
                ny, nm = next_month(e.date.year, e.date.month)
                flag("revocable", e.key, seen_on, grounds="disqualifying", reason=e.reason,
                     event_date=e.date.isoformat(), effective_on=dt.date(ny, nm, 1).isoformat())
            elif e.kind in ("terminated", "withdrawn"):
                flag("terminated", e.key, seen_on, event=e.kind, reason=e.reason, event_date=e.date.isoformat())
    elif not any(e.kind == "plaque_returned" for e in tl.events):
        # seed 000 §四(三): 资格取消（终止）的，应及时收回牌匾
        flag("plaque_to_recover", p.status, as_of, status=p.status)
    return out


def _reporting_flags(tl: Timeline, flag: Any) -> None:
    months = tl.months
    reminders = [e.date for e in tl.events if e.kind == "reminder"]
    revoked_under: set[dt.date] = set()
    for i, m in enumerate(months):
        if not m.missed:
            continue
        raised = m.due + dt.timedelta(days=1)
        # overdue: no report had arrived for the month most recently due, the day after its due date.
        flag("overdue", m.month, raised, due=m.due.isoformat())
        if m.reminder is not None:
            # seed 000 §四(二): 经提醒仍无法按时报送的，取消资格 — once per reminder.
            if m.reminder not in revoked_under:
                revoked_under.add(m.reminder)
                flag("revocable", m.month, raised, grounds="missed_after_reminder",
                     reminder_on=m.reminder.isoformat(), month=m.month, due=m.due.isoformat())
            continue
        if i == 0 or not months[i - 1].missed:
            continue
        prev = months[i - 1]
        # seed 000 §四(二): 连续发生两次的，由所在行政辖区提醒 — unless reminded since the first fell due.
        if any(prev.due < r <= m.due for r in reminders):
            continue
        flag("reminder_due", m.month, raised, months=[prev.month, m.month], due=m.due.isoformat())


def explain(tl: Timeline, flags: Sequence[Flag], as_of: dt.date) -> list[str]:
    """Month by month, in Chinese for staff: why the point stands where it does as of `as_of`."""
    p = tl.point
    lines = [f"监测点 {p.point_id}（{p.district}），状态：{STATUS_LABELS.get(p.status, p.status)}，"
             f"自 {p.reporting_from} 起报送；截至 {as_of}（北京时间当日零时）"]
    for m in tl.months:
        if m.received_at is None:
            state = "未报送"
        else:
            got = china_time_text(m.received_at)
            state = f"按时（{got} 收到）" if m.on_time else f"逾期（{got} 收到）"
        note = f"；提醒（{m.reminder}）仍有效" if m.reminder and m.missed else ""
        lines.append(f"{m.month} 截止 {m.due}：{state}{note}")
    for e in tl.events:
        reason = DISQUALIFYING_REASONS.get(e.reason or "") or TERMINATION_REASONS.get(e.reason or "") or ""
        lines.append(f"事件 {e.date} {EVENT_LABELS.get(e.kind, e.kind)}{('：' + reason) if reason else ''}")
    if tl.end_reason:
        lines.append(f"{tl.end_reason}：截止日在 {tl.end} 及以后的月份不再应报")
    if tl.unknown_year is not None:
        lines.append(f"{tl.unknown_year}年节假日安排未知，之后的月份暂不判断")
    if p.status != "active":
        lines.append("状态已非“正常”：不再产生逾期、提醒、可取消标记")
    for f in flags:
        lines.append(f"标记 {f.kind} [{f.key}] 自 {f.raised_on}")
    if not flags:
        lines.append("无标记")
    return lines
