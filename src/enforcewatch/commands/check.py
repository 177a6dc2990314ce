"""`enforcewatch check`: validate site/content only, with the same messages as `build`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from enforcewatch.draws.publication import draws_hook
from enforcewatch.progress import working
from enforcewatch.sitegen.content import load_content


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("check", help="validate the content without writing anything")
    p.add_argument("--content", type=Path, default=Path("site/content"), help="content directory")
    p.add_argument("--json", action="store_true", help="print the result (or every problem) as JSON on stdout")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with working("正在检查内容…"):
        content = load_content(args.content)
    extra = "".join(f"{label} {len(data.items)} 项，" for label, data in (
        ("重点监管", content.key_supervision), ("包容审慎", content.prudent), ("抽查结果", content.spot_check_results))
        if data is not None)  # the supervision lists, when the office publishes them
    draws = draws_hook(args.content)(content)["draws"]  # the build refuses a draw record that does not verify
    print(f"内容检查通过：执法事项 {len(content.enforcement.items)} 项，"  # noqa: T201
          f"抽查事项 {len(content.spot_checks.items)} 项，两轻一免 {len(content.leniency.items)} 项，{extra}"
          f"页面 {len(content.pages)} 个，抽取记录 {len(draws)} 份", file=sys.stderr)
    if args.json:
        print(json.dumps({"ok": True, "enforcement_items": len(content.enforcement.items),  # noqa: T201
                          "spot_checks": len(content.spot_checks.items), "leniency": len(content.leniency.items),
                          "pages": len(content.pages)}, ensure_ascii=False))
    return 0
