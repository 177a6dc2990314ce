"""Benchmark: the staff workspace's dashboard and the flag queue's first page against DynamoDB Local,
each as a ratio to one paginated read of the same items (issue 16).

    .venv/bin/python bench/bench_workspace.py                    # 1,200 points (200 per district)
    .venv/bin/python bench/bench_workspace.py --points 10000     # the issue's size

The city is the demo's (enforcewatch.commands.demo: a year of reports with late and missing months,
events, and the flags of the daily check with their states), written to a fresh in-memory table. Then,
median of five after one warm-up each:
  dashboard   `staff.dashboard.build` for the office (six districts);
  its base    one paginated read of the items it is built from: each district's points (gsi2 POINTS#),
              the month's reports (gsi2 REPORTS# from the month) and its open flags (gsi2 FLAGS#
              from OPEN#, counted by kind), deserialized and discarded;
  queue       `staffing.flag_queue` first page (20 points, open flags of every kind, all districts);
  its base    one paginated read of as many open flag items as the page shows (gsi2 FLAGS# from
              OPEN#, district after district).
Prints RESULT lines: name, figure, baseline, unit, ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from enforcewatch.commands import demo  # noqa: E402
from enforcewatch.config import Settings  # noqa: E402
from enforcewatch.monitoring.duedates import load_calendar  # noqa: E402
from enforcewatch.staff import dashboard, staffing  # noqa: E402
from enforcewatch.staff.staffing import Scope  # noqa: E402
from enforcewatch.store import schema  # noqa: E402
from enforcewatch.store.ddblocal import DynamoDBLocal  # noqa: E402
from enforcewatch.store.dynamo import DynamoTable  # noqa: E402

CONTENT = ROOT / "site" / "content"
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def timed(fn: Callable[[], object], runs: int = 5) -> float:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=1200)
    args = parser.parse_args()
    today = (NOW + dt.timedelta(hours=8)).date()
    with DynamoDBLocal(None) as server:
        table = DynamoTable.from_settings(Settings(table_name="bench", dynamodb_endpoint=server.endpoint))
        table.ensure_exists()
        items, districts = demo.city_items(CONTENT, today, random.Random(8), per_district=args.points // 6)
        calendar = load_calendar(CONTENT)
        raised = demo.stored_flags(items, today, calendar, NOW)
        demo.write_items(table, items + raised)
        open_flags = sum(1 for f in raised if not f.get("closed_because"))
        print(f"{args.points} points: loaded {len(items) + len(raised):,} items ({len(raised):,} flags, "
              f"{open_flags:,} open)", flush=True)
        office = Scope("bench", "office", None, tuple(districts))
        month = dashboard.reporting_month(today)

        def base_dashboard() -> None:
            for d in districts:
                for _ in table.query(f"REPORTS#{d}", f"{month}#", index=schema.GSI2):
                    pass
                for _ in table.query(f"POINTS#{d}", index=schema.GSI2):
                    pass
                for _ in table.query(f"FLAGS#{d}", "OPEN#", index=schema.GSI2, page_size=1000):
                    pass

        dash = timed(lambda: dashboard.build(table, office, calendar, today, 10))
        dash_base = timed(base_dashboard)
        page = staffing.flag_queue(table, office, limit=20)
        shown = sum(len(p.flags) for p in page.points)

        def base_queue() -> None:
            left = shown
            for d in districts:
                for _ in table.query(f"FLAGS#{d}", "OPEN#", index=schema.GSI2, page_size=max(1, left)):
                    left -= 1
                    if left <= 0:
                        return

        queue = timed(lambda: staffing.flag_queue(table, office, limit=20))
        queue_base = timed(base_queue)
        print(f"dashboard {dash:.3f} s vs read of its items {dash_base:.3f} s: {dash / dash_base:.2f}x")
        print(f"flag queue first page ({len(page.points)} points, {shown} flags) {queue:.3f} s "
              f"vs read of {shown} flag items {queue_base:.3f} s: {queue / queue_base:.2f}x")
        print(f"RESULT\tdashboard, {args.points} points\t{dash:.4f}\t{dash_base:.4f}\ts\tratio")
        print(f"RESULT\tflag queue first page, {args.points} points\t{queue:.4f}\t{queue_base:.4f}\ts\tratio")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
