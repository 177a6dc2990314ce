"""Plans imported from a sheet (XLSX or CSV, first sheet, one plan a row, Chinese or field headers).

Every row is checked first and every problem reported as `FILE:第N行: 列名：message`; nothing is
stored unless all rows are valid. List cells (检查事项, 检查对象) separate values by 、 ， , ； or ;.
(A reusable sheet reader is being written in another branch; this module keeps to what plans need.)
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from enforcewatch.errors import InputError

HEADERS = {
    "kind": ("类型", "计划类型", "kind"), "department": ("执法部门", "部门", "department"),
    "title": ("计划名称", "名称", "title"), "matters": ("检查事项", "matters"),
    "sector": ("检查行业或领域", "行业", "sector"), "enterprises": ("检查对象", "enterprises"),
    "period_from": ("开始日期", "检查开始日期", "period_from"), "period_to": ("结束日期", "检查结束日期", "period_to"),
    "ground": ("检查缘由", "缘由", "ground"), "reason": ("缘由说明", "reason"),
    "filed_on": ("备案日期", "filed_on"), "received_by": ("备案受理机关", "受理机关", "received_by"),
    "publish_targets_after": ("检查对象公开日期", "publish_targets_after"),
}
LISTS = ("matters", "enterprises")
SPLIT = re.compile(r"[、，,；;\n]+")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _mapping(path: Path, header: tuple[Any, ...]) -> dict[int, str]:
    lookup = {alias: field for field, aliases in HEADERS.items() for alias in aliases}
    mapping = {i: lookup[_text(h)] for i, h in enumerate(header) if _text(h) in lookup}
    missing = [HEADERS[f][0] for f in ("kind", "department", "title", "matters", "period_from", "period_to",
                                        "filed_on", "received_by") if f not in mapping.values()]
    if missing:
        raise InputError(f"{path}: 缺少列：{'、'.join(missing)}")
    return mapping


def raw_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from enumerate(csv.reader(handle), start=1)
        return
    # cold start: openpyxl is ~200 modules and the staff function loads this module at cold start
    # (the plans routes): only a plan sheet in .xlsx loads it
    import openpyxl  # heavy: only when importing a spreadsheet

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"{path}: 无法作为 XLSX 打开：{exc}") from None
    try:
        yield from enumerate((list(r) for r in book.worksheets[0].iter_rows(values_only=True)), start=1)
    finally:
        book.close()


def rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, plan data) for every non-empty row."""
    it = raw_rows(path)
    first = next(it, None)
    if first is None:
        raise InputError(f"{path}: 文件为空")
    mapping = _mapping(path, tuple(first[1]))
    for number, row in it:
        values = {mapping[i]: _text(v) for i, v in enumerate(row) if i in mapping}
        if not any(values.values()):
            continue
        data: dict[str, Any] = {k: v for k, v in values.items() if v and k not in LISTS}
        for key in LISTS:
            data[key] = [v.strip() for v in SPLIT.split(values.get(key, "")) if v.strip()]
        yield number, data
