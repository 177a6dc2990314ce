"""Output a program reads: `--json` on every command that lists or counts something prints one JSON
document on stdout (UTF-8, Chinese as itself, keys as docs/cli.md lists them), while messages for a
person stay on stderr. Dates are ISO text, DynamoDB's numbers plain numbers."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from decimal import Decimal
from typing import Any

JSON_HELP = "print {} as one JSON document on stdout (keys: docs/cli.md); messages stay on stderr"


def add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=JSON_HELP.format(what))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def emit(doc: Any) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=2, default=_plain))  # noqa: T201
