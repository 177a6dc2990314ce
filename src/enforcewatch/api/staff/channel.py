"""Channel routes of the staff API (docs/channel.md): notices to points, and replies to the
suggestions in reports. Scope comes from the staff app's one gate: a district account reaches its
own district and points only."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from enforcewatch.api.staff.deps import Ctx, From, ScopeDep
from enforcewatch.channel import notices, suggestions
from enforcewatch.staff import exports

router = APIRouter(prefix="/api/staff")


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audience: Literal["all", "district", "point"] = Field(title="发送对象")
    kind: str = Field(default="通知", max_length=20, title="类型")
    title: str = Field(max_length=100, title="标题")
    body: str = Field(max_length=4000, title="正文")
    district: str | None = Field(default=None, max_length=40, title="县（市、区）")
    point_id: str | None = Field(default=None, max_length=40, title="监测点编号")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["received", "in_progress", "answered"] = Field(title="状态")
    reply: str | None = Field(default=None, max_length=4000, title="答复")


@router.post("/notices", status_code=201)
def send_route(body: NoticeIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    names = {d["id"]: d["name"] for d in ctx.districts}
    sent = notices.send(ctx.table, scope, body.model_dump(), ctx.now(), ctx.rng, names)
    ctx.log(scope.username, "notice_send", {"notice_id": sent["notice_id"], "audience": sent["audience"],
                                            "district": sent.get("district"), "point_id": sent.get("point_id")})
    return {"ok": True, "notice": sent}


@router.get("/notices")
def list_route(scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    found = notices.sent(ctx.table, scope)
    ctx.log(scope.username, "notices", {"rows": len(found)})
    return {"ok": True, "notices": found}


@router.post("/points/{point_id}/suggestions/{month}/{seq}/reply")
def reply_route(point_id: str, month: str, seq: int, body: ReplyIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    out = suggestions.reply(ctx.table, scope, point_id, month, seq, body.model_dump(), ctx.now())
    ctx.log(scope.username, "suggestion_reply", {"point_id": point_id, "month": month, "seq": seq,
                                                 "status": body.status})
    return {"ok": True, "suggestion": out}


@router.get("/suggestions")
def suggestions_route(scope: ScopeDep, ctx: Ctx, from_: From = "", to: str = "", district: str | None = None
                      ) -> dict[str, Any]:
    """The suggestions in the reports of the months, with status and reply (open ones first)."""
    req = exports.ExportRequest.parse("report", "json", from_, to, None)  # the same month checks and messages
    found = suggestions.listing(ctx.table, scope.districts(district), req.month_from, req.month_to)
    ctx.log(scope.username, "suggestions", {"from": req.month_from, "to": req.month_to, "district": district,
                                            "rows": len(found)})
    return {"ok": True, "suggestions": found}
