"""Secret codes handed to people: monitoring-point access codes and complaint receipt codes.

A code is 20 characters of Crockford base32 (100 bits from the given random source), printed in
five groups of four (`7KQ2-M9XD-…`) so a person can copy it or read it aloud: no I, L, O or U,
and input is forgiving (lower case, spaces, dashes, O→0, I/L→1). Codes are stored only as their
SHA-256: with 100 bits of entropy a fast hash is not brute-forceable, and verification is
constant-time. A receipt code may instead be derived (`derive_code`): the first 100 bits of an
HMAC-SHA256 under a server secret, which nobody without the secret can tell from random.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import re

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
CODE_LENGTH = 20
GROUP = 4
ENTROPY_BITS = CODE_LENGTH * 5
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CANONICAL = re.compile(rf"[{ALPHABET}]{{{GROUP}}}(?:-[{ALPHABET}]{{{GROUP}}}){{{CODE_LENGTH // GROUP - 1}}}")


def new_code(rng: random.Random) -> str:
    """A fresh code. Pass `random.SystemRandom()` in production; a seeded Random in tests."""
    return _grouped("".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH)))


def derive_code(secret: bytes, message: str) -> str:
    """The code for `message` under `secret`: the first 100 bits of HMAC-SHA256(secret, message)."""
    return _grouped(crockford(hmac.new(secret, message.encode(), hashlib.sha256).digest(), CODE_LENGTH))


def crockford(data: bytes, length: int) -> str:
    """The first `length` × 5 bits of `data` in Crockford base32."""
    if length * 5 > len(data) * 8:
        raise ValueError("not enough bits")
    number = int.from_bytes(data, "big") >> (len(data) * 8 - length * 5)
    return "".join(ALPHABET[(number >> (5 * (length - 1 - i))) & 31] for i in range(length))


def _grouped(chars: str) -> str:
    return "-".join(chars[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def normalize(code: str) -> str | None:
    """The canonical form of a typed code, or None if it cannot be one of ours."""
    cleaned = "".join(ch for ch in code.upper() if ch not in " -\t").translate(_CONFUSABLE)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return _grouped(cleaned)


def hash_code(code: str) -> str:
    """The stored form of a code (hex SHA-256 of its canonical form). Raises ValueError if malformed."""
    canonical = code if _CANONICAL.fullmatch(code) else normalize(code)  # codes we made are canonical
    if canonical is None:
        raise ValueError("malformed code")
    return hashlib.sha256(canonical.encode()).hexdigest()


def verify_code(code: str, stored_hash: str) -> bool:
    """Constant-time check of a typed code against its stored hash."""
    canonical = normalize(code)
    candidate = hashlib.sha256((canonical or "").encode()).hexdigest()
    return hmac.compare_digest(candidate, stored_hash) and canonical is not None
