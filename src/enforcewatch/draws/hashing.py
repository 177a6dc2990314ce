"""The hash constructions of algorithm `ewdraw-1` (docs/draws.md, "Construction").

Every hash is `tagged(tag, *fields)`: SHA-256 over the tag and each field, each as UTF-8 with a
4-byte big-endian length before it, so no two field lists give the same input. The random
stream is SHA-256 in counter mode over the seed; `uniform(n)` draws 32-bit words and rejects the
top `2**32 mod n` values, so every result in 0..n-1 is exactly equally likely.
"""

from __future__ import annotations

import hashlib
import hmac
import re

ALGORITHM = "ewdraw-1"
HEX64 = re.compile(r"^[0-9a-f]{64}$")
WORD = 2**32


def tagged(tag: str, *fields: str) -> str:
    """Hex SHA-256 of `tag` and `fields`, each length-prefixed (4 bytes, big-endian, UTF-8)."""
    h = hashlib.sha256()
    for part in (tag, *fields):
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(4, "big"))
        h.update(data)
    return h.hexdigest()


def commitment(draw_id: str, party: str, secret: str) -> str:
    return tagged(f"{ALGORITHM}/commit", draw_id, party, secret)


def leaf(draw_id: str, uscc: str, salt: str) -> str:
    """A candidate as published: salted, so nobody can test a code without the enterprise's salt."""
    return tagged(f"{ALGORITHM}/leaf", draw_id, uscc, salt)


def salt_for(task_key: str, uscc: str) -> str:
    """The salt an enterprise gets with its inclusion proof, derived from the task's own key."""
    return hmac.new(bytes.fromhex(task_key), uscc.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def secret_hex(value: str) -> bool:
    return bool(HEX64.match(value))


class Stream:
    """A deterministic stream of 32-bit words: block i = tagged('ewdraw-1/prng', seed, label, str(i)),
    read as eight big-endian words."""

    def __init__(self, seed: str, label: str) -> None:
        self.seed, self.label = seed, label
        self.counter = 0
        self.words: list[int] = []

    def word(self) -> int:
        if not self.words:
            block = bytes.fromhex(tagged(f"{ALGORITHM}/prng", self.seed, self.label, str(self.counter)))
            self.counter += 1
            self.words = [int.from_bytes(block[i:i + 4], "big") for i in range(28, -1, -4)]
        return self.words.pop()

    def uniform(self, n: int) -> int:
        """0..n-1, unbiased: words at or above the largest multiple of n are drawn again."""
        if not 0 < n <= WORD:
            raise ValueError(f"uniform({n}) out of range")
        limit = WORD - WORD % n
        while True:
            x = self.word()
            if x < limit:
                return x % n
