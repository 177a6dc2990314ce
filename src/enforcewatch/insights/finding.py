"""A finding: one problem seen in the reports, with the inspections behind it as its evidence.

Its key is derived from its evidence, so the daily run stores each finding once. The kinds and
their labels are here so every rule module names them the same way (docs/insights.md, docs/rules.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from enforcewatch.insights.inspections import Catalogue, Inspection, normalise

KINDS = {
    "multi_agency": "多头检查：建议联合检查",
    "over_frequency": "超过公布的抽查频次",
    "unpublished_matter": "检查事项未列入公布清单",
    "random_not_listed": "“双随机”检查事项不在抽查事项清单",
    "repeated": "重复检查",
    "grave_conduct": "打击报复或干扰正常生产经营",
    "prudent_penalty": "包容审慎留观期内实施行政处罚",
    "unfiled": "未备案检查",
    "filed_not_found": "报告已备案或扫码，但未找到备案",
    "unmatched_random_check": "“双随机”检查无对应抽取记录",
}
# seed 000 §八 treats 打击报复 as grave: these findings go to the city office only, at once, and are
# offered for transfer to the discipline bodies (纪检监察).
OFFICE_KINDS = ("grave_conduct",)
OFFICE = "office"  # the findings bucket of the city office
PLAN_KINDS = ("unfiled", "filed_not_found")  # raised by the matching against plans (enforcewatch.control.matching)


@dataclass(frozen=True)
class Finding:
    kind: str
    point_id: str
    district: str
    month: str  # the month of the latest evidence
    agencies: tuple[str, ...]
    summary: str
    evidence: tuple[dict[str, Any], ...]
    matter: str | None = None

    @property
    def key(self) -> str:
        refs = sorted(json.dumps(e, sort_keys=True) for e in self.evidence)
        return hashlib.sha256(json.dumps([self.kind, refs]).encode()).hexdigest()[:20]

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    def as_dict(self) -> dict[str, Any]:
        return {"finding_id": f"{self.kind}-{self.key}", "kind": self.kind, "label": self.label,
                "point_id": self.point_id, "district": self.district, "month": self.month,
                "agencies": list(self.agencies), "summary": self.summary, "matter": self.matter,
                "evidence": [dict(e) for e in self.evidence]}


def agency_of(insp: Inspection, catalogue: Catalogue) -> tuple[str, str]:
    """(identity, display name): the department if matched, else the normalised free text."""
    if insp.department:
        return insp.department, catalogue.names[insp.department]
    return "text:" + normalise(insp.agency), insp.agency


def evidence_of(items: Iterable[Inspection]) -> tuple[dict[str, Any], ...]:
    return tuple({**i.ref, "date": i.date.isoformat(), "agency": i.agency, "items_checked": i.items_checked}
                 for i in sorted(items, key=lambda i: (i.date, i.month, i.index)))
