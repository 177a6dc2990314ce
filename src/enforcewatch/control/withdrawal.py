"""Plan findings looked at again once more plans are on file (issue 18; docs/control.md "Late filings").

A finding `unfiled` / `filed_not_found` is stored when the matching runs and no plan on file covers
the inspection. Staff may enter a plan afterwards. Whether that clears the inspection depends on the
plan's filing date (`filed_on`), not on when staff typed it in:
- a plan (年度计划 or 专项检查) that covers the inspection and was filed ON OR BEFORE the inspection date
  was merely entered late: the inspection was filed all along, so the finding is withdrawn
  (`status = "withdrawn"`), with the plan and the reason in its history;
- a plan that would cover it but was filed AFTER the inspection date does not make the inspection a
  filed one (seed 002 二(一): 专项检查…应及时向本单位法治机构备案，未备案的不得随意擅自开展; an annual
  plan is what inspections are carried out according to, so one filed after the visit was not there to
  follow): the finding stays open, and its history records the late filing once per plan, so whoever
  handles it sees that a filing exists and when it was made.
Only open findings are changed (a transferred one is in another body's hands). Each change is a
conditional update, so a rerun changes nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from enforcewatch.clock import china_time_text, iso_utc, parse_aware
from enforcewatch.control.coverage import RANDOM, why_not
from enforcewatch.errors import Conflict
from enforcewatch.insights.finding import PLAN_KINDS, Finding, evidence_of
from enforcewatch.insights.inspections import Inspection

WITHDRAWN = "withdrawn"
ACTIONS = {"withdrawn": "撤销", "late_filing": "备案晚于检查，维持"}
# Only an open finding is changed: not yet withdrawn and not transferred.
OPEN_ONLY = "attribute_exists(pk) AND attribute_not_exists(withdrawn_on) AND attribute_not_exists(transfer_id)"


def finding_id(insp: Inspection) -> str:
    """The id the matching gives this inspection's finding (the key depends on kind and evidence only)."""
    kind = "filed_not_found" if insp.filed_or_scanned == "是" else "unfiled"
    return f"{kind}-{Finding(kind, insp.point_id, insp.district, insp.month, (), '', evidence_of([insp])).key}"


def filed_late(insp: Inspection, plan: Mapping[str, Any], point: Mapping[str, Any] | None) -> bool:
    """`plan` would cover `insp` but was filed after the inspection date."""
    return str(plan["filed_on"]) > insp.date.isoformat() and why_not(insp, {**plan, "filed_on": insp.date}, point) is None


def _plan_text(plan: Mapping[str, Any]) -> str:
    return (f"{plan['plan_kind']}“{plan['title']}”（编号{plan['plan_id']}，{plan['period_from']}至{plan['period_to']}，"
            f"{plan['filed_on']}向{plan['received_by']}备案）")


def _entered(plan: Mapping[str, Any]) -> str:
    stamp = plan.get("entered_at")
    return f"，{china_time_text(parse_aware(str(stamp)), '%Y-%m-%d %H:%M')}录入系统" if stamp else ""


def withdraw_reason(insp: Inspection, plan: Mapping[str, Any]) -> str:
    return (f"{_plan_text(plan)}覆盖本次检查：备案日期不晚于检查日期{insp.date}，检查时已备案，"
            f"只是计划录入较晚{_entered(plan)}，本条发现撤销")


def late_reason(insp: Inspection, plan: Mapping[str, Any]) -> str:
    rule = ("专项检查应在实施前备案，未备案的不得擅自开展" if plan["plan_kind"] == "专项检查"
            else "年度计划应在依计划检查前备案")
    return (f"{_plan_text(plan)}本可覆盖本次检查，但备案日期晚于检查日期{insp.date}（{rule}），"
            f"检查时未备案，本条发现维持{_entered(plan)}")


def review(table: Any, inspections: Iterable[Inspection], plans: Sequence[Mapping[str, Any]],
           points: Mapping[str, Mapping[str, Any]], open_findings: Mapping[str, Mapping[str, Any]],
           now: dt.datetime) -> dict[str, int]:
    """Look at every inspection with an open plan finding (`open_findings`: finding_id → stored
    finding) against the plans on file now: withdraw it when a plan filed in time covers it, or note
    each plan filed too late. Returns {withdrawn, noted}."""
    counts = {"withdrawn": 0, "noted": 0}
    for insp in inspections:
        found = open_findings.get(finding_id(insp)) if insp.inspection_type != RANDOM else None
        if found is None:
            continue
        point = points.get(insp.point_id)
        own = [p for p in plans if p["department"] == insp.department]
        cover = next((p for p in own if why_not(insp, p, point) is None), None)
        if cover is not None:
            counts["withdrawn"] += _change(table, found, "withdrawn", cover, withdraw_reason(insp, cover), now)
            continue
        noted = {h.get("plan_id") for h in found.get("history") or [] if h.get("action") == "late_filing"}
        for plan in own:
            if plan["plan_id"] not in noted and filed_late(insp, plan, point):
                counts["noted"] += _change(table, found, "late_filing", plan, late_reason(insp, plan), now)
                found = table.get(f"POINT#{found['point_id']}", _sk(found)) or found
    return counts


def _sk(found: Mapping[str, Any]) -> str:
    return f"FINDING#{found['finding_kind']}#{str(found['finding_id']).split('-', 1)[1]}"


def _change(table: Any, found: Mapping[str, Any], action: str, plan: Mapping[str, Any], reason: str,
            now: dt.datetime) -> int:
    entry = {"at": iso_utc(now), "action": action, "label": ACTIONS[action], "plan_id": plan["plan_id"],
             "reason": reason}
    fields: dict[str, Any] = {"history": [*(found.get("history") or []), entry]}
    if action == "withdrawn":
        fields |= {"status": WITHDRAWN, "withdrawn_on": iso_utc(now), "withdrawn_reason": reason}
    try:
        table.update(f"POINT#{found['point_id']}", _sk(found), fields, condition=OPEN_ONLY)
    except Conflict:
        return 0  # changed meanwhile (withdrawn or transferred): left as it is
    return 1


def open_plan_findings(stored: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """finding_id → finding, for the stored plan findings still open."""
    return {str(f["finding_id"]): dict(f) for f in stored
            if f.get("finding_kind") in PLAN_KINDS and f.get("status", "open") == "open"}
