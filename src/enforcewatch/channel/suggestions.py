"""Replies to the suggestions in monthly reports (seed 000 §六: 对监测点提出的意见建议…回复处理结果), like
the replies to complaints: each suggestion gets a status (收到 → 处理中 → 已答复) and a reply the point
reads when it signs in.

Items: `POINT#{id}` / `SUGGESTION#{month}#{seq}` beside the report, written by the point's district
(or the office).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from enforcewatch.casework.records import collect, text
from enforcewatch.clock import iso_utc as iso
from enforcewatch.errors import FieldError, NotFound
from enforcewatch.staff.staffing import Scope, point_in_scope

STATUSES = {"received": "收到", "in_progress": "处理中", "answered": "已答复"}


def _sk(month: str, seq: int) -> str:
    return f"SUGGESTION#{month}#{seq:04d}"


def reply(table: Any, scope: Scope, point_id: str, month: str, seq: int, data: dict[str, Any], now: dt.datetime
          ) -> dict[str, Any]:
    problems: list[FieldError] = []
    status = data.get("status")
    if status not in STATUSES:
        problems.append(FieldError(("status",), "状态应为 received（收到）/ in_progress（处理中）/ answered（已答复）"))
    answer = text(data.get("reply"), "reply", problems, limit=4000, required=status == "answered")
    collect(problems)
    point = point_in_scope(table, scope, point_id)
    report = table.get(f"POINT#{point['point_id']}", f"REPORT#{month}#{seq:04d}")
    if report is None or not report.get("suggestions"):
        raise NotFound("没有找到该月报中的意见建议")
    item = {"pk": f"POINT#{point['point_id']}", "sk": _sk(month, seq), "kind": "suggestion_reply",
            "point_id": point["point_id"], "district": point.get("district"), "month": month, "seq": seq,
            "status": status, "reply": answer, "replied_by": scope.username, "updated_at": iso(now)}
    table.put({k: v for k, v in item.items() if v is not None})
    return {k: v for k, v in item.items() if k not in ("pk", "sk") and v is not None}


def one(table: Any, scope: Scope, point_id: str, month: str, seq: int) -> dict[str, Any]:
    """One report's suggestion with its status and reply, for the account's own points only (another
    district's is 'not found', as for every point)."""
    point = point_in_scope(table, scope, point_id)
    report = table.get(f"POINT#{point['point_id']}", f"REPORT#{month}#{seq:04d}")
    if report is None or not report.get("suggestions"):
        raise NotFound("没有找到该月报中的意见建议")
    answer = table.get(f"POINT#{point['point_id']}", _sk(month, seq)) or {}
    return {"point_id": point["point_id"], "enterprise_name": point.get("enterprise_name"),
            "district": point.get("district"), "month": month, "seq": seq, "suggestion": report["suggestions"],
            "received_at": report.get("received_at"), "status": answer.get("status", "received"),
            "status_label": STATUSES[answer.get("status", "received")], "reply": answer.get("reply"),
            "updated_at": answer.get("updated_at")}


def for_point(table: Any, point_id: str) -> list[dict[str, Any]]:
    """Each suggestion the point made (latest filing of each month), with its status and reply."""
    reports: dict[str, dict[str, Any]] = {}
    for report in table.query(f"POINT#{point_id}", "REPORT#"):
        month = str(report["month"])
        if month not in reports or int(report["seq"]) > int(reports[month]["seq"]):
            reports[month] = report
    replies = {(r["month"], int(r["seq"])): r for r in table.query(f"POINT#{point_id}", "SUGGESTION#")}
    out = []
    for month in sorted(reports, reverse=True):
        report = reports[month]
        if report.get("suggestions"):
            answer = replies.get((month, int(report["seq"])), {})
            out.append({"month": month, "seq": int(report["seq"]), "suggestion": report["suggestions"],
                        "status": STATUSES[answer.get("status", "received")], "reply": answer.get("reply"),
                        "updated_at": answer.get("updated_at")})
    return out


def listing(table: Any, districts: list[str], month_from: str, month_to: str) -> list[dict[str, Any]]:
    """The suggestions of these districts' latest filings in the months, each with its status and reply
    (a staff account's work list; open ones first)."""
    # cold start: loaded only when this path runs, not at import
    from enforcewatch.insights.inspections import latest_filings
    from enforcewatch.staff.exportrows import stored_reports

    out = []
    for report in latest_filings(stored_reports(table, districts, month_from, month_to)):
        if not report.get("suggestions"):
            continue
        seq = int(report["seq"])
        answer = table.get(f"POINT#{report['point_id']}", _sk(str(report["month"]), seq)) or {}
        out.append({"point_id": report["point_id"], "district": report.get("district"), "month": report["month"],
                    "seq": seq, "suggestion": report["suggestions"],
                    "status": STATUSES[answer.get("status", "received")], "reply": answer.get("reply")})
    out.sort(key=lambda s: (s["status"] == STATUSES["answered"], str(s["month"]), str(s["point_id"])))
    return out
