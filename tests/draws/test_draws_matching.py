"""An inspection a point reports as 双随机 is matched to the draw that selected it; a finding when
none did (issue 21): the pure matching rules and the daily detection over the store."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from enforcewatch.draws import tasks
from enforcewatch.draws.hashing import commitment
from enforcewatch.draws.matching import DrawSelection, held_to_draws, match
from enforcewatch.insights import detection
from enforcewatch.insights.inspections import Catalogue
from support.draws import uscc
from support.insights import content, inspection, report

D = dt.date
AGENCY = "示范市市场监督管理局"
SECRETS = {"agency": "a" * 64, "justice": "b" * 64}


def test_match_rules() -> None:
    draws = [DrawSelection("d1", "scjg", D(2026, 3, 1), frozenset({"X", "Y"})),
             DrawSelection("d2", "scjg", D(2026, 6, 1), frozenset({"Y"})),
             DrawSelection("d3", "sthj", D(2026, 3, 1), frozenset({"Z"}))]
    assert match(draws, "scjg", "Y", D(2026, 7, 1)).draw_id == "d2"  # the latest that fits
    assert match(draws, "scjg", "X", D(2026, 7, 1)).draw_id == "d1"
    assert match(draws, "scjg", "X", D(2026, 2, 28)) is None  # before the draw
    assert match(draws, "scjg", "X", D(2027, 3, 5)) is None  # more than a year after it
    assert match(draws, "scjg", "Z", D(2026, 7, 1)) is None  # drawn by another department
    assert match(draws, "scjg", None, D(2026, 7, 1)) is None
    assert held_to_draws(draws, "scjg", D(2026, 3, 1)) and not held_to_draws(draws, "scjg", D(2026, 2, 1))
    assert not held_to_draws(draws, "yjgl", D(2026, 7, 1)) and not held_to_draws(draws, None, D(2026, 7, 1))


def _completed_draw(table: Any, candidates: list[str]) -> list[str]:
    spec = {"id": "m-1", "title": "匹配测试", "item_id": "scjg-cc-001", "agency": AGENCY,
            "scheduled_at": "2026-03-01T10:00:00+08:00", "inspectors": ["ZF-01", "ZF-02", "ZF-03"],
            "candidates": [{"uscc": u, "credit_class": "D"} for u in candidates]}
    now = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)
    tasks.open_task(table, spec, {"base": 300, "D": 3000}, "营业执照（登记证）规范使用情况的检查", "office", now,
                    random.Random(5))
    for party in ("agency", "justice"):
        tasks.commit(table, "m-1", party, commitment("m-1", party, SECRETS[party]), now)
    for party in ("agency", "justice"):
        tasks.reveal(table, "m-1", party, SECRETS[party], now)
    task = tasks.run(table, "m-1")
    return [s["uscc"] for s in tasks.selected(table, task)]


def test_the_daily_detection_flags_random_checks_no_draw_selected(moto_table: Any) -> None:
    codes = [uscc(n) for n in range(1, 21)]
    drawn = _completed_draw(moto_table, codes)
    assert len(drawn) == 6  # 30% of 20
    picked, passed_over = drawn[0], next(c for c in codes if c not in drawn)
    points = {"P-SEL": picked, "P-NOT": passed_over, "P-OTHER": codes[-1]}
    moto_table.batch_put([{"pk": f"POINT#{p}", "sk": "POINT", "point_id": p, "district": "chengguan", "uscc": u}
                          for p, u in points.items()])
    item = {"item_id": "scjg-cc-001"}
    moto_table.batch_put([
        report("P-SEL", "chengguan", "2026-03", [inspection(D(2026, 3, 10), AGENCY, "营业执照使用", **item)]),
        report("P-NOT", "chengguan", "2026-03", [inspection(D(2026, 3, 12), AGENCY, "营业执照使用", **item)]),
        # Before the department's first draw here, and a department with no draws here: not held to it.
        report("P-OTHER", "chengguan", "2026-02", [inspection(D(2026, 2, 20), AGENCY, "营业执照使用", **item)]),
        report("P-OTHER", "chengguan", "2026-03", [inspection(D(2026, 3, 20), "示范市生态环境局", "排污",
                                                              item_id="sthj-cc-001")]),
    ])
    catalogue = Catalogue.from_content(content())
    detection.run(moto_table, catalogue, ["chengguan"], D(2026, 4, 6))
    stored = [s for s in detection.stored(moto_table, ["chengguan"], "2026-01", "2026-12")
              if s["finding_kind"] == "unmatched_random_check"]
    assert [(s["point_id"], s["month"]) for s in stored] == [("P-NOT", "2026-03")]
    assert "没有抽中该监测点" in stored[0]["summary"] and stored[0]["label"] == "“双随机”检查无对应抽取记录"
    assert passed_over not in str(stored)  # the finding names the point, not its code
