"""End to end through `enforcewatch serve` (DynamoDB Local, the built site, both apps on one origin):
the staff API over real HTTP, and the staff page in headless Chromium."""

from __future__ import annotations

import csv
import io
import os
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from enforcewatch.config import Settings
from enforcewatch.staff import tokens
from enforcewatch.staff.accounts import User
from enforcewatch.store.ddblocal import ENDPOINT_FILE
from enforcewatch.store.dynamo import DynamoTable
from support.browser import axe_context, axe_violations, sign_in_tools
from support.paths import store_data_dir
from support.stack import serving
from support.staff import PASSWORD, seed

pytestmark = [pytest.mark.ddb_local]
ROOT = Path(__file__).resolve().parents[2]
OWN, OTHER = "chengguan", "xincheng"  # district ids from site/content/districts.yaml
QUERY = "from=2026-01&to=2026-03"
_this_month = f"{datetime.now(UTC):%Y-%m}"  # the server stamps audit entries with the real clock
AUDIT_QUERY = f"from={_this_month}&to={_this_month}"


@pytest.fixture(scope="module")
def served(tmp_path_factory, ddb_local_server) -> Iterator[tuple[str, Path]]:
    env = {k: v for k, v in os.environ.items() if k != "EW_TOKEN_SECRET"}
    with store_data_dir(tmp_path_factory.mktemp("serve-data")) as data, serving(data, env=env, wait=120) as base:
        table = DynamoTable.from_settings(Settings(dynamodb_endpoint=(data / ENDPOINT_FILE).read_text().strip()))
        seed(table, OWN, OTHER)
        yield base, data


def login(base: str, username: str, password: str = PASSWORD) -> httpx.Response:
    return httpx.post(f"{base}/api/staff/login", json={"username": username, "password": password})


def bearer(base: str, username: str) -> dict[str, str]:
    r = login(base, username)
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_http_sign_in_tokens_scoping_exports_and_audit(served) -> None:
    base, data = served
    assert httpx.get(f"{base}/api/staff/me").status_code == 401
    assert login(base, "city", "wrong password").status_code == 401
    office, district = bearer(base, "city"), bearer(base, "hongqi")
    head, body, sig = office["Authorization"].split(".")
    tampered = {"Authorization": f"{head}.{body}x.{sig}"}
    assert httpx.get(f"{base}/api/staff/me", headers=tampered).status_code == 401
    secret = (data / "token-secret").read_text().strip()
    old, _ = tokens.issue(User("city", "office", None, False, 0, False), secret,
                          datetime(2025, 1, 1, tzinfo=UTC), random.Random(1))
    expired = httpx.get(f"{base}/api/staff/me", headers={"Authorization": f"Bearer {old}"})
    assert expired.status_code == 401 and "过期" in expired.text

    crossing = httpx.get(f"{base}/api/staff/submissions?kind=report&format=csv&{QUERY}&district={OTHER}",
                         headers=district)
    assert crossing.status_code == 403 and "P-WB-1" not in crossing.text
    assert httpx.get(f"{base}/api/staff/complaints?{QUERY}", headers=district).status_code == 403
    assert httpx.get(f"{base}/api/staff/audit?{QUERY}", headers=district).status_code == 403
    own = httpx.get(f"{base}/api/staff/submissions?kind=report&format=csv&{QUERY}", headers=district)
    rows = list(csv.reader(io.StringIO(own.content.decode("utf-8-sig"))))
    district = rows[0].index("县（市、区）")  # written by its name (issue 16): 城关区 is chengguan
    assert own.content.startswith(b"\xef\xbb\xbf") and [r[district] for r in rows[1:]] == ["城关区"]
    assert any(c.startswith("'=HYPERLINK") for c in rows[1])

    xlsx = httpx.get(f"{base}/api/staff/submissions?kind=report&format=xlsx&{QUERY}", headers=office)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    # Counts, dates and times are spreadsheet values (issue 16); every other cell is text, never a formula.
    valued = {"版本(0=首次报送)": "n", "检查序号": "n", "执法人员人数": "n", "检查日期": "d", "接收时间(北京时间)": "d"}
    titles = [c.value for c in sheet[1]]
    assert all(c.data_type == (valued.get(titles[c.column - 1], "s") if c.row > 1 else "s") for c in cells)
    assert any(str(c.value).startswith("'@SUM") for c in cells)
    assert {c.value for c in cells} >= {"城关区", "新城区"}  # OWN and OTHER by name

    entries = httpx.get(f"{base}/api/staff/audit?{AUDIT_QUERY}", headers=office).json()
    actions = {(e["actor"], e["action"], e["outcome"]) for e in entries["entries"]}
    assert {("city", "login", "denied"), ("city", "login", "ok"), ("hongqi", "download", "ok"),
            ("city", "download", "ok")} <= actions
    assert any(e["action"] == "download" and e["details"].get("rows") == 2 for e in entries["entries"])


@pytest.mark.browser
def test_staff_page_in_chromium(served, browser, tmp_path) -> None:
    from playwright.sync_api import expect

    base, _ = served
    context = browser.new_context(accept_downloads=True)
    checking = axe_context(browser)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/staff/tools/")
        assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
        page.fill("#username", "city")
        page.fill("#password", "wrong password")
        page.click("#login-form button[type=submit]")
        expect(page.locator("#alert")).to_contain_text("用户名或密码错误")
        page.fill("#password", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#work:not([hidden])")
        assert "city" in page.inner_text("#who")

        page.fill("#dl-from", "2026-01")
        page.fill("#dl-to", "2026-03")
        page.select_option("#dl-format", "xlsx")
        with page.expect_download() as download:
            page.click("#download-form button[type=submit]")
        saved = tmp_path / "dl.xlsx"
        download.value.save_as(saved)
        assert load_workbook(saved).active.max_row == 3

        page.click("#load-flags")
        page.wait_for_selector("#flags-table:not([hidden])")
        assert "P-HQ-1" in page.inner_text("#flags-table") and "P-WB-1" in page.inner_text("#flags-table")

        page.fill("#c-from", "2026-01")
        page.fill("#c-to", "2026-03")
        page.click("#complaints-form button[type=submit]")
        page.wait_for_selector(".complaint form")
        page.select_option(".complaint select", "已办结")
        page.fill(".complaint textarea", "经核查，已责令整改。")
        page.click(".complaint button[type=submit]")
        expect(page.locator("#status")).to_contain_text("已保存")

        page.fill("#a-from", _this_month)
        page.fill("#a-to", _this_month)
        page.click("#audit-form button[type=submit]")
        page.wait_for_selector("#audit-table:not([hidden])")
        assert "complaint_reply" in page.inner_text("#audit-table")

        page.click("#logout")
        page.wait_for_selector("#login-section:not([hidden])")
        page.fill("#username", "hongqi")
        page.fill("#password", PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#work:not([hidden])")
        assert page.is_hidden("#office-only")
        assert page.is_hidden("#flags-table") and page.inner_text("#complaints") == ""  # nothing left over
        page.click("#load-flags")
        expect(page.locator("#status")).to_contain_text("共 1 条预警")
        assert "P-WB-1" not in page.inner_text("#flags-table")
        assert errors == []  # the page runs under its own CSP (no inline script, no eval)

        # accessibility: axe-core (injected, so this context alone bypasses the CSP) on the signed-in page
        checker = checking.new_page()
        sign_in_tools(checker, base, "city")
        assert axe_violations(checker) == []
    finally:
        context.close()
        checking.close()
