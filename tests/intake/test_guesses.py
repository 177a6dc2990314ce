"""Failed code guesses are counted per client and refused past the limit; real look-ups never are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from enforcewatch.errors import TooManyRequests
from enforcewatch.intake import guesses
from support.api import assert_error_shape, public_client
from support.submitting import add_point, complaint, report

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
WRONG = "ABCD-EFGH-JKMN-PQRS-TVWX"


def test_limit_per_client_scope_and_window(table) -> None:
    for _ in range(guesses.LIMIT):
        guesses.refuse_if_exhausted(table, "receipt", "10.0.0.1", NOW)
        guesses.record_failure(table, "receipt", "10.0.0.1", NOW)
    with pytest.raises(TooManyRequests):
        guesses.refuse_if_exhausted(table, "receipt", "10.0.0.1", NOW)
    guesses.refuse_if_exhausted(table, "receipt", "10.0.0.2", NOW)  # another client
    guesses.refuse_if_exhausted(table, "access", "10.0.0.1", NOW)  # another kind of code
    guesses.refuse_if_exhausted(table, "receipt", "10.0.0.1", NOW + guesses.WINDOW)  # next window


def test_counts_expire_and_never_store_the_address(table) -> None:
    guesses.record_failure(table, "access", "192.0.2.7", NOW)
    item = guesses.record_failure(table, "access", "192.0.2.7", NOW + timedelta(minutes=1))
    assert item == 2
    pk, sk, expires = guesses._key("access", "192.0.2.7", NOW)
    stored = table.get(pk, sk)
    assert stored["expires_at"] == expires and expires > NOW.timestamp()
    assert "192.0.2.7" not in repr(stored)


def test_api_refuses_receipt_guessing_but_not_real_lookups(moto_table) -> None:
    client = public_client(moto_table)
    code = client.post("/api/complaints", json=complaint()).json()["receipt"]
    for _ in range(guesses.LIMIT - 1):
        assert_error_shape(client.post("/api/receipts", json={"code": WRONG}), 404)
        assert client.post("/api/receipts", json={"code": code}).status_code == 200  # successes never count
    assert_error_shape(client.get(f"/api/receipts/{WRONG}"), 404)  # the last failure allowed
    body = assert_error_shape(client.get(f"/api/receipts/{WRONG}"), 429)
    assert body["errors"][0]["msg"] == guesses.TOO_MANY
    assert_error_shape(client.post("/api/receipts", json={"code": code}), 429)


def test_api_refuses_access_code_guessing(moto_table) -> None:
    client = public_client(moto_table)
    code = add_point(moto_table)
    for _ in range(guesses.LIMIT):
        assert_error_shape(client.post("/api/reports", json=report("XX-0001", WRONG)), 401)
    assert_error_shape(client.post("/api/reports", json=report("XX-0001", code)), 429)
