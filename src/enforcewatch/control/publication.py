"""The published 涉企检查计划: the plans on file as the public may see them, per agency and per month
(`control.planpages`), with CSV, JSON and XLSX downloads of the whole and of each part.

Staff write the public file with `enforcewatch plans publish` (the plans' `public_view` as of a day, never
later than today: named targets of a special inspection stay out until the plan allows, and nobody's
account name is in it) into site/content; the build reads it through `plans_hook`, renders
site/templates/pages/inspection-plans/index.html and the agency and month pages. Without the file the
index says nothing is published yet (the page exists either way: the content and the header link to it).
A file that names targets the plan still withholds is refused, so a hand-edited file cannot leak them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from enforcewatch.cells import as_text
from enforcewatch.control import planpages
from enforcewatch.errors import ContentError, ContentProblem
from enforcewatch.tabular.writer import stable_xlsx

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

    @model_validator(mode="after")
    def _withheld(self) -> PublicPlan:
        if self.targets_withheld_until and self.enterprises:
            raise ValueError(f"计划 {self.plan_id} 的检查对象应在 {self.targets_withheld_until} 前保密，不能写入公开文件")
        return self


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


def _rows(plans: Iterable[PublicPlan], matter_names: Mapping[str, str]) -> list[list[str]]:
    return [[as_text(v) for v in (
        p.plan_id, p.department_name, p.kind, p.title, "、".join(matter_names.get(m, m) for m in p.matters),
        p.sector, planpages.targets_text(p), p.period_from, p.period_to, p.ground, p.filed_on, p.received_by)]
        for p in plans]


def csv_text(data: PlansFile, matter_names: Mapping[str, str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(_rows(data.plans, matter_names))
    return "\ufeff" + buffer.getvalue()


def xlsx_bytes(data: PlansFile, matter_names: Mapping[str, str]) -> bytes:
    """The CSV's columns as a workbook (bold, frozen header; the same bytes for the same plans)."""
    # cold start: loaded only when this path runs, not at import
    from openpyxl import Workbook  # heavy: only when a workbook is written
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("涉企检查计划")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in CSV_HEADER:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(data.plans, matter_names):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return stable_xlsx(out.getvalue())


def downloads(data: PlansFile, matter_names: Mapping[str, str], part: str = "") -> dict[str, Any]:
    stem = planpages.data_stem(part)
    return {f"{stem}.json": data.model_dump_json(indent=1) + "\n", f"{stem}.csv": csv_text(data, matter_names),
            f"{stem}.xlsx": xlsx_bytes(data, matter_names)}


def all_downloads(data: PlansFile, departments: Iterable[Any], matter_names: Mapping[str, str]) -> dict[str, Any]:
    """The whole set, each agency's and each month's plans (data/inspection-plans…)."""
    agencies, months = planpages.parts(data.plans, list(departments))
    files = downloads(data, matter_names)
    for dept in agencies:
        own = PlansFile(as_of=data.as_of, plans=[p for p in data.plans if p.department == dept.id])
        files.update(downloads(own, matter_names, f"department/{dept.id}"))
    for month in months:
        own = PlansFile(as_of=data.as_of, plans=[p for p in data.plans if p.period_from[:7] == month])
        files.update(downloads(own, matter_names, f"month/{month}"))
    return files


def matter_names(content: Any) -> dict[str, str]:
    names = {i.id: i.name for i in content.enforcement.items}
    names.update({i.id: i.item for i in content.spot_checks.items})
    return names


def plans_hook(content_dir: Path) -> Callable[[Any], Mapping[str, Any]]:
    """A build context hook: `inspection_plans` for the index, the agency and month `pages`, and the
    downloads as `data_files`."""
    def hook(content: Any) -> Mapping[str, Any]:
        data = load(content_dir)
        if data is None:
            return {"inspection_plans": None}
        names, departments = matter_names(content), list(content.departments)
        return {"inspection_plans": planpages.index_context(data.as_of, data.plans, departments),
                "pages": planpages.pages(data.as_of, data.plans, departments, names),
                "data_files": all_downloads(data, departments, names)}
    return hook
