"""Write the shipped sample draw (site/content/draws/) from fixed demo inputs (docs/draws.md).

    .venv/bin/python scripts/draws_sample.py [--out site/content/draws]

Everything here is demo data: made-up enterprises with valid-looking 统一社会信用代码, demo secrets
derived from fixed phrases, and the ratios of spot-check item scjg-cc-001 as published in
site/content/lists/spot-checks.yaml. Running it again writes the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

from enforcewatch.draws import compose
from enforcewatch.draws import record as rec
from enforcewatch.draws.hashing import commitment, leaf, salt_for
from enforcewatch.uscc import check_character

DRAW_ID = "2026-scjg-cc-001-01"
TASK_KEY = hashlib.sha256(b"enforcewatch demo task key").hexdigest()
RATIOS = {"base": 300, "A": 100, "B": 300, "C": 1000, "D": 3000}  # scjg-cc-001: 3%, A 1%, B 3%, C 10%, D 30%
SIZES = {"A": 30, "B": 50, "C": 30, "D": 10}
DEMO_ENTERPRISE = 7  # the one whose proof the draws page offers for trying the membership check


def demo_uscc(n: int) -> str:
    first17 = f"9141070{n:010d}"
    return first17 + check_character(first17)


def secret(party: str) -> str:
    return hashlib.sha256(f"enforcewatch demo secret {DRAW_ID} {party}".encode()).hexdigest()


def candidates() -> list[compose.Candidate]:
    out, n = [], 0
    for code, size in SIZES.items():
        for _ in range(size):
            n += 1
            out.append(compose.Candidate(demo_uscc(n), code))
    return out


def make_sample() -> rec.DrawRecord:
    classes = compose.classes_of(DRAW_ID, TASK_KEY, candidates(), RATIOS)
    avoid = {leaf(DRAW_ID, demo_uscc(n), salt_for(TASK_KEY, demo_uscc(n))): ids
             for n, ids in ((3, ["ZF-SCJG-02", "ZF-SCJG-05"]), (85, ["ZF-SCJG-01", "ZF-SCJG-07"]),
                            (111, ["ZF-SCJG-03", "ZF-SCJG-04"]), (118, ["ZF-SCJG-06", "ZF-SCJG-08"]))}
    parties = ("agency", "justice", "point")
    commitments = [rec.Commitment(party=p, commitment=commitment(DRAW_ID, p, secret(p)),
                                  at=f"2026-11-1{6 + i}T09:30:00+08:00") for i, p in enumerate(parties)]
    announced = compose.announce(
        draw_id=DRAW_ID, title="营业执照（登记证）规范使用情况的检查 · 2026年第四季度抽取（演示）",
        matter=rec.Matter(item_id="scjg-cc-001", item="营业执照（登记证）规范使用情况的检查"),
        agency="示范市市场监督管理局", scheduled_at="2026-11-20T10:00:00+08:00", team_size=2,
        classes=classes, inspectors=[f"ZF-SCJG-{i:02d}" for i in range(1, 9)], avoid=avoid,
        previous_draw="2026-scjg-cc-001-00", commitments=commitments)
    reveals = [rec.Reveal(party=p, secret=secret(p), at="2026-11-20T10:05:00+08:00") for p in parties]
    return compose.complete(announced, reveals)



def demo_proof() -> dict[str, str]:
    uscc = demo_uscc(DEMO_ENTERPRISE)
    return {"draw": DRAW_ID, "uscc": uscc, "salt": salt_for(TASK_KEY, uscc)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("site/content/draws"))
    out = p.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{DRAW_ID}.json").write_text(make_sample().dump(), encoding="utf-8")
    print(f"{out / (DRAW_ID + '.json')}  demo proof: {demo_proof()}")


if __name__ == "__main__":
    main()
