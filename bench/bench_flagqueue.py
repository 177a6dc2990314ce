"""Benchmark: the flag queue's first page and the dashboard, each as a ratio to one paginated read of
as many items, on DynamoDB Local (issue 16).

    .venv/bin/python bench/bench_flagqueue.py                  # 1,000 points x 24 months
    .venv/bin/python bench/bench_flagqueue.py --points 10000   # the size the issue names

For each size: the registry, reports and events of bench_deadlines.py, indexed and flagged by one
`deadlines run` (a year and more of flags), then, interleaved and median of five:
  queue       the office's first page of open flags (20 points, every district, every kind);
  queue base  one paginated gsi2 read per district of as many flag items as the page shows;
  all flags   for reference, what the staff API returned before: every stored flag, unpaged;
  dashboard   the current reporting month's figures for every district (office, no complaints);
  dash base   one paginated read of the items it is built from: each district's registry
              (POINTS#), the month's reports (REPORTS#) and its open flags (read, not counted).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from bench_deadlines import AS_OF, DISTRICTS, items_for  # noqa: E402

from enforcewatch.config import Settings  # noqa: E402
from enforcewatch.insights.dashboard import dashboard, reporting_month  # noqa: E402
from enforcewatch.monitoring import flags  # noqa: E402
from enforcewatch.monitoring.duedates import WorkCalendar  # noqa: E402
from enforcewatch.staff import staffing  # noqa: E402
from enforcewatch.store import schema  # noqa: E402
from enforcewatch.store.ddblocal import DynamoDBLocal  # noqa: E402
from enforcewatch.store.dynamo import DynamoTable  # noqa: E402

OFFICE = staffing.Scope("bench", "office", None, tuple(DISTRICTS))
ROUNDS = 5


def timed(fn):  # noqa: ANN001, ANN201
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def read_n(table: DynamoTable, pk: str, n: int, **kwargs: object) -> int:
    got = 0
    for _ in table.query(pk, index=schema.GSI2, page_size=max(n, 1), **kwargs):  # type: ignore[arg-type]
        got += 1
        if got >= n:
            break
    return got


def measure(server: DynamoDBLocal, n_points: int) -> None:
    calendar = WorkCalendar()
    table = DynamoTable.from_settings(Settings(table_name=f"queue{n_points}", dynamodb_endpoint=server.endpoint))
    table.ensure_exists()
    items = items_for(n_points, random.Random(n_points), calendar)
    table.batch_put(items)
    now = dt.datetime(2026, 11, 23, 1, tzinfo=dt.UTC)
    run = flags.run(table, DISTRICTS, calendar, AS_OF, now)  # stores the flags and indexes the registry
    stored = sum(sum(c.values()) for c in run.current.values())
    page = staffing.flag_queue(table, OFFICE)
    shown: dict[str, int] = {}
    for p in page.points:
        shown[p.district] = shown.get(p.district, 0) + len(p.flags)
    month = reporting_month(AS_OF)
    names = {d: d for d in DISTRICTS}

    def queue() -> object:
        return staffing.flag_queue(table, OFFICE)

    def queue_base() -> int:
        return sum(read_n(table, f"FLAGS#{d}", n, sk_prefix="OPEN#") for d, n in shown.items())

    def all_flags() -> int:
        return sum(1 for _ in staffing.flags(table, OFFICE, None, "all"))

    def board() -> object:
        return dashboard(table, OFFICE, calendar, AS_OF, names, 10)  # no complaints in this data set

    def board_base() -> int:
        total = 0
        for d in DISTRICTS:
            total += sum(1 for _ in table.query(f"POINTS#{d}", index=schema.GSI2))
            total += sum(1 for _ in table.query(f"REPORTS#{d}", index=schema.GSI2,
                                                sk_between=(f"{month}#", f"{month}#\uffff")))
            total += sum(1 for _ in table.query(f"FLAGS#{d}", "OPEN#", index=schema.GSI2, page_size=1000))
        return total

    for fn in (queue, queue_base, board, board_base):  # warm-up
        fn()
    times: dict[str, list[float]] = {k: [] for k in ("queue", "qbase", "all", "board", "bbase")}
    for _ in range(ROUNDS):
        times["qbase"].append(timed(queue_base)[0])
        times["queue"].append(timed(queue)[0])
        times["bbase"].append(timed(board_base)[0])
        times["board"].append(timed(board)[0])
    times["all"].append(timed(all_flags)[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{n_points:>6} points: {len(items):,} items, {stored:,} flags stored", flush=True)
    print(f"        queue first page ({len(page.points)} points, {sum(shown.values())} flags): {med['queue'] * 1000:.1f} ms"
          f" = {med['queue'] / med['qbase']:.2f}x a paginated read of as many items ({med['qbase'] * 1000:.1f} ms)")
    print(f"        every stored flag, unpaged (the staff API before): {med['all'] * 1000:.1f} ms"
          f" = {med['all'] / med['queue']:.1f}x the first page")
    print(f"        dashboard ({month}, {len(DISTRICTS)} districts): {med['board'] * 1000:.1f} ms"
          f" = {med['board'] / med['bbase']:.2f}x one paginated read of its items ({med['bbase'] * 1000:.1f} ms,"
          f" {board_base():,} items)", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, action="append", help="points per run (repeatable); default 1000")
    sizes = ap.parse_args().points or [1000]
    with DynamoDBLocal(data_dir=None) as server:
        for n in sizes:
            measure(server, n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
