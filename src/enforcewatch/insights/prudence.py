"""The 留观期 rule (seed 002 (五): 留观期内优先采取…柔性执法方式，谨慎使用行政处罚措施).

`prudent_penalty`: an inspection reported with the outcome 行政处罚, on a day inside the 留观期 of a
published 包容审慎 item, by that item's department (or an agency not matched to any department), on
a matter of that item — its list items (`matters`) or one of its words (`keywords`) in the matter
reported. The finding names the item and its soft measures, so staff can ask the agency why none
came first; it is not a judgement that the penalty was unlawful (a bottom line may have been crossed).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from enforcewatch.insights.finding import Finding, agency_of, evidence_of
from enforcewatch.insights.inspections import Catalogue, Inspection

PENALTY = "行政处罚"  # the report's outcome (intake.submissions VOCABULARY)


def in_sector(insp: Inspection, item: Any) -> bool:
    if insp.department is not None and insp.department != item.department:
        return False
    if insp.matter is not None and insp.matter.id in item.matters:
        return True
    return any(word in insp.items_checked for word in item.keywords)


def prudent_penalty(inspections: Iterable[Inspection], catalogue: Catalogue) -> Iterator[Finding]:
    if not catalogue.prudent:
        return
    for insp in inspections:
        if insp.outcome != PENALTY:
            continue
        for item in catalogue.prudent:
            if item.in_observation(insp.date) and in_sector(insp, item):
                name = agency_of(insp, catalogue)[1]
                yield Finding("prudent_penalty", insp.point_id, insp.district, insp.month, (name,),
                              f"{name}于{insp.date}检查“{insp.items_checked}”并实施行政处罚，该领域（{item.sector}：{item.activity}）"
                              f"处于包容审慎留观期（{item.observation_from}至{item.observation_to}），应优先采取"
                              f"{'、'.join(item.measures)}", evidence_of([insp]), item.id)
                break
