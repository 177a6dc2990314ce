"""Benchmark: `deadlines run` against DynamoDB Local, as a ratio to one paginated read of the same items.

    .venv/bin/python bench/bench_deadlines.py                 # 1,000 points x 24 months
    .venv/bin/python bench/bench_deadlines.py --points 1000 --points 10000   # and the growth between them

For each size: load points, 24 months of reports (first filings; some late, some absent, a few
amendments) and a few events into a fresh in-memory DynamoDB Local table; then time
  baseline  one paginated gsi1 query per district, items deserialized and discarded (after one warm-up
            read; median of two before the first run, and of three reads alternating with the reruns);
  first     `deadlines run` on a store without flags (stores every flag history calls for);
  rerun     `deadlines run` again, three times (the daily case: reads everything, stores nothing new).
Prints seconds and ratios against the baseline measured in the same run, and the growth per size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from enforcewatch.config import Settings  # noqa: E402
from enforcewatch.jobs import daily  # noqa: E402
from enforcewatch.monitoring.deadlines import evaluate  # noqa: E402
from enforcewatch.monitoring.duedates import WorkCalendar, month_text, next_month  # noqa: E402
from enforcewatch.monitoring.flags import _collect  # noqa: E402
from enforcewatch.store import schema  # noqa: E402
from enforcewatch.store.ddblocal import DynamoDBLocal  # noqa: E402
from enforcewatch.store.dynamo import DynamoTable  # noqa: E402

DISTRICTS = ["chengguan", "xincheng", "gaoxin", "nanhu", "dongshan", "xihe"]
AS_OF = dt.date(2026, 11, 23)
MONTHS = 24
FIRST = (2024, 11)  # 2024-11 … 2026-10: all due by AS_OF


def items_for(n_points: int, rng: random.Random, calendar: WorkCalendar) -> list[dict]:
    items: list[dict] = []
    for i in range(n_points):
        pid, district = f"P{i:05d}", DISTRICTS[i % len(DISTRICTS)]
        g1 = f"DISTRICT#{district}"
        items.append({"pk": f"POINT#{pid}", "sk": "POINT", "point_id": pid, "district": district,
                      "enterprise_name": f"企业{i}", "reporting_from": month_text(*FIRST), "status": "active",
                      "designated_on": "2024-10-20", "access_code_hash": "0" * 64,
                      schema.GSI1PK: g1, schema.GSI1SK: f"POINT#{pid}#POINT"})
        y, m = FIRST
        for _ in range(MONTHS):
            month, due = month_text(y, m), calendar.due_date(y, m)
            roll = rng.random()
            if roll >= 0.03:  # 3% absent
                late = roll < 0.06  # 3% late
                day = due + dt.timedelta(days=rng.randint(1, 9)) if late else due - dt.timedelta(days=rng.randint(0, 4))
                for seq in (0, 1) if rng.random() < 0.02 else (0,):
                    sk = f"REPORT#{month}#{seq:04d}"
                    items.append({
                        "pk": f"POINT#{pid}", "sk": sk, "kind": "report", "point_id": pid, "district": district,
                        "month": month, "seq": seq, "received_at": f"{day.isoformat()}T01:{seq:02d}:00.000000Z",
                        "inspections": [{"date": f"{month}-10", "agency": "市场监督管理局", "officers": 2,
                                         "type": "双随机抽查", "outcome": "无问题"}] if rng.random() < 0.3 else [],
                        "suggestions": None, "contact": {"name": "联系人", "phone": "13800000000"},
                        schema.GSI1PK: g1, schema.GSI1SK: f"POINT#{pid}#{sk}",
                        schema.GSI2PK: f"REPORTS#{district}", schema.GSI2SK: f"{month}#{pid}#{seq:04d}"})
            y, m = next_month(y, m)
        if rng.random() < 0.02:
            sk = f"EVENT#2026-03-10#reminder-{i:08x}"
            items.append({"pk": f"POINT#{pid}", "sk": sk, "point_id": pid, "district": district, "kind": "reminder",
                          "date": "2026-03-10", "event_id": f"reminder-{i:08x}",
                          schema.GSI1PK: g1, schema.GSI1SK: f"POINT#{pid}#{sk}"})
    return [{k: v for k, v in item.items() if v is not None} for item in items]


def baseline_read(table: DynamoTable) -> int:
    return sum(1 for d in DISTRICTS for _ in table.query(f"DISTRICT#{d}", index=schema.GSI1))


ROUNDS = 3  # daily reruns, each after a read of the same items


def timed(fn):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def measure(server: DynamoDBLocal, n_points: int) -> dict[str, float]:
    calendar = WorkCalendar()
    table = DynamoTable.from_settings(Settings(table_name=f"bench{n_points}", dynamodb_endpoint=server.endpoint))
    table.ensure_exists()
    items = items_for(n_points, random.Random(n_points), calendar)
    load_s, _ = timed(lambda: table.batch_put(items))
    print(f"{n_points:>6} points: loaded {len(items):,} items in {load_s:.1f} s", flush=True)
    baseline_read(table)  # warm-up: DynamoDB Local's JIT and caches, so the first timing is not an outlier
    # Reads and runs alternate, and medians are taken, so a burst of load elsewhere hits both alike.
    base_s = statistics.median(timed(lambda: baseline_read(table))[0] for _ in range(2))
    count = baseline_read(table)
    now = dt.datetime(2026, 11, 23, 1, tzinfo=dt.UTC)
    first_s, first = timed(lambda: daily.check(table, DISTRICTS, calendar, AS_OF, now).summary)
    reads, reruns = [], []
    for _ in range(ROUNDS):
        reads.append(timed(lambda: baseline_read(table))[0])  # the same read, now with the flags stored too
        rerun_s, rerun = timed(lambda: daily.check(table, DISTRICTS, calendar, AS_OF, now).summary)
        reruns.append(rerun_s)
    base2_s, rerun_s = statistics.median(reads), statistics.median(reruns)
    # The check's own work without I/O (parse the items, evaluate the rules), on the same items in memory.
    cpu_s, _ = timed(lambda: [
        evaluate(d.points, d.reports, d.events, AS_OF, calendar) for d in [_collect(items)]])
    print(f"        baseline read of {count:,} items: {base_s:.2f} s")
    print(f"        in-process part of a run (parse + rules, no I/O): {cpu_s:.2f} s = {cpu_s / base_s:.2f}x baseline")
    print(f"        first run (stored {first.new_total:,} flags): {first_s:.2f} s  = {first_s / base_s:.2f}x baseline")
    print(f"        rerun (stored {rerun.new_total} flags, median of {ROUNDS}): {rerun_s:.2f} s  = "
          f"{rerun_s / base2_s:.2f}x baseline read with flags ({base2_s:.2f} s)", flush=True)
    return {"items": len(items), "base": base2_s, "first": first_s, "rerun": rerun_s, "cpu": cpu_s}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, action="append", help="points per run (repeatable); default 1000")
    sizes = ap.parse_args().points or [1000]
    results = {}
    with DynamoDBLocal(data_dir=None) as server:
        for n in sizes:
            results[n] = measure(server, n)
    if len(sizes) > 1:
        a, b = sizes[0], sizes[-1]
        ra, rb = results[a], results[b]
        print(f"growth {a} -> {b} points ({b / a:.0f}x points, {rb['items'] / ra['items']:.1f}x items): "
              f"baseline {rb['base'] / ra['base']:.1f}x, first run {rb['first'] / ra['first']:.1f}x, "
              f"rerun {rb['rerun'] / ra['rerun']:.1f}x, in-process part {rb['cpu'] / ra['cpu']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
