"""Inspection plans on file (seed 002 二(一): 各行政执法单位严格依据年度行政执法检查计划开展涉企行政执法检查，
并及时向司法行政部门备案；…专项行政执法检查，应及时向本单位法治机构备案，未备案的不得随意擅自开展).

A plan is an agency's annual plan (年度计划) or one special inspection (专项检查): which department,
which matters (ids of the published lists), which enterprises (by name or 统一社会信用代码) or which
sector, when (`period_from`–`period_to`), why (for a special one the ground: 投诉举报, 上级交办, 转办 …),
when it was filed (`filed_on`) and the office that received it (`received_by`). Named enterprises of a
special inspection may be kept out of the public site until `publish_targets_after` (`public_view`).

Items: `PLAN#{id}` / `PLAN`, listed by gsi2 `PLANS` / `{period_from}#{id}` (docs/data-model.md).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from enforcewatch.errors import FieldError, InputError, NotFound
from enforcewatch.intake.submissions import parse

KINDS = ("年度计划", "专项检查")
# seed 002 二(一): the grounds of a special inspection.
GROUNDS = ("投诉举报", "上级交办", "转办", "国家安全", "公共安全", "食药安全", "安全生产", "生态环境",
           "公共卫生突发事件", "其他")
PK, SK, LISTING = "PLAN#", "PLAN", "PLANS"


class PlanIn(BaseModel):
    """A plan or special inspection as staff enter it (or a sheet row)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Annotated[str, Field(title="类型")]
    department: Annotated[str, Field(title="执法部门", min_length=1, max_length=40)]
    title: Annotated[str, Field(title="计划名称", min_length=2, max_length=200)]
    matters: Annotated[list[str], Field(title="检查事项", min_length=1, max_length=50)]
    sector: Annotated[str | None, Field(title="检查行业或领域", max_length=200)] = None
    enterprises: Annotated[list[str], Field(title="检查对象（企业名称或统一社会信用代码）", max_length=500)] = []
    period_from: Annotated[dt.date, Field(title="检查开始日期")]
    period_to: Annotated[dt.date, Field(title="检查结束日期")]
    ground: Annotated[str | None, Field(title="检查缘由")] = None
    reason: Annotated[str | None, Field(title="缘由说明", max_length=1000)] = None
    filed_on: Annotated[dt.date, Field(title="备案日期")]
    received_by: Annotated[str, Field(title="备案受理机关", min_length=2, max_length=100)]
    publish_targets_after: Annotated[dt.date | None, Field(title="检查对象公开日期")] = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in KINDS:
            raise ValueError("应为 " + " / ".join(KINDS))
        return v

    @field_validator("ground")
    @classmethod
    def _ground(cls, v: str | None) -> str | None:
        if v is not None and v not in GROUNDS:
            raise ValueError("应为 " + "、".join(GROUNDS) + " 之一")
        return v

    @model_validator(mode="after")
    def _whole(self) -> PlanIn:
        if self.period_to < self.period_from:
            raise ValueError("检查结束日期不能早于开始日期")
        if self.kind == "专项检查" and self.ground is None:
            raise ValueError("专项检查须填写检查缘由（ground）")
        if not self.sector and not self.enterprises:
            raise ValueError("请填写检查行业或领域（sector），或检查对象（enterprises）")
        return self


def _problems(data: Mapping[str, Any], departments: Mapping[str, str], matters: Mapping[str, str]
              ) -> list[FieldError]:
    """Checks against the published lists: the department exists and each matter is one of its items
    (run on the raw data, so they are reported together with the form's own problems)."""
    problems = []
    department = data.get("department")
    if isinstance(department, str) and department and department not in departments:
        problems.append(FieldError(("department",), f"执法部门：未知部门 “{department}”，可选：{'、'.join(departments)}"))
    listed = data.get("matters")
    for n, matter in enumerate(listed if isinstance(listed, list) else []):
        owner = matters.get(matter) if isinstance(matter, str) else None
        if owner is None:
            problems.append(FieldError(("matters", n), f"检查事项：“{matter}” 不在公布的执法事项或抽查事项清单中"))
        elif owner != department:
            problems.append(FieldError(("matters", n), f"检查事项：“{matter}” 不是该部门公布的事项"))
    return problems


def validate(data: Any, departments: Mapping[str, str], matters: Mapping[str, str]) -> PlanIn:
    """`departments`: id → name; `matters`: list item id → its department id (the published lists).
    Every problem at once: the form's and those against the lists."""
    listed = _problems(data, departments, matters) if isinstance(data, Mapping) else []
    try:
        plan = parse(PlanIn, data)
    except InputError as exc:
        raise InputError(exc.message, [*exc.errors, *listed]) from None
    if listed:
        raise InputError("请按提示修改后重新提交", listed)
    return plan


def item(plan: PlanIn, plan_id: str, entered_by: str, now: dt.datetime) -> dict[str, Any]:
    body = plan.model_dump(mode="json")
    return {"pk": PK + plan_id, "sk": SK, "gsi2pk": LISTING, "gsi2sk": f"{plan.period_from}#{plan_id}",
            "kind": "plan", "plan_kind": plan.kind, "plan_id": plan_id, "entered_by": entered_by,
            "entered_at": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **{k: v for k, v in body.items() if k != "kind" and v is not None}}


def new_id(rng: random.Random, plan: PlanIn) -> str:
    return f"{plan.department}-{plan.period_from:%Y%m}-{rng.getrandbits(40):010x}"


def file_plan(table: Any, data: Any, departments: Mapping[str, str], matters: Mapping[str, str],
              entered_by: str, now: dt.datetime, rng: random.Random) -> dict[str, Any]:
    plan = validate(data, departments, matters)
    stored = item(plan, new_id(rng, plan), entered_by, now)
    table.put_new(stored)
    return stored


def get(table: Any, plan_id: str) -> dict[str, Any]:
    found = table.get(PK + plan_id, SK)
    if found is None:
        raise NotFound("没有找到该检查计划")
    return dict(found)


def listing(table: Any, date_from: dt.date | None = None, date_to: dt.date | None = None) -> list[dict[str, Any]]:
    """The plans whose period starts within [date_from, date_to] (all by default), by start date.
    A plan starting before `date_from` that still runs is included too (the index is by start, so
    the query starts a year earlier and filters)."""
    low = (date_from - dt.timedelta(days=366)).isoformat() if date_from else "0000"
    high = f"{date_to.isoformat()}#\uffff" if date_to else "9999"
    out = []
    for plan in table.query(LISTING, index="gsi2", sk_between=(low, high)):
        if date_from is None or str(plan["period_to"]) >= date_from.isoformat():
            out.append({k: v for k, v in plan.items() if not k.startswith(("pk", "sk", "gsi"))})
    return out


def targets_public(plan: Mapping[str, Any], as_of: dt.date) -> bool:
    """Named enterprises may be published once the plan allows it (never before its date)."""
    after = plan.get("publish_targets_after")
    return after is None or as_of >= dt.date.fromisoformat(str(after))


def public_view(plan: Mapping[str, Any], as_of: dt.date, department_names: Mapping[str, str]) -> dict[str, Any]:
    """What the site shows of a plan: never who entered it; named targets only when `targets_public`."""
    shown = targets_public(plan, as_of)
    return {
        "plan_id": plan["plan_id"], "kind": plan["plan_kind"], "department": plan["department"],
        "department_name": department_names.get(plan["department"], plan["department"]), "title": plan["title"],
        "matters": list(plan["matters"]), "sector": plan.get("sector") or "",
        "enterprises": list(plan.get("enterprises") or []) if shown else [],
        "targets_withheld_until": None if shown else str(plan["publish_targets_after"]),
        "period_from": str(plan["period_from"]), "period_to": str(plan["period_to"]),
        "ground": plan.get("ground") or "", "filed_on": str(plan["filed_on"]), "received_by": plan["received_by"],
    }


def public_views(plans: Iterable[Mapping[str, Any]], as_of: dt.date, department_names: Mapping[str, str]
                 ) -> list[dict[str, Any]]:
    views = [public_view(p, as_of, department_names) for p in plans]
    return sorted(views, key=lambda v: (v["department"], v["period_from"], v["plan_id"]))


def published(content: Any) -> tuple[dict[str, str], dict[str, str]]:
    """(department id → name, matter id → department id) of the published lists: the matters a plan
    may name are the enforcement items of kind 行政检查 in force and the spot-check items."""
    departments = {d.id: d.name for d in content.departments}
    matters = {i.id: i.department for i in content.enforcement.items if i.kind == "行政检查" and i.status == "有效"}
    matters.update({i.id: i.department for i in content.spot_checks.items})
    return departments, matters


def validate_rows(rows: Iterable[tuple[int, Any]], source: str, departments: Mapping[str, str],
                  matters: Mapping[str, str]) -> list[PlanIn]:
    """Every row of a sheet checked; one InputError listing every problem as `FILE:第N行: …`."""
    plans, problems = [], []
    for number, data in rows:
        try:
            plans.append(validate(data, departments, matters))
        except InputError as exc:
            problems += [FieldError((f"第{number}行", *e.loc), f"{source}:第{number}行: {e.msg}") for e in exc.errors]
    if problems:
        raise InputError("\n".join(p.msg for p in problems), problems)
    return plans


def store_all(table: Any, plans: Iterable[PlanIn], entered_by: str, now: dt.datetime, rng: random.Random) -> int:
    items = [item(p, new_id(rng, p), entered_by, now) for p in plans]
    table.batch_put(items)
    return len(items)
