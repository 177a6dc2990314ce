"""The staff workflow of `enforcewatch draws` (docs/draws.md "The steps of a draw"):

    draws open --spec TASK.json            open a task (candidates with their credit class, inspectors, parties)
    draws commit ID --party P --commitment HEX
    draws reveal ID --party P --secret HEX
    draws run ID                           draw, once every party has revealed
    draws publish ID [--out site/content/draws]
    draws proof ID --uscc CODE             an enterprise's salt for its membership check
    draws show ID | draws list

Each step is audited as the signed-in system user (`cli:NAME`), `refused` when it fails. All read
and write the store of `--data-dir`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from enforcewatch.commands.output import add_json, emit
from enforcewatch.draws import publication, tasks
from enforcewatch.errors import InputError
from enforcewatch.sitegen.content import load_content
from enforcewatch.store import ddblocal

DEFAULT_DATA_DIR = Path(".data")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    q = sub.add_parser("open", help="open a draw task from a JSON spec (docs/draws.md)")
    q.add_argument("--spec", type=Path, required=True)
    q.set_defaults(func=run_open)
    q = sub.add_parser("commit", help="record a party's commitment")
    q.add_argument("draw_id")
    q.add_argument("--party", required=True, choices=("agency", "justice", "point"))
    q.add_argument("--commitment", required=True)
    q.set_defaults(func=run_commit)
    q = sub.add_parser("reveal", help="record a party's secret (at or after the scheduled time)")
    q.add_argument("draw_id")
    q.add_argument("--party", required=True, choices=("agency", "justice", "point"))
    q.add_argument("--secret", required=True)
    q.set_defaults(func=run_reveal)
    for name, helptext, func in (("run", "draw, once every party has revealed", run_draw),
                                 ("show", "a task's state and records", run_show)):
        q = sub.add_parser(name, help=helptext)
        q.add_argument("draw_id")
        q.set_defaults(func=func)
    q = sub.add_parser("publish", help="write the completed record for the site")
    q.add_argument("draw_id")
    q.add_argument("--out", type=Path, default=Path("site/content/draws"))
    q.set_defaults(func=run_publish)
    q = sub.add_parser("proof", help="an enterprise's inclusion proof (its salt)")
    q.add_argument("draw_id")
    q.add_argument("--uscc", required=True)
    q.set_defaults(func=run_proof)
    q = sub.add_parser("list", help="every draw task and its state")
    add_json(q, "the draw tasks")
    q.set_defaults(func=run_list)
    for name in ("open", "commit", "reveal", "run", "show", "publish", "proof", "list"):
        sub.choices[name].add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
        sub.choices[name].add_argument("--content", type=Path, default=Path("site/content"))


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _step(args: argparse.Namespace, action: str, draw_id: str, fn: Callable[[Any], Any], **details: Any) -> Any:
    with ddblocal.open_table(args.data_dir) as table:
        return tasks.audited(table, _actor(), action, draw_id, dt.datetime.now(dt.UTC), random.SystemRandom(),
                             lambda: fn(table), **details)


def run_open(args: argparse.Namespace) -> int:
    try:
        data = json.loads(args.spec.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{args.spec}: 无法读取任务说明（{exc}）") from None
    item_id = str(data.get("item_id", "")) if isinstance(data, dict) else ""
    items = {i.id: i for i in load_content(args.content).spot_checks.items}
    if item_id not in items:
        raise InputError(f"{args.spec}: item_id: 随机抽查事项清单中没有事项 “{item_id}”")
    ratios = publication.published_ratios(args.content, item_id)
    draw_id = str(data.get("id", ""))
    task = _step(args, "draws.open", draw_id, lambda t: tasks.open_task(
        t, data, ratios, items[item_id].item, _actor(), dt.datetime.now(dt.UTC), random.SystemRandom()),
        candidates=len(data.get("candidates", [])))
    _say(f"已开启抽取任务 {task['draw_id']}：候选 {sum(task['sizes'].values())} 户，"
         f"等待 {'、'.join(task['parties'])} 提交承诺")
    return 0


def run_commit(args: argparse.Namespace) -> int:
    task = _step(args, "draws.commit", args.draw_id,
                 lambda t: tasks.commit(t, args.draw_id, args.party, args.commitment, dt.datetime.now(dt.UTC)),
                 party=args.party)
    _say(f"{args.draw_id}：{tasks.STATES[task['state']]}")
    if task["state"] == "announced":
        with ddblocal.open_table(args.data_dir) as table:  # the announced record, to publish now
            print(tasks.announced_record(table, task).dump(), end="")  # noqa: T201
    return 0


def run_reveal(args: argparse.Namespace) -> int:
    task = _step(args, "draws.reveal", args.draw_id,
                 lambda t: tasks.reveal(t, args.draw_id, args.party, args.secret, dt.datetime.now(dt.UTC)),
                 party=args.party)
    _say(f"{args.draw_id}：已揭示 {'、'.join(sorted(task['reveals']))}")
    return 0


def run_draw(args: argparse.Namespace) -> int:
    task = _step(args, "draws.run", args.draw_id, lambda t: tasks.run(t, args.draw_id))
    _say(f"{args.draw_id}：已抽取 {task['selected_count']} 户")
    return 0


def run_publish(args: argparse.Namespace) -> int:
    _, body = _step(args, "draws.publish", args.draw_id, lambda t: tasks.publish(t, args.draw_id))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{args.draw_id}.json"
    path.write_text(body, encoding="utf-8")
    _say(f"已写入 {path}；重新生成网站后公布")
    return 0


def run_proof(args: argparse.Namespace) -> int:
    found = _step(args, "draws.proof", args.draw_id, lambda t: tasks.proof(t, args.draw_id, args.uscc),
                  uscc=args.uscc.strip().upper())
    print(json.dumps(found, ensure_ascii=False))  # noqa: T201
    return 0


def run_show(args: argparse.Namespace) -> int:
    with ddblocal.open_table(args.data_dir) as table:
        print(json.dumps(tasks.view(tasks.get(table, args.draw_id)), ensure_ascii=False, indent=1))  # noqa: T201
    return 0


def run_list(args: argparse.Namespace) -> int:
    with ddblocal.open_table(args.data_dir) as table:
        found = [{"draw_id": t["draw_id"], "scheduled_at": t["scheduled_at"], "state": t["state"],
                  "state_label": tasks.STATES[t["state"]], "title": t["title"]} for t in tasks.listing(table)]
    if args.json:
        emit({"draws": found})
        return 0
    for t in found:
        print(f"{t['draw_id']}\t{t['scheduled_at']}\t{t['state_label']}\t{t['title']}")  # noqa: T201
    return 0


def _say(text: str) -> None:
    print(text, file=sys.stderr)  # noqa: T201
