"""Concurrent wrong passwords are each counted: the failure counter is an atomic ADD, not read-then-write.

Before, N simultaneous guesses all read failed_count=k and all wrote k+1, so a guesser running in
parallel could try far more than LOCK_AFTER passwords before the lock-out.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from enforcewatch.errors import TooManyRequests, Unauthorized
from enforcewatch.staff.accounts import FREE_FAILURES, LOCK_AFTER, Accounts

NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
GUESSES = 16


@pytest.mark.ddb_local
def test_concurrent_wrong_passwords_are_all_counted(local_table) -> None:
    accounts = Accounts(local_table)
    accounts.add("city", "office", None, PASSWORD, NOW)

    def guess(i: int) -> str:
        try:
            accounts.authenticate("city", f"wrong password {i}", None, NOW)
        except Unauthorized:
            return "refused"
        except TooManyRequests:
            return "throttled"
        return "accepted"

    with ThreadPoolExecutor(max_workers=GUESSES) as pool:
        outcomes = list(pool.map(guess, range(GUESSES)))
    assert "accepted" not in outcomes
    item = local_table.get("USER#city", "USER")
    # every guess that reached the password check was counted
    assert item["failed_count"] == outcomes.count("refused")
    assert item["failed_count"] >= LOCK_AFTER  # so the account is now locked
    with pytest.raises(TooManyRequests, match="锁定"):
        accounts.authenticate("city", PASSWORD, None, NOW)


def test_throttling_does_not_tell_a_known_username_from_an_unknown_one(table) -> None:
    """After the free failures a known account answers 429; an unknown name must answer the same,
    or the slow-down itself tells a guesser which usernames exist."""
    accounts = Accounts(table)
    accounts.add("city", "office", None, PASSWORD, NOW)
    answers = {}
    for name in ("city", "nobody", "NOT A VALID NAME"):
        seen = []
        for _ in range(FREE_FAILURES + 1):
            try:
                accounts.authenticate(name, "wrong password", None, NOW)
            except (Unauthorized, TooManyRequests) as exc:
                seen.append((exc.status, exc.message))
        answers[name] = seen
    assert answers["city"][-1][0] == 429
    assert answers["city"] == answers["nobody"] == answers["NOT A VALID NAME"]
    stored = table.client.scan(TableName=table.name)["Items"]
    assert not any("nobody" in str(item) for item in stored)  # the guessed name itself is not kept
