"""`enforcewatch casework`: the office's cycle with a point from the command line, acting as the
city office (`cli:<user>`), every change and download written to the audit log (docs/casework.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import random
import sys
from pathlib import Path
from typing import Any

from enforcewatch.clock import china_today, utc_now
from enforcewatch.commands.output import add_json, emit
from enforcewatch.errors import FieldError, InputError
from enforcewatch.progress import working

DEFAULT_DATA_DIR = Path(".data")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("casework", help="nominations, designation, transfers, commendations, timelines")
    sub = p.add_subparsers(dest="casework_command", metavar="ACTION", required=True)

    q = sub.add_parser("nominate", help="record a nomination (提名)")
    q.add_argument("--source", required=True, choices=("district", "department", "application"))
    q.add_argument("--district", required=True)
    q.add_argument("--name", required=True, help="企业名称")
    q.add_argument("--uscc", required=True, help="统一社会信用代码")
    q.add_argument("--by", required=True, help="推荐单位（或“企业自愿申报”）")
    q.add_argument("--industry", required=True)
    q.add_argument("--reasons")
    q.set_defaults(func=nominate)

    q = sub.add_parser("nominations", help="list nominations")
    q.add_argument("--district")
    add_json(q, "the nominations")
    q.set_defaults(func=nominations)

    q = sub.add_parser("check", help="eligibility check of a nomination (seed 000 §二)")
    q.add_argument("nomination_id")
    q.add_argument("--confirm", action="append", default=[], metavar="ITEM",
                   help="an item staff confirmed by hand: credit_china, representative, accidents, penalties")
    q.set_defaults(func=check)

    q = sub.add_parser("decide", help="record the joint meeting's decision")
    q.add_argument("nomination_id")
    q.add_argument("decision", choices=("approved", "rejected"))
    q.add_argument("--meeting", required=True)
    q.add_argument("--note")
    q.set_defaults(func=decide)

    q = sub.add_parser("designate", help="designate an approved nomination; the access code goes to a file")
    q.add_argument("nomination_id")
    q.add_argument("--point-id", required=True)
    q.add_argument("--plaque", required=True)
    q.add_argument("--date", required=True, help="授牌日期 YYYY-MM-DD")
    q.add_argument("--reporting-from", required=True, help="起报月份 YYYY-MM")
    q.add_argument("--codes-out", type=Path, required=True, help="file for the access code (created once, 0600)")
    q.set_defaults(func=designate)

    q = sub.add_parser("transfers", help="open transfers, overdue ones marked")
    q.add_argument("--as-of", help="YYYY-MM-DD (default: today, China time)")
    add_json(q, "the open transfers")
    q.set_defaults(func=list_transfers)

    q = sub.add_parser("commended", help="export commended points for market regulation (CSV/XLSX)")
    q.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    q.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    q.add_argument("--format", dest="fmt", choices=("csv", "xlsx"), default="xlsx")
    q.add_argument("--out", type=Path, required=True, help="file to write (not overwritten)")
    q.set_defaults(func=commended)

    q = sub.add_parser("timeline", help="a point's case history")
    q.add_argument("point_id")
    q.add_argument("--format", dest="fmt", choices=("text", "csv", "xlsx"), default="text")
    q.add_argument("--out", type=Path, help="file to write for csv/xlsx (not overwritten)")
    add_json(q, "the point and its history (with --format text)")
    q.set_defaults(func=timeline)

    for action in sub.choices.values():
        action.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        action.add_argument("--content", type=Path, default=Path("site/content"))


def _scope(content: Path) -> Any:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.staff.staffing import Scope, load_districts

    ids = tuple(d["id"] for d in load_districts(content))
    return Scope(f"cli:{getpass.getuser()}", "office", None, ids)


def _audit(table: Any, actor: str, action: str, details: dict[str, Any]) -> None:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.staff import audit

    audit.record(table, actor, action, details, utc_now(), random.SystemRandom())


def _say(text: str) -> None:
    print(text, file=sys.stderr)  # noqa: T201


def _show(doc: Any) -> None:
    print(json.dumps(doc, ensure_ascii=False, indent=2))  # noqa: T201


def _fresh(path: Path) -> None:
    if path.exists():
        raise InputError(f"{path}: 文件已存在，请换一个文件名", [FieldError(("out",), "文件已存在")])


def nominate(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.casework import designation
    from enforcewatch.store.ddblocal import open_table

    scope = _scope(args.content)
    data = {"source": args.source, "district": args.district, "enterprise_name": args.name, "uscc": args.uscc,
            "nominated_by": args.by, "industry": args.industry, "reasons": args.reasons}
    with open_table(args.data_dir) as table:
        item = designation.nominate(table, scope, data, scope.all_districts, utc_now(),
                                    random.SystemRandom())
        _audit(table, scope.username, "nomination", {"nomination_id": item["nomination_id"]})
    print(item["nomination_id"])  # noqa: T201
    return 0


def nominations(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.casework import designation
    from enforcewatch.store.ddblocal import open_table

    with open_table(args.data_dir) as table:
        found = [{"nomination_id": n["nomination_id"], "district": n["district"], "stage": n["stage"],
                  "stage_label": designation.STAGES.get(n["stage"], n["stage"]), "source": n.get("source"),
                  "enterprise_name": n["enterprise_name"]}
                 for n in designation.nominations(table, _scope(args.content), args.district)]
    if args.json:
        emit({"nominations": found})
        return 0
    for n in found:
        print(f"{n['nomination_id']}\t{n['district']}\t{n['stage_label']}\t{n['enterprise_name']}")  # noqa: T201
    return 0


def check(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.casework import designation
    from enforcewatch.store.ddblocal import open_table

    scope = _scope(args.content)
    with open_table(args.data_dir) as table:
        item = designation.check(table, scope, args.nomination_id, args.confirm, scope.all_districts,
                                 utc_now())
        result = item["check"]
        _audit(table, scope.username, "nomination_check", {"nomination_id": args.nomination_id,
                                                           "eligible": result["eligible"]})
    for r in result["refusals"]:
        _say(f"不符合：{r['msg']}")
    for u in result["unchecked"]:
        _say(f"待人工核实（--confirm {u['check']}）：{u['label']}")
    _say("资格审查通过" if result["eligible"] else "资格审查未通过")
    return 0 if result["eligible"] else 1


def decide(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.casework import designation
    from enforcewatch.store.ddblocal import open_table

    scope = _scope(args.content)
    with open_table(args.data_dir) as table:
        designation.decide(table, scope, args.nomination_id, args.decision, args.meeting, args.note,
                           utc_now())
        _audit(table, scope.username, "nomination_decision", {"nomination_id": args.nomination_id,
                                                              "decision": args.decision})
    _say(f"已记录联席会议决定：{args.decision}")
    return 0


def designate(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.casework import designation
    from enforcewatch.monitoring import registry
    from enforcewatch.store.ddblocal import open_table

    scope = _scope(args.content)
    if args.codes_out.exists():
        raise InputError(f"{args.codes_out}: 文件已存在；访问码只写一次，请指定新的文件名")
    data = {"point_id": args.point_id, "plaque_no": args.plaque, "designated_on": args.date,
            "reporting_from": args.reporting_from}
    with open_table(args.data_dir) as table:
        point, code = designation.designate(table, scope, args.nomination_id, data, utc_now(),
                                            random.SystemRandom())
        names = {d.id: d.name for d in registry.load_districts(args.content)}
        registry.write_codes(args.codes_out, [registry.CodeLine(point["point_id"], code, point.get("enterprise_name", ""),
                                                                names.get(point.get("district", ""), ""))])
        _audit(table, scope.username, "designation", {"nomination_id": args.nomination_id,
                                                      "point_id": point["point_id"]})
    _say(f"已授牌：{point['point_id']}（牌匾 {point['plaque_no']}），访问码已写入 {args.codes_out}")
    return 0


def list_transfers(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.casework import transfers
    from enforcewatch.store.ddblocal import open_table

    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else china_today()
    except ValueError:
        raise InputError(f"--as-of: 日期应写作 YYYY-MM-DD，而不是“{args.as_of}”") from None
    with open_table(args.data_dir) as table:
        found = [{"transfer_id": t["transfer_id"], "point_id": t.get("point_id"), "complaint_id": t.get("complaint_id"),
                  "department": t["department"], "deadline": t["deadline"], "overdue": bool(t["overdue"])}
                 for t in transfers.listing(table, _scope(args.content), as_of)]
    if args.json:
        emit({"as_of": as_of, "transfers": found})
        return 0
    for t in found:
        owner = t["point_id"] or f"投诉 {t['complaint_id']}"
        print(f"{t['transfer_id']}\t{owner}\t{t['department']}\t{t['deadline']}\t{'逾期' if t['overdue'] else ''}")  # noqa: T201
    return 0


def commended(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.casework import commendations
    from enforcewatch.staff import exports
    from enforcewatch.staff.staffing import load_districts
    from enforcewatch.store.ddblocal import open_table

    scope = _scope(args.content)
    try:
        first, last = dt.date.fromisoformat(args.date_from), dt.date.fromisoformat(args.date_to)
    except ValueError:
        raise InputError("--from/--to: 日期应写作 YYYY-MM-DD") from None
    _fresh(args.out)
    names = {d["id"]: d["name"] for d in load_districts(args.content)}
    counter = exports.Counter()
    with working("正在导出", "正在导出，已写入行数") as progress, open_table(args.data_dir) as table:
        rows = commendations.rows(commendations.listing(table, scope, first, last), names)
        with args.out.open("xb") as out:
            for chunk in exports.WRITERS[args.fmt](list(commendations.COLUMNS), counter.wrap(rows)):
                out.write(chunk)
                progress.step(counter.rows)
        _audit(table, scope.username, "download", {"kind": "commendation", "format": args.fmt, "from": args.date_from,
                                                   "to": args.date_to, "rows": counter.rows, "file": args.out.name})
    _say(f"已导出 {counter.rows} 行到 {args.out}")
    return 0


def timeline(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.casework import timeline as history
    from enforcewatch.staff import exports
    from enforcewatch.store.ddblocal import open_table

    scope = _scope(args.content)
    if args.fmt != "text":
        if args.out is None:
            raise InputError("--out: 导出 csv/xlsx 时须指定文件")
        _fresh(args.out)
    with open_table(args.data_dir) as table:
        head, entries = history.point_timeline(table, scope, args.point_id)
        if args.fmt != "text":
            with args.out.open("xb") as out:
                for chunk in exports.WRITERS[args.fmt](list(history.COLUMNS), history.rows(entries)):
                    out.write(chunk)
        _audit(table, scope.username, "timeline" if args.fmt == "text" else "download",
               {"kind": "timeline", "point_id": args.point_id, "format": args.fmt, "rows": len(entries)})
    if args.fmt == "text" and args.json:
        emit({"point": {"point_id": head["point_id"], "enterprise_name": head.get("enterprise_name"),
                        "status": head.get("status")},
              "entries": [{k: e.get(k) for k in ("at", "category", "title", "by")} for e in entries]})
    elif args.fmt == "text":
        print(f"{head['point_id']} {head.get('enterprise_name') or ''}（{head.get('status')}）")  # noqa: T201
        for e in entries:
            print(f"{e['at'][:19]}\t{e['category']}\t{e['title']}\t{e['by']}")  # noqa: T201
    else:
        _say(f"已导出 {len(entries)} 条到 {args.out}")
    return 0
