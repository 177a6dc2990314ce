"""The 检查计划 pages (seed 002 二(一); docs/control.md): plans on file listed by agency, month and kind,
one plan's page, a plan added by form (every problem shown beside its field, what was typed kept), and
a plan sheet imported with a preview of every row's problems before anything is written.

Any staff account reads plans; a district account sees named targets only once the plan lets the
public site show them (`plans.public_view`). Adding and importing are for the city office, as in the
API. Each route calls the same `enforcewatch.control.plans` functions as the API."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from enforcewatch.api.staff.deps import Ctx
from enforcewatch.api.staff.page_kit import FormScope, PageScope, form_of, pager, redirect, render
from enforcewatch.clock import china_date
from enforcewatch.control import plans, plansheet
from enforcewatch.errors import EnforceWatchError, FieldError, ImportRowsError, InputError
from enforcewatch.staff import paging
from enforcewatch.staff.staffing import Scope

router = APIRouter(include_in_schema=False)
PAGE = "/staff/plans"
MAX_BYTES = 300 * 1024  # one table item (400 KB) holds the waiting sheet
SUFFIXES = (".csv", ".xlsx")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SEPARATORS = re.compile(r"[、，,；;\n]+")  # as in a plan sheet's list cells (docs/control.md)
LIST_FIELDS = ("matters", "enterprises")
# The plan's own rules (`PlanIn._whole`) name no field: shown beside the field each is about.
WHOLE_PLAN_RULES = {"结束日期不能早于": "period_to", "须填写检查缘由": "ground", "检查行业或领域": "sector"}
FORM_FIELDS = ("kind", "department", "title", "matters", "sector", "enterprises", "period_from", "period_to",
               "ground", "reason", "filed_on", "received_by", "publish_targets_after")


class Lists:
    """What the published lists say about plans: department names, and each matter's department and name."""

    def __init__(self, ctx: Ctx) -> None:
        # cold start: the content load (YAML, pydantic models) only when a plan page is asked for
        from enforcewatch.sitegen.content import load_content

        content = load_content(ctx.settings.content_dir)
        self.departments, self.matters = plans.published(content)
        self.matter_names = {i.id: i.name for i in content.enforcement.items}
        self.matter_names.update({i.id: i.item for i in content.spot_checks.items})

    def matter_choices(self) -> list[tuple[str, str, str]]:
        """(department name, matter id, matter name) of every matter a plan may name."""
        return sorted((self.departments.get(d, d), m, self.matter_names.get(m, "")) for m, d in self.matters.items())


def _month_range(month: str) -> tuple[dt.date | None, dt.date | None]:
    if not month:
        return None, None
    if not MONTH.match(month):
        raise InputError("月份格式应为 YYYY-MM，例如 2026-03", [FieldError(("month",), "月份格式应为 YYYY-MM，例如 2026-03")])
    first = dt.date.fromisoformat(f"{month}-01")
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def shown(plan: dict[str, Any], scope: Scope, today: dt.date, lists: Lists) -> dict[str, Any]:
    """A plan as this account may read it: the office all of it; a district account what the public
    site shows (named targets only once `publish_targets_after` has come), plus the filing office."""
    if scope.is_office:
        return {**plan, "kind": plan["plan_kind"], "department_name": lists.departments.get(plan["department"], ""),
                "targets_withheld_until": None}
    return plans.public_view(plan, today, lists.departments)


@router.get(PAGE, response_class=HTMLResponse)
def plans_page(request: Request, scope: PageScope, ctx: Ctx, department: str = "", month: str = "", kind: str = "",
               page: str = "") -> Response:
    first, last = _month_range(month)
    lists = Lists(ctx)
    today = china_date(ctx.now())
    rows = [shown(p, scope, today, lists) for p in plans.listing(ctx.table, first, last)
            if (not department or p["department"] == department) and (not kind or p["plan_kind"] == kind)]
    rows.sort(key=lambda p: (str(p["period_from"]), str(p["plan_id"])), reverse=True)
    ctx.log(scope.username, "plans", {"department": department, "month": month, "kind": kind, "rows": len(rows),
                                      "via": "page"})
    return render(request, ctx, "plans.html", scope=scope, p=pager(request, paging.paginate(rows, paging.page_number(page))),
                  flt={"department": department, "month": month, "kind": kind}, departments=lists.departments,
                  kinds=plans.KINDS)


def _values(form: dict[str, str]) -> dict[str, str]:
    return {name: form.get(name, "") for name in FORM_FIELDS}


def plan_data(values: dict[str, str]) -> dict[str, Any]:
    """The form as the plan's data: empty fields left out, list fields split as in a plan sheet."""
    data: dict[str, Any] = {k: v for k, v in values.items() if v and k not in LIST_FIELDS}
    for key in LIST_FIELDS:
        data[key] = [v.strip() for v in SEPARATORS.split(values.get(key, "")) if v.strip()]
    return data


def field_messages(errors: list[FieldError]) -> dict[str, list[str]]:
    """Each problem under the field it names ("" for the plan as a whole), to show beside the field."""
    out: dict[str, list[str]] = {}
    for error in errors:
        field = str(error.loc[0]) if error.loc and str(error.loc[0]) in FORM_FIELDS else ""
        if not error.loc:
            field = next((f for words, f in WHOLE_PLAN_RULES.items() if words in error.msg), "")
        out.setdefault(field, []).append(error.msg)
    return out


def _form(request: Request, ctx: Ctx, scope: Scope, values: dict[str, str], errors: dict[str, list[str]],
          status: int = 200) -> Response:
    lists = Lists(ctx)
    return render(request, ctx, "plan_new.html", status=status, scope=scope, v=values, errors=errors,
                  departments=lists.departments, matters=lists.matter_choices(), kinds=plans.KINDS,
                  grounds=[(g, g) for g in plans.GROUNDS])


@router.get(f"{PAGE}/new", response_class=HTMLResponse)
def new_plan_page(request: Request, scope: PageScope, ctx: Ctx) -> Response:
    scope.require_office()
    return _form(request, ctx, scope, _values({"kind": plans.KINDS[0]}), {})


@router.post(f"{PAGE}/new", response_class=HTMLResponse)
async def add_plan(request: Request, scope: FormScope, ctx: Ctx) -> Response:
    scope.require_office()
    values = _values(await form_of(request))
    lists = Lists(ctx)
    try:
        stored = plans.file_plan(ctx.table, plan_data(values), lists.departments, lists.matters, scope.username,
                                 ctx.now(), ctx.rng)
    except InputError as exc:
        return _form(request, ctx, scope, values, field_messages(exc.errors or [FieldError((), exc.message)]), 422)
    ctx.log(scope.username, "plan_add", {"plan_id": stored["plan_id"], "via": "page"})
    return redirect(ctx, f"{PAGE}/{stored['plan_id']}", f"已备案：{stored['title']}")


# -- import ----------------------------------------------------------------------------------------------

def _checked(data: bytes, suffix: str, name: str, lists: Lists) -> list[plans.PlanIn]:
    """Every row of the uploaded sheet read by the shared sheet reader and checked (`plansheet.load`,
    from the bytes, named as uploaded): raises ImportRowsError naming each problem's row and column,
    or InputError for the file as a whole."""
    return plansheet.load(Path(f"plans{suffix}"), lists.departments, lists.matters, data=data, name=name)


def _problem_rows(exc: ImportRowsError) -> list[dict[str, str]]:
    out = []
    for p in exc.problems:
        place = (f"{p.column}列" if p.column else "") + (f"“{p.label}”" if p.label else "")
        out.append({"row": f"第{p.row}行" if p.row else "整个文件", "message": f"{place}：{p.message}" if place else p.message})
    return out


@router.get(f"{PAGE}/import", response_class=HTMLResponse)
def import_page(request: Request, scope: PageScope, ctx: Ctx) -> Response:
    scope.require_office()
    return render(request, ctx, "plans_import.html", scope=scope, preview=None, headers=plansheet.HEADERS)


@router.post(f"{PAGE}/import/preview", response_class=HTMLResponse)
async def import_preview(request: Request, scope: FormScope, ctx: Ctx) -> Response:
    scope.require_office()
    form = await request.form()
    upload = form.get("file")
    name = Path(str(getattr(upload, "filename", "") or "")).name
    data = await upload.read(MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    suffix = Path(name).suffix.lower()
    if not data or suffix not in SUFFIXES or len(data) > MAX_BYTES:
        why = "请选择 .csv 或 .xlsx 文件" if not data or suffix not in SUFFIXES else f"文件不应超过 {MAX_BYTES // 1024} KB"
        return redirect(ctx, f"{PAGE}/import", f"未能读取：{why}", "error")
    lists = Lists(ctx)
    try:
        valid = _checked(data, suffix, name, lists)
    except ImportRowsError as exc:
        if all(not p.row for p in exc.problems):  # the file itself (its columns), not its rows
            why = "；".join(p.message for p in exc.problems)
            return redirect(ctx, f"{PAGE}/import", f"未能读取 {name}：{why}"[:1500], "error")
        return render(request, ctx, "plans_import.html", scope=scope, headers=plansheet.HEADERS, status=422,
                      preview={"name": name, "problems": _problem_rows(exc)})
    except InputError as exc:  # the file itself, not its rows
        return redirect(ctx, f"{PAGE}/import", f"未能读取 {name}：{exc.message}"[:1500], "error")
    upload_id = f"{ctx.rng.getrandbits(80):020x}"
    expires = int((ctx.now() + dt.timedelta(hours=1)).timestamp())
    ctx.table.put({"pk": f"WEBIMPORT#{upload_id}", "sk": "PLANS", "name": name, "suffix": suffix, "data": data,
                   "by": scope.username, "expires_at": expires})
    return render(request, ctx, "plans_import.html", scope=scope, headers=plansheet.HEADERS, preview={
        "name": name, "problems": [], "plans": valid, "upload_id": upload_id}, departments=lists.departments)


@router.post(f"{PAGE}/import/confirm")
async def import_confirm(request: Request, scope: FormScope, ctx: Ctx) -> Response:
    """Store every plan of the previewed sheet, checked again (all or nothing)."""
    scope.require_office()
    upload_id = (await form_of(request)).get("upload_id", "")
    waiting = ctx.table.get(f"WEBIMPORT#{upload_id}", "PLANS") if upload_id.isalnum() else None
    if waiting is None or waiting.get("by") != scope.username:
        return redirect(ctx, f"{PAGE}/import", "未能导入：预览已过期或不存在，请重新上传文件", "error")
    name = str(waiting["name"])
    try:
        valid = _checked(bytes(waiting["data"]), str(waiting["suffix"]), name, Lists(ctx))
        count = plans.store_all(ctx.table, valid, scope.username, ctx.now(), ctx.rng)
    except EnforceWatchError as exc:
        return redirect(ctx, f"{PAGE}/import", f"未能导入，未保存任何计划：{exc.message}"[:1500], "error")
    ctx.table.delete(f"WEBIMPORT#{upload_id}", "PLANS")
    ctx.log(scope.username, "plan_import", {"file": name, "plans": count, "via": "page"})
    return redirect(ctx, PAGE, f"已导入 {name} 中的 {count} 项检查计划。")


@router.get(PAGE + "/{plan_id}", response_class=HTMLResponse)
def plan_page(plan_id: str, request: Request, scope: PageScope, ctx: Ctx) -> Response:
    stored = plans.get(ctx.table, plan_id)
    lists = Lists(ctx)
    plan = shown(stored, scope, china_date(ctx.now()), lists)
    return render(request, ctx, "plan.html", scope=scope, plan=plan, matter_names=lists.matter_names)
