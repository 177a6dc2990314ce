"""Cell values as offices type them: full-width digits, Excel date cells and serials, Chinese date
and month spellings. Each parser returns the value or raises ValueError with a Chinese message."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from enforcewatch.cells import FORMULA_CHARS

# Excel's day 0 (its 1900 system counts 1900-02-29, which did not exist, so serials from 61 on
# are one day ahead of a plain count from 1899-12-31).
EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serials that can be a date an office writes (1954 … 2119): anything else is a number, not a date.
_SERIAL_RANGE = range(20000, 80000)

_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?")
_MONTH_COMPACT = re.compile(r"(\d{4})(\d{2})")
_NUMBER = re.compile(r"\d+(?:\.0+)?")


def fold(text: str) -> str:
    """Full-width digits, letters and spaces to their ASCII forms (NFKC), trimmed. For codes, dates
    and numbers: names keep their own characters (（） stays as the office wrote it)."""
    return unicodedata.normalize("NFKC", text).strip()


def cell_text(value: Any) -> str:
    """A cell as text: a date cell as YYYY-MM-DD, a whole float without its .0, text trimmed."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_CHARS:
        return text[1:]  # a cell our downloads kept from running as a formula (cells.as_text)
    return text


def _serial(text: str) -> dt.date | None:
    if _NUMBER.fullmatch(text) and int(float(text)) in _SERIAL_RANGE:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    return None


def parse_date(text: str) -> dt.date:
    """2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301, or an Excel serial (45717)."""
    folded = fold(text)
    if serial := _serial(folded):
        return serial
    for pattern in (_DATE, _DATE_COMPACT):
        if m := pattern.fullmatch(folded):
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ValueError(f"“{text}”不是存在的日期") from None
    raise ValueError(f"日期应写作 YYYY-MM-DD（如 2025-03-01、2025年3月1日），而不是“{text}”")


def parse_month(text: str) -> tuple[int, int]:
    """2025-04, 2025/4, 2025.4, 2025年4月, 202504, or a date in that month (Excel turns a typed
    2025-04 into the date 2025-04-01; its serial is accepted too). Returns (year, month)."""
    folded = fold(text)
    month: tuple[int, int] | None = None
    if m := (_MONTH.fullmatch(folded) or _MONTH_COMPACT.fullmatch(folded)):
        month = int(m[1]), int(m[2])
    else:
        try:
            day = parse_date(folded)
        except ValueError:
            pass
        else:
            month = day.year, day.month
    if month is None:
        raise ValueError(f"月份应写作 YYYY-MM（如 2025-04、2025年4月），而不是“{text}”")
    if not 1 <= month[1] <= 12 or not 1900 <= month[0] <= 2200:
        raise ValueError(f"“{text}”不是存在的月份")
    return month


def code_text(text: str) -> str:
    """An identifier or code: folded to ASCII, inner spaces removed."""
    return "".join(fold(text).split())
