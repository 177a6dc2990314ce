"""Stored items as the code stores them, each key built in one place (docs/data-model.md).

A factory takes what the test cares about and fills the keys: the point's own partition and its
district's gsi1 entry, so the daily check and the staff pages find it as they find real ones.
"""

from __future__ import annotations

from typing import Any

from enforcewatch.store import schema


def point_keys(point_id: str, district: str) -> dict[str, str]:
    """The keys of a point's registry item (`POINT#{id}` / `POINT`, listed under its district)."""
    return {schema.PK: f"POINT#{point_id}", schema.SK: "POINT", schema.GSI1PK: f"DISTRICT#{district}",
            schema.GSI1SK: f"POINT#{point_id}#POINT"}


def point_item(point_id: str, district: str, *, status: str | None = "active", **fields: Any) -> dict[str, Any]:
    """A registered point with its keys; `fields` adds or overrides attributes (status None leaves it out)."""
    item: dict[str, Any] = {"point_id": point_id, "district": district, **point_keys(point_id, district)}
    if status is not None:
        item["status"] = status
    return {**item, **fields}
