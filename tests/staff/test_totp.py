"""RFC 6238 appendix B and RFC 4226 appendix D test vectors, plus replay-window behaviour."""

from __future__ import annotations

import base64
import random

import pytest

from enforcewatch.staff import totp

SEED = b"12345678901234567890"


@pytest.mark.parametrize("count,expected", enumerate(
    ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]))
def test_hotp_rfc4226_vectors(count: int, expected: str) -> None:
    assert totp.hotp(SEED, count) == expected


@pytest.mark.parametrize("when,expected", [
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
    (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130"),
])
def test_totp_rfc6238_sha1_vectors(when: int, expected: str) -> None:
    assert totp.totp(SEED, when, digits=8) == expected


def test_verify_accepts_neighbouring_step_only() -> None:
    secret = base64.b32encode(SEED).decode()
    code = totp.totp(SEED, 1_000_000)
    step = 1_000_000 // 30
    assert totp.verify(secret, code, 1_000_000) == step
    assert totp.verify(secret, code, 1_000_000 + 30) == step
    assert totp.verify(secret, code, 1_000_000 + 90) is None
    assert totp.verify(secret, "12345", 1_000_000) is None
    assert totp.verify(secret, "abcdef", 1_000_000) is None


def test_new_secret_round_trips() -> None:
    secret = totp.new_secret(random.Random(1))
    assert len(totp._key(secret)) == 20 and "=" not in secret
    assert secret in totp.provisioning_uri(secret, "alice")
