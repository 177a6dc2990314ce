"""The daily job (enforcewatch.jobs.daily): its steps in order, each district's partition read once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from enforcewatch.jobs import daily
from support.insights import CONTENT, inspection, report
from support.items import point_item

D = dt.date
NOW = dt.datetime(2026, 4, 7, 1, 0, tzinfo=dt.UTC)


class Recording:
    """The table, with a log of the reads and the writes each step makes (the real table does them)."""

    def __init__(self, table: Any) -> None:
        self.table, self.log = table, []

    def query(self, pk: str, *args: Any, **kwargs: Any) -> Any:
        self.log.append(("query", pk))
        return self.table.query(pk, *args, **kwargs)

    def put_new(self, item: dict[str, Any]) -> None:
        self.log.append(("put_new", item["sk"].split("#")[0] + "#" + item["sk"].split("#")[1]))
        self.table.put_new(item)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.table, name)


def _seed(table: Any) -> None:
    table.put(point_item("P1", "chengguan", reporting_from="2026-03"))
    table.batch_put([report("P1", "chengguan", "2026-03", [
        inspection(D(2026, 3, 2), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001"),
        inspection(D(2026, 3, 4), "示范市生态环境局", "排污", item_id="sthj-cc-001"),
    ])])


def test_the_job_reads_each_district_once_and_runs_its_steps_in_order(moto_table: Any) -> None:
    _seed(moto_table)
    table = Recording(moto_table)
    published: list[str] = []

    out = daily.scheduled(table, CONTENT, "2026-04-07T01:00:00Z", NOW, lambda s, m: published.append(m), 5)

    district_reads = [pk for op, pk in table.log if op == "query" and pk.startswith("DISTRICT#")]
    assert sorted(district_reads) == sorted(set(district_reads))  # each district's partition once
    assert "DISTRICT#chengguan" in district_reads
    steps = [pk.split("#")[0] for _, pk in table.log]
    first_transfer, finding = steps.index("TRANSFERS"), steps.index("FINDING")
    assert max(i for i, s in enumerate(steps) if s == "DISTRICT") < first_transfer < finding
    assert out["findings"] == {"new": 1, "known": 0}  # detection saw the reports the check read
    assert out["as_of"] == "2026-04-07" and published and "城关区" in published[0]


def test_check_keeps_only_the_reports_asked_for(moto_table: Any) -> None:
    _seed(moto_table)
    kept = daily.check(moto_table, ["chengguan"], daily.load_calendar(CONTENT), D(2026, 4, 7), NOW,
                       lambda item: item["month"] == "2026-03")
    assert [r["month"] for r in kept.reports] == ["2026-03"]
    assert daily.check(moto_table, ["chengguan"], daily.load_calendar(CONTENT), D(2026, 4, 7), NOW).reports == []
