"""Transfer of problem clues (转交; seed 000 §八: 按照行政管理权限，及时转交相关部门予以调查处理或
限期整改；涉及部门违法行政、工作人员违法违纪的，应按程序转交相关监督执纪部门办理).

A clue from a point's report (or from a complaint, city office only) goes to a department — or to
the discipline bodies (纪检监察) — with a deadline of N official working days
(`WorkCalendar.add_working_days`). The department's answer and its rectification (整改) are
recorded; the daily check flags transfers still open after their deadline, each flag stored once.

Items: the transfer in its owner's partition (`POINT#{id}` or `COMPLAINT#{id}`, sk `TRANSFER#{id}`),
gsi2 `TRANSFERS#{district|office}` / `{deadline}#{id}` while open (`TRANSFERS_DONE#…` once closed),
and a pointer `TRANSFER#{id}` / `TRANSFER` naming the owner, written in the same transaction.

A transfer open past its deadline gets one `transfer_overdue` flag, in the flag queue of its point's
district (gsi2 `FLAGS#{district}` / `OPEN#{point_id}#transfer_overdue#{id}`; complaint clues under
`FLAGS#office`, enforcewatch.monitoring.flagkeys). The flag closes when the transfer is closed
(办结: the answer alone does not end it; docs/rules.md): `record` closes it right after the closing
write, and the daily check closes any flag whose transfer is no longer open (a crash between the two
writes, or a flag stored by a run racing the closing).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from enforcewatch.casework.records import (
    collect,
    new_id,
    point_keys,
    problem,
    public_fields,
    save_revision,
    step,
    text,
)
from enforcewatch.clock import china_date, iso_utc, parse_aware
from enforcewatch.errors import ConditionFailed, FieldError, NotFound
from enforcewatch.monitoring import flagkeys
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.monitoring.flagstate import CLOSED, OPEN
from enforcewatch.staff.staffing import Scope, point_in_scope
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

STATUSES = {"transferred": "已转交", "answered": "部门已答复", "rectified": "已整改", "closed": "已办结"}
DISCIPLINE = "纪检监察机关"
OFFICE_BUCKET = "office"  # transfers of complaint clues: the city office's own
MAX_WORKING_DAYS = 90
FLAG_KIND = "transfer_overdue"


def _bucket(item: dict[str, Any]) -> str:
    return item.get("district") or OFFICE_BUCKET


def create(table: DynamoTable, scope: Scope, calendar: WorkCalendar, data: dict[str, Any], now: dt.datetime,
           rng: random.Random) -> dict[str, Any]:
    problems: list[FieldError] = []
    point_id, complaint_id = data.get("point_id"), data.get("complaint_id")
    if bool(point_id) == bool(complaint_id):
        problems.append(FieldError(("point_id",), "请填写监测点编号或投诉编号（二者选一）"))
    clue = text(data.get("clue"), "clue", problems, limit=4000)
    source = text(data.get("source"), "source", problems, limit=100, required=False)
    discipline = data.get("discipline") is True
    department = DISCIPLINE if discipline else text(data.get("department"), "department", problems, limit=100)
    days = data.get("working_days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_WORKING_DAYS:
        problems.append(FieldError(("working_days",), f"期限应为 1 至 {MAX_WORKING_DAYS} 个工作日"))
    collect(problems)
    assert isinstance(days, int)
    transfer_id = new_id(rng)
    sk = f"TRANSFER#{transfer_id}"
    if point_id:
        owner = point_keys(point_in_scope(table, scope, str(point_id)), sk)
    else:
        scope.require_office()  # complaints and who made them are the city office's (seed 000 §八)
        if table.get(f"COMPLAINT#{complaint_id}", "COMPLAINT") is None:
            raise NotFound("没有找到该投诉", [FieldError(("complaint_id",), "没有找到该投诉")])
        owner = {"pk": f"COMPLAINT#{complaint_id}", "sk": sk, "complaint_id": str(complaint_id)}
    today = china_date(now)
    deadline = calendar.add_working_days(today, days)
    item = {**owner, "kind": "transfer", "transfer_id": transfer_id, "clue": clue, "source": source,
            "department": department, "discipline": discipline, "working_days": days,
            "transferred_on": today.isoformat(), "deadline": deadline.isoformat(), "status": "transferred",
            "steps": [step("transferred", scope.username, now, department=department, deadline=deadline.isoformat())],
            "rev": 0}
    item.update({schema.GSI2PK: f"TRANSFERS#{_bucket(item)}", schema.GSI2SK: f"{deadline}#{transfer_id}"})
    pointer = {"pk": sk, "sk": "TRANSFER", "owner_pk": owner["pk"], "district": owner.get("district")}
    table.transact_put_new([{k: v for k, v in item.items() if v is not None},
                            {k: v for k, v in pointer.items() if v is not None}])
    return public_fields(item)


def get(table: DynamoTable, scope: Scope, transfer_id: str) -> dict[str, Any]:
    pointer = table.get(f"TRANSFER#{transfer_id}", "TRANSFER")
    if pointer is None:
        raise NotFound("没有找到该转交")
    district = pointer.get("district")
    if not scope.is_office and (district is None or district != scope.district):
        raise NotFound("没有找到该转交")
    item = table.get(pointer["owner_pk"], f"TRANSFER#{transfer_id}")
    if item is None:  # pragma: no cover - written in one transaction with the pointer
        raise NotFound("没有找到该转交")
    return item


def record(table: DynamoTable, scope: Scope, transfer_id: str, data: dict[str, Any], now: dt.datetime
           ) -> dict[str, Any]:
    """The department's answer, the rectification, or closing the transfer."""
    problems: list[FieldError] = []
    status = data.get("status")
    if status not in ("answered", "rectified", "closed"):
        problems.append(FieldError(("status",), "状态应为 answered（部门已答复）/ rectified（已整改）/ closed（已办结）"))
    reply = text(data.get("answer"), "answer", problems, limit=4000, required=status == "answered")
    rectification = text(data.get("rectification"), "rectification", problems, limit=4000,
                         required=status == "rectified")
    collect(problems)
    item = get(table, scope, transfer_id)
    if item["status"] == "closed":
        raise problem("status", "转交已办结")
    fields: dict[str, Any] = {"status": status, "steps": [*item["steps"], step(str(status), scope.username, now)]}
    if reply:
        fields.update(answer=reply, answered_at=iso_utc(now))
    if rectification:
        fields.update(rectification=rectification, rectified_at=iso_utc(now))
    if status == "closed":
        fields.update(closed_at=iso_utc(now), **{schema.GSI2PK: f"TRANSFERS_DONE#{_bucket(item)}"})
    saved = save_revision(table, item, fields)
    if status == "closed":
        close_flag(table, item["pk"], transfer_id, china_date(now))
    return public_fields(saved)


def close_flag(table: DynamoTable, owner_pk: str, transfer_id: str, day: dt.date) -> bool:
    """Close the transfer's overdue flag, if it has one still open (moving it to the closed range of
    gsi2 and out of gsi3's open flags in the same write). False: no flag, or closed already."""
    flag = {"pk": owner_pk, "sk": f"FLAG#{FLAG_KIND}#{transfer_id}"}
    stored = table.get(flag["pk"], flag["sk"])
    if stored is None or stored.get("closed_because"):
        return False
    owner = stored.get("point_id") or stored.get("complaint_id") or ""
    fields = {"state": CLOSED, "closed_on": day.isoformat(), "closed_because": "transfer_closed",
              schema.GSI2SK: flagkeys.flag_gsi2sk(FLAG_KIND, str(owner), transfer_id, is_open=False)}
    try:
        table.update(flag["pk"], flag["sk"], fields, condition=flagkeys.STILL_OPEN, remove=flagkeys.CITY_KEYS)
    except ConditionFailed:
        return False  # closed meanwhile
    return True


def listing(table: DynamoTable, scope: Scope, as_of: dt.date, district: str | None = None,
            closed: bool = False) -> list[dict[str, Any]]:
    """Transfers in scope (open ones, or closed ones), each with `overdue` as of the day."""
    buckets = scope.districts(district) + ([OFFICE_BUCKET] if scope.is_office and not district else [])
    prefix = "TRANSFERS_DONE#" if closed else "TRANSFERS#"
    out = []
    for b in buckets:
        for item in table.query(prefix + b, index=schema.GSI2):
            out.append({**public_fields(item), "overdue": is_overdue(item, as_of)})
    return out


# -- overdue (the daily check) ----------------------------------------------------------------------

def is_overdue(item: dict[str, Any], as_of: dt.date) -> bool:
    """Open after its deadline: as of the start of day `as_of` (China time), the deadline has passed."""
    return item.get("status") != "closed" and dt.date.fromisoformat(item["deadline"]) < as_of


def overdue(items: Iterable[dict[str, Any]], as_of: dt.date) -> list[dict[str, Any]]:
    return [i for i in items if is_overdue(i, as_of)]


def flag_item(item: dict[str, Any], as_of: dt.date, now: dt.datetime) -> dict[str, Any]:
    owner = item.get("point_id") or item.get("complaint_id")
    sk = f"FLAG#{FLAG_KIND}#{item['transfer_id']}"
    flag = {"pk": item["pk"], "sk": sk, "kind": FLAG_KIND, "key": item["transfer_id"], "point_id": item.get("point_id"),
            "complaint_id": item.get("complaint_id"), "district": item.get("district"),
            "deadline": item["deadline"], "department": item["department"], "raised_on": as_of.isoformat(),
            "stored_at": iso_utc(now), "state": OPEN, schema.GSI2PK: flagkeys.flags_pk(_bucket(item)),
            schema.GSI2SK: flagkeys.flag_gsi2sk(FLAG_KIND, str(owner), item["transfer_id"])}
    if item.get("point_id"):
        flag.update({schema.GSI1PK: item[schema.GSI1PK], schema.GSI1SK: f"POINT#{item['point_id']}#{sk}"})
    flag = {k: v for k, v in flag.items() if v is not None}
    return {**flag, **flagkeys.expected_city_keys(flag)}  # a point's: in the city office's queue


def flag_overdue(table: DynamoTable, districts: Iterable[str], as_of: dt.date, now: dt.datetime
                 ) -> tuple[dict[str, int], dict[str, int]]:
    """Store a flag for each transfer open past its deadline, once. Returns (new flags, all overdue) per
    district — counts only, for the daily summary (`office` for complaint clues)."""
    new: dict[str, int] = {}
    current: dict[str, int] = {}
    last = (as_of - dt.timedelta(days=1)).isoformat()
    for bucket in [*districts, OFFICE_BUCKET]:
        items = overdue(table.query(f"TRANSFERS#{bucket}", index=schema.GSI2,
                                    sk_between=("0000", f"{last}#\uffff")), as_of)
        sweep_flags(table, bucket, {str(i["transfer_id"]) for i in items}, as_of)
        new[bucket] = current[bucket] = 0
        for item in items:
            current[bucket] += 1
            try:
                table.put_new(flag_item(item, as_of, now))
                new[bucket] += 1
            except ConditionFailed:
                pass  # flagged by an earlier run
    return new, current


def sweep_flags(table: DynamoTable, bucket: str, still_overdue: set[str], as_of: dt.date) -> None:
    """Close the bucket's open overdue-transfer flags whose transfer is no longer open and overdue
    (closed: `record` missed it), and give flags stored under an older key layout the current one
    (the gsi2 key of the older layout; gsi3's keys of an open flag of a point, added later)."""
    pk = flagkeys.flags_pk(bucket)
    legacy = list(table.query(pk, f"{FLAG_KIND}#", index=schema.GSI2))  # before flagkeys: backfill
    flagkeys.rekey(table, legacy)
    current = [f for f in table.query(pk, flagkeys.OPEN_PREFIX, index=schema.GSI2) if f.get("kind") == FLAG_KIND]
    flagkeys.rekey(table, current)  # open flags stored before gsi3 (the rules' own: the deadline check)
    found = {f["sk"]: f for f in [*legacy, *current]}
    for flag in found.values():
        if flag.get("kind") != FLAG_KIND or flag.get("closed_because") or flag["key"] in still_overdue:
            continue
        transfer = table.get(flag["pk"], f"TRANSFER#{flag['key']}")
        if transfer is not None and transfer.get("status") == "closed":
            closed_at = transfer.get("closed_at")
            close_flag(table, flag["pk"], str(flag["key"]), china_date(parse_aware(closed_at)) if closed_at else as_of)
