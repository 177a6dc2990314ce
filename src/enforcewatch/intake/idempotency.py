"""Idempotent intake: a retry with the same `Idempotency-Key` gets the first answer and stores nothing.

The record `IDEM#{sha256(scope, key)}` holds the fingerprint of the first body and the first answer,
and expires after a day (`expires_at`, the table's TTL). It is written in the same transaction as
the submission, so a crash cannot store one without the other. A different body under the same key
is refused (409).

Complaints use no record: a complaint's receipt code, and so its item's key, is derived from the
idempotency key (`enforcewatch.intake.complaints`), so one conditional write is both the submission and its
idempotency check. They share `check_key`, `TTL` and `body_conflict` with this module.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from enforcewatch.clock import iso_utc
from enforcewatch.errors import Conflict, FieldError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.store.dynamo import DynamoTable

TTL = timedelta(days=1)
MIN_LENGTH, MAX_LENGTH = 16, 128
FIELD = "idempotency_key"  # the hidden form field; the header is Idempotency-Key
_USABLE = re.compile(rf"[!-~]{{{MIN_LENGTH},{MAX_LENGTH}}}")  # visible ASCII only


def check_key(key: str | None) -> str | None:
    """The key if usable; None if absent; InputError if malformed (too short to be unguessable)."""
    if key is None or key == "":
        return None
    if not _USABLE.fullmatch(key):
        raise malformed_key()
    return key


def malformed_key() -> InputError:
    """What a key that is not a usable string gets (422), wherever it was found."""
    return InputError(
        "幂等键格式不正确",
        [FieldError(loc=(FIELD,), msg=f"幂等键：应为{MIN_LENGTH}至{MAX_LENGTH}个可见英文字符")],
    )


def record_pk(scope: str, key: str) -> str:
    return "IDEM#" + hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()


def body_conflict() -> Conflict:
    """What a retry gets when its key was used for a different body."""
    return Conflict(
        "该幂等键已用于另一份不同内容的提交",
        [FieldError(loc=(FIELD,), msg="幂等键：已用于另一份不同内容的提交，请刷新页面后重新填写")],
    )


def replay(table: DynamoTable, scope: str, key: str | None, fingerprint: str, now: datetime) -> dict[str, Any] | None:
    """The first answer for this key, if a live record exists; Conflict if it was for another body."""
    if key is None:
        return None
    pk = record_pk(scope, key)
    item = table.get(pk, "IDEM")
    if item is None:
        return None
    if int(item.get("expires_at", 0)) <= int(now.timestamp()):
        table.delete(pk, "IDEM")  # TTL deletion is lazy; an expired record must not block a new one
        return None
    if item.get("fingerprint") != fingerprint:
        raise body_conflict()
    return dict(item["response"])


def record(
    scope: str, key: str, fingerprint: str, response: dict[str, Any], now: datetime, ttl: timedelta = TTL,
) -> dict[str, Any]:
    """The item to write alongside the submission."""
    return {
        "pk": record_pk(scope, key),
        "sk": "IDEM",
        "fingerprint": fingerprint,
        "response": response,
        "created_at": iso_utc(now),
        "expires_at": int((now + ttl).timestamp()),
    }
