"""The published 涉企检查计划: the plans on file as the public may see them, per agency and month,
with CSV and JSON downloads.

Staff write the public file with `enforcewatch plans publish` (the plans' `public_view` as of a day:
named targets of a special inspection stay out until the plan allows, and nobody's account name is
in it) into site/content; the build reads it through `plans_hook` and renders
site/templates/pages/inspection-plans/index.html. Without the file the page says nothing is published
yet (the page exists either way: the content links to it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from enforcewatch.cells import as_text
from enforcewatch.errors import ContentError, ContentProblem

PLANS_FILE = "inspection-plans.json"
PAGE_PATH = "/inspection-plans/"
CSV_HEADER = ("计划编号", "部门", "类型", "计划名称", "检查事项", "检查行业或领域", "检查对象", "开始日期", "结束日期",
              "检查缘由", "备案日期", "备案受理机关")


class PublicPlan(BaseModel):
    """One plan as published: exactly the fields of `plans.public_view` (no entering account)."""

    model_config = ConfigDict(extra="forbid")

    plan_id: str
    kind: str
    department: str
    department_name: str
    title: str
    matters: list[str]
    sector: str
    enterprises: list[str]
    targets_withheld_until: str | None
    period_from: str
    period_to: str
    ground: str
    filed_on: str
    received_by: str


class PlansFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: str
    plans: list[PublicPlan]


def write(views: Iterable[Mapping[str, Any]], as_of: dt.date, path: Path) -> int:
    data = PlansFile(as_of=as_of.isoformat(), plans=[PublicPlan.model_validate(v) for v in views])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data.model_dump_json(indent=1) + "\n", encoding="utf-8")
    return len(data.plans)


def load(content_dir: Path) -> PlansFile | None:
    path = content_dir / PLANS_FILE
    if not path.is_file():
        return None
    try:
        return PlansFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise ContentError([ContentProblem(str(path), None, "", f"检查计划文件格式不正确：{exc}")]) from None


def _targets(plan: PublicPlan) -> str:
    if plan.targets_withheld_until:
        return f"检查对象暂不公开（{plan.targets_withheld_until}起公布）"
    return "、".join(plan.enterprises)


def csv_text(data: PlansFile, matter_names: Mapping[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for p in data.plans:
        writer.writerow([as_text(v) for v in (
            p.plan_id, p.department_name, p.kind, p.title, "、".join(matter_names.get(m, m) for m in p.matters),
            p.sector, _targets(p), p.period_from, p.period_to, p.ground, p.filed_on, p.received_by)])
    return "\ufeff" + buffer.getvalue()


def page_context(data: PlansFile, departments: Iterable[Any], matter_names: Mapping[str, str]) -> dict[str, Any]:
    """Per agency (in the departments' order) and month the plan starts in, newest month first."""
    agencies = []
    for dept in departments:
        own = [p for p in data.plans if p.department == dept.id]
        months: dict[str, list[dict[str, Any]]] = {}
        for p in sorted(own, key=lambda p: (p.period_from, p.plan_id)):
            months.setdefault(p.period_from[:7], []).append(
                {**p.model_dump(), "matter_names": [matter_names.get(m, m) for m in p.matters], "targets": _targets(p)})
        if months:
            agencies.append({"id": dept.id, "name": dept.name,
                             "months": [(m, months[m]) for m in sorted(months, reverse=True)]})
    return {"as_of": data.as_of, "agencies": agencies, "count": len(data.plans)}


def matter_names(content: Any) -> dict[str, str]:
    names = {i.id: i.name for i in content.enforcement.items}
    names.update({i.id: i.item for i in content.spot_checks.items})
    return names


def plans_hook(content_dir: Path) -> Callable[[Any], Mapping[str, Any]]:
    """A build context hook: `inspection_plans` for the page, and the two downloads."""
    def hook(content: Any) -> Mapping[str, Any]:
        data = load(content_dir)
        if data is None:
            return {"inspection_plans": None}
        names = matter_names(content)
        body = data.model_dump_json(indent=1) + "\n"
        return {"inspection_plans": page_context(data, content.departments, names),
                "data_files": {"data/inspection-plans.json": body, "data/inspection-plans.csv": csv_text(data, names)}}
    return hook
