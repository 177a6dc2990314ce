"""Sign-in guessing: the lock-out under parallel guesses, the per-client budget, and answers that
tell a guesser nothing (issue 19 §1, §6, §10)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher

from enforcewatch.errors import TooManyRequests, Unauthorized
from enforcewatch.intake import guesses
from enforcewatch.staff.accounts import FREE_FAILURES, LOCK_AFTER, LOCK_FOR, Accounts

NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
GUESSES = 30


class CountingHasher(PasswordHasher):
    """Counts password checks (argon2 verifications), the work a guesser wants and the lock-out limits."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8192, parallelism=1)
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002 - the library's name
        with self._lock:
            self.checks += 1
        return super().verify(hash, password)


def guess_in_parallel(accounts: Accounts, username: str, now: datetime, n: int = GUESSES) -> list[str]:
    def guess(i: int) -> str:
        try:
            accounts.authenticate(username, f"wrong password {i}", None, now)
        except Unauthorized:
            return "refused"
        except TooManyRequests:
            return "throttled"
        return "accepted"

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(guess, range(n)))


@pytest.mark.ddb_local  # a real store's conditional writes (moto's in-process ones are not atomic across threads)
@pytest.mark.parametrize("username", ["city", "nobody"])
def test_lock_out_holds_under_parallel_guesses(local_table, username) -> None:
    """Issue 19 §1: each attempt is counted before its password is checked, so a burst of parallel
    guesses checks no more passwords than the slow-down allows, and none more once the lock is on."""
    table = local_table
    hasher = CountingHasher()
    accounts = Accounts(table, hasher=hasher)
    accounts.add("city", "office", None, PASSWORD, NOW)
    hasher.checks = 0
    t = NOW
    outcomes = guess_in_parallel(accounts, username, t)
    assert "accepted" not in outcomes
    assert hasher.checks == outcomes.count("refused") <= FREE_FAILURES  # the rest waited (429)
    while hasher.checks < LOCK_AFTER:  # each burst after the delay it earned: one more check at most
        t += timedelta(minutes=5)
        before = hasher.checks
        guess_in_parallel(accounts, username, t)
        assert hasher.checks - before <= 1
    t += timedelta(minutes=5)
    before = hasher.checks
    assert set(guess_in_parallel(accounts, username, t)) == {"throttled"}  # locked: nothing checked
    assert hasher.checks == before == LOCK_AFTER
    if username == "city":
        with pytest.raises(TooManyRequests, match="锁定"):
            accounts.authenticate("city", PASSWORD, None, t)
    t += LOCK_FOR + timedelta(seconds=1)  # the lock has ended: a burst gets one check, then locks again
    guess_in_parallel(accounts, username, t)
    assert hasher.checks == LOCK_AFTER + 1


def test_sign_ins_under_ever_new_usernames_are_budgeted_per_client(table) -> None:
    """Issue 19 §10: one client cannot drive argon2 checks at will by changing the username."""
    hasher = CountingHasher()
    accounts = Accounts(table, hasher=hasher)
    accounts.add("city", "office", None, PASSWORD, NOW)
    hasher.checks = 0
    statuses = []
    for i in range(guesses.SIGNIN_LIMIT + 20):
        try:
            accounts.authenticate(f"user{i}", "wrong password", None, NOW, client="192.0.2.1")
        except (Unauthorized, TooManyRequests) as exc:
            statuses.append(exc.status)
    assert statuses.count(401) == guesses.SIGNIN_LIMIT and statuses[guesses.SIGNIN_LIMIT:] == [429] * 20
    assert hasher.checks == guesses.SIGNIN_LIMIT
    with pytest.raises(TooManyRequests):  # the budget holds for real accounts too
        accounts.authenticate("city", PASSWORD, None, NOW, client="192.0.2.1")
    assert accounts.authenticate("city", PASSWORD, None, NOW, client="192.0.2.2").username == "city"
    assert accounts.authenticate("city", PASSWORD, None, NOW + guesses.WINDOW, client="192.0.2.1")
    for _ in range(guesses.SIGNIN_LIMIT + 5):  # successes give their attempt back
        accounts.authenticate("city", PASSWORD, None, NOW + 2 * guesses.WINDOW, client="192.0.2.3")


def test_a_disabled_account_answers_like_a_wrong_password(table) -> None:
    """Issue 19 §6: the right password of a disabled account must not tell the guesser it was right."""
    accounts = Accounts(table)
    accounts.add("city", "office", None, PASSWORD, NOW)
    accounts.add("hongqi", "district", "hongqi", PASSWORD, NOW)
    accounts.disable("hongqi", NOW)
    with pytest.raises(Unauthorized) as wrong:
        accounts.authenticate("city", "wrong password", None, NOW)
    with pytest.raises(Unauthorized) as disabled:
        accounts.authenticate("hongqi", PASSWORD, None, NOW)
    assert (disabled.value.message, disabled.value.errors) == (wrong.value.message, wrong.value.errors)


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
