"""Detections over monthly reports: each rule with positive and negative cases, matching rules,
storing each finding once, and a run over a generated month of a few hundred points."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest

from enforcewatch.insights import detection
from enforcewatch.insights.inspections import Catalogue, inspections, latest_filings
from support.insights import content, generated_month, inspection, report

D = dt.date


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_content(content())


def found(catalogue: Catalogue, reports: list[dict[str, Any]], window: int = 30) -> list[detection.Finding]:
    return detection.detect(inspections(reports, catalogue), catalogue, window)


def kinds(findings: list[detection.Finding]) -> Counter[str]:
    return Counter(f.kind for f in findings)


# -- matching -------------------------------------------------------------------------------------

def test_agency_text_matches_departments(catalogue: Catalogue) -> None:
    assert catalogue.department("示范市市场监督管理局") == "scjg"
    assert catalogue.department("城关区 市场监督管理局") == "scjg"
    assert catalogue.department("东山县生态环境局执法大队") == "sthj"
    assert catalogue.department("某街道办事处") is None


def test_matter_by_id_and_by_name(catalogue: Catalogue) -> None:
    assert catalogue.matter("scjg-cc-001", "随便写的", "scjg").id == "scjg-cc-001"  # type: ignore[union-attr]
    by_name = catalogue.matter(None, "营业执照规范使用情况", "scjg")
    assert by_name is not None and by_name.id == "scjg-cc-001"
    assert catalogue.matter(None, "营业执照规范使用情况", "sthj") is None  # another department's item
    assert catalogue.matter(None, "消防通道", "scjg") is None
    assert catalogue.matter(None, "检查", "scjg") is None  # nothing left after the suffix


# -- multi-agency ---------------------------------------------------------------------------------

def test_two_agencies_within_the_window_are_a_joint_inspection_candidate(catalogue: Catalogue) -> None:
    reports = [report("P1", "chengguan", "2026-03", [
        inspection(D(2026, 3, 2), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001"),
        inspection(D(2026, 3, 20), "城关区生态环境局", "排污许可", item_id="sthj-cc-001"),
    ])]
    multi = [f for f in found(catalogue, reports) if f.kind == "multi_agency"]
    assert len(multi) == 1
    assert multi[0].agencies == ("市场监督管理局", "生态环境局")
    assert [e["inspection"] for e in multi[0].evidence] == [1, 2]
    assert multi[0].point_id == "P1" and multi[0].district == "chengguan"


def test_agencies_outside_the_window_or_one_agency_are_not(catalogue: Catalogue) -> None:
    apart = [report("P1", "chengguan", "2026-03", [
        inspection(D(2026, 3, 1), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001"),
        inspection(D(2026, 3, 25), "示范市生态环境局", "排污许可", item_id="sthj-cc-001"),
    ])]
    assert not [f for f in found(catalogue, apart, window=10) if f.kind == "multi_agency"]
    assert [f for f in found(catalogue, apart, window=30) if f.kind == "multi_agency"]
    same = [report("P1", "chengguan", "2026-03", [
        inspection(D(2026, 3, 1), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001"),
        inspection(D(2026, 3, 3), "城关区市场监督管理局", "年报", item_id="scjg-cc-002"),
    ])]
    assert not [f for f in found(catalogue, same) if f.kind == "multi_agency"]
    other_points = [report("P1", "chengguan", "2026-03", [inspection(D(2026, 3, 1), "示范市市场监督管理局", "x",
                                                                     item_id="scjg-cc-001")]),
                    report("P2", "chengguan", "2026-03", [inspection(D(2026, 3, 1), "示范市生态环境局", "y",
                                                                     item_id="sthj-cc-001")])]
    assert not [f for f in found(catalogue, other_points) if f.kind == "multi_agency"]


def test_window_spans_months(catalogue: Catalogue) -> None:
    reports = [report("P1", "xihe", "2026-01", [inspection(D(2026, 1, 28), "示范市应急管理局", "x",
                                                          item_id="yjgl-cc-001")]),
               report("P1", "xihe", "2026-02", [inspection(D(2026, 2, 5), "示范市交通运输局", "y",
                                                          item_id="jtys-cc-003")])]
    multi = [f for f in found(catalogue, reports) if f.kind == "multi_agency"]
    assert len(multi) == 1 and multi[0].month == "2026-02"


# -- frequency ------------------------------------------------------------------------------------

def test_same_agency_above_a_published_maximum(catalogue: Catalogue) -> None:
    # yjgl-cc-001: 1次/年/单位，上限2次/年/单位 (max_per_year 2)
    reports = [report("P1", "nanhu", m, [inspection(D(2026, int(m[5:]), 10), "示范市应急管理局", "工贸",
                                                    item_id="yjgl-cc-001")]) for m in ("2026-02", "2026-06", "2026-09")]
    over = [f for f in found(catalogue, reports) if f.kind == "over_frequency"]
    assert len(over) == 1 and over[0].matter == "yjgl-cc-001" and len(over[0].evidence) == 3
    assert "每年不超过2次" in over[0].summary and "上限2次" in over[0].summary


def test_a_minimum_or_a_fixed_count_is_never_exceeded(catalogue: Catalogue) -> None:
    """每年不少于1次 is the least an agency owes: the second and third inspections are lawful (the bug
    issue 18 fixed), and 每年1次 is a rhythm, not a ceiling."""
    for item_id, agency in (("scjg-cc-003", "示范市市场监督管理局"), ("yjgl-cc-002", "示范市应急管理局"),
                            ("scjg-cc-001", "示范市市场监督管理局")):
        reports = [report("P1", "nanhu", m, [inspection(D(2026, int(m[5:]), 10), agency, "x", item_id=item_id)])
                   for m in ("2026-02", "2026-06", "2026-09")]
        assert not [f for f in found(catalogue, reports) if f.kind == "over_frequency"], item_id
    assert catalogue.matters["scjg-cc-003"].frequency.kind == "min"  # type: ignore[union-attr]
    assert catalogue.matters["scjg-cc-001"].frequency.kind == "fixed"  # type: ignore[union-attr]


def test_within_a_maximum_case_driven_or_other_years_are_not(catalogue: Catalogue) -> None:
    max_two = [report("P1", "nanhu", m, [inspection(D(2026, int(m[5:]), 10), "示范市应急管理局", "工贸",
                                                    item_id="yjgl-cc-001")]) for m in ("2026-02", "2026-06")]
    assert not [f for f in found(catalogue, max_two) if f.kind == "over_frequency"]  # max_per_year 2
    complaint = [report("P1", "nanhu", m, [inspection(D(2026, int(m[5:]), 10), "示范市应急管理局", "工贸",
                                                      item_id="yjgl-cc-001", inspection_type=kind)])
                 for m, kind in (("2026-02", "双随机抽查"), ("2026-03", "投诉举报核查"), ("2026-05", "上级交办"))]
    assert not [f for f in found(catalogue, complaint) if f.kind == "over_frequency"]
    years = [report("P1", "nanhu", m, [inspection(D(int(m[:4]), int(m[5:]), 10), "示范市应急管理局", "工贸",
                                                  item_id="yjgl-cc-001")]) for m in ("2025-11", "2025-12", "2026-01")]
    assert not [f for f in found(catalogue, years) if f.kind == "over_frequency"]


# -- published lists ------------------------------------------------------------------------------

def test_unpublished_matter_and_random_check_off_the_list(catalogue: Catalogue) -> None:
    reports = [report("P9", "gaoxin", "2026-04", [
        inspection(D(2026, 4, 3), "示范市市场监督管理局", "厂区绿化情况", inspection_type="日常巡查"),
        inspection(D(2026, 4, 9), "示范市市场监督管理局", "节能减排宣传材料", inspection_type="双随机抽查"),
        inspection(D(2026, 4, 9), "示范市市场监督管理局", "食品生产经营监督检查", item_id="scjg-jc-001",
                   inspection_type="双随机抽查"),
        inspection(D(2026, 4, 10), "示范市市场监督管理局", "随机", item_id="sthj-cc-001", inspection_type="日常巡查"),
    ])]
    by_kind: dict[str, list[int]] = {}
    for f in found(catalogue, reports):
        if f.kind != "multi_agency":
            by_kind.setdefault(f.kind, []).append(f.evidence[0]["inspection"])
    # 1: not on any list; 2: neither, and reported as 双随机; 3: a published inspection item, but not
    # a spot-check item; 4: another department's item is not on this agency's list.
    assert sorted(by_kind["unpublished_matter"]) == [1, 2, 4]
    assert sorted(by_kind["random_not_listed"]) == [2, 3]


def test_listed_matters_raise_nothing(catalogue: Catalogue) -> None:
    reports = [report("P9", "gaoxin", "2026-04", [
        inspection(D(2026, 4, 3), "示范市市场监督管理局", "营业执照（登记证）规范使用", inspection_type="双随机抽查"),
        inspection(D(2026, 4, 3), "高新区市场监督管理局", "食品安全", item_id="scjg-jc-001", inspection_type="专项检查"),
    ])]
    assert not [f for f in found(catalogue, reports) if f.kind in ("unpublished_matter", "random_not_listed")]


def test_only_the_latest_amendment_counts(catalogue: Catalogue) -> None:
    first = report("P1", "xihe", "2026-03", [inspection(D(2026, 3, 1), "示范市市场监督管理局", "厂区绿化")])
    fixed = report("P1", "xihe", "2026-03", [inspection(D(2026, 3, 1), "示范市市场监督管理局", "营业执照",
                                                        item_id="scjg-cc-001")], seq=1)
    assert [r["seq"] for r in latest_filings([first, fixed])] == [1]
    assert not [f for f in found(catalogue, [first, fixed]) if f.kind == "unpublished_matter"]


# -- store and daily run --------------------------------------------------------------------------

def test_run_stores_each_finding_once(moto_table: Any, catalogue: Catalogue) -> None:
    moto_table.batch_put([report("P1", "chengguan", "2026-03", [
        inspection(D(2026, 3, 2), "示范市市场监督管理局", "厂区绿化"),
        inspection(D(2026, 3, 4), "示范市生态环境局", "排污", item_id="sthj-cc-001"),
    ])])
    today = D(2026, 4, 6)
    first = detection.run(moto_table, catalogue, ["chengguan", "xihe"], today)
    again = detection.run(moto_table, catalogue, ["chengguan", "xihe"], today + dt.timedelta(days=1))
    assert first == {"new": 3, "known": 0}  # multi-agency, unpublished, 双随机 off the list
    assert again == {"new": 0, "known": 3}
    stored = list(detection.stored(moto_table, ["chengguan"], "2026-01", "2026-12"))
    assert sorted(s["finding_kind"] for s in stored) == ["multi_agency", "random_not_listed", "unpublished_matter"]
    assert all(s["detected_on"] == "2026-04-06" for s in stored)
    assert not list(detection.stored(moto_table, ["xihe"], "2026-01", "2026-12"))


def test_months_to_check() -> None:
    assert detection.months_to_check(D(2026, 4, 6)) == ("2026-01", "2026-03")
    assert detection.months_to_check(D(2026, 1, 6)) == ("2025-01", "2025-12")
    assert detection.months_to_check(D(2026, 2, 6)) == ("2025-12", "2026-01")


def test_generated_month_of_a_few_hundred_points(catalogue: Catalogue) -> None:
    rng = random.Random(20260301)
    reports = list(generated_month(rng, "2026-03", points=300))
    insps = list(inspections(reports, catalogue))
    assert 250 < len(insps) < 450
    findings = found(catalogue, reports)
    counted = kinds(findings)
    assert {"multi_agency", "unpublished_matter", "random_not_listed", "repeated"} <= set(counted)
    assert set(counted) <= set(detection.KINDS) - {"unmatched_random_check"}  # needs draws: test_draws_matching.py
    # Every finding's evidence is an inspection of the reports, of the finding's point.
    refs = {(i.point_id, i.month, i.seq, i.index) for i in insps}
    for f in findings:
        for e in f.evidence:
            assert (f.point_id, e["month"], e["seq"], e["inspection"]) in refs
    # Unpublished matters are exactly the inspections whose matter did not match the agency's lists.
    expected = sum(1 for i in insps if i.matter is None or (i.department and i.matter.department != i.department))
    assert counted["unpublished_matter"] == expected
    keys = [(f.kind, f.key) for f in findings]
    assert len(keys) == len(set(keys))


def test_the_daily_check_runs_the_detections(moto_table: Any) -> None:
    from enforcewatch.jobs.daily import scheduled
    from support.insights import CONTENT

    moto_table.batch_put([report("P1", "chengguan", "2026-03", [
        inspection(D(2026, 3, 2), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001"),
        inspection(D(2026, 3, 4), "示范市生态环境局", "排污", item_id="sthj-cc-001"),
    ])])
    now = dt.datetime(2026, 4, 7, 1, 0, tzinfo=dt.UTC)
    first = scheduled(moto_table, CONTENT, "2026-04-07T01:00:00Z", now, None, joint_window_days=5)
    assert first["findings"] == {"new": 1, "known": 0}
    again = scheduled(moto_table, CONTENT, "2026-04-07T01:00:00Z", now, None, joint_window_days=5)
    assert again["findings"] == {"new": 0, "known": 1}
    narrow = scheduled(moto_table, CONTENT, "2026-04-07T01:00:00Z", now, None, joint_window_days=1)
    assert narrow["findings"] == {"new": 0, "known": 0}
