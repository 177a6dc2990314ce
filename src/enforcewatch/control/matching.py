"""Every reported inspection matched to a filed plan or special inspection (seed 002 二(一):
严格依据年度行政执法检查计划开展涉企行政执法检查…未备案的不得随意擅自开展; issue 18).

A plan covers an inspection when all hold:
- the same department (the agency as matched by `insights.inspections.Catalogue.department`);
- the inspection's matter is one of the plan's matters (list item ids);
- the inspection's date lies in the plan's period, and the plan was filed on or before that date
  (a filing after the visit does not make it a planned one);
- the point is a target: its enterprise name or 统一社会信用代码 is among the plan's enterprises, or
  its registered industry and the plan's sector contain one another.

Inspections reported as 双随机抽查 are matched against the draws, not here. An inspection no plan
covers is a finding: `filed_not_found` when the point reported it as 备案/扫码 (是), else `unfiled`.
The summary names the department's plans for that matter and why none covers it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from enforcewatch.clock import utc_now
from enforcewatch.control import withdrawal
from enforcewatch.control.coverage import RANDOM, why_not
from enforcewatch.insights import detection
from enforcewatch.insights.finding import Finding, agency_of, evidence_of
from enforcewatch.insights.inspections import Catalogue, Inspection, inspections, reports_by_district_index
from enforcewatch.store import schema


def unmatched(inspections: Iterable[Inspection], plans: Iterable[Mapping[str, Any]],
              points: Mapping[str, Mapping[str, Any]], catalogue: Catalogue) -> Iterator[Finding]:
    by_department: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for plan in plans:
        by_department[str(plan["department"])].append(plan)
    for insp in inspections:
        if insp.inspection_type == RANDOM:
            continue
        point = points.get(insp.point_id)
        own = by_department.get(insp.department or "", [])
        reasons = [(p, why_not(insp, p, point)) for p in own]
        if any(reason is None for _, reason in reasons):
            continue
        name = agency_of(insp, catalogue)[1]
        near = [f"“{p['title']}”：{r}" for p, r in reasons if insp.matter is not None and insp.matter.id in p["matters"]]
        why = ("；同事项的计划均不覆盖本次检查——" + "；".join(near[:3])) if near else "；该部门没有备案包含此事项的计划"
        filed = insp.filed_or_scanned == "是"
        kind = "filed_not_found" if filed else "unfiled"
        lead = "监测点报告本次检查已备案或扫码入企，但" if filed else ""
        yield Finding(kind, insp.point_id, insp.district, insp.month, (name,),
                      f"{lead}{name}于{insp.date}检查“{insp.items_checked}”（{insp.inspection_type}）未找到覆盖它的备案计划{why}",
                      evidence_of([insp]), insp.matter.id if insp.matter else None)


def points_of(table: Any, districts: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The registry entries the matching needs (name, code, industry), read through gsi2 `POINTS#`."""
    out = {}
    for district in districts:  # the registry's own listing (gsi2): the daily job read gsi1 already
        for item in table.query(f"POINTS#{district}", index=schema.GSI2):
            out[str(item["point_id"])] = {k: item.get(k) for k in ("uscc", "enterprise_name", "industry")}
    return out


def run(table: Any, catalogue: Catalogue, districts: Iterable[str], today: dt.date,
        now: dt.datetime | None = None) -> dict[str, int]:
    """The matching on its own (`enforcewatch plans match`): read the same months as the detections."""
    districts = list(districts)
    first, last = detection.months_to_check(today)
    return run_on(table, catalogue, reports_by_district_index(table, districts, first, last), districts, today, now)


def run_on(table: Any, catalogue: Catalogue, reports: Iterable[Mapping[str, Any]], districts: Iterable[str],
           today: dt.date, now: dt.datetime | None = None) -> dict[str, int]:
    """Match report items already read (the daily job shares the deadline check's read) against the
    plans on file; each finding stored once. Then the open plan findings of the same months are looked
    at again (`control.withdrawal`): withdrawn when a plan filed in time has been entered since, a
    late filing noted. Returns {new, known, withdrawn, noted}."""
    # cold start: the plans' models (pydantic) load only when matching runs, not with the daily function
    from enforcewatch.control import plans as plan_store

    districts = list(districts)
    inspected = list(inspections(reports, catalogue))
    on_file, registry = plan_store.listing(table), points_of(table, districts)
    counts = detection.store(table, unmatched(inspected, on_file, registry, catalogue), today)
    first, last = detection.months_to_check(today)
    still_open = withdrawal.open_plan_findings(detection.stored(table, districts, first, last))
    return counts | withdrawal.review(table, inspected, on_file, registry, still_open, now or utc_now())


def recheck(table: Any, catalogue: Catalogue, districts: Iterable[str], today: dt.date,
            now: dt.datetime | None = None) -> dict[str, int]:
    """The second look alone, right after plans are entered (`plans add`, `plans import`): open plan
    findings a plan filed in time now covers are withdrawn, late filings noted; nothing new is stored.
    Reports are read only when there is an open plan finding to look at. Returns {withdrawn, noted}."""
    # cold start: the plans' models (pydantic) load only when matching runs, not with the daily function
    from enforcewatch.control import plans as plan_store

    districts = list(districts)
    first, last = detection.months_to_check(today)
    still_open = withdrawal.open_plan_findings(detection.stored(table, districts, first, last))
    if not still_open:
        return {"withdrawn": 0, "noted": 0}
    inspected = list(inspections(reports_by_district_index(table, districts, first, last), catalogue))
    return withdrawal.review(table, inspected, plan_store.listing(table), points_of(table, districts), still_open,
                             now or utc_now())
