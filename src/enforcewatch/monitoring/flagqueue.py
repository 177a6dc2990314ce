"""The flag queue: stored flags of some districts, by state, grouped by point, a page at a time.

Reads only what a page needs. The open flags of one district, of every kind, grouped by point, are
one key range of gsi2 (`FLAGS#{district}` / `OPEN#{point_id}#{kind}#{key}`; closed ones under
`CLOSED#`, see `enforcewatch.monitoring.flagkeys`). Each district's range is read lazily in point
order with a Limit of about a page, and the districts are merged by point, so the first page of a
10,000-point backlog is one Query per district in scope (two for `all`), not one per district and
kind, and never every flag ever raised. Kind and month are filtered as the range is read. The cursor
is the last point of the page; the next page starts each range after it.

The city office's queue of open flags (every district, `city_wide`) reads instead the one range of
gsi3 that holds every open flag of a point (`OPENFLAGS` / `{point_id}#{kind}#{key}`, sparse: see
`flagkeys`), in the same order with the same sizes: its first page is one Query. The pages are the
same as the districts' ranges merged would give (tests/monitoring/test_cityqueue.py proves it).

`transfer_overdue` flags (casework: a transfer still open past its deadline) of a point are in its
district's range like the deadline check's; those of complaint clues are the office's own
(`FLAGS#office`) and are listed with the transfers, not in this queue of points.

Districts are passed in already scoped (`enforcewatch.staff.staffing.Scope.districts`).
"""

from __future__ import annotations

import base64
import heapq
import itertools
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from enforcewatch.errors import FieldError, InputError
from enforcewatch.monitoring import flagkeys
from enforcewatch.monitoring.deadlines import DISQUALIFYING_REASONS, FLAG_KINDS, TERMINATION_REASONS
from enforcewatch.monitoring.duedates import parse_month
from enforcewatch.monitoring.flags import state_from_item
from enforcewatch.monitoring.flagstate import CLOSED, OPEN, STATE_LABELS, STATES
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

TRANSFER_OVERDUE = "transfer_overdue"  # casework's flag (enforcewatch.casework.transfers.FLAG_KIND)
QUEUE_KINDS = (*FLAG_KINDS, TRANSFER_OVERDUE)
KIND_LABELS = {"overdue": "逾期未报", "reminder_due": "应提醒", "revocable": "可取消资格",
               "terminated": "应终止", "plaque_to_recover": "待收回牌匾", TRANSFER_OVERDUE: "转交逾期未办结"}
# What staff do to close an open flag of each kind: (action, what the button says).
ACTIONS = {
    "overdue": ("record_reminder", "记录提醒"),
    "reminder_due": ("record_reminder", "记录提醒"),
    "revocable": ("decide_revocation", "作出决定（取消资格或保留）"),
    "terminated": ("set_status", "确认终止或退出"),
    "plaque_to_recover": ("record_plaque_returned", "记录牌匾已收回"),
    TRANSFER_OVERDUE: ("close_transfer", "督促部门办理，办结后登记办结"),
}
PAGE_MAX = 200
_POINT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,31}")  # as the registry accepts them
_HIDDEN = ("pk", "sk", schema.GSI1PK, schema.GSI1SK, schema.GSI2PK, schema.GSI2SK, *flagkeys.CITY_KEYS, "stored_at")


@dataclass
class PointFlags:
    """One point's flags on a page, oldest first."""

    point_id: str
    district: str
    flags: list[dict[str, Any]] = field(default_factory=list)
    enterprise_name: str | None = None  # from the registry (None: the point is no longer in it)
    status: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"point_id": self.point_id, "district": self.district, "enterprise_name": self.enterprise_name,
                "status": self.status, "flags": self.flags}


@dataclass
class FlagPage:
    points: list[PointFlags]
    next_cursor: str | None  # None: this is the last page

    def as_json(self) -> dict[str, Any]:
        return {"points": [p.as_json() for p in self.points], "next_cursor": self.next_cursor}


@dataclass(frozen=True)
class QueueFilter:
    state: str = OPEN  # open | closed | all
    kinds: tuple[str, ...] = QUEUE_KINDS
    month: str | None = None

    @classmethod
    def parse(cls, state: str | None = OPEN, kind: str | None = None, month: str | None = None) -> QueueFilter:
        """Checked filters; every problem named by its field, in Chinese."""
        problems = []
        state = state or OPEN
        if state not in (*STATES, "all"):
            problems.append(FieldError(("state",), "状态应为 open（待处理）、closed（已关闭）或 all（全部）"))
        if kind and kind not in QUEUE_KINDS:
            problems.append(FieldError(("kind",), "标记类型应为 " + " / ".join(f"{k}（{v}）" for k, v in KIND_LABELS.items())))
        if month:
            try:
                parse_month(month)
            except ValueError:
                problems.append(FieldError(("month",), f"月份应写作 YYYY-MM，而不是“{month}”"))
        if problems:
            raise InputError("；".join(f"{p.loc[0]}: {p.msg}" for p in problems), problems)
        return cls(state, (kind,) if kind else QUEUE_KINDS, month or None)

    @property
    def prefixes(self) -> list[str]:
        """The gsi2 sort-key prefixes of the states asked for (one range per district each)."""
        states = (OPEN, CLOSED) if self.state == "all" else (self.state,)
        return [flagkeys.state_prefix(s == OPEN) for s in states]

    def wants(self, item: dict[str, Any]) -> bool:
        return item.get("kind") in self.kinds and (not self.month or flag_month(item) == self.month)


def flag_month(item: dict[str, Any]) -> str:
    """The month a flag is about: the report month for `overdue`, `reminder_due` and a `revocable` after
    a reminder; otherwise the month it was raised."""
    if item.get("kind") in ("overdue", "reminder_due"):
        return str(item["key"])
    if item.get("kind") == TRANSFER_OVERDUE:
        return str(item.get("deadline") or item["raised_on"])[:7]
    return str(item.get("month") or item["raised_on"][:7])


def flag_view(item: dict[str, Any]) -> dict[str, Any]:
    """A stored flag as staff see it: kind and state in words, the action that closes it, no keys."""
    state = state_from_item(item)
    hidden = _HIDDEN if state.is_open else (*_HIDDEN, *flagkeys.POINT_FIELDS)  # closed: as they were then
    view = {k: v for k, v in item.items() if k not in hidden}
    view.update(state.as_json(), state_label=STATE_LABELS[state.state], kind_label=KIND_LABELS.get(item["kind"]),
                month=flag_month(item))
    reason = item.get("reason")
    if reason:
        view["reason_label"] = DISQUALIFYING_REASONS.get(reason) or TERMINATION_REASONS.get(reason) or reason
    if state.is_open and item["kind"] in ACTIONS:
        view["action"], view["action_label"] = ACTIONS[item["kind"]]
    return view


def encode_cursor(point_id: str) -> str:
    return base64.urlsafe_b64encode(point_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The point id a cursor names; anything else (tampered, truncated) is refused, naming the field."""
    try:
        point_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        point_id = ""
    if not _POINT_ID.fullmatch(point_id):
        raise InputError("cursor: 翻页参数无效，请从第一页重新查看", [FieldError(("cursor",), "翻页参数无效")])
    return point_id


PER_POINT = 3  # open flags a flagged point has, about: sizes the first query of each range
GROWTH, PAGE_CAP = 4, 400


@dataclass(frozen=True)
class Span:
    """One key range the queue reads: a partition of an index and the sort-key prefix before the
    point id (a district's open or closed flags in gsi2; the city's open flags in gsi3)."""

    pk: str
    prefix: str
    index: str = schema.GSI2

    @property
    def sort_key(self) -> str:
        return schema.INDEX_KEYS[self.index][1]


def spans(districts: Sequence[str], filters: QueueFilter, city_wide: bool) -> list[Span]:
    """The ranges a page reads: gsi3's one for the open flags of every district, else one of gsi2
    per district and state."""
    if city_wide and filters.state == OPEN:
        return [Span(flagkeys.OPEN_FLAGS, "", schema.GSI3)]
    return [Span(flagkeys.flags_pk(d), p) for d in districts for p in filters.prefixes]


def _range(table: DynamoTable, span: Span, after: str | None, first: int, then: int
           ) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """One range, in key order, from after the cursor's point: a first Query of `first` items, then
    one of `then` (a whole page: point ids often cluster by district, so one district may fill the
    page), then GROWTH times larger, each after the last key read (a Limit ends a Query; no page is
    read that the merge does not ask for)."""
    start, end = (f"{span.prefix}{after}#\uffff" if after is not None else span.prefix), f"{span.prefix}\uffff"
    sizes = itertools.chain((first, then), (min(PAGE_CAP, then * GROWTH ** n) for n in itertools.count(1)))
    for size in sizes:
        got, last = 0, ""
        query = table.query(span.pk, index=span.index, sk_between=(start, end) if start else None, page_size=size)
        for item in itertools.islice(query, size):
            got, last = got + 1, item[span.sort_key]
            yield item["point_id"], last, item
        if got < size:
            return
        start = last + "\x00"  # strictly after the last key read


def _primed(ranges: list[Iterator[tuple[str, str, dict[str, Any]]]], first: int
            ) -> list[Iterator[tuple[str, str, dict[str, Any]]]]:
    """The ranges with their first query read side by side (a page of the queue starts every range
    at once; one after the other, their round trips add up). Later queries run lazily as merged."""
    if len(ranges) == 1:
        return ranges

    def head(rng: Iterator[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, str, dict[str, Any]]]:
        return list(itertools.islice(rng, first))

    with ThreadPoolExecutor(max_workers=min(8, len(ranges))) as pool:
        heads = list(pool.map(head, ranges))
    return [itertools.chain(h, rng) for h, rng in zip(heads, ranges, strict=True)]


def flag_page(table: DynamoTable, districts: Sequence[str], filters: QueueFilter | None = None,
              cursor: str | None = None, limit: int = 20, *, city_wide: bool = False) -> FlagPage:
    """Up to `limit` points (in point-id order) with their flags that match `filters` (default: open
    flags of every kind), and the cursor of the next page. `city_wide`: `districts` are every
    district (the city office's whole queue), so open flags are read from gsi3's one range."""
    filters = filters or QueueFilter()
    if not 1 <= limit <= PAGE_MAX:
        raise InputError(f"limit: 每页 1–{PAGE_MAX} 个监测点", [FieldError(("limit",), "每页数量无效")])
    after = decode_cursor(cursor) if cursor else None
    specs = spans(districts, filters, city_wide)
    in_scope = set(districts)  # gsi3 holds every district's: a district no longer listed stays out
    # The first query of each range: its share of a page of points, and a little over (points of a
    # page spread over the districts; a range that runs short reads on, a larger query at a time).
    first = min(PAGE_CAP, -(-limit * PER_POINT // max(len(specs), 1)) + 2 * PER_POINT)
    then = min(PAGE_CAP, (limit + 1) * PER_POINT)
    ranges = _primed([_range(table, span, after, first, then) for span in specs], first)
    points: list[PointFlags] = []
    for point_id, _, item in heapq.merge(*ranges, key=lambda t: (t[0], t[1])):
        if not filters.wants(item) or item.get("district") not in in_scope:
            continue
        if not points or points[-1].point_id != point_id:
            if len(points) == limit:
                return _finish(table, FlagPage(points, encode_cursor(points[-1].point_id)))
            points.append(PointFlags(point_id, item["district"]))
        points[-1].flags.append(flag_view(item))
    return _finish(table, FlagPage(points, None))


def _finish(table: DynamoTable, page: FlagPage) -> FlagPage:
    """Each point's flags oldest first, and its name and status: from its open flags, which carry
    them (`flagkeys.POINT_FIELDS`); one batch read of the registry only for points none of whose open
    flags do (flags stored before they carried them, or points with closed flags only)."""
    missing = []
    for p in page.points:
        p.flags.sort(key=lambda f: (f.get("raised_on") or "", f["kind"], f["key"]))
        carrier = next((f for f in p.flags if f.get("state") == OPEN and "enterprise_name" in f
                        and "point_status" in f), None)
        if carrier is None:
            missing.append(p)
        else:
            p.enterprise_name, p.status = carrier["enterprise_name"], carrier["point_status"]
    if missing:
        registry = {str(i["point_id"]): i for i in table.batch_get([(f"POINT#{p.point_id}", "POINT") for p in missing])}
        for p in missing:
            item = registry.get(p.point_id)
            if item is not None:
                p.enterprise_name, p.status = item.get("enterprise_name"), item.get("status") or "active"
    return page


def open_counts(table: DynamoTable, districts: Sequence[str]) -> dict[str, dict[str, int]]:
    """Open flags by district and kind: each district's open range read once (the districts side by
    side), its items counted by kind."""
    def district_counts(district: str) -> dict[str, int]:
        counts = dict.fromkeys(QUEUE_KINDS, 0)
        for item in table.query(flagkeys.flags_pk(district), flagkeys.OPEN_PREFIX, index=schema.GSI2,
                                page_size=1000):
            if item.get("kind") in counts:
                counts[item["kind"]] += 1
        return counts

    with ThreadPoolExecutor(max_workers=min(8, len(districts) or 1)) as pool:
        return dict(zip(districts, pool.map(district_counts, districts), strict=True))
