"""Plan findings looked at again when more plans are on file (`control.withdrawal`): a plan filed on or
before the inspection but entered late withdraws the finding with its reason in the history; a plan
filed after the inspection (专项检查 must be filed before it happens) leaves it open and is noted once;
a finding already transferred, or one no plan covers, is left alone; a rerun changes nothing twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from enforcewatch.control import matching, plans, withdrawal
from enforcewatch.insights import detection
from enforcewatch.insights.inspections import Catalogue, inspections
from support.control import plan, point_items
from support.insights import content, inspection, report

D = dt.date
NOW = dt.datetime(2026, 4, 8, 1, 30, tzinfo=dt.UTC)
ENTRY = {"enterprise_name": "示范市甲食品有限公司", "uscc": "91000000MA00000001", "industry": "食品销售"}
TODAY = D(2026, 4, 7)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_content(content())


def file(table: Any, plan_id: str, entered: dt.datetime = NOW, **change: Any) -> None:
    table.put(plans.item(plans.PlanIn.model_validate(plan(**change)), plan_id, "wang", entered))


def flagged(table: Any, catalogue: Catalogue, filed: str = "否", inspection_type: str = "日常巡查") -> dict[str, Any]:
    """One inspection on 2026-03-06 with no plan on file: the matching stores its finding."""
    table.batch_put([*point_items({"P0000": ENTRY}), report("P0000", "chengguan", "2026-03", [
        inspection(D(2026, 3, 6), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001",
                   inspection_type=inspection_type, filed=filed)])])
    counts = matching.run(table, catalogue, ["chengguan"], TODAY, NOW)
    assert counts == {"new": 1, "known": 0, "withdrawn": 0, "noted": 0}
    [found] = detection.stored(table, ["chengguan"], "2026-01", "2026-12")
    return found


def only(table: Any) -> dict[str, Any]:
    [found] = detection.stored(table, ["chengguan"], "2026-01", "2026-12")
    return found


def test_a_plan_filed_in_time_but_entered_late_withdraws_the_finding(moto_table: Any, catalogue: Catalogue) -> None:
    found = flagged(moto_table, catalogue)
    assert found["finding_kind"] == "unfiled" and found["status"] == "open"
    file(moto_table, "late-entry", period_from="2026-03-01", filed_on="2026-02-20",
         entered=dt.datetime(2026, 4, 9, 2, 0, tzinfo=dt.UTC))
    later = NOW + dt.timedelta(days=2)
    assert matching.run(moto_table, catalogue, ["chengguan"], TODAY, later) == {
        "new": 0, "known": 0, "withdrawn": 1, "noted": 0}
    gone = only(moto_table)
    assert gone["status"] == withdrawal.WITHDRAWN and gone["withdrawn_on"].startswith("2026-04-10")
    [entry] = gone["history"]
    assert entry["action"] == "withdrawn" and entry["plan_id"] == "late-entry" and entry["label"] == "撤销"
    assert "2026-02-20" in entry["reason"] and "不晚于检查日期2026-03-06" in entry["reason"]
    assert "2026-04-09 10:00录入系统" in entry["reason"]  # Beijing time
    assert entry["reason"] == gone["withdrawn_reason"]
    # a rerun neither withdraws it again nor stores the finding anew
    assert matching.run(moto_table, catalogue, ["chengguan"], TODAY, later) == {
        "new": 0, "known": 0, "withdrawn": 0, "noted": 0}
    assert only(moto_table)["history"] == gone["history"]


def test_a_reported_filing_found_later_withdraws_filed_not_found(moto_table: Any, catalogue: Catalogue) -> None:
    found = flagged(moto_table, catalogue, filed="是", inspection_type="专项检查")
    assert found["finding_kind"] == "filed_not_found"
    file(moto_table, "sp1", kind="专项检查", ground="投诉举报", sector=None, enterprises=["91000000MA00000001"],
         period_from="2026-03-05", period_to="2026-03-10", filed_on="2026-03-05", received_by="示范市市场监督管理局法制科")
    assert matching.run(moto_table, catalogue, ["chengguan"], TODAY, NOW)["withdrawn"] == 1
    assert only(moto_table)["status"] == "withdrawn" and "专项检查“" in only(moto_table)["withdrawn_reason"]


@pytest.mark.parametrize(("kind", "rule"), [("专项检查", "专项检查应在实施前备案"), ("年度计划", "年度计划应在依计划检查前备案")])
def test_a_plan_filed_after_the_inspection_leaves_it_open_and_is_noted_once(
        moto_table: Any, catalogue: Catalogue, kind: str, rule: str) -> None:
    flagged(moto_table, catalogue)
    extra = {"ground": "上级交办"} if kind == "专项检查" else {}
    file(moto_table, "after", kind=kind, period_from="2026-03-01", period_to="2026-03-31", filed_on="2026-03-09", **extra)
    assert matching.run(moto_table, catalogue, ["chengguan"], TODAY, NOW) == {
        "new": 0, "known": 1, "withdrawn": 0, "noted": 1}
    kept = only(moto_table)
    assert kept["status"] == "open" and "withdrawn_on" not in kept
    [entry] = kept["history"]
    assert entry["action"] == "late_filing" and entry["plan_id"] == "after"
    assert "晚于检查日期2026-03-06" in entry["reason"] and rule in entry["reason"] and "维持" in entry["reason"]
    assert matching.run(moto_table, catalogue, ["chengguan"], TODAY, NOW)["noted"] == 0  # once per plan
    # a plan filed in time, entered after that, still withdraws it: the history keeps both
    file(moto_table, "intime", period_from="2026-01-01", filed_on="2026-01-10")
    assert matching.run(moto_table, catalogue, ["chengguan"], TODAY, NOW)["withdrawn"] == 1
    assert [h["action"] for h in only(moto_table)["history"]] == ["late_filing", "withdrawn"]


def test_a_plan_that_does_not_cover_it_or_a_transferred_finding_changes_nothing(
        moto_table: Any, catalogue: Catalogue) -> None:
    found = flagged(moto_table, catalogue)
    file(moto_table, "other-sector", sector="化工", filed_on="2026-01-10")
    file(moto_table, "other-matter", matters=["scjg-cc-002"], filed_on="2026-01-10")
    assert matching.run(moto_table, catalogue, ["chengguan"], TODAY, NOW) == {
        "new": 0, "known": 1, "withdrawn": 0, "noted": 0}
    assert "history" not in only(moto_table)
    key = found["finding_id"].split("-", 1)[1]
    moto_table.update("POINT#P0000", f"FINDING#unfiled#{key}", {"status": "transferred", "transfer_id": "T1"})
    file(moto_table, "covers", filed_on="2026-01-10")
    assert matching.run(moto_table, catalogue, ["chengguan"], TODAY, NOW)["withdrawn"] == 0
    assert only(moto_table)["status"] == "transferred"


def test_a_change_made_meanwhile_is_not_overwritten(moto_table: Any, catalogue: Catalogue) -> None:
    found = flagged(moto_table, catalogue)
    file(moto_table, "covers", filed_on="2026-01-10")
    stale = withdrawal.open_plan_findings([found])  # read before a transfer happened
    key = found["finding_id"].split("-", 1)[1]
    moto_table.update("POINT#P0000", f"FINDING#unfiled#{key}", {"status": "transferred", "transfer_id": "T1"})
    insps = list(inspections([report("P0000", "chengguan", "2026-03", [
        inspection(D(2026, 3, 6), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001",
                   inspection_type="日常巡查", filed="否")])], catalogue))
    got = withdrawal.review(moto_table, insps, plans.listing(moto_table), {"P0000": ENTRY}, stale, NOW)
    assert got == {"withdrawn": 0, "noted": 0} and only(moto_table)["status"] == "transferred"


@pytest.mark.ddb_local
def test_withdrawal_on_dynamodb_local(local_table: Any, catalogue: Catalogue) -> None:
    flagged(local_table, catalogue)
    file(local_table, "covers", filed_on="2026-01-10")
    assert matching.run(local_table, catalogue, ["chengguan"], TODAY, NOW)["withdrawn"] == 1
    assert matching.run(local_table, catalogue, ["chengguan"], TODAY, NOW)["withdrawn"] == 0
    assert only(local_table)["status"] == "withdrawn"


def test_the_staff_page_shows_the_history_and_a_withdrawn_finding_cannot_be_transferred(
        moto_table: Any, catalogue: Catalogue) -> None:
    import random

    from fastapi.testclient import TestClient

    from enforcewatch.api.staff.app import create_staff_app
    from enforcewatch.config import Settings
    from enforcewatch.staff.accounts import Accounts
    from support.insights import CONTENT

    found = flagged(moto_table, catalogue)
    file(moto_table, "after", period_from="2026-03-01", filed_on="2026-03-09")  # noted, stays open
    assert matching.run(moto_table, catalogue, ["chengguan"], TODAY, NOW)["noted"] == 1
    file(moto_table, "intime", period_from="2026-01-01", filed_on="2026-01-10")  # withdraws it
    assert matching.run(moto_table, catalogue, ["chengguan"], TODAY, NOW)["withdrawn"] == 1
    Accounts(moto_table).add("city", "office", None, "correct horse battery", NOW)
    client = TestClient(create_staff_app(Settings(token_secret="s" * 48, content_dir=CONTENT), moto_table,
                                         clock=lambda: NOW, rng=random.Random(3)))
    token = client.post("/api/staff/login", json={"username": "city", "password": "correct horse battery"}).json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    html = client.get("/api/staff/insights/page?from=2026-03&to=2026-03&kind=unfiled", headers=auth).text
    assert "处理记录" in html and "2026-04-08 09:30 撤销：" in html and "已撤销，无需转交" in html
    assert "2026-04-08 09:30 备案晚于检查，维持：" in html
    assert "一键转交" not in html.split("监测点 P0000", 1)[1]
    r = client.post(f"/api/staff/insights/points/P0000/findings/{found['finding_id']}/transfer",
                    json={"department": "市场监管局", "working_days": 10}, headers=auth)
    assert r.status_code == 409 and "已撤销" in r.text
    assert only(moto_table)["status"] == "withdrawn"


def test_entering_a_plan_on_the_command_line_withdraws_at_once(moto_table: Any, catalogue: Catalogue,
                                                               monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    import contextlib
    import json

    from enforcewatch.cli import main
    from enforcewatch.commands import plans as plans_command
    from enforcewatch.store import ddblocal
    from support.insights import CONTENT

    @contextlib.contextmanager
    def the_table(_data_dir: Any, *_: Any) -> Any:
        yield moto_table

    monkeypatch.setattr(ddblocal, "open_table", the_table)
    monkeypatch.setattr(plans_command, "china_today", lambda: TODAY)
    flagged(moto_table, catalogue)
    assert matching.recheck(moto_table, catalogue, ["chengguan"], TODAY, NOW) == {"withdrawn": 0, "noted": 0}
    path = tmp_path / "late.json"
    path.write_text(json.dumps(plan(period_from="2026-03-01", filed_on="2026-03-09"), ensure_ascii=False), "utf-8")
    assert main(["plans", "add", str(path), "--content", str(CONTENT)]) == 0
    assert only(moto_table)["status"] == "open" and only(moto_table)["history"][0]["action"] == "late_filing"
    path.write_text(json.dumps(plan(filed_on="2026-01-10"), ensure_ascii=False), "utf-8")
    assert main(["plans", "add", str(path), "--content", str(CONTENT)]) == 0
    assert only(moto_table)["status"] == "withdrawn"
    assert len(list(detection.stored(moto_table, ["chengguan"], "2026-01", "2026-12"))) == 1  # nothing new stored
