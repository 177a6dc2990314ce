"""Run every benchmark in bench/ and print one table: figure, baseline measured in the same run,
and their ratio, as median (min–max) over repeated runs, with the targets of issues #8 and #20.

    bench/run                 # modest sizes (the machine is shared); about 10 minutes
    bench/run --full          # the sizes the targets name (10,000 items, 10,000 points, 100,000 rows)
    bench/run --only build    # one benchmark (build, import, submit, deadlines, export, draws, sheets, workspace)
    bench/run --only workspace --staff-points 10000   # the staff pages at the issue's size (slow)

Each benchmark runs in its own process, `--repeat` times (default 3); its own output is shown as it
runs. Figures come from its RESULT lines where it prints them (build, import), otherwise from its
report lines. Ratios are what count: the machine is noisy, so the load average is printed too.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
Row = tuple[str, float, float, str, str]  # name, figure, baseline, unit, "ratio" | "diff"
TARGETS = {
    "shipped x10": "figure < 1 s", "build": "≤ 1.0×", "rebuild": "≤ 0.1×", "handler": "≤ +0.3 ms",
    "complaint": "≤ 1.3×", "deadlines": "≤ 1.5×", "export csv": "≤ 2×", "export xlsx": "flat",
    "import": "≤ 1.15× floor", "staff pages": "≤ 2×", "draw": "well under 1 s (issue 21)",
    "flag queue": "≤ 2×", "dashboard": "≤ 2×",
}


# Targets of issue #20 that no script here measures yet, printed under the table so none is forgotten.
NOT_BENCHMARKED = (
    "scripts/test on a fresh clone under 6 minutes: timed by running it, not by a benchmark",
)


def result_lines(out: str) -> list[Row]:
    rows = []
    for line in out.splitlines():
        if line.startswith("RESULT\t"):
            _, name, fig, base, unit, kind = line.split("\t")
            rows.append((name, float(fig), float(base), unit, kind))
    return rows


def submit_rows(out: str) -> list[Row]:
    ms = {m.group(1): float(m.group(2)) for m in re.finditer(r"^\s+(\S+)\s+([\d.]+) ms$", out, re.M)}
    rows: list[Row] = []
    if "handler/mem" in ms and "validate" in ms:
        rows.append(("handler (store stubbed) vs validation", ms["handler/mem"], ms["validate"], "ms", "diff"))
    if "handler/mem" in ms and "floor" in ms:
        rows.append(("handler (store stubbed) vs empty FastAPI route (floor)", ms["handler/mem"], ms["floor"], "ms",
                     "diff"))
    if "handler/ddb" in ms and "put_item" in ms:
        rows.append(("complaint on DynamoDB Local vs put_item", ms["handler/ddb"], ms["put_item"], "ms", "ratio"))
    return rows


def deadline_rows(out: str) -> list[Row]:
    rows: list[Row] = []
    sizes = re.findall(r"^\s*(\d+) points: loaded", out, re.M)
    bases = re.findall(r"baseline read of [\d,]+ items: ([\d.]+) s", out)
    firsts = re.findall(r"first run .*?: ([\d.]+) s", out)
    reruns = re.findall(r"rerun .*?: ([\d.]+) s .*?\(([\d.]+) s\)", out)
    for n, base, first, (rerun, base2) in zip(sizes, bases, firsts, reruns, strict=False):
        rows.append((f"deadlines run, {n} points, first", float(first), float(base), "s", "ratio"))
        rows.append((f"deadlines run, {n} points, daily rerun", float(rerun), float(base2), "s", "ratio"))
    return rows


def export_rows(out: str) -> list[Row]:
    table = re.findall(r"^(read|csv|xlsx)\s+(\d+)\s+([\d.]+)\s+[\d.]+\s+([\d.]+)", out, re.M)
    by = {(mode, int(rows)): (float(sec), float(peak)) for mode, rows, sec, peak in table}
    result: list[Row] = []
    sizes = sorted({rows for _mode, rows in by})
    for rows in sizes:
        if ("csv", rows) in by and ("read", rows) in by:
            result.append((f"export csv {rows} rows", by[("csv", rows)][0], by[("read", rows)][0], "s", "ratio"))
    if len(sizes) > 1 and ("xlsx", sizes[-1]) in by:
        small, large = by[("xlsx", sizes[0])][1], by[("xlsx", sizes[-1])][1]
        result.append((f"export xlsx peak MiB {sizes[-1]} vs {sizes[0]} rows", large, small, "MiB", "ratio"))
    return result


@dataclass(frozen=True)
class Bench:
    key: str
    script: str
    modest: list[str]
    full: list[str]
    parse: Callable[[str], list[Row]]
    repeat_inside: bool = False  # the script repeats itself (--runs): run it once


BENCHES = [
    Bench("build", "bench_build.py", ["--items", "2000"], ["--items", "10000"],  # with search (its default)
          result_lines, repeat_inside=True),
    Bench("import", "bench_import.py", [], [], result_lines, repeat_inside=True),
    Bench("submit", "bench_submit.py", ["--requests", "200"], ["--requests", "1000"], submit_rows),
    Bench("deadlines", "bench_deadlines.py", ["--points", "300"], ["--points", "1000", "--points", "10000"],
          deadline_rows),
    Bench("export", "bench_export.py", ["--rows", "20000"], ["--rows", "100000"], export_rows),
    Bench("draws", "bench_draws.py", [], [], result_lines, repeat_inside=True),
    Bench("sheets", "bench_sheets.py", ["--points", "3000", "--items", "600"], ["--points", "10000", "--items", "2000"],
          result_lines, repeat_inside=True),
    # The staff flag queue's first page and the dashboard, each against one paginated read of the same
    # items in the same run (issues 16 and 20); --staff-points sets the registry size.
    Bench("workspace", "bench_workspace.py", ["--points", "1200"], ["--points", "10000"], result_lines),
]
NEEDS_JAVA = ("submit", "deadlines", "workspace")


def target_for(name: str) -> str:
    lowered = name.lower()
    if lowered.startswith("floor") or lowered.endswith("(floor)"):
        return "(reference)"
    for key in ("shipped x10", "rebuild", "handler", "complaint", "deadlines", "export csv", "export xlsx", "import",
                "staff pages", "flag queue", "dashboard", "build", "draw"):
        if key in lowered:
            return TARGETS[key]
    return ""


def summarize(name: str, rows: list[Row]) -> str:
    figs = [r[1] for r in rows]
    bases = [r[2] for r in rows]
    unit, kind = rows[0][3], rows[0][4]
    if kind == "diff":
        rel = [f - b for f, b in zip(figs, bases, strict=True)]
        rel_text = f"+{statistics.median(rel):.3f} {unit} ({min(rel):.3f}–{max(rel):.3f})"
    else:
        rel = [f / b for f, b in zip(figs, bases, strict=True)]
        rel_text = f"{statistics.median(rel):.2f}× ({min(rel):.2f}–{max(rel):.2f})"

    def cell(values: list[float]) -> str:
        return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f}) {unit}"

    return f"| {name} | {cell(figs)} | {cell(bases)} | {rel_text} | {target_for(name)} | {len(rows)} |"


def arguments(bench: Bench, args: argparse.Namespace) -> list[str]:
    """The benchmark's own arguments for this run of bench/run."""
    extra = bench.full if args.full else bench.modest
    if bench.key == "workspace" and args.staff_points:
        extra = ["--points", str(args.staff_points)]
    if bench.key == "submit" and not shutil.which("java"):
        extra = [*extra, "--no-local"]
    if bench.repeat_inside:
        extra = [*extra, "--runs", str(max(args.repeat, 3))]
    return extra


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--full", action="store_true", help="the sizes the targets name (slow)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each benchmark (default 3)")
    ap.add_argument("--only", action="append", choices=[b.key for b in BENCHES])
    ap.add_argument("--staff-points", type=int, default=None,
                    help="registry size of the workspace benchmark (default 1,200; --full: 10,000)")
    args = ap.parse_args(argv)
    load_before = os.getloadavg()
    collected: dict[str, list[Row]] = {}
    skipped: list[str] = []
    for bench in BENCHES:
        if args.only and bench.key not in args.only:
            continue
        if bench.key in NEEDS_JAVA and not shutil.which("java"):
            skipped.append(f"{bench.key}: needs Java for DynamoDB Local")
            if bench.key != "submit":
                continue
        extra = arguments(bench, args)
        runs = 1 if bench.repeat_inside else args.repeat
        for run in range(runs):
            cmd = [sys.executable, str(BENCH / bench.script), *extra]
            print(f"\n== {bench.key} ({run + 1}/{runs}): {' '.join(cmd[1:])}", flush=True)
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
            sys.stdout.write("".join(line + "\n" for line in proc.stdout.splitlines()
                                     if not line.startswith("RESULT\t")))
            if proc.returncode != 0:
                sys.stdout.write(proc.stderr[-3000:])
                skipped.append(f"{bench.key}: exited {proc.returncode}")
                break
            for row in bench.parse(proc.stdout):
                collected.setdefault(row[0], []).append(row)
    load_after = os.getloadavg()
    print(f"\nload average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after, "
          f"{os.cpu_count()} CPUs; median (min–max) over runs\n")
    print("| benchmark | figure | baseline (same run) | ratio | target | runs |")
    print("|---|---|---|---|---|---|")
    for name, rows in collected.items():
        print(summarize(name, rows))
    notes = [f"not benchmarked here: {n}" for n in NOT_BENCHMARKED] + [f"skipped or failed: {n}" for n in skipped]
    print("".join(f"\n{note}\n" for note in notes), end="")
    return 1 if any("exited" in s for s in skipped) else 0


if __name__ == "__main__":
    raise SystemExit(main())
