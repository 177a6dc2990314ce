"""What changed: each list's "recent changes" page and Atom feed.

The office keeps its lists current (动态管理); the public follows it here instead of comparing
spreadsheets. Both are built from each item's `updated` date and the list's changelog, so they
change only when the content does (no build time in them, and the same content gives the same bytes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from enforcewatch.sitegen.catalog import Department, ListItem, ListMeta

RECENT = 50  # items on a changes page and in a feed
CHANGES_SEGMENT = "changes"
FEED_FILE = "feed.xml"
# The attribute that names an item of each list.
TITLE_ATTR = {"enforcement-items": "name", "spot-checks": "item", "leniency": "violation",
              "key-supervision": "matter", "prudent-supervision": "activity", "spot-check-results": "task"}


def changes_path(key: str) -> str:
    return f"/{key}/{CHANGES_SEGMENT}/"


def feed_path(key: str) -> str:
    return f"/{key}/{FEED_FILE}"


@dataclass(frozen=True)
class Change:
    item: Any
    title: str
    department: Department
    path: str  # the item's page


def recent_changes(key: str, items: Sequence[ListItem], departments: Mapping[str, Department],
                   item_path: str = "/{key}/{id}/", limit: int = RECENT) -> list[Change]:
    """The most recently changed items, newest first (ties in list order)."""
    ordered = sorted(enumerate(items), key=lambda pair: (-pair[1].updated.toordinal(), pair[0]))
    return [Change(item, str(getattr(item, TITLE_ATTR[key])), departments[item.department],
                   item_path.format(key=key, id=item.id)) for _, item in ordered[:limit]]


def _stamp(day: dt.date) -> str:
    # Content dates are China dates: the feed says so, China has no daylight saving (UTC+8).
    return f"{day.isoformat()}T00:00:00+08:00"


def _absolute(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + path if site_url else path


def _entry_id(site_url: str, key: str, item: ListItem) -> str:
    # An entry id must never change: the item's permalink, or a URN when no site URL is set.
    return _absolute(site_url, f"/{key}/{item.id}/") if site_url else f"urn:enforcewatch:{key}:{item.id}"


def atom_feed(key: str, meta: ListMeta, changes: Sequence[Change], site_title: str, site_url: str) -> str:
    """An Atom 1.0 feed (RFC 4287) of the list's recent changes."""
    updated = max([c.item.updated for c in changes], default=meta.published)
    updated = max(updated, meta.published)
    feed_id = _absolute(site_url, feed_path(key)) if site_url else f"urn:enforcewatch:{key}"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"  <title>{escape(meta.title)}：最近更新</title>",
        f"  <subtitle>{escape(site_title)}</subtitle>",
        f"  <id>{escape(feed_id)}</id>",
        f"  <link rel=\"self\" href={quoteattr(_absolute(site_url, feed_path(key)))}/>",
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(_absolute(site_url, changes_path(key)))}/>",
        f"  <updated>{_stamp(updated)}</updated>",
        f"  <author><name>{escape(meta.publisher)}</name></author>",
    ]
    for change in changes:
        item = change.item
        summary = f"{change.department.name}　更新日期：{item.updated.isoformat()}"
        lines += [
            "  <entry>",
            f"    <title>{escape(change.title)}</title>",
            f"    <id>{escape(_entry_id(site_url, key, item))}</id>",
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(_absolute(site_url, change.path))}/>",
            f"    <updated>{_stamp(item.updated)}</updated>",
            f"    <summary>{escape(summary)}</summary>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"
