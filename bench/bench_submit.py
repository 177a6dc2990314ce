"""Per-request cost of a complaint through the submit_report Lambda handler (Mangum + FastAPI + domain),
against baselines measured in the same run: pydantic validation alone, and a bare DynamoDB `put_item`.

    .venv/bin/python bench/bench_submit.py [--requests 300] [--no-local] [--with-transaction]

Up to five measurements (median per request, after a warm-up; each request's event is prepared
before its clock starts, so the figure is the handler's work alone):
  validate      ComplaintIn.model_validate on the same body                    (baseline 1)
  handler/mem   the Lambda handler with the store replaced by an in-process fake
  floor         Mangum + FastAPI with one `async def` route that reads the same body and answers 201
                (what any FastAPI handler pays per request, for reference)
  put_item      one bare put_item of an item of the same size on DynamoDB Local (baseline 2)
  transact3     (--with-transaction) a bare transaction of 3 items (complaint, receipt, idempotency
                record): the write a complaint made before it became one conditional put
  handler/ddb   the Lambda handler against DynamoDB Local (one conditional put_item, ALL_OLD on failure)
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from mangum import Mangum

from enforcewatch.api.public.app import create_app
from enforcewatch.config import Settings
from enforcewatch.errors import ConditionFailed
from enforcewatch.intake.complaints import ComplaintIn

ROOT = Path(__file__).resolve().parents[1]
EVENT = json.loads((ROOT / "tests" / "events" / "apigw_v2_post_complaint.json").read_text(encoding="utf-8"))
REQUEST_CONTEXT = json.dumps(EVENT["requestContext"])  # a fresh copy per request, as a new event brings


class MemoryTable:
    """Just enough of DynamoTable for the complaint path, in a dict."""

    name = "memory"

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, pk: str, sk: str, consistent: bool = True) -> dict[str, Any] | None:
        return self.items.get((pk, sk))

    def put_new(self, item: dict[str, Any]) -> None:
        if (existing := self.items.get((item["pk"], item["sk"]))) is not None:
            raise ConditionFailed(dict(existing))
        self.items[(item["pk"], item["sk"])] = dict(item)


class Context:
    function_name = "submit_report"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


Prepared = tuple[Callable[[int], Any], Callable[[Any], Any]]  # (prepare an argument, the timed call)


def per_request(fns: dict[str, Callable[[int], Any] | Prepared], n: int, rounds: int = 5) -> dict[str, float]:
    """Median seconds per call of each fn; calls are interleaved in rounds so drift (JIT warm-up of
    DynamoDB Local, other load on the machine) hits every measurement alike. A (prepare, call) pair
    has its argument prepared outside the timed region."""
    pairs: dict[str, Prepared] = {name: fn if isinstance(fn, tuple) else (lambda i: i, fn) for name, fn in fns.items()}
    times: dict[str, list[float]] = {name: [] for name in fns}
    for prepare, fn in pairs.values():
        for i in range(50):
            fn(prepare(-1 - i))  # warm-up
    counter = 0
    for _round in range(rounds):
        for name, (prepare, fn) in pairs.items():
            for _ in range(max(1, n // rounds)):
                counter += 1
                arg = prepare(counter)
                start = time.perf_counter()
                fn(arg)
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def handler_call(table: Any) -> Prepared:
    app = create_app(Settings(table_name=getattr(table, "name", "bench"), content_dir=Path("/nonexistent")),
                     table, rng=random.Random(1))
    return mangum_calls(app)


def floor_call() -> Prepared:
    """The least a FastAPI route under Mangum costs per request: read the body, answer 201 JSON."""
    app = FastAPI()

    @app.post(EVENT["rawPath"])
    async def post(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True, "size": len(await request.body())}, status_code=201)

    return mangum_calls(app)


def mangum_calls(app: Any) -> Prepared:
    """`app` under Mangum, as Lambda calls it: each request a new event with its own idempotency key
    (a new complaint each time), prepared outside the timing; the call must answer 201."""
    handler = Mangum(app, lifespan="off")
    ctx = Context()
    counter = iter(range(10**9))

    def prepare(_i: int) -> dict[str, Any]:
        key = f"bench-key-{next(counter):012d}-{random.random()}"
        return {**EVENT, "headers": {**EVENT["headers"], "idempotency-key": key},
                "requestContext": json.loads(REQUEST_CONTEXT)}

    def call(event: dict[str, Any]) -> Any:
        out = handler(event, ctx)
        assert out["statusCode"] == 201, out
        return out

    return prepare, call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--no-local", action="store_true", help="skip the DynamoDB Local measurements")
    parser.add_argument("--with-transaction", action="store_true",
                        help="also time a bare 3-item transaction (the complaint's former write)")
    args = parser.parse_args()
    n = args.requests
    body = json.loads(EVENT["body"])

    results = per_request({"validate": lambda _i: ComplaintIn.model_validate(body),
                           "handler/mem": handler_call(MemoryTable()), "floor": floor_call()}, n)
    if not args.no_local:
        from enforcewatch.store.attrvalues import to_attr
        from enforcewatch.store.ddblocal import DynamoDBLocal
        from enforcewatch.store.dynamo import DynamoTable

        with DynamoDBLocal(None) as server:
            table = DynamoTable.from_settings(Settings(table_name="bench", dynamodb_endpoint=server.endpoint))
            table.ensure_exists()
            item = {"pk": "", "sk": "COMPLAINT", **body, "status": "收到", "received_at": "2026-03-03T02:00:00.000000Z"}

            def put(i: int) -> None:
                table.client.put_item(TableName=table.name, Item=to_attr({**item, "pk": f"BENCH#{i}"}))

            def transact(i: int) -> None:
                table.transact_put_new([{**item, "pk": f"BENCHT#{i}"}, {"pk": f"BENCHR#{i}", "sk": "RECEIPT"},
                                        {"pk": f"BENCHI#{i}", "sk": "IDEM", "response": {"ok": True}}])

            timed: dict[str, Any] = {"put_item": put, "handler/ddb": handler_call(table)}
            if args.with_transaction:
                timed["transact3"] = transact
            results.update(per_request(timed, n))

    print(f"complaint through the submit_report handler, median of {n} requests")
    for name, seconds in results.items():
        print(f"  {name:12s} {seconds * 1e3:8.3f} ms")
    print(f"  ratio handler/mem ÷ validate  = {results['handler/mem'] / results['validate']:.1f}")
    print(f"  handler/mem over the floor    = {(results['handler/mem'] - results['floor']) * 1e3:+.3f} ms")
    if "put_item" in results:
        print(f"  ratio handler/ddb ÷ put_item  = {results['handler/ddb'] / results['put_item']:.2f}")
        if "transact3" in results:
            print(f"  ratio handler/ddb ÷ transact3 = {results['handler/ddb'] / results['transact3']:.2f}")
        print(f"  handler overhead over its one put_item: {(results['handler/ddb'] - results['put_item']) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
