"""`enforcewatch serve`: the whole system on this machine (see enforcewatch.local)."""

from __future__ import annotations

import argparse
from pathlib import Path

from enforcewatch.local import LocalOptions, serve


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("serve", help="build the site and serve it with the API and DynamoDB Local")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--data-dir", type=Path, default=Path(".data"), help="where DynamoDB Local keeps its data")
    p.add_argument("--content", type=Path, default=Path("site/content"), help="content directory")
    p.add_argument("--templates", type=Path, default=Path("site/templates"), help="templates directory")
    p.add_argument("--demo", action="store_true",
                   help="load a generated demo city (in DATA_DIR/demo, wiped at each start) and print a demo account")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return serve(LocalOptions(host=args.host, port=args.port, data_dir=args.data_dir,
                              content_dir=args.content, templates_dir=args.templates, demo=args.demo))
