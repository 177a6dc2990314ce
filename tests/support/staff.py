"""Shared data for the staff tests: two districts, points, reports, flags and a complaint."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from enforcewatch.monitoring.flagkeys import city_keys
from enforcewatch.staff.accounts import Accounts
from enforcewatch.store.dynamo import DynamoTable
from support.items import point_item

NOW = datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
SECRET = "t" * 48
HQ, WB = "hongqi", "weibin"  # district ids (names: 红旗区, 卫滨区)


def write_content(content_dir: Path) -> Path:
    content_dir.mkdir(parents=True, exist_ok=True)
    (content_dir / "districts.yaml").write_text(
        f"- {{id: {HQ}, name: 红旗区}}\n- {{id: {WB}, name: 卫滨区}}\n", encoding="utf-8")
    return content_dir


def report(point: str, district: str, month: str, agency: str, seq: int = 0) -> dict:
    return {
        "pk": f"POINT#{point}", "sk": f"REPORT#{month}#{seq:04d}", "kind": "report", "point_id": point,
        "district": district, "month": month, "seq": seq, "received_at": f"{month}-28T01:00:00.000000Z",
        "inspections": [{"date": f"{month}-10", "agency": agency, "officer_count": 2,
                         "items_checked": "=HYPERLINK(\"http://evil\",\"x\")"}],
        "suggestions": "@SUM(1+1)", "contact_name": "张三",
        "gsi1pk": f"DISTRICT#{district}", "gsi1sk": f"POINT#{point}#REPORT#{month}#{seq:04d}",
        "gsi2pk": f"REPORTS#{district}", "gsi2sk": f"{month}#{point}#{seq:04d}",
    }


def seed(table: DynamoTable, own: str = HQ, other: str = WB) -> None:
    items = []
    for point, district, agency in (("P-HQ-1", own, "红旗区市场监管局"), ("P-WB-1", other, "卫滨区税务局")):
        items.append(point_item(point, district, enterprise_name=f"{district}某公司"))
        items.append(report(point, district, "2026-02", agency))
        items.append({"pk": f"POINT#{point}", "sk": "FLAG#overdue#2026-02", "point_id": point,
                      "district": district, "kind": "overdue", "key": "2026-02",
                      "gsi2pk": f"FLAGS#{district}", "gsi2sk": f"OPEN#{point}#overdue#2026-02",
                      **city_keys("overdue", point, "2026-02")})
    items.append({"pk": "COMPLAINT#C1", "sk": "COMPLAINT", "kind": "complaint", "complaint_id": "C1",
                  "received_at": "2026-02-02T03:00:00.000000Z", "status": "收到", "agency": "某局",
                  "name": "举报人甲", "description": "重复检查",
                  "gsi2pk": "COMPLAINTS", "gsi2sk": "2026-02#2026-02-02T03:00:00.000000Z#C1"})
    table.batch_put(items)
    accounts = Accounts(table)
    accounts.add("city", "office", None, PASSWORD, NOW)
    accounts.add("hongqi", "district", own, PASSWORD, NOW)


def page_session(client, username: str, password: str = PASSWORD) -> str:
    """Sign in through the workspace's form (a TestClient of the staff app); returns the session's CSRF
    token, the hidden field every page form posts."""
    client.cookies.clear()
    r = client.post("/staff/sign-in", data={"username": username, "password": password}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(client.get("/staff/").text.split('name="csrf" value="')[1].split('"')[0])
