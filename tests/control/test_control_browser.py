"""The published 涉企检查计划 pages (index, agency, month; axe at 1280 and 1024 px, width, weight) and a matching finding with its evidence, in headless Chromium:
axe-core (WCAG 2.1 AA) on the public page, and screenshots of both saved under tests/artifacts/
(control-inspection-plans-index.png, -agency.png and -month.png, control-finding.png and -page.png)."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import random
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from enforcewatch.control import matching, plans, publication
from enforcewatch.sitegen.build import build_site
from support.control import generated_plans, plan, point_items
from support.insights import CONTENT, content, inspection, report

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
NOW = dt.datetime(2026, 5, 12, 2, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        pass


def _serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


def _axe(page: Any) -> list[Any]:
    page.add_script_tag(path=str(ROOT / "node_modules" / "axe-core" / "axe.min.js"))
    result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})")
    return [(v["id"], v["impact"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]


PLAN_PAGES = {"index": "/inspection-plans/", "agency": "/inspection-plans/department/yjgl/",
              "month": "/inspection-plans/month/2026-02/"}
WEIGHT_LIMIT = 150 * 1024  # gzip bytes a page loads from the site, as tests/sitegen/test_site_browser.py


def _weight(context: Any, url: str, host: str) -> int:
    import gzip
    from urllib.parse import urlsplit

    tab = context.new_page()
    loaded: list[Any] = []
    tab.on("response", lambda response: loaded.append(response))
    tab.goto(url, wait_until="networkidle")
    total = sum(len(gzip.compress(r.body(), 6)) for r in loaded if urlsplit(r.url).netloc == host)
    tab.close()
    return total


def test_published_inspection_plans_pages(browser: Any, tmp_path: Path) -> None:
    site = content()
    stored = [plans.item(plans.PlanIn.model_validate(p), f"g{n:02d}", "wang", NOW)
              for n, p in enumerate(generated_plans(site))]
    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT, content_dir)
    names = plans.published(site)[0]
    publication.write(plans.public_views(stored, dt.date(2026, 5, 10), names), dt.date(2026, 5, 10),
                      content_dir / publication.PLANS_FILE)
    out = tmp_path / "_site"
    build_site(content_dir, ROOT / "site" / "templates", out, hooks=(publication.plans_hook(content_dir),),
               search=False)
    server, base = _serve(out)
    try:
        for width in (1280, 1024):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{base}/", wait_until="load")
            page.get_by_role("navigation", name="主导航").get_by_role("link", name="涉企检查计划").click()
            page.wait_for_load_state("load")
            assert page.locator("h1").inner_text() == "涉企检查计划"
            assert page.locator("main table").first.locator("tbody tr").count() == 6  # six agencies
            page.get_by_role("link", name="应急管理局").first.click()
            page.wait_for_load_state("load")
            assert page.url.endswith(PLAN_PAGES["agency"]) and page.locator("h1").inner_text() == "应急管理局：涉企检查计划"
            text = page.inner_text("main")
            assert "检查对象暂不公开（2026-12-31起公布）" in text and "wang" not in text
            assert "示范市测试企业" not in text  # special inspections' targets withheld until 2026-12-31
            for name, path in PLAN_PAGES.items():
                page.goto(base + path, wait_until="load")
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, (name, width, overflow)
                assert _axe(page) == [], (name, width)
                if width == 1280:
                    ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / f"control-inspection-plans-{name}.png"), full_page=True)
            host = base.split("//", 1)[1]
            for name, path in PLAN_PAGES.items():
                assert _weight(context, base + path, host) < WEIGHT_LIMIT, name
            context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_a_finding_with_its_evidence_on_the_staff_page(browser: Any, moto_table: Any, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from enforcewatch.api.staff.app import create_staff_app
    from enforcewatch.config import Settings
    from enforcewatch.insights.inspections import Catalogue
    from enforcewatch.staff.accounts import Accounts

    registry = {"P0001": {"enterprise_name": "示范市甲食品有限公司", "uscc": "91000000MA00000001", "industry": "化工"}}
    moto_table.batch_put([*point_items(registry), report("P0001", "xincheng", "2026-04", [
        inspection(dt.date(2026, 4, 8), "新城区市场监督管理局", "营业执照（登记证）规范使用情况", item_id="scjg-cc-001",
                   inspection_type="日常巡查", filed="是")])])
    moto_table.put(plans.item(plans.PlanIn.model_validate(plan()), "p-food", "wang", NOW))  # 食品销售 only
    assert matching.run(moto_table, Catalogue.from_content(content()), ["xincheng"], dt.date(2026, 5, 6))["new"] == 1
    Accounts(moto_table).add("city", "office", None, PASSWORD, NOW)
    client = TestClient(create_staff_app(Settings(token_secret="s" * 48, content_dir=CONTENT), moto_table,
                                         clock=lambda: NOW, rng=random.Random(3)))
    token = client.post("/api/staff/login", json={"username": "city", "password": PASSWORD}).json()["token"]
    html = client.get("/api/staff/insights/page?from=2026-04&to=2026-04&kind=filed_not_found",
                      headers={"Authorization": f"Bearer {token}"}).text
    root = tmp_path / "staff"
    (root / "staff").mkdir(parents=True)
    shutil.copy(ROOT / "site" / "templates" / "staff" / "staff.css", root / "staff" / "staff.css")
    (root / "findings.html").write_text(html, encoding="utf-8")
    server, base = _serve(root)
    try:
        page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
        page.goto(f"{base}/findings.html", wait_until="load")
        finding = page.locator("article", has_text="报告已备案或扫码，但未找到备案").first
        text = finding.inner_text()
        assert "监测点 P0001" in text and "2026-04 月报（报送序号 0）第 1 条" in text
        assert "该企业不在计划的检查对象或行业内" in text and finding.locator("button", has_text="一键转交").count() == 1
        ARTIFACTS.mkdir(exist_ok=True)
        finding.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "control-finding-page.png"), full_page=True)
        finding.screenshot(path=str(ARTIFACTS / "control-finding.png"))
    finally:
        server.shutdown()
        server.server_close()
