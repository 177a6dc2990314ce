"""Where stored flags sit in gsi2, so the queue's first page is a few Query calls with a Limit.

Every flag of a district (the deadline check's and casework's `transfer_overdue`) is one item under
gsi2 `FLAGS#{district}` (`FLAGS#office` for transfers of complaint clues), sorted by state first,
then point:

    OPEN#{point_id}#{kind}#{key}      while the flag is open
    CLOSED#{point_id}#{kind}#{key}    once it is closed

So the open flags of a district, grouped by point, are one key range (`OPEN#`): the queue's first
page is one Query with a Limit per district in scope, whatever the kind or month. The key lives on
the flag item itself, so the closing write (a conditional UpdateItem setting `closed_because`) moves
the flag out of the open range in the same write; there is no second index item to keep in step.

Flags stored before this layout carry `{kind}#{point_id}#{key}` (open) or
`closed#{kind}#{point_id}#{key}` (lower case: outside both ranges). The daily check rewrites them
(`rekey`), each write conditional on the state the key is chosen for, so a flag closed meanwhile is
never put back in the open range.

The city office's queue (every district, open flags) reads one range instead of one per district:
each open flag of a point also carries the sparse gsi3 keys

    gsi3pk = OPENFLAGS    gsi3sk = {point_id}#{kind}#{key}

(`city_keys`), and nothing else does: closed flags and the office's own transfers of complaint clues
(`FLAGS#office`, not in the queue of points) have none. The closing write removes them in the same
conditional UpdateItem that moves gsi2sk to `CLOSED#`; `rekey` gives open flags stored before gsi3
their keys and takes them off a closed flag that kept them, so existing data moves with the daily job.
One partition holds every open flag of the city. That is fine at this scale: an on-demand index
partition takes thousands of writes a second, and the daily check writes a few thousand flags a day
(a 10,000-point city has about 10,000 open); staff actions close a handful at a time. A city tens of
times larger would shard the key (OPENFLAGS#0..n) and merge the shards, as the districts are now.

An open flag also carries its point's `enterprise_name` and `point_status` (POINT_FIELDS), so the
queue's page needs no second read for them; `refresh_open` keeps them in step when the registry
import or a staff action changes the point. Closed flags keep what they had when they closed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from enforcewatch.errors import ConditionFailed
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

OPEN_PREFIX, CLOSED_PREFIX = "OPEN#", "CLOSED#"
OPEN_FLAGS = "OPENFLAGS"  # gsi3pk of every open flag of a point (the index is sparse)
CITY_KEYS = (schema.GSI3PK, schema.GSI3SK)  # what a closing write removes
# The condition of a write that assumes the flag is still open.
STILL_OPEN = f"attribute_exists({schema.PK}) AND attribute_not_exists(closed_because)"


# The point's fields an open flag carries (flag field: point field).
POINT_FIELDS = {"enterprise_name": "enterprise_name", "point_status": "status"}


def point_fields(point: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a new flag of this point carries, from its stored registry item."""
    return {flag_field: point[name] for flag_field, name in POINT_FIELDS.items() if point.get(name) is not None}


def refresh_open(table: DynamoTable, point_id: str, fields: Mapping[str, Any]) -> int:
    """Set `fields` (flag fields of POINT_FIELDS) on the point's open flags (its own partition, one
    Query); each write holds only while the flag is still open. Returns how many changed."""
    changed = 0
    for item in table.query(f"POINT#{point_id}", "FLAG#"):
        if item.get("closed_because") or all(item.get(k) == v for k, v in fields.items()):
            continue
        try:
            table.update(item[schema.PK], item[schema.SK], dict(fields), condition=STILL_OPEN)
        except ConditionFailed:
            continue  # closed meanwhile: it keeps the fields it closed with
        changed += 1
    return changed


def flags_pk(bucket: str) -> str:
    """The gsi2 partition of a district's flags (or `office`: the city office's own transfers)."""
    return f"FLAGS#{bucket}"


def flag_gsi2sk(kind: str, point_id: str, key: str, is_open: bool = True) -> str:
    """Open flags sort by point, then kind and key; closed ones the same under `CLOSED#`."""
    return f"{OPEN_PREFIX if is_open else CLOSED_PREFIX}{point_id}#{kind}#{key}"


def state_prefix(is_open: bool) -> str:
    return OPEN_PREFIX if is_open else CLOSED_PREFIX


def expected_gsi2sk(item: Mapping[str, Any]) -> str:
    """The sort key a stored flag should have for the state it has (`closed_because` set: closed)."""
    owner = item.get("point_id") or item.get("complaint_id") or ""
    return flag_gsi2sk(str(item["kind"]), str(owner), str(item["key"]), not item.get("closed_because"))


def city_keys(kind: str, point_id: str, key: str) -> dict[str, str]:
    """The gsi3 keys of an open flag of a point: one city-wide range, by point, then kind and key."""
    return {schema.GSI3PK: OPEN_FLAGS, schema.GSI3SK: f"{point_id}#{kind}#{key}"}


def expected_city_keys(item: Mapping[str, Any]) -> dict[str, str]:
    """The gsi3 keys a stored flag should have: those of an open flag in a district's range of gsi2
    (a point's, with its district); none for a closed flag or the office's own (complaint clues)."""
    if item.get("closed_because") or not item.get("point_id") or not item.get("district"):
        return {}
    return city_keys(str(item["kind"]), str(item["point_id"]), str(item["key"]))


def key_changes(item: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """What gives a stored flag the keys of its state and of this layout: fields to set, to remove."""
    fields: dict[str, Any] = {}
    want = expected_gsi2sk(item)
    if item.get(schema.GSI2SK) != want:
        fields[schema.GSI2SK] = want
    city = expected_city_keys(item)
    fields.update({k: v for k, v in city.items() if item.get(k) != v})
    remove = [] if city else [k for k in CITY_KEYS if k in item]
    if fields and not item.get("closed_because") and not item.get("state"):
        fields["state"] = "open"
    return fields, remove


def key_open_flags(table: DynamoTable, districts: Iterable[str]) -> int:
    """Give every open flag of the districts the keys of this layout (gsi3's included): each
    district's open range of gsi2 read once and rekeyed; returns how many changed. The daily check
    does this as it goes; this is for a table kept from before gsi3 (the local stack on start), so the
    city office's queue is whole at once instead of after the next daily run."""
    return sum(rekey(table, table.query(flags_pk(d), OPEN_PREFIX, index=schema.GSI2, page_size=1000))
               for d in districts)


def rekey(table: DynamoTable, items: Iterable[Mapping[str, Any]]) -> int:
    """Give flags stored under an older layout the keys of this one (gsi2's sort key; an open flag's
    gsi3 keys, which a closed one loses); returns how many changed. An open flag's write holds only
    while it is still open; a closed flag's keys are final. Idempotent: a flag already keyed is skipped."""
    changed = 0
    for item in items:
        if schema.GSI2PK not in item:
            continue
        fields, remove = key_changes(item)
        if not fields and not remove:
            continue
        is_open = not item.get("closed_because")
        try:
            table.update(item[schema.PK], item[schema.SK], fields,
                         condition=STILL_OPEN if is_open else f"attribute_exists({schema.PK})", remove=remove)
        except ConditionFailed:
            continue  # closed meanwhile: its closing write set the closed key
        changed += 1
    return changed
