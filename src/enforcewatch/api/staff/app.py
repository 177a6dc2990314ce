"""The staff API (`/api/staff/...`) and the staff page (`/staff/`): a separate app for a separate
Lambda function with its own role. Routes parse, call one domain function, and respond.

Every route but sign-in takes `ScopeDep`: the one place a request becomes an account and its scope
(`enforcewatch.staff.staffing.Scope`). Bearer tokens need no CSRF token; the page's HttpOnly SameSite
cookie session must echo `X-CSRF-Token` on every change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from enforcewatch.api.errors import register_error_handlers
from enforcewatch.api.staff import (
    admin_pages,
    import_pages,
    pages,
    point_pages,
    queue,
    work_pages,
)
from enforcewatch.api.staff.deps import Ctx, From, ScopeDep, StaffContext
from enforcewatch.api.staff.http import (
    CSRF_COOKIE,
    CSRF_PATHS,
    SESSION_COOKIE,
    staff_headers,
)
from enforcewatch.api.staff.large_downloads import S3Downloads
from enforcewatch.api.staff.lazy import include_lazily
from enforcewatch.api.staff.page_kit import register_page_errors
from enforcewatch.clock import china_date
from enforcewatch.config import Settings
from enforcewatch.errors import EnforceWatchError, NotFound
from enforcewatch.intake import guesses
from enforcewatch.staff import audit, auditlabels, exports, staffing, tokens
from enforcewatch.staff.accounts import USERNAME_RE, Accounts, Disabled
from enforcewatch.store.dynamo import DynamoTable

UNKNOWN_ACTOR = "未知用户名"
# Route groups a session does not start with: imported on their first request (lazy.py). Every
# path of each group's router starts with its prefix.
LAZY_GROUPS = (("enforcewatch.api.staff.casework", "/api/staff/"), ("enforcewatch.api.staff.insights", "/api/staff/insights/"),
               ("enforcewatch.api.staff.draws", "/api/staff/draws"), ("enforcewatch.api.staff.plans", "/api/staff/plans"),
               ("enforcewatch.api.staff.channel", "/api/staff/"),
               ("enforcewatch.api.staff.plan_pages", "/staff/plans"), ("enforcewatch.api.staff.draw_pages", "/staff/draws"),
               ("enforcewatch.api.staff.channel_pages", ("/staff/notices", "/staff/suggestions")))
SOURCE_PAGE_DIR = Path(__file__).resolve().parents[4] / "site" / "templates" / "staff"  # a source checkout


def staff_page_dir(content_dir: Path) -> Path:
    """site/templates/staff next to the content directory (as packaged for Lambda), else the source tree's."""
    beside = content_dir.parent / "templates" / "staff"
    return beside if (beside / "index.html").is_file() else SOURCE_PAGE_DIR


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=64, title="用户名")
    password: str = Field(max_length=256, title="密码")
    totp: str | None = Field(default=None, max_length=12, title="动态验证码")


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(title="事件类型")
    date: str = Field(title="日期")
    reason: str | None = Field(default=None, max_length=64, title="事由")
    note: str | None = Field(default=None, max_length=2000, title="说明")


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(title="状态")


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(title="状态")
    reply: str | None = Field(default=None, max_length=staffing.REPLY_MAX, title="答复")


router = APIRouter()


@router.post("/api/staff/login")
def login(body: LoginIn, request: Request, ctx: Ctx) -> JSONResponse:
    client = request.client.host if request.client else "unknown"
    try:
        user = ctx.accounts.authenticate(body.username, body.password, body.totp, ctx.now(), client)
    except guesses.BudgetSpent:
        raise  # past the client's budget nothing is appended: the log cannot be flooded from outside
    except EnforceWatchError as exc:
        reason = "账户已停用" if isinstance(exc, Disabled) else exc.message
        ctx.log(refused_actor(ctx, body.username), "login", {"reason": reason}, outcome="denied")
        raise
    token, claims = tokens.issue(user, ctx.secret, ctx.now(), ctx.rng)
    ctx.log(user.username, "login", {"role": user.role, "district": user.district})
    csrf = tokens.csrf_token(claims, ctx.secret)
    response = JSONResponse({"ok": True, "token": token, "csrf": csrf, "expires": claims.expires,
                             "user": {"username": user.username, "role": user.role, "district": user.district}})
    secure = request.url.scheme == "https"
    response.set_cookie(SESSION_COOKIE, token, max_age=tokens.TTL_SECONDS, path="/api/staff",
                        httponly=True, samesite="strict", secure=secure)
    for path in CSRF_PATHS:  # readable by the staff pages' scripts only, never by the public site's
        response.set_cookie(CSRF_COOKIE, csrf, max_age=tokens.TTL_SECONDS, path=path, samesite="strict",
                            secure=secure)
    return response


def refused_actor(ctx: StaffContext, typed: str) -> str:
    """Who a refused sign-in is logged under: an account's username, or for anything else typed (a
    mistyped name, a password typed into the wrong box) only a keyed hash, so repeats can be told apart."""
    if USERNAME_RE.match(typed) and ctx.accounts.get(typed) is not None:
        return typed
    digest = hmac.new(ctx.secret.encode(), typed.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    return f"{UNKNOWN_ACTOR}#{digest[:16]}"


@router.post("/api/staff/logout")
def logout(scope: ScopeDep, request: Request, ctx: Ctx) -> JSONResponse:
    tokens.revoke(ctx.table, request.state.claims)
    ctx.log(scope.username, "logout", {})
    response = JSONResponse({"ok": True})
    response.delete_cookie(SESSION_COOKIE, path="/api/staff")
    for path in CSRF_PATHS:
        response.delete_cookie(CSRF_COOKIE, path=path)
    return response


@router.get("/api/staff/me")
def me(scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    visible = [d for d in ctx.districts if scope.is_office or d["id"] == scope.district]
    return {"ok": True, "username": scope.username, "role": scope.role, "district": scope.district,
            "districts": visible}


@router.get("/api/staff/submissions")
def submissions(
    scope: ScopeDep, ctx: Ctx, kind: str = "report", format: str = "csv",  # noqa: A002 - the parameter's name
    from_: From = "", to: str = "", district: str | None = None,
) -> Response:
    req = exports.ExportRequest.parse(kind, format, from_, to, district)
    if req.kind == "complaint":
        scope.require_office()
    export = exports.open_export(ctx.table, req, scope.districts(req.district),
                                 {d["id"]: d["name"] for d in ctx.districts})
    filters = {"kind": req.kind, "format": req.fmt, "from": req.month_from, "to": req.month_to,
               "district": req.district}
    ctx.log(scope.username, "download", filters, outcome="started")

    def body() -> Iterator[bytes]:
        done = False
        try:
            yield from export.chunks
            done = True
        finally:
            ctx.log(scope.username, "download", {**filters, "rows": export.counter.rows},
                    outcome="ok" if done else "incomplete")

    disposition = f"attachment; filename=\"export.{req.fmt}\"; filename*=UTF-8''{quote(req.filename)}"
    headers = {"Content-Disposition": disposition}
    if ctx.downloads is not None:  # in AWS: over Lambda's response limit → S3 and a pre-signed URL
        return ctx.downloads.respond(body(), f"export.{req.fmt}", export.media_type, headers, ctx.rng)
    return StreamingResponse(body(), media_type=export.media_type, headers=headers)


@router.get("/api/staff/flags")
def flags(scope: ScopeDep, ctx: Ctx, district: str | None = None, state: str = "open") -> dict[str, Any]:
    """Stored flags in one state (`open` by default, `closed`, `all`), each with `state`; unreplied
    complaints (computed now) are open by definition."""
    items = list(staffing.flags(ctx.table, scope, district, state))
    if scope.is_office and not district and state != "closed":
        # cold start: the calendar data load on the first office flag listing
        from enforcewatch.monitoring.duedates import load_calendar

        today = china_date(ctx.now())
        recent = staffing.complaints(ctx.table, scope, f"{today.year - 1}-{today.month:02d}", f"{today:%Y-%m}")
        items += staffing.unreplied_complaints(recent, today, ctx.reply_limit,
                                               load_calendar(ctx.settings.content_dir, ctx.table).is_workday)
    return {"ok": True, "flags": items}


@router.post("/api/staff/points/{point_id}/events")
def point_event(point_id: str, body: EventIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    item = staffing.record_point_event(ctx.table, scope, point_id, body.kind, body.date, body.reason, body.note,
                                       ctx.now())
    ctx.log(scope.username, "point_event", {"point_id": point_id, "kind": body.kind, "date": body.date,
                                             "event_id": item["event_id"]})
    return {"ok": True, "event_id": item["event_id"]}


@router.post("/api/staff/points/{point_id}/status")
def point_status(point_id: str, body: StatusIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    staffing.set_point_status(ctx.table, scope, point_id, body.status, ctx.now())
    ctx.log(scope.username, "point_status", {"point_id": point_id, "status": body.status})
    return {"ok": True}


@router.get("/api/staff/complaints")
def complaint_list(scope: ScopeDep, ctx: Ctx, from_: From = "", to: str = "") -> dict[str, Any]:
    scope.require_office()
    req = exports.ExportRequest.parse("complaint", "json", from_, to, None)
    items = list(staffing.complaints(ctx.table, scope, req.month_from, req.month_to))
    ctx.log(scope.username, "list_complaints", {"from": req.month_from, "to": req.month_to, "rows": len(items)})
    return {"ok": True, "complaints": items}


@router.post("/api/staff/complaints/{complaint_id}/reply")
def complaint_reply(complaint_id: str, body: ReplyIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    staffing.reply_to_complaint(ctx.table, scope, complaint_id, body.status, body.reply, ctx.now())
    ctx.log(scope.username, "complaint_reply", {"complaint_id": complaint_id, "status": body.status,
                                                 "replied": bool(body.reply)})
    return {"ok": True}


@router.get("/api/staff/audit")
def audit_log(scope: ScopeDep, ctx: Ctx, from_: From = "", to: str = "") -> dict[str, Any]:
    scope.require_office()
    req = exports.ExportRequest.parse("report", "json", from_, to, None)
    audit.check_range(req.month_from, req.month_to)
    names = {d["id"]: d["name"] for d in ctx.districts}
    return {"ok": True, "entries": [auditlabels.entry_view(e, names)
                                     for e in audit.entries(ctx.table, req.month_from, req.month_to)]}


PAGE_ASSETS = {"": ("index.html", "text/html; charset=utf-8"), "staff.js": ("staff.js", "text/javascript"),
               "staff.css": ("staff.css", "text/css"), "casework.js": ("casework.js", "text/javascript")}


@router.get("/staff/tools/{asset:path}", include_in_schema=False)
def staff_page(asset: str, ctx: Ctx) -> Response:
    """The older one-page tools (scripted; every datum comes from the API after sign-in) and its assets."""
    if asset not in PAGE_ASSETS:
        raise NotFound("页面不存在")
    name, media = PAGE_ASSETS[asset]
    return FileResponse(ctx.pages / name, media_type=media)


def create_staff_app(
    settings: Settings, table: DynamoTable, *, clock: Callable[[], dt.datetime] | None = None,
    rng: random.Random | None = None, page_dir: Path | None = None, reply_working_days: int | None = None,
    downloads: S3Downloads | None = None,
) -> FastAPI:
    """The staff app. Mount it at the root of the origin: its routes are /api/staff/... and /staff/."""
    app = FastAPI(title="EnforceWatch staff", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.staff = StaffContext(
        settings=settings, table=table, accounts=Accounts(table),
        # No secret configured (a local run): tokens are signed with a per-process key, gone on restart.
        secret=settings.token_secret or f"{random.SystemRandom().getrandbits(256):064x}",
        now=clock or (lambda: dt.datetime.now(dt.UTC)), rng=rng or random.SystemRandom(),
        districts=staffing.load_districts(settings.content_dir),
        reply_limit=reply_working_days or settings.complaint_reply_working_days, pages=page_dir or staff_page_dir(settings.content_dir),
        downloads=downloads or (S3Downloads.from_settings(settings.export_bucket, settings.region)
                                if settings.export_bucket else None),
    )
    register_error_handlers(app)
    register_page_errors(app)
    app.middleware("http")(staff_headers)
    app.include_router(pages.router)
    app.include_router(point_pages.router)
    app.include_router(work_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(import_pages.router)
    app.include_router(router)
    app.include_router(queue.router)
    for module, prefix in LAZY_GROUPS:
        include_lazily(app, module, prefix)
    return app
