"""The newer staff features in the demo city (issue 16: every staff page has data in the demo):
inspection plans on file (control), notices to the points (channel) and one 双随机 draw task
collecting commitments (draws), all drawn from the published lists in the content, as staff
would file them. Called by `demo.load` after the city's points are written.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from enforcewatch.channel import notices
from enforcewatch.control import plans
from enforcewatch.draws import tasks
from enforcewatch.draws.verify import ratios_bp
from enforcewatch.sitegen.content import load_content
from enforcewatch.staff.staffing import Scope
from enforcewatch.store.dynamo import DynamoTable

CLASSES = ("A", "A", "B", "B", "B", "C", "D")  # credit classes of the draw's candidates, mostly good


def load_extras(table: DynamoTable, content_dir: Path, points: Sequence[dict[str, Any]], office: Scope,
                district_names: dict[str, str], now: dt.datetime, rng: random.Random) -> dict[str, int]:
    """Plans, notices and a draw task; how many of each were stored."""
    content = load_content(content_dir)
    departments, matters = plans.published(content)
    today = (now + dt.timedelta(hours=8)).date()
    filed = [plans.file_plan(table, data, departments, matters, office.username, now, rng)
             for data in _plans(departments, matters, points, today)]
    sent = [notices.send(table, office, data, now, rng, district_names) for data in _notices(points, district_names)]
    item = content.spot_checks.items[0]
    spec = {"id": f"demo-{today:%Y%m}", "title": f"{today.year}年{item.item}双随机抽查",
            "item_id": item.id, "agency": departments.get(item.department, item.department),
            "scheduled_at": f"{today + dt.timedelta(days=7)}T10:00:00+08:00",
            "inspectors": [f"inspector-{n:02d}" for n in range(1, 7)],
            "candidates": [{"uscc": p["uscc"], "credit_class": CLASSES[n % len(CLASSES)]}
                           for n, p in enumerate(points[:40])]}
    tasks.open_task(table, spec, ratios_bp(item.ratio_pct), item.item, office.username, now, rng)
    return {"plans": len(filed), "notices": len(sent), "draws": 1}


def _plans(departments: dict[str, str], matters: dict[str, str], points: Sequence[dict[str, Any]],
           today: dt.date) -> list[dict[str, Any]]:
    out = []
    for n, department in enumerate(list(departments)[:4]):
        own = [m for m, d in matters.items() if d == department][:3]
        if not own:
            continue
        start = dt.date(today.year, 1, 1) if n % 2 == 0 else today - dt.timedelta(days=20)
        data: dict[str, Any] = {
            "kind": "年度计划" if n % 2 == 0 else "专项检查", "department": department,
            "title": f"{today.year}年{departments[department]}{'年度检查计划' if n % 2 == 0 else '专项检查'}",
            "matters": own, "period_from": start.isoformat(), "period_to": f"{today.year}-12-31",
            "filed_on": (start - dt.timedelta(days=10)).isoformat(), "received_by": "市司法局"}
        if n % 2 == 0:
            data["sector"] = "辖区内相关企业"
        else:
            data["ground"] = "投诉举报"
            data["reason"] = "群众投诉反映集中"
            data["enterprises"] = [p["uscc"] for p in points[n::17][:3]]
        out.append(data)
    return out


def _notices(points: Sequence[dict[str, Any]], district_names: dict[str, str]) -> list[dict[str, Any]]:
    first = next(iter(district_names))
    return [
        {"audience": "all", "kind": "通知", "title": "关于按时报送本月监测信息的通知",
         "body": "请各监测点于每月5日前（节假日顺延）报送上月涉企行政执法检查情况。"},
        {"audience": "district", "district": first, "title": f"{district_names[first]}监测点座谈会安排",
         "body": "定于下周三召开监测点座谈会，请各监测点派员参加。"},
        {"audience": "point", "point_id": points[0]["point_id"], "title": "请补报上月监测信息",
         "body": "系统显示贵单位上月监测信息尚未报送，请尽快补报。"},
    ]
