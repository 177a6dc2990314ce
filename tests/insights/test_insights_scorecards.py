"""Agency scorecards: figures checked by hand on small data and against a generated month of a few
hundred points; the XLSX for the 评议 meeting; the staff routes (scope, drill-down, findings,
one-step transfer) and the page with its charts."""

from __future__ import annotations

import datetime as dt
import io
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import Settings
from enforcewatch.insights import detection, scorecards
from enforcewatch.insights.inspections import Catalogue, inspections
from enforcewatch.staff.accounts import Accounts
from support.insights import CONTENT, content, generated_month, inspection, report
from support.items import point_item

D = dt.date
NOW = dt.datetime(2026, 4, 10, 2, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"
SECRET = "s" * 48


@pytest.fixture(scope="module")
def site_content() -> Any:
    return content()


def cards_for(reports: list[dict[str, Any]], c: Any, months: list[str]) -> dict[str, scorecards.Scorecard]:
    found = inspections(reports, Catalogue.from_content(c))
    return {card.agency: card for card in scorecards.scorecards(found, c.departments, months)}


def test_figures_by_hand(site_content: Any) -> None:
    reports = [
        report("P1", "xihe", "2026-02", [
            inspection(D(2026, 2, 3), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001", satisfaction="非常满意"),
            inspection(D(2026, 2, 9), "西河县市场监督管理局", "年报", item_id="scjg-cc-002", filed="否",
                       credentials="否", satisfaction="不满意", misconduct=("未出示证件", "重复检查"),
                       outcome="责令整改"),
        ]),
        report("P2", "nanhu", "2026-03", [
            inspection(D(2026, 3, 3), "南湖市市场监督管理局", "明码标价", item_id="scjg-cc-007", satisfaction="满意"),
            inspection(D(2026, 3, 4), "某街道办事处", "门头招牌", satisfaction="基本满意"),
        ]),
    ]
    cards = cards_for(reports, site_content, ["2026-02", "2026-03"])
    scjg = cards["scjg"]
    assert (scjg.inspections, scjg.points, scjg.filed, scjg.credentials) == (3, 2, 2, 2)
    assert scjg.filed_share == pytest.approx(2 / 3)
    assert scjg.outcomes == {"无问题": 2, "责令整改": 1}
    assert scjg.misconduct == {"未出示证件": 1, "重复检查": 1} and scjg.with_misconduct == 1
    assert scjg.score == pytest.approx((5 + 2 + 4) / 3)
    assert scjg.by_month["2026-02"] == {"inspections": 2, "score": 3.5}
    assert scjg.by_month["2026-03"] == {"inspections": 1, "score": 4.0}
    assert scjg.trend == "上升"
    assert [r["point_id"] for r in scjg.refs] == ["P1", "P1", "P2"]
    assert cards["sthj"].inspections == 0 and cards["sthj"].score is None and cards["sthj"].trend == "数据不足"
    other = cards[scorecards.OTHER]
    assert other.inspections == 1 and other.raw_names == {"某街道办事处": 1}


def test_no_other_card_when_everything_matches(site_content: Any) -> None:
    reports = [report("P1", "xihe", "2026-02", [inspection(D(2026, 2, 3), "示范市交通运输局", "x",
                                                          item_id="jtys-cc-001")])]
    assert scorecards.OTHER not in cards_for(reports, site_content, ["2026-02"])


def test_generated_month_adds_up(site_content: Any) -> None:
    reports = list(generated_month(random.Random(3), "2026-03", points=300, c=site_content))
    found = list(inspections(reports, Catalogue.from_content(site_content)))
    cards = scorecards.scorecards(found, site_content.departments, ["2026-03"])
    assert sum(c.inspections for c in cards) == len(found) > 250
    for c in cards:
        assert sum(c.satisfaction.values()) == sum(c.outcomes.values()) == c.inspections == len(c.refs)
        assert c.by_month["2026-03"]["inspections"] == c.inspections
        assert 0 <= c.filed <= c.inspections and c.points <= c.inspections
    assert len({c.agency for c in cards}) == len(cards)


def test_xlsx_for_the_meeting(site_content: Any) -> None:
    from openpyxl import load_workbook

    reports = [report("P1", "xihe", "2026-02", [
        inspection(D(2026, 2, 3), "=HYPERLINK(\"x\")", "营业执照", item_id="scjg-cc-001"),
        inspection(D(2026, 2, 4), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001", filed="否")])]
    cards = list(cards_for(reports, site_content, ["2026-02"]).values())
    book = load_workbook(io.BytesIO(scorecards.xlsx(cards, ["2026-02"], "评议汇总 2026-02")))
    assert book.sheetnames == ["评议汇总", "问题类型", "月度趋势"]
    rows = list(book["评议汇总"].values)
    scjg = next(r for r in rows if r[0] == "市场监督管理局")
    assert scjg[1:5] == (1, 1, 0, 100)
    assert all(not (isinstance(v, str) and v.startswith("=")) for r in rows for v in r)
    assert any(r[0] == scorecards.OTHER_NAME for r in rows)


# -- the staff routes -----------------------------------------------------------------------------

@pytest.fixture
def client(moto_table: Any, tmp_path: Path, site_content: Any) -> TestClient:
    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT, content_dir)
    reports = list(generated_month(random.Random(11), "2026-03", points=240, c=site_content))
    reports.append(report("PX1", "chengguan", "2026-03", [
        inspection(D(2026, 3, 2), "示范市市场监督管理局", "厂区绿化情况"),
        inspection(D(2026, 3, 5), "示范市生态环境局", "排污", item_id="sthj-cc-001")]))
    moto_table.batch_put(reports)
    detection.run(moto_table, Catalogue.from_content(site_content), ["chengguan", "xihe"], D(2026, 4, 6))
    for point in ("PX1", "P0001"):
        district = "chengguan" if point == "PX1" else "xincheng"
        moto_table.put(point_item(point, district))
    accounts = Accounts(moto_table)
    accounts.add("city", "office", None, PASSWORD, NOW)
    accounts.add("chengguan-staff", "district", "chengguan", PASSWORD, NOW)
    app = create_staff_app(Settings(token_secret=SECRET, content_dir=content_dir), moto_table,
                           clock=lambda: NOW, rng=random.Random(5))
    return TestClient(app)


def sign_in(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/staff/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {r.json()['token']}"}


Q = "from=2026-03&to=2026-03"


def test_scorecards_route_scoped_by_district(client: TestClient) -> None:
    city = client.get(f"/api/staff/insights/scorecards?{Q}", headers=sign_in(client, "city")).json()
    district = client.get(f"/api/staff/insights/scorecards?{Q}", headers=sign_in(client, "chengguan-staff")).json()
    total = sum(c["inspections"] for c in city["scorecards"])
    own = sum(c["inspections"] for c in district["scorecards"])
    assert 0 < own < total
    assert {r["district"] for c in district["scorecards"] for r in c["refs"]} == {"chengguan"}
    r = client.get(f"/api/staff/insights/scorecards?{Q}&district=xihe", headers=sign_in(client, "chengguan-staff"))
    assert r.status_code == 403 and r.json()["ok"] is False
    assert client.get(f"/api/staff/insights/scorecards?{Q}").status_code == 401
    bad = client.get("/api/staff/insights/scorecards?from=2026-3&to=2026-03", headers=sign_in(client, "city"))
    assert bad.status_code == 422 and "YYYY-MM" in bad.text


def test_scorecards_xlsx_download_is_audited(client: TestClient) -> None:
    headers = sign_in(client, "city")
    r = client.get(f"/api/staff/insights/scorecards?{Q}&format=xlsx", headers=headers)
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r.headers["content-disposition"]
    entries = client.get("/api/staff/audit?from=2026-04&to=2026-04", headers=headers).json()["entries"]
    assert any(e["action"] == "scorecards" and e["details"]["format"] == "xlsx" for e in entries)


def test_drill_down_lists_the_inspections_behind_a_card(client: TestClient) -> None:
    headers = sign_in(client, "chengguan-staff")
    cards = client.get(f"/api/staff/insights/scorecards?{Q}", headers=headers).json()["scorecards"]
    scjg = next(c for c in cards if c["agency"] == "scjg")
    rows = client.get(f"/api/staff/insights/inspections?{Q}&agency=scjg", headers=headers).json()["inspections"]
    assert len(rows) == scjg["inspections"]
    assert {(r["point_id"], r["inspection"]) for r in rows} == {(r["point_id"], r["inspection"]) for r in scjg["refs"]}
    assert all(r["district"] == "chengguan" for r in rows)


def test_findings_and_one_step_transfer(client: TestClient) -> None:
    cg = sign_in(client, "chengguan-staff")
    findings = client.get(f"/api/staff/insights/findings?{Q}", headers=cg).json()["findings"]
    mine = [f for f in findings if f["point_id"] == "PX1"]
    assert {f["finding_kind"] for f in mine} == {"multi_agency", "unpublished_matter", "random_not_listed"}
    assert all(f["district"] == "chengguan" for f in findings)
    multi = next(f for f in mine if f["finding_kind"] == "multi_agency")
    url = f"/api/staff/insights/points/PX1/findings/{multi['finding_id']}/transfer"
    r = client.post(url, json={"working_days": 5}, headers=cg)
    assert r.status_code == 200, r.text
    transfer = r.json()["transfer"]
    assert transfer["department"] == "市场监督管理局、生态环境局"
    assert "厂区绿化情况" in transfer["clue"] and multi["finding_id"] in transfer["source"]
    again = client.get(f"/api/staff/insights/findings?{Q}", headers=cg).json()["findings"]
    assert next(f for f in again if f["finding_id"] == multi["finding_id"])["status"] == "transferred"
    listed = client.get("/api/staff/transfers", headers=cg).json()["transfers"]
    assert any(t["transfer_id"] == transfer["transfer_id"] for t in listed)
    # another district's point is not found; an unknown finding is not found
    other = client.post("/api/staff/insights/points/P0001/findings/multi_agency-x/transfer", json={}, headers=cg)
    assert other.status_code == 404
    unknown = client.post("/api/staff/insights/points/PX1/findings/multi_agency-nope/transfer", json={}, headers=cg)
    assert unknown.status_code == 404


def test_page_shows_charts_tables_and_drill_down(client: TestClient) -> None:
    headers = sign_in(client, "city")
    r = client.get(f"/api/staff/insights/page?{Q}&agency=scjg", headers=headers)
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-robots-tag"].startswith("noindex")
    page = r.text
    assert page.count("<svg") == 4 and 'role="img"' in page and "<title id=" in page
    assert "评议汇总" in page and 'id="detail"' in page and "监测发现" in page
    assert "style=" not in page  # the CSP forbids inline styles
    evidence = client.get(f"/api/staff/insights/page?{Q}&district=chengguan&point=PX1", headers=headers).text
    assert "检查明细：监测点 PX1（2条）" in evidence and "厂区绿化情况" in evidence
    assert "/api/staff/insights/page?from=2026-03&amp;to=2026-03&amp;district=chengguan&amp;point=PX1#detail" in evidence
    only = client.get(f"/api/staff/insights/page?{Q}&kind=multi_agency", headers=headers).text
    assert "当前：多头检查" in only and "检查事项未列入公布清单 ·" not in only
    assert client.get(f"/api/staff/insights/page?{Q}&kind=nope", headers=headers).status_code == 422
    script = client.get("/api/staff/insights/insights.js")
    assert script.status_code == 200 and "X-CSRF-Token" in script.text


def test_grave_conduct_goes_to_the_city_office_and_to_discipline_in_one_step(client: TestClient, moto_table: Any
                                                                             ) -> None:
    """打击报复 in a report (seed 000 §八): the district does not see it; the city office does, with
    its evidence, and transfers it to 纪检监察 in one step."""
    moto_table.batch_put([report("PX1", "chengguan", "2026-03", [
        inspection(D(2026, 3, 9), "示范市城市管理综合执法局", "店外经营", misconduct=("打击报复",))], seq=1)])
    detection.run(moto_table, Catalogue.from_content(content()), ["chengguan"], D(2026, 4, 6))
    cg, city = sign_in(client, "chengguan-staff"), sign_in(client, "city")
    assert not [f for f in client.get(f"/api/staff/insights/findings?{Q}", headers=cg).json()["findings"]
                if f["finding_kind"] == "grave_conduct"]
    grave = [f for f in client.get(f"/api/staff/insights/findings?{Q}", headers=city).json()["findings"]
             if f["finding_kind"] == "grave_conduct" and f["point_id"] == "PX1"]
    assert len(grave) == 1 and grave[0]["evidence"][0]["misconduct"] == ["打击报复"]
    url = f"/api/staff/insights/points/PX1/findings/{grave[0]['finding_id']}/transfer"
    assert client.post(url, json={"discipline": True}, headers=cg).status_code == 404  # not the district's
    r = client.post(url, json={"discipline": True, "working_days": 5}, headers=city)
    assert r.status_code == 200, r.text
    assert r.json()["transfer"]["department"] == "纪检监察机关" and "打击报复" in r.json()["transfer"]["clue"]
    page = client.get(f"/api/staff/insights/page?{Q}&kind=grave_conduct", headers=city).text
    assert "打击报复" in page and "转纪检监察机关" in page
