"""Inspection plans on file (seed 002 二(一)): entered and validated with Chinese messages, imported
from a sheet, published as 涉企检查计划 with confidential targets kept out, and every reported
inspection matched against them — positive and negative cases, and a generated year."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from enforcewatch.cli import main
from enforcewatch.control import matching, plans, publication
from enforcewatch.errors import InputError
from enforcewatch.insights import detection
from enforcewatch.insights.inspections import Catalogue, inspections
from enforcewatch.store import ddblocal
from support.control import generated_plans, plan, point_items, points
from support.insights import content, generated_year, inspection, report

D = dt.date
NOW = dt.datetime(2026, 1, 12, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def site() -> Any:
    return content()


@pytest.fixture(scope="module")
def lists(site: Any) -> tuple[dict[str, str], dict[str, str]]:
    return plans.published(site)


@pytest.fixture(scope="module")
def catalogue(site: Any) -> Catalogue:
    return Catalogue.from_content(site)


def stored(data: dict[str, Any], plan_id: str = "p1") -> dict[str, Any]:
    return plans.item(plans.PlanIn.model_validate(data), plan_id, "wang", NOW)


# -- entering plans -----------------------------------------------------------------------------------

def test_a_valid_plan_is_stored_and_listed(moto_table: Any, lists: Any) -> None:
    got = plans.file_plan(moto_table, plan(), *lists, "wang", NOW, random.Random(1))
    assert got["plan_id"].startswith("scjg-202601-")
    assert [p["plan_id"] for p in plans.listing(moto_table)] == [got["plan_id"]]
    assert plans.get(moto_table, got["plan_id"])["received_by"] == "示范市司法局"
    assert not plans.listing(moto_table, D(2027, 1, 1), D(2027, 12, 31))


def test_bad_plans_are_refused_naming_each_field(lists: Any) -> None:
    with pytest.raises(InputError) as exc:
        plans.validate(plan(department="gaj", matters=["nope"], kind="临时"), *lists)
    messages = [e.msg for e in exc.value.errors]
    assert any("类型" in m and "年度计划 / 专项检查" in m for m in messages)
    with pytest.raises(InputError) as exc:
        plans.validate(plan(department="gaj", matters=["nope"]), *lists)
    assert [e.loc for e in exc.value.errors] == [("department",), ("matters", 0)]
    assert "不在公布的执法事项或抽查事项清单中" in exc.value.errors[1].msg
    with pytest.raises(InputError) as exc:
        plans.validate(plan(matters=["sthj-cc-001"]), *lists)
    assert "不是该部门公布的事项" in exc.value.errors[0].msg
    with pytest.raises(InputError) as exc:
        plans.validate(plan(kind="专项检查"), *lists)
    assert "检查缘由" in exc.value.errors[0].msg
    with pytest.raises(InputError) as exc:
        plans.validate(plan(sector=None), *lists)
    assert "检查对象" in exc.value.errors[0].msg
    with pytest.raises(InputError) as exc:
        plans.validate(plan(period_to="2025-12-31"), *lists)
    assert "结束日期不能早于开始日期" in exc.value.errors[0].msg


def test_sheet_import_checks_every_row_first(tmp_path: Path, lists: Any) -> None:
    from enforcewatch.control import plansheet

    sheet = tmp_path / "plans.csv"
    header = ["类型", "执法部门", "计划名称", "检查事项", "检查行业或领域", "检查对象", "开始日期", "结束日期",
              "检查缘由", "备案日期", "备案受理机关", "检查对象公开日期"]
    good = ["年度计划", "scjg", "2026年登记事项检查", "scjg-cc-001、scjg-cc-002", "食品销售", "", "2026-02-01",
            "2026-12-31", "", "2026-01-15", "示范市司法局", ""]
    special = ["专项检查", "yjgl", "有限空间专项检查", "yjgl-cc-004", "", "示范市测试企业0001有限公司，91000000MA00000002",
               "2026-05-01", "2026-05-31", "投诉举报", "2026-04-28", "示范市应急管理局法制科", "2026-06-01"]
    bad = ["专项检查", "yjgl", "x", "yjgl-cc-999", "", "某企业", "2026-05-01", "2026-05-31", "", "2026-04-28", "法制科", ""]
    sheet.write_text("\n".join(",".join(r) for r in (header, good, special, bad)) + "\n", encoding="utf-8-sig")
    with pytest.raises(InputError) as exc:
        plans.validate_rows(plansheet.rows(sheet), str(sheet), *lists)
    assert all(e.msg.startswith(f"{sheet}:第4行: ") for e in exc.value.errors) and len(exc.value.errors) == 2
    sheet.write_text("\n".join(",".join(r) for r in (header, good, special)) + "\n", encoding="utf-8-sig")
    got = plans.validate_rows(plansheet.rows(sheet), str(sheet), *lists)
    assert got[0].matters == ["scjg-cc-001", "scjg-cc-002"] and got[1].enterprises == [
        "示范市测试企业0001有限公司", "91000000MA00000002"]


# -- publication -------------------------------------------------------------------------------------

def test_public_view_withholds_named_targets_until_the_plan_allows(lists: Any) -> None:
    special = stored(plan(kind="专项检查", ground="投诉举报", sector=None, enterprises=["示范市某某食品有限公司"],
                          publish_targets_after="2026-06-01", received_by="示范市市场监督管理局法制科"))
    before = plans.public_view(special, D(2026, 5, 31), lists[0])
    assert before["enterprises"] == [] and before["targets_withheld_until"] == "2026-06-01"
    assert "示范市某某食品有限公司" not in json.dumps(before, ensure_ascii=False) and "wang" not in str(before)
    after = plans.public_view(special, D(2026, 6, 1), lists[0])
    assert after["enterprises"] == ["示范市某某食品有限公司"] and after["targets_withheld_until"] is None


@pytest.fixture
def cli_store(moto_table: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    @contextlib.contextmanager
    def the_table(_data_dir: Path, *_: Any) -> Any:
        yield moto_table

    monkeypatch.setattr(ddblocal, "open_table", the_table)
    return moto_table


def test_cli_publish_and_the_built_page(cli_store: Any, tmp_path: Path) -> None:
    import shutil

    from bs4 import BeautifulSoup

    from support.insights import CONTENT

    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT, content_dir)
    for data in (plan(), plan(kind="专项检查", department="yjgl", title="有限空间作业专项检查", matters=["yjgl-cc-004"],
                              sector=None, enterprises=["示范市保密测试有限公司"], ground="投诉举报",
                              period_from="2026-05-01", period_to="2026-05-31", filed_on="2026-04-28",
                              received_by="示范市应急管理局法制科", publish_targets_after="2026-06-01")):
        path = tmp_path / "p.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        assert main(["plans", "add", str(path), "--content", str(content_dir)]) == 0
    assert main(["plans", "publish", "--as-of", "2026-05-10", "--content", str(content_dir)]) == 0
    out = tmp_path / "_site"
    assert main(["build", "--content", str(content_dir), "--out", str(out)]) == 0
    index = (out / "inspection-plans" / "index.html").read_text(encoding="utf-8")
    assert 'href="/inspection-plans/department/yjgl/"' in index and 'href="/inspection-plans/month/2026-05/"' in index
    page = (out / "inspection-plans" / "month" / "2026-05" / "index.html").read_text(encoding="utf-8")
    doc = BeautifulSoup(page, "html.parser")
    assert doc.find("h2", id="dept-yjgl") and not doc.find("h2", id="dept-scjg")  # scjg's plan starts in January
    assert "应急管理局 2026年5月开始的检查计划" in page and "检查对象暂不公开（2026-06-01起公布）" in page
    assert "示范市保密测试有限公司" not in page and "cli" not in doc.select_one("main").get_text()
    for table in doc.select("main table"):
        assert table.caption and all(th.get("scope") in ("col", "row") for th in table.find_all("th"))
    rows = list(csv.reader(io.StringIO((out / "data" / "inspection-plans.csv").read_text("utf-8-sig"))))
    assert rows[0][:3] == ["计划编号", "部门", "类型"] and len(rows) == 3
    assert "示范市保密测试有限公司" not in (out / "data" / "inspection-plans.json").read_text(encoding="utf-8")
    item = (out / "enforcement-items").rglob("index.html")
    assert any('href="/inspection-plans/"' in p.read_text(encoding="utf-8") for p in item)  # the fixed link
    assert main(["plans", "publish", "--as-of", "2026-06-01", "--content", str(content_dir)]) == 0
    assert "示范市保密测试有限公司" in (content_dir / publication.PLANS_FILE).read_text(encoding="utf-8")


# -- matching -----------------------------------------------------------------------------------------

REGISTRY = {"P1": {"enterprise_name": "示范市甲食品有限公司", "uscc": "91000000MA00000001", "industry": "食品销售"}}


def _match(catalogue: Catalogue, rows: list[dict[str, Any]], filed: list[dict[str, Any]]) -> list[detection.Finding]:
    reps = [report("P1", "nanhu", "2026-05", rows)]
    return list(matching.unmatched(inspections(reps, catalogue), filed, REGISTRY, catalogue))


def test_an_inspection_covered_by_a_plan_is_not_a_finding(catalogue: Catalogue) -> None:
    by_sector = stored(plan())
    by_name = stored(plan(kind="专项检查", ground="投诉举报", sector=None, enterprises=["91000000MA00000001"],
                          matters=["scjg-cc-002"], received_by="法制科"), "p2")
    rows = [inspection(D(2026, 5, 6), "南湖市市场监督管理局", "x", item_id="scjg-cc-001", inspection_type="日常巡查"),
            inspection(D(2026, 5, 7), "示范市市场监督管理局", "x", item_id="scjg-cc-002", inspection_type="投诉举报核查"),
            inspection(D(2026, 5, 8), "示范市市场监督管理局", "x", item_id="sthj-cc-001")]  # 双随机: the draws'
    assert _match(catalogue, rows, [by_sector, by_name]) == []


@pytest.mark.parametrize(("change", "reason"), [
    ({"department": "yjgl", "matters": ["yjgl-cc-001"]}, "没有备案包含此事项的计划"),
    ({"period_to": "2026-04-30"}, "检查日期不在计划期间"),
    ({"filed_on": "2026-05-07"}, "晚于检查日期"),
    ({"sector": "化工"}, "不在计划的检查对象或行业内"),
    ({"matters": ["scjg-cc-002"]}, "没有备案包含此事项的计划"),
])
def test_each_way_a_plan_can_fail_to_cover_an_inspection(catalogue: Catalogue, change: dict[str, Any],
                                                          reason: str) -> None:
    rows = [inspection(D(2026, 5, 6), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001",
                       inspection_type="日常巡查", filed="否")]
    [found] = _match(catalogue, rows, [stored(plan(**change))])
    assert found.kind == "unfiled" and reason in found.summary and found.evidence[0]["inspection"] == 1


def test_reported_as_filed_but_no_filing_found(catalogue: Catalogue) -> None:
    rows = [inspection(D(2026, 5, 6), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001",
                       inspection_type="专项检查", filed="是")]
    [found] = _match(catalogue, rows, [])
    assert found.kind == "filed_not_found" and "已备案或扫码" in found.summary


def test_matching_run_stores_findings_once_and_a_covering_plan_adds_none(moto_table: Any, catalogue: Catalogue) -> None:
    moto_table.batch_put([*point_items({"P0000": REGISTRY["P1"]}), report("P0000", "chengguan", "2026-03", [
        inspection(D(2026, 3, 6), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001", inspection_type="日常巡查")])])
    none = {"withdrawn": 0, "noted": 0}
    assert matching.run(moto_table, catalogue, ["chengguan"], D(2026, 4, 6)) == {"new": 1, "known": 0, **none}
    assert matching.run(moto_table, catalogue, ["chengguan"], D(2026, 4, 7)) == {"new": 0, "known": 1, **none}
    moto_table.put(stored(plan(period_from="2026-03-01", filed_on="2026-02-20")))  # filed in time, entered late
    assert matching.run(moto_table, catalogue, ["chengguan"], D(2026, 4, 8)) == {"new": 0, "known": 0,
                                                                                  "withdrawn": 1, "noted": 0}
    [found] = detection.stored(moto_table, ["chengguan"], "2026-01", "2026-12")
    assert found["finding_kind"] == "filed_not_found" and found["point_id"] == "P0000"
    assert "未找到覆盖它的备案计划" in detection.clue(found) and "营业执照" in detection.clue(found)


def test_generated_year_of_plans_and_reports(site: Any, catalogue: Catalogue) -> None:
    registry = points(300)
    reps = list(generated_year(random.Random(11), 2026, points=300, c=site))
    filed = [stored(p, f"g{n}") for n, p in enumerate(generated_plans(site))]
    assert len(filed) == 6 * 5 + 6 * 3 and len({p["department"] for p in filed}) == 6
    insps = list(inspections(reps, catalogue))
    found = list(matching.unmatched(insps, filed, registry, catalogue))
    counted = Counter(f.kind for f in found)
    assert counted["unfiled"] > 0 and counted["filed_not_found"] > 0
    by_ref = {(i.point_id, i.month, i.seq, i.index): i for i in insps}
    flagged = {(f.point_id, e["month"], e["seq"], e["inspection"]) for f in found for e in f.evidence}
    for ref, insp in by_ref.items():
        covered = any(matching.why_not(insp, p, registry.get(insp.point_id)) is None for p in filed)
        # every inspection is flagged exactly when nothing covers it and it is not a 双随机 one
        assert (ref in flagged) == (not covered and insp.inspection_type != "双随机抽查"), ref
    # before February nothing is planned: every non-双随机 January inspection is a finding
    january = [i for i in insps if i.month == "2026-01" and i.inspection_type != "双随机抽查"]
    assert january and all((i.point_id, i.month, i.seq, i.index) in flagged for i in january)
    # a blanket plan per department covers everything reported with a matched agency and matter
    blanket = [stored(plan(department=d, matters=sorted(m for m, dd in plans.published(site)[1].items() if dd == d),
                           sector=None, enterprises=[e["uscc"] for e in registry.values()],
                           period_from="2025-12-01", filed_on="2025-11-30"), f"b{d}")
               for d in plans.published(site)[0]]
    rest = list(matching.unmatched(insps, blanket, registry, catalogue))
    assert all(by_ref[(f.point_id, e["month"], e["seq"], e["inspection"])].matter is None
               or by_ref[(f.point_id, e["month"], e["seq"], e["inspection"])].department is None
               for f in rest for e in f.evidence)


# -- the staff API -------------------------------------------------------------------------------------

def test_staff_api_files_and_lists_plans(moto_table: Any, tmp_path: Path) -> None:
    import shutil

    from fastapi.testclient import TestClient

    from enforcewatch.api.staff.app import create_staff_app
    from enforcewatch.config import Settings
    from enforcewatch.staff.accounts import Accounts
    from support.insights import CONTENT

    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT, content_dir)
    accounts = Accounts(moto_table)
    accounts.add("city", "office", None, "correct horse battery", NOW)
    accounts.add("cg-staff", "district", "chengguan", "correct horse battery", NOW)
    client = TestClient(create_staff_app(Settings(token_secret="s" * 48, content_dir=content_dir), moto_table,
                                         clock=lambda: NOW, rng=random.Random(5)))

    def sign_in(name: str) -> dict[str, str]:
        r = client.post("/api/staff/login", json={"username": name, "password": "correct horse battery"})
        client.cookies.clear()
        return {"Authorization": f"Bearer {r.json()['token']}"}

    city, cg = sign_in("city"), sign_in("cg-staff")
    r = client.post("/api/staff/plans", json=plan(), headers=city)
    assert r.status_code == 201, r.text
    assert r.json()["plan"]["entered_by"] == "city"
    bad = client.post("/api/staff/plans", json=plan(matters=["nope"], department="gaj"), headers=city)
    assert bad.status_code == 422 and bad.json()["ok"] is False
    assert {e["loc"][0] for e in bad.json()["errors"]} == {"department", "matters"}
    assert client.post("/api/staff/plans", json=plan(), headers=cg).status_code == 403
    listed = client.get("/api/staff/plans?from=2026-01-01&to=2026-12-31", headers=cg).json()["plans"]
    assert [p["title"] for p in listed] == ["2026年度登记事项监督检查计划"]
    sheet = ("类型,执法部门,计划名称,检查事项,检查行业或领域,开始日期,结束日期,备案日期,备案受理机关\n"
             "年度计划,sthj,2026年排污许可检查计划,sthj-cc-001,化工,2026-03-01,2026-12-31,2026-02-20,示范市司法局\n")
    files = {"file": ("计划.csv", sheet.encode("utf-8-sig"), "text/csv")}
    assert client.post("/api/staff/plans/import", files=files, headers=cg).status_code == 403
    r = client.post("/api/staff/plans/import", files=files, headers=city)
    assert r.status_code == 201 and r.json()["imported"] == 1, r.text
    broken = {"file": ("计划.csv", sheet.replace("sthj-cc-001", "sthj-cc-999").encode("utf-8-sig"), "text/csv")}
    r = client.post("/api/staff/plans/import", files=broken, headers=city)
    assert r.status_code == 422 and "计划.csv:第2行" in r.text
    assert len(client.get("/api/staff/plans", headers=city).json()["plans"]) == 2
