"""China time and stored timestamps, defined once.

Every date the rules see is a day in China Standard Time (UTC+8, no daylight saving: seed 000 §七
counts days in Beijing time), and every timestamp the system stores is UTC, ISO 8601, microseconds,
`Z` (docs/data-model.md). The clock itself is a parameter everywhere (`now`); only the adapters
(CLI, handlers, apps) read it, through `utc_now`.
"""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # China Standard Time, no daylight saving
STAMP = "%Y-%m-%dT%H:%M:%S.%fZ"  # a stored timestamp: UTC, microseconds, `Z`


def utc_now() -> dt.datetime:
    """The current moment, aware, in UTC: what adapters pass down as `now`."""
    return dt.datetime.now(dt.UTC)


def iso_utc(moment: dt.datetime) -> str:
    """A moment as stored: `2026-03-15T02:04:05.000123Z`."""
    return moment.astimezone(dt.UTC).strftime(STAMP)


def parse_stamp(text: str) -> dt.datetime:
    """A stored timestamp (`iso_utc`'s format exactly) back as an aware UTC datetime."""
    return dt.datetime.strptime(text, STAMP).replace(tzinfo=dt.UTC)


def parse_aware(text: str) -> dt.datetime:
    """An ISO 8601 timestamp with `Z` or an offset as an aware datetime; ValueError without a zone."""
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("timestamp without a timezone")
    return moment


def china_date(moment: dt.datetime) -> dt.date:
    """The day in China time at `moment` (which must carry its timezone)."""
    if moment.tzinfo is None:
        raise ValueError("the moment must carry a timezone")
    return moment.astimezone(CHINA).date()


def china_today() -> dt.date:
    """Today in China time, for adapters that default a `--today`."""
    return china_date(utc_now())


def china_time_text(moment: dt.datetime, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A moment as people read it: Beijing time, to the second by default."""
    return moment.astimezone(CHINA).strftime(fmt)
