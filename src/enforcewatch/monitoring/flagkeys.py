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


def rekey(table: DynamoTable, items: Iterable[Mapping[str, Any]]) -> int:
    """Give flags stored under an older layout the sort key of this one; returns how many changed.
    An open flag's write holds only while it is still open; a closed flag's key is final."""
    changed = 0
    for item in items:
        want = expected_gsi2sk(item)
        if item.get(schema.GSI2SK) == want or schema.GSI2PK not in item:
            continue
        is_open = not item.get("closed_because")
        fields: dict[str, Any] = {schema.GSI2SK: want}
        if is_open and not item.get("state"):
            fields["state"] = "open"
        try:
            table.update(item[schema.PK], item[schema.SK], fields,
                         condition=STILL_OPEN if is_open else f"attribute_exists({schema.PK})")
        except ConditionFailed:
            continue  # closed meanwhile: its closing write set the closed key
        changed += 1
    return changed
