"""`enforcewatch check`: validate site/content only, with the same messages as `build`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from enforcewatch.sitegen.content import load_content


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("check", help="validate the content without writing anything")
    p.add_argument("--content", type=Path, default=Path("site/content"), help="content directory")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    content = load_content(args.content)
    extra = "".join(f"{label} {len(data.items)} 项，" for label, data in (
        ("重点监管", content.key_supervision), ("包容审慎", content.prudent), ("抽查结果", content.spot_check_results))
        if data is not None)  # the supervision lists, when the office publishes them
    print(f"内容检查通过：执法事项 {len(content.enforcement.items)} 项，"  # noqa: T201
          f"抽查事项 {len(content.spot_checks.items)} 项，两轻一免 {len(content.leniency.items)} 项，{extra}"
          f"页面 {len(content.pages)} 个", file=sys.stderr)
    return 0
