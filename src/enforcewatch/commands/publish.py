"""`enforcewatch publish --bucket B`: check the content, build the site, upload what changed.

Each step runs only if the one before succeeded: a content problem stops before anything is built,
a build problem before anything is uploaded. Progress shows on a terminal; the summary says what
changed by part of the site (`--json` prints it for a program)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from enforcewatch.commands import sitecalendar
from enforcewatch.control.publication import plans_hook
from enforcewatch.errors import InputError
from enforcewatch.insights.publicstats import statistics_hook
from enforcewatch.monitoring.duedates import calendar_hook
from enforcewatch.progress import Progress
from enforcewatch.sitegen.build import build_site
from enforcewatch.sitegen.content import load_content
from enforcewatch.store import siteupload

CHINA = dt.timezone(dt.timedelta(hours=8))


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("publish", help="check the content, build the site and upload what changed to the bucket")
    p.add_argument("--bucket", required=True, help="the stack's SiteBucketName output")
    p.add_argument("--region", help="AWS region, e.g. cn-north-1 (default: from the environment)")
    p.add_argument("--prefix", default="", help="key prefix in the bucket (default: the bucket's root)")
    p.add_argument("--delete", action="store_true", help="remove objects that are no longer in the build")
    p.add_argument("--distribution", help="CloudFront distribution id to invalidate after uploading")
    p.add_argument("--dry-run", action="store_true", help="check and build, show what would be uploaded; upload nothing")
    p.add_argument("--content", type=Path, default=Path("site/content"))
    p.add_argument("--templates", type=Path, default=Path("site/templates"))
    p.add_argument("--out", type=Path, default=Path("_site"), help="where the site is built (default _site)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    sitecalendar.add_argument(p)
    p.set_defaults(func=run)


def _say(text: str) -> None:
    print(text, file=sys.stderr)  # noqa: T201


def areas(keys: list[str]) -> dict[str, int]:
    """Changed files by the part of the site they belong to (leniency/, data/, static/ …)."""
    counts = Counter(key.split("/", 1)[0] + "/" if "/" in key else key for key in keys)
    return dict(sorted(counts.items()))


def run(args: argparse.Namespace) -> int:
    progress = Progress("正在上传")
    progress.phase("1/3 正在检查内容…")
    load_content(args.content)  # every problem as PATH:LINE: field: message, before anything is built
    progress.phase("2/3 正在生成网站…")
    today = dt.datetime.now(CHINA).date()
    with sitecalendar.calendar_table(args.data_dir) as table:  # the years uploaded through the workspace
        built = build_site(args.content, args.templates, args.out,
                           hooks=(calendar_hook(args.content, today, table), statistics_hook(args.content),
                                  plans_hook(args.content)))
    progress.phase("3/3 正在比较存储桶中的文件…")
    try:
        files = siteupload.local_files(args.out, args.prefix)
    except siteupload.PublishError as exc:
        raise InputError(str(exc)) from None
    s3 = siteupload.s3_client(args.region)
    todo = siteupload.plan(files, siteupload.remote_etags(s3, args.bucket, args.prefix), args.delete)
    progress.total = len(todo.upload)
    if not args.dry_run:
        siteupload.apply(s3, args.bucket, todo, progress.step)
    progress.done()
    invalidation = None
    if not args.dry_run and args.distribution and (todo.upload or todo.delete):
        cloudfront = siteupload.cloudfront_client(args.region)
        invalidation = siteupload.invalidate(cloudfront, args.distribution, time.time())
    summary: dict[str, Any] = {
        "pages": built.pages, "uploaded": len(todo.upload), "deleted": len(todo.delete), "unchanged": todo.unchanged,
        "changed_by_area": areas([f.key for f in todo.upload]), "deleted_keys": todo.delete,
        "invalidation": invalidation, "dry_run": args.dry_run,
    }
    verb = "将上传" if args.dry_run else "已上传"
    _say(f"检查通过，已生成 {built.pages} 个页面；{verb} {len(todo.upload)} 个文件，"
         f"{'将删除' if args.dry_run else '已删除'} {len(todo.delete)} 个，{todo.unchanged} 个未变")
    for area, count in summary["changed_by_area"].items():
        _say(f"  {area}：{count} 个文件有变化")
    if invalidation:
        _say(f"已请求 CloudFront 刷新缓存（{invalidation}）")
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))  # noqa: T201
    return 0
