"""Failed guesses of secret codes (receipt look-ups, point access codes), counted per client.

Codes carry 100 bits, so guessing is hopeless anyway; the limit makes trying at scale visibly
pointless and cheap to refuse. Only failures count, so a person who looks up a real receipt is
never slowed. A client is identified by the hash of its address (never stored in clear); counts
live in fixed windows and expire with the table's TTL.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from enforcewatch.errors import TooManyRequests

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.store.dynamo import DynamoTable

WINDOW = timedelta(minutes=15)
LIMIT = 20  # failed guesses per client and window
SIGNIN = "signin"  # staff sign-ins, each an argon2 check: reserved before the check (issue 19)
SCOPES = ("receipt", "access", SIGNIN)
SIGNIN_LIMIT = 30  # failed staff sign-ins per client and window, whatever the usernames
TOO_MANY = "错误次数过多，请15分钟后再试"


class BudgetSpent(TooManyRequests):
    """The client has no failed attempts left in this window; nothing more is done for it (or logged)."""


def _key(scope: str, client: str, now: datetime) -> tuple[str, str, int]:
    if scope not in SCOPES:
        raise ValueError(f"unknown guess scope {scope!r}")
    start = int(now.astimezone(UTC).timestamp()) // int(WINDOW.total_seconds()) * int(WINDOW.total_seconds())
    who = hashlib.sha256(client.encode()).hexdigest()[:32]
    return f"GUESS#{scope}#{who}", f"WINDOW#{start}", start + 2 * int(WINDOW.total_seconds())


def refuse_if_exhausted(table: DynamoTable, scope: str, client: str, now: datetime) -> None:
    """TooManyRequests if this client has used up its failed guesses in the current window."""
    pk, sk, _ = _key(scope, client, now)
    item = table.get(pk, sk, consistent=False)
    if item and int(item.get("failures", 0)) >= LIMIT:
        raise TooManyRequests(TOO_MANY)


def record_failure(table: DynamoTable, scope: str, client: str, now: datetime) -> int:
    """Count one failed guess (atomically); returns the failures in the window so far."""
    pk, sk, expires = _key(scope, client, now)
    item = table.increment(pk, sk, "failures", must_exist=False, expires_at=expires)
    return int(item.get("failures", 0))


def reserve(table: DynamoTable, scope: str, client: str, now: datetime, limit: int = SIGNIN_LIMIT) -> None:
    """Take one attempt from this client's budget before the costly check (atomically, so parallel
    attempts cannot all pass); BudgetSpent once the window's budget is used up. A success gives its
    attempt back (`release`), so only failures use the budget."""
    pk, sk, expires = _key(scope, client, now)
    if int(table.increment(pk, sk, "failures", must_exist=False, expires_at=expires)["failures"]) > limit:
        raise BudgetSpent(TOO_MANY)


def release(table: DynamoTable, scope: str, client: str, now: datetime) -> None:
    """Give back the attempt `reserve` took, once it succeeded."""
    pk, sk, expires = _key(scope, client, now)
    table.increment(pk, sk, "failures", by=-1, must_exist=False, expires_at=expires)
