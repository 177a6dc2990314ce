"""The registry pages: the points list (search, filters, server paging), one point's page, a report
read on the page, and the point's actions as plain forms (status, events with reasons chosen from a
Chinese list, reissuing the access code, shown once and audited)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from enforcewatch.api.staff.deps import Ctx
from enforcewatch.api.staff.page_kit import (
    FormScope,
    PageScope,
    form_failed,
    form_of,
    input_refused,
    pager,
    redirect,
    render,
)
from enforcewatch.clock import china_date
from enforcewatch.errors import CalendarUnknown, EnforceWatchError, FieldError, InputError
from enforcewatch.monitoring.deadlines import EVENT_LABELS, STATUS_LABELS
from enforcewatch.monitoring.duedates import load_calendar
from enforcewatch.monitoring.events import REASONS
from enforcewatch.staff import paging, pointviews, staffing
from enforcewatch.staff.pointviews import REPORTED, RegistryFilter

router = APIRouter(include_in_schema=False)


@router.get("/staff/points", response_class=HTMLResponse)
def points_page(request: Request, scope: PageScope, ctx: Ctx, q: str = "", district: str = "", status: str = "",
                industry: str = "", flagged: str = "", month: str = "", reported: str = "", page: str = "") -> Response:
    flt = RegistryFilter(q[:100], district, status, industry, flagged == "1", month, reported)
    today = china_date(ctx.now())
    due = None
    if month:
        try:
            due = load_calendar(ctx.settings.content_dir, ctx.table).due_date_of(month)
        except (ValueError, CalendarUnknown) as exc:
            raise InputError("月份无法识别", [FieldError(("month",), f"月份“{month}”无法识别或尚无节假日安排")]) from exc
    rows, industries = pointviews.registry(ctx.table, scope, flt, due, today)
    shown = paging.paginate(rows, paging.page_number(page))
    pointviews.fill_last_months(ctx.table, shown.items)
    return render(request, ctx, "registry.html", scope=scope, flt=flt, p=pager(request, shown), industries=industries,
                  districts=[d for d in ctx.districts if d["id"] in scope.districts()], statuses=STATUS_LABELS,
                  reported_labels=REPORTED, due=due, today=today)


def _point_values(ctx: Ctx, scope: staffing.Scope, point_id: str) -> dict[str, Any]:
    return {"scope": scope, "view": pointviews.point_page(ctx.table, scope, point_id), "statuses": STATUS_LABELS,
            "event_kinds": EVENT_LABELS, "reasons": REASONS, "today": china_date(ctx.now())}


@router.get("/staff/points/{point_id}", response_class=HTMLResponse)
def point_page(point_id: str, request: Request, scope: PageScope, ctx: Ctx) -> Response:
    return render(request, ctx, "point.html", **_point_values(ctx, scope, point_id))


@router.get("/staff/points/{point_id}/reports/{month}/{seq}", response_class=HTMLResponse)
def report_page(point_id: str, month: str, seq: str, request: Request, scope: PageScope, ctx: Ctx) -> Response:
    number = int(seq) if seq.isdigit() else -1
    found = pointviews.report_of(ctx.table, scope, point_id, month, number)
    return render(request, ctx, "report.html", scope=scope, **found)


@router.post("/staff/points/{point_id}/status")
async def point_status(point_id: str, request: Request, scope: FormScope, ctx: Ctx) -> Response:
    form = await form_of(request)
    back = f"/staff/points/{point_id}"
    status = form.get("status", "")
    try:
        staffing.set_point_status(ctx.table, scope, point_id, status, ctx.now())
    except EnforceWatchError as exc:
        if not input_refused(exc):
            return redirect(ctx, back, f"未能更改状态：{exc.message}", "error")
        form_failed(request, exc, "status", {"status": status}, ("status",), "未能更改状态")
        return point_page(point_id, request, scope, ctx)
    ctx.log(scope.username, "point_status", {"point_id": point_id, "status": status, "via": "page"})
    return redirect(ctx, back, f"状态已改为“{STATUS_LABELS.get(status, status)}”")


@router.post("/staff/points/{point_id}/events")
async def point_event(point_id: str, request: Request, scope: FormScope, ctx: Ctx) -> Response:
    form = await form_of(request)
    back = form.get("back", "") if form.get("back", "").startswith("/staff/") else f"/staff/points/{point_id}"
    kind = form.get("kind", "")
    day = form.get("date") or china_date(ctx.now()).isoformat()
    try:
        item = staffing.record_point_event(ctx.table, scope, point_id, kind, day, form.get("reason") or None,
                                           form.get("note") or None, ctx.now())
    except EnforceWatchError as exc:
        if back != f"/staff/points/{point_id}" or not input_refused(exc):  # a form on another page: that page shows the message
            return redirect(ctx, back, f"未能记录：{exc.message}", "error")
        kept = {k: form.get(k, "") for k in ("kind", "reason", "date", "note")}
        form_failed(request, exc, "event", kept, ("kind", "reason", "date", "note"), "未能记录事件")
        return point_page(point_id, request, scope, ctx)
    ctx.log(scope.username, "point_event", {"point_id": point_id, "kind": kind, "date": day,
                                             "event_id": item["event_id"], "via": "page"})
    return redirect(ctx, back, f"已记录：{point_id} {EVENT_LABELS.get(kind, kind)}（{day}）")


@router.post("/staff/points/{point_id}/code", response_class=HTMLResponse)
async def reissue_code(point_id: str, request: Request, scope: FormScope, ctx: Ctx) -> Response:
    code = staffing.reissue_access_code(ctx.table, scope, point_id, ctx.now(), ctx.rng)
    ctx.log(scope.username, "access_code_reissue", {"point_id": point_id, "via": "page"})
    return render(request, ctx, "code_once.html", scope=scope, point_id=point_id, code=code,
                  at=ctx.now())
