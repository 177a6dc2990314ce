"""Receipt and access codes resist guessing: 100 bits each, stored only as a hash, and every API
request throttled at the gateway. The figures here are the ones SECURITY.md states."""

from __future__ import annotations

import math
import random
import re

from enforcewatch import codes
from support.paths import ROOT


def test_codes_carry_100_bits_and_never_repeat_in_practice() -> None:
    assert len(codes.ALPHABET) == 32 and codes.CODE_LENGTH == 20
    assert codes.ENTROPY_BITS == codes.CODE_LENGTH * math.log2(len(codes.ALPHABET)) == 100
    drawn = {codes.new_code(random.SystemRandom()) for _ in range(2000)}
    assert len(drawn) == 2000


def test_guessing_one_of_a_million_codes_at_the_gateway_limit_takes_longer_than_the_universe() -> None:
    template = (ROOT / "infra" / "template.yaml").read_text(encoding="utf-8")
    assert "ThrottlingRateLimit: !Ref ThrottleRateLimit" in template
    default = int(re.search(r"ThrottleRateLimit:\n(?:\s+\w+:.*\n)*?\s+Default: (\d+)", template).group(1))
    live_codes = 10**6
    years = 2**codes.ENTROPY_BITS / live_codes / default / (3600 * 24 * 365)
    assert years > 1e12  # 50% success needs half of this


def test_every_test_security_md_names_exists() -> None:
    """SECURITY.md is the promise list: each test it cites must exist (a renamed test breaks this)."""
    doc = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    cited = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", doc)
    cited += [(path, name) for path, rest in re.findall(r"`(tests/[\w/]+\.py)::\w+`((?:, `\w+`)+)", doc)
              for name in re.findall(r"`(\w+)`", rest)]
    assert len(cited) > 20
    for path, name in cited:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert not name or f"def {name}(" in source, f"{path}::{name}"
