"""The moto speed-up in tests/conftest.py (tests/support/motospeed.py) keeps moto's transactions as they
were: a cancelled transaction leaves the table exactly as before, a committed one writes every item, and
the table is backed up once per transaction, not once per item."""

from __future__ import annotations

import copy

import pytest
from moto.dynamodb.models.table import Table

from enforcewatch.store.dynamo import DynamoTable
from support.faults import scan

ITEMS = 30


def puts(table: DynamoTable, prefix: str, last_condition: str | None = None) -> list[dict]:
    ops = [{"Put": {"TableName": table.name, "Item": {"pk": {"S": f"{prefix}#{n}"}, "sk": {"S": "X"}}}}
           for n in range(ITEMS)]
    if last_condition:
        ops[-1]["Put"]["ConditionExpression"] = last_condition
    return ops


@pytest.fixture
def table_copies(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids of the moto tables deep-copied while the test runs."""
    copied: list[int] = []
    real = copy.deepcopy

    def counting(obj, memo=None):
        if isinstance(obj, Table):
            copied.append(id(obj))
        return real(obj, memo)

    monkeypatch.setattr(copy, "deepcopy", counting)
    return copied


def test_each_table_is_backed_up_once_per_transaction(moto_table: DynamoTable, table_copies: list[int]) -> None:
    moto_table.client.transact_write_items(TransactItems=puts(moto_table, "A"))
    moto_table.client.transact_write_items(TransactItems=puts(moto_table, "B"))
    assert len(table_copies) == 2  # moto alone: one per item, 2 * ITEMS
    assert len(scan(moto_table)) == 2 * ITEMS


def test_a_cancelled_transaction_leaves_the_table_as_before(moto_table: DynamoTable,
                                                            table_copies: list[int]) -> None:
    moto_table.client.transact_write_items(TransactItems=puts(moto_table, "A"))
    before = scan(moto_table)
    with pytest.raises(moto_table.client.exceptions.TransactionCanceledException):
        moto_table.client.transact_write_items(TransactItems=puts(moto_table, "B", "attribute_exists(pk)"))
    assert scan(moto_table) == before  # the 29 puts before the failed condition were undone
    moto_table.client.transact_write_items(TransactItems=puts(moto_table, "C"))  # the next one is backed up anew
    assert len(scan(moto_table)) == 2 * ITEMS and len(table_copies) == 3
