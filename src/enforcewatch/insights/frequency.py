"""The published frequency of a spot-check item read as what it says (issue 18; seed 002 (八):
严格控制涉企行政执法检查频次).

A list publishes its frequency as text (`frequency`) with counts beside it (`per_year`,
`max_per_year`). The text says which kind of bound the count is:
- a **minimum** — 不少于, 至少, 以上 (每年不少于1次: one inspection is the least the agency owes);
- a **maximum** — 不超过, 最多, 至多, 上限 (or an explicit `max_per_year`);
- a **fixed count** — anything else (每年1次, 每季度1次: the plan's rhythm).

Only a maximum can be exceeded: a second inspection under 每年不少于1次 is lawful, and a plan's
rhythm is not a ceiling either.
"""

from __future__ import annotations

from dataclasses import dataclass

MINIMUM_WORDS = ("不少于", "不低于", "至少", "以上")
MAXIMUM_WORDS = ("不超过", "不多于", "不得超过", "最多", "至多", "上限", "以内")
KINDS = {"min": "最少", "max": "最多", "fixed": "固定"}


@dataclass(frozen=True)
class Frequency:
    kind: str  # "min" | "max" | "fixed"
    per_year: int | None
    text: str = ""

    @property
    def ceiling(self) -> int | None:
        """The most inspections a year the list allows, or None when it sets no maximum."""
        return self.per_year if self.kind == "max" else None

    def exceeded_by(self, count: int) -> bool:
        return self.ceiling is not None and count > self.ceiling


def read(text: str, per_year: int | None, max_per_year: int | None = None) -> Frequency:
    """The bound the published frequency states; an explicit `max_per_year` is always a maximum."""
    if max_per_year is not None:
        return Frequency("max", max_per_year, text)
    if any(w in text for w in MAXIMUM_WORDS):
        return Frequency("max", per_year, text)
    if any(w in text for w in MINIMUM_WORDS):
        return Frequency("min", per_year, text)
    return Frequency("fixed", per_year, text)
