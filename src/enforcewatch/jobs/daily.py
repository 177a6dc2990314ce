"""The daily job: what the schedule runs each morning (functions/deadline_check) and what
`enforcewatch deadlines run` runs by hand, as of one day in China time.

In this order:
1. the deadline check of monitoring points (`monitoring.flags.check`): each flag stored once;
2. transferred clues open past their deadline (`casework.transfers.flag_overdue`, seed 000 §八
   限期整改), counted into the same summary;
3. the summary of counts is published (no names: mail is not a confidential channel);
4. detection of problem inspections (`insights.detection.run_on`), on the report items step 1
   already read, with 重复检查 by the office's N and D;
5. every reported inspection matched against the plans on file (`control.matching.run_on`, seed 002
   (一)(四)), on the same report items; open plan findings that a plan filed in time (entered later)
   now covers are withdrawn, late filings noted (`control.withdrawal`).

Each district's gsi1 partition is read once, in step 1; it keeps the report items detection needs
(`detection.wanted`), so detection does not read them a second time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from enforcewatch.casework import transfers
from enforcewatch.clock import china_date, parse_aware
from enforcewatch.control import matching
from enforcewatch.insights import detection
from enforcewatch.insights.conduct import Repeat
from enforcewatch.insights.inspections import Catalogue
from enforcewatch.monitoring import flags
from enforcewatch.monitoring.duedates import WorkCalendar, load_calendar
from enforcewatch.monitoring.registry import load_districts
from enforcewatch.store.dynamo import DynamoTable

log = logging.getLogger(__name__)


@dataclass
class DailyResult:
    summary: flags.RunSummary  # counts of flags per district: safe for mail and logs
    reports: list[dict[str, Any]]  # the report items step 1 kept for detection (confidential)


def check(table: DynamoTable, districts: Iterable[str], calendar: WorkCalendar, as_of: dt.date,
          now: dt.datetime, keep_report: Callable[[Any], bool] | None = None) -> DailyResult:
    """Steps 1 and 2: the deadline check, then overdue transfers, in one summary."""
    districts = list(districts)
    summary, reports = flags.check(table, districts, calendar, as_of, now, keep_report)
    new, current = transfers.flag_overdue(table, districts, as_of, now)
    summary.count(transfers.FLAG_KIND, new, current)
    return DailyResult(summary, reports)


def scheduled(table: DynamoTable, content_dir: Path, event_time: str, now: dt.datetime,
              publish: Callable[[str, str], None] | None, joint_window_days: int,
              repeat: tuple[int, int] = (2, 60)) -> dict[str, Any]:
    """The whole job, as of the schedule's day in China time (a rerun of the same event gives the same
    flags and findings); returns the per-district counts and the detection's counts."""
    as_of = china_date(parse_aware(event_time))
    districts = load_districts(content_dir)
    ids = [d.id for d in districts]
    result = check(table, ids, load_calendar(content_dir, table), as_of, now, detection.wanted(as_of))
    for warning in result.summary.warnings:
        log.warning("deadline check: %s", warning)
    if publish is not None:
        publish(f"EnforceWatch deadline check {as_of.isoformat()}", flags.summary_text(result.summary, districts))
    catalogue = _catalogue(content_dir)
    findings = detection.run_on(table, catalogue, result.reports, as_of, joint_window_days, Repeat(*repeat))
    unplanned = matching.run_on(table, catalogue, result.reports, ids, as_of, now)
    return {**result.summary.as_json(), "findings": {k: findings[k] + unplanned[k] for k in findings},
            "plan_findings": {k: unplanned[k] for k in ("withdrawn", "noted")}}


def _catalogue(content_dir: Path) -> Catalogue:
    """The published lists detection compares with."""
    from enforcewatch.sitegen.content import load_content  # cold start: the site's loader only when detecting

    return Catalogue.from_content(load_content(content_dir))
