"""The 抽查 pages (docs/draws.md): the city office's 双随机 draws with their state, and on a draw's page
the next workflow steps as forms — a party's commitment, a party's revealed secret, the draw itself,
and the record to publish (downloaded). Each step is `enforcewatch.draws.tasks`' own, audited the same
way as through the API (`tasks.audited`); a refused step comes back as a message on the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from enforcewatch.api.staff.deps import Ctx
from enforcewatch.api.staff.page_kit import FormScope, PageScope, form_of, pager, redirect, render
from enforcewatch.draws import tasks
from enforcewatch.errors import EnforceWatchError
from enforcewatch.staff import paging
from enforcewatch.staff.staffing import Scope

router = APIRouter(include_in_schema=False)
PAGE = "/staff/draws"


@router.get(PAGE, response_class=HTMLResponse)
def draws_page(request: Request, scope: PageScope, ctx: Ctx, page: str = "") -> Response:
    scope.require_office()
    rows = sorted((tasks.view(t) for t in tasks.listing(ctx.table)), key=lambda d: str(d["scheduled_at"]),
                  reverse=True)
    return render(request, ctx, "draws.html", scope=scope, p=pager(request, paging.paginate(rows, paging.page_number(page))))


@router.get(PAGE + "/{draw_id}", response_class=HTMLResponse)
def draw_page(draw_id: str, request: Request, scope: PageScope, ctx: Ctx) -> Response:
    scope.require_office()
    task = tasks.get(ctx.table, draw_id)
    return render(request, ctx, "draw.html", scope=scope, d=tasks.view(task), state=task["state"])


def _step(ctx: Ctx, scope: Scope, action: str, draw_id: str, step: Callable[[], Any], done: str,
          **details: Any) -> Response:
    back = f"{PAGE}/{draw_id}"
    try:
        tasks.audited(ctx.table, scope.username, action, draw_id, ctx.now(), ctx.rng, step, **details)
    except EnforceWatchError as exc:
        return redirect(ctx, back, f"未能{done}：{exc.message}", "error")
    return redirect(ctx, back, f"已{done}。")


@router.post(PAGE + "/{draw_id}/commitments")
async def add_commitment(draw_id: str, request: Request, scope: FormScope, ctx: Ctx) -> Response:
    scope.require_office()
    form = await form_of(request)
    party = form.get("party", "")
    return _step(ctx, scope, "draws.commit", draw_id,
                 lambda: tasks.commit(ctx.table, draw_id, party, form.get("commitment", ""), ctx.now()),
                 "记录承诺", party=party)


@router.post(PAGE + "/{draw_id}/reveals")
async def add_reveal(draw_id: str, request: Request, scope: FormScope, ctx: Ctx) -> Response:
    scope.require_office()
    form = await form_of(request)
    party = form.get("party", "")
    return _step(ctx, scope, "draws.reveal", draw_id,
                 lambda: tasks.reveal(ctx.table, draw_id, party, form.get("secret", ""), ctx.now()),
                 "记录揭示的秘密", party=party)


@router.post(PAGE + "/{draw_id}/run")
async def run_draw(draw_id: str, request: Request, scope: FormScope, ctx: Ctx) -> Response:
    scope.require_office()
    return _step(ctx, scope, "draws.run", draw_id, lambda: tasks.run(ctx.table, draw_id), "完成抽取")


@router.post(PAGE + "/{draw_id}/publish")
async def publish_draw(draw_id: str, request: Request, scope: FormScope, ctx: Ctx) -> Response:
    """The record to put in site/content/draws/<id>.json, downloaded (and the draw marked published once drawn)."""
    scope.require_office()
    try:
        _, body = tasks.audited(ctx.table, scope.username, "draws.publish", draw_id, ctx.now(), ctx.rng,
                                lambda: tasks.publish(ctx.table, draw_id))
    except EnforceWatchError as exc:
        return redirect(ctx, f"{PAGE}/{draw_id}", f"未能生成公布记录：{exc.message}", "error")
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{draw_id}.json"'})
