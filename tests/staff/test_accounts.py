"""Staff accounts: hashing, lock-out, disable, TOTP — on moto and DynamoDB Local."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from enforcewatch.errors import InputError, TooManyRequests, Unauthorized
from enforcewatch.staff import totp
from enforcewatch.staff.accounts import BAD_CREDENTIALS, FREE_FAILURES, LOCK_AFTER, Accounts, Disabled

NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(table) -> Accounts:
    a = Accounts(table)
    a.add("city", "office", None, PASSWORD, NOW)
    a.add("hongqi", "district", "红旗区", PASSWORD, NOW)
    return a


def test_password_is_stored_as_argon2id(accounts: Accounts) -> None:
    item = accounts.table.get("USER#city", "USER")
    assert item["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in str(item)


def test_sign_in_right_and_wrong(accounts: Accounts) -> None:
    assert accounts.authenticate("hongqi", PASSWORD, None, NOW).district == "红旗区"
    with pytest.raises(Unauthorized) as wrong:
        accounts.authenticate("hongqi", "wrong password", None, NOW)
    with pytest.raises(Unauthorized) as unknown:
        accounts.authenticate("nobody", "wrong password", None, NOW)
    assert wrong.value.message == unknown.value.message == BAD_CREDENTIALS


def test_validation_messages_name_the_field(table) -> None:
    a = Accounts(table)
    with pytest.raises(InputError) as exc:
        a.add("X", "district", None, "short", NOW)
    assert {e.loc[0] for e in exc.value.errors} == {"username", "district"}
    with pytest.raises(InputError):
        a.add("ok-name", "office", None, "short", NOW)
    a.add("ok-name", "office", None, PASSWORD, NOW)
    with pytest.raises(InputError, match="已存在"):
        a.add("ok-name", "office", None, PASSWORD, NOW)


def test_failures_slow_down_then_lock(accounts: Accounts) -> None:
    t = NOW
    for _ in range(FREE_FAILURES):
        with pytest.raises(Unauthorized):
            accounts.authenticate("city", "bad password!", None, t)
    # now throttled: even the right password is refused until the delay has passed
    with pytest.raises(TooManyRequests):
        accounts.authenticate("city", PASSWORD, None, t)
    for _ in range(FREE_FAILURES, LOCK_AFTER):
        t += timedelta(minutes=5)
        with pytest.raises(Unauthorized):
            accounts.authenticate("city", "bad password!", None, t)
    with pytest.raises(TooManyRequests, match="锁定"):
        accounts.authenticate("city", PASSWORD, None, t + timedelta(minutes=10))
    assert accounts.authenticate("city", PASSWORD, None, t + timedelta(minutes=16)).username == "city"
    assert accounts.table.get("USER#city", "USER")["failed_count"] == 0


def test_disable_and_reset_bump_token_version(accounts: Accounts) -> None:
    before = accounts.get("hongqi").token_version
    accounts.disable("hongqi", NOW)
    with pytest.raises(Disabled, match=BAD_CREDENTIALS):  # answered as a wrong password (issue 19)
        accounts.authenticate("hongqi", PASSWORD, None, NOW)
    accounts.enable("hongqi", NOW)
    accounts.reset_password("hongqi", "another long password", NOW)
    assert accounts.get("hongqi").token_version == before + 3
    with pytest.raises(Unauthorized):
        accounts.authenticate("hongqi", PASSWORD, None, NOW)
    accounts.authenticate("hongqi", "another long password", None, NOW)


def test_totp_second_factor_and_no_replay(accounts: Accounts) -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    accounts.set_totp("city", secret, NOW)
    with pytest.raises(Unauthorized) as missing:
        accounts.authenticate("city", PASSWORD, None, NOW)
    assert missing.value.errors[0].loc == ("totp",)
    code = totp.totp(b"12345678901234567890", NOW.timestamp())
    with pytest.raises(Unauthorized):
        accounts.authenticate("city", PASSWORD, "000000" if code != "000000" else "111111", NOW)
    assert accounts.authenticate("city", PASSWORD, code, NOW).has_totp
    with pytest.raises(Unauthorized, match="已使用"):
        accounts.authenticate("city", PASSWORD, code, NOW + timedelta(seconds=5))


def _old_shape(table, username: str, role: str = "district", district: str | None = "红旗区") -> None:
    """An account as written before gsi2 `USERS` listed accounts: no gsi2 key at all."""
    table.put({"pk": f"USER#{username}", "sk": "USER", "username": username, "role": role, "district": district,
               "password_hash": "$argon2id$old", "disabled": False, "token_version": 0, "failed_count": 0,
               "created_at": "2025-01-02T03:04:05Z", "updated_at": "2025-01-02T03:04:05Z"})


def test_listing_includes_accounts_written_before_the_listing_key(accounts: Accounts) -> None:
    from enforcewatch.staff.accounts import LISTING_DONE, list_older_accounts

    table = accounts.table
    _old_shape(table, "oldhand")
    _old_shape(table, "oldcity", "office", None)
    table.put({"pk": "USERX", "sk": "USER", "username": "not-an-account"})  # no USER# partition: untouched
    assert [u["username"] for u in accounts.listing()] == ["city", "hongqi"]  # the key alone misses them
    listed = accounts.listing(NOW)
    assert [u["username"] for u in listed] == ["city", "hongqi", "oldcity", "oldhand"]
    old = next(u for u in listed if u["username"] == "oldhand")
    assert old["district"] == "红旗区" and old["created_at"] == "2025-01-02T03:04:05Z" and not old["disabled"]
    assert table.get("USER#oldhand", "USER")["password_hash"] == "$argon2id$old"  # nothing else changed
    assert table.get(*LISTING_DONE)["listed"] == 2
    assert "gsi2pk" not in table.get("USERX", "USER")
    # Idempotent: a second call reads the record, not the table, and lists nothing twice.
    assert list_older_accounts(table, NOW) == 0
    assert [u["username"] for u in accounts.listing(NOW)] == ["city", "hongqi", "oldcity", "oldhand"]


def test_an_unfinished_listing_run_is_finished_by_the_next(accounts: Accounts) -> None:
    from enforcewatch.staff.accounts import LISTING_DONE, list_older_accounts

    table = accounts.table
    _old_shape(table, "oldhand")
    accounts.disable("oldhand", NOW)  # a change lists the account too, so the run has one fewer to do
    _old_shape(table, "oldtimer")
    assert list_older_accounts(table, NOW) == 1
    table.delete(*LISTING_DONE)  # as if the run had stopped before recording itself
    assert list_older_accounts(table, NOW) == 0  # every key is there: each update's condition holds it off
    assert [u["username"] for u in accounts.listing()] == ["city", "hongqi", "oldhand", "oldtimer"]
