"""Two rules on how agencies behave at a point, beside the list rules of `detection`:

- `repeated` (重复检查; seed 002 (八): 坚决杜绝选择性检查、重复检查): the same agency at the same
  point more than `max_visits` times within `days` days, whatever the matter — a matter-by-matter
  count (`over_frequency`) cannot see an agency coming back under a different heading;
- `grave` (seed 000 §八: 打击报复 is grave; seed 002 (八): 影响企业正常生产经营): an inspection whose
  report ticks 打击报复 or 干扰正常生产经营 — raised at once to the city office (not to the
  district), offered for transfer to the discipline bodies (纪检监察). Complaints of category
  打击报复 are raised the same way (`complaint_item`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from enforcewatch.insights.finding import KINDS, OFFICE, Finding, agency_of, evidence_of
from enforcewatch.insights.inspections import Catalogue, Inspection

GRAVE = ("打击报复", "干扰正常生产经营")
GRAVE_COMPLAINT = ("打击报复",)  # the complaint categories (intake.submissions VOCABULARY)


@dataclass(frozen=True)
class Repeat:
    """重复检查: more than `max_visits` inspections by one agency at one point within `days` days."""

    max_visits: int = 2
    days: int = 60


def repeated(inspections: Iterable[Inspection], catalogue: Catalogue, rule: Repeat) -> Iterator[Finding]:
    """Per point and agency, in date order: the inspections within `rule.days` days of the first one
    not yet used form a group; a group of more than `rule.max_visits` is a finding, and the next
    group starts after it (so one run of visits is one finding)."""
    groups: dict[tuple[str, str], list[Inspection]] = defaultdict(list)
    for insp in inspections:
        groups[(insp.point_id, agency_of(insp, catalogue)[0])].append(insp)
    for items in groups.values():
        items.sort(key=lambda i: (i.date, i.month, i.index))
        start = 0
        while start < len(items):
            end = start
            while end + 1 < len(items) and (items[end + 1].date - items[start].date).days < rule.days:
                end += 1
            group = items[start:end + 1]
            if len(group) > rule.max_visits:
                name = agency_of(group[0], catalogue)[1]
                first, last = group[0].date, group[-1].date
                yield Finding("repeated", group[0].point_id, group[0].district, group[-1].month, (name,),
                              f"{name}在{first}至{last}（{(last - first).days + 1}天内）检查同一监测点{len(group)}次，"
                              f"超过{rule.days}天内{rule.max_visits}次", evidence_of(group))
                start = end + 1
            else:
                start += 1


def grave(inspections: Iterable[Inspection], catalogue: Catalogue) -> Iterator[Finding]:
    for insp in inspections:
        ticked = [m for m in insp.misconduct if m in GRAVE]
        if ticked:
            name = agency_of(insp, catalogue)[1]
            evidence = tuple({**e, "misconduct": ticked} for e in evidence_of([insp]))
            yield Finding("grave_conduct", insp.point_id, insp.district, insp.month, (name,),
                          f"监测点报告{name}于{insp.date}检查时存在“{'、'.join(ticked)}”，已报市司法行政部门，"
                          "建议转纪检监察机关", evidence)


def complaint_item(complaint: Mapping[str, Any], detected_on: dt.date) -> dict[str, Any] | None:
    """A complaint of category 打击报复 as a stored finding of the city office, beside the complaint
    (its partition is the office's alone). Only the conduct complained of is carried — never who
    complained or how to reach them."""
    category = str(complaint.get("category", ""))
    if category not in GRAVE_COMPLAINT:
        return None
    complaint_id = str(complaint["complaint_id"])
    month = str(complaint.get("gsi2sk", ""))[:7] or detected_on.strftime("%Y-%m")
    agency = str(complaint.get("agency", ""))
    evidence = {"complaint_id": complaint_id, "date": str(complaint.get("incident_date", "")), "agency": agency,
                "category": category}
    key = f"complaint-{complaint_id}"
    item = {"pk": f"COMPLAINT#{complaint_id}", "sk": f"FINDING#grave_conduct#{key}", "gsi2pk": f"FINDINGS#{OFFICE}",
            "gsi2sk": f"{month}#grave_conduct#{complaint_id}#{key}", "kind": "finding",
            "finding_kind": "grave_conduct", "finding_id": f"grave_conduct-{key}", "label": KINDS["grave_conduct"],
            "complaint_id": complaint_id, "point_id": None, "district": None, "month": month, "agencies": [agency],
            "summary": f"投诉反映{agency}于{evidence['date']}“{category}”，已报市司法行政部门，建议转纪检监察机关",
            "matter": None, "evidence": [evidence], "detected_on": detected_on.isoformat(), "status": "open"}
    return {k: v for k, v in item.items() if v is not None}
