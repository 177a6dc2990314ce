"""A thin adapter over one DynamoDB table: the boto3 client is injected, errors become domain errors
(`dynamoerrors`), items are plain dicts of Python values (`attrvalues`)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from enforcewatch.errors import StoreUnavailable
from enforcewatch.store import schema
from enforcewatch.store.attrvalues import from_attr, serialize, to_attr
from enforcewatch.store.dynamoerrors import translate

if TYPE_CHECKING:  # pragma: no cover
    from enforcewatch.config import Settings

_NAME_REF = re.compile(r"#([A-Za-z_][A-Za-z0-9_]*)")

# BatchWriteItem calls per chunk before unprocessed items count as a persistent throttle: the backoff
# between them doubles from 0.05 s to at most 2 s (about 7 s in all).
BATCH_ATTEMPTS = 9


_TRANSACT_KINDS = {"put": "Put", "delete": "Delete", "check": "ConditionCheck", "set": "Update"}


def _transact_item(table: str, kind: str, item: Mapping[str, Any], condition: str | None,
                   values: Mapping[str, Any] | None) -> dict[str, Any]:
    """One operation of `DynamoTable.transact_write` as TransactWriteItems wants it."""
    if kind not in _TRANSACT_KINDS:
        raise ValueError(f"unknown transaction operation {kind!r}")
    names = {f"#{n}": n for n in _NAME_REF.findall(condition or "")}
    vals = {k: serialize(v) for k, v in (values or {}).items()}
    body: dict[str, Any] = {"TableName": table}
    if kind == "set":
        fields = [(k, v) for k, v in item.items() if k not in (schema.PK, schema.SK)]
        body["UpdateExpression"] = "SET " + ", ".join(f"#set{i} = :set{i}" for i in range(len(fields)))
        names.update({f"#set{i}": k for i, (k, _) in enumerate(fields)})
        vals.update({f":set{i}": serialize(v) for i, (_, v) in enumerate(fields)})
    expressions = {"ConditionExpression": condition, "ExpressionAttributeNames": names,
                   "ExpressionAttributeValues": vals}
    body.update({k: v for k, v in expressions.items() if v})
    if kind == "put":
        body["Item"] = to_attr(item)
    else:
        body["Key"] = to_attr({schema.PK: item[schema.PK], schema.SK: item[schema.SK]})
    return {_TRANSACT_KINDS[kind]: body}


class DynamoTable:
    """One table. All access to DynamoDB goes through here."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.name = table_name

    @classmethod
    def from_settings(cls, settings: Settings) -> DynamoTable:
        # cold start: boto3 loads when the first table is made, not when the module is imported
        import boto3
        from botocore.config import Config

        config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=3, read_timeout=10)
        kwargs: dict[str, Any] = {"region_name": settings.region, "config": config}
        if settings.dynamodb_endpoint:
            # DynamoDB Local accepts any credentials; never use the machine's real ones locally.
            kwargs.update(
                endpoint_url=settings.dynamodb_endpoint,
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
        return cls(boto3.client("dynamodb", **kwargs), settings.table_name)

    # -- schema -------------------------------------------------------------------------------
    def ensure_exists(self) -> bool:
        """Create the table if missing (local stack and tests), or add the indexes of the schema that a
        table kept from before lacks (`add_missing_indexes`). Returns True if it was created."""
        try:
            described = self.client.describe_table(TableName=self.name)["Table"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise translate(exc) from exc
            described = None
        if described is not None:
            self.add_missing_indexes(described)
            return False
        self.client.create_table(**schema.create_table_request(self.name))
        self.client.get_waiter("table_exists").wait(TableName=self.name, WaiterConfig={"Delay": 0.2})
        return True

    def add_missing_indexes(self, described: Mapping[str, Any]) -> list[str]:
        """Add each index of the schema the described table lacks (UpdateTable, one at a time, each
        waited for until active: DynamoDB adds one index per call). Returns the indexes added."""
        existing = {str(i["IndexName"]) for i in described.get("GlobalSecondaryIndexes", [])}
        added = []
        for update in schema.index_updates(existing):
            index = update["GlobalSecondaryIndexUpdates"][0]["Create"]["IndexName"]
            self.client.update_table(TableName=self.name, **update)
            self._wait_for_index(index)
            added.append(index)
        return added

    def _wait_for_index(self, index: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            table = self.client.describe_table(TableName=self.name)["Table"]
            status = {i["IndexName"]: i.get("IndexStatus", "ACTIVE") for i in table.get("GlobalSecondaryIndexes", [])}
            if status.get(index) == "ACTIVE":
                return
            if time.monotonic() > deadline:
                raise StoreUnavailable(f"数据表 {self.name} 的索引 {index} 仍在建立，请稍后重试")
            time.sleep(0.2)

    # -- single items ---------------------------------------------------------------------------
    def get(self, pk: str, sk: str, consistent: bool = True) -> dict[str, Any] | None:
        try:
            out = self.client.get_item(
                TableName=self.name, Key=to_attr({schema.PK: pk, schema.SK: sk}), ConsistentRead=consistent
            )
        except Exception as exc:
            raise translate(exc) from exc
        item = out.get("Item")
        return from_attr(item) if item else None

    def batch_get(self, keys: Sequence[tuple[str, str]], attempts: int = BATCH_ATTEMPTS) -> list[dict[str, Any]]:
        """The items of these (pk, sk) keys that exist (BatchGetItem, 100 a call; order not kept). Keys
        DynamoDB leaves unprocessed are asked again with backoff, as batch_put does."""
        found: list[dict[str, Any]] = []
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 100):
            pending: dict[str, Any] = {self.name: {"Keys": [to_attr({schema.PK: pk, schema.SK: sk})
                                                            for pk, sk in unique[start : start + 100]]}}
            delay = 0.05
            for attempt in range(1, attempts + 1):
                try:
                    out = self.client.batch_get_item(RequestItems=pending)
                except Exception as exc:
                    raise translate(exc) from exc
                found += [from_attr(i) for i in out.get("Responses", {}).get(self.name, [])]
                pending = out.get("UnprocessedKeys") or {}
                if not pending:
                    break
                if attempt < attempts:
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
            else:
                raise StoreUnavailable("数据存储持续繁忙，请稍后重试")
        return found

    def put(self, item: Mapping[str, Any]) -> None:
        self._put(item, None)

    def put_new(self, item: Mapping[str, Any]) -> None:
        """Write only if no item has this key; otherwise raise ConditionFailed with the existing one."""
        self._put(item, f"attribute_not_exists({schema.PK})")

    def _put(self, item: Mapping[str, Any], condition: str | None) -> None:
        kwargs: dict[str, Any] = {"TableName": self.name, "Item": to_attr(item)}
        if condition:
            kwargs["ConditionExpression"] = condition
            kwargs["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            self.client.put_item(**kwargs)
        except Exception as exc:
            raise translate(exc) from exc

    def update(
        self,
        pk: str,
        sk: str,
        set_fields: Mapping[str, Any],
        condition: str | None = f"attribute_exists({schema.PK})",
        condition_values: Mapping[str, Any] | None = None,
        remove: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Set fields on an existing item and remove the fields named in `remove`, in one write;
        returns the item after the update."""
        names = {f"#f{i}": k for i, k in enumerate(set_fields)} | {f"#r{i}": k for i, k in enumerate(remove)}
        values = {f":v{i}": v for i, v in enumerate(set_fields.values())}
        values.update(condition_values or {})
        clauses = [f"SET {', '.join(f'#f{i} = :v{i}' for i in range(len(set_fields)))}"] if set_fields else []
        clauses += [f"REMOVE {', '.join(f'#r{i}' for i in range(len(remove)))}"] if remove else []
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": to_attr({schema.PK: pk, schema.SK: sk}),
            "UpdateExpression": " ".join(clauses),
            "ExpressionAttributeNames": names,
            "ReturnValues": "ALL_NEW",
        }
        if values:
            kwargs["ExpressionAttributeValues"] = {k: serialize(v) for k, v in values.items()}
        if condition:
            kwargs["ConditionExpression"] = condition
            kwargs["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            out = self.client.update_item(**kwargs)
        except Exception as exc:
            raise translate(exc) from exc
        return from_attr(out.get("Attributes", {}))

    def increment(
        self, pk: str, sk: str, field: str, by: int = 1, *, must_exist: bool = True, expires_at: int | None = None
    ) -> dict[str, Any]:
        """Atomically add `by` to a number field (ADD); returns the item after. With must_exist=False a
        missing item is created holding just the key and the field; `expires_at` (epoch seconds) sets
        the TTL attribute when the item has none yet."""
        kwargs: dict[str, Any] = {"ConditionExpression": f"attribute_exists({schema.PK})"} if must_exist else {}
        expr = "ADD #f :by"
        names = {"#f": field}
        values = {":by": serialize(by)}
        if expires_at is not None:
            expr += " SET #ttl = if_not_exists(#ttl, :ttl)"
            names["#ttl"] = schema.TTL_ATTRIBUTE
            values[":ttl"] = serialize(expires_at)
        try:
            out = self.client.update_item(
                TableName=self.name, Key=to_attr({schema.PK: pk, schema.SK: sk}), UpdateExpression=expr,
                ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW", **kwargs,
            )
        except Exception as exc:
            raise translate(exc) from exc
        return from_attr(out.get("Attributes", {}))

    def delete(self, pk: str, sk: str) -> None:
        try:
            self.client.delete_item(TableName=self.name, Key=to_attr({schema.PK: pk, schema.SK: sk}))
        except Exception as exc:
            raise translate(exc) from exc

    def transact_put_new(self, items: Sequence[Mapping[str, Any]]) -> None:
        """Write all items or none; each must not exist yet."""
        ops = [
            {
                "Put": {
                    "TableName": self.name,
                    "Item": to_attr(item),
                    "ConditionExpression": f"attribute_not_exists({schema.PK})",
                }
            }
            for item in items
        ]
        try:
            self.client.transact_write_items(TransactItems=ops)
        except Exception as exc:
            raise translate(exc) from exc

    def transact_write(self, ops: Sequence[tuple[str, Mapping[str, Any], str | None, Mapping[str, Any] | None]],
                       token: str | None = None) -> None:
        """Up to 100 operations, all applied or none. Each op is (kind, item, condition, values): kind
        "put" (the item), "delete" or "check" (the item's key; a check needs a condition) or "set" (the key
        and the fields to set). In a condition `#name` stands for the attribute `name` (reserved words such
        as status need it); values are plain. `token` makes a retry of the same transaction after a lost
        answer a no-op instead of a second attempt."""
        out = [_transact_item(self.name, *op) for op in ops]
        kwargs: dict[str, Any] = {"TransactItems": out}
        if token:
            kwargs["ClientRequestToken"] = token
        try:
            self.client.transact_write_items(**kwargs)
        except Exception as exc:
            raise translate(exc) from exc

    def batch_put(self, items: Sequence[Mapping[str, Any]], attempts: int = BATCH_ATTEMPTS) -> None:
        """Unconditional bulk write (BatchWriteItem), 25 at a time: an item with the same key is replaced.

        Items DynamoDB leaves unprocessed (throttling) are sent again with backoff; still unprocessed
        after `attempts` calls for one chunk → StoreUnavailable (what was written stays written, so a
        caller with deterministic keys simply runs again). Keys must be unique within `items`.
        """
        self._batch_write([{"PutRequest": {"Item": to_attr(i)}} for i in items], attempts)

    def batch_delete(self, keys: Sequence[tuple[str, str]], attempts: int = BATCH_ATTEMPTS) -> None:
        """Unconditional bulk delete by (pk, sk), 25 at a time, retrying unprocessed items as batch_put does."""
        self._batch_write([{"DeleteRequest": {"Key": to_attr({schema.PK: pk, schema.SK: sk})}} for pk, sk in keys],
                          attempts)

    def _batch_write(self, all_requests: list[dict[str, Any]], attempts: int) -> None:
        for start in range(0, len(all_requests), 25):
            requests = all_requests[start : start + 25]
            pending: dict[str, Any] = {self.name: requests}
            delay = 0.05
            for attempt in range(1, attempts + 1):
                try:
                    out = self.client.batch_write_item(RequestItems=pending)
                except Exception as exc:
                    raise translate(exc) from exc
                pending = out.get("UnprocessedItems") or {}
                if not pending:
                    break
                if attempt < attempts:
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
            else:
                raise StoreUnavailable("数据存储持续繁忙，部分记录未能写入，请稍后重试")

    # -- queries --------------------------------------------------------------------------------
    def count(self, pk: str, index: str | None = None, sk_prefix: str | None = None) -> int:
        """How many items one partition (optionally of a sort-key prefix) holds: Select=COUNT, so the
        items are counted by DynamoDB and never sent."""
        kwargs = {**self._key_query(pk, sk_prefix, index, None), "Select": "COUNT"}
        total = 0
        while True:
            try:
                out = self.client.query(**kwargs)
            except Exception as exc:
                raise translate(exc) from exc
            total += int(out.get("Count", 0))
            if not out.get("LastEvaluatedKey"):
                return total
            kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]

    def _key_query(self, pk: str, sk_prefix: str | None, index: str | None,
                   sk_between: tuple[str, str] | None) -> dict[str, Any]:
        """Query arguments for one partition, optionally a sort-key prefix or range, of the table or an index."""
        hk, rk = schema.INDEX_KEYS[index] if index else (schema.PK, schema.SK)
        cond = "#h = :h"
        values: dict[str, Any] = {":h": pk}
        names = {"#h": hk}
        if sk_prefix is not None:
            cond += " AND begins_with(#r, :p)"
            values[":p"] = sk_prefix
            names["#r"] = rk
        elif sk_between is not None:
            cond += " AND #r BETWEEN :a AND :b"
            values[":a"], values[":b"] = sk_between
            names["#r"] = rk
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": cond,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {k: serialize(v) for k, v in values.items()},
        }
        if index:
            kwargs["IndexName"] = index
        return kwargs

    def query(
        self,
        pk: str,
        sk_prefix: str | None = None,
        *,
        index: str | None = None,
        sk_between: tuple[str, str] | None = None,
        consistent: bool = False,
        page_size: int | None = None,
    ) -> Iterator[dict[str, Any]]:
        """All items of one partition (optionally of a sort-key prefix or range), page by page."""
        kwargs = self._key_query(pk, sk_prefix, index, sk_between)
        if consistent and not index:  # an index is never read consistently
            kwargs["ConsistentRead"] = True
        if page_size:
            kwargs["Limit"] = page_size
        while True:
            try:
                out = self.client.query(**kwargs)
            except Exception as exc:
                raise translate(exc) from exc
            for item in out.get("Items", []):
                yield from_attr(item)
            last = out.get("LastEvaluatedKey")
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def scan_without(self, sk: str, pk_prefix: str, missing: str) -> Iterator[dict[str, Any]]:
        """Every item with sort key `sk`, a partition key starting with `pk_prefix` and no `missing`
        attribute: a filtered Scan, for a one-off repair of items written before an index key existed
        (no index finds them). Every item of the table is read: run it once and record that it ran."""
        kwargs: dict[str, Any] = {
            "TableName": self.name, "ConsistentRead": True,
            "FilterExpression": "#s = :s AND begins_with(#p, :p) AND attribute_not_exists(#m)",
            "ExpressionAttributeNames": {"#s": schema.SK, "#p": schema.PK, "#m": missing},
            "ExpressionAttributeValues": {":s": serialize(sk), ":p": serialize(pk_prefix)},
        }
        while True:
            try:
                out = self.client.scan(**kwargs)
            except Exception as exc:
                raise translate(exc) from exc
            yield from (from_attr(item) for item in out.get("Items", []))
            if not out.get("LastEvaluatedKey"):
                return
            kwargs["ExclusiveStartKey"] = out["LastEvaluatedKey"]
