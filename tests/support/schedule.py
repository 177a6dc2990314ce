"""The order in which pytest-xdist hands out test files: the longest first.

`scripts/test` runs `--dist loadfile`: a worker takes a whole file and asks for the next when it is
nearly done. xdist's default order is by number of tests, so files of one or two long tests (a served
stack, a Chromium, a page-weight build) came last and one worker ran them while the other was idle.
Handing out the longest first leaves short files for the end, where they even the workers out.

A file's expected time is its known time below plus `PER_TEST` for each of its tests. The known times
are the sums of each file's phases among the 120 slowest of a full run on a quiet machine
(`pytest --durations=120`); refresh them from such a run when the slow files change. The order only
changes when tests run, never whether or how.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Protocol, TypeVar

PER_TEST = 0.3  # seconds: about what an ordinary test takes with its setup

KNOWN_SECONDS = {
    "tests/staff/test_workspace_browser.py": 106,
    "tests/insights/test_insights_browser.py": 71,
    "tests/security/test_security_schema.py": 59,
    "tests/security/test_faults.py": 50,
    "tests/monitoring/test_import_atomic.py": 49,
    "tests/sitegen/test_page_weight.py": 48,
    "tests/sitegen/test_site_browser.py": 43,
    "tests/api/test_serve.py": 40,
    "tests/sitegen/test_search_parts_browser.py": 27,
    "tests/sitegen/test_search_stream.py": 20,  # estimated: seven builds of the shipped content with search
    "tests/monitoring/test_flags.py": 26,
    "tests/monitoring/test_cityqueue.py": 20,  # estimated: 35 s under load 5-8, most of it the moto half
    "tests/casework/test_casework_e2e.py": 26,
    "tests/security/test_load.py": 23,
    "tests/infra/test_infra_functions.py": 22,
    "tests/control/test_control_browser.py": 21,
    "tests/staff/test_staff_e2e.py": 19,
    "tests/monitoring/test_registry.py": 18,
    "tests/monitoring/test_registry_sheet.py": 16,
    "tests/api/test_serve_live.py": 16,
    "tests/infra/test_infra_template.py": 13,
    "tests/insights/test_insights_scorecards.py": 11,
    "tests/insights/test_insights_disclosure.py": 10,
    "tests/insights/test_insights_cli.py": 8,
    "tests/monitoring/test_flagqueue_cli.py": 6,
    "tests/draws/test_draws_browser.py": 6,
    "tests/channel/test_channel_pages.py": 6,
}


class _Item(Protocol):
    nodeid: str


Item = TypeVar("Item", bound=_Item)


def file_of(item: _Item) -> str:
    return item.nodeid.split("::", 1)[0]


def longest_files_first(items: Sequence[Item]) -> list[Item]:
    """The items, grouped by file, the files in order of expected time (longest first; ties keep their
    collection order), each file's tests in their own order."""
    counts = Counter(file_of(i) for i in items)
    first_seen = {f: n for n, f in enumerate(dict.fromkeys(file_of(i) for i in items))}

    def expected(path: str) -> tuple[float, int]:
        return -(KNOWN_SECONDS.get(path, 0) + PER_TEST * counts[path]), first_seen[path]

    order = {path: n for n, path in enumerate(sorted(counts, key=expected))}
    return sorted(items, key=lambda i: order[file_of(i)])  # stable: a file's tests keep their order
