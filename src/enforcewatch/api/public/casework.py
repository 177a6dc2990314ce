"""The point's side of a verification (seed 000 §七: 如实提供相关资料): after proving who it is with
its point id and access code, a point sees the office's open requests for materials and answers one
with text and attachments. Posted from the site's materials page (no JavaScript needed: a form post
gets the page back) or as JSON/multipart by a script.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from enforcewatch.api import jsonbody
from enforcewatch.api.errors import mark_form
from enforcewatch.api.public import forms
from enforcewatch.api.public.routes import guarded
from enforcewatch.casework import attachments, verification
from enforcewatch.errors import FieldError, InputError
from enforcewatch.intake import reports
from enforcewatch.store.blobs import Blobs, blobs_for

router = APIRouter(prefix="/api/verifications")
ANSWER_PATH = "/api/verifications/answer"
ANSWER_LIMIT = attachments.MAX_FILES * attachments.MAX_BYTES + 64 * 1024  # files + the text fields
PAGE = "materials"


def _blobs(request: Request) -> Blobs:
    state = request.app.state
    if getattr(state, "casework_blobs", None) is None:
        state.casework_blobs = blobs_for(state.settings)
    return state.casework_blobs  # type: ignore[no-any-return]


def _is_form(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() in (
        "application/x-www-form-urlencoded", "multipart/form-data")


def _wants_page(request: Request) -> bool:
    """A browser's form post gets a page; a script that accepts JSON gets JSON."""
    return _is_form(request) and "application/json" not in request.headers.get("accept", "")


async def _fields(request: Request) -> tuple[dict[str, str], list[attachments.Upload]]:
    if _is_form(request):
        form = await request.form(max_files=attachments.MAX_FILES + 1, max_fields=20)
        values = {k: v for k, v in form.items() if isinstance(v, str)}
        uploads = [attachments.Upload(f.filename or "", await f.read()) for f in form.getlist("files")
                   if not isinstance(f, str) and (f.filename or f.size)]
        return values, uploads
    try:
        data = jsonbody.loads(await request.body())
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InputError("提交内容应为 JSON 对象", [FieldError((), "提交内容应为 JSON 对象")])
    return {k: str(v) for k, v in data.items() if isinstance(v, str)}, []


def _page(request: Request, status: int = 200, **extra: Any) -> Response:
    pages: forms.FormPages | None = request.app.state.form_pages
    if pages is None or PAGE not in forms.PAGES:
        lines = [f"{r['month']} 月报核查：{r['text']}（编号 {r['verify_id']}/{r['request_id']}）"
                 for r in extra.get("requests", [])] or [extra.get("message", "已收到。")]
        return forms.plain_page("核查材料", lines, status)
    return pages.render(PAGE, status=status, **extra)


@router.post("/requests")
async def open_requests(request: Request) -> Response:
    values, _ = await _fields(request)
    if _wants_page(request):
        mark_form(request, PAGE, {"point_id": values.get("point_id", "")})
    point = guarded(request, "access", lambda: reports.authenticate(
        request.app.state.table, values.get("point_id", ""), values.get("access_code", "")))
    found = verification.open_requests(request.app.state.table, point["point_id"])
    if _wants_page(request):
        return _page(request, requests=found, form={"point_id": point["point_id"]})
    return JSONResponse({"ok": True, "point_id": point["point_id"], "requests": found})


@router.post("/answer")
async def answer(request: Request) -> Response:
    values, uploads = await _fields(request)
    if _wants_page(request):
        mark_form(request, PAGE, {k: values.get(k, "") for k in ("point_id", "verify_id", "request_id", "text")})
    state = request.app.state
    point = guarded(request, "access", lambda: reports.authenticate(
        state.table, values.get("point_id", ""), values.get("access_code", "")))
    out = verification.answer(state.table, _blobs(request), point["point_id"], values.get("verify_id", ""),
                              values.get("request_id", ""), values.get("text"), uploads, state.clock(), state.rng)
    if _wants_page(request):
        return _page(request, answered=out, form={"point_id": point["point_id"]})
    return JSONResponse(out, status_code=201)
