"""Stored items as the code stores them, each key built in one place (docs/data-model.md).

A factory takes what the test cares about and fills the keys: the point's own partition and its
district's gsi1 entry, so the daily check and the staff pages find it as they find real ones.
"""

from __future__ import annotations

from typing import Any

from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable


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


def put_point(table: DynamoTable, pid: str, district: str = "chengguan", reporting_from: str = "2026-01",
              status: str = "active") -> dict:
    item = point_item(pid, district, status=status, reporting_from=reporting_from, designated_on="2025-12-29",
                      enterprise_name="示范企业有限公司")
    table.put(item)
    return item


def put_report(table: DynamoTable, pid: str, month: str, received_at: str, seq: int = 0,
               district: str = "chengguan") -> None:
    sk = f"REPORT#{month}#{seq:04d}"
    table.put({"pk": f"POINT#{pid}", "sk": sk, schema.GSI1PK: f"DISTRICT#{district}",
               schema.GSI1SK: f"POINT#{pid}#{sk}", schema.GSI2PK: f"REPORTS#{district}",
               schema.GSI2SK: f"{month}#{pid}#{seq:04d}", "kind": "report", "point_id": pid,
               "district": district, "month": month, "seq": seq, "received_at": received_at,
               "inspections": []})

