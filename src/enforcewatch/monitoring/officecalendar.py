"""Next year's official calendar uploaded by the office through the staff workspace, stored in the
table (`CALENDAR` / `YEAR#{year}`, the YAML text as uploaded) and read by `duedates.load_calendar`
when it is given the table: the daily check and the staff pages use a new year at once, without
redeploying. Validated exactly as a `site/content/calendar/{year}.yaml` file is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from enforcewatch.clock import iso_utc
from enforcewatch.errors import ContentError, ContentProblem, FieldError, InputError
from enforcewatch.monitoring.duedates import STORED_CALENDAR, OfficeYear, read_year_text
from enforcewatch.store.dynamo import DynamoTable

MAX_BYTES = 64 * 1024


def check_upload(year_text: str, data: bytes, name: str) -> tuple[int, str, OfficeYear]:
    """The year and text of an upload if valid; InputError listing every problem (line: field: message)."""
    if not year_text.isdigit() or not 2000 <= int(year_text) <= 2100:
        raise InputError("年份应为四位数字", [FieldError(("year",), f"年份应为四位数字，而不是“{year_text}”")])
    if not data:
        raise InputError("请选择要上传的文件", [FieldError(("file",), "没有文件")])
    if len(data) > MAX_BYTES:
        raise InputError("文件过大", [FieldError(("file",), f"日历文件不应超过 {MAX_BYTES // 1024} KB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("文件应为 UTF-8 编码的 YAML", [FieldError(("file",), "文件应为 UTF-8 编码")]) from None
    problems: list[ContentProblem] = []
    year = read_year_text(name or f"{year_text}.yaml", int(year_text), text, problems)
    if problems or year is None:
        raise ContentError(problems or [ContentProblem(name, None, "", "无法读取")])
    return int(year_text), text, year


def save_year(table: DynamoTable, year: int, text: str, name: str, by: str, now: dt.datetime) -> dict[str, Any]:
    item = {"pk": STORED_CALENDAR, "sk": f"YEAR#{year}", "year": year, "text": text, "source": name,
            "uploaded_by": by, "uploaded_at": iso_utc(now)}
    table.put(item)
    return item


def stored_years(table: DynamoTable) -> list[dict[str, Any]]:
    return [{k: v for k, v in item.items() if k != "text"} for item in table.query(STORED_CALENDAR, consistent=True)]
