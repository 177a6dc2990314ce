"""Notices from the city office or a district to one point, a district's points or all points (e.g.
the formal 提醒, a meeting invitation, a 评议 questionnaire).

Items: `NOTICE#{id}` / `NOTICE`, listed for its audience by gsi2 `NOTICES#ALL`, `NOTICES#D#{district}`
or `NOTICES#P#{point}` / `{sent_at}#{id}`. A point reads the three lists that reach it.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from enforcewatch.casework.records import collect, new_id, text
from enforcewatch.clock import iso_utc
from enforcewatch.errors import FieldError
from enforcewatch.staff.staffing import Scope, point_in_scope
from enforcewatch.store import schema

AUDIENCES = {"all": "全部监测点", "district": "本辖区监测点", "point": "一个监测点"}
KINDS = ("通知", "提醒", "会议通知", "评议问卷", "其他")
OFFICE_NAME = "市营商环境办"


def _audience_key(audience: str, district: str | None, point_id: str | None) -> str:
    return {"all": "NOTICES#ALL", "district": f"NOTICES#D#{district}", "point": f"NOTICES#P#{point_id}"}[audience]


def send(table: Any, scope: Scope, data: dict[str, Any], now: dt.datetime, rng: random.Random,
         district_names: dict[str, str]) -> dict[str, Any]:
    """A district account reaches its own district or one of its points; the office reaches anyone."""
    problems: list[FieldError] = []
    audience = data.get("audience")
    if audience not in AUDIENCES:
        problems.append(FieldError(("audience",), "发送对象应为 all（全部监测点）/ district（一个辖区）/ point（一个监测点）"))
    kind = data.get("kind") or "通知"
    if kind not in KINDS:
        problems.append(FieldError(("kind",), "类型应为 " + "、".join(KINDS)))
    title = text(data.get("title"), "title", problems, limit=100)
    body = text(data.get("body"), "body", problems, limit=4000)
    collect(problems)
    district, point_id = data.get("district"), data.get("point_id")
    if audience == "all":
        scope.require_office()
        district = None
    elif audience == "district":
        district = district or scope.district
        if district not in district_names:
            collect([FieldError(("district",), "未知的县（市、区）")])
        scope.require_district(district)
    else:
        point = point_in_scope(table, scope, str(point_id or ""))
        point_id, district = point["point_id"], point.get("district")
    notice_id = new_id(rng)
    sender = OFFICE_NAME if scope.is_office else f"{district_names.get(scope.district or '', '')}营商环境办"
    item = {"pk": f"NOTICE#{notice_id}", "sk": "NOTICE", "kind": "notice", "notice_id": notice_id,
            "audience": audience, "district": district, "point_id": point_id, "notice_kind": kind,
            "title": title, "body": body, "sender": sender, "sent_by": scope.username, "sent_at": iso_utc(now),
            "gsi2pk": _audience_key(str(audience), district, point_id), "gsi2sk": f"{iso_utc(now)}#{notice_id}"}
    table.put_new({k: v for k, v in item.items() if v is not None})
    return {k: v for k, v in item.items() if not k.startswith(("pk", "sk", "gsi")) and v is not None}


def for_point(table: Any, point: dict[str, Any], limit: int = 50) -> list[dict[str, Any]]:
    """The notices that reach a point, newest first: what the point sees (never who sent them)."""
    keys = ["NOTICES#ALL", f"NOTICES#D#{point.get('district')}", f"NOTICES#P#{point['point_id']}"]
    found = [n for key in keys for n in table.query(key, index="gsi2")]
    found.sort(key=lambda n: str(n["sent_at"]), reverse=True)
    return [{"notice_id": n["notice_id"], "kind": n["notice_kind"], "title": n["title"], "body": n["body"],
             "sender": n["sender"], "sent_at": n["sent_at"], "sent_time": beijing(str(n["sent_at"]))}
            for n in found[:limit]]


def beijing(stamp: str) -> str:
    """A stored UTC time as people read it: Beijing time, to the minute."""
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) + dt.timedelta(hours=8)
    return f"{moment:%Y-%m-%d %H:%M}（北京时间）"


def sent(table: Any, scope: Scope) -> list[dict[str, Any]]:
    """The notices a staff account may see: the office all of them; a district those to its district
    and its points, and those to all points."""
    keys = ["NOTICES#ALL"] + [f"NOTICES#D#{d}" for d in scope.districts()]
    out = [n for key in keys for n in table.query(key, index=schema.GSI2)]
    # notices to single points: found through each district's points (gsi1 has the registry)
    for district in scope.districts():
        for item in table.query(f"DISTRICT#{district}", index=schema.GSI1):
            if item.get("sk") == "POINT":
                out += list(table.query(f"NOTICES#P#{item['point_id']}", index=schema.GSI2))
    out.sort(key=lambda n: str(n["sent_at"]), reverse=True)
    return [{k: v for k, v in n.items() if not k.startswith(("pk", "sk", "gsi"))} for n in out]
