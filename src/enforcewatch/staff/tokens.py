"""Short-lived signed staff tokens (JWT, HS256) and their revocation.

A token names the user, role, district, the account's `token_version` and a random `jti`.
It stops working when it expires, when its `jti` is revoked (sign-out: a `REVOKED#{jti}` item
that DynamoDB's TTL removes after the token would have expired anyway), or when the account's
`token_version` moves on (disable, password reset). Time and randomness are parameters.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import datetime

import jwt

from enforcewatch.errors import ConditionFailed, Unauthorized
from enforcewatch.staff.accounts import User
from enforcewatch.store.dynamo import DynamoTable

ALGORITHM = "HS256"
TTL_SECONDS = 30 * 60
ISSUER = "enforcewatch-staff"
EXPIRED = "登录已过期，请重新登录"
INVALID = "登录凭证无效，请重新登录"


@dataclass(frozen=True)
class Claims:
    username: str
    role: str
    district: str | None
    version: int
    jti: str
    expires: int


def issue(user: User, secret: str, now: datetime, rng: random.Random, ttl: int = TTL_SECONDS) -> tuple[str, Claims]:
    issued = int(now.timestamp())
    claims = Claims(user.username, user.role, user.district, user.token_version, f"{rng.getrandbits(128):032x}",
                    issued + ttl)
    payload = {
        "iss": ISSUER, "sub": claims.username, "role": claims.role, "district": claims.district,
        "ver": claims.version, "jti": claims.jti, "iat": issued, "exp": claims.expires,
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM), claims


def decode(token: str, secret: str, now: datetime) -> Claims:
    """The claims of a token signed with `secret` that has not expired at `now`; else Unauthorized."""
    try:
        # The clock is ours: PyJWT checks the signature and claim shapes, we check expiry against `now`.
        payload = jwt.decode(
            token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "iat", "jti", "sub", "iss"]},
        )
        claims = Claims(str(payload["sub"]), str(payload["role"]), payload.get("district"), int(payload["ver"]),
                        str(payload["jti"]), int(payload["exp"]))
    except (jwt.InvalidTokenError, KeyError, TypeError, ValueError):
        raise Unauthorized(INVALID) from None
    if now.timestamp() >= claims.expires:
        raise Unauthorized(EXPIRED)
    return claims


def csrf_token(claims: Claims, secret: str) -> str:
    """The CSRF value bound to one session: the page echoes it in X-CSRF-Token on every change."""
    return hmac.new(secret.encode(), f"csrf:{claims.jti}".encode(), hashlib.sha256).hexdigest()


def revoke(table: DynamoTable, claims: Claims) -> None:
    try:
        table.put_new({"pk": f"REVOKED#{claims.jti}", "sk": "REVOKED", "expires_at": claims.expires + 60})
    except ConditionFailed:
        pass  # already revoked


def is_revoked(table: DynamoTable, claims: Claims) -> bool:
    return table.get(f"REVOKED#{claims.jti}", "REVOKED") is not None
