"""The 通知 and 意见建议 pages (api/staff/channel_pages.py): a notice sent from the page and a reply
saved from the page reach the point's inbox on the site (the public inbox, signed in with the access
code); problems are shown beside their fields with what was typed kept; a district account reaches its
own district only — over HTTP on moto, and in headless Chromium with JavaScript off."""

from __future__ import annotations

import datetime as dt
import random
import re
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from enforcewatch.api.public.app import create_app
from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import Settings
from enforcewatch.staff import audit
from enforcewatch.staff.accounts import Accounts
from support.staff import page_session
from support.submitting import add_point
from support.submitting import report as form_report

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "site" / "content"
TEMPLATES = ROOT / "site" / "templates"
NOW = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)  # 2026-03-03 10:00 in Beijing
PASSWORD = "correct horse battery"


class City:
    def __init__(self, table: Any, tmp_path: Path) -> None:
        content = tmp_path / "content"
        shutil.copytree(CONTENT, content)
        self.settings = Settings(token_secret="s" * 48, content_dir=content)
        self.table = table
        self.codes = {"A1": add_point(table, "A1", district="chengguan", seed=1),
                      "A2": add_point(table, "A2", district="chengguan", seed=2),
                      "B1": add_point(table, "B1", district="xincheng", seed=3)}
        self.public = TestClient(create_app(self.settings, table, templates_dir=TEMPLATES, clock=lambda: NOW,
                                            rng=random.Random(5)))
        self.staff = TestClient(create_staff_app(self.settings, table, clock=lambda: NOW, rng=random.Random(6)))
        accounts = Accounts(table)
        accounts.add("city", "office", None, PASSWORD, NOW)
        accounts.add("cgstaff", "district", "chengguan", PASSWORD, NOW)
        for pid, text in (("A1", "建议公布检查计划"), ("B1", "新城区的建议")):
            r = self.public.post("/api/reports", json=form_report(pid, self.codes[pid], suggestions=text))
            assert r.status_code == 201, r.text

    def inbox(self, pid: str) -> dict[str, Any]:
        r = self.public.post("/api/points/inbox", json={"point_id": pid, "access_code": self.codes[pid]})
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture
def city(moto_table: Any, tmp_path: Path) -> City:
    return City(moto_table, tmp_path)


def _beside(html: str, field: str) -> str:
    assert re.search(rf'aria-describedby="[^"]*e-{field}"', html), field
    return html.split(f'id="e-{field}">')[1].split("</span>")[0]


def test_a_notice_sent_from_the_page_reaches_only_its_point(city: City) -> None:
    csrf = page_session(city.staff, "cgstaff")
    r = city.staff.post("/staff/notices", data={"csrf": csrf, "audience": "point", "point_id": "A1", "kind": "会议通知",
                                                 "title": "座谈会邀请", "body": "3月10日上午9时座谈"})
    assert "已发送通知：座谈会邀请" in r.text
    listed = r.text.split("<tbody>")[1]
    assert "座谈会邀请" in listed and "监测点 A1（城关区）" in listed and "cgstaff" in listed
    assert [n["title"] for n in city.inbox("A1")["notices"]] == ["座谈会邀请"]
    assert city.inbox("A1")["notices"][0]["sender"] == "城关区营商环境办"
    assert city.inbox("A2")["notices"] == [] and city.inbox("B1")["notices"] == []
    sent = [e for e in audit.entries(city.table, "2026-03", "2026-03") if e["action"] == "notice_send"]
    assert sent and sent[0]["details"]["point_id"] == "A1" and sent[0]["details"]["via"] == "page"


def test_a_notice_with_problems_keeps_what_was_typed_and_a_district_stays_in_its_district(city: City) -> None:
    csrf = page_session(city.staff, "cgstaff")
    r = city.staff.post("/staff/notices", data={"csrf": csrf, "audience": "district", "district": "chengguan",
                                                 "title": "", "body": "请于本周五前填写问卷"})
    assert r.status_code == 422 and _beside(r.text, "title")
    assert "请于本周五前填写问卷</textarea>" in r.text
    r = city.staff.post("/staff/notices", data={"csrf": csrf, "audience": "all", "title": "全市通知", "body": "正文"})
    assert r.status_code == 403 and "未能发送通知" in r.text and 'value="全市通知"' in r.text
    r = city.staff.post("/staff/notices", data={"csrf": csrf, "audience": "point", "point_id": "B1", "title": "越区",
                                                 "body": "正文"})
    assert r.status_code == 404 and "没有找到该监测点" in r.text
    page = city.staff.get("/staff/notices").text
    assert 'value="all"' not in page and "新城区" not in page  # neither offered nor shown
    assert all(city.inbox(p)["notices"] == [] for p in ("A1", "A2", "B1"))
    csrf = page_session(city.staff, "city")
    r = city.staff.post("/staff/notices", data={"csrf": csrf, "audience": "district", "district": "xincheng",
                                                 "title": "新城区通知", "body": "正文"})
    assert "已发送通知" in r.text and [n["title"] for n in city.inbox("B1")["notices"]] == ["新城区通知"]
    assert city.inbox("A1")["notices"] == []


def test_a_reply_saved_from_the_page_reaches_the_points_inbox(city: City) -> None:
    csrf = page_session(city.staff, "cgstaff")
    inbox = city.staff.get("/staff/suggestions?from=2026-02&to=2026-03").text
    assert "建议公布检查计划" in inbox and "新城区的建议" not in inbox and "共 1 条意见建议" in inbox
    assert city.staff.get("/staff/suggestions?district=xincheng").status_code == 403
    assert city.staff.get("/staff/suggestions/B1/2026-02/0").status_code == 404
    page = city.staff.get("/staff/suggestions/A1/2026-02/0")
    assert page.status_code == 200 and "建议公布检查计划" in page.text
    r = city.staff.post("/staff/suggestions/A1/2026-02/0/reply", data={"csrf": csrf, "status": "answered", "reply": ""})
    assert r.status_code == 422 and "不能为空" in _beside(r.text, "reply")
    assert '<option value="answered" selected>' in r.text  # the chosen status kept
    assert city.inbox("A1")["suggestions"][0]["status"] == "收到"
    r = city.staff.post("/staff/suggestions/A1/2026-02/0/reply",
                        data={"csrf": csrf, "status": "answered", "reply": "已在本站公布涉企检查计划。"})
    assert "答复已保存" in r.text
    [mine] = city.inbox("A1")["suggestions"]
    assert mine["status"] == "已答复" and mine["reply"] == "已在本站公布涉企检查计划。"
    listed = city.staff.get("/staff/suggestions?from=2026-02&to=2026-03&status=answered").text
    assert "建议公布检查计划" in listed and "查看答复" in listed
    assert "建议公布检查计划" not in city.staff.get("/staff/suggestions?from=2026-02&to=2026-03&status=received").text
    bad = city.staff.get("/staff/suggestions?from=2026-2")
    assert bad.status_code == 422 and "月份格式应为 YYYY-MM" in bad.text


# -- in the browser ------------------------------------------------------------------------------------

@pytest.fixture
def served(city: City, tmp_path: Path) -> Iterator[str]:
    import uvicorn

    from enforcewatch.local import make_app
    from enforcewatch.sitegen.build import build_site

    out = tmp_path / "_site"
    build_site(city.settings.content_dir, TEMPLATES, out, search=False)
    app = make_app(city.settings, city.table, out, TEMPLATES)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.browser
def test_send_a_notice_and_reply_to_a_suggestion_then_see_both_in_the_points_inbox(
        served: str, city: City, browser: Any) -> None:
    staff_context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    point_context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    try:
        staff = staff_context.new_page()
        staff.goto(f"{served}/staff/sign-in")
        staff.fill("#username", "cgstaff")
        staff.fill("#password", PASSWORD)
        staff.click("form[action='/staff/sign-in'] button[type=submit]")
        staff.click("nav >> text=通知")
        staff.check("#n-audience-point")
        staff.fill("#n-point_id", "A1")
        staff.select_option("#n-kind", "会议通知")
        staff.fill("#n-title", "监测点座谈会邀请")
        staff.fill("#n-body", "定于3月10日上午9时在区政务服务中心召开。")
        staff.click("button:has-text('发送通知')")
        assert "已发送通知：监测点座谈会邀请" in staff.inner_text(".flash")

        staff.click("nav >> text=意见建议")
        staff.fill("#f-from", "2026-02")  # the report's month (the server runs on today's date)
        staff.fill("#f-to", "2026-03")
        staff.click("button:has-text('筛选')")
        staff.locator("a", has_text="答复").first.click()
        staff.select_option("#s-status", "answered")
        staff.fill("#s-reply", "已在本站公布涉企检查计划。")
        staff.click("button:has-text('保存答复')")
        assert "答复已保存" in staff.inner_text(".flash")

        point = point_context.new_page()
        point.goto(f"{served}/inbox/", wait_until="load")
        point.fill("#f-point_id", "A1")
        point.fill("#f-access_code", city.codes["A1"])
        point.click("form.submission button[type=submit]")
        point.wait_for_selector("#notices-heading")
        text = point.inner_text("main")
        assert "【会议通知】监测点座谈会邀请" in text and "城关区营商环境办" in text
        assert "已在本站公布涉企检查计划。" in text and "（已答复）" in text
    finally:
        staff_context.close()
        point_context.close()
