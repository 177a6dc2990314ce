"""Loading the three supervision lists (`enforcewatch.sitegen.supervision`): their files, which are
optional (an office publishes them as it adopts them), and the checks across files that place each
problem on its line: a result's spot-check items must be on the spot-check list, and a result must be
published within the period the list sets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel

from enforcewatch.sitegen.supervision import (
    KeySupervisionItem,
    KeySupervisionList,
    PrudentItem,
    PrudentList,
    SpotCheckResult,
    SpotCheckResultList,
)

OPTIONAL_LIST_FILES = {
    "key-supervision": "lists/key-supervision.yaml",
    "prudent-supervision": "lists/prudent-supervision.yaml",
    "spot-check-results": "lists/spot-check-results.yaml",
}
LIST_MODELS: dict[str, type[BaseModel]] = {
    "key-supervision": KeySupervisionList, "prudent-supervision": PrudentList,
    "spot-check-results": SpotCheckResultList}
ITEM_MODELS: dict[str, type[BaseModel]] = {
    "key-supervision": KeySupervisionItem, "prudent-supervision": PrudentItem,
    "spot-check-results": SpotCheckResult}
FACT_KEYS = {"spot-check-results": ("spot_check_items", "completed", "published")}

Add = Callable[[str, "int | None", str, str], None]
Items = Callable[[Any], Iterable[tuple[int, dict[Any, Any]]]]
Line = Callable[[dict[Any, Any], str], "int | None"]


def check_results(add: Add, rel: str, raw: Any, spot_check_ids: set[str] | None, items: Items, line: Line
                  ) -> None:
    """Each result names spot-check items that exist, and was published in time (seed 002 (二):
    抽查结果要依法及时公开)."""
    within = raw.get("publish_within_days", 30) if isinstance(raw, dict) else 30
    for _, item in items(raw):
        ids = item.get("spot_check_items")
        for one in ids if isinstance(ids, list) else []:
            if spot_check_ids is not None and isinstance(one, str) and one not in spot_check_ids:
                add(rel, line(item, "spot_check_items"), "spot_check_items",
                    f"抽查事项 “{one}” 不在随机抽查事项清单中")
        done, out = _day(item.get("completed")), _day(item.get("published"))
        if isinstance(within, int) and done is not None and out is not None and (out - done).days > within:
            add(rel, line(item, "published"), "published",
                f"结果应在检查完成后 {within} 日内公示（完成于 {done}，公示于 {out}）")


def _day(value: Any) -> dt.date | None:
    """A date as read (the quick read's cache may hold it as ISO text); anything else: None (the
    model reports it)."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
