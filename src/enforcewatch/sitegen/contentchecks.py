"""Checks across the content files, run on the raw items so they report even where pydantic found
other problems: unknown departments, values outside the office's enumerations (site.yaml), duplicate
or reserved ids, spot-check ratios for credit classes the policy does not define (seed 002 §(三))."""

from __future__ import annotations

from typing import Any

from enforcewatch.sitegen.supervision_content import Add
from enforcewatch.sitegen.yamllines import items_of, line_of

SITE_FILE = "site.yaml"
DEPARTMENTS_FILE = "departments.yaml"
# Path segments the build uses under each list; an item may not take them as its id.
RESERVED_IDS = frozenset({"department", "changes"})  # changes: the recent-changes page (feeds.py)


def check_items(add: Add, rel: str, raw: Any, dept_ids: set[str] | None,
                 allowed: dict[str, list[str]]) -> None:
    """Cross-file checks on the raw items, so they run even where pydantic found other problems:
    unknown department, a value outside the office's enumerations, duplicate or reserved ids."""
    first_line: dict[str, int | None] = {}
    for _, item in items_of(raw):
        check_id(add, rel, item, first_line)
        dept = item.get("department")
        if dept_ids is not None and isinstance(dept, str) and dept not in dept_ids:
            add(rel, line_of(item, "department"), "department",
                  f"未知部门 “{dept}”（部门在 {DEPARTMENTS_FILE} 中定义）")
        check_values(add, rel, item, allowed)


def check_id(add: Add, rel: str, item: Any, first_line: dict[str, int | None]) -> None:
    """An item's id: not used before in the file (`first_line` remembers each), not a reserved word."""
    item_id = item.get("id")
    if not isinstance(item_id, str):
        return
    if item_id in first_line:
        add(rel, line_of(item, "id"), "id", f"编号 “{item_id}” 重复（第 {first_line[item_id]} 行已使用）")
    else:
        first_line[item_id] = line_of(item, "id")
    if item_id in RESERVED_IDS:
        add(rel, line_of(item, "id"), "id", f"编号 “{item_id}” 是保留字，请换一个")


def check_values(add: Add, rel: str, item: Any, allowed: dict[str, list[str]]) -> None:
    """Each enumerated field (one value or a list) holds values of the office's enumeration."""
    for key, values in allowed.items():
        value = item.get(key)
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, str) and one not in values:
                add(rel, line_of(item, key), key,
                      f"未知取值 “{one}”，可选：{'、'.join(values)}（在 {SITE_FILE} 的 enumerations 中配置）")


def check_ratios(add: Add, rel: str, raw: Any) -> None:
    """Each spot-check ratio names `base` or a credit class the policy defines (seed 002 §(三))."""
    policy = raw.get("credit_policy") if isinstance(raw, dict) else None
    classes = policy.get("classes") if isinstance(policy, dict) else None
    codes = {k.get("code") for k in classes if isinstance(k, dict)} if isinstance(classes, list) else set()
    for _, item in items_of(raw):
        ratios = item.get("ratio_pct")
        if not isinstance(ratios, dict):
            continue
        if "base" not in ratios:
            add(rel, line_of(item, "ratio_pct"), "ratio_pct", "缺少 base（未分类对象的抽查比例）")
        for key in ratios:
            if key != "base" and key not in codes:
                add(rel, getattr(ratios, "key_lines", {}).get(key, getattr(ratios, "line", None)), f"ratio_pct.{key}",
                      f"信用风险类别 “{key}” 未在 credit_policy.classes 中定义")
