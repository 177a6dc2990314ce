"""`enforcewatch points import FILE --codes-out CODES.csv`: the registry of monitoring points.
`enforcewatch points import FILE --dry-run`: every row's problems and what would change, nothing written.
`enforcewatch points import --recover`: settle an import that did not finish (docs/staff.md).
`enforcewatch points template OUT.xlsx`: the blank registry sheet with an example row and notes.
`enforcewatch points list [--district ID] [--json]`: the registry, one point a line (confidential)."""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
from pathlib import Path
from typing import Any

from enforcewatch.clock import utc_now
from enforcewatch.commands.output import add_json, emit
from enforcewatch.errors import InputError
from enforcewatch.monitoring import importjournal, registry_sheet
from enforcewatch.monitoring.registry import load_districts, pending_codes, run_import
from enforcewatch.monitoring.registry_template import registry_template_bytes
from enforcewatch.progress import Progress
from enforcewatch.store import ddblocal

DEFAULT_DATA_DIR = Path(".data")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("points", help="the registry of monitoring points (confidential)")
    sub = p.add_subparsers(dest="points_command", metavar="ACTION", required=True)
    imp = sub.add_parser("import", help="import or update points from CSV or XLSX, all or nothing; issue access codes")
    imp.add_argument("file", type=Path, metavar="FILE", nargs="?")
    imp.add_argument("--codes-out", type=Path,
                     help="new file for the access codes issued (point_id,access_code); never overwritten")
    imp.add_argument("--reissue-codes", action="store_true",
                     help="issue new codes to existing points too (the old codes stop working)")
    imp.add_argument("--recover", action="store_true",
                     help="only roll back an import that did not finish, and show the latest import")
    imp.add_argument("--dry-run", action="store_true",
                     help="check every row and show what would be added or updated; write nothing")
    imp.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    imp.add_argument("--content", type=Path, default=Path("site/content"))
    imp.add_argument("--json", action="store_true", help="print the result (or every problem) as JSON on stdout")
    imp.set_defaults(func=run)
    tpl = sub.add_parser("template", help="write the blank registry sheet (XLSX: columns, an example row, notes)")
    tpl.add_argument("out", type=Path, metavar="OUT.xlsx")
    tpl.add_argument("--content", type=Path, default=Path("site/content"))
    tpl.set_defaults(func=template)
    lst = sub.add_parser("list", help="the registry: each point, its district, status and open flags (confidential)")
    lst.add_argument("--district", help="one district id; default: all districts")
    lst.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    lst.add_argument("--content", type=Path, default=Path("site/content"))
    add_json(lst, "the points")
    lst.set_defaults(func=run_list)


POINT_FIELDS = ("point_id", "district", "enterprise_name", "uscc", "industry", "status", "reporting_from")


def run_list(args: argparse.Namespace) -> int:
    # cold start: loaded only when this path runs, not at import
    from enforcewatch.staff.pointviews import scope_rows
    from enforcewatch.staff.staffing import Scope

    districts = load_districts(args.content)
    names = {d.id: d.name for d in districts}
    if args.district and args.district not in names:
        raise InputError(f"--district: 未知的县（市、区）{args.district}")
    scope = Scope("cli", "office", None, tuple(names))
    with ddblocal.open_table(args.data_dir) as table:
        found = [{**{k: row.point.get(k) for k in POINT_FIELDS}, "open_flags": len(row.open_flags)}
                 for row in scope_rows(table, scope, args.district)]
    if args.json:
        _json({"points": found})
        return 0
    for p in found:
        print(f"{p['point_id']}\t{names.get(str(p['district']), p['district'])}\t{p['enterprise_name']}\t"  # noqa: T201
              f"{p['status']}\t{p['open_flags']}")
    return 0


def _say(text: str) -> None:
    print(text, file=sys.stderr)  # noqa: T201


def _recovered(recovery: importjournal.Recovery | None) -> None:
    if recovery is None:
        return
    pending = pending_codes(Path(recovery.codes_file)).name if recovery.codes_file else "访问码文件"
    if recovery.outcome == "committed":
        _say(f"上次未确认的导入 {recovery.import_id}（{recovery.source}）已完成；"
             f"若 {pending} 还在，其中的访问码有效，请改名为 {recovery.codes_file} 后保管")
    else:
        _say(f"已撤销未完成的导入 {recovery.import_id}（开始于 {recovery.started_at}，来源文件 {recovery.source}），"
             f"登记册已恢复到导入之前；{pending} 中的访问码无效，请删除该文件")


def template(args: argparse.Namespace) -> int:
    data = registry_template_bytes(load_districts(args.content))
    try:
        with args.out.open("xb") as fh:
            fh.write(data)
    except FileExistsError:
        raise InputError(f"{args.out}: 文件已存在，请指定新的文件名") from None
    except OSError as exc:
        raise InputError(f"{args.out}: 无法写入：{exc.strerror}") from None
    _say(f"已写入监测点名单模板 {args.out}（“填表说明”工作表列出每一列的填写要求）")
    return 0


def dry_run(args: argparse.Namespace) -> int:
    districts = load_districts(args.content)
    with ddblocal.open_table(args.data_dir) as table:
        shown = registry_sheet.preview(args.file, districts, table)
    if shown.error:
        raise InputError(shown.error)
    for note in shown.sheet.notes():
        _say(note)
    for problem in shown.problems:
        _say(str(problem))
    verdict = "可以导入" if shown.ok else f"有 {len(shown.problems)} 处问题，导入将不会写入任何一行"
    _say(f"预览（未写入）：共 {len(shown.rows)} 行；新增 {len(shown.new)} 个，更新 {len(shown.updated)} 个；{verdict}")
    if args.json:
        _json({"ok": shown.ok, "dry_run": True, "rows": len(shown.rows), "new": shown.new, "updated": shown.updated,
               "notes": shown.sheet.notes(), "errors": [dataclasses.asdict(p) for p in shown.problems]})
    return 0 if shown.ok else 1


def _json(data: dict[str, Any]) -> None:
    emit(data)


def run(args: argparse.Namespace) -> int:
    if args.dry_run:
        if args.file is None or args.recover:
            raise InputError("--dry-run 需要导入文件，且不能与 --recover 同时使用")
        return dry_run(args)
    if args.recover:
        if args.file or args.codes_out or args.reissue_codes:
            raise InputError("--recover 不能与导入文件、--codes-out 或 --reissue-codes 同时使用")
        with ddblocal.open_table(args.data_dir) as table:
            recovery = importjournal.recover(table, utc_now())
            heads = importjournal.imports(table)
        if recovery is None:
            _say("没有未完成的导入")
        _recovered(recovery)
        if heads:
            last = heads[-1]
            state = {"committed": "已完成", "rolled_back": "已撤销", "open": "未完成"}.get(last["state"], last["state"])
            _say(f"最近一次导入：{last['import_id']}（开始于 {last['started_at']}，来源文件 {last['source']}，"
                 f"访问码文件 {last['codes_file']}）{state}")
        return 0
    if args.file is None or args.codes_out is None:
        raise InputError("请指定导入文件和 --codes-out（或只用 --recover）")
    districts = load_districts(args.content)
    progress = Progress("正在写入登记册")
    progress.phase(f"正在读取并检查 {args.file.name}…")

    def written(done: int, total: int) -> None:
        progress.total = total
        progress.step(done)

    with ddblocal.open_table(args.data_dir) as table:
        outcome = run_import(table, args.file, districts, args.codes_out, rng=random.SystemRandom(),
                             now=utc_now(), reissue=args.reissue_codes, announce=_recovered,
                             progress=written)
    progress.done()
    result = outcome.result
    if args.json:
        _json({"ok": True, "new": result.new, "updated": result.updated, "codes": len(result.codes),
               "codes_file": str(args.codes_out), "notes": result.notes})
    for note in result.notes:
        _say(note)
    _say(f"导入完成：新增 {len(result.new)} 个，更新 {len(result.updated)} 个；"
         f"访问码 {len(result.codes)} 个已写入 {args.codes_out}（只此一次，请妥善保管）")
    return 0
