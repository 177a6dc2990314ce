"""The one-command local stack (`enforcewatch serve`): build the site, start DynamoDB Local on the data
dir, create the table if missing, and serve the site and the APIs from one origin until Ctrl-C.

One ASGI app routes by path: `/api/staff/…` and `/staff/…` to the staff app (if present),
`/api/…` to the public app, everything else to the built site (with its 404 page).
"""

from __future__ import annotations

import importlib
import logging
import os
import secrets
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enforcewatch.clock import china_today
from enforcewatch.config import ENV_RECEIPT_SECRET, Settings

log = logging.getLogger("enforcewatch.local")
STAFF_PREFIXES = ("/api/staff", "/staff")
SECRET_FILE = "token-secret"  # staff sign-ins survive a restart of the local stack
RECEIPT_SECRET_FILE = "receipt-secret"  # a complaint retried across a restart keeps its receipt code


@dataclass(frozen=True)
class LocalOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path(".data")
    content_dir: Path = Path("site/content")
    templates_dir: Path = Path("site/templates")
    demo: bool = False  # a generated city in DATA_DIR/demo, wiped at each start (enforcewatch.commands.demo)


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


class OneOrigin:
    """Dispatches requests to the staff app, the public API or the static site."""

    def __init__(self, public: Any, site: Any, staff: Any | None = None) -> None:
        self.public, self.site, self.staff = public, site, staff

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if self.staff is not None and any(_under(path, p) for p in STAFF_PREFIXES):
            await self.staff(scope, receive, send)
        elif _under(path, "/api"):
            await self.public(scope, receive, send)
        else:
            await self.site(scope, receive, send)


def local_secret(data_dir: Path, name: str = SECRET_FILE) -> str:
    """A secret of this data dir (the staff token secret by default), created on first use (0600)."""
    path = data_dir / name
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def make_app(settings: Settings, table: Any, site_dir: Path, templates_dir: Path) -> OneOrigin:
    # cold start: the server stack loads only when serving
    from starlette.staticfiles import StaticFiles

    from enforcewatch.api.headers import SecurityHeaders
    from enforcewatch.api.public.app import create_app

    public = create_app(settings, table, templates_dir=templates_dir)
    staff = None
    try:
        staff_module = importlib.import_module("enforcewatch.api.staff.app")
    except ModuleNotFoundError as exc:
        if exc.name != "enforcewatch.api.staff.app":
            raise
    else:
        staff = staff_module.create_staff_app(settings, table)
    site = SecurityHeaders(StaticFiles(directory=site_dir, html=True), relative_redirects=True)
    return OneOrigin(public, site, staff)


def server_config(app: Any, host: str, port: int) -> Any:
    """How `serve` runs uvicorn. The client address is the real peer's: forwarded-for headers are not
    trusted (uvicorn trusts them from loopback by default), since the guessing limits count per address
    and any client can set them (issue 19). No access log: receipt look-ups and form posts are nobody's
    business (seed 000 §八)."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, lifespan="off", access_log=False, log_level="warning",
                          timeout_graceful_shutdown=5, proxy_headers=False,
                          server_header=False)


def serve(options: LocalOptions) -> int:
    """Run until SIGINT/SIGTERM; DynamoDB Local is stopped on the way out, whatever happens."""
    # cold start: the server stack loads only when serving
    import uvicorn

    from enforcewatch.draws.publication import draws_hook
    from enforcewatch.insights.publicstats import statistics_hook
    from enforcewatch.monitoring.duedates import calendar_hook
    from enforcewatch.sitegen.build import build_site
    from enforcewatch.store.ddblocal import DynamoDBLocal
    from enforcewatch.store.dynamo import DynamoTable

    data_dir = options.data_dir.resolve()
    if options.demo:
        import shutil

        data_dir = data_dir / "demo"  # never the real data
        shutil.rmtree(data_dir, ignore_errors=True)
    site_dir = data_dir / "_site"
    # the same data dir the other commands' --data-dir opens; the demo city lives in memory only
    server = DynamoDBLocal(None if options.demo else data_dir)
    server.command()  # fail fast, before building, if Java or the jar is missing (says how to get them)
    today = china_today()  # the reporting calendar's build date
    result = build_site(options.content_dir, options.templates_dir, site_dir,
                        hooks=(calendar_hook(options.content_dir, today), statistics_hook(options.content_dir),
                               draws_hook(options.content_dir)))
    _say(f"已生成网站：{result.pages} 个页面")
    # SIGTERM (a service manager, `timeout`, a test) must stop DynamoDB Local too. uvicorn handles the
    # signal while it serves and then re-raises it with the previous handler: with Python's default
    # one the process would die at once, skip the `finally` below and orphan the Java process.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    server.start()
    try:
        settings = Settings.from_env(os.environ).model_copy(update={
            "dynamodb_endpoint": server.endpoint, "content_dir": options.content_dir,
            "token_secret": os.environ.get("EW_TOKEN_SECRET") or local_secret(data_dir), "site_origin": None,
            "receipt_secret": os.environ.get(ENV_RECEIPT_SECRET) or local_secret(data_dir, RECEIPT_SECRET_FILE),
        })
        if settings.attachment_dir is None and settings.attachment_bucket is None:  # verification attachments
            settings = settings.model_copy(update={"attachment_dir": data_dir / "attachments"})
        table = DynamoTable.from_settings(settings)
        if table.ensure_exists():
            _say(f"已创建数据表 {settings.table_name}")
        if options.demo:
            _load_demo(table, options.content_dir)
        app = make_app(settings, table, site_dir, options.templates_dir)
        config = server_config(app, options.host, options.port)
        _say(f"EnforceWatch 已启动：http://{options.host}:{options.port}/ （数据目录 {data_dir}，按 Ctrl-C 停止）")
        uvicorn.Server(config).run()
    finally:
        server.stop()
        _say("已停止。")
    return 0


def _load_demo(table: Any, content_dir: Path) -> None:
    import datetime as dt
    import random

    from enforcewatch.commands import demo

    _say("演示模式：正在生成示范城市的数据……")
    city = demo.load(table, content_dir, dt.datetime.now(dt.UTC), random.Random(2026))
    _say(f"演示数据：{city.points} 个监测点、{city.reports} 份月报、{city.complaints} 件投诉、{city.flags} 条标记")
    _say(f"演示账户（市级）：用户名 {city.username}  密码 {city.password}  （登录页 /staff/sign-in）")


def _exit_on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)  # noqa: T201
