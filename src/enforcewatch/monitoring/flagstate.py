"""Flags as a work queue: each flag's state as of a date, `open` or `closed` (with the day and why).

Pure: no clock, no store. A flag keeps its history (`raised_on`, docs/rules.md choice 2); its state
says whether it still asks staff for an action. "As of D" is the start of day D, China time, as for
the rules themselves: a report counts if received before D began, an event if dated before D, a
status if set before D. A flag closes on the earliest day one of its closing rules holds
(docs/rules.md, "Flags as a work queue"):

- `overdue`: that month's report arrives (late); a reminder is recorded on or after the day it was
  raised; the point leaves active status.
- `reminder_due`: a reminder dated in or after the later month of the missed pair (any reminder that
  would have stopped the flag being raised, or came after it); the point leaves active status.
- `revocable`: staff record their decision, revoke (status `revoked`; any non-active status ends
  the case as well) or keep it with a reason (event `revocation_kept` naming the flag's key).
- `terminated`: the status is set (any non-active status).
- `plaque_to_recover`: the plaque is returned (event `plaque_returned`), or the point is active again.

Casework's `transfer_overdue` closes when its transfer is closed (办结, `transfer_closed`):
`enforcewatch.casework.transfers`, on the transfer's record, not here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from enforcewatch.clock import china_date
from enforcewatch.monitoring.deadlines import Event, Flag, Point, Report

OPEN, CLOSED = "open", "closed"
STATES = (OPEN, CLOSED)
STATE_LABELS = {OPEN: "待处理", CLOSED: "已关闭"}
# Why a flag closed: code → what staff read.
CLOSED_BECAUSE = {
    "report_arrived": "该月报告已收到（逾期报送）",
    "reminded": "已记录提醒",
    "revoked": "已取消监测点资格",
    "terminated": "已确认终止",
    "withdrawn": "已确认退出",
    "kept": "经研究保留资格",
    "plaque_returned": "牌匾已收回",
    "reactivated": "监测点已恢复正常状态",
    "transfer_closed": "转交已办结",
}
LEFT_ACTIVE = {"revoked": "revoked", "terminated": "terminated", "withdrawn": "withdrawn"}


@dataclass(frozen=True)
class FlagState:
    state: str
    closed_on: dt.date | None = None  # None while open, or when the status changed on an unknown day
    closed_because: str | None = None  # a key of CLOSED_BECAUSE

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    def as_json(self) -> dict[str, Any]:
        return {"state": self.state, "closed_on": self.closed_on.isoformat() if self.closed_on else None,
                "closed_because": self.closed_because,
                "closed_because_label": CLOSED_BECAUSE.get(self.closed_because or "")}


OPEN_STATE = FlagState(OPEN)


@dataclass(frozen=True)
class PointHistory:
    """What can close a point's flags: its first filings, its events and its current status."""

    reports: Sequence[Report]
    events: Sequence[Event]
    status: str = "active"
    status_since: dt.date | None = None  # unknown: taken to be before any as_of


def _status_close(history: PointHistory, as_of: dt.date) -> tuple[dt.date | None, str] | None:
    """The point has left active status before as_of: (the day, or None if unknown; why)."""
    if history.status == "active" or history.status not in LEFT_ACTIVE:
        return None
    if history.status_since is not None and history.status_since >= as_of:
        return None
    return history.status_since, LEFT_ACTIVE[history.status]


Close = tuple[dt.date | None, str]  # a day a flag closed (None: unknown) and why, a key of CLOSED_BECAUSE


def _reminders(seen: Iterable[Event]) -> list[dt.date]:
    return [e.date for e in seen if e.kind == "reminder"]


def _overdue_closes(key: str, raised_on: dt.date, history: PointHistory, seen: list[Event],
                    as_of: dt.date) -> list[Close]:
    """That month's report arrived (late), or a reminder was recorded on or after the flag was raised."""
    received = [china_date(r.received_at) for r in history.reports if r.month == key]
    found: list[Close] = [(day, "report_arrived") for day in received if day < as_of]
    return found + [(day, "reminded") for day in _reminders(seen) if day >= raised_on]


def _reminder_due_closes(key: str, raised_on: dt.date, history: PointHistory, seen: list[Event],
                         as_of: dt.date) -> list[Close]:
    """A reminder dated in or after the later month of the missed pair (the flag's key)."""
    later_month = dt.date(int(key[:4]), int(key[5:7]), 1)
    return [(day, "reminded") for day in _reminders(seen) if day >= later_month]


def _revocable_closes(key: str, raised_on: dt.date, history: PointHistory, seen: list[Event],
                      as_of: dt.date) -> list[Close]:
    """Staff kept the point, naming this flag's key."""
    return [(e.date, "kept") for e in seen if e.kind == "revocation_kept" and e.flag_key == key]


def _plaque_closes(key: str, raised_on: dt.date, history: PointHistory, seen: list[Event],
                   as_of: dt.date) -> list[Close]:
    """The plaque was returned, or the point is active again (since before as_of, or an unknown day)."""
    found: list[Close] = [(e.date, "plaque_returned") for e in seen if e.kind == "plaque_returned"]
    if history.status == "active" and (history.status_since is None or history.status_since < as_of):
        found.append((history.status_since, "reactivated"))
    return found


# Each kind's own closing rules, before the status-change rule of the kinds in CLOSED_BY_STATUS.
KIND_CLOSES: dict[str, Callable[[str, dt.date, PointHistory, list[Event], dt.date], list[Close]]] = {
    "overdue": _overdue_closes,
    "reminder_due": _reminder_due_closes,
    "revocable": _revocable_closes,
    "plaque_to_recover": _plaque_closes,
}
CLOSED_BY_STATUS = ("overdue", "reminder_due", "revocable", "terminated")


def flag_state(kind: str, key: str, raised_on: dt.date, history: PointHistory, as_of: dt.date) -> FlagState:
    """The state of one flag of a point, as of the start of day `as_of` (China time)."""
    seen = [e for e in history.events if e.date < as_of]
    closes = KIND_CLOSES.get(kind)
    found = closes(key, raised_on, history, seen, as_of) if closes else []
    if kind in CLOSED_BY_STATUS:
        status = _status_close(history, as_of)
        if status is not None:
            found.append(status)
    if not found:
        return OPEN_STATE
    # The earliest known day wins; a status change on an unknown day only when nothing else is dated.
    dated = [f for f in found if f[0] is not None]
    day, because = min(dated, key=lambda f: (f[0], f[1])) if dated else found[0]
    return FlagState(CLOSED, max(day, raised_on) if day is not None else None, because)


def states(flags: Iterable[Flag], points: Iterable[Point], reports: Iterable[Report], events: Iterable[Event],
           as_of: dt.date) -> list[tuple[Flag, FlagState]]:
    """Every flag with its state as of `as_of`, given (flags, reports, events, status) of its points."""
    by_reports: dict[str, list[Report]] = {}
    for r in reports:
        by_reports.setdefault(r.point_id, []).append(r)
    by_events: dict[str, list[Event]] = {}
    for e in events:
        by_events.setdefault(e.point_id, []).append(e)
    status = {p.point_id: (p.status, p.status_since) for p in points}
    out = []
    for f in flags:
        now_status, since = status.get(f.point_id, ("active", None))
        history = PointHistory(by_reports.get(f.point_id, []), by_events.get(f.point_id, []), now_status, since)
        out.append((f, flag_state(f.kind, f.key, f.raised_on, history, as_of)))
    return out
