"""`enforcewatch serve` end to end: a real process, DynamoDB Local on disk, headless Chromium with and without
JavaScript, and a receipt that still works after a restart."""

from __future__ import annotations

import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from enforcewatch.store.ddblocal import free_port, open_table
from support.browser import axe_context, axe_violations
from support.stack import Stack
from support.submitting import add_point, complaint

EXE = Path(sys.executable).parent / "enforcewatch"






@pytest.fixture(scope="module")
def stack(tmp_path_factory, ddb_local_server) -> Iterator[Stack]:
    s = Stack(tmp_path_factory.mktemp("serve-data")).start()
    yield s
    if s.proc is not None:
        s.stop()


@pytest.mark.parametrize("missing", ["java", "jar"])
def test_missing_java_or_jar_says_how_to_get_them(tmp_path, monkeypatch, capsys, missing):
    from enforcewatch.cli import main

    if missing == "java":
        monkeypatch.setenv("PATH", str(tmp_path))
    else:
        monkeypatch.setenv("EW_DYNAMODB_LOCAL_DIR", str(tmp_path))
    assert main(["serve", "--data-dir", str(tmp_path / "data"), "--port", str(free_port())]) == 1
    err = capsys.readouterr().err
    assert "npm install" in err and "openjdk-17" in err
    assert not (tmp_path / "data" / "_site").exists()


@pytest.mark.ddb_local
def test_site_and_api_on_one_origin(stack):
    assert httpx.get(stack.url + "/").status_code == 200
    page = httpx.get(stack.url + "/complaint/")
    assert page.status_code == 200 and 'action="/api/complaints"' in page.text
    missing = httpx.get(stack.url + "/no-such-page/")
    assert missing.status_code == 404 and "<html" in missing.text
    assert httpx.get(stack.url + "/api/openapi.json").json()["info"]["title"]


@pytest.mark.ddb_local
def test_receipt_survives_a_restart_and_ctrl_c_stops_everything(stack):
    code = httpx.post(stack.url + "/api/complaints", json=complaint()).json()["receipt"]
    printed = stack.stop()
    assert "已停止" in printed and "Traceback" not in printed
    assert not (stack.data_dir / "dynamodb-local.endpoint").exists()  # DynamoDB Local is gone too
    stack.start()
    got = httpx.get(f"{stack.url}/api/receipts/{code}")
    assert got.status_code == 200 and got.json()["status"] == "收到"


def _fill_complaint(page, agency: str) -> None:
    page.select_option("#f-complainant_type", "企业")
    page.fill("#f-name", "示范市某某有限公司")
    page.fill("#f-uscc", "91410700MA44XTBU0K")
    page.fill("#f-agency", agency)
    page.fill("#f-incident_date", "2026-02-20")
    page.select_option("#f-category", "重复检查")
    page.fill("#f-description", "同一事项一个月内被检查三次，每次要求提供相同材料。")
    page.fill("#f-request", "请求规范检查频次")
    page.check("#f-attest")


def _fill_report(page, code: str) -> None:
    page.fill("#f-point_id", "BR-0001")
    page.fill("#f-access_code", code)
    page.fill("#f-month", "2026-02")
    p = "#f-inspections-0-"
    page.fill(p + "date", "2026-02-10")
    page.fill(p + "agency", "示范市市场监督管理局")
    page.fill(p + "officer_count", "2")
    for field, value in (("credentials_shown", "是"), ("inspection_type", "双随机抽查"), ("filed_or_scanned", "是"),
                         ("outcome", "无问题"), ("satisfaction", "满意")):
        page.select_option(p + field, value)
    page.fill(p + "items_checked", "食品经营许可情况")
    page.fill("#f-contact_name", "王经理")
    page.fill("#f-contact_phone", "0373-1234567")
    page.check("#f-attest")


@pytest.mark.browser
@pytest.mark.ddb_local
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_complaint_and_report_through_the_browser(stack, browser, javascript):
    with open_table(stack.data_dir) as table:
        code = add_point(table, "BR-0001", seed=11)
        before = len(list(table.query("POINT#BR-0001", "REPORT#", consistent=True)))
    context = browser.new_context(java_script_enabled=javascript)
    try:
        page = context.new_page()
        agency = f"示范市某执法大队（{'js' if javascript else 'nojs'}）"
        page.goto(stack.url + "/complaint/")
        if javascript:
            assert page.input_value("input[name=idempotency_key]")
        _fill_complaint(page, agency)
        page.fill("#f-description", "太短")  # first a mistake: the page comes back with the message
        page.click("form.submission button[type=submit]")
        assert "事实和理由：至少填写10个字" in page.inner_text("#error-summary")
        assert page.input_value("#f-agency") == agency
        page.fill("#f-description", "同一事项一个月内被检查三次，每次要求提供相同材料。")
        page.check("#f-attest")
        page.click("form.submission button[type=submit]")
        receipt = page.inner_text("#receipt-code").strip()
        assert "投诉回执" in page.inner_text("#proof")
        page.check("#saved")
        page.goto(stack.url + "/receipt/")
        page.fill("#f-code", receipt.lower())
        page.click("form.submission button[type=submit]")
        assert page.inner_text("[data-status]") == "收到"

        page.goto(stack.url + "/report/")
        if javascript:
            assert page.is_hidden("#f-inspections-1-date")
            page.click("[data-add-row]")
            assert page.is_visible("#f-inspections-1-date")
        _fill_report(page, code)
        page.click("form.submission button[type=submit]")
        assert "月报已报送" in page.inner_text("h1")
    finally:
        context.close()
    with open_table(stack.data_dir) as table:
        stored = [c for c in table.query("COMPLAINTS", index="gsi2") if c["agency"] == agency]
        assert len(stored) == 1 and stored[0]["description"].startswith("同一事项")
        reports = list(table.query("POINT#BR-0001", "REPORT#", consistent=True))
        assert len(reports) == before + 1 and reports[-1]["inspections"][0]["agency"] == "示范市市场监督管理局"


@pytest.mark.browser
@pytest.mark.ddb_local
def test_form_pages_pass_axe_wcag_aa(stack, browser):
    found = {}
    context = axe_context(browser)
    try:
        page = context.new_page()
        for path in ("/report/", "/complaint/", "/receipt/"):
            page.goto(stack.url + path)
            if path == "/complaint/":  # also the page as it comes back with errors
                page.evaluate("document.querySelector('form.submission').noValidate = true")
                page.check("#f-attest")
                page.click("form.submission button[type=submit]")
                assert page.is_visible("#error-summary")
            found[path] = axe_violations(page)
    finally:
        context.close()
    assert found == {"/report/": [], "/complaint/": [], "/receipt/": []}


@pytest.mark.ddb_local
def test_sigterm_stops_dynamodb_local_too(tmp_path, ddb_local_server):
    """A service manager stops serve with SIGTERM: DynamoDB Local must not outlive it."""
    from enforcewatch.store.ddblocal import ENDPOINT_FILE

    s = Stack(tmp_path / "data").start()
    assert s.proc is not None
    endpoint = (s.data_dir / ENDPOINT_FILE).read_text().strip()
    host, port = endpoint.rsplit("/", 1)[-1].split(":")
    s.proc.send_signal(signal.SIGTERM)
    out, _ = s.proc.communicate(timeout=60)
    assert s.proc.returncode != 0 and "已停止" in out.decode()
    assert not (s.data_dir / ENDPOINT_FILE).exists()
    with pytest.raises(OSError):
        socket.create_connection((host, int(port)), timeout=2).close()
