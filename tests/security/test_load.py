"""Load: many submitters against `enforcewatch serve` on loopback, filing reports and complaints with
retries under one idempotency key each. Afterwards every acknowledged submission is in the store
exactly once. The error rate and latency percentiles are printed (no timing assertion).

Default: 20 clients for 10 s. `--slow` adds the 50 clients × 60 s run.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest

from enforcewatch.config import Settings
from enforcewatch.store.ddblocal import running_endpoint
from enforcewatch.store.dynamo import DynamoTable
from support.stack import Stack
from support.submitting import add_point, complaint, inspection, report

pytestmark = pytest.mark.ddb_local
RETRIES = 5
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    acked: dict[str, str] = field(default_factory=dict)  # marker -> kind
    receipts: list[str] = field(default_factory=list)
    given_up: list[str] = field(default_factory=list)

    def request(self, client: httpx.Client, path: str, body: dict, key: str, impatient: bool) -> dict | None:
        """Post until acknowledged (2xx) or RETRIES attempts; the same key every time. An impatient
        client gives up its first attempt after 20 ms, as a phone losing signal would, and retries:
        the server may well have stored that attempt."""
        for attempt in range(RETRIES):
            started = time.perf_counter()
            timeout = httpx.Timeout(30, read=0.02) if impatient and attempt == 0 else httpx.Timeout(30)
            try:
                r = client.post(path, json=body, headers={"Idempotency-Key": key}, timeout=timeout)
                outcome = str(r.status_code)
            except httpx.HTTPError as exc:
                r, outcome = None, type(exc).__name__
            with self.lock:
                self.latencies.append(time.perf_counter() - started)
                self.statuses[outcome] += 1
            if r is not None and r.status_code in (200, 201):
                return r.json()
            if r is not None and r.status_code < 500 and r.status_code != 429:
                raise AssertionError(f"{path}: {r.status_code} {r.text}")  # a 4xx here is a bug in the test
            time.sleep(0.05 * 2 ** attempt)
        return None


def _submitter(url: str, point: tuple[str, str], seconds: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=url, timeout=30) as client:
        while time.monotonic() < deadline:
            marker = f"LOAD-{uuid.UUID(int=rng.getrandbits(128)).hex}"
            key, impatient = f"key-{marker}", rng.random() < 0.15
            if rng.random() < 0.5:
                month = rng.choice(MONTHS)
                body = report(point[0], point[1], month=month, suggestions=marker,
                              inspections=[inspection(date=f"{month}-10")])
                answer, kind = tally.request(client, "/api/reports", body, key, impatient), "report"
            else:
                body = complaint(description=f"负载测试投诉 {marker}")
                answer, kind = tally.request(client, "/api/complaints", body, key, impatient), "complaint"
            with tally.lock:
                if answer is None:
                    tally.given_up.append(marker)
                else:
                    tally.acked[marker] = kind
                    if kind == "complaint":
                        tally.receipts.append(answer["receipt"])


def _stored_markers(table: DynamoTable) -> Counter[str]:
    found: Counter[str] = Counter()
    kwargs = {"TableName": table.name}
    while True:
        page = table.client.scan(**kwargs)
        for item in page["Items"]:
            if item["sk"]["S"].startswith("REPORT#"):
                found[item["suggestions"]["S"]] += 1
            elif item["sk"]["S"] == "COMPLAINT":
                found[item["description"]["S"].split()[-1]] += 1
        if "LastEvaluatedKey" not in page:
            return found
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _run(tmp_path, clients: int, seconds: float, capsys) -> None:
    stack = Stack(tmp_path / "data").start()
    try:
        endpoint = running_endpoint(tmp_path / "data")
        assert endpoint
        table = DynamoTable.from_settings(Settings(dynamodb_endpoint=endpoint))
        points = [(f"LD-{i:03d}", add_point(table, f"LD-{i:03d}", seed=1000 + i)) for i in range(clients)]
        tally = Tally()
        threads = [threading.Thread(target=_submitter, args=(stack.url, points[i], seconds, tally, i))
                   for i in range(clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        stored = _stored_markers(table)
        with httpx.Client(base_url=stack.url, timeout=30) as client:
            sample = tally.receipts[:: max(1, len(tally.receipts) // 20)]
            looked_up = [client.post("/api/receipts", json={"code": c}).status_code for c in sample]
    finally:
        log = stack.stop()

    acked = tally.acked
    assert acked, "nothing was acknowledged"
    lost = [m for m in acked if stored[m] == 0]
    doubled = [m for m in acked if stored[m] > 1]
    unknown = [m for m in stored if m not in acked and m not in tally.given_up]
    assert lost == [] and doubled == [] and unknown == []
    assert set(looked_up) == {200}
    assert not any(code in log for code in tally.receipts) and not any(p[1] in log for p in points)
    assert "Traceback" not in log

    total = sum(tally.statuses.values())
    abandoned = tally.statuses["ReadTimeout"]
    errors = total - tally.statuses["200"] - tally.statuses["201"] - abandoned
    lat = sorted(tally.latencies)
    p50, p99 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    with capsys.disabled():
        print(f"\nload: {clients} clients × {seconds:.0f} s ({elapsed:.1f} s): {total} requests, "  # noqa: T201
              f"{len(acked)} acknowledged ({Counter(acked.values())}), {len(tally.given_up)} given up, "
              f"lost 0, stored twice 0; {abandoned} attempts abandoned by the client and retried; "
              f"server error rate {errors / total:.2%} {dict(tally.statuses)}; "
              f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, {total / elapsed:.1f} req/s")


def test_load_short(tmp_path, ddb_local_server, capsys) -> None:
    _run(tmp_path, clients=20, seconds=10, capsys=capsys)


@pytest.mark.slow
def test_load_long(tmp_path, ddb_local_server, capsys) -> None:
    _run(tmp_path, clients=50, seconds=60, capsys=capsys)
