"""Staff API for the work queue (issue 16): the flag queue a page at a time, deciding a revocation,
reissuing one point's access code, and the reason lists for forms. Routes parse, call one domain
function (`enforcewatch.staff.staffing`), audit, and respond."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from enforcewatch.api.staff.deps import Ctx, ScopeDep
from enforcewatch.clock import china_date
from enforcewatch.insights import dashboard as office_dashboard
from enforcewatch.monitoring import events
from enforcewatch.monitoring.duedates import load_calendar
from enforcewatch.staff import staffing

router = APIRouter()


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    flag_key: str = Field(max_length=64, title="标记")
    decision: str = Field(max_length=16, title="决定")
    note: str | None = Field(default=None, max_length=events.KEEP_NOTE_MAX, title="理由")


@router.get("/api/staff/flag-queue")
def flag_queue(scope: ScopeDep, ctx: Ctx, district: str | None = None, state: str = "open",
               kind: str | None = None, month: str | None = None, cursor: str | None = None,
               limit: int = 20) -> dict[str, Any]:
    page = staffing.flag_queue(ctx.table, scope, district, state=state, kind=kind, month=month, cursor=cursor,
                               limit=limit)
    return {"ok": True, **page.as_json()}


@router.post("/api/staff/points/{point_id}/revocation")
def decide_revocation(point_id: str, body: DecisionIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    out = staffing.decide_revocation(ctx.table, scope, point_id, body.flag_key, body.decision, body.note, ctx.now())
    ctx.log(scope.username, "revocation_decision", {"point_id": point_id, "flag_key": body.flag_key,
                                                     "decision": body.decision})
    return {"ok": True, **out}


@router.post("/api/staff/points/{point_id}/access-code")
def reissue_access_code(point_id: str, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    """The new code is in this answer only (shown once); the audit log records that it was reissued."""
    code = staffing.reissue_access_code(ctx.table, scope, point_id, ctx.now(), ctx.rng)
    ctx.log(scope.username, "access_code_reissue", {"point_id": point_id})
    return {"ok": True, "point_id": point_id, "access_code": code}


@router.get("/api/staff/dashboard")
def dashboard(scope: ScopeDep, ctx: Ctx, district: str | None = None) -> dict[str, Any]:
    """The current reporting month's figures for the districts in scope (enforcewatch.insights.dashboard)."""
    names = {d["id"]: d["name"] for d in ctx.districts}
    board = office_dashboard.dashboard(ctx.table, scope, load_calendar(ctx.settings.content_dir, ctx.table),
                                       china_date(ctx.now()), names, ctx.reply_limit, district=district)
    return {"ok": True, **board.as_json()}


@router.get("/api/staff/reasons")
def reasons(scope: ScopeDep) -> dict[str, Any]:
    """Event reasons for forms: kind → [{code, label}]; either is accepted where a reason is taken."""
    return {"ok": True, "reasons": events.reason_choices()}
