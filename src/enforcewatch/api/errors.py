"""One error shape for every endpoint, and the re-rendered form for posts made without JavaScript.

JSON clients get `{"ok": false, "status": 4xx, "errors": [{"loc": [...], "msg": "..."}]}`. A plain
form post (no JavaScript) gets its form back, with the messages and everything the user typed:
the route marks such a request with `mark_form(request, page, values)` before calling the domain.
No traceback or stored data ever reaches a response or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from enforcewatch.errors import EnforceWatchError, FieldError

log = logging.getLogger("enforcewatch.api")

# Renders a form page again: (request, page, values, errors, status) -> response.
FormRenderer = Callable[[Request, str, dict[str, Any], list[FieldError], int], Response]

_HTTP_MESSAGES = {
    404: "未找到该地址",
    405: "不支持该请求方法",
    413: "提交内容过大（上限 64 KB）",
    415: "不支持该内容类型，请以表单或 JSON 提交",
}


def error_body(status: int, errors: Sequence[FieldError]) -> dict[str, Any]:
    return {"ok": False, "status": status, "errors": [{"loc": list(e.loc), "msg": e.msg} for e in errors]}


def error_response(status: int, errors: Sequence[FieldError], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(status, errors), status_code=status, headers=headers)


def mark_form(request: Request, page: str, values: dict[str, Any]) -> None:
    """This request came from a no-JS form: answer errors by rendering `page` again with `values`."""
    request.state.form_page = (page, values)


def _respond(request: Request, status: int, errors: list[FieldError]) -> Response:
    form = getattr(request.state, "form_page", None)
    renderer: FormRenderer | None = getattr(request.app.state, "form_renderer", None)
    if form is not None and renderer is not None:
        page, values = form
        return renderer(request, page, values, errors, status)
    return error_response(status, errors)


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EnforceWatchError)
    errors = exc.errors or [FieldError((), exc.message)]
    if exc.status >= 500:
        log.warning("%s on %s %s", type(exc).__name__, request.method, request.url.path)
    return _respond(request, exc.status, errors)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [FieldError(tuple(e["loc"]), "请求参数格式不正确") for e in exc.errors()]
    return error_response(422, errors)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    msg = _HTTP_MESSAGES.get(exc.status_code, "请求无法处理")
    return error_response(exc.status_code, [FieldError((), msg)], headers=getattr(exc, "headers", None))


async def _unexpected(request: Request, exc: Exception) -> Response:
    # The type only: a message or traceback could carry what the user submitted.
    log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
    request.state.error_logged = True
    return _respond(request, 500, [FieldError((), "系统错误，提交未保存，请稍后重试；您填写的内容仍在本页")])


class QuietErrors:
    """Outermost wrapper: Starlette re-raises an exception after `_unexpected` has answered it, and the
    server (uvicorn's error log, Mangum's logger) would print its traceback, whose message may quote
    what was submitted (seed 000 §八). Here it ends: logged by type and route only, never re-raised."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def watching_send(message: Any) -> None:
            nonlocal started
            started = started or message.get("type") == "http.response.start"
            await send(message)

        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self.app(scope, receive, watching_send)
        except Exception as exc:
            if not started:  # nothing answered yet: answer 500 in the one shape
                await error_response(500, [FieldError((), "系统错误，请稍后重试")])(scope, receive, send)
            if not (scope.get("state") or {}).get("error_logged"):
                log.error("unexpected %s on %s %s", type(exc).__name__, scope.get("method"), scope.get("path"))


def register_error_handlers(app: FastAPI) -> None:
    """The handlers every EnforceWatch app uses (the public API and the staff API)."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: QuietErrors(build())  # type: ignore[method-assign]
    app.add_exception_handler(EnforceWatchError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
