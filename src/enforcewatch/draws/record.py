"""The public draw record (schema `enforcewatch-draw/1`, docs/draws.md "Record") and the digests
that chain it together: candidates → announcement (with the commitments) → public value → seed.

The record carries no enterprise name or 统一社会信用代码: each candidate is a salted leaf, and only
the enterprise holding its salt can show which leaf is its own. Credit classes of named
enterprises therefore never appear either; only the size of each class does.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from enforcewatch.draws.hashing import ALGORITHM, tagged

SCHEMA = "enforcewatch-draw/1"
HEX64_RE = re.compile(r"^[0-9a-f]{64}$")
Hex = Annotated[str, StringConstraints(pattern=HEX64_RE.pattern)]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200)]
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?\+08:00$")
PARTY_ROLES = {"agency": "执法机关", "justice": "司法局", "point": "监测点代表"}
REQUIRED_PARTIES = ("agency", "justice")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Matter(Model):
    list: Literal["spot-checks"] = "spot-checks"
    item_id: Id  # the id of the item on the published 随机抽查事项清单
    item: Label  # its 抽查事项, as published


class CreditClass(Model):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,8}$")]  # A..D, or "base"
    ratio_bp: int = Field(ge=0, le=10_000)  # the published ratio in basis points (3% = 300)
    size: int = Field(ge=0)
    count: int = Field(ge=0)
    leaves: list[Hex]  # sorted ascending, no repeats


class Commitment(Model):
    party: Id
    commitment: Hex
    at: str


class Reveal(Model):
    party: Id
    secret: Hex
    at: str


class Selected(Model):
    credit_class: str
    leaf: Hex
    inspectors: list[Id]


class DrawRecord(Model):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    schema_: Literal["enforcewatch-draw/1"] = Field(default=SCHEMA, alias="schema")  # type: ignore[arg-type]  # SCHEMA is that literal
    id: Id
    title: Label
    algorithm: str = ALGORITHM
    matter: Matter
    agency: Label
    scheduled_at: str  # China time, ISO 8601 with +08:00
    team_size: int = Field(ge=1, le=10)
    classes: list[CreditClass] = Field(min_length=1)
    candidates_digest: Hex
    inspectors: list[Id] = Field(min_length=1)
    avoid: dict[str, list[Id]] = Field(default_factory=dict)  # leaf -> who inspected it last time
    previous_draw: str = ""
    commitments: list[Commitment] = Field(min_length=2)
    announcement_digest: Hex
    beacon: str = ""  # a slot for an outside value; empty, the workflow offers none (docs/draws.md)
    public_value: Hex
    reveals: list[Reveal] = Field(default_factory=list)
    seed: str = ""
    result: list[Selected] = Field(default_factory=list)
    status: Literal["announced", "completed"] = "announced"

    def dump(self) -> str:
        return self.model_dump_json(by_alias=True, indent=1) + "\n"


def candidates_digest(draw_id: str, classes: list[CreditClass]) -> str:
    return tagged(f"{ALGORITHM}/candidates", draw_id,
                  *(f"{c.code}:{c.ratio_bp}:{leaf}" for c in classes for leaf in c.leaves))


def announcement_digest(r: DrawRecord) -> str:
    """Everything fixed before anyone reveals: the matter, the candidates, the counts, the inspectors,
    who must not meet whom again, and every party's commitment (sorted by party)."""
    fields = [r.id, r.algorithm, r.matter.item_id, r.agency, r.scheduled_at, str(r.team_size),
              r.candidates_digest, *(f"{c.code}:{c.ratio_bp}:{c.size}:{c.count}" for c in r.classes),
              "inspectors", *r.inspectors, "avoid",
              *(f"{leaf}:{','.join(ids)}" for leaf, ids in sorted(r.avoid.items())),
              "previous", r.previous_draw, "commitments",
              *(f"{c.party}:{c.commitment}" for c in sorted(r.commitments, key=lambda c: c.party))]
    return tagged(f"{ALGORITHM}/announce", *fields)


def public_value(scheduled_at: str, announcement: str, beacon: str) -> str:
    return tagged(f"{ALGORITHM}/public", scheduled_at, announcement, beacon)


def seed(public: str, reveals: list[Reveal]) -> str:
    return tagged(f"{ALGORITHM}/seed", public,
                  *(f"{r.party}:{r.secret}" for r in sorted(reveals, key=lambda r: r.party)))
