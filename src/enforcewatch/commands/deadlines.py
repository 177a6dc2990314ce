"""`enforcewatch deadlines`: due dates, the offline check of a snapshot, the check against the store,
and a point's month-by-month explanation (docs/rules.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from enforcewatch.clock import china_today, utc_now
from enforcewatch.commands.output import add_json, emit
from enforcewatch.errors import CalendarUnknown, InputError, NotFound
from enforcewatch.jobs import daily
from enforcewatch.monitoring import deadlines, flags
from enforcewatch.monitoring.duedates import load_calendar
from enforcewatch.monitoring.flagstate import STATES
from enforcewatch.monitoring.registry import load_districts
from enforcewatch.progress import Progress

DEFAULT_DATA_DIR = Path(".data")


def _as_of(text: str | None) -> dt.date:
    if text is None:
        return china_today()  # the edge reads the clock; the rules never do
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of: 日期应写作 YYYY-MM-DD，而不是“{text}”") from None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("deadlines", help="reporting due dates and the monitoring-point check")
    sub = p.add_subparsers(dest="deadlines_command", metavar="ACTION", required=True)

    due = sub.add_parser("due-date", help="print each month's report due date")
    due.add_argument("months", nargs="+", metavar="MONTH", help="YYYY-MM")
    due.add_argument("--content", type=Path, default=Path("site/content"))
    add_json(due, "each month's due date ({due_dates: {month: date}, problems: {month: message}})")
    due.set_defaults(func=due_date)

    check = sub.add_parser("check", help="evaluate a JSON snapshot offline")
    check.add_argument("--as-of", required=True)
    check.add_argument("--snapshot", type=Path, required=True)
    check.add_argument("--json", action="store_true", help="print only the JSON document")
    check.add_argument("--state", choices=("all", *STATES), default="open",
                       help="only flags in this state as of the day (default: open, what still needs doing, "
                            "as the staff queue and API; all: every flag, each with its state)")
    check.add_argument("--content", type=Path, default=Path("site/content"))
    check.set_defaults(func=check_snapshot)

    for name, func, text in (("run", run, "check the store and save the flags"),
                             ("explain", explain, "show month by month why a point stands where it does")):
        q = sub.add_parser(name, help=text)
        if name == "explain":
            q.add_argument("point_id", metavar="POINT_ID")
        q.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: today, China time)")
        q.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        q.add_argument("--content", type=Path, default=Path("site/content"))
        q.set_defaults(func=func)


def due_date(args: argparse.Namespace) -> int:
    calendar = load_calendar(args.content)
    dates: dict[str, str] = {}
    problems: dict[str, str] = {}
    for month in args.months:
        try:
            dates[month] = calendar.due_date_of(month).isoformat()
        except ValueError as exc:
            problems[month] = str(exc)
        except CalendarUnknown as exc:
            problems[month] = exc.message
    for month in args.months:
        if month in dates and not args.json:
            print(f"{month} {dates[month]}")  # noqa: T201
        elif month in problems:
            print(f"{month}: {problems[month]}", file=sys.stderr)  # noqa: T201
    if args.json:
        emit({"due_dates": dates, "problems": problems})
    return 1 if problems else 0


def check_snapshot(args: argparse.Namespace) -> int:
    as_of = _as_of(args.as_of)
    try:
        data = json.loads(args.snapshot.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{args.snapshot}: 无法读取：{exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{args.snapshot}:{exc.lineno}: JSON格式错误：{exc.msg}") from None
    result, states = flags.check_snapshot_states(data, str(args.snapshot), load_calendar(args.content), as_of)
    for warning in result.warnings:
        print(f"警告：{warning}", file=sys.stderr)  # noqa: T201
    shown = [(f, s) for f, s in zip(result.flags, states, strict=True) if args.state in ("all", s.state)]
    if args.json:
        doc = {"as_of": as_of.isoformat(), "flags": [{**f.as_json(), **s.as_json()} for f, s in shown],
               "warnings": result.warnings}
        print(json.dumps(doc, ensure_ascii=False, indent=2))  # noqa: T201
    else:
        for f, s in shown:
            print(f"{f.point_id}\t{f.kind}\t{f.key}\t{f.raised_on}\t{s.state}")  # noqa: T201
        print(f"截至 {as_of}：{len(shown)} 个标记", file=sys.stderr)  # noqa: T201
    return 0


def run(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.store.ddblocal import open_table

    as_of = _as_of(args.as_of)
    districts = [d.id for d in load_districts(args.content)]
    progress = Progress("")
    progress.phase(f"正在检查 {as_of} 的报送期限…")
    with open_table(args.data_dir) as table:
        calendar = load_calendar(args.content, table)  # with the years uploaded through the workspace
        summary = daily.check(table, districts, calendar, as_of, utc_now()).summary
    progress.done()
    for warning in summary.warnings:
        print(f"警告：{warning}", file=sys.stderr)  # noqa: T201
    print(json.dumps(summary.as_json(), ensure_ascii=False, indent=2))  # noqa: T201
    return 0


def explain(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.store import schema
    from enforcewatch.store.ddblocal import open_table

    as_of = _as_of(args.as_of)
    with open_table(args.data_dir) as table:
        calendar = load_calendar(args.content, table)  # with the years uploaded through the workspace
        item = table.get(f"POINT#{args.point_id}", "POINT")
        if item is None:
            raise NotFound(f"没有找到监测点 {args.point_id}")
        data = flags.read_district_point(table, item[schema.GSI1PK], args.point_id)
    point = flags.point_from_item(item)
    tl = deadlines.timeline(point, data.reports, data.events, as_of, calendar)
    print("\n".join(deadlines.explain(tl, deadlines.point_flags(tl, as_of), as_of)))  # noqa: T201
    return 0
