"""`enforcewatch points import FILE --codes-out CODES.csv`: the registry of monitoring points."""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

from enforcewatch.registry import import_points, load_districts, write_codes

DEFAULT_DATA_DIR = Path(".data")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("points", help="the registry of monitoring points (confidential)")
    sub = p.add_subparsers(dest="points_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="import or update points from CSV or XLSX; issue access codes")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--codes-out", type=Path, required=True,
                     help="new file for the access codes issued (point_id,access_code); never overwritten")
    imp.add_argument("--reissue-codes", action="store_true",
                     help="issue new codes to existing points too (the old codes stop working)")
    imp.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    imp.add_argument("--content", type=Path, default=Path("site/content"))
    imp.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from enforcewatch.ddblocal import open_table

    districts = load_districts(args.content)
    if args.codes_out.exists():
        write_codes(args.codes_out, [])  # refuses with the file named, before anything is read
    with open_table(args.data_dir) as table:
        result, items = import_points(table, args.file, districts, rng=random.SystemRandom(),
                                      now=dt.datetime.now(dt.UTC), reissue=args.reissue_codes)
        # Codes first: if the store then fails, every stored hash has its code on paper.
        write_codes(args.codes_out, result.codes)
        table.batch_put(items)
    print(f"导入完成：新增 {len(result.new)} 个，更新 {len(result.updated)} 个；"  # noqa: T201
          f"访问码 {len(result.codes)} 个已写入 {args.codes_out}（只此一次，请妥善保管）", file=sys.stderr)
    return 0
