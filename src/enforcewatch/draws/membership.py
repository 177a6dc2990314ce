"""An enterprise's own check: with its 统一社会信用代码 and the salt the agency gave it, it finds its
leaf in the record, its class bucket, and whether it was drawn (docs/draws.md "Membership")."""

from __future__ import annotations

from dataclasses import dataclass

from enforcewatch.draws.hashing import leaf
from enforcewatch.draws.record import DrawRecord
from enforcewatch.errors import FieldError, InputError
from enforcewatch.uscc import problem as uscc_problem


@dataclass(frozen=True)
class Membership:
    leaf: str
    credit_class: str | None  # None: not among the candidates
    selected: bool
    inspectors: tuple[str, ...]

    def message(self) -> str:
        if self.credit_class is None:
            return f"未列入本次抽取的候选名录（摘要 {self.leaf[:16]}… 不在名录中）"
        drawn = (f"已被抽中，检查人员：{'、'.join(self.inspectors)}" if self.selected else "未被抽中")
        return f"已列入候选名录（{self.credit_class}类）；{drawn}"


def check(record: DrawRecord, uscc: str, salt: str) -> Membership:
    bad = uscc_problem(uscc)
    if bad:
        raise InputError(f"--uscc: {bad}", [FieldError(("uscc",), bad)])
    if not salt or len(salt) > 128:
        raise InputError("--salt: 请填写执法机关提供的盐值", [FieldError(("salt",), "缺少盐值")])
    mine = leaf(record.id, uscc, salt.strip().lower())
    bucket = next((c.code for c in record.classes if mine in set(c.leaves)), None)
    pick = next((s for s in record.result if s.leaf == mine), None)
    return Membership(mine, bucket, pick is not None, tuple(pick.inspectors) if pick else ())
