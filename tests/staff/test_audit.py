"""The audit log is append-only and reads back by month."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from enforcewatch.errors import ConditionFailed, InputError
from enforcewatch.staff import audit


def test_entries_append_and_read_by_month(table) -> None:
    rng = random.Random(1)
    audit.record(table, "city", "login", {}, datetime(2026, 1, 31, 23, 0, tzinfo=UTC), rng)
    audit.record(table, "city", "export", {"rows": 3}, datetime(2026, 2, 1, 1, 0, tzinfo=UTC), rng)
    audit.record(table, "x", "login", {}, datetime(2026, 3, 1, tzinfo=UTC), rng, outcome="denied")
    got = list(audit.entries(table, "2026-01", "2026-02"))
    assert [(e["actor"], e["action"]) for e in got] == [("city", "login"), ("city", "export")]
    assert got[1]["details"] == {"rows": 3}


def test_an_entry_cannot_be_overwritten(table) -> None:
    when = datetime(2026, 1, 1, tzinfo=UTC)
    audit.record(table, "a", "login", {}, when, random.Random(7))
    with pytest.raises(ConditionFailed):
        audit.record(table, "b", "login", {}, when, random.Random(7))


def test_listing_range_is_bounded() -> None:
    audit.check_range("2025-01", "2026-12")
    with pytest.raises(InputError):
        audit.check_range("2020-01", "2099-12")
