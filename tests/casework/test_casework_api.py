"""Casework through HTTP (staff app and public app on one moto table): the whole cycle, the point's
answer with attachments, downloads of attachments and exports, and the audit of every action."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from enforcewatch.api import create_app
from enforcewatch.api.public.casework import ANSWER_LIMIT
from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import Settings
from support.casework import PDF, USCC_A
from support.staff import HQ, NOW, PASSWORD, SECRET, seed, write_content
from support.submitting import report

JSON = {"Accept": "application/json"}


@pytest.fixture
def apps(moto_table, tmp_path):
    seed(moto_table)
    settings = Settings(token_secret=SECRET, content_dir=write_content(tmp_path / "content"),
                        attachment_dir=tmp_path / "attachments")
    staff = TestClient(create_staff_app(settings, moto_table, clock=lambda: NOW, rng=random.Random(11)))
    public = TestClient(create_app(settings, moto_table, clock=lambda: NOW, rng=random.Random(12)))
    return staff, public


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/staff/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def ok(r, status: int = 200) -> dict:
    assert r.status_code == status, r.text
    return r.json()


def designate(staff: TestClient, district: dict, office: dict) -> str:
    n = ok(staff.post("/api/staff/nominations", headers=district, json={
        "source": "application", "district": HQ, "enterprise_name": "红旗区示范企业", "uscc": USCC_A,
        "nominated_by": "企业自愿申报", "industry": "食品制造"}))["nomination"]
    path = f"/api/staff/nominations/{n['nomination_id']}"
    first = ok(staff.post(f"{path}/check", headers=district, json={"confirmed": ["credit_china"]}))["nomination"]
    assert not first["check"]["eligible"] and len(first["check"]["unchecked"]) == 3
    confirmed = ["credit_china", "representative", "accidents", "penalties"]
    assert ok(staff.post(f"{path}/check", headers=district, json={"confirmed": confirmed}))["nomination"]["check"][
        "eligible"]
    ok(staff.post(f"{path}/decision", headers=office, json={"decision": "approved", "meeting": "2026年第1次联席会议"}))
    out = ok(staff.post(f"{path}/designate", headers=office, json={
        "point_id": "HQ-2026-01", "plaque_no": "监测点-2026-001", "designated_on": "2026-02-01",
        "reporting_from": "2026-02"}))
    assert out["point"]["status"] == "active" and "access_code_hash" not in out["point"]
    return str(out["access_code"])


def test_whole_cycle_over_http(apps) -> None:
    staff, public = apps
    district, office = bearer(staff, "hongqi"), bearer(staff, "city")
    code = designate(staff, district, office)
    filed = ok(public.post("/api/reports", json=report("HQ-2026-01", code)), 201)
    assert filed["requests"] == []

    v = ok(staff.post("/api/staff/points/HQ-2026-01/verifications", headers=district,
                      json={"month": "2026-02", "note": "抽查"}))["verification"]
    vpath = f"/api/staff/points/HQ-2026-01/verifications/{v['verify_id']}"
    asked = ok(staff.post(f"{vpath}/requests", headers=district, json={"text": "请提供检查通知书", "due": "2026-03-16"}))
    request_id = asked["verification"]["requests"][0]["request_id"]

    amended = ok(public.post("/api/reports", json=report("HQ-2026-01", code, suggestions="补充")), 201)
    assert [r["text"] for r in amended["requests"]] == ["请提供检查通知书"]
    assert "requested_by" not in str(amended) and "hongqi" not in str(amended)
    listed = ok(public.post("/api/verifications/requests", json={"point_id": "HQ-2026-01", "access_code": code}))
    assert [r["request_id"] for r in listed["requests"]] == [request_id]
    wrong = public.post("/api/verifications/requests", json={"point_id": "HQ-2026-01", "access_code": "X" * 20})
    assert wrong.status_code == 401

    form = {"point_id": "HQ-2026-01", "access_code": code, "verify_id": v["verify_id"], "request_id": request_id,
            "text": "见附件"}
    bad = public.post("/api/verifications/answer", data=form, files=[("files", ("x.pdf", b"MZ\x90", "application/pdf"))])
    assert bad.status_code == 422 and "不是 PDF" in bad.text and "<h1>" in bad.text  # a browser gets a page
    bad = public.post("/api/verifications/answer", data=form, files=[("files", ("x.pdf", b"MZ\x90", "application/pdf"))],
                      headers=JSON)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][0] == "files"
    big = PDF + b"0" * 100_000  # over the 64 KB form limit, under the attachment limit
    answered = ok(public.post("/api/verifications/answer", data=form, files=[("files", ("通知书.pdf", big, "x/y"))],
                              headers=JSON),
                  201)
    assert answered["attachments"] == [{"name": "通知书.pdf", "size": len(big)}]

    stored = ok(staff.get("/api/staff/points/HQ-2026-01/verifications", headers=district))["verifications"][0]
    attachment_id = stored["requests"][0]["attachments"][0]["attachment_id"]
    got = staff.get(f"{vpath}/attachments/{attachment_id}", headers=district)
    assert got.status_code == 200 and got.content == big and got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("attachment") and got.headers["content-security-policy"] == "sandbox"
    assert staff.get(f"{vpath}/attachments/{attachment_id}").status_code == 401
    ok(staff.post(f"{vpath}/outcome", headers=district, json={"outcome": "confirmed"}))

    t = ok(staff.post("/api/staff/transfers", headers=district, json={
        "point_id": "HQ-2026-01", "source": "2026-02 月报", "clue": "同一事项重复检查", "department": "市市场监管局",
        "working_days": 5}))["transfer"]
    assert t["deadline"] == "2026-03-16"
    for body in ({"status": "answered", "answer": "已责令整改"}, {"status": "rectified", "rectification": "已合并检查"},
                 {"status": "closed"}):
        ok(staff.post(f"/api/staff/transfers/{t['transfer_id']}/progress", headers=district, json=body))
    assert ok(staff.get("/api/staff/transfers", headers=district))["transfers"] == []

    criteria = {"timely": True, "objective": True, "reasonable": True}
    ok(staff.post("/api/staff/points/HQ-2026-01/commendations", headers=office, json={
        "kind": "notice", "date": "2026-03-09", "period": "2026年第一季度", "criteria": criteria}))
    exported = staff.get("/api/staff/commendations?from=2026-01-01&to=2026-12-31&format=csv", headers=office)
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert exported.content.startswith(b"\xef\xbb\xbf") and rows[0][0] == "统一社会信用代码"
    assert rows[1][:4] == [USCC_A, "红旗区示范企业", "红旗区", "通报表扬"]
    xlsx = staff.get("/api/staff/commendations?from=2026-01-01&to=2026-12-31&format=xlsx", headers=office)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2))][0] == USCC_A

    history = ok(staff.get("/api/staff/points/HQ-2026-01/timeline", headers=district))
    categories = [e["category"] for e in history["timeline"]]
    assert categories.count("选定") == 5 and categories.count("核查") == 4 and categories.count("转交") == 4
    assert {"月报", "表彰"} <= set(categories)
    as_csv = staff.get("/api/staff/points/HQ-2026-01/timeline?format=csv", headers=district)
    assert as_csv.content.decode("utf-8-sig").count("\n") == len(history["timeline"]) + 1

    entries = ok(staff.get("/api/staff/audit?from=2026-03&to=2026-03", headers=office))["entries"]
    actions = {e["action"] for e in entries}
    assert {"nomination", "nomination_check", "nomination_decision", "designation", "verification_open",
            "verification_request", "attachment_download", "verification_outcome", "transfer", "transfer_progress",
            "commendation", "list_verifications", "list_transfers", "timeline"} <= actions
    downloads = [e["details"] for e in entries if e["action"] == "download"]
    assert {(d["kind"], d["format"], d["rows"]) for d in downloads} >= {("commendation", "csv", 1),
                                                                        ("commendation", "xlsx", 1)}
    assert all(code not in str(e) for e in entries)


def test_answer_body_limit_is_its_own_and_other_routes_keep_64_kb(apps) -> None:
    _, public = apps
    huge = b"0" * (ANSWER_LIMIT + 1)
    r = public.post("/api/verifications/answer", content=huge, headers={"content-type": "application/octet-stream"})
    assert r.status_code == 413 and "MB" in r.json()["errors"][0]["msg"]
    r = public.post("/api/reports", content=b"0" * (70 * 1024), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "64 KB" in r.json()["errors"][0]["msg"]


def test_bad_input_names_the_field(apps) -> None:
    staff, _ = apps
    office = bearer(staff, "city")
    r = staff.post("/api/staff/transfers", headers=office, json={"point_id": "P-HQ-1", "clue": "x", "working_days": 0})
    assert r.status_code == 422 and {e["loc"][0] for e in r.json()["errors"]} == {"department", "working_days"}
    r = staff.get("/api/staff/commendations?from=2026-13-01&to=2026-12-31", headers=office)
    assert r.status_code == 422 and r.json()["errors"][0]["loc"] == ["from"]


def test_overdue_complaint_transfer_is_flagged_for_the_city_office_only(apps, moto_table) -> None:
    from enforcewatch.casework import transfers

    staff, _ = apps
    district, office = bearer(staff, "hongqi"), bearer(staff, "city")
    body = {"complaint_id": "C1", "clue": "执法人员吃拿卡要", "discipline": True, "working_days": 1}
    assert staff.post("/api/staff/transfers", headers=district, json=body).status_code == 403
    t = ok(staff.post("/api/staff/transfers", headers=office, json=body))["transfer"]
    assert t["deadline"] == "2026-03-10" and t["department"] == "纪检监察机关"
    transfers.flag_overdue(moto_table, [HQ], dt.date(2026, 3, 11), NOW)
    flagged = [f for f in ok(staff.get("/api/staff/flags", headers=office))["flags"] if f["kind"] == "transfer_overdue"]
    assert [(f["complaint_id"], f["key"]) for f in flagged] == [("C1", t["transfer_id"])]
    assert all(f["kind"] != "transfer_overdue" for f in ok(staff.get("/api/staff/flags", headers=district))["flags"])


def test_each_status_change_is_kept_in_the_timeline(apps) -> None:
    staff, _ = apps
    office = bearer(staff, "city")
    ticks = iter(range(100))
    staff.app.state.staff.now = lambda: NOW + dt.timedelta(seconds=next(ticks))
    for status in ("revoked", "active"):
        ok(staff.post("/api/staff/points/P-HQ-1/status", headers=office, json={"status": status}))
    history = ok(staff.get("/api/staff/points/P-HQ-1/timeline", headers=bearer(staff, "hongqi")))["timeline"]
    changes = [(e["title"], e["by"], e["detail"]) for e in history if e["category"] == "状态"]
    assert changes == [("状态变更为：已取消", "city", "原状态：正常"), ("状态变更为：正常", "city", "原状态：已取消")]


def test_an_overdue_transfer_shows_in_the_flag_queue_page_with_its_action_in_words(apps, moto_table) -> None:
    from enforcewatch.casework import transfers

    staff, _ = apps
    district = bearer(staff, "hongqi")
    body = {"point_id": "P-HQ-1", "clue": "多头检查", "department": "市市场监管局", "working_days": 1}
    t = ok(staff.post("/api/staff/transfers", headers=district, json=body))["transfer"]
    transfers.flag_overdue(moto_table, [HQ], dt.date(2026, 3, 11), NOW)
    staff.cookies.clear()
    assert staff.post("/staff/sign-in", data={"username": "hongqi", "password": PASSWORD},
                      follow_redirects=False).status_code == 303
    page = staff.get("/staff/flags?kind=transfer_overdue").text
    assert "转交逾期未办结" in page and f"转交 {t['transfer_id']}，承办部门 市市场监管局" in page
    assert "督促部门办理，办结后登记办结" in page and "办理期限 2026-03-10" in page
    staff.cookies.clear()
    ok(staff.post(f"/api/staff/transfers/{t['transfer_id']}/progress", headers=district, json={"status": "closed"}))
    staff.post("/staff/sign-in", data={"username": "hongqi", "password": PASSWORD}, follow_redirects=False)
    assert t["transfer_id"] not in staff.get("/staff/flags?kind=transfer_overdue").text
    assert "转交已办结" in staff.get("/staff/flags?kind=transfer_overdue&state=closed").text


def test_transfer_deadline_counts_the_calendar_the_office_uploaded(apps, moto_table) -> None:
    """Issue 16: a year uploaded through the workspace (CALENDAR / YEAR#2026) is the one a transfer's
    working days are counted in, at once; without it the package's calendar is used."""
    from enforcewatch.monitoring import officecalendar

    staff, _ = apps
    office = bearer(staff, "city")
    body = {"point_id": "P-HQ-1", "clue": "重复检查", "department": "市场监管局", "working_days": 5}
    package = ok(staff.post("/api/staff/transfers", headers=office, json=body))["transfer"]
    assert package["transferred_on"] == "2026-03-09" and package["deadline"] == "2026-03-16"  # Mon + 5 working days
    # The office's 2026 (say a notice adds two days off): Tue 10 and Wed 11 March are not working days.
    year, text, _ = officecalendar.check_upload("2026", b"holidays: [2026-03-10, 2026-03-11]\nworkdays: []\n",
                                                "2026.yaml")
    officecalendar.save_year(moto_table, year, text, "2026.yaml", "city", NOW)
    uploaded = ok(staff.post("/api/staff/transfers", headers=office, json=body))["transfer"]
    assert uploaded["deadline"] == "2026-03-18"
