"""Draw records for the draws tests: a small completed draw made through the real steps, and the
shipped sample read from site/content/draws/."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from enforcewatch.draws import compose
from enforcewatch.draws import record as rec
from enforcewatch.draws.hashing import commitment, leaf, salt_for
from enforcewatch.uscc import check_character

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "site" / "content" / "draws"
TASK_KEY = "5a" * 32
RATIOS = {"base": 300, "A": 100, "B": 300, "C": 1000, "D": 3000}


def uscc(n: int) -> str:
    first17 = f"9133010{n:010d}"
    return first17 + check_character(first17)


def secret(party: str, draw_id: str = "t-1") -> str:
    return hashlib.sha256(f"test secret {draw_id} {party}".encode()).hexdigest()


def candidates(sizes: dict[str, int]) -> list[compose.Candidate]:
    out, n = [], 0
    for code, size in sizes.items():
        for _ in range(size):
            n += 1
            out.append(compose.Candidate(uscc(n), code))
    return out


def announced(draw_id: str = "t-1", sizes: dict[str, int] | None = None, parties: tuple[str, ...] = ("agency", "justice"),
              avoid_by_uscc: dict[str, list[str]] | None = None, inspectors: int = 6) -> rec.DrawRecord:
    classes = compose.classes_of(draw_id, TASK_KEY, candidates(sizes or {"A": 20, "B": 40, "C": 15, "D": 5}), RATIOS)
    avoid = {leaf(draw_id, u, salt_for(TASK_KEY, u)): ids for u, ids in (avoid_by_uscc or {}).items()}
    return compose.announce(
        draw_id=draw_id, title="测试抽取", matter=rec.Matter(item_id="scjg-cc-001", item="营业执照（登记证）规范使用情况的检查"),
        agency="示范市市场监督管理局", scheduled_at="2026-11-20T10:00:00+08:00", team_size=2, classes=classes,
        inspectors=[f"ZF-{i:02d}" for i in range(1, inspectors + 1)], avoid=avoid, previous_draw="",
        commitments=[rec.Commitment(party=p, commitment=commitment(draw_id, p, secret(p, draw_id)), at="2026-11-18T09:00:00+08:00")
                     for p in parties])


def completed(draw_id: str = "t-1", **kwargs: Any) -> rec.DrawRecord:
    a = announced(draw_id, **kwargs)
    return compose.complete(a, [rec.Reveal(party=c.party, secret=secret(c.party, draw_id), at="2026-11-20T10:01:00+08:00")
                                for c in a.commitments])


def as_data(r: rec.DrawRecord) -> dict[str, Any]:
    return json.loads(r.dump())


def from_data(data: dict[str, Any]) -> rec.DrawRecord:
    return rec.DrawRecord.model_validate(data)


def vectors() -> dict:
    text = (ROOT / "docs" / "draws.md").read_text(encoding="utf-8")
    block = re.search(r"```json draws-vectors\n(.*?)```", text, re.S)
    assert block, "docs/draws.md has no draws-vectors block"
    return json.loads(block.group(1))

