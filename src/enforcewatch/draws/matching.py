"""An inspection a point reports as 双随机抽查, matched to the draw that selected it (issue 21).

Pure: the caller (insights detection) gives the completed draws with who each selected (from
`draws.tasks.completed_selections`, confidential, staff side only) and the point's 统一社会信用代码.
A draw matches when it is of the inspecting department, was scheduled on or before the inspection
date and no more than `MAX_DAYS` before it, and selected the enterprise. Only departments that run
their draws here are held to it, from their first draw on: before that the office has no record to
match against, and a finding would say nothing about the agency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_DAYS = 366  # a draw's inspections take place within a year of it


@dataclass(frozen=True)
class DrawSelection:
    draw_id: str
    department: str | None
    scheduled_on: dt.date
    selected: frozenset[str]  # 统一社会信用代码 of the enterprises drawn


def selections(completed: Iterable[Mapping[str, Any]], department_of: Mapping[str, str]) -> list[DrawSelection]:
    """From `tasks.completed_selections` rows; `department_of` maps a spot-check item id to its department."""
    return [DrawSelection(d["draw_id"], department_of.get(d["item_id"]),
                          dt.datetime.fromisoformat(d["scheduled_at"]).date(),
                          frozenset(s["uscc"] for s in d["selected"])) for d in completed]


def held_to_draws(draws: Sequence[DrawSelection], department: str | None, on: dt.date) -> bool:
    """Whether the department ran a draw here on or before `on` (then its 双随机 inspections must match one)."""
    return department is not None and any(d.department == department and d.scheduled_on <= on for d in draws)


def match(draws: Sequence[DrawSelection], department: str | None, uscc: str | None, on: dt.date
          ) -> DrawSelection | None:
    """The latest draw of `department` that selected `uscc` and may have led to an inspection on `on`."""
    fits = [d for d in draws if d.department == department and uscc in d.selected
            and d.scheduled_on <= on and (on - d.scheduled_on).days <= MAX_DAYS]
    return max(fits, key=lambda d: (d.scheduled_on, d.draw_id)) if fits else None
