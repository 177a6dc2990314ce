"""docs/rules.md: every test its clause table names exists, and every flag kind and event kind is documented."""

from __future__ import annotations

import re
from pathlib import Path

from enforcewatch.monitoring.deadlines import (
    DISQUALIFYING_REASONS,
    EVENT_KINDS,
    FLAG_KINDS,
    STATUSES,
    TERMINATION_REASONS,
)

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")


def test_every_named_test_exists() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", DOC)
    assert len(named) >= 20
    for path, name in named:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.M), f"{path}::{name} named in docs/rules.md does not exist"


def test_every_kind_reason_and_status_is_documented() -> None:
    for word in (*FLAG_KINDS, *EVENT_KINDS, *STATUSES, *DISQUALIFYING_REASONS, *TERMINATION_REASONS):
        assert f"`{word}`" in DOC, f"{word} is not documented in docs/rules.md"
