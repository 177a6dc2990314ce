"""HTTP details of the staff app: where the token comes from, response headers, and error handlers
(the project's one error shape; the shared handlers are used when the public API provides them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from enforcewatch.errors import EnforceWatchError, Unauthorized

SESSION_COOKIE = "ew_staff"
CSRF_COOKIE = "ew_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_PATHS = ("/staff", "/api/staff")  # the staff page and the insights page, not the public site
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def the_token(request: Request) -> tuple[str, bool]:
    """(token, came from the cookie). A Bearer header wins over the cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip(), False
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie, True
    raise Unauthorized("请先登录")


async def staff_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.url.path.startswith("/staff/"):
        response.headers["Content-Security-Policy"] = PAGE_CSP
        response.headers["X-Frame-Options"] = "DENY"
    return response


def _shape(status: int, errors: list[dict[str, object]]) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"ok": False, "status": status, "errors": errors}, status_code=status, headers=headers)


def register_errors(app: FastAPI) -> None:
    try:
        from enforcewatch.api.errors import register_error_handlers
    except ImportError:
        register_error_handlers = None
    if register_error_handlers is not None:
        register_error_handlers(app)
        return

    @app.exception_handler(EnforceWatchError)
    async def domain_error(request: Request, exc: EnforceWatchError) -> JSONResponse:
        errors = [{"loc": list(e.loc), "msg": e.msg} for e in exc.errors] or [{"loc": [], "msg": exc.message}]
        return _shape(exc.status, errors)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": "请检查此项：" + str(e.get("msg", ""))}
                  for e in exc.errors()]
        return _shape(422, errors)
