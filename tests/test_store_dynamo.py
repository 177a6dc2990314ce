"""Contract tests of the table adapter, against moto and DynamoDB Local."""

from __future__ import annotations

import pytest

from enforcewatch.errors import StoreUnavailable
from enforcewatch.store import schema
from enforcewatch.store.dynamo import ConditionFailed, DynamoTable


def test_put_new_refuses_second_write_and_returns_existing(table: DynamoTable) -> None:
    table.put_new({"pk": "A", "sk": "1", "v": "first"})
    with pytest.raises(ConditionFailed) as caught:
        table.put_new({"pk": "A", "sk": "1", "v": "second"})
    assert table.get("A", "1") == {"pk": "A", "sk": "1", "v": "first"}
    # DynamoDB Local returns the old item (ALL_OLD); moto may not.
    if caught.value.existing is not None:
        assert caught.value.existing["v"] == "first"


def test_query_pages_through_a_partition_in_order(table: DynamoTable) -> None:
    table.batch_put([{"pk": "P", "sk": f"R#{i:03d}", "n": i} for i in range(60)])
    items = list(table.query("P", "R#", page_size=7))
    assert [i["n"] for i in items] == list(range(60))


def test_query_by_index_and_range(table: DynamoTable) -> None:
    for month in ("2026-01", "2026-02", "2026-03"):
        table.put({"pk": f"X#{month}", "sk": "S", schema.GSI2PK: "REPORTS#d1", schema.GSI2SK: f"{month}#p1"})
    got = list(table.query("REPORTS#d1", index=schema.GSI2, sk_between=("2026-02", "2026-03~")))
    assert [g[schema.GSI2SK] for g in got] == ["2026-02#p1", "2026-03#p1"]


def test_update_requires_existing_item(table: DynamoTable) -> None:
    with pytest.raises(ConditionFailed):
        table.update("none", "none", {"status": "x"})
    table.put({"pk": "U", "sk": "1", "status": "new"})
    assert table.update("U", "1", {"status": "done"})["status"] == "done"


def test_transaction_writes_all_or_nothing(table: DynamoTable) -> None:
    table.put({"pk": "T", "sk": "2"})
    with pytest.raises(ConditionFailed):
        table.transact_put_new([{"pk": "T", "sk": "1"}, {"pk": "T", "sk": "2"}])
    assert table.get("T", "1") is None


def test_unreachable_store_is_unavailable_not_a_crash() -> None:
    from enforcewatch.config import Settings

    dead = DynamoTable.from_settings(Settings(table_name="x", dynamodb_endpoint="http://127.0.0.1:9"))
    with pytest.raises(StoreUnavailable):
        dead.get("a", "b")
