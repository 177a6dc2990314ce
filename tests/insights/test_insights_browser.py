"""The statistics page and the staff scorecard page as a user sees them, through `enforcewatch serve`
(DynamoDB Local, the built site, the staff app on one origin) in headless Chromium: screenshots are
saved under tests/artifacts/, and both pages are checked with axe-core (WCAG 2.1 AA).

The flow is the office's: reports arrive, the daily detection runs, `insights publish-stats` writes
the suppressed tables into the content, and `serve`, which rebuilds the site when the content
changes, publishes them.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from enforcewatch.cli import main
from enforcewatch.config import Settings
from enforcewatch.insights import detection
from enforcewatch.insights.inspections import Catalogue
from enforcewatch.staff.accounts import Accounts
from enforcewatch.store.ddblocal import ENDPOINT_FILE
from enforcewatch.store.dynamo import DynamoTable
from support.browser import axe_context, axe_violations, sign_in_tools
from support.insights import CONTENT, ROOT, content, generated_month, inspection, report
from support.items import point_item
from support.paths import store_data_dir
from support.staff import PASSWORD

pytestmark = [pytest.mark.ddb_local, pytest.mark.browser]
ARTIFACTS = ROOT / "tests" / "artifacts"
# Points reporting each month: enough for published and suppressed (k=5) cells, agencies to rate and
# findings to transfer. Every report goes into the DynamoDB Local `serve` keeps on disk, the setup's
# largest cost after starting `serve`: 150 points for 3 months are about 470 reports (300 before).
POINTS = 150


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Served:
    def __init__(self, data: Path, content_dir: Path) -> None:
        self.port = _port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "EW_TOKEN_SECRET"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "enforcewatch", "serve", "--port", str(self.port), "--data-dir", str(data),
             "--content", str(content_dir)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.proc.stderr.read().decode() if self.proc.stderr else "exited"
            try:
                if httpx.get(self.base + "/staff/tools/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        raise AssertionError("serve did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


def _wait_for_statistics(base: str, server: Served) -> None:
    """Until the site `serve` rebuilt after the content changed carries the statistics' download."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert server.proc.poll() is None, server.proc.stderr.read().decode() if server.proc.stderr else "exited"
        if httpx.get(f"{base}/data/statistics.csv", timeout=5).status_code == 200:
            return
        time.sleep(0.5)
    raise AssertionError("serve did not rebuild the site with the published statistics")


@pytest.fixture(scope="module")
def served(tmp_path_factory: Any, ddb_local_server: Any) -> Iterator[str]:
    content_dir = tmp_path_factory.mktemp("insights-content") / "content"
    shutil.copytree(CONTENT, content_dir)
    with store_data_dir(tmp_path_factory.mktemp("insights-data")) as data:
        yield from _served(data, content_dir)


def _served(data: Path, content_dir: Path) -> Iterator[str]:
    server = Served(data, content_dir)
    try:
        table = DynamoTable.from_settings(Settings(dynamodb_endpoint=(data / ENDPOINT_FILE).read_text().strip()))
        rng, c = random.Random(2026), content()
        reports = [r for m in ("2026-01", "2026-02", "2026-03") for r in generated_month(rng, m, points=POINTS, c=c)]
        reports.append(report("PX1", "chengguan", "2026-03", [
            inspection(dt.date(2026, 3, 2), "示范市市场监督管理局", "厂区绿化情况"),
            inspection(dt.date(2026, 3, 5), "示范市生态环境局", "排污", item_id="sthj-cc-001")]))
        table.batch_put(reports)
        points = {(r["point_id"], r["district"]) for r in reports}
        table.batch_put([point_item(pid, d) for pid, d in sorted(points)])
        Accounts(table).add("city", "office", None, PASSWORD, dt.datetime.now(dt.UTC))
        detection.run(table, Catalogue.from_content(c), ["chengguan", "xincheng"], dt.date(2026, 4, 6))
        assert main(["insights", "publish-stats", "--data-dir", str(data), "--content", str(content_dir),
                     "--from", "2026-01", "--to", "2026-03"]) == 0
        # the statistics are in the content now: the running `serve` rebuilds the site with them, as it
        # does after any content change (one process, not a second start of serve and DynamoDB Local)
        _wait_for_statistics(server.base, server)
        yield server.base
    finally:
        server.stop()


def test_statistics_page(served: str, browser: Any) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    context = axe_context(browser, viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{served}/statistics/")
        assert page.locator("h1").inner_text() == "涉企行政执法监测统计"
        assert page.locator("svg[role=img]").count() == 3
        assert page.locator("table").count() == 4
        assert "不公布" in page.inner_text("main")
        page.screenshot(path=str(ARTIFACTS / "insights-statistics.png"), full_page=True)
        assert all(u.startswith(served) for u in requests)  # nothing from another host
        assert axe_violations(page) == []
        csv = httpx.get(f"{served}/data/statistics.csv")
        assert csv.status_code == 200 and "PX1" not in csv.text and "厂区绿化" not in csv.text
    finally:
        context.close()


def test_staff_scorecard_page(served: str, browser: Any) -> None:
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    checking = axe_context(browser)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in_tools(page, served, "city")
        page.click("text=执法单位评议与监测发现")  # the staff page links to it (default: this year so far)
        page.wait_for_selector("#sc-h")
        page.goto(f"{served}/api/staff/insights/page?from=2026-01&to=2026-03")
        assert "执法单位评议汇总" in page.inner_text("main")
        assert page.locator("svg[role=img]").count() == 4
        page.screenshot(path=str(ARTIFACTS / "insights-scorecards.png"), full_page=True)
        page.screenshot(path=str(ARTIFACTS / "insights-scorecards-top.png"))
        page.locator("a", has_text="查看").first.click()  # the first agency's drill-down
        page.wait_for_selector("#detail")
        page.locator("#detail").screenshot(path=str(ARTIFACTS / "insights-drilldown.png"))
        page.goto(f"{served}/api/staff/insights/page?from=2026-01&to=2026-03&kind=multi_agency")
        page.locator("article li a").first.click()  # a finding's evidence: the point's inspections
        page.wait_for_selector("#detail")
        page.go_back()
        page.locator("form.transfer button").first.click()
        expect(page.locator("#status")).to_contain_text("已转交")
        assert page.inner_text("#alert") == ""
        assert errors == []  # runs under the staff CSP (no inline script or style)
        checker = checking.new_page()
        sign_in_tools(checker, served, "city")
        checker.goto(f"{served}/api/staff/insights/page?from=2026-01&to=2026-03&agency=scjg")
        assert axe_violations(checker) == []
    finally:
        context.close()
        checking.close()
