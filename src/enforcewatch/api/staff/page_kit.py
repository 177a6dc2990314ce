"""What every server-rendered staff page shares (issue 16): the cookie session read from a page
request, the CSRF token as a hidden form field, flash messages, the one Jinja environment with the
staff filters (district names, Beijing time, Chinese labels), and errors shown as a page.

Pages live under /staff/; the session cookie is set for /staff as well as /api/staff at sign-in,
HttpOnly and SameSite=Strict as for the API. A page POST must carry the field `csrf` (the HMAC of
the session's jti, the same token the API takes in `X-CSRF-Token`), so every form works without
JavaScript.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from enforcewatch.api.staff.deps import Ctx, StaffContext
from enforcewatch.api.staff.http import PAGE_CSP, SESSION_COOKIE
from enforcewatch.errors import EnforceWatchError, Unauthorized
from enforcewatch.staff import labels, staffing, tokens
from enforcewatch.staff.paging import Page

if TYPE_CHECKING:  # Jinja loads with the first page rendered, not at the staff function's cold start
    from jinja2 import Environment

PAGE_PATH = "/staff"
FLASH_COOKIE = "ew_flash"
SIGN_IN = "/staff/sign-in"


class PageFailed(EnforceWatchError):
    status = 500


class SignInRequired(Exception):
    """A page asked for without a valid session: send the browser to the sign-in page."""


@lru_cache(maxsize=4)
def _environment(templates_dir: Path, districts: tuple[tuple[str, str], ...]) -> Environment:
    # cold start: the staff function must not load enforcewatch.sitegen, jinja2 or markdown
    # (tests/functions/test_cold_start.py): the environment is built on the first page rendered
    from enforcewatch.sitegen.render import make_environment

    env = make_environment(templates_dir)
    names = labels.DistrictNames([{"id": i, "name": n} for i, n in districts])
    env.filters["district"] = names
    env.filters["beijing"] = labels.beijing
    for name, table in labels.LABEL_TABLES.items():
        env.filters[f"{name}_label"] = lambda code, table=table: labels.label(table, code)
    return env


def environment(ctx: StaffContext) -> Environment:
    return _environment(ctx.pages.parent, tuple((d["id"], d["name"]) for d in ctx.districts))


def session_scope(request: Request, ctx: StaffContext) -> staffing.Scope:
    """The page session's scope (the same checks as the API's gate), else SignInRequired."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise SignInRequired
    try:
        claims = tokens.decode(token, ctx.secret, ctx.now())
    except Unauthorized:
        raise SignInRequired from None
    user = ctx.accounts.get(claims.username)
    if user is None or user.disabled or user.token_version != claims.version or tokens.is_revoked(ctx.table, claims):
        raise SignInRequired
    request.state.claims = claims
    request.state.csrf = tokens.csrf_token(claims, ctx.secret)
    scope = staffing.Scope(user.username, user.role, user.district, ctx.district_ids)
    request.state.page_scope = scope
    return scope


def page_scope(request: Request, ctx: Ctx) -> staffing.Scope:
    return session_scope(request, ctx)


async def form_scope(request: Request, ctx: Ctx) -> staffing.Scope:
    """A page POST: the session, and the hidden `csrf` field checked against it."""
    scope = session_scope(request, ctx)
    form = await request.form()
    sent = str(form.get("csrf", ""))
    if not hmac.compare_digest(sent, request.state.csrf):
        raise Unauthorized("页面已过期，请刷新后重试（CSRF 校验失败）")
    return scope


PageScope = Annotated[staffing.Scope, Depends(page_scope)]
FormScope = Annotated[staffing.Scope, Depends(form_scope)]


async def form_of(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}


# -- flash messages ------------------------------------------------------------------------------------

def _sign(ctx: StaffContext, data: bytes) -> str:
    return hmac.new(ctx.secret.encode(), b"flash|" + data, hashlib.sha256).hexdigest()[:32]


def redirect(ctx: StaffContext, to: str, text: str | None = None, kind: str = "ok") -> RedirectResponse:
    """303 to a page, with a one-time message (signed, so no one can plant a message)."""
    response = RedirectResponse(to, status_code=303)
    if text:
        data = base64.urlsafe_b64encode(json.dumps({"kind": kind, "text": text}).encode())
        response.set_cookie(FLASH_COOKIE, f"{data.decode()}.{_sign(ctx, data)}", path=PAGE_PATH,
                            httponly=True, samesite="strict", secure=to.startswith("https"))
    return response


def take_flash(request: Request, ctx: StaffContext) -> dict[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE, "")
    data, _, sig = raw.rpartition(".")
    if not data or not hmac.compare_digest(sig, _sign(ctx, data.encode())):
        return None
    try:
        flash = json.loads(base64.urlsafe_b64decode(data))
    except ValueError:
        return None
    return {"kind": str(flash.get("kind", "ok")), "text": str(flash.get("text", ""))}


# -- a form that failed ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FailedForm:
    """A page POST refused (issue 16): the page is rendered again, not redirected, with what was typed
    (`values`) back in the form named `form` and each Chinese message (`errors`) beside its field."""

    form: str
    values: dict[str, str]
    errors: dict[str, str]
    message: str
    status: int

    def kept(self, form: str, name: str, default: Any = "") -> Any:
        return self.values.get(name, default) if form == self.form else default

    def error(self, form: str, name: str) -> str:
        return self.errors.get(name, "") if form == self.form else ""


def input_refused(exc: EnforceWatchError) -> bool:
    """The form's input was refused (422: a field, the file, a value out of range), as opposed to the
    request (no right to it, nothing there): only then is the form drawn again with the input kept."""
    return exc.status == 422


def form_failed(request: Request, exc: EnforceWatchError, form: str, values: dict[str, str], fields: tuple[str, ...],
                summary: str) -> None:
    """Keep the refused form for the page `render` draws next: each field error beside its field (one the
    form does not show goes beside the first field), and the summary above the page."""
    errors: dict[str, str] = {}
    for problem in exc.errors:
        name = str(problem.loc[-1]) if problem.loc else ""
        errors.setdefault(name if name in fields else fields[0], problem.msg)
    problems = [str(p) for p in getattr(exc, "problems", [])]
    if not errors:
        errors[fields[0]] = "；".join(problems)[:1500] or exc.message
    request.state.failed = FailedForm(form, values, errors, f"{summary}：{exc.message}"[:1500], exc.status)


# -- rendering ---------------------------------------------------------------------------------------

NAV = (("/staff/", "工作概况", False), ("/staff/points", "监测点名单", False), ("/staff/flags", "待办标记", False),
       ("/staff/reports", "报送情况", False), ("/staff/complaints", "投诉", True), ("/staff/suggestions", "意见建议", False),
       ("/staff/notices", "通知", False), ("/staff/plans", "检查计划", False), ("/staff/draws", "抽查", True),
       ("/staff/admin", "系统管理", True),
       ("/api/staff/insights/page", "评议与发现", False), ("/staff/tools/", "其他工具", False))


NOT_FAILED = FailedForm("", {}, {}, "", 200)


def render(request: Request, ctx: StaffContext, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    scope = values.get("scope")
    nav = [(href, text) for href, text, office_only in NAV if not office_only or (scope is not None and scope.is_office)]
    failed: FailedForm | None = getattr(request.state, "failed", None)
    if failed is not None:
        status = failed.status
    html = environment(ctx).get_template(f"staff/pages/{template}").render(
        csrf=getattr(request.state, "csrf", ""), flash=take_flash(request, ctx), nav=nav,
        here=request.url.path, query=request.query_params, failed=failed or NOT_FAILED, **values)
    response = HTMLResponse(html, status_code=status,
                            headers={"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "DENY"})
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path=PAGE_PATH)
    return response


def page_link(request: Request, number: int) -> str:
    """This page's URL with `page` set (the pager's links keep every filter)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"] + [("page", str(number))]
    return request.url.path + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in params)


def pager(request: Request, page: Page[Any]) -> dict[str, Any]:
    return {"page": page, "links": {n: page_link(request, n) for n in page.around()}}


def register_page_errors(app: FastAPI) -> None:
    """Under /staff/ errors are pages (the API keeps its JSON shape): no session → the sign-in page."""
    json_handler = app.exception_handlers.get(EnforceWatchError)

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{SIGN_IN}?next={quote(target)}", status_code=303)

    async def domain_error(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith(PAGE_PATH + "/") or not isinstance(exc, EnforceWatchError):
            assert json_handler is not None
            return await json_handler(request, exc)  # type: ignore[misc,no-any-return]
        ctx: StaffContext = request.app.state.staff
        messages = [e.msg for e in exc.errors] or [exc.message]
        return render(request, ctx, "error.html", status=exc.status, messages=messages,
                      scope=getattr(request.state, "page_scope", None))

    unexpected_json = app.exception_handlers.get(Exception)

    async def unexpected(request: Request, exc: Exception) -> Response:
        if not request.url.path.startswith(PAGE_PATH + "/") or unexpected_json is None:
            assert unexpected_json is not None
            return await unexpected_json(request, exc)  # type: ignore[misc,no-any-return]
        await unexpected_json(request, exc)  # type: ignore[misc]  # logs it the one way the app logs the unexpected
        return await domain_error(request, PageFailed("系统出现错误，操作未完成，请稍后重试"))

    app.add_exception_handler(SignInRequired, sign_in_first)
    app.add_exception_handler(EnforceWatchError, domain_error)
    app.add_exception_handler(Exception, unexpected)
