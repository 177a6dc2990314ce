"""What every staff route depends on: the app's shared context, the signed-in account's scope
(the one gate: token, revocation, CSRF for cookie changes) and the `from` query alias.

Routers import this module, never the module that builds the app.
"""

from __future__ import annotations

import datetime as dt
import hmac
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from enforcewatch.api.staff.http import CSRF_HEADER, the_token
from enforcewatch.api.staff.large_downloads import S3Downloads
from enforcewatch.config import Settings
from enforcewatch.errors import Unauthorized
from enforcewatch.staff import audit, staffing, tokens
from enforcewatch.staff.accounts import Accounts
from enforcewatch.store.dynamo import DynamoTable

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass
class StaffContext:
    """Everything the routes share, built once per app."""

    settings: Settings
    table: DynamoTable
    accounts: Accounts
    secret: str
    now: Callable[[], dt.datetime]
    rng: random.Random
    districts: list[dict[str, str]]
    reply_limit: int
    pages: Path
    downloads: S3Downloads | None = None

    @property
    def district_ids(self) -> tuple[str, ...]:
        return tuple(d["id"] for d in self.districts)

    def log(self, actor: str, action: str, details: dict[str, Any], outcome: str = "ok") -> None:
        audit.record(self.table, actor, action, details, self.now(), self.rng, outcome)


def the_context(request: Request) -> StaffContext:
    return request.app.state.staff  # type: ignore[no-any-return]


Ctx = Annotated[StaffContext, Depends(the_context)]


def current_scope(request: Request, ctx: Ctx) -> staffing.Scope:
    """The one gate: a valid, unrevoked token of an enabled account (and CSRF for cookie changes)."""
    token, from_cookie = the_token(request)
    claims = tokens.decode(token, ctx.secret, ctx.now())
    if from_cookie and request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, tokens.csrf_token(claims, ctx.secret)):
            raise Unauthorized("页面已过期，请刷新后重试（CSRF 校验失败）")
    user = ctx.accounts.get(claims.username)
    if user is None or user.disabled or user.token_version != claims.version:
        raise Unauthorized(tokens.INVALID)
    if tokens.is_revoked(ctx.table, claims):
        raise Unauthorized(tokens.INVALID)
    request.state.claims = claims
    return staffing.Scope(user.username, user.role, user.district, ctx.district_ids)


ScopeDep = Annotated[staffing.Scope, Depends(current_scope)]
From = Annotated[str, Query(alias="from")]
