"""Agency scorecards for the evaluation of agencies (评议, seed 000 §五): what the monitoring reports
say about each enforcement agency over a range of months.

Per agency: inspections reported, the share filed or announced (备案 / 扫码入企), the share with
credentials shown (亮证), outcomes, misconduct by kind, satisfaction (counts and a 1–5 score), the
monthly trend, and the references of the inspections behind every figure (drill-down for staff in
scope). Pure: the caller passes the inspections (`enforcewatch.insights.inspections`).
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from enforcewatch.insights.inspections import Inspection
from enforcewatch.intake.submissions import VOCABULARY

OTHER = "_other"
OTHER_NAME = "其他（未能对应到公布部门的执法单位）"
SCORES = dict(zip(VOCABULARY["satisfaction"], (5, 4, 3, 2, 1), strict=True))  # 非常满意 = 5 … 非常不满意 = 1
YES = "是"
TREND_STEP = 0.2  # a satisfaction score change smaller than this is "持平"


@dataclass
class Scorecard:
    agency: str  # department id, or OTHER
    name: str
    inspections: int = 0
    points: int = 0
    filed: int = 0
    credentials: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    misconduct: Counter[str] = field(default_factory=Counter)
    with_misconduct: int = 0
    satisfaction: Counter[str] = field(default_factory=Counter)
    by_month: dict[str, dict[str, Any]] = field(default_factory=dict)
    refs: list[dict[str, Any]] = field(default_factory=list)
    raw_names: Counter[str] = field(default_factory=Counter)

    @property
    def filed_share(self) -> float | None:
        return self.filed / self.inspections if self.inspections else None

    @property
    def credentials_share(self) -> float | None:
        return self.credentials / self.inspections if self.inspections else None

    @property
    def score(self) -> float | None:
        return _score(self.satisfaction)

    @property
    def trend(self) -> str:
        """上升 / 下降 / 持平 / 数据不足: the satisfaction score of the last month with data against the first."""
        scores = [m["score"] for m in self.by_month.values() if m["score"] is not None]
        if len(scores) < 2:
            return "数据不足"
        change = scores[-1] - scores[0]
        return "持平" if abs(change) < TREND_STEP else ("上升" if change > 0 else "下降")

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency, "name": self.name, "inspections": self.inspections, "points": self.points,
            "filed": self.filed, "filed_share": self.filed_share, "credentials": self.credentials,
            "credentials_share": self.credentials_share, "outcomes": dict(self.outcomes),
            "misconduct": dict(self.misconduct), "with_misconduct": self.with_misconduct,
            "satisfaction": dict(self.satisfaction), "score": self.score, "trend": self.trend,
            "by_month": [{"month": m, **v} for m, v in self.by_month.items()], "refs": self.refs,
            "agency_names": dict(self.raw_names),
        }


def _score(counts: Mapping[str, int]) -> float | None:
    total = sum(n for k, n in counts.items() if k in SCORES)
    return sum(SCORES[k] * n for k, n in counts.items() if k in SCORES) / total if total else None


def scorecards(inspections: Iterable[Inspection], departments: Iterable[Any], months: list[str]
               ) -> list[Scorecard]:
    """One scorecard per published department (in published order), then OTHER if any inspection
    could not be matched to a department. Departments without inspections get an empty card."""
    cards = {d.id: Scorecard(d.id, d.name) for d in departments}
    points: dict[str, set[str]] = {k: set() for k in cards}
    monthly: dict[str, dict[str, Counter[str]]] = {}
    for insp in inspections:
        key = insp.department if insp.department is not None and insp.department in cards else OTHER
        if key not in cards:
            cards[key], points[key] = Scorecard(OTHER, OTHER_NAME), set()
        card = cards[key]
        card.inspections += 1
        points[key].add(insp.point_id)
        card.filed += insp.filed_or_scanned == YES
        card.credentials += insp.credentials_shown == YES
        card.outcomes[insp.outcome] += 1
        card.misconduct.update(insp.misconduct)
        card.with_misconduct += bool(insp.misconduct)
        card.satisfaction[insp.satisfaction] += 1
        card.refs.append({**insp.ref, "date": insp.date.isoformat(), "district": insp.district})
        card.raw_names[insp.agency] += 1
        monthly.setdefault(key, {}).setdefault(insp.month, Counter())[insp.satisfaction] += 1
    for key, card in cards.items():
        card.points = len(points[key])
        for month in months:
            counts = monthly.get(key, {}).get(month, Counter())
            card.by_month[month] = {"inspections": sum(counts.values()), "score": _score(counts)}
    return list(cards.values())


def _pct(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def xlsx(cards: list[Scorecard], months: list[str], title: str) -> bytes:
    """A workbook for the 评议 meeting: a summary sheet, misconduct by kind, and the monthly trend.
    Text cells are neutralised (no formulas); figures are numbers."""
    # cold start: openpyxl is heavy, loaded only when a workbook is asked for
    from openpyxl import Workbook

    from enforcewatch.staff.exports import neutralise

    def text(value: str) -> str:
        return neutralise(value)

    book = Workbook(write_only=True)
    summary = book.create_sheet("评议汇总")
    summary.append([text(title)])
    summary.append([text(h) for h in (
        "执法单位", "检查次数", "涉及监测点数", "备案或扫码入企（%）", "亮证检查（%）", "存在问题的检查",
        *VOCABULARY["outcome"], "满意度得分（1-5）", "趋势")])
    for c in cards:
        summary.append([text(c.name), c.inspections, c.points, _pct(c.filed_share), _pct(c.credentials_share),
                        c.with_misconduct, *(c.outcomes.get(o, 0) for o in VOCABULARY["outcome"]),
                        None if c.score is None else round(c.score, 2), text(c.trend)])
    kinds = book.create_sheet("问题类型")
    kinds.append([text("执法单位"), *(text(k) for k in VOCABULARY["misconduct"])])
    for c in cards:
        kinds.append([text(c.name), *(c.misconduct.get(k, 0) for k in VOCABULARY["misconduct"])])
    trend = book.create_sheet("月度趋势")
    trend.append([text("执法单位"), *(text(f"{m} 检查次数") for m in months), *(text(f"{m} 满意度") for m in months)])
    for c in cards:
        trend.append([text(c.name), *(c.by_month[m]["inspections"] for m in months),
                      *(None if c.by_month[m]["score"] is None else round(c.by_month[m]["score"], 2)
                        for m in months)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
