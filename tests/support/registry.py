"""Rows of a registry import file (docs/data-model.md, "Registry imports"), one column per field."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from enforcewatch.uscc import check_character

HEADER = ["point_id", "enterprise_name", "uscc", "district", "industry", "designated_on", "reporting_from"]


def uscc_for(n: int) -> str:
    first17 = f"91410700MA{n:07d}"
    return first17 + check_character(first17)


def row(n: int, **over: str) -> list[str]:
    values = {"point_id": f"XX-{n:03d}", "enterprise_name": f"示范企业{n}有限公司", "uscc": uscc_for(n),
              "district": "城关区", "industry": "制造业", "designated_on": "2025-12-29", "reporting_from": "2026-01"}
    values.update(over)
    return [values[h] for h in HEADER]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "0" <= ch <= "9" or "A" <= ch <= "Z" else ch for ch in text)


def office_registry(path: Path) -> Path:
    """The registry as a city office keeps it: a merged title row, 序号, 联系人 merged over 姓名 | 电话,
    Excel date cells (a typed 2025-04 becomes a date), Chinese spellings, full-width digits, a footer."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "第一批"
    ws.append(["《示范市第一批行政执法监测点名单》"])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位：示范市司法局", None, None, None, None, None, None, None, "2025年3月"])
    ws.append(["序号", "监测点编号", "企业名称", "统一社会信用代码", "所在县（市、区）", "行业", "授牌日期", "起报月份",
               "联系人", None, "备注"])
    ws.append([None, None, None, None, None, None, None, None, "姓名", "电话", None])
    ws.merge_cells("I3:J3")
    ws.append([1, "XX-001", "示范企业1有限公司", uscc_for(1), "城关区", "制造业", dt.datetime(2025, 3, 1),
               dt.datetime(2025, 4, 1), "张三", 13800000000, "首批"])
    ws.append([2, to_fullwidth("XX-002"), "示范企业2有限公司", to_fullwidth(uscc_for(2)), "东山县 ", "建筑业",
               "2025.3.1", "2025年4月", None, None, None])
    ws.append([])
    ws.append([3, "XX-003", "示范企业3有限公司", uscc_for(3).lower(), "城关区", "批发和零售业", "2025年3月1日",
               "202504", "李四", "139 0000 0000", None])
    ws.append([4, "XX-004", "示范企业4有限公司", uscc_for(4), "城关区", "制造业", 45717, 45748, None, None, None])
    ws.append(["合计", None, "4家"])
    ws.append(["填表人：王五", None, None, "审核人：赵六"])
    book.save(path)
    return path

