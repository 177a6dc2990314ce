"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), the optional second factor for staff.

Implemented with hmac from the standard library: the algorithm is twenty lines and the RFC's own
test vectors check it (tests/staff/test_totp.py). Time is a parameter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import struct
from urllib.parse import quote

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends


def new_secret(rng: random.Random) -> str:
    """A base32 secret for an authenticator app. Pass `random.SystemRandom()` in production."""
    raw = bytes(rng.getrandbits(8) for _ in range(SECRET_BYTES))
    return base64.b32encode(raw).decode().rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def totp(key: bytes, unix_time: float, digits: int = DIGITS, digest: str = "sha1") -> str:
    return hotp(key, int(unix_time) // STEP_SECONDS, digits, digest)


def verify(secret: str, code: str, unix_time: float, window: int = 1) -> int | None:
    """The time step the code belongs to (within ±window steps), or None. Callers store the step
    they accepted and refuse it again, so a code cannot be replayed."""
    typed = "".join(ch for ch in code if not ch.isspace())
    if len(typed) != DIGITS or not typed.isdigit():
        return None
    key = _key(secret)
    now_step = int(unix_time) // STEP_SECONDS
    for step in range(now_step - window, now_step + window + 1):
        if hmac.compare_digest(hotp(key, step), typed):
            return step
    return None


def provisioning_uri(secret: str, username: str, issuer: str = "EnforceWatch") -> str:
    """The otpauth:// URI an authenticator app reads (as a QR code or typed in)."""
    label = quote(f"{issuer}:{username}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}&period={STEP_SECONDS}"
