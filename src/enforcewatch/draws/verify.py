"""Recompute a draw from its record and name every difference (docs/draws.md "Verification").

`check(record)` returns the problems found, each a `Finding(kind, message)` with a Chinese message
naming the place; an empty list means the record is consistent. Checks run independently, so a
record altered in two places reports both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from enforcewatch.draws import record as rec
from enforcewatch.draws.hashing import ALGORITHM, commitment
from enforcewatch.draws.selection import ClassDraw, count_for, run
from enforcewatch.errors import FieldError, InputError


@dataclass(frozen=True)
class Finding:
    kind: str  # algorithm, candidates, counts, ratios, commitments, reveals, announcement, public_value, seed, result
    message: str


def parse(text: str, source: str = "记录") -> rec.DrawRecord:
    """A record from JSON text; bad JSON or fields raise InputError naming the place."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{source}: 不是有效的 JSON（{exc}）") from None
    try:
        return rec.DrawRecord.model_validate(data)
    except ValidationError as exc:
        problems = [FieldError(tuple(e["loc"]), e["msg"]) for e in exc.errors()]
        where = "；".join(f"{source}: {'.'.join(map(str, p.loc)) or '（根）'}: {p.msg}" for p in problems[:5])
        raise InputError(where, problems) from None


def _structure(r: rec.DrawRecord) -> list[Finding]:
    found = []
    if r.algorithm != ALGORITHM:
        found.append(Finding("algorithm", f"算法版本 “{r.algorithm}” 不是本工具实现的 {ALGORITHM}，无法按此版本复算"))
    seen: set[str] = set()
    for c in r.classes:
        if c.leaves != sorted(set(c.leaves)):
            found.append(Finding("candidates", f"{c.code}类候选名录未按升序排列或有重复"))
        if c.size != len(c.leaves):
            found.append(Finding("candidates", f"{c.code}类候选名录有 {len(c.leaves)} 家，记录写的是 {c.size} 家：名录被增删"))
        if seen & set(c.leaves):
            found.append(Finding("candidates", f"{c.code}类候选名录中有企业同时出现在其他类别"))
        seen |= set(c.leaves)
        if c.count != count_for(c.size, c.ratio_bp):
            found.append(Finding("counts", f"{c.code}类抽取数量 {c.count} 与比例 {c.ratio_bp / 100:g}% "
                                           f"（{c.size} 家应抽 {count_for(c.size, c.ratio_bp)} 家）不符"))
    digest = rec.candidates_digest(r.id, r.classes)
    if digest != r.candidates_digest:
        found.append(Finding("candidates", "候选名录摘要与名录不符：名录中有企业被增加、删除或改动"))
    if len(set(r.inspectors)) != len(r.inspectors) or r.inspectors != sorted(r.inspectors):
        found.append(Finding("inspectors", "执法检查人员名单未按升序排列或有重复"))
    if r.team_size > len(r.inspectors):
        found.append(Finding("inspectors", f"每组 {r.team_size} 人，但名单只有 {len(r.inspectors)} 人"))
    if not rec.TIME.match(r.scheduled_at):
        found.append(Finding("announcement", f"抽取时间 “{r.scheduled_at}” 应写作北京时间，如 2026-11-20T10:00+08:00"))
    return found


def _ratios(r: rec.DrawRecord, published: Mapping[str, int]) -> list[Finding]:
    found = []
    for c in r.classes:
        want = published.get(c.code, published.get("base"))
        if want is None:
            found.append(Finding("ratios", f"{c.code}类在公布的随机抽查事项清单（{r.matter.item_id}）中没有抽查比例"))
        elif want != c.ratio_bp:
            found.append(Finding("ratios", f"{c.code}类抽查比例 {c.ratio_bp / 100:g}% 与公布的随机抽查事项清单"
                                           f"（{r.matter.item_id}）的 {want / 100:g}% 不符"))
    return found


def _randomness(r: rec.DrawRecord, announced: str | None) -> list[Finding]:
    found = []
    parties = [c.party for c in r.commitments]
    if len(set(parties)) != len(parties):
        found.append(Finding("commitments", "同一方提交了不止一个承诺"))
    for need in rec.REQUIRED_PARTIES:
        if need not in parties:
            found.append(Finding("commitments", f"缺少{rec.PARTY_ROLES[need]}（{need}）的承诺"))
    announcement = rec.announcement_digest(r)
    if announcement != r.announcement_digest:
        found.append(Finding("announcement", "公告摘要与记录内容不符：承诺、名录、数量或人员在公告后被改动"))
    if announced is not None and announced != r.announcement_digest:
        found.append(Finding("announcement", f"公告摘要与事先公布的 {announced[:16]}… 不符：记录不是当时公告的那一份"))
    if rec.public_value(r.scheduled_at, r.announcement_digest, r.beacon) != r.public_value:
        found.append(Finding("public_value", "公开值与抽取时间、公告摘要不符"))
    if r.status == "completed":
        found += _reveals(r)
    return found


def _reveals(r: rec.DrawRecord) -> list[Finding]:
    found = []
    by_party = {c.party: c.commitment for c in r.commitments}
    revealed = [v.party for v in r.reveals]
    for v in r.reveals:
        if v.party not in by_party:
            found.append(Finding("reveals", f"{_who(v.party)}揭示了秘密，但没有事先提交承诺"))
        elif commitment(r.id, v.party, v.secret) != by_party[v.party]:
            found.append(Finding("reveals", f"{_who(v.party)}揭示的秘密与其承诺不符"))
    for party in by_party:
        if party not in revealed:
            found.append(Finding("reveals", f"{_who(party)}提交了承诺但没有揭示秘密，本次抽取不能完成"))
    if len(set(revealed)) != len(revealed):
        found.append(Finding("reveals", "同一方揭示了不止一次"))
    if rec.seed(r.public_value, list(r.reveals)) != r.seed:
        found.append(Finding("seed", "随机种子与各方揭示的秘密和公开值不符"))
    return found


def _who(party: str) -> str:
    return f"{rec.PARTY_ROLES.get(party, party)}（{party}）"


def _result(r: rec.DrawRecord) -> list[Finding]:
    if r.status != "completed":
        early = r.result or r.reveals or r.seed
        return [Finding("result", "记录尚未完成抽取，却已写有揭示值、种子或抽取结果")] if early else []
    classes = [ClassDraw(c.code, c.leaves, count_for(c.size, c.ratio_bp)) for c in r.classes]
    want = run(r.seed, classes, r.inspectors, r.team_size, r.avoid)
    got = [(s.credit_class, s.leaf, tuple(s.inspectors)) for s in r.result]
    if len(got) != len(want):
        return [Finding("result", f"抽取结果有 {len(got)} 家，按种子复算应为 {len(want)} 家")]
    for n, (g, w) in enumerate(zip(got, want, strict=True), start=1):
        if g[:2] != (w.credit_class, w.leaf):
            return [Finding("result", f"抽取结果第 {n} 家与按种子复算的结果不符（应为 {w.credit_class}类 {w.leaf[:12]}…）")]
        if g[2] != w.inspectors:
            return [Finding("result", f"第 {n} 家的检查人员与按种子复算的结果不符（应为 {'、'.join(w.inspectors)}）")]
    return []


def check(r: rec.DrawRecord, *, published_ratios: Mapping[str, int] | None = None,
          announced: str | None = None) -> list[Finding]:
    """Every difference between the record and a recomputation of it; [] when it holds together.
    `published_ratios` (code -> basis points) compares the ratios with the published list;
    `announced` is the announcement digest published before the reveals, when known."""
    found = _structure(r)
    if published_ratios is not None:
        found += _ratios(r, published_ratios)
    found += _randomness(r, announced)
    if not any(f.kind == "algorithm" for f in found):
        found += _result(r)
    return found


def ratios_bp(ratio_pct: Mapping[str, float]) -> dict[str, int]:
    """The published list's percentages in basis points (3 -> 300)."""
    return {k: round(v * 100) for k, v in ratio_pct.items()}


def as_json(found: list[Finding]) -> list[dict[str, Any]]:
    return [{"kind": f.kind, "message": f.message} for f in found]
