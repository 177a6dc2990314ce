"""Which table the site's build reads the office's uploaded calendar years from (issue 16).

The office uploads a new year's official calendar through the workspace (`CALENDAR` / `YEAR#{year}`);
the published reporting calendar must follow it without a redeploy, so `build` and `publish` read
those years from the store when there is one to read: the deployed table with EW_STORE=aws, or the
store of `--data-dir` when it is given. Otherwise the calendar files and the holiday package alone,
as before (a build needs no store).
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from enforcewatch.config import ENV_STORE

if TYPE_CHECKING:
    from enforcewatch.store.dynamo import DynamoTable


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="read the calendar years uploaded through the workspace from this local store "
                             "(with EW_STORE=aws: the deployed table, without this option)")


@contextlib.contextmanager
def calendar_table(data_dir: Path | None) -> Iterator[DynamoTable | None]:
    if data_dir is None and os.environ.get(ENV_STORE, "").strip().lower() != "aws":
        yield None
        return
    # cold start: the store loads only for a build that reads it
    from enforcewatch.store.ddblocal import open_table

    with open_table(data_dir or Path(".data")) as table:
        yield table
