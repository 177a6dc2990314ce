"""Casework end to end through `enforcewatch serve` (DynamoDB Local, the built site, both apps on one
origin, attachments in the data dir): the whole cycle over HTTP with scoping and audit, a transfer
deadline across New Year's Day as the office adds the year's calendar, the daily check flagging an
overdue transfer, and the staff page's casework in headless Chromium."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from enforcewatch.config import Settings
from enforcewatch.monitoring.duedates import load_calendar
from enforcewatch.store.ddblocal import ENDPOINT_FILE
from enforcewatch.store.dynamo import DynamoTable
from support.browser import axe_context, axe_violations, sign_in_tools
from support.casework import PDF, PNG, USCC_A
from support.paths import store_data_dir
from support.stack import serving
from support.staff import PASSWORD, seed
from support.submitting import inspection, report

pytestmark = [pytest.mark.ddb_local]
ROOT = Path(__file__).resolve().parents[2]
OWN, OTHER = "chengguan", "xincheng"  # district ids from site/content/districts.yaml
CHINA = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.datetime.now(CHINA).date()  # the server runs on the real clock
THIS_MONTH = f"{dt.datetime.now(dt.UTC):%Y-%m}"
LAST_MONTH = f"{TODAY.replace(day=1) - dt.timedelta(days=1):%Y-%m}"
JSON = {"Accept": "application/json"}


def content_with_next_year(target: Path) -> Path:
    """The site's content plus next year's calendar as the office adds it before the notice is out:
    New Year's Day off (元旦 is a holiday every year)."""
    shutil.copytree(ROOT / "site" / "content", target)
    year = TODAY.year + 1
    (target / "calendar" / f"{year}.yaml").write_text(f"holidays: [{year}-01-01]\nworkdays: []\n", encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def served(tmp_path_factory, ddb_local_server) -> Iterator[tuple[str, Path, Path]]:
    content = content_with_next_year(tmp_path_factory.mktemp("casework-content") / "content")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EW_")}
    with (store_data_dir(tmp_path_factory.mktemp("casework-serve")) as data,
          serving(data, "--content", str(content), env=env) as base):
        table = DynamoTable.from_settings(Settings(dynamodb_endpoint=(data / ENDPOINT_FILE).read_text().strip()))
        seed(table, OWN, OTHER)
        for point in ("P-HQ-1", "P-WB-1"):  # the staff seed leaves the first report month out
            table.update(f"POINT#{point}", "POINT", {"reporting_from": "2026-02"})
        yield base, data, content


def bearer(base: str, username: str) -> dict[str, str]:
    r = httpx.post(f"{base}/api/staff/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def ok(r: httpx.Response, status: int = 200) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def weekdays_after(start: dt.date, days: int) -> dt.date:
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += day.weekday() < 5
    return day


def test_whole_cycle_over_http(served) -> None:
    base, data, content = served
    district, office = bearer(base, "hongqi"), bearer(base, "city")
    staff = f"{base}/api/staff"

    # designation: nomination → check (what it could not check listed) → decision → plaque and access code
    n = ok(httpx.post(f"{staff}/nominations", headers=district, json={
        "source": "district", "district": OWN, "enterprise_name": "城关区示范企业", "uscc": USCC_A,
        "nominated_by": "城关区人民政府", "industry": "食品制造"}))["nomination"]
    assert httpx.post(f"{staff}/nominations", headers=district, json={
        "source": "district", "district": OTHER, "enterprise_name": "x", "uscc": USCC_A, "nominated_by": "x",
        "industry": "x"}).status_code == 403
    npath = f"{staff}/nominations/{n['nomination_id']}"
    partial = ok(httpx.post(f"{npath}/check", headers=district, json={"confirmed": []}))["nomination"]["check"]
    assert not partial["eligible"] and any("信用中国" in u["label"] for u in partial["unchecked"])
    ok(httpx.post(f"{npath}/check", headers=district,
                  json={"confirmed": ["credit_china", "representative", "accidents", "penalties"]}))
    assert httpx.post(f"{npath}/decision", headers=district, json={"decision": "approved", "meeting": "x"}
                      ).status_code == 403
    ok(httpx.post(f"{npath}/decision", headers=office, json={"decision": "approved", "meeting": "联席会议"}))
    designated = ok(httpx.post(f"{npath}/designate", headers=office, json={
        "point_id": "CG-E2E-1", "plaque_no": "监测点-E2E-001", "designated_on": f"{LAST_MONTH}-01",
        "reporting_from": LAST_MONTH}))
    code = designated["access_code"]

    # verification: the point files, staff ask for materials, the point sees the request and answers
    filing = report("CG-E2E-1", code, month=LAST_MONTH, inspections=[inspection(date=f"{LAST_MONTH}-10")])
    assert ok(httpx.post(f"{base}/api/reports", json=filing), 201)["requests"] == []
    v = ok(httpx.post(f"{staff}/points/CG-E2E-1/verifications", headers=district,
                      json={"month": LAST_MONTH}))["verification"]
    vpath = f"{staff}/points/CG-E2E-1/verifications/{v['verify_id']}"
    ok(httpx.post(f"{vpath}/requests", headers=district, json={"text": "请提供检查通知书和现场照片"}))
    again = ok(httpx.post(f"{base}/api/reports", json={**filing, "suggestions": "更正"}), 201)
    request_id = again["requests"][0]["request_id"]
    page = httpx.post(f"{base}/api/verifications/requests", data={"point_id": "CG-E2E-1", "access_code": code})
    assert page.status_code == 200 and "请提供检查通知书和现场照片" in page.text  # the materials page, no JavaScript
    assert 'enctype="multipart/form-data"' in page.text and code not in page.text
    assert httpx.get(f"{base}/materials/").status_code == 200
    form = {"point_id": "CG-E2E-1", "access_code": code, "verify_id": v["verify_id"], "request_id": request_id,
            "text": "见附件"}
    refused = httpx.post(f"{base}/api/verifications/answer", data=form, files=[("files", ("a.pdf", b"<html>", "x/y"))])
    assert refused.status_code == 422 and "不是 PDF、JPG 或 PNG" in refused.text and "<form" in refused.text
    answered = httpx.post(f"{base}/api/verifications/answer", data=form, headers=JSON,
                          files=[("files", ("通知书.pdf", PDF, "application/pdf")), ("files", ("现场.png", PNG, "image/png"))])
    assert ok(answered, 201)["attachments"][1] == {"name": "现场.png", "size": len(PNG)}
    stored = ok(httpx.get(f"{vpath.rsplit('/', 1)[0]}", headers=district))["verifications"][0]
    ids = [a["attachment_id"] for a in stored["requests"][0]["attachments"]]
    got = httpx.get(f"{vpath}/attachments/{ids[1]}", headers=district)
    assert got.status_code == 200 and got.content == PNG and got.headers["content-type"] == "image/png"
    assert httpx.get(f"{vpath}/attachments/{ids[1]}").status_code == 401
    assert len([p for p in (data / "attachments").rglob("*") if p.is_file()]) == 2
    assert not list((data / "_site").rglob("*.png")) and httpx.get(f"{base}/attachments/").status_code == 404
    ok(httpx.post(f"{vpath}/outcome", headers=district, json={"outcome": "confirmed"}))

    # transfer: the deadline in working days skips New Year's Day of next year (the office's calendar data)
    calendar = load_calendar(content)
    new_year = dt.date(TODAY.year + 1, 1, 1)
    days = 1
    while calendar.add_working_days(TODAY, days) <= new_year:
        days += 1
    t = ok(httpx.post(f"{staff}/transfers", headers=district, json={
        "point_id": "CG-E2E-1", "clue": "同一事项一月内重复检查三次", "department": "市市场监管局",
        "working_days": days}))["transfer"]
    expected = calendar.add_working_days(TODAY, days)
    assert t["deadline"] == expected.isoformat()
    if new_year.weekday() < 5:  # on a weekday the holiday moves the deadline by one working day
        assert expected > weekdays_after(TODAY, days)
    assert httpx.post(f"{staff}/transfers/{t['transfer_id']}/progress", headers=office,
                      json={"status": "closed"}).status_code == 200
    quick = ok(httpx.post(f"{staff}/transfers", headers=district, json={
        "point_id": "CG-E2E-1", "clue": "未出示执法证件", "discipline": True, "working_days": 1}))["transfer"]
    assert httpx.get(f"{staff}/transfers?district={OTHER}", headers=district).status_code == 403
    listed = ok(httpx.get(f"{staff}/transfers", headers=district))["transfers"]
    assert [x["transfer_id"] for x in listed] == [quick["transfer_id"]] and not listed[0]["overdue"]

    # the daily check (CLI on the served data dir) flags the open transfer once it is overdue
    after = (dt.date.fromisoformat(quick["deadline"]) + dt.timedelta(days=1)).isoformat()
    run = subprocess.run([sys.executable, "-m", "enforcewatch", "deadlines", "run", "--as-of", after,
                          "--data-dir", str(data), "--content", str(content)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["districts"][OWN]["new"].get("transfer_overdue") == 1
    flags = ok(httpx.get(f"{staff}/flags", headers=district))["flags"]
    assert [f["key"] for f in flags if f["kind"] == "transfer_overdue"] == [quick["transfer_id"]]

    # commendation and the list for market regulation
    ok(httpx.post(f"{staff}/points/CG-E2E-1/commendations", headers=office, json={
        "kind": "notice", "date": TODAY.isoformat(), "period": f"{TODAY.year}年",
        "criteria": {"timely": True, "objective": True, "reasonable": True}}))
    xlsx = httpx.get(f"{staff}/commendations?from={TODAY.year}-01-01&to={TODAY.year}-12-31&format=xlsx", headers=office)
    cells = [c.value for c in next(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(min_row=2))]
    assert cells[:4] == [USCC_A, "城关区示范企业", "城关区", "通报表扬"]

    # one timeline, for the staff allowed to see the point
    history = ok(httpx.get(f"{staff}/points/CG-E2E-1/timeline", headers=district))["timeline"]
    assert {"选定", "月报", "核查", "转交", "表彰", "预警"} <= {e["category"] for e in history}
    assert httpx.get(f"{staff}/points/P-WB-1/timeline", headers=district).status_code == 404
    assert ok(httpx.get(f"{staff}/points/P-WB-1/timeline", headers=office))["point"]["district"] == OTHER

    entries = ok(httpx.get(f"{staff}/audit?from={THIS_MONTH}&to={THIS_MONTH}", headers=office))["entries"]
    actions = {(e["actor"], e["action"]) for e in entries}
    assert {("hongqi", "nomination"), ("hongqi", "nomination_check"), ("city", "nomination_decision"),
            ("city", "designation"), ("hongqi", "verification_open"), ("hongqi", "verification_request"),
            ("hongqi", "list_verifications"), ("hongqi", "attachment_download"), ("hongqi", "verification_outcome"),
            ("hongqi", "transfer"), ("city", "transfer_progress"), ("hongqi", "list_transfers"),
            ("city", "commendation"), ("city", "download"), ("hongqi", "timeline")} <= actions
    assert all(code not in json.dumps(e, ensure_ascii=False) for e in entries)


def test_casework_on_the_staff_page_in_chromium(served, browser, tmp_path) -> None:
    from playwright.sync_api import expect

    base, _, _ = served

    def sign_in(page, username: str) -> None:
        sign_in_tools(page, base, username)
        expect(page.locator("#nm-district option")).not_to_have_count(0)

    context = browser.new_context(accept_downloads=True)
    checking = axe_context(browser)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        sign_in(page, "hongqi")
        assert page.is_hidden("#commend-form") and page.locator("#nm-district option").count() == 1
        page.fill("#nm-name", "浏览器示范企业")
        page.fill("#nm-uscc", "91410700MA0000003" + __import__("enforcewatch.uscc").uscc.check_character(
            "91410700MA0000003"))
        page.fill("#nm-by", "城关区人民政府")
        page.fill("#nm-industry", "制造业")
        page.click("#nominate-form button[type=submit]")
        expect(page.locator("#nominations")).to_contain_text("浏览器示范企业")
        row = page.locator("#nominations tr", has_text="浏览器示范企业")
        for box in row.locator("input[type=checkbox]").all():
            box.check()
        row.locator("button", has_text="资格审查").click()
        expect(page.locator("#nominations tr", has_text="浏览器示范企业")).to_contain_text("符合条件")
        page.click("#logout")
        page.wait_for_selector("#login-section:not([hidden])")
        assert page.inner_text("#nominations") == ""  # nothing of the previous session stays

        sign_in(page, "city")
        page.click("#load-nominations")
        row = page.locator("#nominations tr", has_text="浏览器示范企业")
        row.locator("input[name=meeting]").fill("第2次联席会议")
        row.locator("button", has_text="不通过").wait_for()
        row.locator("button", has_text="通过").first.click()
        row = page.locator("#nominations tr", has_text="浏览器示范企业")
        expect(row).to_contain_text("联席会议已通过")
        row.locator("input[name=point_id]").fill("CG-WEB-1")
        row.locator("input[name=plaque_no]").fill("监测点-WEB-1")
        row.locator("input[name=designated_on]").fill(TODAY.isoformat())
        row.locator("input[name=reporting_from]").fill(f"{TODAY:%Y-%m}")
        row.locator("button", has_text="授牌").click()
        expect(page.locator(".access-code strong")).to_have_text(__import__("re").compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$"))

        page.fill("#cw-point", "P-HQ-1")
        page.click("#point-form button[type=submit]")
        page.wait_for_selector("#point-work:not([hidden])")
        page.fill("#vf-month", "2026-02")
        page.click("#verify-form button[type=submit]")
        box = page.locator("#verifications .case-box").first
        box.locator("input[name=text]").fill("请提供2月检查的执法文书")
        box.locator("button", has_text="要求提供材料").click()
        expect(page.locator("#verifications")).to_contain_text("尚未答复")
        page.locator("#verifications .case-box select").select_option("unfounded")
        page.locator("#verifications .case-box input[name=note]").fill("企业记错日期")
        page.locator("#verifications .case-box button", has_text="记录结论").click()
        expect(page.locator("#verifications")).to_contain_text("已办结：不属实")

        page.fill("#tf-clue", "多头检查")
        page.fill("#tf-dept", "市住建局")
        page.fill("#tf-days", "5")
        page.click("#transfer-form button[type=submit]")
        expect(page.locator("#transfers")).to_contain_text("市住建局")
        page.locator("#transfers tr", has_text="市住建局").locator("select").select_option("answered")
        page.locator("#transfers tr", has_text="市住建局").locator("input[name=answer]").fill("已约谈")
        page.locator("#transfers tr", has_text="市住建局").locator("button").click()
        # the row's select already lists 部门已答复 as an option: wait for the saved step itself, or its
        # status message would clear the alert the next step waits for
        expect(page.locator("#status")).to_contain_text("已记录转交进展")
        expect(page.locator("#transfers tr", has_text="市住建局").locator("td").nth(4)).to_contain_text("部门已答复")

        page.fill("#cf-period", f"{TODAY.year}年第四季度")
        page.click("#commend-form button[type=submit]")
        expect(page.locator("#alert")).to_contain_text("提出建议合理")
        for box_id in ("#cf-timely", "#cf-objective", "#cf-reasonable"):
            page.check(box_id)
        page.click("#commend-form button[type=submit]")
        expect(page.locator("#timeline-table")).to_contain_text("表彰")
        assert {"核查", "转交", "表彰"} <= set(page.locator("#timeline-table tbody td:nth-child(2)").all_inner_texts())
        with page.expect_download() as download:
            page.click("#commended-form button[type=submit]")
        saved = tmp_path / "commended.xlsx"
        download.value.save_as(saved)
        assert "P-HQ-1" in [c.value for row in load_workbook(saved).active.iter_rows() for c in row]
        assert errors == []  # the page runs under its own CSP

        checker = checking.new_page()
        sign_in(checker, "city")
        checker.click("#load-nominations")
        checker.wait_for_selector("#nominations table")
        checker.fill("#cw-point", "P-HQ-1")
        checker.click("#point-form button[type=submit]")
        checker.wait_for_selector("#point-work:not([hidden])")
        checker.click("#load-transfers")
        checker.wait_for_selector("#transfers table")
        assert axe_violations(checker) == []
        checker.goto(f"{base}/materials/")  # the point's materials page, as built
        assert axe_violations(checker) == []
    finally:
        context.close()
        checking.close()
