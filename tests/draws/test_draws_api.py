"""Draw routes of the staff API on moto: the whole workflow over HTTP, city office only, each step
audited, one error shape for refusals (issue 21)."""

from __future__ import annotations

import random

import pytest
from fastapi.testclient import TestClient

from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import Settings
from enforcewatch.draws import verify
from enforcewatch.draws.hashing import commitment
from enforcewatch.staff import audit
from support.draws import ROOT, uscc
from support.staff import NOW, PASSWORD, SECRET, seed

SECRETS = {"agency": "a1" * 32, "justice": "b2" * 32}


@pytest.fixture
def staff(moto_table):
    seed(moto_table)
    settings = Settings(token_secret=SECRET, content_dir=ROOT / "site" / "content")
    return TestClient(create_staff_app(settings, moto_table, clock=lambda: NOW, rng=random.Random(3))), moto_table


def login(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/staff/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


SPEC = {"id": "api-1", "title": "接口测试抽取", "item_id": "scjg-cc-001", "agency": "示范市市场监督管理局",
        "scheduled_at": "2026-03-01T10:00:00+08:00", "inspectors": ["ZF-01", "ZF-02", "ZF-03"],
        "candidates": [{"uscc": uscc(i), "credit_class": "ABCD"[i % 4]} for i in range(1, 61)]}


def test_the_workflow_over_http(staff) -> None:
    client, table = staff
    office = login(client, "city")
    r = client.post("/api/staff/draws", headers=office, json=SPEC)
    assert r.status_code == 201, r.text
    assert r.json()["draw"]["state"] == "收集承诺中"
    assert client.get("/api/staff/draws/api-1/record", headers=office).status_code == 409
    for party, s in SECRETS.items():
        r = client.post("/api/staff/draws/api-1/commitments", headers=office,
                        json={"party": party, "commitment": commitment("api-1", party, s)})
        assert r.status_code == 200, r.text
    announced = verify.parse(client.get("/api/staff/draws/api-1/record", headers=office).text)
    assert announced.status == "announced" and verify.check(announced) == []
    bad = client.post("/api/staff/draws/api-1/reveals", headers=office, json={"party": "justice", "secret": "0" * 64})
    assert bad.status_code == 422
    assert bad.json()["ok"] is False and "司法局揭示的秘密与其承诺不符" in bad.json()["errors"][0]["msg"]
    for party, s in SECRETS.items():
        assert client.post("/api/staff/draws/api-1/reveals", headers=office,
                           json={"party": party, "secret": s}).status_code == 200
    assert client.post("/api/staff/draws/api-1/run", headers=office).json()["draw"]["state"] == "已抽取"
    r = client.post("/api/staff/draws/api-1/publish", headers=office)
    record = verify.parse(r.text)
    assert verify.check(record, published_ratios={"base": 300, "A": 100, "B": 300, "C": 1000, "D": 3000}) == []
    assert record.announcement_digest == announced.announcement_digest
    proof = client.post("/api/staff/draws/api-1/proofs", headers=office, json={"uscc": uscc(3)}).json()["proof"]
    assert proof["uscc"] == uscc(3) and len(proof["salt"]) == 32
    assert [d["draw_id"] for d in client.get("/api/staff/draws", headers=office).json()["draws"]] == ["api-1"]
    actions = sorted((e["action"], e["outcome"]) for e in audit.entries(table, "2026-03", "2026-03")
                     if e["action"].startswith("draws."))  # one fixed clock: entries share a time
    assert actions == sorted([("draws.open", "ok"), ("draws.commit", "ok"), ("draws.commit", "ok"),
                       ("draws.reveal", "refused"), ("draws.reveal", "ok"), ("draws.reveal", "ok"),
                       ("draws.run", "ok"), ("draws.publish", "ok"), ("draws.proof", "ok")])


def test_district_accounts_may_not_run_draws(staff) -> None:
    client, _ = staff
    district = login(client, "hongqi")
    assert client.post("/api/staff/draws", headers=district, json=SPEC).status_code == 403
    assert client.get("/api/staff/draws", headers=district).status_code == 403


def test_bad_input_names_the_field(staff) -> None:
    client, _ = staff
    office = login(client, "city")
    r = client.post("/api/staff/draws", headers=office, json={**SPEC, "item_id": "no-such"})
    assert r.status_code == 422 and r.json()["errors"][0] == {"loc": ["item_id"], "msg": "随机抽查事项清单中没有此事项"}
    r = client.post("/api/staff/draws", headers=office, json={**SPEC, "candidates": [{"uscc": "123", "credit_class": "A"}]})
    assert r.status_code == 422 and "统一社会信用代码应为18位" in r.text
    r = client.post("/api/staff/draws/none/commitments", headers=office, json={"party": "agency", "commitment": "0" * 64})
    assert r.status_code == 404


ROUTES = {
    ("GET", "/api/staff/draws"): ("/api/staff/draws", None),
    ("POST", "/api/staff/draws"): ("/api/staff/draws", SPEC),
    ("GET", "/api/staff/draws/{draw_id}"): ("/api/staff/draws/api-1", None),
    ("POST", "/api/staff/draws/{draw_id}/commitments"): (
        "/api/staff/draws/api-1/commitments", {"party": "agency", "commitment": "0" * 64}),
    ("POST", "/api/staff/draws/{draw_id}/reveals"): ("/api/staff/draws/api-1/reveals", {"party": "agency", "secret": "0" * 64}),
    ("POST", "/api/staff/draws/{draw_id}/run"): ("/api/staff/draws/api-1/run", None),
    ("GET", "/api/staff/draws/{draw_id}/record"): ("/api/staff/draws/api-1/record", None),
    ("POST", "/api/staff/draws/{draw_id}/publish"): ("/api/staff/draws/api-1/publish", None),
    ("POST", "/api/staff/draws/{draw_id}/proofs"): ("/api/staff/draws/api-1/proofs", {"uscc": uscc(3)}),
}


def test_every_draw_route_is_checked_below() -> None:
    from enforcewatch.api.staff.draws import router

    assert {(m, r.path) for r in router.routes for m in r.methods if m != "HEAD"} == set(ROUTES)


@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_only_the_city_office_reaches_a_draw(staff, route) -> None:
    client, _ = staff
    office = login(client, "city")
    assert client.post("/api/staff/draws", headers=office, json=SPEC).status_code == 201
    url, body = ROUTES[route]
    anonymous = client.request(route[0], url, json=body)
    assert anonymous.status_code == 401 and anonymous.json()["ok"] is False
    district = client.request(route[0], url, json=body, headers=login(client, "hongqi"))
    assert district.status_code == 403 and district.json()["errors"][0]["msg"] == "仅市级账户可以使用此功能"
    assert uscc(3) not in district.text
