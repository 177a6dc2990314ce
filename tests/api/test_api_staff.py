"""The staff API through HTTP: sign-in, tokens, CSRF, scoping over every route, downloads, audit."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from enforcewatch.api.staff.app import create_staff_app, refused_actor, router
from enforcewatch.api.staff.casework import router as casework_router
from enforcewatch.api.staff.channel import router as channel_router
from enforcewatch.api.staff.insights import router as insights_router
from enforcewatch.api.staff.plans import router as plans_router
from enforcewatch.api.staff.queue import router as queue_router
from enforcewatch.config import Settings
from enforcewatch.intake import guesses
from enforcewatch.staff import tokens
from enforcewatch.staff.accounts import User
from support.casework import USCC_B, code, seed_casework
from support.staff import HQ, NOW, PASSWORD, SECRET, WB, seed, write_content


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self):
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(moto_table, tmp_path, clock) -> TestClient:
    seed(moto_table)
    seed_casework(moto_table)
    settings = Settings(token_secret=SECRET, content_dir=write_content(tmp_path / "content"))
    app = create_staff_app(settings, moto_table, clock=clock, rng=random.Random(5))
    return TestClient(app)


def sign_in(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/staff/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()  # use the Bearer token explicitly
    return {"Authorization": f"Bearer {r.json()['token']}"}


def assert_error_shape(r, status: int) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["ok"] is False and body["status"] == status
    assert body["errors"] and all("loc" in e and e["msg"] for e in body["errors"])


QUERY = "from=2026-01&to=2026-03"
# Every staff route, with a request that reaches across to the other district or beyond a district
# account's role, and the statuses allowed for it. A new route fails test_every_route_is_listed
# until it is added here.
CROSSING = {
    ("POST", "/api/staff/login"): None,  # public
    ("GET", "/staff/tools/{asset:path}"): None,  # static page, no data
    ("POST", "/api/staff/logout"): ("POST", "/api/staff/logout", None, {200}),
    ("GET", "/api/staff/me"): ("GET", "/api/staff/me", None, {200}),
    ("GET", "/api/staff/submissions"): (
        "GET", f"/api/staff/submissions?kind=report&format=json&{QUERY}&district={WB}", None, {403}),
    ("GET", "/api/staff/flags"): ("GET", f"/api/staff/flags?district={WB}", None, {403}),
    ("POST", "/api/staff/points/{point_id}/events"): (
        "POST", "/api/staff/points/P-WB-1/events", {"kind": "reminder", "date": "2026-03-09"}, {403, 404}),
    ("POST", "/api/staff/points/{point_id}/status"): (
        "POST", "/api/staff/points/P-WB-1/status", {"status": "revoked"}, {403, 404}),
    ("GET", "/api/staff/complaints"): ("GET", f"/api/staff/complaints?{QUERY}", None, {403}),
    ("POST", "/api/staff/complaints/{complaint_id}/reply"): (
        "POST", "/api/staff/complaints/C1/reply", {"status": "已办结", "reply": "x"}, {403}),
    ("GET", "/api/staff/audit"): ("GET", f"/api/staff/audit?{QUERY}", None, {403}),
    # casework (enforcewatch.api.staff.casework)
    ("POST", "/api/staff/nominations"): ("POST", "/api/staff/nominations", {
        "source": "district", "district": WB, "enterprise_name": "某公司", "uscc": USCC_B, "nominated_by": "区政府",
        "industry": "制造业"}, {403}),
    ("GET", "/api/staff/nominations"): ("GET", f"/api/staff/nominations?district={WB}", None, {403}),
    ("POST", "/api/staff/nominations/{nomination_id}/check"): (
        "POST", "/api/staff/nominations/N-WB/check", {"confirmed": []}, {404}),
    ("POST", "/api/staff/nominations/{nomination_id}/decision"): (
        "POST", "/api/staff/nominations/N-WB/decision", {"decision": "approved", "meeting": "会议"}, {403}),
    ("POST", "/api/staff/nominations/{nomination_id}/designate"): (
        "POST", "/api/staff/nominations/N-WB/designate", {"point_id": "P-X", "plaque_no": "1",
                                                          "designated_on": "2026-03-01", "reporting_from": "2026-03"},
        {403}),
    ("POST", "/api/staff/points/{point_id}/verifications"): (
        "POST", "/api/staff/points/P-WB-1/verifications", {"month": "2026-02"}, {404}),
    ("GET", "/api/staff/points/{point_id}/verifications"): (
        "GET", "/api/staff/points/P-WB-1/verifications", None, {404}),
    ("POST", "/api/staff/points/{point_id}/verifications/{verify_id}/requests"): (
        "POST", "/api/staff/points/P-WB-1/verifications/V-WB/requests", {"text": "x"}, {404}),
    ("POST", "/api/staff/points/{point_id}/verifications/{verify_id}/outcome"): (
        "POST", "/api/staff/points/P-WB-1/verifications/V-WB/outcome", {"outcome": "confirmed"}, {404}),
    ("GET", "/api/staff/points/{point_id}/verifications/{verify_id}/attachments/{attachment_id}"): (
        "GET", "/api/staff/points/P-WB-1/verifications/V-WB/attachments/A-WB", None, {404}),
    ("POST", "/api/staff/transfers"): ("POST", "/api/staff/transfers", {
        "point_id": "P-WB-1", "clue": "x", "department": "y", "working_days": 5}, {404}),
    ("GET", "/api/staff/transfers"): ("GET", f"/api/staff/transfers?district={WB}", None, {403}),
    ("POST", "/api/staff/transfers/{transfer_id}/progress"): (
        "POST", "/api/staff/transfers/T-WB/progress", {"status": "closed"}, {404}),
    ("POST", "/api/staff/points/{point_id}/commendations"): ("POST", "/api/staff/points/P-WB-1/commendations", {
        "kind": "notice", "date": "2026-03-01", "period": "2026", "criteria": {}}, {403}),
    ("GET", "/api/staff/commendations"): (
        "GET", "/api/staff/commendations?from=2026-01-01&to=2026-12-31&format=csv", None, {403}),
    ("GET", "/api/staff/points/{point_id}/timeline"): ("GET", "/api/staff/points/P-WB-1/timeline", None, {404}),
    # insights (enforcewatch.api.staff.insights)
    ("GET", "/api/staff/insights/scorecards"): (
        "GET", f"/api/staff/insights/scorecards?{QUERY}&district={WB}", None, {403}),
    ("GET", "/api/staff/insights/inspections"): (
        "GET", f"/api/staff/insights/inspections?{QUERY}&district={WB}", None, {403}),
    ("GET", "/api/staff/insights/findings"): ("GET", f"/api/staff/insights/findings?{QUERY}&district={WB}", None, {403}),
    ("POST", "/api/staff/insights/points/{point_id}/findings/{finding_id}/transfer"): (
        "POST", "/api/staff/insights/points/P-WB-1/findings/multi_agency-x/transfer", {}, {404}),
    ("POST", "/api/staff/insights/complaints/{complaint_id}/findings/{finding_id}/transfer"): (
        "POST", "/api/staff/insights/complaints/C-WB/findings/grave_conduct-complaint-C-WB/transfer", {}, {403}),
    ("GET", "/api/staff/insights/page"): ("GET", f"/api/staff/insights/page?{QUERY}&district={WB}", None, {403}),
    ("GET", "/api/staff/insights/insights.js"): None,  # the page's script, no data
    # the work queue (enforcewatch.api.staff.queue)
    ("GET", "/api/staff/flag-queue"): ("GET", f"/api/staff/flag-queue?district={WB}", None, {403}),
    ("POST", "/api/staff/points/{point_id}/revocation"): (
        "POST", "/api/staff/points/P-WB-1/revocation", {"flag_key": "2026-02", "decision": "revoke"}, {404}),
    ("POST", "/api/staff/points/{point_id}/access-code"): (
        "POST", "/api/staff/points/P-WB-1/access-code", None, {404}),
    ("GET", "/api/staff/reasons"): ("GET", "/api/staff/reasons", None, {200}),
    ("GET", "/api/staff/dashboard"): ("GET", f"/api/staff/dashboard?district={WB}", None, {403}),
    # plans (enforcewatch.api.staff.plans): filing is the city office's
    ("POST", "/api/staff/plans"): ("POST", "/api/staff/plans", {"kind": "年度计划"}, {403}),
    ("POST", "/api/staff/plans/import"): ("POST", "/api/staff/plans/import", None, {403}),
    ("GET", "/api/staff/plans"): None,  # plans are public once published; any staff account lists them
    # the channel to the points (enforcewatch.api.staff.channel)
    ("POST", "/api/staff/notices"): ("POST", "/api/staff/notices", {
        "audience": "district", "district": WB, "title": "会议通知", "body": "请参加座谈会"}, {403}),
    ("POST", "/api/staff/points/{point_id}/suggestions/{month}/{seq}/reply"): (
        "POST", "/api/staff/points/P-WB-1/suggestions/2026-02/0/reply", {"status": "answered", "reply": "已研究"}, {404}),
    ("GET", "/api/staff/notices"): None,  # a district account lists only its own (tested in test_channel.py)
    ("GET", "/api/staff/suggestions"): ("GET", f"/api/staff/suggestions?{QUERY}&district={WB}", None, {403}),
}


def staff_routes() -> set[tuple[str, str]]:
    # the app includes exactly this router; the scoping gate is a dependency of its routes
    return {(m, r.path) for rt in (router, casework_router, insights_router, queue_router, plans_router,
                                   channel_router)
            for r in rt.routes
            for m in r.methods if m != "HEAD"}


def test_every_route_is_listed(client: TestClient) -> None:
    assert staff_routes() == set(CROSSING)


# Every page of the workspace (server-rendered, cookie session, hidden CSRF field), with a request a
# district account (hongqi) makes across to the other district or beyond its role, and the statuses
# allowed. A new page fails test_every_page_is_listed until it is added here.
PAGES = {
    ("GET", "/staff/sign-in"): None,  # the form, no data
    ("POST", "/staff/sign-in"): None,  # public
    ("GET", "/staff/assets/{name}"): None,  # CSS
    ("POST", "/staff/sign-out"): ("POST", "/staff/sign-out", {}, {303}),
    ("GET", "/staff/"): ("GET", f"/staff/?district={WB}", None, {403}),
    ("GET", "/staff/points"): ("GET", f"/staff/points?district={WB}", None, {403}),
    ("GET", "/staff/points/{point_id}"): ("GET", "/staff/points/P-WB-1", None, {404}),
    ("GET", "/staff/points/{point_id}/reports/{month}/{seq}"): (
        "GET", "/staff/points/P-WB-1/reports/2026-02/0", None, {404}),
    ("POST", "/staff/points/{point_id}/status"): ("POST", "/staff/points/P-WB-1/status", {"status": "revoked"}, {303}),
    ("POST", "/staff/points/{point_id}/events"): (
        "POST", "/staff/points/P-WB-1/events", {"kind": "reminder", "date": "2026-03-09"}, {303}),
    ("POST", "/staff/points/{point_id}/code"): ("POST", "/staff/points/P-WB-1/code", {}, {404}),
    ("GET", "/staff/flags"): ("GET", f"/staff/flags?district={WB}", None, {403}),
    ("POST", "/staff/flags/step"): ("POST", "/staff/flags/step", {"point_id": "P-WB-1", "step": "reminder"}, {303}),
    ("GET", "/staff/reports"): ("GET", f"/staff/reports?{QUERY}&district={WB}", None, {403}),
    ("GET", "/staff/complaints"): ("GET", "/staff/complaints", None, {403}),
    ("GET", "/staff/complaints/{complaint_id}"): ("GET", "/staff/complaints/C1", None, {403}),
    ("POST", "/staff/complaints/{complaint_id}/reply"): (
        "POST", "/staff/complaints/C1/reply", {"status": "已办结", "reply": "x"}, {303}),
    ("GET", "/staff/admin"): ("GET", "/staff/admin", None, {403}),
    ("POST", "/staff/admin/users"): ("POST", "/staff/admin/users", {
        "username": "intruder", "role": "office", "password": "long enough password"}, {403}),
    ("POST", "/staff/admin/users/{username}/{action}"): ("POST", "/staff/admin/users/city/disable", {}, {403}),
    ("GET", "/staff/admin/audit"): ("GET", "/staff/admin/audit", None, {403}),
    ("POST", "/staff/admin/calendar"): ("POST", "/staff/admin/calendar", {"year": "2031"}, {403}),
    ("GET", "/staff/admin/import"): ("GET", "/staff/admin/import", None, {403}),
    ("POST", "/staff/admin/import/preview"): ("POST", "/staff/admin/import/preview", {}, {403}),
    ("POST", "/staff/admin/import/confirm"): ("POST", "/staff/admin/import/confirm", {"upload_id": "ab"}, {403}),
    # plans belong to no district (named targets are withheld from district accounts: tests/control/test_plan_pages.py)
    ("GET", "/staff/plans"): ("GET", "/staff/plans?month=2026-13", None, {422}),
    ("GET", "/staff/plans/{plan_id}"): ("GET", "/staff/plans/nope", None, {404}),
    ("GET", "/staff/plans/new"): ("GET", "/staff/plans/new", None, {403}),
    ("POST", "/staff/plans/new"): ("POST", "/staff/plans/new", {"kind": "年度计划"}, {403}),
    ("GET", "/staff/plans/import"): ("GET", "/staff/plans/import", None, {403}),
    ("POST", "/staff/plans/import/preview"): ("POST", "/staff/plans/import/preview", {}, {403}),
    ("POST", "/staff/plans/import/confirm"): ("POST", "/staff/plans/import/confirm", {"upload_id": "ab"}, {403}),
    ("GET", "/staff/notices"): ("GET", "/staff/notices", None, {200}),
    ("POST", "/staff/notices"): ("POST", "/staff/notices", {
        "audience": "point", "point_id": "P-WB-1", "title": "通知", "body": "正文"}, {404}),
    ("GET", "/staff/suggestions"): ("GET", f"/staff/suggestions?{QUERY}&district={WB}", None, {403}),
    ("GET", "/staff/suggestions/{point_id}/{month}/{seq}"): ("GET", "/staff/suggestions/P-WB-1/2026-02/0", None, {404}),
    ("POST", "/staff/suggestions/{point_id}/{month}/{seq}/reply"): (
        "POST", "/staff/suggestions/P-WB-1/2026-02/0/reply", {"status": "answered", "reply": "已研究"}, {404}),
    ("GET", "/staff/draws"): ("GET", "/staff/draws", None, {403}),
    ("GET", "/staff/draws/{draw_id}"): ("GET", "/staff/draws/d-1", None, {403}),
    ("POST", "/staff/draws/{draw_id}/commitments"): (
        "POST", "/staff/draws/d-1/commitments", {"party": "agency", "commitment": "0" * 64}, {403}),
    ("POST", "/staff/draws/{draw_id}/reveals"): (
        "POST", "/staff/draws/d-1/reveals", {"party": "agency", "secret": "0" * 64}, {403}),
    ("POST", "/staff/draws/{draw_id}/run"): ("POST", "/staff/draws/d-1/run", {}, {403}),
    ("POST", "/staff/draws/{draw_id}/publish"): ("POST", "/staff/draws/d-1/publish", {}, {403}),
}


def page_routes() -> set[tuple[str, str]]:
    from enforcewatch.api.staff import (
        admin_pages,
        channel_pages,
        draw_pages,
        import_pages,
        pages,
        plan_pages,
        point_pages,
        work_pages,
    )

    routers = (pages.router, point_pages.router, work_pages.router, admin_pages.router, import_pages.router,
               plan_pages.router, channel_pages.router, draw_pages.router)
    return {(m, r.path) for rt in routers
            for r in rt.routes
            for m in r.methods if m != "HEAD"}


def test_every_page_is_listed() -> None:
    assert page_routes() == set(PAGES)


def sign_in_page(client: TestClient, username: str) -> str:
    """Sign in through the form; returns the CSRF token of the session (the pages' hidden field)."""
    client.cookies.clear()
    r = client.post("/staff/sign-in", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/staff/points")
    return page.text.split('name="csrf" value="')[1].split('"')[0]


@pytest.mark.parametrize("route", [k for k, v in PAGES.items() if v])
def test_page_without_session_goes_to_sign_in(client: TestClient, route) -> None:
    method, url, body, _ = PAGES[route]
    client.cookies.clear()
    r = client.request(method, url, data=body, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/sign-in"), r.text
    assert WB not in r.text and "P-WB-1" not in r.text


@pytest.mark.parametrize("route", [k for k, v in PAGES.items() if v])
def test_district_account_cannot_cross_on_pages(client: TestClient, moto_table, route) -> None:
    method, url, body, allowed = PAGES[route]
    csrf = sign_in_page(client, "hongqi")
    before = {(i["pk"], i["sk"]) for i in moto_table.query("POINT#P-WB-1")}
    r = client.request(method, url, data=None if body is None else {**body, "csrf": csrf}, follow_redirects=False)
    assert r.status_code in allowed, r.text
    shown = r.text + (client.get(r.headers["location"]).text if r.status_code == 303 else "")
    assert WB not in shown and "卫滨区" not in shown and "举报人甲" not in shown and "weibin某公司" not in shown
    if method == "POST" and "P-WB-1" in url + str(body):
        assert "未能" in shown or (r.status_code == 404 and "没有找到" in shown)  # refused, with a message
    point = moto_table.get("POINT#P-WB-1", "POINT")
    assert point["status"] == "active" and {(i["pk"], i["sk"]) for i in moto_table.query("POINT#P-WB-1")} == before
    assert moto_table.get("COMPLAINT#C1", "COMPLAINT")["status"] == "收到"
    assert moto_table.get("USER#intruder", "USER") is None and not moto_table.get("USER#city", "USER")["disabled"]


@pytest.mark.parametrize("route", [k for k, v in PAGES.items() if v and v[0] == "POST"])
def test_page_post_without_csrf_field_is_refused(client: TestClient, moto_table, route) -> None:
    method, url, body, _ = PAGES[route]
    sign_in_page(client, "city")
    r = client.request(method, url.replace("P-WB-1", "P-HQ-1"), data=body, follow_redirects=False)
    assert r.status_code == 401 and "CSRF" in r.text
    assert moto_table.get("COMPLAINT#C1", "COMPLAINT")["status"] == "收到"
    assert moto_table.get("POINT#P-HQ-1", "POINT")["status"] == "active"


@pytest.mark.parametrize("route", [k for k, v in CROSSING.items() if v])
def test_unauthenticated_and_tampered_are_refused(client: TestClient, route) -> None:
    method, url, body, _ = CROSSING[route]
    assert_error_shape(client.request(method, url, json=body), 401)
    token = sign_in(client, "city")["Authorization"]
    head, payload, sig = token.split(".")
    forged = f"{head}.{payload}.{sig[:-4]}AAAA"
    assert_error_shape(client.request(method, url, json=body, headers={"Authorization": forged}), 401)


@pytest.mark.parametrize("route", [k for k, v in CROSSING.items() if v])
def test_district_account_cannot_cross(client: TestClient, route) -> None:
    method, url, body, allowed = CROSSING[route]
    r = client.request(method, url, json=body, headers=sign_in(client, "hongqi"))
    assert r.status_code in allowed, r.text
    assert WB not in r.text and "卫滨区" not in r.text and "P-WB-1" not in r.text and "举报人甲" not in r.text
    if r.status_code >= 400:
        assert_error_shape(r, r.status_code)


def test_forged_role_claim_is_refused(client: TestClient) -> None:
    user = User("hongqi", "office", None, False, 0, False)  # a token claiming office, signed with another key
    bad, _ = tokens.issue(user, "x" * 40, NOW, random.Random(1))
    assert_error_shape(client.get(f"/api/staff/audit?{QUERY}", headers={"Authorization": f"Bearer {bad}"}), 401)


def test_wrong_password_and_lockout_are_audited(client: TestClient, clock: Clock) -> None:
    r = client.post("/api/staff/login", json={"username": "city", "password": "wrong wrong"})
    assert_error_shape(r, 401)
    r = client.post("/api/staff/login", json={"username": "nobody", "password": "wrong wrong"})
    assert_error_shape(r, 401)
    for _ in range(2):
        client.post("/api/staff/login", json={"username": "city", "password": "wrong wrong"})
    assert_error_shape(client.post("/api/staff/login", json={"username": "city", "password": PASSWORD}), 429)
    clock.now += timedelta(seconds=5)
    entries = client.get(f"/api/staff/audit?{QUERY}", headers=sign_in(client, "city")).json()["entries"]
    denied = [e for e in entries if e["action"] == "login" and e["outcome"] == "denied"]
    assert len(denied) == 5 and {e["actor"] for e in denied} - {"city"} == {refused_actor(app_ctx(client), "nobody")}
    assert all("wrong" not in str(e) and "nobody" not in str(e) for e in entries)


def app_ctx(client: TestClient):
    return client.app.state.staff


def test_refused_sign_ins_keep_no_typed_name_and_are_bounded(client: TestClient, clock: Clock) -> None:
    """Issue 19 §6: a password typed into the username box is not kept; unauthenticated requests can
    append only the client's budget of entries; a disabled account is answered as a wrong password."""
    typed = "my secret password 123"
    assert_error_shape(client.post("/api/staff/login", json={"username": typed, "password": "x"}), 401)
    wrong = client.post("/api/staff/login", json={"username": "city", "password": "wrong wrong"})
    app_ctx(client).accounts.disable("hongqi", clock.now)
    disabled = client.post("/api/staff/login", json={"username": "hongqi", "password": PASSWORD})
    assert (disabled.status_code, disabled.json()) == (wrong.status_code, wrong.json())
    for i in range(guesses.SIGNIN_LIMIT + 10):
        client.post("/api/staff/login", json={"username": f"guess{i}", "password": "x"})
    clock.now += timedelta(minutes=20)
    entries = client.get(f"/api/staff/audit?{QUERY}", headers=sign_in(client, "city")).json()["entries"]
    denied = [e for e in entries if e["action"] == "login" and e["outcome"] == "denied"]
    assert typed not in str(entries) and "secret" not in str(entries)
    assert len(denied) == guesses.SIGNIN_LIMIT
    assert {"city", "hongqi"} <= {e["actor"] for e in denied}
    assert any(e["details"]["reason"] == "账户已停用" for e in denied)


def test_csrf_cookie_is_scoped_to_the_staff_paths(client: TestClient) -> None:
    """Issue 19 §8: the public site on the same origin never sees the readable CSRF cookie."""
    r = client.post("/api/staff/login", json={"username": "city", "password": PASSWORD})
    csrf = [h for h in r.headers.get_list("set-cookie") if h.startswith("ew_csrf=")]
    assert sorted(h.split("Path=")[1].split(";")[0] for h in csrf) == ["/api/staff", "/staff"]


def test_expired_token(client: TestClient, clock: Clock) -> None:
    headers = sign_in(client, "city")
    clock.now += timedelta(seconds=tokens.TTL_SECONDS + 1)
    r = client.get("/api/staff/me", headers=headers)
    assert_error_shape(r, 401)
    assert "过期" in r.json()["errors"][0]["msg"]


def test_logout_and_disable_revoke_tokens(client: TestClient) -> None:
    headers = sign_in(client, "hongqi")
    assert client.post("/api/staff/logout", headers=headers).status_code == 200
    assert_error_shape(client.get("/api/staff/me", headers=headers), 401)
    headers = sign_in(client, "hongqi")
    client.app.state.staff.accounts.disable("hongqi", NOW)
    assert_error_shape(client.get("/api/staff/me", headers=headers), 401)


def test_cookie_session_needs_csrf_for_changes(client: TestClient) -> None:
    r = client.post("/api/staff/login", json={"username": "hongqi", "password": PASSWORD})
    cookie = r.headers.get_list("set-cookie")
    assert any("ew_staff=" in c and "HttpOnly" in c and "SameSite=strict" in c for c in cookie)
    assert client.get("/api/staff/me").json()["username"] == "hongqi"  # reads need no CSRF header
    event = {"kind": "reminder", "date": "2026-03-09"}
    assert_error_shape(client.post("/api/staff/points/P-HQ-1/events", json=event), 401)
    wrong = {"X-CSRF-Token": "0" * 64}
    assert_error_shape(client.post("/api/staff/points/P-HQ-1/events", json=event, headers=wrong), 401)
    ok = client.post("/api/staff/points/P-HQ-1/events", json=event, headers={"X-CSRF-Token": r.json()["csrf"]})
    assert ok.status_code == 200, ok.text


def test_district_download_sees_own_rows_only(client: TestClient) -> None:
    r = client.get(f"/api/staff/submissions?kind=report&format=csv&{QUERY}", headers=sign_in(client, "hongqi"))
    assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    district = rows[0].index("县（市、区）")  # written by its name (issue 16)
    assert len(rows) == 2 and rows[1][district] == "红旗区" and WB not in r.text and "卫滨区" not in r.text
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    assert r.headers["x-robots-tag"].startswith("noindex")


def test_office_download_csv_and_xlsx_neutralise_formulas(client: TestClient, tmp_path) -> None:
    headers = sign_in(client, "city")
    r = client.get(f"/api/staff/submissions?kind=report&format=csv&{QUERY}", headers=headers)
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {row[rows[0].index("县（市、区）")] for row in rows[1:]} == {"红旗区", "卫滨区"}
    assert all(not cell.startswith(("=", "@", "+", "-")) for row in rows for cell in row)
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    r = client.get(f"/api/staff/submissions?kind=report&format=xlsx&{QUERY}", headers=headers)
    path = tmp_path / "x.xlsx"
    path.write_bytes(r.content)
    sheet = load_workbook(path).active
    cells = [c for row in sheet.iter_rows() for c in row]
    # Counts, dates and times are spreadsheet values (issue 16); every other cell is text, never a formula.
    valued = {"版本(0=首次报送)": "n", "检查序号": "n", "执法人员人数": "n", "检查日期": "d", "接收时间(北京时间)": "d"}
    titles = [c.value for c in sheet[1]]
    assert all(c.data_type == (valued.get(titles[c.column - 1], "s") if c.row > 1 else "s")
               for c in cells if c.value is not None)
    assert any(str(c.value).startswith("'@SUM") for c in cells)
    entries = client.get(f"/api/staff/audit?{QUERY}", headers=headers).json()["entries"]
    downloads = [e for e in entries if e["action"] == "download" and e["outcome"] == "ok"]
    assert [d["details"]["rows"] for d in downloads] == [2, 2]
    assert downloads[0]["details"]["format"] == "csv" and downloads[0]["actor"] == "city"


def test_bad_download_filters_name_the_field(client: TestClient) -> None:
    r = client.get("/api/staff/submissions?kind=x&format=csv&from=2026-1&to=2026-02", headers=sign_in(client, "city"))
    assert_error_shape(r, 422)
    assert {e["loc"][0] for e in r.json()["errors"]} == {"kind", "from"}


def test_reply_reaches_the_complaint_and_the_audit(client: TestClient, moto_table) -> None:
    headers = sign_in(client, "city")
    r = client.post("/api/staff/complaints/C1/reply", json={"status": "已办结", "reply": "已约谈，责令整改。"},
                    headers=headers)
    assert r.status_code == 200, r.text
    stored = moto_table.get("COMPLAINT#C1", "COMPLAINT")
    assert stored["status"] == "已办结" and stored["reply"] == "已约谈，责令整改。"
    assert_error_shape(client.post("/api/staff/complaints/C1/reply", json={"status": "乱写"}, headers=headers), 422)
    assert_error_shape(client.post("/api/staff/complaints/NOPE/reply", json={"status": "已办结"}, headers=headers), 404)
    entries = client.get(f"/api/staff/audit?{QUERY}", headers=headers).json()["entries"]
    assert any(e["action"] == "complaint_reply" and e["details"]["complaint_id"] == "C1" for e in entries)


def test_flags_by_scope_and_unreplied_complaints(client: TestClient) -> None:
    district = client.get("/api/staff/flags", headers=sign_in(client, "hongqi")).json()["flags"]
    assert [f["point_id"] for f in district] == ["P-HQ-1"]
    office = client.get("/api/staff/flags", headers=sign_in(client, "city")).json()["flags"]
    assert {f.get("point_id") or f.get("complaint_id") for f in office} == {"P-HQ-1", "P-WB-1", "C1"}


def test_event_recorded_once_with_its_district(client: TestClient, moto_table) -> None:
    headers = sign_in(client, "hongqi")
    for _ in range(2):
        r = client.post("/api/staff/points/P-HQ-1/events", json={"kind": "plaque_returned", "date": "2026-03-09"},
                        headers=headers)
        assert r.status_code == 200
    events = list(moto_table.query("POINT#P-HQ-1", "EVENT#"))
    assert len(events) == 1 and events[0]["district"] == HQ and events[0]["recorded_by"] == "hongqi"


def test_staff_page_is_noindex_and_not_cached(client: TestClient) -> None:
    r = client.get("/staff/tools/")
    assert r.status_code == 200 and 'name="robots" content="noindex, nofollow"' in r.text
    assert r.headers["x-robots-tag"] == "noindex, nofollow" and r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert client.get("/staff/tools/staff.js").status_code == 200
    assert client.get("/staff/tools/../pyproject.toml").status_code in (303, 404)


def test_large_download_goes_through_s3(moto_table, tmp_path) -> None:
    import boto3

    from enforcewatch.api.staff.large_downloads import S3Downloads

    seed(moto_table)
    s3 = boto3.client("s3", region_name="cn-north-1")
    s3.create_bucket(Bucket="ew-exports", CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    settings = Settings(token_secret=SECRET, content_dir=write_content(tmp_path / "content"))
    for limit, expect_s3 in ((10_000_000, False), (100, True)):
        app = create_staff_app(settings, moto_table, clock=Clock(), rng=random.Random(limit),
                               downloads=S3Downloads(s3, "ew-exports", limit=limit))
        client = TestClient(app)
        r = client.get(f"/api/staff/submissions?kind=report&format=csv&{QUERY}", headers=sign_in(client, "city"),
                       follow_redirects=False)
        if not expect_s3:
            assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf")
            continue
        assert r.status_code == 303 and "amazonaws.com.cn" in r.headers["location"]
        key = r.headers["location"].split(".com.cn/", 1)[1].split("?", 1)[0]
        stored = s3.get_object(Bucket="ew-exports", Key=key)
        assert stored["Body"].read().startswith(b"\xef\xbb\xbf") and "attachment" in stored["ContentDisposition"]
    entries = client.get(f"/api/staff/audit?{QUERY}", headers=sign_in(client, "city")).json()["entries"]
    assert [e["details"]["rows"] for e in entries if e["action"] == "download" and e["outcome"] == "ok"] == [2, 2]


def test_flags_carry_state_and_filter_by_it(client: TestClient, moto_table) -> None:
    moto_table.update("POINT#P-HQ-1", "FLAG#overdue#2026-02",
                      {"state": "closed", "closed_on": "2026-03-01", "closed_because": "report_arrived"})
    headers = sign_in(client, "hongqi")
    assert client.get("/api/staff/flags", headers=headers).json()["flags"] == []  # default: open only
    closed = client.get("/api/staff/flags?state=closed", headers=headers).json()["flags"]
    assert [(f["point_id"], f["state"], f["closed_because"]) for f in closed] == [("P-HQ-1", "closed", "report_arrived")]
    office = client.get("/api/staff/flags?state=all", headers=sign_in(client, "city")).json()["flags"]
    assert {f.get("state") for f in office if f.get("point_id")} == {"open", "closed"}
    assert_error_shape(client.get("/api/staff/flags?state=done", headers=headers), 422)


def test_reasons_list_and_a_chinese_reason_is_accepted(client: TestClient, moto_table) -> None:
    headers = sign_in(client, "hongqi")
    reasons = client.get("/api/staff/reasons", headers=headers).json()["reasons"]
    assert {"code": "safety_accident", "label": "重大安全生产责任事故"} in reasons["disqualifying"]
    r = client.post("/api/staff/points/P-HQ-1/events", headers=headers,
                    json={"kind": "disqualifying", "date": "2026-03-01", "reason": "重大安全生产责任事故"})
    assert r.status_code == 200, r.text
    assert [e["reason"] for e in moto_table.query("POINT#P-HQ-1", "EVENT#")] == ["safety_accident"]
    bad = client.post("/api/staff/points/P-HQ-1/events", headers=headers,
                      json={"kind": "disqualifying", "date": "2026-03-01", "reason": "重大事故"})
    assert_error_shape(bad, 422)
    assert "重大安全生产责任事故" in bad.text


def test_access_code_reissued_once_and_audited(client: TestClient, moto_table) -> None:
    from enforcewatch import codes

    before = moto_table.get("POINT#P-HQ-1", "POINT").get("access_code_hash")
    r = client.post("/api/staff/points/P-HQ-1/access-code", headers=sign_in(client, "hongqi"))
    assert r.status_code == 200, r.text
    code = r.json()["access_code"]
    stored = moto_table.get("POINT#P-HQ-1", "POINT")["access_code_hash"]
    assert stored == codes.hash_code(code) and stored != before and code not in str(moto_table.get("POINT#P-HQ-1", "POINT"))
    entries = client.get("/api/staff/audit?from=2026-03&to=2026-03", headers=sign_in(client, "city")).json()["entries"]
    reissues = [e for e in entries if e["action"] == "access_code_reissue"]
    assert len(reissues) == 1 and reissues[0]["details"] == {"point_id": "P-HQ-1"} and code not in str(entries)


def test_reissued_code_is_shown_once_and_audited(client: TestClient, moto_table) -> None:
    from enforcewatch import codes

    csrf = sign_in_page(client, "hongqi")
    r = client.post("/staff/points/P-HQ-1/code", data={"csrf": csrf})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    code = r.text.split('class="code-once" aria-label="新访问码">')[1].split("<")[0]
    assert codes.verify_code(code, moto_table.get("POINT#P-HQ-1", "POINT")["access_code_hash"])
    assert code not in client.get("/staff/points/P-HQ-1").text  # shown once
    entries = list(moto_table.query(f"AUDIT#{NOW:%Y-%m}"))
    assert any(e["action"] == "access_code_reissue" and e["actor"] == "hongqi" for e in entries)
    assert all(code not in str(e) for e in entries)


# -- A district account learns nothing of another district's points through any route that takes a
# 统一社会信用代码 or a free id (issue 19 §2): the eligibility check still refuses, but names no point,
# date or reason of another district.

USCC_ACTIVE = code("91410700MA0000009")  # an active point in the other district
USCC_REVOKED = code("91410700MA0000008")  # a revoked one there, with a recent disqualifying event
SECRETS = ("P-WB-9", "P-WB-8", "2025-12-01", "重大安全生产责任事故", "卫滨区秘密公司", WB, "卫滨区")


@pytest.fixture
def other_points(client: TestClient) -> TestClient:
    table = client.app.state.staff.table
    for point, uscc, status in (("P-WB-9", USCC_ACTIVE, "active"), ("P-WB-8", USCC_REVOKED, "revoked")):
        table.put({"pk": f"POINT#{point}", "sk": "POINT", "point_id": point, "district": WB, "uscc": uscc,
                   "enterprise_name": "卫滨区秘密公司", "status": status,
                   "gsi1pk": f"DISTRICT#{WB}", "gsi1sk": f"POINT#{point}#POINT"})
        table.put({"pk": f"POINT#{point}", "sk": "EVENT#2025-12-01#E1", "point_id": point, "kind": "disqualifying",
                   "date": "2025-12-01", "reason": "safety_accident", "district": WB})
    return client


def nominate_and_check(staff: TestClient, who: str, uscc: str) -> dict:
    headers = sign_in(staff, who)
    r = staff.post("/api/staff/nominations", headers=headers, json={
        "source": "district", "district": HQ, "enterprise_name": "红旗区某公司", "uscc": uscc,
        "nominated_by": "区政府", "industry": "制造业"})
    assert r.status_code == 200, r.text
    nomination = r.json()["nomination"]["nomination_id"]
    r = staff.post(f"/api/staff/nominations/{nomination}/check", headers=headers, json={"confirmed": []})
    assert r.status_code == 200, r.text
    return r.json()["nomination"]["check"]


@pytest.mark.parametrize("uscc", [USCC_ACTIVE, USCC_REVOKED])
def test_eligibility_check_refuses_without_naming_another_districts_point(other_points, uscc) -> None:
    seen = nominate_and_check(other_points, "hongqi", uscc)
    assert seen["eligible"] is False and seen["refusals"]
    assert not any(s in str(seen) for s in SECRETS), seen
    office = nominate_and_check(other_points, "city", uscc)  # the office sees why
    assert "2025-12-01" in str(office) and ("P-WB-9" in str(office) or "P-WB-8" in str(office))


@pytest.mark.parametrize("route", [k for k, v in CROSSING.items() if v])
def test_every_route_with_a_free_id_tells_nothing_of_another_districts_point(other_points, route) -> None:
    method, url, body, _ = CROSSING[route]
    url = url.replace("P-WB-1", "P-WB-9")
    if body is not None:
        body = {k: (USCC_ACTIVE if k == "uscc" else "P-WB-9" if v == "P-WB-1" else v) for k, v in body.items()}
    r = other_points.request(method, url, json=body, headers=sign_in(other_points, "hongqi"))
    assert r.status_code in {200, 403, 404}, r.text
    # The list of event reasons (GET /api/staff/reasons) is the published vocabulary, reasons included.
    public = {"重大安全生产责任事故"} if route == ("GET", "/api/staff/reasons") else set()
    assert not any(s in r.text for s in SECRETS if s != "P-WB-9" and s not in public)
    assert "P-WB-9" not in r.text.replace(url, "")
