"""Domain errors. Each carries an HTTP status and a message a person can act on.

Adapters (API, CLI) map these to responses; domain code never imports a web framework.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one field. `loc` names the field (e.g. ("inspections", 0, "date"))."""

    loc: tuple[str | int, ...]
    msg: str


class EnforceWatchError(Exception):
    status = 400

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or []


@dataclass
class ContentProblem:
    """A problem in a content file, reported as PATH:LINE: field: message."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ContentError(EnforceWatchError):
    """One or more problems in site/content; the build writes nothing."""

    status = 422

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InputError(EnforceWatchError):
    """Bad input from a form, an import or a command line."""

    status = 422


class Unauthorized(EnforceWatchError):
    status = 401


class Forbidden(EnforceWatchError):
    status = 403


class NotFound(EnforceWatchError):
    status = 404


class Conflict(EnforceWatchError):
    status = 409


class ConditionFailed(Conflict):
    """A conditional write found an existing item; `existing` holds it (ALL_OLD). In a transaction,
    `index` is the position of the first operation whose condition failed. Raised by the store
    adapter, caught by the domain: defined here so the domain need not import the adapter."""

    def __init__(self, existing: dict[str, Any] | None, index: int | None = None) -> None:
        super().__init__("已存在相同记录")
        self.existing = existing
        self.index = index


class PayloadTooLarge(EnforceWatchError):
    status = 413


class TooManyRequests(EnforceWatchError):
    status = 429


class StoreUnavailable(EnforceWatchError):
    """The store is down or throttling. Nothing was stored; the client may retry."""

    status = 503


class CalendarUnknown(EnforceWatchError):
    """The official working-day calendar for a year is not known: never guess."""

    status = 500


@dataclass
class RowProblem:
    """A problem in one row of an imported file. With its place in the sheet known (sheet, column
    letter, the column's Chinese label) it reads `FILE 工作表“名单” 第5行 C列“统一社会信用代码”：message`;
    otherwise FILE:ROW: field: message. Row 0 is the file or sheet as a whole."""

    path: str
    row: int
    field: str
    message: str
    sheet: str = ""
    column: str = ""
    label: str = ""

    def __str__(self) -> str:
        if self.row and not (self.sheet or self.column or self.label):
            return f"{self.path}:{self.row}: {self.field}: {self.message}"
        where = self.path + (f" 工作表“{self.sheet}”" if self.sheet else "")
        where += f" 第{self.row}行" if self.row else ""
        where += f" {self.column}列" if self.column else ""
        where += f"“{self.label}”" if self.label else ""
        return f"{where}：{self.message}"


class ImportRowsError(InputError):
    """One or more bad rows; the import stored nothing."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
