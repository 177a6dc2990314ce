"""Making a record step by step: candidates → announcement (after every commitment) → completion
(after every reveal). The staff workflow (`tasks`) and the sample draw use these; `verify` checks
what they produce.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from enforcewatch.draws import record as rec
from enforcewatch.draws.hashing import commitment, leaf, salt_for
from enforcewatch.draws.selection import ClassDraw, count_for, run
from enforcewatch.errors import FieldError, InputError
from enforcewatch.uscc import problem as uscc_problem

CLASS_CODE = re.compile(r"^[A-Za-z0-9]{1,8}$")


@dataclass(frozen=True)
class Candidate:
    uscc: str
    credit_class: str  # confidential: only the class sizes are published


def classes_of(draw_id: str, task_key: str, candidates: Sequence[Candidate],
               ratios_bp: Mapping[str, int]) -> list[rec.CreditClass]:
    """The published classes: salted leaves, sorted, with sizes and counts from the ratios.
    A class without its own ratio uses `base` (the published list's fallback)."""
    problems = []
    seen: set[str] = set()
    groups: dict[str, list[str]] = {}
    for n, c in enumerate(candidates, start=1):
        bad = uscc_problem(c.uscc)
        if bad:
            problems.append(FieldError(("candidates", n, "uscc"), f"第 {n} 家：{bad}"))
        elif c.uscc in seen:
            problems.append(FieldError(("candidates", n, "uscc"), f"第 {n} 家：统一社会信用代码 {c.uscc} 重复"))
        if not CLASS_CODE.match(c.credit_class):
            problems.append(FieldError(("candidates", n, "credit_class"),
                                       f"第 {n} 家：信用类别应为 A、B、C、D 等字母或数字（1 至 8 位），而不是“{c.credit_class}”"))
        elif c.credit_class not in ratios_bp and "base" not in ratios_bp:
            problems.append(FieldError(("candidates", n, "credit_class"), f"第 {n} 家：信用类别 “{c.credit_class}” 没有公布的抽查比例"))
        seen.add(c.uscc)
        groups.setdefault(c.credit_class, []).append(leaf(draw_id, c.uscc, salt_for(task_key, c.uscc)))
    if problems:
        raise InputError("；".join(p.msg for p in problems[:10]), problems)
    out = []
    for code in sorted(groups):
        leaves = sorted(groups[code])
        bp = ratios_bp.get(code, ratios_bp.get("base", 0))
        out.append(rec.CreditClass(code=code, ratio_bp=bp, size=len(leaves), count=count_for(len(leaves), bp),
                                   leaves=leaves))
    return out


def announce(*, draw_id: str, title: str, matter: rec.Matter, agency: str, scheduled_at: str, team_size: int,
             classes: list[rec.CreditClass], inspectors: Sequence[str], avoid: Mapping[str, Sequence[str]],
             previous_draw: str, commitments: Sequence[rec.Commitment], beacon: str = "") -> rec.DrawRecord:
    """The record as published once every party has committed: fixed from here on."""
    draft = rec.DrawRecord(
        id=draw_id, title=title, matter=matter, agency=agency, scheduled_at=scheduled_at, team_size=team_size,
        classes=classes, candidates_digest=rec.candidates_digest(draw_id, classes),
        inspectors=sorted(set(inspectors)), avoid={k: sorted(v) for k, v in avoid.items() if v},
        previous_draw=previous_draw, commitments=sorted(commitments, key=lambda c: c.party),
        announcement_digest="0" * 64, beacon=beacon, public_value="0" * 64)
    digest = rec.announcement_digest(draft)
    return draft.model_copy(update={"announcement_digest": digest,
                                    "public_value": rec.public_value(scheduled_at, digest, beacon)})


def complete(announced: rec.DrawRecord, reveals: Sequence[rec.Reveal]) -> rec.DrawRecord:
    """Seed and result from every reveal; a reveal that does not match its commitment is refused."""
    by_party = {c.party: c.commitment for c in announced.commitments}
    for v in reveals:
        if by_party.get(v.party) != commitment(announced.id, v.party, v.secret):
            raise InputError(f"{rec.PARTY_ROLES.get(v.party, v.party)}揭示的秘密与其承诺不符",
                             [FieldError(("reveals", v.party), "与承诺不符")])
    missing = sorted(set(by_party) - {v.party for v in reveals})
    if missing:
        raise InputError("尚未揭示：" + "、".join(rec.PARTY_ROLES.get(p, p) for p in missing),
                         [FieldError(("reveals", p), "尚未揭示") for p in missing])
    ordered = sorted(reveals, key=lambda v: v.party)
    seed = rec.seed(announced.public_value, ordered)
    classes = [ClassDraw(c.code, c.leaves, c.count) for c in announced.classes]
    picks = run(seed, classes, announced.inspectors, announced.team_size, announced.avoid)
    result = [rec.Selected(credit_class=p.credit_class, leaf=p.leaf, inspectors=list(p.inspectors)) for p in picks]
    return announced.model_copy(update={"reveals": ordered, "seed": seed, "result": result, "status": "completed"})
