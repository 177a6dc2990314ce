"""One point's case history: designation, reports, verifications, reminders and events, flags,
transfers, commendations and status changes, oldest first — read with one query of the point's
partition (docs/data-model.md). Entries carry what staff need to follow the case, not the report's
contents (those stay in the report downloads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from enforcewatch.monitoring.deadlines import (
    DISQUALIFYING_REASONS,
    EVENT_LABELS,
    STATUS_LABELS,
    TERMINATION_REASONS,
)
from enforcewatch.staff.staffing import Scope, point_in_scope
from enforcewatch.store.dynamo import DynamoTable

COLUMNS = ("时间", "类别", "事项", "经办", "说明")
STEP_LABELS = {
    "nominated": "提名", "checked": "资格审查", "approved": "联席会议通过", "rejected": "联席会议未通过",
    "designated": "授牌", "opened": "启动核查", "materials_requested": "要求提供材料",
    "materials_received": "收到监测点材料", "concluded": "核查结论", "transferred": "转交",
    "answered": "部门答复", "rectified": "整改完成", "closed": "办结", "commended": "表彰",
}
CATEGORY = {"DESIGNATION": "选定", "VERIFY": "核查", "TRANSFER": "转交", "COMMEND": "表彰"}
FLAG_LABELS = {"overdue": "逾期未报", "reminder_due": "需提醒", "revocable": "可取消资格", "terminated": "应终止",
               "plaque_to_recover": "待收回牌匾", "transfer_overdue": "转交逾期未办结"}


def _entry(at: str, category: str, title: str, by: str | None = None, detail: str | None = None) -> dict[str, Any]:
    return {"at": at, "category": category, "title": title, "by": by or "", "detail": detail or ""}


def _steps(item: dict[str, Any], category: str, summary: str) -> Iterator[dict[str, Any]]:
    for s in item.get("steps", []):
        extra = {k: v for k, v in s.items() if k not in ("step", "by", "at")}
        detail = "；".join(f"{k}={v}" for k, v in extra.items())
        yield _entry(s["at"], category, f"{STEP_LABELS.get(s['step'], s['step'])}：{summary}", s["by"], detail)


def _point_entries(item: dict[str, Any], recorded_changes: bool) -> list[dict[str, Any]]:
    out = []
    if not item.get("designated_by_nomination") and item.get("designated_on"):
        out.append(_entry(item["designated_on"], "选定", f"选定为监测点（登记导入），牌匾 {item.get('plaque_no') or '—'}"))
    if item.get("status_changed_at") and not recorded_changes:  # a change made before they were kept
        label = STATUS_LABELS.get(item.get("status", ""), item.get("status"))
        out.append(_entry(item["status_changed_at"], "状态", f"状态变更为：{label}"))
    return out


def _status_entry(item: dict[str, Any]) -> dict[str, Any]:
    previous = STATUS_LABELS.get(item.get("previous") or "", item.get("previous") or "")
    return _entry(item["changed_at"], "状态", f"状态变更为：{STATUS_LABELS.get(item['status'], item['status'])}",
                  item.get("changed_by"), f"原状态：{previous}" if previous else "")


def _report_entry(item: dict[str, Any]) -> dict[str, Any]:
    what = "更正月报" if int(item.get("seq", 0)) else "报送月报"
    count = len(item.get("inspections") or [])
    return _entry(item["received_at"], "月报", f"{what} {item['month']}", "监测点", f"检查 {count} 次")


def _event_entry(item: dict[str, Any]) -> dict[str, Any]:
    reason = {**DISQUALIFYING_REASONS, **TERMINATION_REASONS}.get(item.get("reason") or "", "")
    return _entry(item["date"], "事项", EVENT_LABELS.get(item["kind"], item["kind"]),
                  item.get("recorded_by"), "；".join(x for x in (reason, item.get("note")) if x))


def _flag_entry(item: dict[str, Any]) -> dict[str, Any]:
    return _entry(item.get("raised_on") or item.get("stored_at", ""), "预警",
                  FLAG_LABELS.get(item["kind"], item["kind"]), "每日检查", str(item.get("key", "")))


# One entry per item of these kinds (by the first part of the sort key)...
_ONE_ENTRY: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "STATUS": _status_entry, "REPORT": _report_entry, "EVENT": _event_entry, "FLAG": _flag_entry}
# ...and one per recorded step of each casework record, under its summary.
_SUMMARY: dict[str, Callable[[dict[str, Any]], str]] = {
    "DESIGNATION": lambda i: f"牌匾 {i.get('plaque_no')}", "VERIFY": lambda i: f"{i.get('month')} 月报",
    "TRANSFER": lambda i: f"{i.get('department')}，期限 {i.get('deadline')}", "COMMEND": lambda i: f"{i.get('period')}"}


def _item_entries(item: dict[str, Any], recorded_changes: bool) -> list[dict[str, Any]]:
    sk = item.get("sk", "")
    head = sk.split("#", 1)[0]
    if sk == "POINT":
        return _point_entries(item, recorded_changes)
    if head in _ONE_ENTRY:
        return [_ONE_ENTRY[head](item)]
    if head in CATEGORY:
        return list(_steps(item, CATEGORY[head], _SUMMARY[head](item)))
    return []


def entries(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Timeline entries of a point's items (pure), sorted by time."""
    items = list(items)
    recorded_changes = any(i.get("sk", "").startswith("STATUS#") for i in items)
    out = [entry for item in items for entry in _item_entries(item, recorded_changes)]
    return sorted(out, key=lambda e: (not e["at"], e["at"]))  # undated entries last


def point_timeline(table: DynamoTable, scope: Scope, point_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    point = point_in_scope(table, scope, point_id)
    items = list(table.query(f"POINT#{point_id}", consistent=True))
    head = {k: point.get(k) for k in ("point_id", "enterprise_name", "uscc", "district", "status", "plaque_no")}
    return head, entries(items)


def rows(timeline: list[dict[str, Any]]) -> Iterator[list[Any]]:
    for e in timeline:
        yield [e["at"], e["category"], e["title"], e["by"], e["detail"]]
