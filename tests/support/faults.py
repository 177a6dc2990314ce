"""A store that fails on purpose: the real boto3 client with chosen calls failing, and a raw scan."""

from __future__ import annotations

from enforcewatch.store.dynamo import DynamoTable


class Faulty:
    """The real boto3 client, except that calls number `fail_on` (1-based) of `op` fail: before they reach
    the store, or after they were applied with the answer lost (where a retry must not store twice)."""

    def __init__(self, client, op: str, error: Exception, after: bool = False, fail_on: tuple[int, ...] = (1,)):
        self._client, self._op, self._error, self._after, self._fail_on = client, op, error, after, fail_on
        self.calls = 0

    def __getattr__(self, name: str):
        real = getattr(self._client, name)
        if name != self._op:
            return real

        def call(**kwargs):
            self.calls += 1
            if self.calls not in self._fail_on:
                return real(**kwargs)
            return self._fault(real, kwargs)

        return call

    def _fault(self, real, kwargs):
        if self._after:
            real(**kwargs)
        raise self._error


def scan(table: DynamoTable) -> list[dict]:
    out, kwargs = [], {"TableName": table.name}
    while True:
        page = table.client.scan(**kwargs)
        out += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(out, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
