"""Insight routes of the staff API: agency scorecards (JSON, XLSX, and a page with charts), the
drill-down to the inspections behind them, the stored detections, and the one-step transfer of a
finding to a department (`enforcewatch.casework.transfers`). Scope comes from the staff app's one gate: a
district account sees only its own district's reports and findings.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from enforcewatch.api.staff.deps import Ctx, From, ScopeDep
from enforcewatch.api.staff.http import PAGE_CSP
from enforcewatch.clock import china_date
from enforcewatch.errors import Conflict, FieldError, InputError, NotFound
from enforcewatch.insights import charts, detection, scorecards
from enforcewatch.insights.inspections import Catalogue, Inspection, from_store, months
from enforcewatch.intake.submissions import VOCABULARY
from enforcewatch.staff import exports, labels

router = APIRouter(prefix="/api/staff/insights")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_FINDINGS = 50  # findings listed on the page at once (open ones first); the rest by kind or via JSON


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    department: str | None = Field(default=None, max_length=100, title="转交部门")
    discipline: bool = Field(default=False, title="转纪检监察机关")
    working_days: int = Field(default=10, title="办理期限（工作日）")


def _range(from_: str, to: str) -> list[str]:
    req = exports.ExportRequest.parse("report", "json", from_, to, None)  # the same month checks and messages
    span = months(req.month_from, req.month_to)
    if len(span) > 24:
        raise InputError("一次最多统计 24 个月", [FieldError(("to",), "时间范围过大")])
    return span


def _content(ctx: Any) -> Any:
    # cold start: loaded by the insight pages that need it, not at function start
    from enforcewatch.sitegen.content import load_content

    return load_content(ctx.settings.content_dir)


def _inspections(ctx: Any, districts: list[str], span: list[str], content: Any) -> list[Inspection]:
    return from_store(ctx.table, districts, span[0], span[-1], Catalogue.from_content(content))


def _row(i: Inspection) -> dict[str, Any]:
    return {**i.ref, "district": i.district, "date": i.date.isoformat(), "agency": i.agency,
            "department": i.department, "inspection_type": i.inspection_type, "items_checked": i.items_checked,
            "matter": i.matter.id if i.matter else None, "filed_or_scanned": i.filed_or_scanned,
            "credentials_shown": i.credentials_shown, "outcome": i.outcome, "misconduct": list(i.misconduct),
            "satisfaction": i.satisfaction}


@router.get("/scorecards")
def scorecard_route(scope: ScopeDep, ctx: Ctx, from_: From = "", to: str = "", district: str | None = None,
                    format: Literal["json", "xlsx"] = "json") -> Any:  # noqa: A002 - the parameter's name
    districts = scope.districts(district)
    span = _range(from_, to)
    content = _content(ctx)
    cards = scorecards.scorecards(_inspections(ctx, districts, span, content), content.departments, span)
    ctx.log(scope.username, "scorecards", {"from": span[0], "to": span[-1], "district": district, "format": format})
    if format == "xlsx":
        where = f"（{district}）" if district else ""
        body = scorecards.xlsx(cards, span, f"执法单位评议汇总{where} {span[0]} 至 {span[-1]}")
        name = f"执法单位评议汇总{where}_{span[0]}_{span[-1]}.xlsx"
        return Response(body, media_type=XLSX, headers={
            "Content-Disposition": f"attachment; filename=\"scorecards.xlsx\"; filename*=UTF-8''{quote(name)}"})
    return {"ok": True, "months": span, "scorecards": [c.as_dict() for c in cards]}


@router.get("/inspections")
def inspections_route(scope: ScopeDep, ctx: Ctx, from_: From = "", to: str = "", district: str | None = None,
                      agency: str | None = None) -> dict[str, Any]:
    """Drill-down: the inspections behind a scorecard (agency = department id or `_other`)."""
    districts = scope.districts(district)
    span = _range(from_, to)
    rows = [_row(i) for i in _inspections(ctx, districts, span, _content(ctx))
            if agency is None or (i.department or scorecards.OTHER) == agency]
    ctx.log(scope.username, "inspections", {"from": span[0], "to": span[-1], "district": district,
                                            "agency": agency, "rows": len(rows)})
    return {"ok": True, "inspections": rows}


def _buckets(scope: Any, district: str | None) -> list[str]:
    """The findings lists a user may read: the districts in scope, and the city office's own
    (打击报复 and the like, seed 000 §八) for office accounts."""
    return list(scope.districts(district)) + ([detection.OFFICE] if scope.is_office and not district else [])


@router.get("/findings")
def findings_route(scope: ScopeDep, ctx: Ctx, from_: From = "", to: str = "", district: str | None = None
                   ) -> dict[str, Any]:
    span = _range(from_, to)
    items = list(detection.stored(ctx.table, _buckets(scope, district), span[0], span[-1]))
    ctx.log(scope.username, "findings", {"from": span[0], "to": span[-1], "district": district, "rows": len(items)})
    return {"ok": True, "findings": items}


@router.post("/points/{point_id}/findings/{finding_id}/transfer")
def transfer_route(point_id: str, finding_id: str, body: TransferIn, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    """Transfer a finding to a department in one step: the clue is the finding with its evidence."""
    # cold start: loaded by the insight pages that need it, not at function start
    from enforcewatch.casework import transfers
    from enforcewatch.monitoring.duedates import load_calendar
    from enforcewatch.staff.staffing import point_in_scope

    point_in_scope(ctx.table, scope, point_id)
    kind, _, key = finding_id.rpartition("-")
    found = ctx.table.get(f"POINT#{point_id}", f"FINDING#{kind}#{key}") if kind in detection.KINDS else None
    if found is None or (found.get("office_only") and not scope.is_office):
        raise NotFound("没有找到该监测发现")
    if found.get("status") == "withdrawn":  # control.withdrawal: a plan filed in time was entered late
        raise Conflict(f"该监测发现已撤销，无需转交：{found.get('withdrawn_reason', '')}")
    department = body.department or "、".join(found.get("agencies") or [])
    transfer = transfers.create(ctx.table, scope, load_calendar(ctx.settings.content_dir, ctx.table), {
        "point_id": point_id, "clue": detection.clue(found), "source": f"监测发现 {finding_id}",
        "department": department, "discipline": body.discipline, "working_days": body.working_days,
    }, ctx.now(), ctx.rng)
    ctx.table.update(f"POINT#{point_id}", f"FINDING#{kind}#{key}",
                     {"status": "transferred", "transfer_id": transfer["transfer_id"]})
    ctx.log(scope.username, "finding_transfer", {"point_id": point_id, "finding_id": finding_id,
                                                  "transfer_id": transfer["transfer_id"]})
    return {"ok": True, "transfer": transfer}


@router.post("/complaints/{complaint_id}/findings/{finding_id}/transfer")
def complaint_transfer_route(complaint_id: str, finding_id: str, body: TransferIn, scope: ScopeDep, ctx: Ctx
                             ) -> dict[str, Any]:
    """A complaint's finding (打击报复) to the discipline bodies or a department in one step; the
    city office only, as complaints are (`transfers.create` checks it too)."""
    # cold start: loaded only when a finding is transferred
    from enforcewatch.casework import transfers
    from enforcewatch.monitoring.duedates import load_calendar

    scope.require_office()
    kind, _, key = finding_id.partition("-")
    found = ctx.table.get(f"COMPLAINT#{complaint_id}", f"FINDING#{kind}#{key}") if kind in detection.KINDS else None
    if found is None:
        raise NotFound("没有找到该监测发现")
    transfer = transfers.create(ctx.table, scope, load_calendar(ctx.settings.content_dir, ctx.table), {
        "complaint_id": complaint_id, "clue": detection.clue(found), "source": f"监测发现 {finding_id}",
        "department": body.department or "、".join(found.get("agencies") or []), "discipline": body.discipline,
        "working_days": body.working_days}, ctx.now(), ctx.rng)
    ctx.table.update(f"COMPLAINT#{complaint_id}", f"FINDING#{kind}#{key}",
                     {"status": "transferred", "transfer_id": transfer["transfer_id"]})
    ctx.log(scope.username, "finding_transfer", {"complaint_id": complaint_id, "finding_id": finding_id,
                                                  "transfer_id": transfer["transfer_id"]})
    return {"ok": True, "transfer": transfer}


def _default_months(today: dt.date, from_: str, to: str) -> tuple[str, str]:
    """The months asked for; by default January of last month's year up to last month."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    return from_ or f"{last.year}-01", to or f"{last:%Y-%m}"


def _shown(findings: list[dict[str, Any]], kind: str | None) -> list[dict[str, Any]]:
    """The findings of `kind` (all without one): open ones first, newest month first."""
    shown = [f for f in findings if kind is None or f.get("finding_kind") == kind]
    shown.sort(key=lambda f: str(f.get("month", "")), reverse=True)
    shown.sort(key=lambda f: f.get("status") in ("transferred", "withdrawn"))
    return shown


def _detail(found: list[Inspection], agency: str | None, point: str | None) -> list[dict[str, Any]]:
    """The drill-down: an agency's inspections, or a point's (none when neither is asked for)."""
    if not (agency or point):
        return []
    return [_row(i) for i in found
            if agency in (None, i.department or scorecards.OTHER) and point in (None, i.point_id)]


def _figures(cards: list[scorecards.Scorecard], visible: list[scorecards.Scorecard], span: list[str]
             ) -> dict[str, str]:
    """The page's charts (inline SVG)."""
    names = [c.name for c in visible]
    monthly = [sum(c.by_month[m]["inspections"] for c in cards) for m in span]
    return {
        "counts": charts.bars("sc-counts", "各执法单位检查次数", names, [c.inspections for c in visible], "次"),
        "scores": charts.bars("sc-scores", "各执法单位满意度得分（1-5分）", names,
                              [None if c.score is None else round(c.score, 2) for c in visible], "分", "无数据"),
        "filed": charts.bars("sc-filed", "备案或扫码入企比例", names,
                             [None if c.filed_share is None else round(c.filed_share * 100, 1) for c in visible],
                             "%", "无数据"),
        "months": charts.line("sc-months", "每月检查次数", span, monthly, unit="次"),
    }


@router.get("/page", response_class=HTMLResponse)
def page_route(scope: ScopeDep, ctx: Ctx, from_: From = "", to: str = "", district: str | None = None,
               agency: str | None = None, kind: str | None = None, point: str | None = None) -> HTMLResponse:
    """The scorecards and findings as a page (charts as inline SVG, a table beside each)."""
    # cold start: loaded by the insight pages that need it, not at function start
    from enforcewatch.sitegen.render import make_environment

    districts = scope.districts(district)
    span = _range(*_default_months(china_date(ctx.now()), from_, to))
    if kind is not None and kind not in detection.KINDS:
        raise InputError("未知的发现类型", [FieldError(("kind",), "发现类型须为 " + " / ".join(detection.KINDS))])
    content = _content(ctx)
    found = _inspections(ctx, districts, span, content)
    cards = scorecards.scorecards(found, content.departments, span)
    findings = list(detection.stored(ctx.table, _buckets(scope, district), span[0], span[-1]))
    counts = {k: sum(f.get("finding_kind") == k for f in findings) for k in detection.KINDS}
    shown = _shown(findings, kind)
    detail = _detail(found, agency, point)
    ctx.log(scope.username, "scorecards", {"from": span[0], "to": span[-1], "district": district, "format": "html",
                                           "agency": agency, "point": point})
    visible = [c for c in cards if c.inspections or c.agency != scorecards.OTHER]
    figures = _figures(cards, visible, span)
    env = make_environment(ctx.pages.parent)
    env.filters["beijing"] = labels.beijing  # a finding's history times (control.withdrawal)
    html = env.get_template("staff/insights.html").render(
        cards=visible, months=span, figures=figures, findings=shown[:PAGE_FINDINGS], total_shown=len(shown),
        counts=counts, kind=kind, kinds=detection.KINDS, detail=detail,
        agency=agency, point=point, district=district, districts=[d for d in ctx.districts if d["id"] in districts],
        scope=scope, month_from=span[0], month_to=span[-1], outcomes=VOCABULARY["outcome"],
        misconduct_kinds=VOCABULARY["misconduct"])
    return HTMLResponse(html, headers={"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "DENY"})


@router.get("/insights.js", include_in_schema=False)
def script_route(ctx: Ctx) -> Response:
    """The page's one script: sends a finding's transfer with the session's CSRF token (no data)."""
    return Response((ctx.pages / "insights.js").read_bytes(), media_type="text/javascript",
                    headers={"Content-Security-Policy": PAGE_CSP})
