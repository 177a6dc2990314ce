"""`enforcewatch staff ...`: staff accounts (add-user, disable, enable, reset, totp, list). Every change is audited."""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

from enforcewatch.clock import utc_now
from enforcewatch.commands.output import add_json, emit
from enforcewatch.errors import FieldError, InputError

DEFAULT_DATA_DIR = Path(".data")
CLI_ACTOR = "cli"
# Subcommand → the action the audit log records (enforcewatch.staff.auditlabels has their labels).
STAFF_ACTIONS = {"add-user": "staff_add_user", "reset": "staff_reset", "disable": "staff_disable",
                 "enable": "staff_enable", "totp": "staff_totp"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("staff", help="staff accounts: add, disable, enable, reset password, TOTP")
    sub = p.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    add = sub.add_parser("add-user", help="create an account (password read from stdin)")
    add.add_argument("username")
    add.add_argument("--role", choices=("office", "district"), required=True)
    add.add_argument("--district", help="district id (site/content/districts.yaml), for --role district")
    add.add_argument("--password-stdin", action="store_true", required=True)
    reset = sub.add_parser("reset", help="set a new password (from stdin); clears a lock-out, signs out everywhere")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true", required=True)
    for name, text in (("disable", "disable an account; its tokens stop working at once"),
                       ("enable", "enable a disabled or locked account")):
        sub.add_parser(name, help=text).add_argument("username")
    otp = sub.add_parser("totp", help="turn on the TOTP second factor (prints the secret once) or --off")
    otp.add_argument("username")
    otp.add_argument("--off", action="store_true")
    users = sub.add_parser("list", help="every account: role, district, disabled, locked, TOTP (no secrets)")
    add_json(users, "the accounts")
    users.set_defaults(func=run_list)
    for parser in sub.choices.values():
        parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        parser.add_argument("--content", type=Path, default=Path("site/content"))
    p.set_defaults(func=run)


USER_FIELDS = ("username", "role", "district", "disabled", "locked", "has_totp", "created_at", "updated_at")


def run_list(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.staff.accounts import Accounts
    from enforcewatch.staff.staffing import load_districts
    from enforcewatch.store.ddblocal import open_table

    names = {d["id"]: d["name"] for d in load_districts(args.content)}
    with open_table(args.data_dir) as table:
        users = [{k: u.get(k) for k in USER_FIELDS} for u in Accounts(table).listing()]
    if args.json:
        emit({"users": users})
        return 0
    for u in users:
        state = "已停用" if u["disabled"] else "已锁定" if u["locked"] else "正常"
        role = "市级" if u["role"] == "office" else names.get(str(u["district"]), str(u["district"]))
        print(f"{u['username']}\t{role}\t{state}\t{'动态验证码' if u['has_totp'] else ''}")  # noqa: T201
    return 0


def read_password() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise InputError("请通过标准输入提供密码（--password-stdin）", [FieldError(("password",), "密码为空")])
    return line


def run(args: argparse.Namespace) -> int:
    # cold start: a command's modules load when it runs, not at every CLI start
    from enforcewatch.staff import audit, totp
    from enforcewatch.staff.accounts import Accounts
    from enforcewatch.staff.staffing import load_districts
    from enforcewatch.store.ddblocal import open_table

    now = utc_now()
    rng = random.SystemRandom()
    action = args.staff_command
    password = read_password() if getattr(args, "password_stdin", False) else None
    with open_table(args.data_dir) as table:
        accounts = Accounts(table)
        details: dict[str, object] = {"username": args.username}
        if action == "add-user":
            known = [d["id"] for d in load_districts(args.content)]
            user = accounts.add(args.username, args.role, args.district, password or "", now, known)
            details.update(role=user.role, district=user.district)
            message = f"已创建用户 {user.username}"
        elif action == "reset":
            accounts.reset_password(args.username, password or "", now)
            message = f"已重置 {args.username} 的密码，原有登录全部失效"
        elif action == "disable":
            accounts.disable(args.username, now)
            message = f"已停用 {args.username}，原有登录全部失效"
        elif action == "enable":
            accounts.enable(args.username, now)
            message = f"已启用 {args.username}"
        else:
            secret = None if args.off else totp.new_secret(rng)
            accounts.set_totp(args.username, secret, now)
            details["totp"] = "off" if args.off else "on"
            message = f"已关闭 {args.username} 的动态验证码" if args.off else (
                f"已为 {args.username} 开启动态验证码。请用验证器应用添加（只显示这一次）：\n"
                f"{totp.provisioning_uri(secret or '', args.username)}")
        audit.record(table, CLI_ACTOR, STAFF_ACTIONS[action], details, now, rng)
    print(message, file=sys.stderr)  # noqa: T201
    return 0
