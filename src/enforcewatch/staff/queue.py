"""The flag work queue as staff read it: flags in scope (open ones unless asked otherwise), filtered
by district, kind and month, grouped by point, and the one step that settles each kind.

A flag's state comes from the deadline check (`state`, `closed_on`); a flag stored before states
existed counts as open. The steps are the point's own actions (staffing: an event or a status), so
the next check closes the flag by its rules (docs/rules.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from enforcewatch.errors import FieldError, InputError
from enforcewatch.staff import staffing
from enforcewatch.staff.labels import FLAG_LABELS
from enforcewatch.staff.pointviews import is_open
from enforcewatch.staff.staffing import Scope
from enforcewatch.store.dynamo import DynamoTable

STATES = {"open": "待处理", "closed": "已关闭", "all": "全部"}
# The one step each kind asks for (an event kind, or a status), as the queue offers it.
ACTIONS = {
    "overdue": ("reminder", "记录已提醒"),
    "reminder_due": ("reminder", "记录已提醒"),
    "revocable": ("decide", "决定是否取消资格"),
    "terminated": ("terminated", "确认终止"),
    "plaque_to_recover": ("plaque_returned", "记录牌匾已收回"),
}


@dataclass(frozen=True)
class QueueFilter:
    district: str = ""
    kind: str = ""
    month: str = ""  # the month the flag is about (its key) or, failing that, the month it was raised
    state: str = "open"
    point: str = ""  # one point's flags (the link from its page)

    def check(self) -> None:
        problems = []
        if self.kind and self.kind not in FLAG_LABELS:
            problems.append(FieldError(("kind",), "标记类型不在可选范围内"))
        if self.state not in STATES:
            problems.append(FieldError(("state",), "处理状态应为 待处理 / 已关闭 / 全部"))
        if self.month and not (len(self.month) == 7 and self.month[4] == "-" and self.month.replace("-", "").isdigit()):
            problems.append(FieldError(("month",), f"月份应写作 YYYY-MM，而不是“{self.month}”"))
        if problems:
            raise InputError("；".join(p.msg for p in problems), problems)

    def matches(self, flag: dict[str, Any]) -> bool:
        if self.point and flag.get("point_id") != self.point:
            return False
        if self.kind and flag.get("kind") != self.kind:
            return False
        if self.state != "all" and is_open(flag) != (self.state == "open"):
            return False
        return not self.month or flag_month(flag) == self.month


def flag_month(flag: dict[str, Any]) -> str:
    key = str(flag.get("key", ""))
    if len(key) == 7 and key[4] == "-":
        return key
    return str(flag.get("raised_on", ""))[:7]


@dataclass
class PointFlags:
    """One point's flags in the queue."""

    point_id: str
    district: str
    flags: list[dict[str, Any]] = field(default_factory=list)
    complaint_id: str | None = None  # a complaint's overdue transfer (the office's own bucket)


def queue(table: DynamoTable, scope: Scope, flt: QueueFilter) -> list[PointFlags]:
    """The matching flags grouped by point (points in id order, each point's flags oldest first)."""
    flt.check()
    groups: dict[str, PointFlags] = {}
    for flag in staffing.flags(table, scope, flt.district or None):
        if not flt.matches(flag):
            continue
        owner = flag.get("point_id") or f"complaint:{flag.get('complaint_id')}"
        group = groups.setdefault(owner, PointFlags(str(flag.get("point_id") or ""), str(flag.get("district") or "office"),
                                                    complaint_id=flag.get("complaint_id")))
        group.flags.append(flag)
    for g in groups.values():
        g.flags.sort(key=lambda f: (str(f.get("raised_on", "")), str(f.get("kind"))))
    return [groups[k] for k in sorted(groups)]


def names_of(table: DynamoTable, point_ids: Iterable[str]) -> dict[str, str]:
    """Enterprise names of the points on one page (one read each, only for the page shown)."""
    out = {}
    for pid in point_ids:
        if pid:
            item = table.get(f"POINT#{pid}", "POINT", consistent=False)
            out[pid] = str(item.get("enterprise_name", "")) if item else ""
    return out
