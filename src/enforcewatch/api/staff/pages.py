"""The workspace's session pages and first page: sign-in as a real form (method=post, works without
JavaScript), sign-out, the dashboard, and the pages' static files (the public site's CSS plus the
workspace's own). Routes parse, call one domain function, and render."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from enforcewatch.api.staff.deps import Ctx
from enforcewatch.api.staff.http import CSRF_COOKIE, SESSION_COOKIE
from enforcewatch.api.staff.page_kit import (
    PAGE_PATH,
    FormScope,
    PageScope,
    SignInRequired,
    form_of,
    redirect,
    render,
    session_scope,
)
from enforcewatch.clock import china_date
from enforcewatch.errors import EnforceWatchError, NotFound
from enforcewatch.monitoring.duedates import load_calendar
from enforcewatch.staff import dashboard, tokens

router = APIRouter(include_in_schema=False)
ASSETS = {"site.css": ("static/site.css", "text/css"), "workspace.css": ("staff/workspace.css", "text/css")}


def _safe_next(target: str) -> str:
    """Only a page of the workspace itself (no other host, no scheme) after signing in."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(PAGE_PATH + "/") or "\\" in target:
        return PAGE_PATH + "/"
    return target


@router.get("/staff/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, ctx: Ctx, next: str = "") -> Response:  # noqa: A002 - the query's name
    try:
        session_scope(request, ctx)
    except SignInRequired:  # no valid session: the form
        return render(request, ctx, "sign_in.html", next=_safe_next(next), error=None, username="", scope=None)
    return redirect(ctx, _safe_next(next))


@router.post("/staff/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, ctx: Ctx) -> Response:
    form = await form_of(request)
    username, target = form.get("username", "")[:64], _safe_next(form.get("next", ""))
    try:
        user = ctx.accounts.authenticate(username, form.get("password", "")[:256], form.get("totp") or None, ctx.now())
    except EnforceWatchError as exc:
        ctx.log(username, "login", {"reason": exc.message}, outcome="denied")
        return render(request, ctx, "sign_in.html", status=exc.status, next=target, error=exc.message,
                      username=username, scope=None)
    token, claims = tokens.issue(user, ctx.secret, ctx.now(), ctx.rng)
    ctx.log(user.username, "login", {"role": user.role, "district": user.district, "via": "page"})
    secure = request.url.scheme == "https"
    response = redirect(ctx, target, f"欢迎，{user.username}")
    for path in (PAGE_PATH, "/api/staff"):  # the pages and the API (the insights page, programs in the browser)
        response.set_cookie(SESSION_COOKIE, token, max_age=tokens.TTL_SECONDS, path=path, httponly=True,
                            samesite="strict", secure=secure)
    response.set_cookie(CSRF_COOKIE, tokens.csrf_token(claims, ctx.secret), max_age=tokens.TTL_SECONDS, path="/",
                        samesite="strict", secure=secure)
    return response


@router.post("/staff/sign-out")
def sign_out(request: Request, scope: FormScope, ctx: Ctx) -> Response:
    tokens.revoke(ctx.table, request.state.claims)
    ctx.log(scope.username, "logout", {})
    response = redirect(ctx, "/staff/sign-in", "已退出登录")
    for path in (PAGE_PATH, "/api/staff"):
        response.delete_cookie(SESSION_COOKIE, path=path)
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/staff/", response_class=HTMLResponse)
def dashboard_page(request: Request, scope: PageScope, ctx: Ctx, district: str = "") -> Response:
    today = china_date(ctx.now())
    board = dashboard.build(ctx.table, scope, load_calendar(ctx.settings.content_dir, ctx.table), today, ctx.reply_limit,
                            district or None)
    return render(request, ctx, "dashboard.html", scope=scope, board=board, district=district,
                  districts=[d for d in ctx.districts if d["id"] in scope.districts()], today=today)


@router.get("/staff/assets/{name}")
def asset(name: str, ctx: Ctx) -> Response:
    if name not in ASSETS:
        raise NotFound("页面不存在")
    rel, media = ASSETS[name]
    return FileResponse(ctx.pages.parent / rel, media_type=media, headers={"Cache-Control": "no-cache"})
