"""The channel pages (seed 000 §六; docs/channel.md): 通知 — send a notice to one point, a district or
all points (a district account to its own district and points only) and list what was sent; 意见建议 —
the suggestions in the points' reports with their status, and the reply form whose answer the point
reads in its inbox on the site. Each route calls the same `enforcewatch.channel` functions as the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from enforcewatch.api.staff.deps import Ctx
from enforcewatch.api.staff.page_kit import FormScope, PageScope, form_of, pager, redirect, render
from enforcewatch.channel import notices, suggestions
from enforcewatch.errors import EnforceWatchError, FieldError
from enforcewatch.staff import exports, labels, paging
from enforcewatch.staff.staffing import Scope

router = APIRouter(include_in_schema=False)
NOTICES = "/staff/notices"
SUGGESTIONS = "/staff/suggestions"
NOTICE_FIELDS = ("audience", "kind", "title", "body", "district", "point_id")
SUGGESTION_MONTHS = 6  # the inbox shows the last half year unless asked otherwise


def messages(exc: EnforceWatchError) -> dict[str, list[str]]:
    """Each problem under the field it names ("" for the request as a whole)."""
    out: dict[str, list[str]] = {}
    for error in exc.errors or [FieldError((), exc.message)]:
        out.setdefault(str(error.loc[0]) if error.loc else "", []).append(error.msg)
    return out


def _districts(ctx: Ctx, scope: Scope) -> list[dict[str, str]]:
    return [d for d in ctx.districts if d["id"] in scope.districts()]


def _notices_page(request: Request, ctx: Ctx, scope: Scope, values: dict[str, str], errors: dict[str, list[str]],
                  page: str = "", status: int = 200) -> Response:
    rows = notices.sent(ctx.table, scope)
    audiences = {k: v for k, v in notices.AUDIENCES.items() if k != "all" or scope.is_office}
    return render(request, ctx, "notices.html", status=status, scope=scope, v=values, errors=errors,
                  p=pager(request, paging.paginate(rows, paging.page_number(page))), audiences=audiences,
                  kinds=notices.KINDS, districts=_districts(ctx, scope))


@router.get(NOTICES, response_class=HTMLResponse)
def notices_page(request: Request, scope: PageScope, ctx: Ctx, page: str = "") -> Response:
    values = {name: "" for name in NOTICE_FIELDS} | {"audience": "district", "kind": notices.KINDS[0],
                                                       "district": scope.district or ""}
    response = _notices_page(request, ctx, scope, values, {}, page)
    ctx.log(scope.username, "notices", {"via": "page"})
    return response


@router.post(NOTICES, response_class=HTMLResponse)
async def send_notice(request: Request, scope: FormScope, ctx: Ctx) -> Response:
    form = await form_of(request)
    values = {name: form.get(name, "") for name in NOTICE_FIELDS}
    data: dict[str, Any] = {k: v for k, v in values.items() if v}
    names = {d["id"]: d["name"] for d in ctx.districts}
    try:
        sent = notices.send(ctx.table, scope, data, ctx.now(), ctx.rng, names)
    except EnforceWatchError as exc:
        return _notices_page(request, ctx, scope, values, messages(exc), status=exc.status)
    ctx.log(scope.username, "notice_send", {"notice_id": sent["notice_id"], "audience": sent["audience"],
                                            "district": sent.get("district"), "point_id": sent.get("point_id"),
                                            "via": "page"})
    return redirect(ctx, NOTICES, f"已发送通知：{sent['title']}（{notices.AUDIENCES[sent['audience']]}）。")


def _months(request: Request, today: dt.date) -> tuple[str, str]:
    back = today.replace(day=1)
    for _ in range(SUGGESTION_MONTHS - 1):
        back = (back - dt.timedelta(days=1)).replace(day=1)
    return request.query_params.get("from") or f"{back:%Y-%m}", request.query_params.get("to") or f"{today:%Y-%m}"


@router.get(SUGGESTIONS, response_class=HTMLResponse)
def suggestions_page(request: Request, scope: PageScope, ctx: Ctx, district: str = "", status: str = "",
                     page: str = "") -> Response:
    month_from, month_to = _months(request, labels.china_today(ctx.now()))
    req = exports.ExportRequest.parse("report", "json", month_from, month_to, None)  # the same month checks
    rows = suggestions.listing(ctx.table, scope.districts(district or None), req.month_from, req.month_to)
    if status in suggestions.STATUSES:
        rows = [r for r in rows if r["status"] == suggestions.STATUSES[status]]
    ctx.log(scope.username, "suggestions", {"from": req.month_from, "to": req.month_to, "district": district or None,
                                            "rows": len(rows), "via": "page"})
    return render(request, ctx, "suggestions.html", scope=scope, p=pager(request, paging.paginate(rows, paging.page_number(page))),
                  flt={"from": req.month_from, "to": req.month_to, "district": district, "status": status},
                  districts=_districts(ctx, scope), statuses=suggestions.STATUSES)


def _suggestion_page(request: Request, ctx: Ctx, scope: Scope, point_id: str, month: str, seq: int,
                     values: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None,
                     status: int = 200) -> Response:
    item = suggestions.one(ctx.table, scope, point_id, month, seq)
    values = values or {"status": str(item["status"]), "reply": str(item.get("reply") or "")}
    return render(request, ctx, "suggestion.html", status=status, scope=scope, s=item, v=values,
                  errors=errors or {}, statuses=suggestions.STATUSES)


@router.get(SUGGESTIONS + "/{point_id}/{month}/{seq}", response_class=HTMLResponse)
def suggestion_page(point_id: str, month: str, seq: int, request: Request, scope: PageScope, ctx: Ctx) -> Response:
    return _suggestion_page(request, ctx, scope, point_id, month, seq)


@router.post(SUGGESTIONS + "/{point_id}/{month}/{seq}/reply", response_class=HTMLResponse)
async def reply(point_id: str, month: str, seq: int, request: Request, scope: FormScope, ctx: Ctx) -> Response:
    form = await form_of(request)
    values = {"status": form.get("status", ""), "reply": form.get("reply", "")}
    try:
        suggestions.reply(ctx.table, scope, point_id, month, seq,
                          {"status": values["status"], "reply": values["reply"] or None}, ctx.now())
    except EnforceWatchError as exc:
        if exc.status == 404:
            raise  # not this account's point, or no such suggestion: the error page says so
        return _suggestion_page(request, ctx, scope, point_id, month, seq, values, messages(exc), exc.status)
    ctx.log(scope.username, "suggestion_reply", {"point_id": point_id, "month": month, "seq": seq,
                                                 "status": values["status"], "via": "page"})
    return redirect(ctx, f"{SUGGESTIONS}/{point_id}/{month}/{seq}", "答复已保存，监测点登录“监测点消息”即可看到。")
