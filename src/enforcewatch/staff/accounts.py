"""Staff accounts: roles, argon2id password hashes, slow-down and lock-out, optional TOTP.

Items are `USER#{username}` / `USER` (docs/data-model.md). Time is a parameter (`now`, an aware
UTC datetime). Sign-in failures never say whether the username exists.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from enforcewatch.clock import iso_utc, parse_stamp
from enforcewatch.errors import (
    ConditionFailed,
    FieldError,
    InputError,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from enforcewatch.intake import guesses
from enforcewatch.staff import totp
from enforcewatch.store.dynamo import DynamoTable

OFFICE, DISTRICT = "office", "district"
ROLES = (OFFICE, DISTRICT)
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,31}$")
MIN_PASSWORD = 10

# Slow down after FREE_FAILURES failures (1 s, 2 s, 4 s ... between attempts), lock after LOCK_AFTER.
FREE_FAILURES = 3
LOCK_AFTER = 10
LOCK_FOR = timedelta(minutes=15)

BAD_CREDENTIALS = "用户名或密码错误"
TOO_FAST = "登录尝试过于频繁，请 {seconds} 秒后再试"
RESERVE_TRIES = 3  # an attempt that loses the race for the count this often is answered 429

# argon2id with the library's RFC 9106 low-memory profile (64 MiB, t=3): memory-hard, Lambda-sized.
PROFILE = PasswordHasher()
_hasher = PROFILE  # what Accounts hash with, read at construction (the tests swap in a cheap profile)
# Verified against when the username is unknown, so both paths cost one argon2 verification. A
# constant with _hasher's parameters (hashing at import cost every cold start of both Lambda
# handlers one argon2 run; tests/functions/test_cold_start.py checks the parameters still match).
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$nKJsubJVdeOdmMqCJ9NShA$b2CHV1JEpmKFBRejUJNHQyoPPnsEElhqOxsAuI4sCow"


class Disabled(Unauthorized):
    """A disabled account's right password: answered exactly as a wrong one (the audit log says which)."""


def listed_keys(username: str) -> dict[str, str]:
    """The keys that list an account on the administration page (docs/data-model.md)."""
    return {"gsi2pk": "USERS", "gsi2sk": username}


@dataclass(frozen=True)
class User:
    username: str
    role: str
    district: str | None
    disabled: bool
    token_version: int
    has_totp: bool

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> User:
        return cls(
            username=item["username"],
            role=item["role"],
            district=item.get("district"),
            disabled=bool(item.get("disabled")),
            token_version=int(item.get("token_version", 0)),
            has_totp=bool(item.get("totp_secret")),
        )


LISTING_DONE = ("USERS", "LISTED")  # the record that every older account has its gsi2 key


def list_older_accounts(table: DynamoTable, now: datetime) -> int:
    """Give every account written before gsi2 `USERS` listed them (old shape: no `gsi2pk`) its key,
    once per table; how many were listed. Idempotent: each update is conditional on the key still
    missing, and once a run finishes the record `LISTING_DONE` spares later calls the whole-table
    read. A run cut short leaves no record, so the next call finishes it."""
    if table.get(*LISTING_DONE) is not None:
        return 0
    listed = 0
    for item in table.scan_without("USER", "USER#", "gsi2pk"):
        username = str(item.get("username") or item["pk"].removeprefix("USER#"))
        try:
            table.update(item["pk"], item["sk"], listed_keys(username),
                         condition="attribute_exists(pk) AND attribute_not_exists(gsi2pk)")
        except ConditionFailed:
            continue  # listed meanwhile (changed, or another run): nothing to do
        listed += 1
    table.put({"pk": LISTING_DONE[0], "sk": LISTING_DONE[1], "done_at": iso_utc(now), "listed": listed})
    return listed


def user_key(username: str) -> tuple[str, str]:
    return f"USER#{username}", "USER"


def unknown_key(username: str) -> tuple[str, str]:
    """Failures under a name with no account: counted too, so throttling does not reveal which names
    exist. Keyed by a hash (the guessed name is not kept) and expiring (`expires_at`)."""
    return "SIGNIN#" + hashlib.sha256(username.encode("utf-8", "replace")).hexdigest(), "FAILURES"


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(f"密码至少需要 {MIN_PASSWORD} 个字符", [FieldError(("password",), "密码太短")])


def validate_new_user(username: str, role: str, district: str | None, known_districts: list[str] | None) -> None:
    problems: list[FieldError] = []
    if not USERNAME_RE.match(username):
        problems.append(FieldError(("username",), "用户名须为 3–32 位小写字母、数字、点、下划线或连字符"))
    if role not in ROLES:
        problems.append(FieldError(("role",), "角色须为 office（市级）或 district（县区）"))
    elif role == DISTRICT and not district:
        problems.append(FieldError(("district",), "县区账户须指定所属县（市、区）"))
    elif role == OFFICE and district:
        problems.append(FieldError(("district",), "市级账户不属于某一县区，请勿指定 --district"))
    elif district and known_districts is not None and district not in known_districts:
        problems.append(FieldError(("district",), f"未知的县（市、区）：{district}"))
    if problems:
        raise InputError("；".join(p.msg for p in problems), problems)


class Accounts:
    """Staff accounts in the table."""

    def __init__(self, table: DynamoTable, hasher: PasswordHasher | None = None) -> None:
        self.table = table
        self.hasher = hasher or _hasher
        # The unknown-username path verifies against a hash with this hasher's parameters, so it costs
        # what a known username's verification costs (the constant for the production profile).
        self.dummy_hash = (_DUMMY_HASH if self.hasher is PROFILE
                           else self.hasher.hash("not-a-password-of-anyone"))

    def _item(self, username: str) -> dict[str, Any]:
        item = self.table.get(*user_key(username))
        if item is None:
            raise NotFound(f"没有用户 {username}")
        return item

    def listing(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Every account (gsi2 `USERS`), without secrets. Given `now`, accounts written before that key
        existed are listed first (once per table: `list_older_accounts`), so none is missing."""
        if now is not None:
            list_older_accounts(self.table, now)
        out = []
        for item in self.table.query("USERS", index="gsi2"):
            user = User.from_item(item)
            out.append({**user.__dict__, "created_at": item.get("created_at"), "updated_at": item.get("updated_at"),
                        "locked": int(item.get("failed_count", 0)) >= LOCK_AFTER})
        return sorted(out, key=lambda u: u["username"])

    def get(self, username: str) -> User | None:
        item = self.table.get(*user_key(username))
        return User.from_item(item) if item else None

    def add(
        self, username: str, role: str, district: str | None, password: str, now: datetime,
        known_districts: list[str] | None = None,
    ) -> User:
        validate_new_user(username, role, district, known_districts)
        check_password(password)
        pk, sk = user_key(username)
        item = {
            "pk": pk, "sk": sk, "username": username, "role": role, "district": district,
            "password_hash": self.hasher.hash(password), "disabled": False, "token_version": 0,
            "failed_count": 0, "created_at": iso_utc(now), "updated_at": iso_utc(now), **listed_keys(username),
        }
        try:
            self.table.put_new(item)
        except ConditionFailed:
            raise InputError(f"用户 {username} 已存在", [FieldError(("username",), "用户名已存在")]) from None
        return User.from_item(item)

    def _bump(self, username: str, now: datetime, fields: dict[str, Any]) -> User:
        item = self._item(username)
        fields = {**fields, "token_version": int(item.get("token_version", 0)) + 1, "updated_at": iso_utc(now),
                  **listed_keys(username)}
        return User.from_item(self.table.update(*user_key(username), fields))

    def disable(self, username: str, now: datetime) -> User:
        """Disable the account; every token issued to it stops working at once."""
        return self._bump(username, now, {"disabled": True})

    def enable(self, username: str, now: datetime) -> User:
        return self._bump(username, now, {"disabled": False, "failed_count": 0, "not_before": None})

    def reset_password(self, username: str, password: str, now: datetime) -> User:
        """A new password; clears the lock-out and revokes every token issued before."""
        check_password(password)
        fields = {"password_hash": self.hasher.hash(password), "failed_count": 0, "not_before": iso_utc(now)}
        return self._bump(username, now, fields)

    def sign_out_everywhere(self, username: str, now: datetime) -> User:
        return self._bump(username, now, {})

    def set_totp(self, username: str, secret: str | None, now: datetime) -> User:
        return self._bump(username, now, {"totp_secret": secret or "", "totp_last_step": -1})

    def authenticate(
        self, username: str, password: str, totp_code: str | None, now: datetime, client: str | None = None,
    ) -> User:
        """The user if the password (and TOTP code, if enrolled) is right; else Unauthorized/TooManyRequests.

        Every attempt is reserved in the store before the password is checked (a conditional update of
        the failure count: issue 19), so parallel guesses cannot all reach argon2 before the lock-out;
        a right password clears the count again. `client` (the caller's address) draws on a per-client
        budget of failed sign-ins first (guesses.SIGNIN), whatever the username.
        """
        if client is not None:
            guesses.reserve(self.table, guesses.SIGNIN, client, now)
        key = user_key(username) if USERNAME_RE.match(username or "") else None
        item = self.table.get(*key) if key else None
        if key is None or item is None:
            self._reserve(unknown_key(username or ""), now, known=False)
            try:
                self.hasher.verify(self.dummy_hash, password)
            except VerificationError:
                pass
            raise Unauthorized(BAD_CREDENTIALS)
        item = self._reserve(key, now, item)
        try:
            self.hasher.verify(item["password_hash"], password)
        except (VerificationError, InvalidHashError):
            raise Unauthorized(BAD_CREDENTIALS) from None
        if item.get("disabled"):  # the same answer as a wrong password (the audit entry says which)
            raise Disabled(BAD_CREDENTIALS)
        updates: dict[str, Any] = {}
        if item.get("totp_secret"):
            if not totp_code:
                raise Unauthorized("请输入动态验证码", [FieldError(("totp",), "请输入动态验证码")])
            step = totp.verify(item["totp_secret"], totp_code, now.timestamp())
            if step is None or step <= int(item.get("totp_last_step", -1)):
                raise Unauthorized("动态验证码错误或已使用", [FieldError(("totp",), "动态验证码错误或已使用")])
            updates["totp_last_step"] = step
        if self.hasher.check_needs_rehash(item["password_hash"]):
            updates["password_hash"] = self.hasher.hash(password)
        self.table.update(*key, {**updates, "failed_count": 0, "not_before": None})
        if client is not None:
            guesses.release(self.table, guesses.SIGNIN, client, now)
        return User.from_item(item)

    def _reserve(
        self, key: tuple[str, str], now: datetime, item: dict[str, Any] | None = None, known: bool = True,
    ) -> dict[str, Any]:
        """Count this attempt as a failure before checking it: a conditional write on the count read, so
        of simultaneous attempts one counts at a time, each under the delay its count sets. Returns the
        item after; TooManyRequests while the delay or lock of the count so far has not passed."""
        if item is None:
            item = self.table.get(*key) or {}
        for _attempt in range(RESERVE_TRIES):
            _refuse_if_throttled(item, now)
            failures = int(item.get("failed_count", 0)) + 1
            fields: dict[str, Any] = {"failed_count": failures, "not_before": iso_utc(now + _delay(failures))}
            if not known:
                fields["expires_at"] = int((now + LOCK_FOR + timedelta(days=1)).timestamp())
            if "failed_count" in item:
                condition, values = "failed_count = :n", {":n": failures - 1}
            else:
                condition, values = "attribute_not_exists(failed_count)", {}
            if known:
                condition = f"attribute_exists(pk) AND {condition}"
            try:
                return self.table.update(*key, fields, condition=condition, condition_values=values)
            except ConditionFailed as exc:  # another attempt counted first: judge this one after it
                item = exc.existing or self.table.get(*key) or {}
                if known and not item:
                    raise Unauthorized(BAD_CREDENTIALS) from None  # deleted meanwhile
        raise TooManyRequests(TOO_FAST.format(seconds=1))


def _delay(failures: int) -> timedelta:
    if failures >= LOCK_AFTER:
        return LOCK_FOR
    if failures >= FREE_FAILURES:
        return timedelta(seconds=2 ** (failures - FREE_FAILURES))
    return timedelta(0)


def _refuse_if_throttled(item: dict[str, Any], now: datetime) -> None:
    not_before = item.get("not_before")
    if not not_before or int(item.get("failed_count", 0)) < FREE_FAILURES:
        return
    wait = (parse_stamp(not_before) - now).total_seconds()
    if wait <= 0:
        return
    if int(item.get("failed_count", 0)) >= LOCK_AFTER:
        raise TooManyRequests(f"登录失败次数过多，账户已暂时锁定，请 {int(wait // 60) + 1} 分钟后再试")
    raise TooManyRequests(TOO_FAST.format(seconds=int(wait) + 1))
