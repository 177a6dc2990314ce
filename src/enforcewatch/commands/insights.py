"""`enforcewatch insights`: what the monitoring reports say about enforcement.

    insights publish-stats --from YYYY-MM --to YYYY-MM [--k 5] [--out site/content/statistics.json]
    insights detect [--today YYYY-MM-DD] [--window-days N]
    insights scorecards --from YYYY-MM --to YYYY-MM --out FILE.xlsx [--district ID]

All read the store of `--data-dir` (or the deployed table with EW_STORE=aws). `publish-stats` writes
only aggregated, suppressed city-level tables; the build renders them (docs/insights.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import sys
from pathlib import Path

from enforcewatch.clock import china_today, utc_now
from enforcewatch.commands.output import add_json, emit
from enforcewatch.errors import FieldError, InputError
from enforcewatch.progress import working

DEFAULT_DATA_DIR = Path(".data")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("insights", help="scorecards, detections and public statistics from the reports")
    sub = p.add_subparsers(dest="insights_command", metavar="ACTION")
    sub.required = True

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        q.add_argument("--content", type=Path, default=Path("site/content"))

    stats = sub.add_parser("publish-stats", help="write the public statistics (suppressed) for the site build")
    common(stats)
    stats.add_argument("--from", dest="month_from", required=True, metavar="YYYY-MM")
    stats.add_argument("--to", dest="month_to", required=True, metavar="YYYY-MM")
    stats.add_argument("--k", type=int, default=5, help="smallest count published (default 5)")
    stats.add_argument("--out", type=Path, default=None, help="default: CONTENT/statistics.json")
    add_json(stats, "what was written (file, from, to, k, inspections, suppressed)")
    stats.set_defaults(func=publish_stats)

    detect = sub.add_parser("detect", help="run the detections now (the daily check runs them too)")
    common(detect)
    detect.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD, China time")
    detect.add_argument("--window-days", type=int, default=None, help="joint-inspection window (default 30)")
    add_json(detect, "the counts of findings (new, known)")
    detect.set_defaults(func=run_detect)

    cards = sub.add_parser("scorecards", help="agency scorecards as an XLSX workbook for the 评议 meeting")
    common(cards)
    cards.add_argument("--from", dest="month_from", required=True, metavar="YYYY-MM")
    cards.add_argument("--to", dest="month_to", required=True, metavar="YYYY-MM")
    cards.add_argument("--district", help="one district id; default: all districts")
    cards.add_argument("--out", type=Path, required=True, help="file to write (not overwritten)")
    add_json(cards, "what was written (file, from, to, district, agencies)")
    cards.set_defaults(func=run_scorecards)


def month_range(month_from: str, month_to: str) -> list[str]:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.insights.inspections import months

    problems = [FieldError((name,), f"--{name}: 月份格式应为 YYYY-MM，例如 2026-03")
                for name, value in (("from", month_from), ("to", month_to)) if not MONTH.match(value or "")]
    if not problems and month_from > month_to:
        problems.append(FieldError(("to",), "--to: 结束月份不能早于开始月份"))
    if problems:
        raise InputError("；".join(p.msg for p in problems), problems)
    return months(month_from, month_to)


def _districts(content: Path, district: str | None = None) -> list[str]:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.staff.staffing import load_districts

    ids = [d["id"] for d in load_districts(content)]
    if district and district not in ids:
        raise InputError(f"--district: 未知的县（市、区）{district}", [FieldError(("district",), "未知")])
    return [district] if district else ids


def _today() -> dt.date:
    return china_today()


def publish_stats(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.insights import publicstats
    from enforcewatch.insights.inspections import Catalogue, from_store
    from enforcewatch.sitegen.content import load_content
    from enforcewatch.staff import audit
    from enforcewatch.store.ddblocal import open_table

    months = month_range(args.month_from, args.month_to)
    if args.k < 2:
        raise InputError("--k: 至少为 2", [FieldError(("k",), "至少为 2")])
    content = load_content(args.content)
    catalogue = Catalogue.from_content(content)
    out = args.out or args.content / publicstats.STATS_FILE
    with working(f"正在统计 {months[0]} 至 {months[-1]} 的检查…"), open_table(args.data_dir) as table:
        inspections = from_store(table, _districts(args.content), months[0], months[-1], catalogue)
        stats = publicstats.compute(inspections, content.departments, months, args.k, _today().isoformat())
        publicstats.write(stats, out)
        audit.record(table, "cli", "publish_stats", {"from": months[0], "to": months[-1], "k": args.k,
                                                     "inspections": len(inspections)},
                     utc_now(), random.SystemRandom())
    hidden = sum(v is None for t in stats["tables"] for row in t["cells"] for v in row)
    if args.json:
        emit({"file": str(out), "from": months[0], "to": months[-1], "k": args.k, "inspections": len(inspections),
              "suppressed": hidden})
    print(f"已写入 {out}：{len(inspections)} 次检查，{hidden} 个数值不公布（k={args.k}）", file=sys.stderr)  # noqa: T201
    return 0


def run_detect(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.config import Settings
    from enforcewatch.insights import detection
    from enforcewatch.insights.conduct import Repeat
    from enforcewatch.insights.inspections import Catalogue
    from enforcewatch.sitegen.content import load_content
    from enforcewatch.store.ddblocal import open_table

    settings = Settings.from_env(os.environ)
    window = args.window_days if args.window_days is not None else settings.joint_window_days
    if window < 1:
        raise InputError("--window-days: 至少为 1", [FieldError(("window_days",), "至少为 1")])
    catalogue = Catalogue.from_content(load_content(args.content))
    with working("正在运行检测…"), open_table(args.data_dir) as table:
        counts = detection.run(table, catalogue, _districts(args.content), args.today or _today(), window,
                               Repeat(settings.repeat_max_inspections, settings.repeat_window_days))
    if args.json:
        emit({"new": counts["new"], "known": counts["known"]})
    print(f"新发现 {counts['new']} 条，已有 {counts['known']} 条", file=sys.stderr)  # noqa: T201
    return 0


def run_scorecards(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.insights import scorecards
    from enforcewatch.insights.inspections import Catalogue, from_store
    from enforcewatch.sitegen.content import load_content
    from enforcewatch.staff import audit
    from enforcewatch.store.ddblocal import open_table

    months = month_range(args.month_from, args.month_to)
    districts = _districts(args.content, args.district)
    if args.out.exists():
        raise InputError(f"{args.out}: 文件已存在，请换一个文件名", [FieldError(("out",), "文件已存在")])
    content = load_content(args.content)
    with working(f"正在汇总 {months[0]} 至 {months[-1]} 的评议…"), open_table(args.data_dir) as table:
        inspections = from_store(table, districts, months[0], months[-1], Catalogue.from_content(content))
        cards = scorecards.scorecards(inspections, content.departments, months)
        where = f"（{args.district}）" if args.district else ""
        args.out.write_bytes(scorecards.xlsx(cards, months, f"执法单位评议汇总{where} {months[0]} 至 {months[-1]}"))
        audit.record(table, "cli", "scorecards", {"from": months[0], "to": months[-1], "district": args.district,
                                                  "file": args.out.name}, utc_now(),
                     random.SystemRandom())
    if args.json:
        emit({"file": str(args.out), "from": months[0], "to": months[-1], "district": args.district,
              "agencies": len(cards)})
    print(f"已导出 {len(cards)} 个执法单位的评议汇总到 {args.out}", file=sys.stderr)  # noqa: T201
    return 0
