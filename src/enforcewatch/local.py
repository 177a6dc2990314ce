"""The one-command local stack (`enforcewatch serve`): build the site, start DynamoDB Local on the data
dir, create the table if missing, and serve the site and the APIs from one origin until Ctrl-C.

One ASGI app routes by path: `/api/staff/…` and `/staff/…` to the staff app (if present),
`/api/…` to the public app, everything else to the built site (with its 404 page).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import random
import secrets
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enforcewatch.clock import china_today
from enforcewatch.commands import demo
from enforcewatch.config import ENV_RECEIPT_SECRET, Settings
from enforcewatch.errors import ContentError
from enforcewatch.monitoring import flagkeys, registry

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
    watch_interval: float = 1.0  # seconds between looks at content and templates for changes


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


BANNER = ('<div role="alert" style="background:#fdecea;color:#611a15;border:2px solid #b71c1c;padding:1em;'
          'margin:0;font-size:16px;white-space:pre-wrap">{}</div>')


class LiveStatic:
    """The built site from the directory `live` serves now; while its last rebuild failed, every
    page starts with a banner naming the problems (local use only: `enforcewatch serve`)."""

    def __init__(self, live: Any) -> None:
        # cold start: the server stack loads only when serving
        from starlette.staticfiles import StaticFiles

        self.live = live
        self.apps = {d: StaticFiles(directory=d, html=True, check_dir=False) for d in live.dirs}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        app = self.apps[self.live.current]
        errors = list(self.live.errors)
        if not errors:
            await app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        body: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            data = b"".join(body)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            if any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                data = _with_banner(data, errors)
            await send({**start, "headers": [*headers, (b"content-length", str(len(data)).encode())]})
            await send({"type": "http.response.body", "body": data})

        await app(scope, receive, capture)  # type: ignore[arg-type]


def _with_banner(page: bytes, errors: list[str]) -> bytes:
    # cold start: only when a rebuild failed
    import html

    text = "内容有错误，以下仍是上次成功生成的网站。请修改后保存，网站会自动重新生成：\n" + "\n".join(errors)
    banner = BANNER.format(html.escape(text)).encode()
    at = page.find(b">", page.find(b"<body")) + 1 if b"<body" in page else 0
    return page[:at] + banner + page[at:]


def make_app(settings: Settings, table: Any, site_dir: Path | Any, templates_dir: Path) -> OneOrigin:
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
    static = LiveStatic(site_dir) if hasattr(site_dir, "dirs") else StaticFiles(directory=site_dir, html=True)
    site = SecurityHeaders(static, relative_redirects=True)
    return OneOrigin(public, site, staff)


def server_config(app: Any, host: str, port: int) -> Any:
    """How `serve` runs uvicorn. The client address is the real peer's: forwarded-for headers are not
    trusted (uvicorn trusts them from loopback by default), since the guessing limits count per address
    and any client can set them (issue 19). No access log: receipt look-ups and form posts are nobody's
    business (seed 000 §八)."""
    # cold start: uvicorn is ~125 modules; every CLI subcommand loads this module, only `serve` runs a
    # server
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, lifespan="off", access_log=False, log_level="warning",
                          timeout_graceful_shutdown=5, proxy_headers=False,
                          server_header=False)


def serve(options: LocalOptions) -> int:
    """Run until SIGINT/SIGTERM; DynamoDB Local is stopped on the way out, whatever happens."""
    # cold start: the server stack loads only when serving
    import uvicorn

    from enforcewatch.control.publication import plans_hook
    from enforcewatch.draws.publication import draws_hook
    from enforcewatch.insights.publicstats import statistics_hook
    from enforcewatch.monitoring.duedates import calendar_hook
    from enforcewatch.sitegen.build import build_site
    from enforcewatch.sitegen.livebuild import LiveSite
    from enforcewatch.store.ddblocal import DynamoDBLocal
    from enforcewatch.store.dynamo import DynamoTable

    data_dir = options.data_dir.resolve()
    if options.demo:
        # cold start: only a demo run wipes its folder
        import shutil

        data_dir = data_dir / "demo"  # never the real data
        shutil.rmtree(data_dir, ignore_errors=True)
    # the same data dir the other commands' --data-dir opens; the demo city lives in memory only
    server = DynamoDBLocal(None if options.demo else data_dir)
    server.command()  # fail fast, before building, if Java or the jar is missing (says how to get them)

    tables: list[DynamoTable] = []  # once the store runs, rebuilds read the years uploaded in the workspace

    def build(out: Path) -> None:
        today = china_today()  # the reporting calendar's build date
        calendar = calendar_hook(options.content_dir, today, tables[0] if tables else None)
        result = build_site(options.content_dir, options.templates_dir, out,
                            hooks=(calendar, statistics_hook(options.content_dir),
                                   draws_hook(options.content_dir), plans_hook(options.content_dir)))
        _say(f"已生成网站：{result.pages} 个页面")

    # Two output directories: a rebuild after an edit goes to the other one, served once complete.
    live = LiveSite((data_dir / "_site", data_dir / "_site.next"), (options.content_dir, options.templates_dir),
                    build, _say)
    live.start()
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
        _key_open_flags(table, options.content_dir)
        tables.append(table)
        app = make_app(settings, table, live, options.templates_dir)
        live.watch(options.watch_interval)
        _say(f"正在监视 {options.content_dir} 和 {options.templates_dir}：保存修改后网站自动重新生成")
        config = server_config(app, options.host, options.port)
        _say(f"EnforceWatch 已启动：http://{options.host}:{options.port}/ （数据目录 {data_dir}，按 Ctrl-C 停止）")
        uvicorn.Server(config).run()
    finally:
        live.stop()
        server.stop()
        _say("已停止。")
    return 0


def _load_demo(table: Any, content_dir: Path) -> None:
    _say("演示模式：正在生成示范城市的数据……")
    city = demo.load(table, content_dir, dt.datetime.now(dt.UTC), random.Random(2026))
    _say(f"演示数据：{city.points} 个监测点、{city.reports} 份月报、{city.complaints} 件投诉、{city.flags} 条标记、"
         f"{city.extras.get('plans', 0)} 份检查计划、{city.extras.get('notices', 0)} 条通知、"
         f"{city.extras.get('draws', 0)} 个双随机抽取任务")
    _say(f"演示账户（市级）：用户名 {city.username}  密码 {city.password}  （登录页 /staff/sign-in）")


def _key_open_flags(table: Any, content_dir: Path) -> None:
    """Open flags kept on disk from before the city-wide index get its keys now (idempotent: none to
    do after the first start), so the city office's queue shows them before the next daily check."""
    try:
        districts = [d.id for d in registry.load_districts(content_dir)]
    except ContentError as exc:
        _say(f"未能读取县（市、区）列表，暂不补全待处理标记的全市索引：{exc}")
        return
    keyed = flagkeys.key_open_flags(table, districts)
    if keyed:
        _say(f"已为 {keyed} 条待处理标记补上全市索引（数据目录中的旧数据）")


def _exit_on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)  # noqa: T201
