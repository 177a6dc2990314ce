"""Contract tests of the table adapter, against moto and DynamoDB Local."""

from __future__ import annotations

import pytest

from enforcewatch.errors import ConditionFailed, StoreUnavailable
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable


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


def _reference_from_attr(item: dict) -> dict:
    """The straightforward decoding: boto3's TypeDeserializer, then Decimal → int/float."""
    from boto3.dynamodb.types import TypeDeserializer

    from enforcewatch.store.attrvalues import plain

    return {k: plain(TypeDeserializer().deserialize(v)) for k, v in item.items()}


def test_item_decoding_is_exactly_boto3s() -> None:
    from enforcewatch.store.attrvalues import from_attr, to_attr

    numbers = ["0", "-0", "7", "-12", "123456789012345678", "1234567890123456789", "12345678901234567890123",
               "1.5", "-0.25", "0.10", "1E+2", "1e-3", "100.000", "3.14159265358979323846", "-1234567.5"]
    item = {
        "pk": {"S": "POINT#A"}, "empty": {"S": ""}, "yes": {"BOOL": True}, "no": {"BOOL": False},
        "nothing": {"NULL": True}, "tags": {"SS": ["b", "a", "c"]}, "ns": {"NS": ["3", "1.5", "-2"]},
        "blob": {"B": b"\x00\x01"}, "blobs": {"BS": [b"\x02"]},
        **{f"n{i}": {"N": n} for i, n in enumerate(numbers)},
        "nested": {"M": {"l": {"L": [{"N": "1"}, {"S": "x"}, {"M": {"deep": {"N": "2.5"}}}, {"NULL": True},
                                     {"L": []}, {"M": {}}]}, "s": {"S": "=SUM(A1)"}}},
    }
    assert from_attr(item) == _reference_from_attr(item)
    assert [type(v) for v in from_attr(item).values()] == [type(v) for v in _reference_from_attr(item).values()]
    plain = {"pk": "A", "n": 5, "f": "1.5", "l": [1, {"x": [True, None]}], "m": {"a": ["b"]}}
    assert from_attr(to_attr(plain)) == plain
    with pytest.raises(Exception):  # noqa: B017 - more digits than DynamoDB keeps: boto3 refuses, and so do we
        from_attr({"n": {"N": "1" * 40}})


def test_batch_put_retries_unprocessed_items_then_gives_up(monkeypatch: pytest.MonkeyPatch) -> None:
    from enforcewatch.store import dynamo

    class Throttling:
        def __init__(self, unprocessed_calls: int) -> None:
            self.left, self.calls, self.written = unprocessed_calls, [], []

        def batch_write_item(self, RequestItems):  # noqa: N803 - boto3's name
            requests = RequestItems["t"]
            self.calls.append(len(requests))
            if self.left:  # keep the last request back, as a throttled table does
                self.left -= 1
                self.written += requests[:-1]
                return {"UnprocessedItems": {"t": requests[-1:]}}
            self.written += requests
            return {"UnprocessedItems": {}}

    sleeps: list[float] = []
    monkeypatch.setattr(dynamo.time, "sleep", sleeps.append)
    items = [{"pk": "A", "sk": f"{i:02d}"} for i in range(30)]
    client = Throttling(unprocessed_calls=3)
    DynamoTable(client, "t").batch_put(items)
    assert client.calls == [25, 1, 1, 1, 5] and len(client.written) == 30
    assert sleeps == [0.05, 0.1, 0.2]

    sleeps.clear()
    stuck = Throttling(unprocessed_calls=1000)
    with pytest.raises(StoreUnavailable):
        DynamoTable(stuck, "t").batch_put(items)
    assert len(stuck.calls) == dynamo.BATCH_ATTEMPTS and len(sleeps) == dynamo.BATCH_ATTEMPTS - 1
    assert max(sleeps) == 2.0
