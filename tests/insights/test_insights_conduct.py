"""The conduct rules of issue 18 (seed 002 (八), seed 000 §八) and the frequency reading: each with
positive and negative cases, the city office's own findings, raised at once at intake, transferred
to 纪检监察 in one step, and a generated year of a few hundred points."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest

from enforcewatch.insights import conduct, detection, frequency
from enforcewatch.insights.inspections import Catalogue, inspections
from support.insights import content, generated_year, inspection, report

D = dt.date


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.from_content(content())


def found(catalogue: Catalogue, reports: list[dict[str, Any]], kind: str,
          repeat: conduct.Repeat = detection.DEFAULT_REPEAT) -> list[detection.Finding]:
    return [f for f in detection.detect(inspections(reports, catalogue), catalogue, 30, repeat) if f.kind == kind]


# -- the published frequency ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "per_year", "max_per_year", "kind", "ceiling"), [
    ("每年不少于1次", 1, None, "min", None),
    ("每学期不少于1次", 2, None, "min", None),
    ("每年至少2次", 2, None, "min", None),
    ("每年不超过2次", 2, None, "max", 2),
    ("每年最多1次", 1, None, "max", 1),
    ("1次/年/单位，上限2次/年/单位", 1, 2, "max", 2),
    ("每年1次", 1, None, "fixed", None),
    ("每季度1次", 4, None, "fixed", None),
])
def test_the_frequency_is_read_as_what_it_says(text: str, per_year: int, max_per_year: int | None, kind: str,
                                                ceiling: int | None) -> None:
    read = frequency.read(text, per_year, max_per_year)
    assert (read.kind, read.ceiling) == (kind, ceiling)
    assert read.exceeded_by(5) is (ceiling is not None)
    assert not read.exceeded_by(ceiling or per_year)


def test_shipped_minimum_items_are_read_as_minimums(catalogue: Catalogue) -> None:
    minimums = sorted(m.id for m in catalogue.matters.values() if m.frequency and m.frequency.kind == "min")
    assert minimums == ["jtys-cc-001", "rsj-cc-002", "scjg-cc-003", "scjg-cc-004", "yjgl-cc-002"]


# -- 重复检查 ------------------------------------------------------------------------------------------

def _visits(days: list[D], agency: str = "示范市市场监督管理局") -> list[dict[str, Any]]:
    matters = ("scjg-cc-001", "scjg-cc-002", "scjg-cc-005", "scjg-cc-006")
    by_month: dict[str, list[dict[str, Any]]] = {}
    for n, day in enumerate(days):
        by_month.setdefault(f"{day:%Y-%m}", []).append(inspection(day, agency, "x", item_id=matters[n % 4]))
    return [report("P5", "dongshan", m, rows) for m, rows in by_month.items()]


def test_one_agency_more_than_n_times_within_d_days_whatever_the_matter(catalogue: Catalogue) -> None:
    reports = _visits([D(2026, 3, 2), D(2026, 3, 20), D(2026, 4, 15)])
    hits = found(catalogue, reports, "repeated")
    assert len(hits) == 1 and hits[0].agencies == ("市场监督管理局",) and len(hits[0].evidence) == 3
    assert hits[0].month == "2026-04" and "3次" in hits[0].summary
    # The same agency under another name (a district branch) is the same agency.
    mixed = _visits([D(2026, 3, 2), D(2026, 3, 20)]) + _visits([D(2026, 4, 15)], "东山县市场监督管理局")
    assert len(found(catalogue, mixed, "repeated")) == 1


def test_n_times_or_spread_out_or_two_agencies_are_not_repeated(catalogue: Catalogue) -> None:
    assert not found(catalogue, _visits([D(2026, 3, 2), D(2026, 4, 15)]), "repeated")  # N times exactly
    assert not found(catalogue, _visits([D(2026, 1, 2), D(2026, 3, 5), D(2026, 5, 10)]), "repeated")  # > D apart
    two = _visits([D(2026, 3, 2), D(2026, 3, 20)]) + _visits([D(2026, 3, 25)], "示范市生态环境局")
    assert not found(catalogue, two, "repeated")
    # N and D are settings: three visits in 45 days are a finding only when D reaches them.
    three = _visits([D(2026, 3, 1), D(2026, 3, 20), D(2026, 4, 14)])
    assert not found(catalogue, three, "repeated", conduct.Repeat(2, 30))
    assert found(catalogue, three, "repeated", conduct.Repeat(2, 45))
    assert not found(catalogue, three, "repeated", conduct.Repeat(3, 45))


def test_repeated_settings_from_the_environment() -> None:
    from enforcewatch.config import Settings

    assert (Settings.from_env({}).repeat_max_inspections, Settings.from_env({}).repeat_window_days) == (2, 60)
    s = Settings.from_env({"EW_REPEAT_MAX_INSPECTIONS": "3", "EW_REPEAT_WINDOW_DAYS": "90"})
    assert (s.repeat_max_inspections, s.repeat_window_days) == (3, 90)
    with pytest.raises(ValueError, match="EW_REPEAT_WINDOW_DAYS"):
        Settings.from_env({"EW_REPEAT_WINDOW_DAYS": "0"})


# -- 打击报复 / 干扰正常生产经营 ------------------------------------------------------------------------

def test_grave_conduct_is_a_finding_of_the_city_office(catalogue: Catalogue) -> None:
    reports = [report("P3", "gaoxin", "2026-05", [
        inspection(D(2026, 5, 6), "示范市生态环境局", "排污", item_id="sthj-cc-001", misconduct=("打击报复",)),
        inspection(D(2026, 5, 8), "示范市市场监督管理局", "x", item_id="scjg-cc-001",
                   misconduct=("干扰正常生产经营", "吃拿卡要")),
    ])]
    hits = found(catalogue, reports, "grave_conduct")
    assert [h.evidence[0]["misconduct"] for h in hits] == [["打击报复"], ["干扰正常生产经营"]]
    stored = detection.item(hits[0], D(2026, 6, 1))
    assert stored["gsi2pk"] == "FINDINGS#office" and "gsi1pk" not in stored and stored["office_only"]


def test_other_misconduct_is_not_grave(catalogue: Catalogue) -> None:
    reports = [report("P3", "gaoxin", "2026-05", [
        inspection(D(2026, 5, 6), "示范市生态环境局", "排污", item_id="sthj-cc-001", misconduct=("吃拿卡要", "其他")),
        inspection(D(2026, 5, 8), "示范市市场监督管理局", "x", item_id="scjg-cc-001", satisfaction="非常不满意"),
    ])]
    assert not found(catalogue, reports, "grave_conduct")


def test_a_complaint_of_retaliation_is_raised_without_the_complainant() -> None:
    complaint = {"complaint_id": "C1", "gsi2sk": "2026-05#2026-05-02T01:00:00Z#C1", "category": "打击报复",
                 "agency": "示范市城市管理综合执法局", "incident_date": "2026-04-28", "name": "李四",
                 "phone": "13800000000", "description": "举报后被多次检查"}
    item = conduct.complaint_item(complaint, D(2026, 5, 2))
    assert item is not None and item["gsi2pk"] == "FINDINGS#office" and item["month"] == "2026-05"
    assert "李四" not in str(item) and "13800000000" not in str(item) and "举报后" not in str(item)
    assert conduct.complaint_item({**complaint, "category": "不作为"}, D(2026, 5, 2)) is None


def test_daily_run_raises_grave_findings_once_for_the_office_only(moto_table: Any, catalogue: Catalogue) -> None:
    moto_table.batch_put([report("P1", "chengguan", "2026-03", [
        inspection(D(2026, 3, 2), "示范市市场监督管理局", "x", item_id="scjg-cc-001", misconduct=("打击报复",))])])
    assert detection.run(moto_table, catalogue, ["chengguan"], D(2026, 4, 6))["new"] == 1
    assert detection.run(moto_table, catalogue, ["chengguan"], D(2026, 4, 7)) == {"new": 0, "known": 1}
    assert not list(detection.stored(moto_table, ["chengguan"], "2026-01", "2026-12"))  # not the district's
    office = list(detection.stored(moto_table, [detection.OFFICE], "2026-01", "2026-12"))
    assert [f["finding_kind"] for f in office] == ["grave_conduct"]


# -- a generated year ----------------------------------------------------------------------------------

def test_generated_year_of_a_few_hundred_points(catalogue: Catalogue) -> None:
    reports = list(generated_year(random.Random(2026), 2026, points=300))
    insps = list(inspections(reports, catalogue))
    assert len(insps) > 3000 and len({i.department for i in insps if i.department}) == 6
    findings = detection.detect(insps, catalogue, 30, conduct.Repeat(2, 60))
    counted = Counter(f.kind for f in findings)
    from enforcewatch.insights.finding import PLAN_KINDS

    # the plan kinds: test_control_plans.py; the draws kind needs draws: test_draws_matching.py
    assert set(counted) == set(detection.KINDS) - set(PLAN_KINDS) - {"unmatched_random_check"}
    # over_frequency only ever concerns an item with a published maximum, and exceeds it.
    for f in findings:
        if f.kind == "over_frequency":
            freq = catalogue.matters[str(f.matter)].frequency
            assert freq is not None and freq.kind == "max" and len(f.evidence) > (freq.ceiling or 0)
    assert {f.point_id for f in findings if f.kind == "over_frequency"} >= {"P0007", "P0100"}
    grave = sum(1 for i in insps if set(i.misconduct) & set(conduct.GRAVE))
    assert counted["grave_conduct"] == grave > 0
    # No minimum-frequency item is ever reported as exceeded, however often it was checked.
    assert not [f for f in findings if f.kind == "over_frequency" and catalogue.matters[str(f.matter)].frequency.kind
                != "max"]  # type: ignore[union-attr]


# -- raised at once, at intake -------------------------------------------------------------------------

def test_a_report_or_complaint_of_retaliation_is_raised_when_filed(moto_table: Any) -> None:
    """No waiting for the daily run: the finding is stored for the city office as the report or
    complaint is stored; an ordinary report raises nothing."""
    from pathlib import Path

    from fastapi.testclient import TestClient

    from enforcewatch.api.public.app import create_app
    from enforcewatch.config import Settings
    from support.submitting import add_point, complaint
    from support.submitting import inspection as form_inspection
    from support.submitting import report as form_report

    root = Path(__file__).resolve().parents[2]
    now = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)
    app = create_app(Settings(table_name=moto_table.name, content_dir=root / "tests" / "fixtures" / "site-min"),
                     moto_table, templates_dir=root / "site" / "templates", clock=lambda: now, rng=random.Random(5))
    client = TestClient(app)
    calm = add_point(moto_table, "XX-0001")
    assert client.post("/api/reports", json=form_report("XX-0001", calm)).status_code == 201
    assert not list(detection.stored(moto_table, [detection.OFFICE, "weibin"], "2026-01", "2026-12"))
    code = add_point(moto_table, "XX-0002", seed=2)
    grave = form_report("XX-0002", code, inspections=[form_inspection(misconduct=["干扰正常生产经营"], satisfaction="不满意",
                                                                       comment="检查时要求停产配合")])
    assert client.post("/api/reports", json=grave).status_code == 201
    assert client.post("/api/complaints", json=complaint(category="打击报复")).status_code == 201
    office = list(detection.stored(moto_table, [detection.OFFICE], "2026-01", "2026-12"))
    assert sorted((f.get("point_id"), f["finding_kind"]) for f in office if f.get("point_id")) == [
        ("XX-0002", "grave_conduct")]
    by_complaint = [f for f in office if f.get("complaint_id")]
    assert len(by_complaint) == 1 and "示范市某某有限公司" not in str(by_complaint)
    assert not list(detection.stored(moto_table, ["weibin"], "2026-01", "2026-12"))


def test_the_public_list_of_grave_kinds_is_the_rules_list() -> None:
    from enforcewatch.api.public import routes

    assert routes.GRAVE == conduct.GRAVE
