"""The registry import from the web (office only): upload a registry file, see every row's problems
before anything is written (the registry import's own checks, `registry.import_points`), fix and
upload again; then confirm, which runs the CLI's all-or-nothing import (`registry.run_import`) and
answers with the access-codes file itself: downloaded once, never stored.

Between preview and confirm the uploaded file waits in the table (`WEBIMPORT#{id}` / `FILE`, removed
after an hour by TTL, deleted when confirmed)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from enforcewatch.api.staff.deps import Ctx
from enforcewatch.api.staff.page_kit import FormScope, PageScope, form_failed, input_refused, redirect, render
from enforcewatch.errors import EnforceWatchError, FieldError, ImportRowsError, InputError
from enforcewatch.monitoring import registry, registry_sheet

router = APIRouter(include_in_schema=False)
PAGE = "/staff/admin/import"
MAX_BYTES = 300 * 1024  # one table item (400 KB) holds the waiting file
SUFFIXES = (".csv", ".xlsx")


def _districts(ctx: Ctx) -> list[registry.District]:
    return registry.load_districts(ctx.settings.content_dir)


@router.get(PAGE, response_class=HTMLResponse)
def import_page(request: Request, scope: PageScope, ctx: Ctx) -> Response:
    scope.require_office()
    return render(request, ctx, "import.html", scope=scope, preview=None, labels=registry_sheet.LABELS)


def _saved(data: bytes, suffix: str, folder: Path) -> Path:
    path = folder / f"registry{suffix}"
    path.write_bytes(data)
    return path


@router.post(f"{PAGE}/preview", response_class=HTMLResponse)
async def preview(request: Request, scope: FormScope, ctx: Ctx) -> Response:
    scope.require_office()
    form = await request.form()
    upload = form.get("file")
    name = str(getattr(upload, "filename", "") or "")
    data = await upload.read(MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    suffix = Path(name).suffix.lower()
    if not data or suffix not in SUFFIXES or len(data) > MAX_BYTES:
        why = "请选择 .csv 或 .xlsx 文件" if not data or suffix not in SUFFIXES else f"文件不应超过 {MAX_BYTES // 1024} KB"
        exc = InputError(why, [FieldError(("file",), why)])
        form_failed(request, exc, "import", {"file": name}, ("file",), "未能读取名单文件")
        return import_page(request, scope, ctx)
    with tempfile.TemporaryDirectory() as folder:
        try:
            result, _ = registry.import_points(ctx.table, _saved(data, suffix, Path(folder)), _districts(ctx),
                                               rng=ctx.rng, now=ctx.now())
        except ImportRowsError as exc:
            rows = [{"row": p.row, "field": registry_sheet.LABELS.get(p.field, p.field), "message": p.message}
                    for p in exc.problems]
            return render(request, ctx, "import.html", scope=scope, labels=registry_sheet.LABELS, status=422,
                          preview={"name": name, "problems": rows})
        except EnforceWatchError as exc:
            if not input_refused(exc):
                return redirect(ctx, PAGE, f"未能读取 {name}：{exc.message}", "error")
            form_failed(request, exc, "import", {"file": name}, ("file",), f"未能读取 {name}")
            return import_page(request, scope, ctx)
    upload_id = f"{ctx.rng.getrandbits(80):020x}"
    expires = int((ctx.now() + dt.timedelta(hours=1)).timestamp())
    ctx.table.put({"pk": f"WEBIMPORT#{upload_id}", "sk": "FILE", "name": name, "suffix": suffix, "data": data,
                   "by": scope.username, "expires_at": expires})
    return render(request, ctx, "import.html", scope=scope, labels=registry_sheet.LABELS, preview={
        "name": name, "problems": [], "new": result.new, "updated": result.updated, "codes": len(result.codes),
        "upload_id": upload_id})


@router.post(f"{PAGE}/confirm")
async def confirm(request: Request, scope: FormScope, ctx: Ctx) -> Response:
    """Import all or nothing, then answer with the codes file (the only copy: shown once)."""
    scope.require_office()
    form = await request.form()
    upload_id = str(form.get("upload_id", ""))
    waiting = ctx.table.get(f"WEBIMPORT#{upload_id}", "FILE") if upload_id.isalnum() else None
    if waiting is None or waiting.get("by") != scope.username:
        return redirect(ctx, PAGE, "未能导入：预览已过期或不存在，请重新上传文件", "error")
    with tempfile.TemporaryDirectory() as folder:
        codes_out = Path(folder) / "codes.csv"
        try:
            run = registry.run_import(ctx.table, _saved(bytes(waiting["data"]), str(waiting["suffix"]), Path(folder)),
                                      _districts(ctx), codes_out, rng=ctx.rng, now=ctx.now())
        except (EnforceWatchError, InputError) as exc:
            return redirect(ctx, PAGE, f"未能导入，名单未作任何改动：{exc.message}"[:1500], "error")
        body = codes_out.read_bytes()
    ctx.table.delete(f"WEBIMPORT#{upload_id}", "FILE")
    ctx.log(scope.username, "points_import", {"source": str(waiting["name"]), "new": len(run.result.new),
                                               "updated": len(run.result.updated), "codes": len(run.result.codes)})
    stamp = f"{ctx.now() + dt.timedelta(hours=8):%Y%m%d-%H%M}"
    filename = f"访问码-{stamp}.csv"
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f"attachment; filename=\"codes-{stamp}.csv\"; filename*=UTF-8''{quote(filename)}"})
