"""Public routes: parse the request, call one domain function, answer as JSON or as a page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from enforcewatch import codes
from enforcewatch.api import jsonbody
from enforcewatch.api.errors import mark_form
from enforcewatch.api.public import forms
from enforcewatch.casework import verification
from enforcewatch.errors import EnforceWatchError, FieldError, InputError, NotFound, Unauthorized
from enforcewatch.intake import complaints, guesses, idempotency, reports
from enforcewatch.intake.idempotency import FIELD as IDEM_FIELD

HONEYPOT = "website"  # hidden from people; bots fill it. Answered 422 with nothing stored (docs/submissions.md)
router = APIRouter(prefix="/api")
T = TypeVar("T")


def guarded(request: Request, scope: str, call: Callable[[], T]) -> T:
    """Run a code check, refusing a client that has used up its failed guesses (enforcewatch.intake.guesses)."""
    state = request.app.state
    now, client = state.clock(), request.client.host if request.client else "unknown"
    guesses.refuse_if_exhausted(state.table, scope, client, now)
    try:
        return call()
    except (NotFound, Unauthorized):
        guesses.record_failure(state.table, scope, client, now)
        raise


class UnsupportedMediaType(EnforceWatchError):
    status = 415


class Body:
    """A submission as posted: JSON (`data`) or a urlencoded form (`pairs`, answered with a page)."""

    def __init__(self, data: dict[str, Any] | None, pairs: list[tuple[str, str]] | None, idem: str | None) -> None:
        self.data, self.pairs, self.idempotency_key = data, pairs, idem

    @property
    def is_form(self) -> bool:
        return self.pairs is not None


async def read_body(request: Request) -> Body:
    """Called by the routes themselves, not as a FastAPI dependency: resolving one cost every
    submission a dependency-graph walk (bench/bench_submit.py) for what is one await."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()  # the size limit is enforced while reading (api.BodyLimit)
    header_key = request.headers.get("idempotency-key")
    try:
        if kind == "application/x-www-form-urlencoded":
            pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=2000)
            trap, key = _field(pairs, HONEYPOT), header_key or _field(pairs, IDEM_FIELD)
            body = Body(None, [(k, v) for k, v in pairs if k not in (HONEYPOT, IDEM_FIELD)], key or None)
        elif kind == "application/json":
            data = jsonbody.loads(raw)
            if not isinstance(data, dict):
                raise InputError("提交内容应为 JSON 对象", [FieldError((), "提交内容应为 JSON 对象")])
            trap, key = str(data.pop(HONEYPOT, "") or ""), header_key or data.pop(IDEM_FIELD, None)
            if key is not None and not isinstance(key, str):  # a number, list, object or boolean
                raise idempotency.malformed_key()
            body = Body(data, None, key)
        else:
            raise UnsupportedMediaType("不支持该内容类型", [FieldError((), "不支持该内容类型，请以表单或 JSON 提交")])
    except (UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, EnforceWatchError):
            raise
        raise InputError("提交内容无法解析", [FieldError((), "提交内容无法解析，请检查编码（UTF-8）与格式")]) from None
    if trap.strip():
        raise InputError("提交未通过校验", [FieldError((), "提交未通过校验，请刷新页面后重新填写")])
    return body


def _field(pairs: list[tuple[str, str]], name: str) -> str:
    return next((v for k, v in pairs if k == name), "")


def _pages(request: Request) -> forms.FormPages | None:
    pages: forms.FormPages | None = request.app.state.form_pages
    return pages


def _answer(request: Request, body: Body, page: str, answer: dict[str, Any], form: dict[str, Any]) -> Response:
    if body.is_form:
        pages = _pages(request)
        if pages is None:
            lines = [f"回执码：{answer['receipt']}（请妥善保存）"] if "receipt" in answer else ["报送成功。"]
            return forms.plain_page("提交成功", lines, 200)
        return pages.render(page, result={**answer, "received_local": forms.china_time(answer["received_at"])},
                            form=form)
    return JSONResponse(answer, status_code=201)


def _china_day(now: datetime) -> date:
    return (now + timedelta(hours=8)).date()  # China Standard Time, no daylight saving


GRAVE = ("打击报复", "干扰正常生产经营")  # insights.conduct.GRAVE, here so an ordinary filing imports nothing


def _ticks_grave(data: Any) -> bool:
    rows = data.get("inspections") if isinstance(data, dict) else None
    return any(m in GRAVE for i in rows or [] if isinstance(i, dict) for m in i.get("misconduct") or [])


def _raise_grave_report(table: Any, data: Any, answer: dict[str, Any], now: datetime) -> None:
    """打击报复 / 干扰正常生产经营 ticked in the report just filed: a finding for the city office now
    (seed 000 §八; issue 18), rather than at the next daily run. The stored report is read back only
    when the submission ticks one of them."""
    if not _ticks_grave(data):
        return
    # cold start: the submit function must not load enforcewatch.insights (tests/functions/
    # test_cold_start.py): only this report route runs detection
    from enforcewatch.insights import detection

    report = table.get(f"POINT#{answer['point_id']}", f"REPORT#{answer['month']}#{int(answer['seq']):04d}")
    if report is not None:
        detection.raise_at_once(table, report, _china_day(now))


def _raise_grave_complaint(table: Any, data: Any, answer: dict[str, Any], now: datetime) -> None:
    """A complaint of 打击报复: the same, beside the complaint (the city office's alone)."""
    if not isinstance(data, dict) or data.get("category") != "打击报复":
        return
    # cold start: the submit function must not load enforcewatch.insights (tests/functions/
    # test_cold_start.py): only this report route scores conduct
    from enforcewatch.insights import conduct, detection

    complaint = table.get(f"COMPLAINT#{complaints.complaint_id_for(codes.hash_code(answer['receipt']))}", "COMPLAINT")
    if complaint is not None and (found := conduct.complaint_item(complaint, _china_day(now))) is not None:
        detection.store(table, [found], _china_day(now))


@router.post("/reports")
async def post_report(request: Request) -> Response:
    body, state = await read_body(request), request.app.state
    if body.is_form:
        assert body.pairs is not None
        form = forms.report_form(body.pairs)
        mark_form(request, "report", form)
        data, problems = forms.report_data(form, forms.single(body.pairs).get("access_code", ""))
        try:
            reports.validate(data, state.clock())
        except InputError as exc:
            problems = exc.errors + problems
        if problems:
            raise InputError("请按提示修改后重新提交", problems)
    else:
        assert body.data is not None  # a JSON body
        form, data = {}, body.data
    answer = guarded(request, "access", lambda: reports.file_report(
        state.table, data, state.clock(), body.idempotency_key, state.idempotency_ttl))
    _raise_grave_report(state.table, data, answer, state.clock())
    answer = {**answer, "requests": verification.open_requests(state.table, answer["point_id"])}  # 核查材料要求
    return _answer(request, body, "report", answer, form)


@router.post("/complaints")
async def post_complaint(request: Request) -> Response:
    body, state = await read_body(request), request.app.state
    if body.is_form:
        assert body.pairs is not None
        form = forms.complaint_form(body.pairs)
        mark_form(request, "complaint", form)
        data: Any = forms.complaint_data(form)
    else:
        assert body.data is not None  # a JSON body
        form, data = {}, body.data
    answer = complaints.file_complaint(state.table, data, state.clock(), state.rng, body.idempotency_key,
                                         state.idempotency_ttl, secret=state.receipt_secret)
    _raise_grave_complaint(state.table, data, answer, state.clock())
    return _answer(request, body, "complaint", answer, form)


@router.get("/receipts/{code}")
async def get_receipt(request: Request, code: str) -> dict[str, Any]:
    view = guarded(request, "receipt", lambda: complaints.look_up(request.app.state.table, code))
    return {"ok": True, **view.model_dump()}


@router.post("/receipts")
async def post_receipt(request: Request) -> Response:
    """The look-up form: the code travels in the body, never in a URL that logs would keep."""
    body = await read_body(request)
    if body.is_form:
        assert body.pairs is not None
        form = {"code": _field(body.pairs, "code").strip()}
        mark_form(request, "receipt", form)
    else:
        form = {"code": str((body.data or {}).get("code", ""))}
    view = guarded(request, "receipt", lambda: complaints.look_up(request.app.state.table, form["code"]))
    pages = _pages(request)
    if body.is_form and pages is not None:
        return pages.render("receipt", result=view.model_dump(), form={})
    if body.is_form:
        return forms.plain_page("办理情况", [f"状态：{view.status}", f"答复：{view.reply or '暂无'}"])
    return JSONResponse({"ok": True, **view.model_dump()})


@router.get("/health")
async def health() -> dict[str, Any]:
    return {"ok": True}
