"""`enforcewatch build`: validate site/content and write the static site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from enforcewatch.build import build_site


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("build", help="validate the content and generate the static site")
    p.add_argument("--content", type=Path, default=Path("site/content"), help="content directory")
    p.add_argument("--templates", type=Path, default=Path("site/templates"), help="templates directory")
    p.add_argument("--out", type=Path, default=Path("_site"), help="output directory (replaced on success)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = build_site(args.content, args.templates, args.out)
    print(f"已生成 {result.pages} 个页面、{result.files} 个文件：{args.out}", file=sys.stderr)  # noqa: T201
    return 0
