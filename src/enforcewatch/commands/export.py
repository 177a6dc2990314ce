"""`enforcewatch export`: the staff download from the command line (same rows, same neutralising)."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from enforcewatch.clock import utc_now
from enforcewatch.commands.output import add_json, emit
from enforcewatch.errors import FieldError, InputError
from enforcewatch.progress import Progress

DEFAULT_DATA_DIR = Path(".data")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("export", help="download submissions as CSV, XLSX or JSON (confidential)")
    p.add_argument("--kind", choices=("report", "complaint"), default="report")
    p.add_argument("--format", dest="fmt", choices=("csv", "xlsx", "json"), default="csv")
    p.add_argument("--from", dest="month_from", required=True, metavar="YYYY-MM")
    p.add_argument("--to", dest="month_to", required=True, metavar="YYYY-MM")
    p.add_argument("--district", help="one district id; default: all districts")
    p.add_argument("--out", type=Path, required=True, help="file to write (not overwritten)")
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    p.add_argument("--content", type=Path, default=Path("site/content"))
    add_json(p, "what was exported (file, rows, kind, format, from, to, district)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.staff import audit, exports
    from enforcewatch.staff.staffing import load_districts
    from enforcewatch.store.ddblocal import open_table

    req = exports.ExportRequest.parse(args.kind, args.fmt, args.month_from, args.month_to, args.district)
    districts = load_districts(args.content)
    ids = [d["id"] for d in districts]
    if req.district and req.district not in ids:
        raise InputError(f"--district: 未知的县（市、区）{req.district}", [FieldError(("district",), "未知")])
    if args.out.exists():
        raise InputError(f"{args.out}: 文件已存在，请换一个文件名", [FieldError(("out",), "文件已存在")])
    with open_table(args.data_dir) as table:
        export = exports.open_export(table, req, [req.district] if req.district else ids,
                                     {d["id"]: d["name"] for d in districts})
        progress = Progress("正在导出，已写入行数")
        with args.out.open("xb") as out:
            for chunk in export.chunks:
                out.write(chunk)
                progress.step(export.counter.rows)
        progress.done()
        details = {"kind": req.kind, "format": req.fmt, "from": req.month_from, "to": req.month_to,
                   "district": req.district, "rows": export.counter.rows, "file": args.out.name}
        audit.record(table, "cli", "download", details, utc_now(), random.SystemRandom())
    if args.json:
        emit({"ok": True, **{k: v for k, v in details.items() if k != "file"}, "file": str(args.out)})
    print(f"已导出 {export.counter.rows} 行到 {args.out}", file=sys.stderr)  # noqa: T201
    return 0
