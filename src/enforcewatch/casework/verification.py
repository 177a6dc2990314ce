"""Verification of what a point reported (核查; seed 000 §七: 视情况对报送信息进行核查，各行政执法
监测点应如实提供相关资料).

Staff open a verification on a report month, ask the point for materials, and record the outcome:
`confirmed` (属实), `corrected` (经核查已更正) or `unfounded` (不属实). The point sees an open request
when it next files or looks (after proving who it is with its access code) and answers with text
and attachments (`enforcewatch.casework.attachments`). Item: `POINT#{id}` / `VERIFY#{verify_id}`.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from enforcewatch.casework import attachments
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
from enforcewatch.clock import iso_utc
from enforcewatch.errors import Conflict, FieldError, NotFound
from enforcewatch.store.blobs import Blobs
from enforcewatch.store.dynamo import DynamoTable

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.staff.staffing import Scope

OUTCOMES = {"confirmed": "属实", "corrected": "经核查已更正", "unfounded": "不属实"}
TEXT_MAX = 2000


def point_in_scope(table: DynamoTable, scope: Scope, point_id: str) -> dict[str, Any]:
    """`staffing.point_in_scope`, imported on the staff side's first call: the public submit function
    answers materials requests through this module and must not load staffing (accounts, argon2,
    the calendar) at cold start (tests/functions/test_cold_start.py)."""
    # cold start: see the docstring: the submit function must not load staffing
    from enforcewatch.staff import staffing

    return staffing.point_in_scope(table, scope, point_id)


def open_verification(table: DynamoTable, scope: Scope, point_id: str, month: str, note: str | None,
                      now: dt.datetime, rng: random.Random) -> dict[str, Any]:
    problems: list[FieldError] = []
    note = text(note, "note", problems, limit=TEXT_MAX, required=False)
    collect(problems)
    point = point_in_scope(table, scope, point_id)
    if not any(True for _ in table.query(f"POINT#{point_id}", f"REPORT#{month}#")):
        raise problem("month", f"该监测点没有 {month} 的月报")
    verify_id = new_id(rng)
    item = {**point_keys(point, f"VERIFY#{verify_id}"), "kind": "verification", "verify_id": verify_id,
            "month": month, "note": note, "status": "open", "requests": [], "opened_at": iso_utc(now),
            "steps": [step("opened", scope.username, now, month=month)], "rev": 0}
    table.put_new({k: v for k, v in item.items() if v is not None})
    return public_fields(item)


def get_verification(table: DynamoTable, point_id: str, verify_id: str) -> dict[str, Any]:
    item = table.get(f"POINT#{point_id}", f"VERIFY#{verify_id}")
    if item is None:
        raise NotFound("没有找到该核查")
    return item


def request_materials(table: DynamoTable, scope: Scope, point_id: str, verify_id: str, what: str | None,
                      due: str | None, now: dt.datetime, rng: random.Random) -> dict[str, Any]:
    problems: list[FieldError] = []
    what = text(what, "text", problems, limit=TEXT_MAX)
    due = text(due, "due", problems, limit=10, required=False)
    collect(problems)
    point_in_scope(table, scope, point_id)
    item = get_verification(table, point_id, verify_id)
    if item["status"] != "open":
        raise problem("status", "核查已办结，不能再要求提供材料")
    request = {"request_id": new_id(rng), "text": what, "due": due, "requested_at": iso_utc(now),
               "requested_by": scope.username}
    steps = [*item["steps"], step("materials_requested", scope.username, now, request_id=request["request_id"])]
    saved = save_revision(table, item, {"requests": [*item["requests"], {k: v for k, v in request.items() if v}],
                                "steps": steps})
    return public_fields(saved)


def record_outcome(table: DynamoTable, scope: Scope, point_id: str, verify_id: str, outcome: str,
                   note: str | None, now: dt.datetime) -> dict[str, Any]:
    problems: list[FieldError] = []
    if outcome not in OUTCOMES:
        problems.append(FieldError(("outcome",), "结论应为 " + " / ".join(f"{k}（{v}）" for k, v in OUTCOMES.items())))
    note = text(note, "note", problems, limit=TEXT_MAX, required=outcome != "confirmed")
    collect(problems)
    point_in_scope(table, scope, point_id)
    item = get_verification(table, point_id, verify_id)
    if item["status"] != "open":
        raise problem("status", "核查已办结")
    steps = [*item["steps"], step("concluded", scope.username, now, outcome=outcome)]
    return public_fields(save_revision(table, item, {"status": "closed", "outcome": outcome, "outcome_note": note,
                                             "closed_at": iso_utc(now), "steps": steps}))


def verifications(table: DynamoTable, scope: Scope, point_id: str) -> list[dict[str, Any]]:
    point_in_scope(table, scope, point_id)
    return [public_fields(i) for i in table.query(f"POINT#{point_id}", "VERIFY#", consistent=True)]


# -- the point's side ---------------------------------------------------------------------------------

def open_requests(table: DynamoTable, point_id: str) -> list[dict[str, Any]]:
    """Unanswered requests of the point's open verifications: what the point is asked, nothing about who."""
    out = []
    for item in table.query(f"POINT#{point_id}", "VERIFY#", consistent=True):
        if item.get("status") != "open":
            continue
        for r in item.get("requests", []):
            if "answered_at" not in r:
                out.append({"verify_id": item["verify_id"], "request_id": r["request_id"], "month": item["month"],
                            "text": r["text"], "due": r.get("due"), "requested_at": r["requested_at"]})
    return out


def answer(table: DynamoTable, blobs: Blobs, point_id: str, verify_id: str, request_id: str,
           reply: str | None, uploads: list[attachments.Upload], now: dt.datetime, rng: random.Random
           ) -> dict[str, Any]:
    """The point's answer to one request (the caller has authenticated the point)."""
    problems: list[FieldError] = []
    reply = text(reply, "text", problems, limit=TEXT_MAX, required=not uploads)
    collect(problems)
    files = attachments.check(uploads)
    item = table.get(f"POINT#{point_id}", f"VERIFY#{verify_id}")
    requests = (item or {}).get("requests", [])
    index = next((i for i, r in enumerate(requests) if r["request_id"] == request_id), None)
    if item is None or index is None or item.get("status") != "open":
        raise NotFound("没有找到该核查材料要求，或核查已办结", [FieldError(("request_id",), "没有找到该材料要求")])
    if "answered_at" in requests[index]:
        raise Conflict("该材料要求已答复", [FieldError(("request_id",), "该材料要求已答复")])
    stored = []
    for f in files:
        attachment_id = new_id(rng)
        blobs.put(attachments.blob_key(point_id, verify_id, attachment_id), f.data, f.media_type)
        stored.append({"attachment_id": attachment_id, "name": f.name, "type": f.extension, "size": f.size})
    updated = dict(requests[index], answered_at=iso_utc(now), answer=reply, attachments=stored)
    requests = [*requests[:index], {k: v for k, v in updated.items() if v is not None}, *requests[index + 1:]]
    steps = [*item["steps"], step("materials_received", f"point:{point_id}", now, request_id=request_id,
                                  files=len(stored))]
    save_revision(table, item, {"requests": requests, "steps": steps})
    return {"ok": True, "verify_id": verify_id, "request_id": request_id, "received_at": iso_utc(now),
            "attachments": [{"name": s["name"], "size": s["size"]} for s in stored]}


def attachment(table: DynamoTable, blobs: Blobs, scope: Scope, point_id: str, verify_id: str,
               attachment_id: str) -> tuple[dict[str, Any], bytes]:
    """An attachment for staff who may see the point: its record and its bytes."""
    point_in_scope(table, scope, point_id)
    item = get_verification(table, point_id, verify_id)
    for r in item.get("requests", []):
        for a in r.get("attachments", []):
            if a["attachment_id"] == attachment_id:
                return a, blobs.get(attachments.blob_key(point_id, verify_id, attachment_id))
    raise NotFound("附件不存在")
