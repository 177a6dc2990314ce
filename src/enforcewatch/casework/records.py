"""What every casework record shares: ids, timestamps, China dates, the point it belongs to, the
"who and when" of each step, and one way to say a field is wrong.

Casework records live in the point's own partition (`POINT#{id}`, sort keys `DESIGNATION#`, `VERIFY#`,
`TRANSFER#`, `COMMEND#`) with the district's gsi1 key, so a point's whole history is one query and
the district scoping of `enforcewatch.staff.staffing.Scope` applies to them as to reports
(docs/data-model.md, docs/casework.md).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from enforcewatch.clock import iso_utc
from enforcewatch.errors import ConditionFailed, Conflict, FieldError, InputError
from enforcewatch.store import schema

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.store.dynamo import DynamoTable

def new_id(rng: random.Random) -> str:
    """A short random id (60 bits, lower-case hex): unique enough for one office's records."""
    return f"{rng.getrandbits(60):015x}"


def step(name: str, by: str, now: dt.datetime, **details: Any) -> dict[str, Any]:
    """One recorded step: what, who, when (UTC), and its details."""
    return {"step": name, "by": by, "at": iso_utc(now), **{k: v for k, v in details.items() if v is not None}}


def point_keys(point: dict[str, Any], sk: str) -> dict[str, str]:
    """Keys of a record in the point's partition, with the district's gsi1 key."""
    point_id, district = point["point_id"], point["district"]
    return {"pk": f"POINT#{point_id}", "sk": sk, schema.GSI1PK: f"DISTRICT#{district}",
            schema.GSI1SK: f"POINT#{point_id}#{sk}", "point_id": point_id, "district": district}


def public_fields(item: dict[str, Any]) -> dict[str, Any]:
    """An item without its keys and secrets, as the staff API shows it."""
    return {k: v for k, v in item.items()
            if not k.startswith(("pk", "sk", "gsi")) and k not in ("access_code_hash", "rev")}


def problem(field: str, message: str) -> InputError:
    return InputError(f"{field}: {message}", [FieldError((field,), message)])


def collect(problems: list[FieldError]) -> None:
    """Raise every problem at once, if any."""
    if problems:
        raise InputError("；".join(f"{'.'.join(map(str, p.loc))}: {p.msg}" for p in problems), problems)


def text(value: Any, field: str, problems: list[FieldError], *, limit: int, required: bool = True) -> str | None:
    """A trimmed text field within `limit` characters."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(FieldError((field,), "此项不能为空"))
        return None
    if not isinstance(value, str):
        problems.append(FieldError((field,), "应为文字"))
        return None
    text = value.strip()
    if len(text) > limit:
        problems.append(FieldError((field,), f"不能超过 {limit} 字"))
        return None
    return text


def date_field(value: Any, field: str, problems: list[FieldError], *, not_after: dt.date | None = None
               ) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(FieldError((field,), f"日期应写作 YYYY-MM-DD，而不是“{value}”"))
        return None
    if not_after is not None and day > not_after:
        problems.append(FieldError((field,), f"日期 {day} 晚于今天"))
        return None
    return day


def save_revision(table: DynamoTable, item: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """Update a casework record with optimistic locking on its `rev`: a concurrent change makes this
    one fail with 409, never overwrite it. Returns the record after the update."""
    rev = int(item.get("rev", 0))
    try:
        return table.update(item["pk"], item["sk"], {**fields, "rev": rev + 1}, condition="rev = :rev",
                            condition_values={":rev": rev})
    except ConditionFailed:
        raise Conflict("记录已被他人修改，请刷新后重试") from None
