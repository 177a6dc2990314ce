"""`enforcewatch events`: record an event on a point, confirm its status, list its events."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from pathlib import Path

from enforcewatch.clock import china_date, utc_now
from enforcewatch.commands.output import add_json, emit
from enforcewatch.monitoring import events, flags
from enforcewatch.monitoring.deadlines import EVENT_KINDS, STATUSES

DEFAULT_DATA_DIR = Path(".data")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("events", help="reminders, disqualifying events, terminations, plaque returns")
    sub = p.add_subparsers(dest="events_command", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="record an event on a point")
    add.add_argument("point_id", metavar="POINT_ID")
    add.add_argument("kind", choices=[k for k in EVENT_KINDS if k != "revocation_kept"])
    add.add_argument("--date", required=True, help="the day it happened, YYYY-MM-DD")
    add.add_argument("--reason", help="disqualifying / terminated: the reason, as its code or its Chinese label "
                                      "(docs/rules.md)")
    add.add_argument("--note")
    add.set_defaults(func=run_add)
    status = sub.add_parser("status", help="confirm a point's status")
    status.add_argument("point_id", metavar="POINT_ID")
    status.add_argument("status", choices=STATUSES)
    status.set_defaults(func=run_status)
    lst = sub.add_parser("list", help="a point's events")
    lst.add_argument("point_id", metavar="POINT_ID")
    add_json(lst, "the point's events")
    lst.set_defaults(func=run_list)
    for q in (add, status, lst):
        q.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)


def run_add(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.store.ddblocal import open_table

    now = utc_now()
    with open_table(args.data_dir) as table:
        today = china_date(now)
        item = events.record_event(table, args.point_id, args.kind, args.date, args.reason, args.note,
                                   recorded_by=f"cli:{getpass.getuser()}", now=now, today=today)
        flags.refresh_point(table, args.point_id, today + dt.timedelta(days=1))  # close what it resolves
    print(f"已记录：{item['point_id']} {item['date']} {item['kind']} ({item['event_id']})", file=sys.stderr)  # noqa: T201
    return 0


def run_status(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.store.ddblocal import open_table

    now = dt.datetime.now(dt.UTC)
    with open_table(args.data_dir) as table:
        events.set_status(table, args.point_id, args.status, now=now)
        flags.refresh_point(table, args.point_id, china_date(now) + dt.timedelta(days=1))
    print(f"已确认：{args.point_id} 状态为 {args.status}", file=sys.stderr)  # noqa: T201
    return 0


def run_list(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.store.ddblocal import open_table

    with open_table(args.data_dir) as table:
        events.get_point(table, args.point_id)
        found = [{"date": i["date"], "kind": i["kind"], "reason": i.get("reason") or "", "note": i.get("note") or ""}
                 for i in table.query(f"POINT#{args.point_id}", "EVENT#")]
    if args.json:
        emit({"point_id": args.point_id, "events": found})
        return 0
    for e in found:
        print(f"{e['date']}\t{e['kind']}\t{e['reason']}\t{e['note']}")  # noqa: T201
    return 0
