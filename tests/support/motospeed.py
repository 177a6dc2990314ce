"""moto's DynamoDB transactions at the cost of one backup per table, not one per item.

`DynamoDBBackend.transact_write_items` (moto 5.2.1, unchanged in 5.2.5) backs up the table before a
transaction so that a failed one can be undone, but it deep-copies the whole table once for every item
of the transaction, keeping only the last copy: a 99-item transaction on a table of a few hundred items
makes 99 identical copies, and the registry-import tests spent most of their time there. The backup loop
runs before the transaction changes anything, so every copy of a table within one call is the same; this
hands the first one out again. Nothing else changes: the copy used to undo a failed transaction is the
same deep copy moto makes itself, and items (`update_item` copies one) are still copied each time.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest


class _Backups(threading.local):
    tables: dict[int, Any] | None = None


_backups = _Backups()


def _deepcopy(table_class: type, obj: Any, memo: dict[int, Any] | None = None) -> Any:
    tables = _backups.tables
    if tables is None or not isinstance(obj, table_class):
        return copy.deepcopy(obj, memo)
    if id(obj) not in tables:
        tables[id(obj)] = (obj, copy.deepcopy(obj, memo))  # keep obj alive: its id stays its own
    return tables[id(obj)][1]


def _one_backup_per_table(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        _backups.tables = {}
        try:
            original(self, transact_items)
        finally:
            _backups.tables = None

    return transact_write_items


@contextmanager
def one_backup_per_transaction() -> Iterator[None]:
    """While active, moto's DynamoDB backend copies each table once per TransactWriteItems call."""
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    patch = pytest.MonkeyPatch()
    shim = SimpleNamespace(**{name: getattr(copy, name) for name in ("copy", "deepcopy")})
    shim.deepcopy = functools.partial(_deepcopy, Table)
    patch.setattr(models, "copy", shim)
    patch.setattr(models.DynamoDBBackend, "transact_write_items",
                  _one_backup_per_table(models.DynamoDBBackend.transact_write_items))
    try:
        yield
    finally:
        patch.undo()
