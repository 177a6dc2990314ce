"""The append-only audit log: who did what, when (sign-ins, downloads with filters and row counts,
every change). Entries are only ever created with a conditional put; nothing here updates or
deletes one. Items: `AUDIT#{YYYY-MM}` / `{timestamp}#{entry_id}` (docs/data-model.md).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from enforcewatch.clock import iso_utc
from enforcewatch.errors import FieldError, InputError
from enforcewatch.store.dynamo import DynamoTable


def _months(first: str, last: str) -> Iterator[str]:
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


MAX_MONTHS = 24  # one query per month: a listing covers at most two years


def check_range(month_from: str, month_to: str) -> None:
    if sum(1 for _ in _months(month_from, month_to)) > MAX_MONTHS:
        raise InputError(f"一次最多查看 {MAX_MONTHS} 个月的日志", [FieldError(("to",), "时间范围过大")])


def record(
    table: DynamoTable, actor: str, action: str, details: dict[str, Any], now: datetime, rng: random.Random,
    outcome: str = "ok",
) -> dict[str, Any]:
    """Append one entry. `details` holds filters, counts and ids — never passwords or submitted text."""
    stamp = iso_utc(now)
    entry = {
        "pk": f"AUDIT#{stamp[:7]}", "sk": f"{stamp}#{rng.getrandbits(64):016x}",
        "at": stamp, "actor": actor, "action": action, "outcome": outcome, "details": details,
    }
    table.put_new(entry)
    return entry


def entries(table: DynamoTable, month_from: str, month_to: str) -> Iterator[dict[str, Any]]:
    """Entries of the months from..to (YYYY-MM), oldest first."""
    for month in _months(month_from, month_to):
        for item in table.query(f"AUDIT#{month}", consistent=True):
            yield {k: item[k] for k in ("at", "actor", "action", "outcome", "details") if k in item}
