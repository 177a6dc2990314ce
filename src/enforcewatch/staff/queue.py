"""What the flag queue page adds to the queue itself (`staffing.flag_queue`, a page of points with
their flags, in the monitoring package): the enterprise names of the points shown, and the states
and steps offered in words."""

from __future__ import annotations

from collections.abc import Iterable

from enforcewatch.store.dynamo import DynamoTable

STATES = {"open": "待处理", "closed": "已关闭", "all": "全部"}
# The page's steps: each is one domain action (staffing): an event, a status, or a revocation decision.
STEPS = {"reminder": "记录已提醒", "revoke": "取消资格", "keep": "保留资格", "terminated": "确认终止",
         "withdrawn": "确认退出", "plaque_returned": "记录牌匾已收回"}


def names_of(table: DynamoTable, point_ids: Iterable[str]) -> dict[str, str]:
    """Enterprise names of the points on one page (one read each, only for the page shown)."""
    out = {}
    for pid in point_ids:
        if pid:
            item = table.get(f"POINT#{pid}", "POINT", consistent=False)
            out[pid] = str(item.get("enterprise_name", "")) if item else ""
    return out
