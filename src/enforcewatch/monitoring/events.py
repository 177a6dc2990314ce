"""Events staff record on a monitoring point, and the point's status as staff confirm it.

Kinds (seed 000 §四): `reminder` (由所在行政辖区提醒), `disqualifying` (取消资格事由, with its reason),
`terminated` (破产、重组或其他, with its reason), `withdrawn` (自愿退出), `plaque_returned` (牌匾收回).
An event's key is derived from its kind, date and reason, so recording it twice stores it once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from enforcewatch.clock import iso_utc
from enforcewatch.errors import FieldError, InputError, NotFound
from enforcewatch.monitoring.deadlines import (
    DISQUALIFYING_REASONS,
    EVENT_KINDS,
    STATUSES,
    TERMINATION_REASONS,
    Event,
    event_id_for,
)
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

REASONS: dict[str, dict[str, str]] = {"disqualifying": DISQUALIFYING_REASONS, "terminated": TERMINATION_REASONS}


def check_event(kind: str, date: str, reason: str | None, today: dt.date) -> dt.date:
    """The event's date if kind, date and reason fit together; InputError naming the field otherwise."""
    problems: list[FieldError] = []
    if kind not in EVENT_KINDS:
        problems.append(FieldError(("kind",), f"事件类型应为 {' / '.join(EVENT_KINDS)}"))
    day = None
    try:
        day = dt.date.fromisoformat(date)
    except (TypeError, ValueError):
        problems.append(FieldError(("date",), f"日期应写作 YYYY-MM-DD，而不是“{date}”"))
    if day and day > today:
        problems.append(FieldError(("date",), f"日期 {day} 晚于今天，事件须在发生后记录"))
    allowed = REASONS.get(kind)
    if allowed is not None and reason not in allowed:
        problems.append(FieldError(("reason",), f"{kind} 须写明事由：{' / '.join(allowed)}"))
    if allowed is None and kind in EVENT_KINDS and reason:
        problems.append(FieldError(("reason",), f"{kind} 不带事由"))
    if problems:
        raise InputError("；".join(f"{p.loc[0]}: {p.msg}" for p in problems), problems)
    assert day is not None
    return day


def event_item(point: dict[str, Any], kind: str, day: dt.date, reason: str | None, note: str | None,
               recorded_by: str, now: dt.datetime) -> dict[str, Any]:
    point_id, district = point["point_id"], point["district"]
    event_id = event_id_for(kind, day, reason)
    sk = f"EVENT#{day.isoformat()}#{event_id}"
    item = {
        "pk": f"POINT#{point_id}", "sk": sk, "point_id": point_id, "district": district, "kind": kind,
        "date": day.isoformat(), "reason": reason, "note": note, "event_id": event_id,
        "recorded_by": recorded_by, "recorded_at": iso_utc(now),
        schema.GSI1PK: f"DISTRICT#{district}", schema.GSI1SK: f"POINT#{point_id}#{sk}",
    }
    return {k: v for k, v in item.items() if v is not None}


def get_point(table: DynamoTable, point_id: str) -> dict[str, Any]:
    point = table.get(f"POINT#{point_id}", "POINT")
    if point is None:
        raise NotFound(f"没有找到监测点 {point_id}")
    return point


def record_event(table: DynamoTable, point_id: str, kind: str, date: str, reason: str | None,
                 note: str | None, *, recorded_by: str, now: dt.datetime, today: dt.date) -> dict[str, Any]:
    day = check_event(kind, date, reason, today)
    item = event_item(get_point(table, point_id), kind, day, reason, note, recorded_by, now)
    table.put(item)
    return item


def set_status(table: DynamoTable, point_id: str, status: str, *, now: dt.datetime) -> dict[str, Any]:
    if status not in STATUSES:
        raise InputError(f"status: 状态应为 {' / '.join(STATUSES)}", [FieldError(("status",), "状态无效")])
    get_point(table, point_id)
    return table.update(f"POINT#{point_id}", "POINT", {"status": status, "status_changed_at": iso_utc(now)})


def event_from_item(item: dict[str, Any]) -> Event:
    return Event(item["point_id"], item["kind"], dt.date.fromisoformat(item["date"]), item.get("reason"),
                 item.get("event_id", ""))
