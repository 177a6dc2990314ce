"""The part of a dependency audit that this network allows: PyPI's project JSON (`/pypi/NAME/json`).

pip-audit needs PyPI's per-version JSON or api.osv.dev (see scripts/audit-deps); where neither
answers, the project JSON still lists the known vulnerabilities of each project's *latest* release.
So every installed distribution that is at its latest release is checked for real; one behind it is
listed as not checked. Exit 1 on a finding; exit 0 with a warning when PyPI does not answer, so the
test command does not fail because an advisory service is away. Bounded: 10 s a request, 120 s in all.
"""

from __future__ import annotations

import concurrent.futures
import json
import sys
import time
import urllib.request
from importlib import metadata

BASE = "https://pypi.org/pypi"
TIMEOUT, TOTAL = 10, 120


def latest(name: str) -> dict:
    with urllib.request.urlopen(f"{BASE}/{name}/json", timeout=TIMEOUT) as answer:  # noqa: S310 (fixed https)
        return json.load(answer)


def main() -> int:
    installed = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if name and name != "enforcewatch":
            installed[name] = dist.version
    found, behind, failed = [], [], []
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        futures = {pool.submit(latest, n): n for n in sorted(installed)}
        try:
            for future in concurrent.futures.as_completed(futures, timeout=TOTAL):
                name = futures[future]
                try:
                    doc = future.result()
                except Exception as exc:  # noqa: BLE001 - any failure to get an answer is "not checked"
                    failed.append(f"{name} ({type(exc).__name__})")
                    continue
                if doc["info"]["version"] != installed[name]:
                    behind.append(f"{name} {installed[name]} (latest {doc['info']['version']})")
                    continue
                found += [f"{name} {installed[name]}: {v.get('id')} {' '.join(v.get('aliases') or [])} "
                          f"fixed in {', '.join(v.get('fixed_in') or []) or '?'}" for v in doc.get("vulnerabilities") or []]
        except concurrent.futures.TimeoutError:
            failed.append(f"timed out after {TOTAL} s")
            for f in futures:
                f.cancel()
    checked = len(installed) - len(behind) - len(failed)
    print(f"audit (PyPI project JSON): {len(installed)} installed, {checked} at their latest release checked, "
          f"{len(behind)} behind it not checked, {len(failed)} without an answer, "
          f"{time.monotonic() - started:.0f} s")
    for line in behind:
        print(f"  not checked (not the latest release): {line}")
    if failed and not checked:
        print("WARNING: PyPI did not answer; no dependency was audited (see SECURITY.md, Dependencies)")
        return 0
    for line in failed:
        print(f"  not checked (no answer): {line}")
    for line in found:
        print(f"VULNERABLE: {line}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
