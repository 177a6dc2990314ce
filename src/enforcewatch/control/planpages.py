"""The pages of the published 涉企检查计划: an index, a page per agency and a page per month (the month a
plan starts in), each with its own downloads (CSV, JSON, XLSX) like the other lists.

    /inspection-plans/                          every agency and every month, with counts and downloads
    /inspection-plans/department/{id}/          one agency's plans, by month, newest first
    /inspection-plans/month/{YYYY-MM}/          the plans starting in one month, by agency
    /data/inspection-plans.{csv,json,xlsx}      all; /data/inspection-plans/department/{id}.… and
                                                /data/inspection-plans/month/{YYYY-MM}.… the parts

The plans are `publication.PublicPlan`s: named targets are already out unless the plan allows them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ROOT = "inspection-plans"
FORMATS = ("xlsx", "csv", "json")
FORMAT_NAMES = {"xlsx": "Excel 表格", "csv": "CSV（Excel 可打开）", "json": "JSON"}


def month_label(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


def agency_path(dept_id: str) -> str:
    return f"/{ROOT}/department/{dept_id}/"


def month_path(month: str) -> str:
    return f"/{ROOT}/month/{month}/"


def data_stem(part: str = "") -> str:
    """data/inspection-plans (all), data/inspection-plans/department/scjg, data/inspection-plans/month/2026-05."""
    return f"data/{ROOT}" + (f"/{part}" if part else "")


def downloads(part: str = "") -> list[dict[str, str]]:
    return [{"href": f"/{data_stem(part)}.{f}", "name": FORMAT_NAMES[f]} for f in FORMATS]


def targets_text(plan: Any) -> str:
    if plan.targets_withheld_until:
        return f"检查对象暂不公开（{plan.targets_withheld_until}起公布）"
    return "、".join(plan.enterprises)


def _row(plan: Any, matter_names: Mapping[str, str]) -> dict[str, Any]:
    return {**plan.model_dump(), "matter_names": [matter_names.get(m, m) for m in plan.matters],
            "targets": targets_text(plan)}


def _by_month(plans: Iterable[Any]) -> list[str]:
    return sorted({p.period_from[:7] for p in plans}, reverse=True)


def parts(plans: Sequence[Any], departments: Sequence[Any]) -> tuple[list[Any], list[str]]:
    """The agencies with published plans (in the departments' order) and the months, newest first."""
    agencies = [d for d in departments if any(p.department == d.id for p in plans)]
    return agencies, _by_month(plans)


def index_context(as_of: str, plans: Sequence[Any], departments: Sequence[Any]) -> dict[str, Any]:
    agencies, months = parts(plans, departments)
    return {
        "as_of": as_of, "count": len(plans), "downloads": downloads(),
        "agencies": [{"id": d.id, "name": d.name, "href": agency_path(d.id),
                      "count": sum(1 for p in plans if p.department == d.id),
                      "months": [{"label": month_label(m), "href": f"{agency_path(d.id)}#m-{m}",
                                  "count": sum(1 for p in plans if p.department == d.id and p.period_from[:7] == m)}
                                 for m in _by_month(p for p in plans if p.department == d.id)]}
                     for d in agencies],
        "months": [{"month": m, "label": month_label(m), "href": month_path(m),
                    "count": sum(1 for p in plans if p.period_from[:7] == m),
                    "agencies": len({p.department for p in plans if p.period_from[:7] == m})} for m in months],
    }


def agency_context(as_of: str, dept: Any, plans: Sequence[Any], matter_names: Mapping[str, str]) -> dict[str, Any]:
    own = sorted((p for p in plans if p.department == dept.id), key=lambda p: (p.period_from, p.plan_id))
    return {"as_of": as_of, "department": {"id": dept.id, "name": dept.name}, "count": len(own),
            "downloads": downloads(f"department/{dept.id}"),
            "groups": [{"id": f"m-{m}", "title": month_label(m), "href": month_path(m),
                        "caption": f"{dept.name} {month_label(m)}开始的检查计划",
                        "plans": [_row(p, matter_names) for p in own if p.period_from[:7] == m]}
                       for m in _by_month(own)]}


def month_context(as_of: str, month: str, plans: Sequence[Any], departments: Sequence[Any],
                  matter_names: Mapping[str, str]) -> dict[str, Any]:
    own = sorted((p for p in plans if p.period_from[:7] == month), key=lambda p: (p.period_from, p.plan_id))
    return {"as_of": as_of, "month": month, "label": month_label(month), "count": len(own),
            "downloads": downloads(f"month/{month}"),
            "groups": [{"id": f"dept-{d.id}", "title": d.name, "href": agency_path(d.id),
                        "caption": f"{d.name} {month_label(month)}开始的检查计划",
                        "plans": [_row(p, matter_names) for p in own if p.department == d.id]}
                       for d in departments if any(p.department == d.id for p in own)]}


def pages(as_of: str, plans: Sequence[Any], departments: Sequence[Any], matter_names: Mapping[str, str]
          ) -> dict[str, tuple[str, dict[str, Any]]]:
    """Output path → (template, its context) for every agency page and every month page."""
    agencies, months = parts(plans, departments)
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for dept in agencies:
        out[f"{ROOT}/department/{dept.id}/index.html"] = (
            "plans/agency.html", {"plans_page": agency_context(as_of, dept, plans, matter_names)})
    for month in months:
        out[f"{ROOT}/month/{month}/index.html"] = (
            "plans/month.html", {"plans_page": month_context(as_of, month, plans, departments, matter_names)})
    return out
