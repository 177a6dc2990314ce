"""Administration without IT (office role only): staff accounts (add, disable, enable, reset the
password, require TOTP) and the audit log read in Chinese. Every change is audited, as the CLI's."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from enforcewatch.api.staff.deps import Ctx
from enforcewatch.api.staff.page_kit import (
    FormScope,
    PageScope,
    form_failed,
    form_of,
    input_refused,
    pager,
    redirect,
    render,
)
from enforcewatch.clock import china_date
from enforcewatch.errors import EnforceWatchError
from enforcewatch.monitoring import officecalendar
from enforcewatch.staff import audit, paging, totp
from enforcewatch.staff.accounts import ROLES
from enforcewatch.staff.readings import ReportFilter

router = APIRouter(include_in_schema=False)
ADMIN = "/staff/admin"
ROLE_LABELS = {"office": "市级账户", "district": "县（市、区）账户"}


@router.get(ADMIN, response_class=HTMLResponse)
def admin_page(request: Request, scope: PageScope, ctx: Ctx) -> Response:
    scope.require_office()
    return render(request, ctx, "admin.html", scope=scope, users=ctx.accounts.listing(ctx.now()), roles=ROLE_LABELS,
                  districts=ctx.districts, years=officecalendar.stored_years(ctx.table),
                  next_year=china_date(ctx.now()).year + 1)


@router.post(f"{ADMIN}/calendar")
async def upload_calendar(request: Request, scope: FormScope, ctx: Ctx) -> Response:
    """Next year's official calendar (国务院办公厅 notice), checked like a calendar file, then stored."""
    scope.require_office()
    form = await request.form()
    upload = form.get("file")
    data = await upload.read(officecalendar.MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    name = str(getattr(upload, "filename", "") or "")
    year_text = str(form.get("year", "")).strip()
    try:
        year, text, _ = officecalendar.check_upload(year_text, data, name)
    except EnforceWatchError as exc:
        if not input_refused(exc):
            return redirect(ctx, ADMIN, f"日历未保存：{exc.message}", "error")
        form_failed(request, exc, "calendar", {"year": year_text, "file": name}, ("file", "year"), "日历未保存")
        return admin_page(request, scope, ctx)
    officecalendar.save_year(ctx.table, year, text, name, scope.username, ctx.now())
    ctx.log(scope.username, "calendar_upload", {"year": year, "source": name})
    return redirect(ctx, ADMIN, f"已保存 {year} 年节假日安排，每日检查和工作平台即日起使用")


@router.post(f"{ADMIN}/users")
async def add_user(request: Request, scope: FormScope, ctx: Ctx) -> Response:
    scope.require_office()
    form = await form_of(request)
    role = form.get("role", "")
    district = form.get("district") or None if role != "office" else None
    try:
        user = ctx.accounts.add(form.get("username", ""), role, district, form.get("password", ""), ctx.now(),
                                list(ctx.district_ids))
    except EnforceWatchError as exc:  # the password is not sent back: it is typed again
        if not input_refused(exc):
            return redirect(ctx, ADMIN, f"未能添加账户：{exc.message}", "error")
        kept = {k: form.get(k, "") for k in ("username", "role", "district")}
        form_failed(request, exc, "add", kept, ("username", "role", "district", "password"), "未能添加账户")
        return admin_page(request, scope, ctx)
    ctx.log(scope.username, "staff_add_user", {"username": user.username, "role": user.role, "district": user.district})
    return redirect(ctx, ADMIN, f"已添加账户 {user.username}")


ACTIONS = {"disable": "已停用", "enable": "已启用", "reset": "已重置密码：", "totp_on": "", "totp_off": "已关闭动态验证码："}


@router.post(f"{ADMIN}/users/{{username}}/{{action}}", response_class=HTMLResponse)
async def change_user(username: str, action: str, request: Request, scope: FormScope, ctx: Ctx) -> Response:
    scope.require_office()
    form = await form_of(request)
    if action not in ACTIONS:
        return redirect(ctx, ADMIN, "未能处理：操作不在可选范围内", "error")
    secret = None
    details: dict[str, object] = {"username": username}
    try:
        if action == "disable":
            if username == scope.username:
                return redirect(ctx, ADMIN, "不能停用自己正在使用的账户", "error")
            ctx.accounts.disable(username, ctx.now())
            ctx.log(scope.username, "staff_disable", details)
        elif action == "enable":
            ctx.accounts.enable(username, ctx.now())
            ctx.log(scope.username, "staff_enable", details)
        elif action == "reset":
            ctx.accounts.reset_password(username, form.get("password", ""), ctx.now())
            ctx.log(scope.username, "staff_reset", details)
        else:
            secret = totp.new_secret(ctx.rng) if action == "totp_on" else None
            ctx.accounts.set_totp(username, secret, ctx.now())
            ctx.log(scope.username, "staff_totp", {**details, "totp": "on" if secret else "off"})
    except EnforceWatchError as exc:
        if action != "reset" or not input_refused(exc):
            return redirect(ctx, ADMIN, f"未能处理 {username}：{exc.message}", "error")
        form_failed(request, exc, f"reset-{username}", {}, ("password",), f"未能重置 {username} 的密码")
        return admin_page(request, scope, ctx)
    if secret:  # shown once, on this response only (never in a cookie or a log)
        return render(request, ctx, "totp_once.html", scope=scope, username=username,
                      uri=totp.provisioning_uri(secret, username), secret=secret)
    return redirect(ctx, ADMIN, f"{ACTIONS[action] or ''}{username}" if action in ("reset", "totp_off")
                    else f"{username} {ACTIONS[action]}")


@router.get(f"{ADMIN}/audit", response_class=HTMLResponse)
def audit_page(request: Request, scope: PageScope, ctx: Ctx, page: str = "") -> Response:
    scope.require_office()
    this = f"{china_date(ctx.now()):%Y-%m}"
    flt = ReportFilter(request.query_params.get("from") or this, request.query_params.get("to") or this)
    flt.check()
    audit.check_range(flt.month_from, flt.month_to)
    rows = list(audit.entries(ctx.table, flt.month_from, flt.month_to))
    rows.reverse()  # newest first
    shown = paging.paginate(rows, paging.page_number(page))
    return render(request, ctx, "audit.html", scope=scope, flt=flt, p=pager(request, shown),
                  details_label=DETAIL_LABELS, roles=ROLES)


DETAIL_LABELS = {"username": "账户", "role": "角色", "district": "县（市、区）", "point_id": "监测点", "kind": "类型",
                 "status": "状态", "date": "日期", "complaint_id": "投诉", "rows": "行数", "from": "起", "to": "止",
                 "reason": "原因", "totp": "动态验证码", "via": "途径", "replied": "已答复", "format": "格式",
                 "event_id": "事件", "view": "范围", "transfer_id": "转交", "finding_id": "发现", "year": "年份",
                 "source": "文件"}
