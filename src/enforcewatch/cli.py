"""`enforcewatch` command line: a plain argparse `main(argv=None) -> int` over the domain package.

A user error prints one line per problem to stderr and exits 1 (2 for usage); `--debug` shows the
traceback. Subcommands live in `enforcewatch.commands.<name>`, each with `register(subparsers)`.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import sys
from collections.abc import Sequence
from typing import Any

from enforcewatch.errors import EnforceWatchError
from enforcewatch.store.awserrors import describe

# Subcommand modules under enforcewatch.commands; a missing module is skipped so features land one by one.
COMMANDS = ("build", "serve", "check", "deadlines", "points", "lists", "publish", "events", "staff", "export",
            "casework", "insights", "draws", "plans")


def _version() -> str:
    # cold start: package metadata is read only for --version
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"enforcewatch {version('enforcewatch')}"
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without installing
        return "enforcewatch (not installed)"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="enforcewatch", description="EnforceWatch: 涉企行政执法公示与监测点报送")
    p.add_argument("--debug", action="store_true", help="show a traceback on errors")
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"enforcewatch.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"enforcewatch.commands.{name}":
                continue
            raise
        module.register(sub)
    return p


def error_json(exc: EnforceWatchError) -> dict[str, Any]:
    """A failed command's problems for a program (`--json`): each content or row problem with its place."""
    problems = getattr(exc, "problems", None)
    errors = [dataclasses.asdict(p) for p in problems] if problems else [{"message": exc.message}]
    return {"ok": False, "status": exc.status, "errors": errors}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except EnforceWatchError as exc:
        if args.debug:
            raise
        print(exc.message, file=sys.stderr)  # noqa: T201
        if getattr(args, "json", False):
            print(json.dumps(error_json(exc), ensure_ascii=False, indent=2))  # noqa: T201
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = describe(exc)  # no credentials, no table, throttled: one line, not a traceback
        if line is None or args.debug:
            raise
        print(line, file=sys.stderr)  # noqa: T201
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
