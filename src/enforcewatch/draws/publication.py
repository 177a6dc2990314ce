"""Publishing completed draws on the site: each record at `/data/draws/<id>.json`, an index at
`/data/draws/index.json`, and the context of the `/draws/` page (docs/draws.md).

The records are read from `site/content/draws/*.json`. The build refuses one that does not verify,
whose ratios differ from the published spot-check list, or whose file name is not its id: nothing
is published that the page's own check would fail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from enforcewatch.draws import record as rec
from enforcewatch.draws import verify
from enforcewatch.errors import ContentError, ContentProblem, InputError

DRAWS_DIR = "draws"
CLASS_NAMES = {"A": "A类（信用风险低）", "B": "B类（信用风险一般）", "C": "C类（信用风险较高）",
               "D": "D类（信用风险高）", "base": "未分类"}


def load_records(content_dir: Path, ratios_of: Callable[[str], Mapping[str, int] | None]
                 ) -> tuple[list[rec.DrawRecord], list[ContentProblem]]:
    records, problems = [], []
    for path in sorted((content_dir / DRAWS_DIR).glob("*.json")):
        rel = f"{DRAWS_DIR}/{path.name}"
        try:
            r = verify.parse(path.read_text(encoding="utf-8"), rel)
        except InputError as exc:
            problems.append(ContentProblem(rel, None, "", exc.message))
            continue
        if path.stem != r.id:
            problems.append(ContentProblem(rel, None, "id", f"文件名应为 {r.id}.json"))
        ratios = ratios_of(r.matter.item_id)
        if ratios is None:
            problems.append(ContentProblem(rel, None, "matter.item_id",
                                           f"随机抽查事项清单中没有事项 {r.matter.item_id}"))
        found = verify.check(r, published_ratios=ratios)
        problems += [ContentProblem(rel, None, f.kind, f"核验未通过：{f.message}") for f in found]
        records.append(r)
    return records, problems


def _time(value: str) -> str:
    moment = dt.datetime.fromisoformat(value)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}（北京时间）"


def summary(r: rec.DrawRecord) -> dict[str, Any]:
    """What the page shows of one draw: all public, nothing the record does not already hold."""
    reveals = {v.party: v for v in r.reveals}
    return {
        "id": r.id, "title": r.title, "href": f"/data/draws/{r.id}.json", "agency": r.agency,
        "matter": r.matter.item, "matter_href": f"/spot-checks/{r.matter.item_id}/",
        "scheduled": _time(r.scheduled_at), "status": "已完成" if r.status == "completed" else "已公告，待揭示",
        "classes": [{"name": CLASS_NAMES.get(c.code, f"{c.code}类"), "ratio": f"{c.ratio_bp / 100:g}%",
                     "size": c.size, "count": c.count} for c in r.classes],
        "candidates": sum(c.size for c in r.classes), "team_size": r.team_size, "inspectors": len(r.inspectors),
        "parties": [{"role": rec.PARTY_ROLES.get(c.party, c.party), "commitment": c.commitment,
                     "revealed": c.party in reveals} for c in r.commitments],
        "announcement_digest": r.announcement_digest, "public_value": r.public_value, "seed": r.seed,
        "result": [{"n": n, "class": CLASS_NAMES.get(s.credit_class, s.credit_class), "leaf": s.leaf,
                    "inspectors": "、".join(s.inspectors)} for n, s in enumerate(r.result, start=1)],
    }


def draws_hook(content_dir: Path) -> Callable[[Any], Mapping[str, Any]]:
    """A build context hook: `draws` for pages/draws/index.html, and the data files."""
    def hook(content: Any) -> Mapping[str, Any]:
        items = {i.id: i for i in content.spot_checks.items}

        def ratios_of(item_id: str) -> Mapping[str, int] | None:
            return verify.ratios_bp(items[item_id].ratio_pct) if item_id in items else None

        records, problems = load_records(Path(content_dir), ratios_of)
        if problems:
            raise ContentError(problems)
        files = {f"data/draws/{r.id}.json": r.dump() for r in records}
        files["data/draws/index.json"] = json.dumps(
            [{"id": r.id, "title": r.title, "status": r.status, "scheduled_at": r.scheduled_at,
              "json": f"/data/draws/{r.id}.json"} for r in records], ensure_ascii=False, indent=1) + "\n"
        return {"draws": [summary(r) for r in records], "data_files": files}
    return hook


def published_ratios(content: Path, item_id: str) -> dict[str, int]:
    # cold start: the published lists are loaded only when a record is checked against them
    from enforcewatch.sitegen.content import load_content

    items = {i.id: i for i in load_content(content).spot_checks.items}
    if item_id not in items:
        raise InputError(f"{content}: 随机抽查事项清单中没有事项 {item_id}")
    return verify.ratios_bp(items[item_id].ratio_pct)
