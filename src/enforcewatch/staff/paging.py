"""Server-side paging for every list of the staff workspace: a page number from the query string,
the slice of the rows, and what the pager needs to link the pages around it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from enforcewatch.errors import FieldError, InputError

T = TypeVar("T")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first_row(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_row(self) -> int:
        return min(self.total, self.number * self.size)

    def around(self, width: int = 2) -> list[int]:
        """The page numbers to link: the first, the last and `width` either side of this one."""
        shown = {1, self.pages, *range(self.number - width, self.number + width + 1)}
        return sorted(n for n in shown if 1 <= n <= self.pages)


def page_number(text: str | None) -> int:
    """`?page=` as a number from 1; anything else is a clear error naming the field."""
    if text in (None, ""):
        return 1
    if not text.isdigit() or int(text) < 1:
        raise InputError("页码应为正整数", [FieldError(("page",), f"页码应为正整数，而不是“{text}”")])
    return int(text)


def paginate(rows: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    """One page of `rows`; a number past the end gives the last page."""
    last = max(1, -(-len(rows) // size))
    number = min(max(1, number), last)
    start = (number - 1) * size
    return Page(list(rows[start:start + size]), number, size, len(rows))
