"""A point's inbox (seed 000 §六): after proving who it is with its point id and access code, a point
sees its notices, the replies to its suggestions and what is due. Posted from the site's inbox page
(no JavaScript needed: the form post gets the page back) or as JSON. Failed codes count against the
client like every other access-code check (`routes.guarded`).
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from enforcewatch.api.errors import mark_form
from enforcewatch.api.public import forms
from enforcewatch.api.public.casework import _fields, _wants_page
from enforcewatch.api.public.routes import guarded
from enforcewatch.intake import reports

router = APIRouter(prefix="/api/points")
PAGE = "inbox"


@router.post("/inbox")
async def inbox(request: Request) -> Response:
    # cold start: the submit function must not load enforcewatch.monitoring or argon2 (the inbox's
    # access-code check; tests/functions/test_cold_start.py): only a point's inbox request does
    from enforcewatch.channel import inbox as point_inbox
    from enforcewatch.monitoring.duedates import load_calendar

    values, _ = await _fields(request)
    if _wants_page(request):
        mark_form(request, PAGE, {"point_id": values.get("point_id", "")})
    state = request.app.state
    point = guarded(request, "access", lambda: reports.authenticate(
        state.table, values.get("point_id", ""), values.get("access_code", "")))
    today = (state.clock() + timedelta(hours=8)).date()  # China Standard Time
    box = point_inbox.for_point(state.table, point, load_calendar(state.settings.content_dir), today)
    if _wants_page(request):
        pages = state.form_pages
        if pages is None:
            lines = [f"{n['sender']}：{n['title']}" for n in box["notices"]] or ["暂无通知。"]
            return forms.plain_page("监测点消息", lines)
        page: Response = pages.render(PAGE, inbox=box, form={"point_id": point["point_id"]})
        return page
    return JSONResponse({"ok": True, **box}, headers={"Cache-Control": "no-store"})
