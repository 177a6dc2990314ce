"""`enforcewatch build`: validate site/content and write the static site."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from enforcewatch.clock import china_today
from enforcewatch.commands import sitecalendar
from enforcewatch.commands.output import add_json, emit
from enforcewatch.control.publication import plans_hook
from enforcewatch.draws.publication import draws_hook
from enforcewatch.insights.publicstats import statistics_hook
from enforcewatch.monitoring.duedates import calendar_hook
from enforcewatch.progress import Progress
from enforcewatch.sitegen.build import build_site


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("build", help="validate the content and generate the static site")
    p.add_argument("--content", type=Path, default=Path("site/content"), help="content directory")
    p.add_argument("--templates", type=Path, default=Path("site/templates"), help="templates directory")
    p.add_argument("--out", type=Path, default=Path("_site"), help="output directory (brought up to date in place, only on success)")
    add_json(p, "what was built (pages, files, out, search_pages, search_seconds)")
    p.add_argument("--today", type=dt.date.fromisoformat, default=None,
                   help="build date for the reporting calendar, YYYY-MM-DD (default: today, China time)")
    sitecalendar.add_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    today = args.today or china_today()
    progress = Progress("")
    progress.phase("正在检查内容并生成网站…")
    with sitecalendar.calendar_table(args.data_dir) as table:
        result = build_site(args.content, args.templates, args.out, hooks=(calendar_hook(args.content, today, table),
                                                                           statistics_hook(args.content),
                                                                           draws_hook(args.content),
                                                                           plans_hook(args.content)))
    progress.done()
    if args.json:
        emit({"ok": True, "pages": result.pages, "files": result.files, "out": str(args.out),
              "search_pages": result.search_pages, "search_seconds": round(result.search_seconds, 3)})
    print(f"已生成 {result.pages} 个页面、{result.files} 个文件：{args.out}", file=sys.stderr)  # noqa: T201
    print(f"搜索索引：{result.search_pages} 个页面，用时 {result.search_seconds:.1f} 秒", file=sys.stderr)  # noqa: T201
    return 0
