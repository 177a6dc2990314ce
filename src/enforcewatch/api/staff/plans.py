"""Plan routes of the staff API (docs/control.md): the city office files a plan or special inspection;
any staff account lists them. Each route parses, calls `enforcewatch.control.plans`, audits, answers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request

from enforcewatch.api.staff.deps import Ctx, From, ScopeDep
from enforcewatch.control import plans, plansheet
from enforcewatch.control.plans import published
from enforcewatch.errors import FieldError, InputError

router = APIRouter(prefix="/api/staff/plans")


def _published(ctx: Any) -> tuple[dict[str, str], dict[str, str]]:
    # cold start: the staff function must not load enforcewatch.sitegen (the site's content models and
    # YAML loader; tests/functions/test_cold_start.py): only this route reads the published lists
    from enforcewatch.sitegen.content import load_content

    return published(load_content(ctx.settings.content_dir))


def _day(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError("日期格式应为 YYYY-MM-DD", [FieldError((field,), "日期格式应为 YYYY-MM-DD")]) from None


@router.post("", status_code=201)
async def file_route(request: Request, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    """File a plan (JSON body: docs/control.md); the city office only."""
    scope.require_office()
    try:
        data = await request.json()
    except ValueError:
        raise InputError("提交内容应为 JSON 对象", [FieldError((), "提交内容应为 JSON 对象")]) from None
    stored = plans.file_plan(ctx.table, data, *_published(ctx), scope.username, ctx.now(), ctx.rng)
    ctx.log(scope.username, "plan_add", {"plan_id": stored["plan_id"]})
    return {"ok": True, "plan": {k: v for k, v in stored.items() if not k.startswith(("pk", "sk", "gsi"))}}


@router.get("")
def list_route(scope: ScopeDep, ctx: Ctx, from_: From = "", to: str = "") -> dict[str, Any]:
    found = plans.listing(ctx.table, _day(from_, "from"), _day(to, "to"))
    ctx.log(scope.username, "plans", {"from": from_, "to": to, "rows": len(found)})
    return {"ok": True, "plans": found}


SHEET_LIMIT = 2 * 1024 * 1024  # bytes of one uploaded sheet


@router.post("/import", status_code=201)
async def import_route(request: Request, scope: ScopeDep, ctx: Ctx) -> dict[str, Any]:
    """A sheet of plans (multipart field `file`, .xlsx or .csv; docs/control.md): every row checked
    first, nothing stored on a problem; the city office only."""
    scope.require_office()
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    name = getattr(upload, "filename", None) or ""
    suffix = Path(name).suffix.lower()
    if upload is None or isinstance(upload, str) or suffix not in (".xlsx", ".csv"):
        raise InputError("请上传 .xlsx 或 .csv 文件", [FieldError(("file",), "请上传 .xlsx 或 .csv 文件")])
    body = await upload.read(SHEET_LIMIT + 1)
    if len(body) > SHEET_LIMIT:
        raise InputError("文件过大（最多 2 MB）", [FieldError(("file",), "文件过大（最多 2 MB）")])
    valid = plansheet.load(Path(f"plans{suffix}"), *_published(ctx), data=body, name=name)
    count = plans.store_all(ctx.table, valid, scope.username, ctx.now(), ctx.rng)
    ctx.log(scope.username, "plan_import", {"file": name, "plans": count})
    return {"ok": True, "imported": count}
