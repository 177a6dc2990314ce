"""`enforcewatch draws`: 双随机 draws anyone can verify (docs/draws.md).

    draws verify RECORD.json [--content site/content] [--announced DIGEST]
    draws membership RECORD.json --uscc CODE --salt SALT
    draws secret --draw ID --party agency|justice|point
    draws open|commit|reveal|run|publish|proof|show|list ...   (the staff workflow: commands/draws_tasks.py)

`verify` exits 1 and prints one line per difference; `membership` exits 1 when the enterprise is
not among the candidates.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path

from enforcewatch.commands import draws_tasks
from enforcewatch.commands.output import add_json, emit
from enforcewatch.draws import membership, publication, verify
from enforcewatch.draws import record as rec
from enforcewatch.draws.hashing import commitment
from enforcewatch.errors import InputError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("draws", help="双随机 draws: verify a record, check membership, run the workflow")
    sub = p.add_subparsers(dest="draws_command", metavar="ACTION")
    sub.required = True

    v = sub.add_parser("verify", help="recompute a draw record and name every difference")
    v.add_argument("record", type=Path, metavar="RECORD.json")
    v.add_argument("--content", type=Path, default=None,
                   help="also compare the ratios with this content's published spot-check list")
    v.add_argument("--announced", default=None, help="the announcement digest published before the reveals")
    add_json(v, "the verdict (ok, status, selected, seed, problems)")
    v.set_defaults(func=run_verify)

    m = sub.add_parser("membership", help="an enterprise checks it is among the candidates")
    m.add_argument("record", type=Path, metavar="RECORD.json")
    m.add_argument("--uscc", required=True, help="统一社会信用代码")
    m.add_argument("--salt", required=True, help="the salt the agency gave with the inclusion proof")
    m.set_defaults(func=run_membership)

    s = sub.add_parser("secret", help="a party makes its secret and the commitment to hand in")
    s.add_argument("--draw", required=True, help="draw id")
    s.add_argument("--party", required=True, choices=("agency", "justice", "point"))
    s.set_defaults(func=run_secret)
    draws_tasks.register(sub)


def read_record(path: Path) -> rec.DrawRecord:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: 无法读取（{exc.strerror}）") from None
    return verify.parse(text, str(path))


def run_verify(args: argparse.Namespace) -> int:
    record = read_record(args.record)
    ratios = publication.published_ratios(args.content, record.matter.item_id) if args.content else None
    found = verify.check(record, published_ratios=ratios, announced=args.announced)
    for f in found:
        print(f"{args.record}: {f.message}", file=sys.stderr)  # noqa: T201
    if args.json:
        emit({"ok": not found, "record": str(args.record), "status": record.status, "selected": len(record.result),
              "seed": record.seed, "problems": [{"kind": f.kind, "message": f.message} for f in found]})
    if found:
        return 1
    done = "已完成" if record.status == "completed" else "已公告、尚未揭示"
    print(f"{args.record}: 核验通过（{done}；{len(record.result)} 家被抽中；种子 {record.seed[:16] or '—'}…）",  # noqa: T201
          file=sys.stderr if args.json else sys.stdout)
    return 0


def run_membership(args: argparse.Namespace) -> int:
    record = read_record(args.record)
    found = membership.check(record, args.uscc.strip().upper(), args.salt)
    print(f"{args.record}: {found.message()}")  # noqa: T201
    return 0 if found.credit_class is not None else 1


def run_secret(args: argparse.Namespace) -> int:
    secret = secrets.token_hex(32)
    print(f"秘密（抽取前妥善保管，揭示时提交）：{secret}")  # noqa: T201
    print(f"承诺（现在提交）：{commitment(args.draw, args.party, secret)}")  # noqa: T201
    return 0
