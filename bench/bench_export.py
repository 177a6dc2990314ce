"""Benchmark: exporting report rows as CSV and XLSX against a plain read of the same rows.

Each case runs in its own process so peak memory (ru_maxrss) belongs to that case alone. Rows come
from an in-memory generator shaped like stored reports (two inspections each, so N rows = N/2
reports); the writers see them one at a time, as they would from the store's pages. Prints seconds,
peak RSS and the ratio to the plain read measured in the same run, at 10,000 and 100,000 rows, so
flat memory (XLSX included) shows as the same peak at both sizes.

    .venv/bin/python bench/bench_export.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any


def reports(rows: int) -> Iterator[dict[str, Any]]:
    for n in range(rows // 2):
        month = f"2026-{n % 12 + 1:02d}"
        yield {
            "point_id": f"P{n:06d}", "district": ("chengguan", "xincheng", "gaoxin")[n % 3], "month": month,
            "seq": 0, "received_at": f"{month}-03T02:00:00.000000Z", "no_inspections": False,
            "suggestions": f"建议{n}：减少重复检查，=SUM(A1)" if n % 7 == 0 else "",
            "contact_name": "张三", "contact_phone": "13800000000",
            "inspections": [
                {"date": f"{month}-1{i}", "agency": ("市场监管局", "税务局", "应急管理局")[(n + i) % 3],
                 "officer_count": 2, "credentials_shown": "是", "inspection_type": "双随机抽查",
                 "filed_or_scanned": "是", "items_checked": f"检查事项 {n}-{i} 消防通道、台账",
                 "outcome": "无问题", "misconduct": ["重复检查"] if i else [], "satisfaction": "满意",
                 "comment": f"备注 {n}-{i}"}
                for i in range(2)
            ],
        }


def run_case(mode: str, rows: int) -> dict[str, float]:
    from enforcewatch.staff import exports

    start = time.perf_counter()
    source = exports.report_rows(reports(rows))
    headers = [h for h, _ in exports.REPORT_COLUMNS]
    size = count = 0
    if mode == "read":
        for row in source:
            count += 1
            size += len(row)
    else:
        writer = exports.csv_chunks if mode == "csv" else exports.xlsx_chunks
        for chunk in writer(headers, source):
            size += len(chunk)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    return {"seconds": seconds, "peak_mib": peak_mib, "bytes": size}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--case", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.case:
        mode, rows = args.case.split(":")
        print(json.dumps(run_case(mode, int(rows))))
        return 0
    sizes = sorted({args.rows // 10, args.rows})
    results: dict[tuple[str, int], dict[str, float]] = {}
    for rows in sizes:
        for mode in ("read", "csv", "xlsx"):
            out = subprocess.run([sys.executable, __file__, "--case", f"{mode}:{rows}"], check=True,
                                 capture_output=True, text=True)
            results[(mode, rows)] = json.loads(out.stdout)
    print(f"{'case':<6}{'rows':>9}{'seconds':>10}{'× read':>9}{'peak MiB':>11}{'Δ vs read':>11}{'output MB':>11}")
    for rows in sizes:
        base = results[("read", rows)]
        for mode in ("read", "csv", "xlsx"):
            r = results[(mode, rows)]
            print(f"{mode:<6}{rows:>9}{r['seconds']:>10.2f}{r['seconds'] / base['seconds']:>9.1f}"
                  f"{r['peak_mib']:>11.1f}{r['peak_mib'] - base['peak_mib']:>+11.1f}"
                  f"{(r['bytes'] / 1e6 if mode != 'read' else 0):>11.1f}")
    small, large = sizes[0], sizes[-1]
    for mode in ("csv", "xlsx"):
        grow = results[(mode, large)]["peak_mib"] - results[(mode, small)]["peak_mib"]
        print(f"{mode}: peak memory grows {grow:+.1f} MiB from {small:,} to {large:,} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
