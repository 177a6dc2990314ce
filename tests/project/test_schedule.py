"""The test files go to pytest-xdist longest first (tests/support/schedule.py), and the order is all
that changes: every test is still there, a file's tests stay together and in their order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from support.schedule import KNOWN_SECONDS, PER_TEST, longest_files_first

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Item:
    nodeid: str


def test_known_long_files_go_first_then_the_others_by_their_number_of_tests() -> None:
    items = [Item(f"tests/a/test_many.py::t{n}") for n in range(5)]
    items += [Item("tests/sitegen/test_page_weight.py::t")]
    items += [Item(f"tests/b/test_few.py::t{n}") for n in range(2)]
    items += [Item(f"tests/c/test_few_too.py::t{n}") for n in range(2)]
    ordered = [i.nodeid for i in longest_files_first(items)]
    assert ordered == ["tests/sitegen/test_page_weight.py::t", *[f"tests/a/test_many.py::t{n}" for n in range(5)],
                       "tests/b/test_few.py::t0", "tests/b/test_few.py::t1",  # a tie keeps collection order
                       "tests/c/test_few_too.py::t0", "tests/c/test_few_too.py::t1"]
    assert sorted(ordered) == sorted(i.nodeid for i in items)


def test_a_file_of_many_quick_tests_can_outweigh_a_known_long_one() -> None:
    many = int(KNOWN_SECONDS["tests/sitegen/test_page_weight.py"] / PER_TEST) + 2
    items = [Item("tests/sitegen/test_page_weight.py::t")] + [Item(f"tests/a/test_many.py::t{n}") for n in range(many)]
    assert longest_files_first(items)[0].nodeid == "tests/a/test_many.py::t0"


def test_every_known_file_exists() -> None:
    missing = [path for path in KNOWN_SECONDS if not (ROOT / path).is_file()]
    assert missing == [], "renamed or removed: update tests/support/schedule.py"

