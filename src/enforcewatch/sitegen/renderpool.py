"""Render many pages on two CPUs: a forked child renders every other page while this process
renders the rest.

Rendering 10,000 item pages is CPU-bound Python; a fork inherits the compiled templates and the
loaded content, so the child needs nothing but the list of jobs and sends back only the HTML.
A template error in the child comes back as the same ContentError. Without `fork`, with one
CPU, with few pages, or when no CPU is idle at the moment (sampled from /proc/stat; measured here,
a fork on a busy machine only adds copying and makes the build slower) everything is rendered here.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from enforcewatch.errors import ContentError

Job = tuple[str, Any, dict[str, Any]]  # output path, template, context
MIN_PAGES = 400  # below this a fork costs more than it saves


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs since boot, from /proc/stat; None where there is none."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = [int(v) for v in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[3] + (fields[4] if len(fields) > 4 else 0), sum(fields[:8])


def idle_cpus(window: float = 0.05) -> float | None:
    """How many CPUs were idle over the last `window` seconds (e.g. 1.0 of 2), or None if unknown."""
    before = _cpu_times()
    if before is None:
        return None
    time.sleep(window)
    after = _cpu_times()
    if after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1]) * (os.cpu_count() or 1)  # /proc/stat counts every CPU


def _spare_cpu() -> bool:
    """A CPU idle now. Sampled over 50 ms rather than the 1-minute load average, which still counts
    the work this process (or the previous build) did a moment ago and so refused the second CPU
    on a machine that had one free."""
    cpus = _cpus()
    if cpus < 2:
        return False
    idle = idle_cpus()
    if idle is None:
        return os.getloadavg()[0] < cpus - 1
    return idle >= 0.8


def _render_all(jobs: Sequence[Job], render: Callable[[Any, dict[str, Any]], str]) -> list[str]:
    return [render(template, context) for _rel, template, context in jobs]


def _child(conn: Any, jobs: Sequence[Job], render: Callable[[Any, dict[str, Any]], str]) -> None:
    try:
        conn.send(("ok", _render_all(jobs, render)))
    except ContentError as exc:
        conn.send(("content", exc.problems))
    except BaseException:  # noqa: BLE001 - reported by the parent
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()


def render_pages(jobs: Sequence[Job], render: Callable[[Any, dict[str, Any]], str]) -> list[tuple[str, str]]:
    """(path, html) for each job, in order."""
    if len(jobs) < MIN_PAGES or not _spare_cpu() or "fork" not in multiprocessing.get_all_start_methods():
        return [(rel, html) for (rel, _t, _c), html in zip(jobs, _render_all(jobs, render), strict=True)]
    theirs, mine = jobs[1::2], jobs[0::2]
    ctx = multiprocessing.get_context("fork")
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(child_conn, theirs, render), daemon=True)
    child.start()
    child_conn.close()
    try:
        my_html = _render_all(mine, render)
        status, payload = parent_conn.recv()
    except BaseException:
        child.terminate()
        raise
    finally:
        parent_conn.close()
        child.join()
    if status == "content":
        raise ContentError(payload)
    if status != "ok":
        raise RuntimeError(f"rendering in the second process failed:\n{payload}")
    html = [""] * len(jobs)
    html[0::2] = my_html
    html[1::2] = payload
    return [(rel, page) for (rel, _t, _c), page in zip(jobs, html, strict=True)]
