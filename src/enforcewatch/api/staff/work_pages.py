"""The work pages: the flag queue (open flags by default, grouped by point, filtered and paged, each
with its one step), the reports table and one report, and the complaints inbox with the reply form."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

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
from enforcewatch.errors import EnforceWatchError
from enforcewatch.monitoring.duedates import load_calendar
from enforcewatch.monitoring.flagqueue import KIND_LABELS
from enforcewatch.staff import dashboard, paging, queue, readings, staffing
from enforcewatch.staff.readings import COMPLAINT_VIEWS, ReportFilter

router = APIRouter(include_in_schema=False)
POINTS_PER_PAGE = 20


@router.get("/staff/flags", response_class=HTMLResponse)
def flags_page(request: Request, scope: PageScope, ctx: Ctx, district: str = "", kind: str = "", month: str = "",
               state: str = "open", cursor: str = "") -> Response:
    page = staffing.flag_queue(ctx.table, scope, district or None, state=state or "open", kind=kind or None,
                               month=month or None, cursor=cursor or None, limit=POINTS_PER_PAGE)
    names = {g.point_id: g.enterprise_name or "" for g in page.points}  # read with the page (flag_page)
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    more = page_link_with(request.url.path, [*params, ("cursor", page.next_cursor)]) if page.next_cursor else None
    return render(request, ctx, "flags.html", scope=scope, groups=page.points, names=names, next_link=more,
                  first_link=page_link_with(request.url.path, params) if cursor else None,
                  flt={"district": district, "kind": kind, "month": month, "state": state or "open"},
                  districts=[d for d in ctx.districts if d["id"] in scope.districts()], kinds=KIND_LABELS,
                  states=queue.STATES, steps=queue.STEPS)


def page_link_with(path: str, params: list[tuple[str, str]]) -> str:
    return path + ("?" + urlencode(params) if params else "")


@router.post("/staff/flags/step")
async def flag_step(request: Request, scope: FormScope, ctx: Ctx) -> Response:
    """One step on one flag: its point's event, status or revocation decision (each closes the flag)."""
    form = await form_of(request)
    back = form.get("back", "") if form.get("back", "").startswith("/staff/flags") else "/staff/flags"
    point_id, step = form.get("point_id", ""), form.get("step", "")
    if step not in queue.STEPS:
        return redirect(ctx, back, "未能处理：操作不在可选范围内", "error")
    now = ctx.now()
    try:
        if step in ("reminder", "plaque_returned"):
            day = china_date(now).isoformat()
            item = staffing.record_point_event(ctx.table, scope, point_id, step, day, None, form.get("note") or None, now)
            ctx.log(scope.username, "point_event", {"point_id": point_id, "kind": step, "date": day,
                                                     "event_id": item["event_id"], "via": "queue"})
        elif step in ("revoke", "keep"):
            staffing.decide_revocation(ctx.table, scope, point_id, form.get("flag_key", ""), step,
                                       form.get("note") or None, now)
            ctx.log(scope.username, "revocation_decision", {"point_id": point_id, "flag_key": form.get("flag_key"),
                                                             "decision": step, "via": "queue"})
        else:
            staffing.set_point_status(ctx.table, scope, point_id, step, now)
            ctx.log(scope.username, "point_status", {"point_id": point_id, "status": step, "via": "queue"})
    except EnforceWatchError as exc:
        if step != "keep" or not input_refused(exc):
            return redirect(ctx, back, f"未能处理 {point_id}：{exc.message}", "error")
        form_failed(request, exc, f"keep-{point_id}-{form.get('flag_key', '')}", {"note": form.get("note", "")},
                    ("note",), f"未能保留 {point_id} 的资格")
        shown = dict(parse_qsl(urlsplit(back).query))  # the queue as it was, its filters kept
        return flags_page(request, scope, ctx, **{k: shown.get(k, "") for k in ("district", "kind", "month", "cursor")},
                          state=shown.get("state", "open"))
    return redirect(ctx, back, f"已处理 {point_id}：{queue.STEPS[step]}，相应标记已关闭。")


@router.get("/staff/reports", response_class=HTMLResponse)
def reports_page(request: Request, scope: PageScope, ctx: Ctx, district: str = "", agency: str = "",
                 misconduct: str = "", dissatisfied: str = "", page: str = "") -> Response:
    last = dashboard.reporting_month(china_date(ctx.now()))
    month_from = request.query_params.get("from") or last
    month_to = request.query_params.get("to") or last
    flt = ReportFilter(month_from, month_to, district, agency[:100], misconduct == "1", dissatisfied == "1")
    rows = readings.reports(ctx.table, scope, flt)
    shown = paging.paginate(rows, paging.page_number(page))
    return render(request, ctx, "reports.html", scope=scope, flt=flt, p=pager(request, shown),
                  districts=[d for d in ctx.districts if d["id"] in scope.districts()])


@router.get("/staff/complaints", response_class=HTMLResponse)
def complaints_page(request: Request, scope: PageScope, ctx: Ctx, view: str = "", page: str = "") -> Response:
    rows = readings.complaints(ctx.table, scope, load_calendar(ctx.settings.content_dir, ctx.table), ctx.now(),
                               ctx.reply_limit, view)
    ctx.log(scope.username, "list_complaints", {"view": view or "all", "rows": len(rows), "via": "page"})
    shown = paging.paginate(rows, paging.page_number(page))
    return render(request, ctx, "complaints.html", scope=scope, view=view, views=COMPLAINT_VIEWS,
                  p=pager(request, shown))


@router.get("/staff/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_page(complaint_id: str, request: Request, scope: PageScope, ctx: Ctx) -> Response:
    item = readings.complaint(ctx.table, scope, complaint_id)
    return render(request, ctx, "complaint.html", scope=scope, c=item, statuses=staffing.COMPLAINT_STATUSES)


@router.post("/staff/complaints/{complaint_id}/reply")
async def complaint_reply(complaint_id: str, request: Request, scope: FormScope, ctx: Ctx) -> Response:
    form = await form_of(request)
    back = f"/staff/complaints/{complaint_id}"
    try:
        staffing.reply_to_complaint(ctx.table, scope, complaint_id, form.get("status", ""), form.get("reply"),
                                    ctx.now())
    except EnforceWatchError as exc:
        if not input_refused(exc):
            return redirect(ctx, back, f"未能保存：{exc.message}", "error")
        kept = {"status": form.get("status", ""), "reply": form.get("reply", "")}
        form_failed(request, exc, "reply", kept, ("reply", "status"), "未能保存答复")
        return complaint_page(complaint_id, request, scope, ctx)
    ctx.log(scope.username, "complaint_reply", {"complaint_id": complaint_id, "status": form.get("status"),
                                                 "replied": bool(form.get("reply")), "via": "page"})
    return redirect(ctx, back, "答复已保存，投诉人可凭回执码查看。")
