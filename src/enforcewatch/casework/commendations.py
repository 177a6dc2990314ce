"""Commendations (seed 000 §五: 对报送行政执法监测信息及时、反映问题客观公正、提出建议合理的行政执法
监测点 … 适时予以通报表扬或年度表彰，并将表彰结果推送至市场监管部门，在“双随机、一公开”监管中合理
降低抽查比例和频次).

The city office records a commendation only when staff affirm all three criteria; the list of
commended points (with 统一社会信用代码, the key market regulation matches on) is exported for market
regulation as CSV or XLSX, and the export is audited like every download.
Item: `POINT#{id}` / `COMMEND#{date}#{id}`, gsi2 `COMMENDS` / `{date}#{point_id}#{id}`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from enforcewatch.casework.records import (
    collect,
    date_field,
    new_id,
    point_keys,
    public_fields,
    step,
    text,
)
from enforcewatch.clock import china_date
from enforcewatch.errors import FieldError
from enforcewatch.staff.staffing import Scope, point_in_scope
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable

KINDS = {"notice": "通报表扬", "annual": "年度表彰"}
CRITERIA = {"timely": "报送行政执法监测信息及时", "objective": "反映问题客观公正", "reasonable": "提出建议合理"}
COLUMNS = ("统一社会信用代码", "企业名称", "县（市、区）", "表彰类型", "表彰日期", "表彰期间", "表彰依据", "监测点编号")


def record(table: DynamoTable, scope: Scope, point_id: str, data: dict[str, Any], now: dt.datetime,
           rng: random.Random) -> dict[str, Any]:
    scope.require_office()  # 联席会议办公室 commends
    problems: list[FieldError] = []
    kind = data.get("kind")
    if kind not in KINDS:
        problems.append(FieldError(("kind",), "类型应为 notice（通报表扬）或 annual（年度表彰）"))
    day = date_field(data.get("date"), "date", problems, not_after=china_date(now))
    period = text(data.get("period"), "period", problems, limit=50)
    note = text(data.get("note"), "note", problems, limit=2000, required=False)
    criteria = data.get("criteria") or {}
    for key, label in CRITERIA.items():
        if not (isinstance(criteria, dict) and criteria.get(key) is True):
            problems.append(FieldError(("criteria", key), f"表彰须符合：{label}（seed 000 第五条）"))
    collect(problems)
    assert day is not None
    point = point_in_scope(table, scope, point_id)
    if point.get("status", "active") != "active":
        collect([FieldError(("point_id",), "该监测点已不在监测期内，不能表彰")])
    commend_id = new_id(rng)
    item = {**point_keys(point, f"COMMEND#{day.isoformat()}#{commend_id}"), "kind": "commendation",
            "commend_id": commend_id, "commendation": kind, "date": day.isoformat(), "period": period,
            "criteria": list(CRITERIA), "note": note, "enterprise_name": point.get("enterprise_name"),
            "uscc": point.get("uscc"), "steps": [step("commended", scope.username, now, kind=kind)],
            schema.GSI2PK: "COMMENDS", schema.GSI2SK: f"{day.isoformat()}#{point_id}#{commend_id}"}
    table.put_new({k: v for k, v in item.items() if v is not None})
    return public_fields(item)


def listing(table: DynamoTable, scope: Scope, date_from: dt.date, date_to: dt.date) -> Iterator[dict[str, Any]]:
    scope.require_office()
    for item in table.query("COMMENDS", index=schema.GSI2, sk_between=(f"{date_from}#", f"{date_to}#\uffff")):
        yield public_fields(item)


def rows(items: Iterator[dict[str, Any]], district_names: dict[str, str]) -> Iterator[list[Any]]:
    """Rows for market regulation, in `COLUMNS` order."""
    for c in items:
        yield [c.get("uscc"), c.get("enterprise_name"), district_names.get(c["district"], c["district"]),
               KINDS.get(c["commendation"], c["commendation"]), c["date"], c.get("period"),
               "；".join(CRITERIA[k] for k in c.get("criteria", []) if k in CRITERIA), c["point_id"]]
