"""Whether a plan on file covers a reported inspection (seed 002 二(一); the rule is spelled out in
`control.matching`). Shared by the matching and by the second look at its findings (`control.withdrawal`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from enforcewatch.insights.inspections import Inspection

RANDOM = "双随机抽查"  # matched against the draws (the draws package), not against plans


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _targets(plan: Mapping[str, Any], point: Mapping[str, Any] | None) -> bool:
    if point is None:
        return False
    names = {str(e).strip() for e in plan.get("enterprises") or []}
    if names & {str(point.get("uscc", "")), str(point.get("enterprise_name", ""))} - {""}:
        return True
    sector, industry = str(plan.get("sector") or ""), str(point.get("industry") or "")
    return bool(sector and industry and (sector in industry or industry in sector))


def why_not(insp: Inspection, plan: Mapping[str, Any], point: Mapping[str, Any] | None) -> str | None:
    """None when `plan` covers `insp`; else the first reason it does not, in words."""
    if insp.department != plan["department"]:
        return "执法部门不同"
    if insp.matter is None or insp.matter.id not in plan["matters"]:
        return "检查事项不在计划内"
    if not _date(plan["period_from"]) <= insp.date <= _date(plan["period_to"]):
        return f"检查日期不在计划期间（{plan['period_from']}至{plan['period_to']}）"
    if _date(plan["filed_on"]) > insp.date:
        return f"计划于{plan['filed_on']}备案，晚于检查日期"
    if not _targets(plan, point):
        return "该企业不在计划的检查对象或行业内"
    return None
