"""The channel to the points (seed 000 §六, §五): notices to one point, a district or all points; replies
to the suggestions in reports; reminders before the due date; each point sees only its own when it
signs in with its access code — and, in headless Chromium, a point sees a notice and a reply."""

from __future__ import annotations

import datetime as dt
import random
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
from enforcewatch.channel import inbox, notices, suggestions
from enforcewatch.config import Settings
from enforcewatch.errors import Forbidden, NotFound
from enforcewatch.monitoring.duedates import load_calendar
from enforcewatch.staff.accounts import Accounts
from enforcewatch.staff.staffing import Scope
from support.submitting import add_point
from support.submitting import report as form_report

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "site" / "content"
TEMPLATES = ROOT / "site" / "templates"
NOW = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)  # 2026-03-03 10:00 in Beijing: February is due
NAMES = {"chengguan": "城关区", "xincheng": "新城区"}
OFFICE = Scope("city", "office", None, tuple(NAMES))
CG = Scope("cg-staff", "district", "chengguan", tuple(NAMES))
PASSWORD = "correct horse battery"


def setup_points(table: Any) -> dict[str, str]:
    codes = {"A1": add_point(table, "A1", district="chengguan", seed=1),
             "A2": add_point(table, "A2", district="chengguan", seed=2),
             "B1": add_point(table, "B1", district="xincheng", seed=3)}
    return codes


def test_notices_reach_exactly_their_audience(moto_table: Any) -> None:
    setup_points(moto_table)
    rng = random.Random(1)
    notices.send(moto_table, OFFICE, {"audience": "all", "kind": "评议问卷", "title": "2026年度评议问卷",
                                      "body": "请填写问卷"}, NOW, rng, NAMES)
    notices.send(moto_table, CG, {"audience": "district", "kind": "会议通知", "title": "监测点座谈会",
                                  "body": "3月10日上午9时"}, NOW + dt.timedelta(minutes=1), rng, NAMES)
    notices.send(moto_table, CG, {"audience": "point", "point_id": "A1", "kind": "提醒", "title": "报送提醒",
                                  "body": "连续两个月未报送"}, NOW + dt.timedelta(minutes=2), rng, NAMES)
    a1 = [n["title"] for n in notices.for_point(moto_table, moto_table.get("POINT#A1", "POINT"))]
    a2 = [n["title"] for n in notices.for_point(moto_table, moto_table.get("POINT#A2", "POINT"))]
    b1 = [n["title"] for n in notices.for_point(moto_table, moto_table.get("POINT#B1", "POINT"))]
    assert a1 == ["报送提醒", "监测点座谈会", "2026年度评议问卷"]
    assert a2 == ["监测点座谈会", "2026年度评议问卷"] and b1 == ["2026年度评议问卷"]
    seen = notices.for_point(moto_table, moto_table.get("POINT#A1", "POINT"))
    assert seen[0]["sender"] == "城关区营商环境办" and "cg-staff" not in str(seen)
    assert seen[0]["sent_time"] == "2026-03-03 10:02（北京时间）"
    assert {n["title"] for n in notices.sent(moto_table, CG)} == {"报送提醒", "监测点座谈会", "2026年度评议问卷"}


def test_a_district_reaches_only_its_own(moto_table: Any) -> None:
    setup_points(moto_table)
    rng = random.Random(2)
    with pytest.raises(Forbidden):
        notices.send(moto_table, CG, {"audience": "all", "title": "x", "body": "y"}, NOW, rng, NAMES)
    with pytest.raises(Forbidden):
        notices.send(moto_table, CG, {"audience": "district", "district": "xincheng", "title": "x", "body": "y"},
                     NOW, rng, NAMES)
    with pytest.raises(NotFound):
        notices.send(moto_table, CG, {"audience": "point", "point_id": "B1", "title": "x", "body": "y"}, NOW, rng, NAMES)


def test_suggestions_get_a_status_and_a_reply(moto_table: Any) -> None:
    codes = setup_points(moto_table)
    from enforcewatch.intake.reports import file_report

    file_report(moto_table, form_report("A1", codes["A1"], suggestions="希望合并同类检查"), NOW)
    [open_one] = suggestions.for_point(moto_table, "A1")
    assert open_one["status"] == "收到" and open_one["reply"] is None
    suggestions.reply(moto_table, CG, "A1", "2026-02", 0, {"status": "answered", "reply": "已协调市场监管和生态环境部门联合检查"},
                      NOW)
    [answered] = suggestions.for_point(moto_table, "A1")
    assert answered["status"] == "已答复" and "联合检查" in answered["reply"]
    with pytest.raises(NotFound):
        suggestions.reply(moto_table, CG, "B1", "2026-02", 0, {"status": "received"}, NOW)  # another district
    with pytest.raises(NotFound):
        suggestions.reply(moto_table, CG, "A2", "2026-02", 0, {"status": "received"}, NOW)  # no such report


def test_reminders_from_the_first_working_day_to_the_due_date() -> None:
    calendar = load_calendar(CONTENT)
    due = calendar.due_date_of("2026-02")
    first = inbox.first_workday(calendar, 2026, 3)
    [reminder] = inbox.reminders(calendar, set(), first)
    assert reminder["month"] == "2026-02" and reminder["due"] == due.isoformat() and "2026年2月" in reminder["text"]
    assert inbox.reminders(calendar, set(), due)  # still on the due date
    assert not inbox.reminders(calendar, set(), due + dt.timedelta(days=1))  # after it: overdue, not a reminder
    assert not inbox.reminders(calendar, {"2026-02"}, first)  # filed
    assert not inbox.reminders(calendar, set(), first, reporting_from="2026-03")  # not yet reporting
    if first > dt.date(2026, 3, 1):
        assert not inbox.reminders(calendar, set(), dt.date(2026, 3, 1))  # before the first working day


def _apps(table: Any, tmp_path: Path) -> tuple[TestClient, TestClient]:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    settings = Settings(token_secret="s" * 48, content_dir=content)
    public = TestClient(create_app(settings, table, templates_dir=TEMPLATES, clock=lambda: NOW, rng=random.Random(5)))
    staff = TestClient(create_staff_app(settings, table, clock=lambda: NOW, rng=random.Random(6)))
    accounts = Accounts(table)
    accounts.add("city", "office", None, PASSWORD, NOW)
    accounts.add("cg-staff", "district", "chengguan", PASSWORD, NOW)
    return public, staff


def _token(staff: TestClient, name: str) -> dict[str, str]:
    r = staff.post("/api/staff/login", json={"username": name, "password": PASSWORD})
    staff.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_the_point_signs_in_and_sees_only_its_own(moto_table: Any, tmp_path: Path) -> None:
    codes = setup_points(moto_table)
    public, staff = _apps(moto_table, tmp_path)
    cg = _token(staff, "cg-staff")
    assert public.post("/api/reports", json=form_report("A1", codes["A1"], suggestions="建议公布检查计划")).status_code == 201
    r = staff.post("/api/staff/notices", json={"audience": "point", "point_id": "A1", "kind": "会议通知",
                                               "title": "座谈会邀请", "body": "3月10日座谈"}, headers=cg)
    assert r.status_code == 201, r.text
    assert staff.post("/api/staff/notices", json={"audience": "all", "title": "x", "body": "y"}, headers=cg
                      ).status_code == 403
    r = staff.post("/api/staff/points/A1/suggestions/2026-02/0/reply",
                   json={"status": "answered", "reply": "检查计划已在网站公布"}, headers=cg)
    assert r.status_code == 200, r.text
    work = staff.get("/api/staff/suggestions?from=2026-02&to=2026-02", headers=cg).json()["suggestions"]
    assert [(s["point_id"], s["status"], s["reply"]) for s in work] == [("A1", "已答复", "检查计划已在网站公布")]
    assert staff.get("/api/staff/suggestions?from=2026-02&to=2026-02&district=xincheng", headers=cg).status_code == 403
    mine = public.post("/api/points/inbox", json={"point_id": "A1", "access_code": codes["A1"]}).json()
    assert [n["title"] for n in mine["notices"]] == ["座谈会邀请"]
    assert mine["suggestions"][0]["reply"] == "检查计划已在网站公布" and mine["reminders"] == []  # filed
    other = public.post("/api/points/inbox", json={"point_id": "A2", "access_code": codes["A2"]}).json()
    assert other["notices"] == [] and other["suggestions"] == [] and other["reminders"][0]["month"] == "2026-02"
    wrong = public.post("/api/points/inbox", json={"point_id": "A1", "access_code": codes["A2"]})
    assert wrong.status_code == 401 and "座谈会" not in wrong.text


# -- in the browser ------------------------------------------------------------------------------------

@pytest.fixture
def served(moto_table: Any, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    import uvicorn

    from enforcewatch.local import make_app
    from enforcewatch.sitegen.build import build_site

    codes = setup_points(moto_table)
    public, staff = _apps(moto_table, tmp_path)
    cg = _token(staff, "cg-staff")
    assert public.post("/api/reports", json=form_report("A1", codes["A1"], suggestions="建议公布检查计划")).status_code == 201
    staff.post("/api/staff/notices", json={"audience": "district", "kind": "会议通知", "title": "监测点座谈会邀请",
                                           "body": "定于3月10日上午9时在区政务服务中心召开。"}, headers=cg)
    staff.post("/api/staff/points/A1/suggestions/2026-02/0/reply",
               json={"status": "answered", "reply": "已在本站公布涉企检查计划。"}, headers=cg)
    out = tmp_path / "_site"
    build_site(tmp_path / "content", TEMPLATES, out, search=False)
    app = make_app(Settings(token_secret="s" * 48, content_dir=tmp_path / "content"), moto_table, out, TEMPLATES)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", codes
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.browser
def test_a_point_sees_a_notice_and_a_reply_in_the_browser(served: tuple[str, dict[str, str]], browser: Any
                                                          ) -> None:
    base, codes = served
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{base}/inbox/", wait_until="load")
        assert "座谈会" not in page.inner_text("main")  # nothing before signing in
        page.fill("#f-point_id", "A1")
        page.fill("#f-access_code", codes["A1"])
        page.click("form.submission button[type=submit]")
        page.wait_for_selector("#notices-heading")
        text = page.inner_text("main")
        assert "【会议通知】监测点座谈会邀请" in text and "城关区营商环境办" in text
        assert "已在本站公布涉企检查计划。" in text and "（已答复）" in text
        (ROOT / "tests" / "artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "tests" / "artifacts" / "channel-inbox.png"), full_page=True)
    finally:
        context.close()
