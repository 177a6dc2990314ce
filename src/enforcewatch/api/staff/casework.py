"""Casework routes of the staff API: designation, verification, transfers, commendations and each
point's timeline (docs/casework.md). Each route parses, calls one domain function, writes an audit
entry and answers; scope comes from the staff app's one gate (`current_scope`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from enforcewatch.api.staff.deps import Ctx, From, ScopeDep, StaffContext
from enforcewatch.casework import commendations, designation, timeline, transfers, verification
from enforcewatch.casework.attachments import SIGNATURES
from enforcewatch.casework.records import problem
from enforcewatch.clock import china_date
from enforcewatch.monitoring.duedates import load_calendar
from enforcewatch.staff import exports
from enforcewatch.store.blobs import Blobs

router = APIRouter(prefix="/api/staff")
Format = Literal["json", "csv", "xlsx"]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NominationIn(In):
    source: str
    district: str
    enterprise_name: str = Field(max_length=200)
    uscc: str = Field(max_length=18)
    nominated_by: str = Field(max_length=200)
    industry: str = Field(max_length=100)
    reasons: str | None = Field(default=None, max_length=4000)
    contact: str | None = Field(default=None, max_length=200)


class CheckIn(In):
    confirmed: list[str] = Field(default_factory=list, max_length=10)


class DecisionIn(In):
    decision: str
    meeting: str | None = Field(default=None, max_length=400)
    note: str | None = Field(default=None, max_length=4000)


class DesignateIn(In):
    point_id: str = Field(max_length=64)
    plaque_no: str = Field(max_length=100)
    designated_on: str = Field(max_length=10)
    reporting_from: str = Field(max_length=7)


class VerificationIn(In):
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    note: str | None = Field(default=None, max_length=4000)


class MaterialsIn(In):
    text: str = Field(max_length=4000)
    due: str | None = Field(default=None, max_length=10)


class OutcomeIn(In):
    outcome: str
    note: str | None = Field(default=None, max_length=4000)


class TransferIn(In):
    point_id: str | None = Field(default=None, max_length=64)
    complaint_id: str | None = Field(default=None, max_length=64)
    source: str | None = Field(default=None, max_length=200)
    clue: str = Field(max_length=8000)
    department: str | None = Field(default=None, max_length=200)
    discipline: bool = False
    working_days: int


class ProgressIn(In):
    status: str
    answer: str | None = Field(default=None, max_length=8000)
    rectification: str | None = Field(default=None, max_length=8000)


class CommendationIn(In):
    kind: str
    date: str = Field(max_length=10)
    period: str = Field(max_length=100)
    criteria: dict[str, bool] = Field(default_factory=dict)
    note: str | None = Field(default=None, max_length=4000)


def blobs(request: Request, ctx: StaffContext) -> Blobs:
    store = getattr(request.app.state, "casework_blobs", None)
    if store is None:
        # cold start: the attachment store (S3 client) loads on the first upload
        from enforcewatch.store.blobs import blobs_for

        store = request.app.state.casework_blobs = blobs_for(ctx.settings)
    return store


def download(name: str, fmt: str, headers: list[str], rows: Any, counter: exports.Counter) -> Response:
    chunks = exports.WRITERS[fmt](headers, counter.wrap(rows))
    disposition = f"attachment; filename=\"export.{fmt}\"; filename*=UTF-8''{quote(name + '.' + fmt)}"
    body = b"".join(chunks)  # small lists: the count is known before the audit entry is written
    return Response(body, media_type=exports.MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition})


# -- designation ----------------------------------------------------------------------------------------

@router.post("/nominations")
def nominate(body: NominationIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    item = designation.nominate(ctx.table, scope, body.model_dump(), ctx.district_ids, ctx.now(), ctx.rng)
    ctx.log(scope.username, "nomination", {"nomination_id": item["nomination_id"], "district": item["district"]})
    return {"ok": True, "nomination": item}


@router.get("/nominations")
def nomination_list(scope: ScopeDep, ctx: Ctx, district: str | None = None) -> dict[str, Any]:
    items = designation.nominations(ctx.table, scope, district)
    ctx.log(scope.username, "list_nominations", {"district": district, "rows": len(items)})
    return {"ok": True, "nominations": items}


@router.post("/nominations/{nomination_id}/check")
def nomination_check(nomination_id: str, body: CheckIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    item = designation.check(ctx.table, scope, nomination_id, body.confirmed, ctx.district_ids, ctx.now())
    ctx.log(scope.username, "nomination_check", {"nomination_id": nomination_id,
                                                 "eligible": item["check"]["eligible"]})
    return {"ok": True, "nomination": item}


@router.post("/nominations/{nomination_id}/decision")
def nomination_decision(nomination_id: str, body: DecisionIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    item = designation.decide(ctx.table, scope, nomination_id, body.decision, body.meeting, body.note, ctx.now())
    ctx.log(scope.username, "nomination_decision", {"nomination_id": nomination_id, "decision": body.decision})
    return {"ok": True, "nomination": item}


@router.post("/nominations/{nomination_id}/designate")
def nomination_designate(nomination_id: str, body: DesignateIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    point, code = designation.designate(ctx.table, scope, nomination_id, body.model_dump(), ctx.now(), ctx.rng)
    ctx.log(scope.username, "designation", {"nomination_id": nomination_id, "point_id": point["point_id"],
                                            "plaque_no": point.get("plaque_no")})
    # The access code is shown here once and stored only as its hash (enforcewatch.codes).
    return {"ok": True, "point": point, "access_code": code}


# -- verification ---------------------------------------------------------------------------------------

@router.post("/points/{point_id}/verifications")
def verification_open(point_id: str, body: VerificationIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    item = verification.open_verification(ctx.table, scope, point_id, body.month, body.note, ctx.now(), ctx.rng)
    ctx.log(scope.username, "verification_open", {"point_id": point_id, "verify_id": item["verify_id"],
                                                  "month": body.month})
    return {"ok": True, "verification": item}


@router.get("/points/{point_id}/verifications")
def verification_list(point_id: str, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    items = verification.verifications(ctx.table, scope, point_id)
    ctx.log(scope.username, "list_verifications", {"point_id": point_id, "rows": len(items)})
    return {"ok": True, "verifications": items}


@router.post("/points/{point_id}/verifications/{verify_id}/requests")
def verification_request(point_id: str, verify_id: str, body: MaterialsIn, scope: ScopeDep, ctx: Ctx
                         ) -> dict[str, Any]:
    item = verification.request_materials(ctx.table, scope, point_id, verify_id, body.text, body.due, ctx.now(),
                                          ctx.rng)
    ctx.log(scope.username, "verification_request", {"point_id": point_id, "verify_id": verify_id,
                                                     "request_id": item["requests"][-1]["request_id"]})
    return {"ok": True, "verification": item}


@router.post("/points/{point_id}/verifications/{verify_id}/outcome")
def verification_outcome(point_id: str, verify_id: str, body: OutcomeIn, scope: ScopeDep, ctx: Ctx
                         ) -> dict[str, Any]:
    item = verification.record_outcome(ctx.table, scope, point_id, verify_id, body.outcome, body.note, ctx.now())
    ctx.log(scope.username, "verification_outcome", {"point_id": point_id, "verify_id": verify_id,
                                                     "outcome": body.outcome})
    return {"ok": True, "verification": item}


@router.get("/points/{point_id}/verifications/{verify_id}/attachments/{attachment_id}")
def verification_attachment(point_id: str, verify_id: str, attachment_id: str, request: Request, scope: ScopeDep,
                            ctx: Ctx) -> Response:
    meta, data = verification.attachment(ctx.table, blobs(request, ctx), scope, point_id, verify_id, attachment_id)
    ctx.log(scope.username, "attachment_download", {"point_id": point_id, "verify_id": verify_id,
                                                    "attachment_id": attachment_id, "bytes": len(data)})
    media = next(m for _, ext, m in SIGNATURES if ext == meta["type"])
    name = f"{attachment_id}.{meta['type']}"
    return Response(data, media_type=media, headers={
        "Content-Disposition": f"attachment; filename=\"{name}\"", "Content-Security-Policy": "sandbox"})


# -- transfers ------------------------------------------------------------------------------------------

@router.post("/transfers")
def transfer_create(body: TransferIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    calendar = load_calendar(ctx.settings.content_dir, ctx.table)
    item = transfers.create(ctx.table, scope, calendar, body.model_dump(), ctx.now(), ctx.rng)
    ctx.log(scope.username, "transfer", {"transfer_id": item["transfer_id"], "point_id": item.get("point_id"),
                                         "complaint_id": item.get("complaint_id"), "deadline": item["deadline"]})
    return {"ok": True, "transfer": item}


@router.get("/transfers")
def transfer_list(scope: ScopeDep, ctx: Ctx, district: str | None = None, closed: bool = False) -> dict[str, Any]:
    items = transfers.listing(ctx.table, scope, china_date(ctx.now()), district, closed)
    ctx.log(scope.username, "list_transfers", {"district": district, "closed": closed, "rows": len(items)})
    return {"ok": True, "transfers": items}


@router.post("/transfers/{transfer_id}/progress")
def transfer_progress(transfer_id: str, body: ProgressIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    item = transfers.record(ctx.table, scope, transfer_id, body.model_dump(), ctx.now())
    ctx.log(scope.username, "transfer_progress", {"transfer_id": transfer_id, "status": body.status})
    return {"ok": True, "transfer": item}


# -- commendations --------------------------------------------------------------------------------------

@router.post("/points/{point_id}/commendations")
def commendation_create(point_id: str, body: CommendationIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    item = commendations.record(ctx.table, scope, point_id, body.model_dump(), ctx.now(), ctx.rng)
    ctx.log(scope.username, "commendation", {"point_id": point_id, "commend_id": item["commend_id"],
                                             "kind": body.kind})
    return {"ok": True, "commendation": item}


def _day(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise problem(field, f"日期应写作 YYYY-MM-DD，而不是“{value}”") from None


@router.get("/commendations")
def commendation_export(scope: ScopeDep, ctx: Ctx, from_: From = "", to: str = "", format: Format = "json",  # noqa: A002
                        ) -> Response:
    first, last = _day(from_, "from"), _day(to, "to")
    items = list(commendations.listing(ctx.table, scope, first, last))
    if format == "json":
        ctx.log(scope.username, "list_commendations", {"from": from_, "to": to, "rows": len(items)})
        return JSONResponse({"ok": True, "commendations": items})
    names = {d["id"]: d["name"] for d in ctx.districts}
    counter = exports.Counter()
    response = download(f"受表彰监测点_{first}_{last}", format, list(commendations.COLUMNS),
                        commendations.rows(iter(items), names), counter)
    ctx.log(scope.username, "download", {"kind": "commendation", "format": format, "from": from_, "to": to,
                                         "rows": counter.rows})
    return response


# -- timeline -------------------------------------------------------------------------------------------

@router.get("/points/{point_id}/timeline")
def point_timeline(point_id: str, scope: ScopeDep, ctx: Ctx, format: Format = "json") -> Any:  # noqa: A002
    head, entries = timeline.point_timeline(ctx.table, scope, point_id)
    ctx.log(scope.username, "timeline" if format == "json" else "download",
            {"kind": "timeline", "point_id": point_id, "format": format, "rows": len(entries)})
    if format == "json":
        return {"ok": True, "point": head, "timeline": entries}
    return download(f"监测点{point_id}_办理记录", format, list(timeline.COLUMNS), timeline.rows(entries),
                    exports.Counter())
