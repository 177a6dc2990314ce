"""`enforcewatch plans`: inspection plans on file (seed 002 二(一); docs/control.md).

    plans add FILE.json            one plan or special inspection (JSON object; `-` reads stdin)
    plans import FILE.xlsx|.csv    a sheet of plans: all rows checked first, nothing stored on a problem
    plans list [--from D] [--to D]
    plans publish [--as-of D] [--out CONTENT/inspection-plans.json]   the public file the build renders
    plans match [--today D]        match the reported inspections against the plans now (the daily check does too)

All use the store of `--data-dir` (or the deployed table with EW_STORE=aws).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from pathlib import Path
from typing import Any

from enforcewatch.clock import china_today
from enforcewatch.errors import InputError

DEFAULT_DATA_DIR = Path(".data")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("plans", help="inspection plans on file: add, import, list, publish, match")
    sub = p.add_subparsers(dest="plans_command", metavar="ACTION")
    sub.required = True

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        q.add_argument("--content", type=Path, default=Path("site/content"))

    add = sub.add_parser("add", help="file one plan or special inspection from a JSON object")
    common(add)
    add.add_argument("file", help="JSON file, or - for stdin")
    add.set_defaults(func=run_add)
    imp = sub.add_parser("import", help="import plans from an XLSX or CSV sheet")
    common(imp)
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=run_import)
    lst = sub.add_parser("list", help="list the plans on file as JSON lines")
    common(lst)
    lst.add_argument("--from", dest="date_from", type=_day, default=None)
    lst.add_argument("--to", dest="date_to", type=_day, default=None)
    lst.set_defaults(func=run_list)
    pub = sub.add_parser("publish", help="write the public plans file for the site build")
    common(pub)
    pub.add_argument("--as-of", type=_day, default=None, help="YYYY-MM-DD (default: today, China time)")
    pub.add_argument("--out", type=Path, default=None, help="default: CONTENT/inspection-plans.json")
    pub.set_defaults(func=run_publish)
    match = sub.add_parser("match", help="match reported inspections against the plans now")
    common(match)
    match.add_argument("--today", type=_day, default=None)
    match.set_defaults(func=run_match)


def _published(content_dir: Path) -> tuple[Any, dict[str, str], dict[str, str]]:
    # cold start: loaded only when this path runs, not at import
    from enforcewatch.control.plans import published
    from enforcewatch.sitegen.content import load_content

    content = load_content(content_dir)
    return (content, *published(content))


def _audit(table: Any, actor: str, action: str, details: dict[str, Any]) -> None:
    # cold start: loaded only when this path runs, not at import
    from enforcewatch.staff import audit

    audit.record(table, actor, action, details, dt.datetime.now(dt.UTC), random.SystemRandom())


def _recheck(table: Any, content: Any, content_dir: Path) -> None:
    """Findings a plan just entered clears (filed in time, entered late) are withdrawn at once."""
    # cold start: loaded only when this path runs, not at import
    from enforcewatch.control import matching
    from enforcewatch.insights.inspections import Catalogue
    from enforcewatch.staff.staffing import load_districts

    districts = [d["id"] for d in load_districts(content_dir)]
    counts = matching.recheck(table, Catalogue.from_content(content), districts, china_today())
    if counts["withdrawn"] or counts["noted"]:
        print(f"因新备案计划撤销监测发现 {counts['withdrawn']} 条，记录晚备案 {counts['noted']} 条",  # noqa: T201
              file=sys.stderr)


def run_add(args: argparse.Namespace) -> int:
    # cold start: loaded only when this path runs, not at import
    from enforcewatch.control import plans
    from enforcewatch.store.ddblocal import open_table

    raw = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise InputError(f"{args.file}: 不是有效的 JSON：{exc}") from None
    content, departments, matters = _published(args.content)
    with open_table(args.data_dir) as table:
        stored = plans.file_plan(table, data, departments, matters, "cli", dt.datetime.now(dt.UTC),
                                 random.SystemRandom())
        _audit(table, "cli", "plan_add", {"plan_id": stored["plan_id"]})
        _recheck(table, content, args.content)
    print(f"已备案：{stored['plan_id']}", file=sys.stderr)  # noqa: T201
    return 0


def run_import(args: argparse.Namespace) -> int:
    # cold start: loaded only when this path runs, not at import
    from enforcewatch.control import plans, plansheet
    from enforcewatch.store.ddblocal import open_table

    content, departments, matters = _published(args.content)
    valid = plansheet.load(args.file, departments, matters)
    with open_table(args.data_dir) as table:
        count = plans.store_all(table, valid, "cli", dt.datetime.now(dt.UTC), random.SystemRandom())
        _audit(table, "cli", "plan_import", {"file": args.file.name, "plans": count})
        _recheck(table, content, args.content)
    print(f"已导入 {count} 项检查计划", file=sys.stderr)  # noqa: T201
    return 0


def run_list(args: argparse.Namespace) -> int:
    # cold start: loaded only when this path runs, not at import
    from enforcewatch.control import plans
    from enforcewatch.store.ddblocal import open_table

    with open_table(args.data_dir) as table:
        for plan in plans.listing(table, args.date_from, args.date_to):
            print(json.dumps(plan, ensure_ascii=False, default=str))  # noqa: T201
    return 0


def run_publish(args: argparse.Namespace) -> int:
    # cold start: loaded only when this path runs, not at import
    from enforcewatch.control import plans, publication
    from enforcewatch.store.ddblocal import open_table

    as_of = args.as_of or china_today()
    if as_of > china_today():  # a later day would publish targets a plan still withholds today
        raise InputError(f"--as-of {as_of} 晚于今天（{china_today()}），检查对象可能提前公开：请不要使用将来的日期")
    _, departments, _ = _published(args.content)
    out = args.out or args.content / publication.PLANS_FILE
    with open_table(args.data_dir) as table:
        count = publication.write(plans.public_views(plans.listing(table), as_of, departments), as_of, out)
        _audit(table, "cli", "plans_publish", {"as_of": as_of.isoformat(), "plans": count})
    print(f"已写入 {out}：{count} 项检查计划（截至 {as_of}）", file=sys.stderr)  # noqa: T201
    return 0


def run_match(args: argparse.Namespace) -> int:
    # cold start: loaded only when this path runs, not at import
    from enforcewatch.control import matching
    from enforcewatch.insights.inspections import Catalogue
    from enforcewatch.staff.staffing import load_districts
    from enforcewatch.store.ddblocal import open_table

    content, _, _ = _published(args.content)
    districts = [d["id"] for d in load_districts(args.content)]
    with open_table(args.data_dir) as table:
        counts = matching.run(table, Catalogue.from_content(content), districts, args.today or china_today())
    print(f"新发现 {counts['new']} 条，已有 {counts['known']} 条，因计划补录撤销 {counts['withdrawn']} 条，"  # noqa: T201
          f"记录晚备案 {counts['noted']} 条", file=sys.stderr)
    return 0
