"""Benchmark: a 双随机 draw from 10,000 candidates against Python's random.sample of the same sizes.

Three cases, each timed in this one run (best of --repeat):
  - draw: 10,000 candidates in four credit classes at the sample ratios (A 1%, B 3%, C 10%, D 30%),
    seeded shuffle per class plus inspector assignment (teams of 2 from 40 inspectors), as `verify`
    recomputes it; baseline: random.sample of the same counts from the same classes.
  - full shuffle: all 10,000 candidates in one class at 100%, no inspectors; baseline: random.sample(10,000).
  - verify: the whole record check (digests, commitments, seed, recomputed result) of the draw case.
Prints seconds and the ratio to the baseline. The issue's bar: a draw of 10,000 "well under a second".

    .venv/bin/python bench/bench_draws.py [--candidates 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import time
from collections.abc import Callable
from typing import Any

from enforcewatch.draws import compose, verify
from enforcewatch.draws import record as rec
from enforcewatch.draws.hashing import commitment
from enforcewatch.draws.selection import ClassDraw, run, select

SHARES = {"A": 0.3, "B": 0.5, "C": 0.15, "D": 0.05}
RATIOS = {"A": 100, "B": 300, "C": 1000, "D": 3000}


def leaves(n: int, tag: str) -> list[str]:
    return sorted(hashlib.sha256(f"{tag}{i}".encode()).hexdigest() for i in range(n))


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def classes(n: int) -> list[rec.CreditClass]:
    out = []
    for code, share in SHARES.items():
        ls = leaves(round(n * share), code)
        out.append(rec.CreditClass(code=code, ratio_bp=RATIOS[code], size=len(ls),
                                   count=(len(ls) * RATIOS[code] + 9999) // 10000, leaves=ls))
    return out


def record(n: int) -> rec.DrawRecord:
    secrets = {p: hashlib.sha256(p.encode()).hexdigest() for p in ("agency", "justice")}
    announced = compose.announce(
        draw_id="bench", title="bench", matter=rec.Matter(item_id="x", item="x"), agency="x",
        scheduled_at="2026-11-20T10:00:00+08:00", team_size=2, classes=classes(n),
        inspectors=[f"I{i:02d}" for i in range(40)], avoid={}, previous_draw="",
        commitments=[rec.Commitment(party=p, commitment=commitment("bench", p, s), at="") for p, s in secrets.items()])
    return compose.complete(announced, [rec.Reveal(party=p, secret=s, at="") for p, s in secrets.items()])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=10_000)
    ap.add_argument("--repeat", "--runs", dest="repeat", type=int, default=5, help="best of N runs")
    args = ap.parse_args()
    n, repeat = args.candidates, args.repeat
    r = record(n)
    draws = [ClassDraw(c.code, c.leaves, c.count) for c in r.classes]
    rng = random.Random(1)
    one = [ClassDraw("all", leaves(n, "all"), n)]
    rows = [
        ("draw (4 classes + inspectors)", sum(c.count for c in draws),
         best(lambda: run(r.seed, draws, r.inspectors, 2, {}), repeat),
         best(lambda: [rng.sample(list(c.leaves), c.count) for c in draws], repeat)),
        ("draw, one class at 100%", n, best(lambda: select(r.seed, one), repeat),
         best(lambda: rng.sample(one[0].leaves, n), repeat)),
        ("draw verified (whole record)", sum(c.count for c in draws), best(lambda: verify.check(r), repeat),
         best(lambda: [rng.sample(list(c.leaves), c.count) for c in draws], repeat)),
    ]
    print(f"双随机 draw benchmark: {n:,} candidates, best of {repeat}, load average {os.getloadavg()[0]:.2f}")
    print(f"{'case':32} {'drawn':>7} {'seconds':>9} {'random.sample':>14} {'ratio':>8}")
    for name, drawn, ours, base in rows:
        print(f"{name:32} {drawn:>7,} {ours:>9.4f} {base:>14.5f} {ours / base:>7.0f}x")
    for name, _drawn, ours, base in rows:  # for bench/run's table
        print(f"RESULT\t{name}, {n:,} candidates, vs random.sample\t{ours:.6f}\t{base:.6f}\ts\tratio")


if __name__ == "__main__":
    main()
