"""`enforcewatch lists import FILE --list KEY --department ID [--dry-run | --yes]`: a department's
sheet into a published list. The changes (新增 / 调整 / 取消) are shown first; they are written only
with --yes or after a yes at the terminal (docs/content-format.md, "Lists from sheets")."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

from enforcewatch.errors import InputError
from enforcewatch.progress import Progress, working
from enforcewatch.sitegen.listimport import LIST_ATTRS, ListImportPlan, plan_import
from enforcewatch.sitegen.listyaml import write_plan

CHINA = dt.timezone(dt.timedelta(hours=8))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("lists", help="the published lists as sheets")
    sub = p.add_subparsers(dest="lists_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="bring a department's sheet (XLSX or CSV) into a list")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--list", dest="list_key", required=True, choices=sorted(LIST_ATTRS))
    imp.add_argument("--department", required=True, metavar="ID")
    imp.add_argument("--content", type=Path, default=Path("site/content"))
    how = imp.add_mutually_exclusive_group()
    how.add_argument("--dry-run", action="store_true", help="show the changes; write nothing")
    how.add_argument("--yes", action="store_true", help="write the changes without asking")
    imp.add_argument("--json", action="store_true", help="print the changes (or every problem) as JSON on stdout")
    imp.add_argument("--today", type=dt.date.fromisoformat, help=argparse.SUPPRESS)  # tests: a fixed date
    imp.set_defaults(func=run)


def _say(text: str) -> None:
    print(text, file=sys.stderr)  # noqa: T201


def show(plan: ListImportPlan) -> None:
    for note in plan.sheet.notes():
        _say(note)
    for change in plan.changes:
        where = f"（第{change.row}行）" if change.row else ""
        what = f"：{'、'.join(change.fields)}" if change.fields else ""
        _say(f"{change.action} {change.item_id} {change.name}{where}{what}")
    _say(plan.summary())


def run(args: argparse.Namespace) -> int:
    today = args.today or dt.datetime.now(CHINA).date()
    progress = Progress("")
    progress.phase(f"正在读取 {args.file.name} 并与清单比较…")
    plan = plan_import(args.content, args.list_key, args.department, args.file, today)
    progress.done()
    show(plan)
    if args.json:
        print(json.dumps({"ok": True, "list": plan.key, "department": plan.department.id,  # noqa: T201
                          "changes": [dataclasses.asdict(c) for c in plan.changes], "notes": plan.sheet.notes(),
                          "written": bool(plan.changes) and (args.yes and not args.dry_run)},
                         ensure_ascii=False, indent=2))
    if not plan.changes:
        _say("清单没有变化，未写入")
        return 0
    if args.dry_run:
        _say("预览（未写入）")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise InputError("请先用 --dry-run 查看变化，再用 --yes 写入")
        if input("写入以上变化？[y/N] ").strip().lower() not in ("y", "yes", "是"):
            _say("未写入")
            return 1
    with working("正在检查全部内容并写入清单…"):
        path = write_plan(args.content, plan, args.file.name)
    _say(f"已写入 {path}，变化已记入清单的调整记录（changelog）")
    return 0
