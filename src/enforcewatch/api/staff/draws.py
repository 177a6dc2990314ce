"""双随机 draw routes of the staff API (docs/draws.md): open a task, collect commitments, reveal,
draw, publish, hand an enterprise its inclusion proof. City office only; each route parses, calls
one step of `enforcewatch.draws.tasks` (which audits it, `ok` or `refused`) and answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Body
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from enforcewatch.api.staff.deps import Ctx, ScopeDep
from enforcewatch.draws import tasks
from enforcewatch.draws.verify import ratios_bp
from enforcewatch.errors import Conflict, FieldError, InputError

router = APIRouter(prefix="/api/staff/draws")
Party = Literal["agency", "justice", "point"]


class CommitmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    party: Party
    commitment: str = Field(max_length=64)


class RevealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    party: Party
    secret: str = Field(max_length=64)


class ProofIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uscc: str = Field(max_length=18)


def _step(ctx: Any, scope: Any, action: str, draw_id: str, fn: Callable[[], Any], **details: Any) -> Any:
    scope.require_office()
    return tasks.audited(ctx.table, scope.username, action, draw_id, ctx.now(), ctx.rng, fn, **details)


def _matter(ctx: Any, item_id: str) -> tuple[str, dict[str, int]]:
    # cold start: the staff function must not load enforcewatch.sitegen (the site's content models and
    # YAML loader; tests/functions/test_cold_start.py): only this route reads the published lists
    from enforcewatch.sitegen.content import load_content

    items = {i.id: i for i in load_content(ctx.settings.content_dir).spot_checks.items}
    if item_id not in items:
        raise InputError(f"item_id: 随机抽查事项清单中没有事项 “{item_id}”",
                         [FieldError(("item_id",), "随机抽查事项清单中没有此事项")])
    return items[item_id].item, ratios_bp(items[item_id].ratio_pct)


@router.get("")
def list_draws(ctx: Ctx, scope: ScopeDep) -> dict[str, Any]:
    scope.require_office()
    return {"ok": True, "draws": [tasks.view(t) for t in tasks.listing(ctx.table)]}


@router.post("", status_code=201)
def open_draw(ctx: Ctx, scope: ScopeDep, body: dict[str, Any] = Body(...)) -> dict[str, Any]:  # noqa: B008
    scope.require_office()
    draw_id = str(body.get("id", ""))

    def step() -> dict[str, Any]:
        item, ratios = _matter(ctx, str(body.get("item_id", "")))
        return tasks.open_task(ctx.table, body, ratios, item, scope.username, ctx.now(), ctx.rng)

    task = _step(ctx, scope, "draws.open", draw_id, step, candidates=len(body.get("candidates") or []))
    return {"ok": True, "draw": tasks.view(task)}


@router.get("/{draw_id}")
def show_draw(draw_id: str, ctx: Ctx, scope: ScopeDep) -> dict[str, Any]:
    scope.require_office()
    return {"ok": True, "draw": tasks.view(tasks.get(ctx.table, draw_id))}


@router.post("/{draw_id}/commitments")
def add_commitment(draw_id: str, body: CommitmentIn, ctx: Ctx, scope: ScopeDep) -> dict[str, Any]:
    task = _step(ctx, scope, "draws.commit", draw_id,
                 lambda: tasks.commit(ctx.table, draw_id, body.party, body.commitment, ctx.now()), party=body.party)
    return {"ok": True, "draw": tasks.view(task)}


@router.post("/{draw_id}/reveals")
def add_reveal(draw_id: str, body: RevealIn, ctx: Ctx, scope: ScopeDep) -> dict[str, Any]:
    task = _step(ctx, scope, "draws.reveal", draw_id,
                 lambda: tasks.reveal(ctx.table, draw_id, body.party, body.secret, ctx.now()), party=body.party)
    return {"ok": True, "draw": tasks.view(task)}


@router.post("/{draw_id}/run")
def run_draw(draw_id: str, ctx: Ctx, scope: ScopeDep) -> dict[str, Any]:
    task = _step(ctx, scope, "draws.run", draw_id, lambda: tasks.run(ctx.table, draw_id))
    return {"ok": True, "draw": tasks.view(task)}


@router.get("/{draw_id}/record")
def draw_record(draw_id: str, ctx: Ctx, scope: ScopeDep) -> Response:
    """The announced or completed record (public data), to publish at each stage."""
    scope.require_office()
    task = tasks.get(ctx.table, draw_id)
    if task["state"] == "open":
        raise Conflict("尚未收齐承诺，还没有可公布的记录")
    made = tasks.announced_record(ctx.table, task) if task["state"] == "announced" else \
        tasks.completed_record(ctx.table, task)
    return Response(made.dump(), media_type="application/json")


@router.post("/{draw_id}/publish")
def publish_draw(draw_id: str, ctx: Ctx, scope: ScopeDep) -> Response:
    """Marks the draw published and answers its record, for site/content/draws/<id>.json."""
    _, body = _step(ctx, scope, "draws.publish", draw_id, lambda: tasks.publish(ctx.table, draw_id))
    return Response(body, media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{draw_id}.json"'})


@router.post("/{draw_id}/proofs")
def inclusion_proof(draw_id: str, body: ProofIn, ctx: Ctx, scope: ScopeDep) -> dict[str, Any]:
    found = _step(ctx, scope, "draws.proof", draw_id, lambda: tasks.proof(ctx.table, draw_id, body.uscc),
                  uscc=body.uscc.strip().upper())
    return {"ok": True, "proof": found}
