"""HTTP details of the staff app: where the token comes from and the response headers (its errors
take the project's one shape, from enforcewatch.api.errors)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request, Response

from enforcewatch.errors import Unauthorized

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
