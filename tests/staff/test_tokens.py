"""Signed staff tokens: expiry against an injected clock, tampering, revocation."""

from __future__ import annotations

import base64
import json
import random
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from enforcewatch.errors import Unauthorized
from enforcewatch.staff import tokens
from enforcewatch.staff.accounts import User

SECRET = "s" * 40
NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
USER = User("hongqi", "district", "红旗区", False, 3, False)


def test_round_trip_and_expiry() -> None:
    token, claims = tokens.issue(USER, SECRET, NOW, random.Random(1))
    assert tokens.decode(token, SECRET, NOW + timedelta(minutes=29)) == claims
    assert claims.district == "红旗区" and claims.version == 3
    with pytest.raises(Unauthorized, match="过期"):
        tokens.decode(token, SECRET, NOW + timedelta(seconds=tokens.TTL_SECONDS))


def _tamper(token: str, **changes: object) -> str:
    head, body, sig = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    new_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{new_body}.{sig}"


def test_tampered_wrong_key_and_alg_none_are_refused() -> None:
    token, _ = tokens.issue(USER, SECRET, NOW, random.Random(1))
    for bad in (
        _tamper(token, role="office", district=None),
        jwt.encode({"sub": "hongqi", "role": "office", "ver": 3, "jti": "x", "iat": 1, "exp": 2**40,
                    "iss": tokens.ISSUER}, "another-secret" * 3, algorithm="HS256"),
        jwt.encode({"sub": "hongqi", "role": "office", "ver": 3, "jti": "x", "iat": 1, "exp": 2**40,
                    "iss": tokens.ISSUER}, None, algorithm="none"),
        "not.a.token",
        "",
    ):
        with pytest.raises(Unauthorized):
            tokens.decode(bad, SECRET, NOW)


def test_revocation(moto_table) -> None:
    _, claims = tokens.issue(USER, SECRET, NOW, random.Random(2))
    assert not tokens.is_revoked(moto_table, claims)
    tokens.revoke(moto_table, claims)
    tokens.revoke(moto_table, claims)
    assert tokens.is_revoked(moto_table, claims)
    assert moto_table.get(f"REVOKED#{claims.jti}", "REVOKED")["expires_at"] > claims.expires


def test_csrf_token_is_bound_to_the_session() -> None:
    _, a = tokens.issue(USER, SECRET, NOW, random.Random(3))
    _, b = tokens.issue(USER, SECRET, NOW, random.Random(4))
    assert tokens.csrf_token(a, SECRET) != tokens.csrf_token(b, SECRET)
