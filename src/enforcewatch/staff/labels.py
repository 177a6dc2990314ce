"""What staff read instead of ids and codes: district names, Beijing time, flag kinds, event kinds
and reasons, point statuses and audit actions, in Chinese (issue 16: no pinyin ids, no UTC strings,
no English action names on a staff page)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from enforcewatch.clock import CHINA
from enforcewatch.monitoring.deadlines import (
    DISQUALIFYING_REASONS,
    EVENT_LABELS,
    STATUS_LABELS,
    TERMINATION_REASONS,
)
from enforcewatch.staff.auditlabels import ACTION_LABELS, OUTCOME_LABELS

FLAG_LABELS = {
    "overdue": "逾期未报送", "reminder_due": "应予提醒", "revocable": "可取消资格", "terminated": "应终止",
    "plaque_to_recover": "应收回牌匾", "transfer_overdue": "转交逾期未办结",
}
REASON_LABELS = {**DISQUALIFYING_REASONS, **TERMINATION_REASONS}
EVENT_NAMES = {**EVENT_LABELS, "revocation_kept": "保留资格"}


def beijing(value: str | dt.datetime | None, with_seconds: bool = False) -> str:
    """A stored UTC timestamp as Beijing time, "2026-03-09 10:00"; "" for nothing."""
    if not value:
        return ""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")



class DistrictNames:
    """District id → name, from the content's districts; an unknown id is shown as it is."""

    def __init__(self, districts: Sequence[Mapping[str, str]]) -> None:
        self.names = {d["id"]: d["name"] for d in districts}

    def __call__(self, district_id: Any) -> str:
        if district_id == "office":
            return "市级"
        return self.names.get(str(district_id), str(district_id or ""))


def label(table: Mapping[str, str], code: Any) -> str:
    return table.get(str(code), str(code or ""))


LABEL_TABLES: dict[str, Mapping[str, str]] = {
    "flag": FLAG_LABELS, "event": EVENT_NAMES, "status": STATUS_LABELS, "reason": REASON_LABELS,
    "action": ACTION_LABELS, "outcome": OUTCOME_LABELS,
}
