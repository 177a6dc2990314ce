"""Security headers for what the system serves itself: the public API's answers (JSON and the pages
a no-JS form post gets back) and, on the local server, the built site (issue 19).

In AWS the site comes from CloudFront, whose response-headers policy (infra/template.yaml) sends the
same `SITE_HEADERS`; docs/security-headers.md says what an office's own web platform must send.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

# The site loads nothing from elsewhere and runs no inline script or style; 'wasm-unsafe-eval' lets the
# search page compile Pagefind's WebAssembly (not JavaScript eval). tests/test_site_browser.py runs every
# page type under this policy.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
SITE_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


class SecurityHeaders:
    """ASGI wrapper: adds SITE_HEADERS where the response has none of its own. With
    `relative_redirects`, a redirect's Location keeps only its path and query, so a forged Host header
    is never sent back to the browser."""

    def __init__(self, app: Any, relative_redirects: bool = False) -> None:
        self.app, self.relative_redirects = app, relative_redirects
        self.extra = [(k.encode(), v.encode()) for k, v in SITE_HEADERS.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.extra if k not in present]
                if self.relative_redirects and 300 <= message["status"] < 400:
                    headers = [(k, _path_only(v) if k.lower() == b"location" else v) for k, v in headers]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _path_only(location: bytes) -> bytes:
    parts = urlsplit(location.decode("latin-1"))
    path = "/" + parts.path.lstrip("/")  # never //host: a path the browser could read as another origin
    return (path + (f"?{parts.query}" if parts.query else "")).encode("latin-1")
