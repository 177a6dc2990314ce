"""A district account learns nothing of another district's points through any route that takes a
统一社会信用代码 or a free id (issue 19 §2): the eligibility check still refuses, but names no point,
date or reason of another district."""

from __future__ import annotations

import pytest
from casework_fixtures import code
from fastapi.testclient import TestClient
from staff_fixtures import HQ, WB
from test_api_staff import CROSSING, client, clock, sign_in  # noqa: F401 - fixtures

USCC_ACTIVE = code("91410700MA0000009")  # an active point in the other district
USCC_REVOKED = code("91410700MA0000008")  # a revoked one there, with a recent disqualifying event
SECRETS = ("P-WB-9", "P-WB-8", "2025-12-01", "重大安全生产责任事故", "卫滨区秘密公司", WB, "卫滨区")


@pytest.fixture
def other_points(client: TestClient) -> TestClient:  # noqa: F811 - the imported fixture
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
    assert not any(s in r.text for s in SECRETS if s != "P-WB-9") and "P-WB-9" not in r.text.replace(url, "")
