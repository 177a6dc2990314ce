"""The public API: `create_app(settings, table)` → a FastAPI app with routes under /api.

The same app runs in AWS Lambda (wrapped by Mangum in functions/submit_report/app.py) and locally
(mounted by `enforcewatch serve`). Time and randomness are injected so tests can fix them. Only this
module mounts the public routers, so the staff function never imports them (tests/functions/test_cold_start.py).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from enforcewatch.api import openapi_doc
from enforcewatch.api.errors import error_body, register_error_handlers
from enforcewatch.api.headers import SecurityHeaders
from enforcewatch.api.public import casework as casework_public
from enforcewatch.api.public import channel as channel_public
from enforcewatch.api.public import forms
from enforcewatch.api.public.routes import router
from enforcewatch.errors import FieldError, PayloadTooLarge
from enforcewatch.intake.complaints import ComplaintIn
from enforcewatch.intake.reports import ReportIn

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.config import Settings
    from enforcewatch.store.dynamo import DynamoTable

MAX_BODY = 64 * 1024  # issue #3: bodies over 64 KB get 413
TOO_LARGE = "提交内容过大（上限 64 KB），请精简后重新提交"


class BodyLimit:
    """Refuse bodies over `limit` bytes: at once by Content-Length, else while the body is read."""

    def __init__(self, app: Any, limit: int = MAX_BODY, larger: dict[str, int] | None = None) -> None:
        self.app, self.limit, self.larger = app, limit, larger or {}  # larger: path → its own limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.limit)
        refusal = TOO_LARGE if limit == MAX_BODY else f"提交内容过大（上限 {limit // (1024 * 1024)} MB），请减少或压缩附件"
        declared = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > limit:
            await _send_413(send, refusal)
            return
        seen = 0

        async def counting_receive() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise PayloadTooLarge(refusal, [FieldError((), refusal)])
            return message

        await self.app(scope, counting_receive, send)


async def _send_413(send: Any, message: str = TOO_LARGE) -> None:
    body = json.dumps(error_body(413, [FieldError((), message)]), ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_app(
    settings: Settings,
    table: DynamoTable,
    *,
    templates_dir: Path | None = None,
    clock: Callable[[], datetime] | None = None,
    rng: random.Random | None = None,
) -> FastAPI:
    """The public app. Without `templates_dir` (or site/templates next to the content dir), form posts
    get a bare HTML answer instead of the site's page."""
    app = FastAPI(title="EnforceWatch public API", openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.table = table
    app.state.settings = settings
    app.state.clock = clock or (lambda: datetime.now(UTC))
    app.state.rng = rng or random.SystemRandom()
    app.state.idempotency_ttl = timedelta(hours=settings.idempotency_ttl_hours)
    app.state.receipt_secret = settings.receipt_secret or f"{random.SystemRandom().getrandbits(256):064x}"
    templates = templates_dir or settings.content_dir.parent / "templates"
    if (templates / forms.PAGES["report"]).is_file() and settings.content_dir.is_dir():
        pages = forms.FormPages(templates, settings.content_dir)
        app.state.form_pages, app.state.form_renderer = pages, pages.rerender
    else:
        app.state.form_pages, app.state.form_renderer = None, forms.plain_rerender
    register_error_handlers(app)
    app.include_router(router)
    app.include_router(casework_public.router)  # a point's answers to verification requests
    app.include_router(channel_public.router)  # a point's notices, replies and reminders
    if settings.site_origin:
        app.add_middleware(CORSMiddleware, allow_origins=[settings.site_origin], allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Idempotency-Key"], max_age=600)
    app.add_middleware(BodyLimit, larger={casework_public.ANSWER_PATH: casework_public.ANSWER_LIMIT})
    app.add_middleware(SecurityHeaders)  # outermost: every answer, the 413 and the no-JS pages included
    openapi_doc.describe(app, {("post", "/api/reports"): (ReportIn, "201"),
                               ("post", "/api/complaints"): (ComplaintIn, "201"),
                               ("post", "/api/receipts"): ({"type": "object", "properties": {"code": {"type": "string"}}},
                                                           "200")})
    return app
