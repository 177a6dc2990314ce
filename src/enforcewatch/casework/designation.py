"""Designation of monitoring points (seed 000 §二, §三): a nomination by a district government or a
city department, or an enterprise's own application → eligibility check → the joint meeting's
decision → designation with a plaque number and an access code.

The check refuses, with reasons, an enterprise that already is an active point or that had a
disqualifying event in the two years before the check, as far as the registry knows it (the events
of any point with the same 统一社会信用代码). What the registry cannot know — the 信用中国
blacklist, the legal representative, accidents and penalties of an enterprise that was never a
point — is listed as unchecked until staff confirm each item by hand. Every step records who and when.

Items: `NOMINATION#{id}` / `NOMINATION` (gsi1 `DISTRICT#{d}` / `NOMINATION#{id}`) and, on designation,
the point (`POINT#{id}` / `POINT`, as the registry writes it) with `DESIGNATION#{date}` beside it.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from enforcewatch import codes, uscc
from enforcewatch.casework.records import (
    collect,
    date_field,
    new_id,
    point_keys,
    problem,
    public_fields,
    save_revision,
    step,
    text,
)
from enforcewatch.clock import china_date
from enforcewatch.errors import ConditionFailed, Conflict, FieldError, NotFound
from enforcewatch.monitoring import registry, registry_sheet
from enforcewatch.monitoring.deadlines import DISQUALIFYING_REASONS
from enforcewatch.monitoring.duedates import parse_month
from enforcewatch.staff.staffing import Scope
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

SOURCES = {"district": "县（市、区）政府推荐", "department": "市直行业主管部门推荐", "application": "企业自愿申报"}
STAGES = {"nominated": "已提名", "checked": "已审查", "approved": "联席会议已通过", "rejected": "未通过",
          "designated": "已授牌"}
# seed 000 §二: what staff confirm by hand because the registry cannot know it.
MANUAL_CHECKS = {
    "credit_china": "已在“信用中国”网站查询：未被列入失信被执行人等黑名单",
    "representative": "法定代表人（实控人）未涉嫌刑事犯罪，无重大社会信用风险",
    "accidents": "两年内无重大安全生产、环境污染、食品药品安全事故，无重大税收违法行为",
    "penalties": "两年内未受大额罚款、没收、责令停产停业、暂扣或吊销许可证（执照）等行政处罚",
}
POINT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")  # as the registry import accepts
LOOKBACK_YEARS = 2  # seed 000 §二: 两年内


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# -- the check (pure) -----------------------------------------------------------------------------

ELSEWHERE_POINT = "该企业已是其他县（市、区）的监测点（详情由市级营商环境办审查）"
ELSEWHERE_EVENT = "两年内在其他县（市、区）有不得选定的情形（详情由市级营商环境办审查）"


def _event_refusals(registry_events: Iterable[dict[str, Any]], ids: set[Any], shown: set[Any],
                    since: dt.date, on: dt.date) -> Iterator[dict[str, str]]:
    """A two-year refusal for each disqualifying registry event of the enterprise's points between
    `since` and `on`, oldest first; one of a point not `shown` names neither its date nor its reason."""
    for event in sorted(registry_events, key=lambda e: e.get("date", "")):
        if event.get("point_id") not in ids or event.get("kind") != "disqualifying":
            continue
        day = dt.date.fromisoformat(event["date"])
        if not since <= day <= on:
            continue
        if event["point_id"] not in shown:
            msg = ELSEWHERE_EVENT
        else:
            label = DISQUALIFYING_REASONS.get(event.get("reason") or "", event.get("reason") or "取消资格事由")
            msg = f"两年内有不得选定的情形：{day} {label}（监测点 {event['point_id']} 的登记事项）"
        yield {"check": "two_years", "msg": msg}


def assess(code: str, registry_points: Iterable[dict[str, Any]], registry_events: Iterable[dict[str, Any]],
           on: dt.date, confirmed: Iterable[str], visible: Callable[[dict[str, Any]], bool] = lambda _p: True,
           ) -> dict[str, Any]:
    """The eligibility of the enterprise with `code` on day `on`: refusals with reasons, what is unchecked.

    A point the checker may not see (`visible` false: another district's, for a district account)
    still refuses, but its id, dates and reasons are not named (issue 19)."""
    refusals: list[dict[str, str]] = []
    if msg := uscc.problem(code):
        refusals.append({"check": "uscc", "msg": f"统一社会信用代码：{msg}"})
    points = [p for p in registry_points if p.get("uscc") == code]
    shown = {p["point_id"] for p in points if visible(p)}
    for p in points:
        if p.get("status", "active") == "active":
            msg = f"该企业已是监测点（{p['point_id']}）" if p["point_id"] in shown else ELSEWHERE_POINT
            refusals.append({"check": "registry", "msg": msg})
    since = years_before(on, LOOKBACK_YEARS)
    ids = {p["point_id"] for p in points}
    for refusal in _event_refusals(registry_events, ids, shown, since, on):
        if refusal not in refusals:
            refusals.append(refusal)
    done = set(confirmed)
    unchecked = [{"check": k, "label": v} for k, v in MANUAL_CHECKS.items() if k not in done]
    return {"on": on.isoformat(), "eligible": not refusals and not unchecked, "refusals": refusals,
            "unchecked": unchecked, "confirmed": [k for k in MANUAL_CHECKS if k in done],
            "registry_points": sorted(shown), "since": since.isoformat()}


# -- nominations in the store ------------------------------------------------------------------------

def nominate(table: DynamoTable, scope: Scope, data: dict[str, Any], districts: Iterable[str],
             now: dt.datetime, rng: random.Random) -> dict[str, Any]:
    problems: list[FieldError] = []
    source = data.get("source")
    if source not in SOURCES:
        problems.append(FieldError(("source",), "来源应为 " + " / ".join(SOURCES)))
    district = data.get("district")
    if district not in set(districts):
        problems.append(FieldError(("district",), "未知的县（市、区）"))
    name = text(data.get("enterprise_name"), "enterprise_name", problems, limit=100)
    code = str(data.get("uscc") or "").strip().upper()
    if msg := uscc.problem(code):
        problems.append(FieldError(("uscc",), msg))
    unit = text(data.get("nominated_by"), "nominated_by", problems, limit=100)
    industry = text(data.get("industry"), "industry", problems, limit=50)
    reasons = text(data.get("reasons"), "reasons", problems, limit=2000, required=False)
    contact = text(data.get("contact"), "contact", problems, limit=100, required=False)
    collect(problems)
    if source == "department":
        scope.require_office()  # 市直行业主管部门 nominate through the city office
    scope.require_district(district)
    nomination_id = new_id(rng)
    item = {
        "pk": f"NOMINATION#{nomination_id}", "sk": "NOMINATION", "kind": "nomination",
        schema.GSI1PK: f"DISTRICT#{district}", schema.GSI1SK: f"NOMINATION#{nomination_id}",
        "nomination_id": nomination_id, "source": source, "nominated_by": unit, "district": district,
        "enterprise_name": name, "uscc": code, "industry": industry, "reasons": reasons, "contact": contact,
        "stage": "nominated", "steps": [step("nominated", scope.username, now, source=source)], "rev": 0,
    }
    table.put_new({k: v for k, v in item.items() if v is not None})
    return public_fields(item)


def get_nomination(table: DynamoTable, scope: Scope, nomination_id: str) -> dict[str, Any]:
    item = table.get(f"NOMINATION#{nomination_id}", "NOMINATION")
    if item is None or (not scope.is_office and item.get("district") != scope.district):
        raise NotFound("没有找到该提名")
    return item


def nominations(table: DynamoTable, scope: Scope, district: str | None = None) -> list[dict[str, Any]]:
    out = []
    for d in scope.districts(district):
        out += [public_fields(i) for i in table.query(f"DISTRICT#{d}", "NOMINATION#", index=schema.GSI1)]
    return out


def registry_view(table: DynamoTable, districts: Iterable[str], code: str
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Points with this 统一社会信用代码 in any district, and their recorded events."""
    points = [i for d in districts for i in table.query(f"DISTRICT#{d}", "POINT#", index=schema.GSI1)
              if i.get("sk") == "POINT" and i.get("uscc") == code]
    events = [e for p in points for e in table.query(f"POINT#{p['point_id']}", "EVENT#")]
    return points, events


def check(table: DynamoTable, scope: Scope, nomination_id: str, confirmed: list[str], all_districts: Iterable[str],
          now: dt.datetime) -> dict[str, Any]:
    item = get_nomination(table, scope, nomination_id)
    if item["stage"] not in ("nominated", "checked"):
        raise problem("stage", f"当前阶段为“{STAGES[item['stage']]}”，不能再审查")
    unknown = [c for c in confirmed if c not in MANUAL_CHECKS]
    if unknown:
        raise problem("confirmed", "未知的核实项：" + "、".join(unknown))
    points, events = registry_view(table, all_districts, item["uscc"])
    result = assess(item["uscc"], points, events, china_date(now), confirmed,
                    lambda p: scope.is_office or p.get("district") == scope.district)
    steps = [*item["steps"], step("checked", scope.username, now, eligible=result["eligible"])]
    return public_fields(save_revision(table, item, {"stage": "checked", "check": result, "steps": steps}))


def decide(table: DynamoTable, scope: Scope, nomination_id: str, decision: str, meeting: str | None,
           note: str | None, now: dt.datetime) -> dict[str, Any]:
    """The joint meeting's decision (seed 000 §三: 报联席会议研究通过), recorded by the city office."""
    scope.require_office()
    problems: list[FieldError] = []
    if decision not in ("approved", "rejected"):
        problems.append(FieldError(("decision",), "决定应为 approved（通过）或 rejected（不通过）"))
    meeting = text(meeting, "meeting", problems, limit=200)
    note = text(note, "note", problems, limit=2000, required=False)
    collect(problems)
    item = get_nomination(table, scope, nomination_id)
    if item["stage"] != "checked":
        raise problem("stage", "须先完成资格审查")
    if decision == "approved" and not item["check"]["eligible"]:
        raise problem("decision", "资格审查未通过或仍有未核实项，不能通过")
    steps = [*item["steps"], step(decision, scope.username, now, meeting=meeting, note=note)]
    return public_fields(save_revision(table, item, {"stage": decision, "decision": {"decision": decision,
                               "meeting": meeting, "note": note}, "steps": steps}))


def designate(table: DynamoTable, scope: Scope, nomination_id: str, data: dict[str, Any], now: dt.datetime,
              rng: random.Random) -> tuple[dict[str, Any], str]:
    """Create the point (status active) with its plaque number; returns it and the access code (shown once)."""
    scope.require_office()
    problems: list[FieldError] = []
    point_id = str(data.get("point_id") or "")
    if not POINT_ID.match(point_id):
        problems.append(FieldError(("point_id",), "监测点编号只能含字母、数字和连字符，最长32位"))
    plaque = text(data.get("plaque_no"), "plaque_no", problems, limit=50)
    day = date_field(data.get("designated_on"), "designated_on", problems, not_after=china_date(now))
    start = str(data.get("reporting_from") or "")
    try:
        parse_month(start)
    except ValueError as exc:
        problems.append(FieldError(("reporting_from",), str(exc)))
    else:
        if day and start < f"{day:%Y-%m}":
            problems.append(FieldError(("reporting_from",), "起报月份不能早于授牌日期所在月份"))
    collect(problems)
    assert day is not None and plaque is not None
    item = get_nomination(table, scope, nomination_id)
    if item["stage"] != "approved":
        raise problem("stage", "须经联席会议通过后才能授牌")
    code = codes.new_code(rng)
    row = registry_sheet.PointRow(0, point_id, item["enterprise_name"], item["uscc"], item["district"], item["industry"],
                            day, start, plaque, item.get("contact"))
    point = registry.point_item(row, None, codes.hash_code(code), now)
    point["designated_by_nomination"] = nomination_id
    record = {**point_keys(point, f"DESIGNATION#{day.isoformat()}"), "kind": "designation",
              "nomination_id": nomination_id, "plaque_no": plaque, "designated_on": day.isoformat(),
              "source": item["source"], "nominated_by": item.get("nominated_by"), "check": item["check"],
              "decision": item["decision"], "steps": [*item["steps"], step("designated", scope.username, now,
                                                                           point_id=point_id, plaque_no=plaque)]}
    try:
        table.transact_put_new([point, {k: v for k, v in record.items() if v is not None}])
    except ConditionFailed:
        raise Conflict(f"监测点编号 {point_id} 已被使用", [FieldError(("point_id",), "该编号已被使用")]) from None
    save_revision(table, item, {"stage": "designated", "point_id": point_id, "steps": record["steps"]})
    return public_fields(point), code
