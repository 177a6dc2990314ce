"""Cold import of each Lambda handler module, against a handler that imports only boto3 and builds
its client, each in a fresh process with `python -X importtime` (what a cold start pays before the
first request). Runs are interleaved, so load on the machine hits every module alike.

    .venv/bin/python bench/bench_import.py [--runs 7] [--top 8]

Prints the floor (the baseline plus an empty FastAPI app under Mangum) against the baseline, then
per handler the median (min–max) of the module's cumulative import time and its ratio to the
floor measured in the same run (the target: ≤ 1.15×), and to the baseline for reference; `--top` lists the heaviest imports of each handler (from one run) to show where
the time goes. Lines starting with RESULT are read by bench/run_all.py.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ROOT / "functions"
BASELINE = '''"""A handler that only imports boto3 and builds its client."""
import os

import boto3

client = boto3.client("dynamodb", region_name=os.environ["AWS_REGION"])


def handler(event, context):
    return client.describe_limits()
'''
# The least any FastAPI handler pays: the baseline plus FastAPI and Mangum around an empty app. Its
# ratio to the baseline is the floor under the handlers' ratios (FastAPI builds its OpenAPI models
# with pydantic at import).
FLOOR = BASELINE.replace('"""A handler that only imports boto3 and builds its client."""', '"""The floor."""') + '''
from fastapi import FastAPI
from mangum import Mangum

handler = Mangum(FastAPI(), lifespan="off")
'''
ENV = {
    "EW_TABLE_NAME": "bench", "AWS_REGION": "cn-north-1", "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench", "EW_TOKEN_SECRET": "bench-secret-" + "x" * 32,
    "EW_RECEIPT_SECRET": "bench-receipt-" + "x" * 32,
    "EW_CONTENT_DIR": str(ROOT / "site" / "content"), "PYTHONDONTWRITEBYTECODE": "",
}
# Importable here but not in the Lambda package (scripts/package_lambdas.py installs the runtime
# dependencies only): PyJWT imports `cryptography` when it finds it (moto brings it into the
# development venv) though HS256 needs none of it. Blocked in every measured process alike, unless
# --as-installed, so the figures are those of the code as shipped.
NOT_SHIPPED = ("cryptography",)
LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def shipped_closure() -> set[str]:
    """The distributions the Lambda package holds: the runtime requirements and theirs, extras left out."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from package_lambdas import _name, lambda_requirements  # noqa: PLC0415 - bench helper, not a cold start

    todo, seen = [_name(r) for r in lambda_requirements(ROOT / "pyproject.toml")], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:  # for another Python or platform (a marker)
            continue
        for req in requires:
            if "extra ==" not in req:
                todo.append(_name(req))
    return seen


def blocked(as_installed: bool) -> list[str]:
    """The NOT_SHIPPED modules to make unimportable (those truly outside the Lambda package)."""
    if as_installed:
        return []
    shipped = shipped_closure()
    return [m for m in NOT_SHIPPED if m not in shipped]


def import_profile(folder: Path, module: str = "app", block: tuple[str, ...] = ()) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, indented name) for every import of `module` in a fresh process."""
    env = {**os.environ, **ENV, "PYTHONPATH": f"{folder}{os.pathsep}{ROOT / 'src'}"}
    prelude = "".join(f"sys.modules[{m!r}] = None; " for m in block)  # ModuleNotFoundError, as when absent
    code = f"import sys; {prelude}import {module}" if block else f"import {module}"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code], cwd=folder, env=env,
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{folder / (module + '.py')}: import failed:\n{proc.stderr[-2000:]}")
    rows = []
    for line in proc.stderr.splitlines():
        m = LINE.match(line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), m.group(3)[1:] + m.group(4)))
    return rows


def cumulative_us(rows: list[tuple[int, int, str]], module: str = "app") -> int:
    """Everything the process imported on the way to `module`: the sum of the top-level entries."""
    return sum(cum for _self, cum, name in rows if not name.startswith(" "))


def heaviest(rows: list[tuple[int, int, str]], top: int) -> list[tuple[int, str]]:
    """What the handler module imports directly, grouped by package (fastapi, boto3, enforcewatch…),
    by cumulative time; a package first imported deeper down is counted where it was first met."""
    packages: dict[str, int] = {}
    for _self, cum, name in rows:
        if name.startswith("  ") and not name.startswith("   "):
            package = name.strip().split(".")[0]
            packages[package] = packages.get(package, 0) + cum
    return sorted(((us, n) for n, us in packages.items()), reverse=True)[:top]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--top", type=int, default=0, help="list the N heaviest imports of each handler")
    ap.add_argument("--as-installed", action="store_true",
                    help="let the processes import what this venv has but the Lambda package lacks (NOT_SHIPPED)")
    args = ap.parse_args()
    block = tuple(blocked(args.as_installed))
    print(f"modules made unimportable (not in the Lambda package): {', '.join(block) or 'none'}")
    handlers = sorted(p.parent for p in FUNCTIONS.glob("*/app.py"))
    with tempfile.TemporaryDirectory(prefix="ew-import-") as tmp:
        base_dir = Path(tmp)
        (base_dir / "app.py").write_text(BASELINE, encoding="utf-8")
        floor_dir = base_dir / "floor"
        floor_dir.mkdir()
        (floor_dir / "app.py").write_text(FLOOR, encoding="utf-8")
        times: dict[str, list[float]] = {"baseline": [], "floor": [], **{h.name: [] for h in handlers}}
        profiles: dict[str, list[tuple[int, int, str]]] = {}
        for _ in range(args.runs):
            for name, folder in [("baseline", base_dir), ("floor", floor_dir), *((h.name, h) for h in handlers)]:
                rows = import_profile(folder, block=block)
                profiles[name] = rows
                times[name].append(cumulative_us(rows) / 1e3)
    base = times["baseline"]
    print(f"cold import, fresh process, median (min–max) of {args.runs}, load {os.getloadavg()[0]:.1f}")
    print(f"  {'baseline (boto3 + client)':34s} {statistics.median(base):8.1f} ms ({min(base):.0f}–{max(base):.0f})")
    floor = times["floor"]
    floor_ratios = [a / b for a, b in zip(floor, base, strict=True)]
    print(f"  {'floor: boto3 + empty FastAPI app':34s} {statistics.median(floor):8.1f} ms "
          f"({min(floor):.0f}–{max(floor):.0f})  ratio {statistics.median(floor_ratios):.2f}x "
          f"({min(floor_ratios):.2f}–{max(floor_ratios):.2f})")
    for f, b in zip(floor, base, strict=True):
        print(f"RESULT\tfloor: boto3 client + empty FastAPI app (Mangum)\t{f / 1e3:.6f}\t{b / 1e3:.6f}\ts\tratio")
    for h in handlers:  # the target: each handler ≤ 1.15× the floor measured in the same run
        t = times[h.name]
        ratios = [a / b for a, b in zip(t, floor, strict=True)]
        to_base = statistics.median([a / b for a, b in zip(t, base, strict=True)])
        print(f"  {h.name:34s} {statistics.median(t):8.1f} ms ({min(t):.0f}–{max(t):.0f})  "
              f"÷ floor {statistics.median(ratios):.2f}x ({min(ratios):.2f}–{max(ratios):.2f}); ÷ baseline {to_base:.2f}x")
        for cold, ms in zip(t, floor, strict=True):
            print(f"RESULT\timport {h.name} vs floor\t{cold / 1e3:.6f}\t{ms / 1e3:.6f}\ts\tratio")
        if args.top:
            for us, name in heaviest(profiles[h.name], args.top):
                print(f"      {name:30s} {us / 1e3:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
