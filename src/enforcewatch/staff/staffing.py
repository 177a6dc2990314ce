"""What a staff member may see and do: the scope of an account, and the office's actions on points
and complaints (flags, reminders, events, plaque returns, status changes, replies).

Scope is decided here, once: the city office (`office`) sees every district and the complaints; a
district account sees its own district's points, reports and flags, and no complaints (SPEC
"Staff"; seed 000 §八: who reported or complained must not leak). The API asks `Scope` for every
request; no route filters by district on its own.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enforcewatch import codes
from enforcewatch.clock import china_date, iso_utc, parse_aware
from enforcewatch.errors import FieldError, Forbidden, InputError, NotFound
from enforcewatch.monitoring import events, flagkeys, flagqueue, registry
from enforcewatch.monitoring import flags as flags_store
from enforcewatch.staff.accounts import OFFICE
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

COMPLAINT_STATUSES = ("收到", "已受理", "不予受理", "处理中", "已办结", "已回复")
REPLY_MAX = 4000
# Stored on a complaint for the receipt look-up and idempotent retries (complaints.py); staff views
# leave them out.
COMPLAINT_INTERNAL = ("receipt_hash", "fingerprint")


def load_districts(content_dir: Path) -> list[dict[str, str]]:
    """The districts (县/市/区; public) as {id, name}, read by the registry's loader."""
    return [{"id": d.id, "name": d.name} for d in registry.load_districts(content_dir)]


@dataclass(frozen=True)
class Scope:
    """What one signed-in account may reach."""

    username: str
    role: str
    district: str | None
    all_districts: tuple[str, ...]

    @property
    def is_office(self) -> bool:
        return self.role == OFFICE

    def districts(self, requested: str | None = None) -> list[str]:
        """The districts a query covers: the requested one if allowed, else all those allowed."""
        if requested:
            self.require_district(requested)
            return [requested]
        return list(self.all_districts) if self.is_office else [self.district or ""]

    def require_district(self, district: str | None) -> None:
        if not self.is_office and district != self.district:
            raise Forbidden("无权查看或处理其他县（市、区）的数据")

    def require_office(self) -> None:
        if not self.is_office:
            raise Forbidden("仅市级账户可以使用此功能")


# -- points ---------------------------------------------------------------------------------------

def point_in_scope(table: DynamoTable, scope: Scope, point_id: str) -> dict[str, Any]:
    """The point's registry item if the account may act on it; another district's is 'not found'."""
    item = table.get(f"POINT#{point_id}", "POINT")
    if item is None or (not scope.is_office and item.get("district") != scope.district):
        raise NotFound("没有找到该监测点")
    return item


def _refresh(table: DynamoTable, point_id: str, now: dt.datetime) -> None:
    """Close the point's flags that what staff just recorded closes (as of the end of today, China time:
    events may not be dated in the future, so nothing later can count)."""
    flags_store.refresh_point(table, point_id, china_date(now) + dt.timedelta(days=1))


def record_point_event(table: DynamoTable, scope: Scope, point_id: str, kind: str, date: str,
                       reason: str | None, note: str | None, now: dt.datetime) -> dict[str, Any]:
    """A reminder, disqualifying event, termination, withdrawal or plaque return, stored once; the
    reason may be its code or its Chinese label. Flags the event closes are closed at once."""
    point_in_scope(table, scope, point_id)
    item = events.record_event(table, point_id, kind, date, reason, note, recorded_by=scope.username,
                               now=now, today=china_date(now))
    _refresh(table, point_id, now)
    return item


REVOCATION_DECISIONS = {"revoke": "取消资格", "keep": "保留资格"}


def decide_revocation(table: DynamoTable, scope: Scope, point_id: str, flag_key: str, decision: str,
                      note: str | None, now: dt.datetime) -> dict[str, Any]:
    """Staff decide a `revocable` flag: `revoke` sets the status to revoked (seed 000 §四(二)); `keep`
    records event `revocation_kept` with the reason (required). Either closes the flag at once.
    Returns {"decision", "point_id", "flag_key", "event_id"?}."""
    point_in_scope(table, scope, point_id)
    if decision not in REVOCATION_DECISIONS:
        raise InputError("decision: 决定应为 revoke（取消资格）或 keep（保留资格）",
                         [FieldError(("decision",), "决定应为 revoke（取消资格）或 keep（保留资格）")])
    if table.get(f"POINT#{point_id}", f"FLAG#revocable#{flag_key}") is None:
        raise NotFound(f"监测点 {point_id} 没有“可取消资格”标记 {flag_key}")
    out: dict[str, Any] = {"decision": decision, "point_id": point_id, "flag_key": flag_key}
    if decision == "revoke":
        set_point_status(table, scope, point_id, "revoked", now)
    else:
        item = events.record_kept(table, point_id, flag_key, note, recorded_by=scope.username, now=now,
                                  today=china_date(now))
        out["event_id"] = item["event_id"]
        _refresh(table, point_id, now)
    return out


def set_point_status(table: DynamoTable, scope: Scope, point_id: str, status: str, now: dt.datetime
                     ) -> dict[str, Any]:
    """Confirm a point's status (kept in its case history); flags the change closes are closed at once."""
    point = point_in_scope(table, scope, point_id)
    item = events.set_status(table, point_id, status, now=now)
    sk = f"STATUS#{iso_utc(now)}#{status}"  # each change kept for the point's case history (enforcewatch.casework.timeline)
    table.put({"pk": f"POINT#{point_id}", "sk": sk, "kind": "status_change", "point_id": point_id,
               "district": point["district"], "status": status, "previous": point.get("status"),
               "changed_by": scope.username, "changed_at": iso_utc(now),
               schema.GSI1PK: f"DISTRICT#{point['district']}", schema.GSI1SK: f"POINT#{point_id}#{sk}"})
    _refresh(table, point_id, now)
    return item


def reissue_access_code(table: DynamoTable, scope: Scope, point_id: str, now: dt.datetime,
                        rng: random.Random) -> str:
    """A new access code for one point: its hash replaces the old one (which stops working at once);
    the code is returned once, to be shown once, and never stored. The caller audits it."""
    point_in_scope(table, scope, point_id)
    code = codes.new_code(rng)
    table.update(f"POINT#{point_id}", "POINT", {"access_code_hash": codes.hash_code(code),
                                                "access_code_issued_at": iso_utc(now), "updated_at": iso_utc(now)})
    return code


def flag_queue(table: DynamoTable, scope: Scope, district: str | None = None, *, state: str | None = "open",
               kind: str | None = None, month: str | None = None, cursor: str | None = None,
               limit: int = 20) -> flagqueue.FlagPage:
    """The flag queue of the districts in scope (or the one requested, if allowed): points with their
    flags of that state (default open), kind and month, a page at a time (flagqueue.flag_page)."""
    filters = flagqueue.QueueFilter.parse(state, kind, month)
    return flagqueue.flag_page(table, scope.districts(district), filters, cursor, limit,
                               city_wide=scope.is_office and not district)


def flags(table: DynamoTable, scope: Scope, district: str | None = None, state: str | None = "open"
          ) -> Iterator[dict[str, Any]]:
    """Stored flags in one state (`open` by default, as in the queue and `deadlines check`; `closed` or
    `all`), each with its `state`, per district in scope: the deadline check's and overdue transfers
    (the city office also sees `office`: overdue transfers of complaint clues). One key range of gsi2
    per district and state (enforcewatch.monitoring.flagkeys)."""
    wanted = flagqueue.QueueFilter.parse(state)
    for d in scope.districts(district) + (["office"] if scope.is_office and not district else []):
        for prefix in wanted.prefixes:
            for item in table.query(flagkeys.flags_pk(d), prefix, index=schema.GSI2):
                found = flags_store.state_from_item(item)
                if wanted.state not in ("all", found.state):
                    continue  # pragma: no cover - the closing write moves the key with the state
                yield {**{k: v for k, v in item.items() if not k.startswith(("pk", "sk", "gsi"))},
                       **found.as_json()}


# -- complaints (city office only) ------------------------------------------------------------------

def complaints(table: DynamoTable, scope: Scope, month_from: str, month_to: str) -> Iterator[dict[str, Any]]:
    scope.require_office()
    for item in table.query("COMPLAINTS", index=schema.GSI2, sk_between=(f"{month_from}#", f"{month_to}#\uffff")):
        yield {k: v for k, v in item.items() if not k.startswith(("pk", "sk", "gsi")) and k not in COMPLAINT_INTERNAL}


def reply_to_complaint(table: DynamoTable, scope: Scope, complaint_id: str, status: str, reply: str | None,
                       now: dt.datetime) -> dict[str, Any]:
    """Set the status and (optionally) the reply the complainant sees with the receipt code (seed 000 §六)."""
    scope.require_office()
    problems = []
    if status not in COMPLAINT_STATUSES:
        problems.append(FieldError(("status",), "状态须为 " + " / ".join(COMPLAINT_STATUSES)))
    reply = (reply or "").strip() or None
    if reply and len(reply) > REPLY_MAX:
        problems.append(FieldError(("reply",), f"答复不能超过 {REPLY_MAX} 字"))
    if problems:
        raise InputError("；".join(p.msg for p in problems), problems)
    if table.get(f"COMPLAINT#{complaint_id}", "COMPLAINT") is None:
        raise NotFound("没有找到该投诉")
    fields: dict[str, Any] = {"status": status, "status_changed_at": iso_utc(now), "handled_by": scope.username}
    if reply:
        fields.update(reply=reply, replied_at=iso_utc(now))
    return table.update(f"COMPLAINT#{complaint_id}", "COMPLAINT", fields)


def working_days_between(start: dt.date, end: dt.date, is_workday: Any) -> int:
    """Working days after `start` up to and including `end`."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += bool(is_workday(day))
    return days


def unreplied_complaints(items: Iterator[dict[str, Any]], today: dt.date, limit: int, is_workday: Any
                         ) -> Iterator[dict[str, Any]]:
    """Complaints without a reply more than `limit` working days after they arrived (China time)."""
    for item in items:
        if item.get("reply"):
            continue
        arrived = china_date(parse_aware(item["received_at"]))
        waited = working_days_between(arrived, today, is_workday)
        if waited > limit:
            yield {"kind": "complaint_unreplied", "complaint_id": item.get("complaint_id"),
                   "received_at": item["received_at"], "working_days": waited, "status": item.get("status")}
