"""Staff tokens attacked beyond the staff tests' own cases (tests/api/test_api_staff.py covers no token,
a bad signature, another key, expiry, sign-out and disable, CSRF, and district crossing over the
table of every route): `alg: none`, a payload swapped under a valid signature, another session's
CSRF token, and the cookie session replayed after sign-out."""

from __future__ import annotations

import base64
import json
import random

import pytest
from fastapi.testclient import TestClient

from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.api.staff.http import CSRF_HEADER, SESSION_COOKIE
from enforcewatch.config import Settings
from support.staff import NOW, PASSWORD, SECRET, seed, write_content

AUDIT = "/api/staff/audit?from=2026-01&to=2026-03"


@pytest.fixture
def client(moto_table, tmp_path) -> TestClient:
    seed(moto_table)
    settings = Settings(token_secret=SECRET, content_dir=write_content(tmp_path / "content"))
    return TestClient(create_staff_app(settings, moto_table, clock=lambda: NOW, rng=random.Random(5)))


def _login(client: TestClient, username: str) -> dict:
    r = client.post("/api/staff/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200
    return r.json()


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_unsigned_and_swapped_tokens_are_refused(client) -> None:
    office = _login(client, "city")["token"]
    district = _login(client, "hongqi")["token"]
    client.cookies.clear()
    claims = _claims(district)
    forged = {**claims, "role": "office", "district": None}
    attempts = {
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(forged)}.",
        "alg none, office claims": f"{_b64({'alg': 'none'})}.{office.split('.')[1]}.",
        "district payload, office signature": f"{office.split('.')[0]}.{_b64(forged)}.{office.split('.')[2]}",
        "HS512 header": f"{_b64({'alg': 'HS512', 'typ': 'JWT'})}.{office.split('.')[1]}.{office.split('.')[2]}",
        "empty": "", "garbage": "a.b.c",
    }
    for name, token in attempts.items():
        r = client.get(AUDIT, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, name
        assert r.json()["ok"] is False
    assert client.get(AUDIT, headers={"Authorization": f"Bearer {office}"}).status_code == 200


def test_csrf_token_of_another_session_is_refused(client) -> None:
    other = _login(client, "city")["csrf"]
    mine = _login(client, "city")  # the cookie jar now holds this session
    body = {"status": "已办结", "reply": "答复"}
    r = client.post("/api/staff/complaints/C1/reply", json=body, headers={CSRF_HEADER: other})
    assert r.status_code == 401
    r = client.post("/api/staff/complaints/C1/reply", json=body, headers={CSRF_HEADER: mine["csrf"]})
    assert r.status_code == 200, r.text


def test_cookie_session_replayed_after_sign_out_is_refused(client) -> None:
    session = _login(client, "city")
    cookie = client.cookies.get(SESSION_COOKIE)
    assert cookie and client.get(AUDIT).status_code == 200
    assert client.post("/api/staff/logout", headers={CSRF_HEADER: session["csrf"]}).status_code == 200
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, cookie, path="/api/staff")  # an attacker kept a copy
    assert client.get(AUDIT).status_code == 401
    assert client.get(AUDIT, headers={"Authorization": f"Bearer {session['token']}"}).status_code == 401
