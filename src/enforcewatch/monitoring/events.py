"""Events staff record on a monitoring point, and the point's status as staff confirm it.

Kinds (seed 000 §四): `reminder` (由所在行政辖区提醒), `disqualifying` (取消资格事由, with its reason),
`terminated` (破产、重组或其他, with its reason), `withdrawn` (自愿退出), `plaque_returned` (牌匾收回),
and `revocation_kept` (issue 16: staff decided to keep a point a `revocable` flag names, with a
written reason). An event's key is derived from its kind, date and reason (for `revocation_kept`, the
flag's key), so recording it twice stores it once. A reason may be given as its code
(`safety_accident`) or as its Chinese label (`重大安全生产责任事故`): `reason_code` maps both to the code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from enforcewatch.clock import iso_utc
from enforcewatch.errors import FieldError, InputError, NotFound
from enforcewatch.monitoring import flagkeys
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
KEEP_NOTE_MAX = 2000


def reason_choices() -> dict[str, list[dict[str, str]]]:
    """For forms: each event kind that takes a reason → its reasons as [{code, label}], in order."""
    return {kind: [{"code": code, "label": label} for code, label in reasons.items()]
            for kind, reasons in REASONS.items()}


def reason_code(kind: str, reason: str | None) -> str | None:
    """The reason's code, given its code or its Chinese label (surrounding spaces ignored). A text that
    is neither is returned as given, for `check_event` to refuse with the list."""
    if reason is None:
        return None
    text = reason.strip()
    allowed = REASONS.get(kind, {})
    if text in allowed:
        return text
    by_label = {label: code for code, label in allowed.items()}
    return by_label.get(text, text or None)


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
        choices = " / ".join(f"{label}（{code}）" for code, label in allowed.items())
        problems.append(FieldError(("reason",), f"{kind} 须写明事由，从下列选择：{choices}"))
    if allowed is None and kind in EVENT_KINDS and reason:
        problems.append(FieldError(("reason",), f"{kind} 不带事由"))
    if kind == "revocation_kept":
        problems.append(FieldError(("kind",), "保留资格的决定请通过“作出取消资格决定”记录（须指明标记并写明理由）"))
    if problems:
        raise InputError("；".join(f"{p.loc[0]}: {p.msg}" for p in problems), problems)
    assert day is not None
    return day


def event_item(point: dict[str, Any], kind: str, day: dt.date, reason: str | None, note: str | None,
               recorded_by: str, now: dt.datetime, flag_key: str | None = None) -> dict[str, Any]:
    point_id, district = point["point_id"], point["district"]
    event_id = event_id_for(kind, day, flag_key or reason)
    sk = f"EVENT#{day.isoformat()}#{event_id}"
    item = {
        "pk": f"POINT#{point_id}", "sk": sk, "point_id": point_id, "district": district, "kind": kind,
        "date": day.isoformat(), "reason": reason, "note": note, "event_id": event_id, "flag_key": flag_key,
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
    reason = reason_code(kind, reason)
    day = check_event(kind, date, reason, today)
    item = event_item(get_point(table, point_id), kind, day, reason, note, recorded_by, now)
    table.put(item)
    return item


def record_kept(table: DynamoTable, point_id: str, flag_key: str, note: str | None, *, recorded_by: str,
                now: dt.datetime, today: dt.date) -> dict[str, Any]:
    """Staff decided not to revoke: event `revocation_kept` on `today`, naming the `revocable` flag's key
    and the reason (required). Closes that flag (enforcewatch.monitoring.flagstate)."""
    point = get_point(table, point_id)
    text = (note or "").strip()
    problems = []
    if not text:
        problems.append(FieldError(("note",), "保留资格须写明理由"))
    elif len(text) > KEEP_NOTE_MAX:
        problems.append(FieldError(("note",), f"理由不能超过 {KEEP_NOTE_MAX} 字"))
    if table.get(f"POINT#{point_id}", f"FLAG#revocable#{flag_key}") is None:
        problems.append(FieldError(("flag_key",), f"监测点 {point_id} 没有“可取消资格”标记 {flag_key}"))
    if problems:
        raise InputError("；".join(f"{p.loc[0]}: {p.msg}" for p in problems), problems)
    item = event_item(point, "revocation_kept", today, None, text, recorded_by, now, flag_key=flag_key)
    table.put(item)
    return item


def set_status(table: DynamoTable, point_id: str, status: str, *, now: dt.datetime) -> dict[str, Any]:
    if status not in STATUSES:
        raise InputError(f"status: 状态应为 {' / '.join(STATUSES)}", [FieldError(("status",), "状态无效")])
    get_point(table, point_id)
    item = table.update(f"POINT#{point_id}", "POINT", {"status": status, "status_changed_at": iso_utc(now)})
    flagkeys.refresh_open(table, point_id, {"point_status": status})  # the queue shows it from the flags
    return item


def event_from_item(item: dict[str, Any]) -> Event:
    return Event(item["point_id"], item["kind"], dt.date.fromisoformat(item["date"]), item.get("reason"),
                 item.get("event_id", ""), item.get("flag_key"))
