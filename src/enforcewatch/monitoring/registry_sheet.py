"""The registry of monitoring points as a sheet: its columns, every row checked, the preview staff
see before anything is written, and the blank template (docs/staff.md, "The registry sheet").

Reading is liberal (`enforcewatch.tabular.reader`: title rows, 序号, merged headers, footers, Excel
dates, 2025年4月, full-width digits); checking is not: every rule of the registry holds, and every
problem of every row is reported together, each naming its sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from enforcewatch import uscc
from enforcewatch.errors import EnforceWatchError, ImportRowsError, RowProblem
from enforcewatch.tabular.reader import Column, Layout, Sheet, read_sheet
from enforcewatch.tabular.values import code_text, parse_date, parse_month

_POINT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")

LAYOUT = Layout(
    what="监测点名单",
    columns=(
        Column("point_id", "监测点编号", ("编号", "监测点代码"), required=True),
        Column("enterprise_name", "企业名称", ("单位名称", "企业（单位）名称", "监测点名称", "名称"), required=True),
        Column("uscc", "统一社会信用代码", ("信用代码", "社会信用代码", "统一代码"), required=True),
        Column("district", "所在县（市、区）", ("县（市、区）", "县市区", "所在辖区", "辖区", "所属县区", "所在区县",
                                          "区县"), required=True),
        Column("industry", "行业", ("所属行业", "行业类别"), required=True),
        Column("designated_on", "选定日期", ("命名日期", "授牌日期", "确定日期"), required=True),
        Column("reporting_from", "起报月份", ("首次报送月份", "开始报送月份"), required=True),
        Column("plaque_no", "牌匾编号", ("牌匾号",)),
        Column("contact", "联系人", ("联系人及电话", "联系方式", "姓名")),
        Column("contact_phone", "联系电话", ("电话", "手机", "手机号码")),
    ),
    extras=("序号", "序", "No", "No.", "备注", "说明", "法定代表人", "地址", "注册地址", "经营地址"),
)
REQUIRED = tuple(c.field for c in LAYOUT.columns if c.required)
LABELS = {c.field: c.label for c in LAYOUT.columns}
EXAMPLE_MARK = "（示例，请删除）"  # the template's example row carries it: never imported


@dataclass(frozen=True)
class PointRow:
    row: int
    point_id: str
    enterprise_name: str
    uscc: str
    district: str
    industry: str
    designated_on: dt.date
    reporting_from: str
    plaque_no: str | None
    contact: str | None


@dataclass
class RowCheck:
    """One row as the preview shows it: what it would store, or its problems."""

    row: int
    values: dict[str, str]
    problems: list[RowProblem] = field(default_factory=list)


def read(path: Path, *, data: bytes | None = None, name: str | None = None) -> Sheet:
    return read_sheet(path, LAYOUT, data=data, name=name)


def check_rows(sheet: Sheet, districts: Sequence[Any]) -> tuple[list[PointRow], list[RowCheck]]:
    """Every row checked: the valid rows, and every row with its problems (none for a good row)."""
    by_name = {"".join(d.name.split()): d.id for d in districts} | {d.id: d.id for d in districts}
    good: list[PointRow] = []
    checks: list[RowCheck] = []
    seen_ids: dict[str, int] = {}
    seen_uscc: dict[str, int] = {}
    for source in sheet.rows:
        raw, number = source.values, source.number
        check = RowCheck(number, raw)
        checks.append(check)

        def bad(col: str, msg: str, check: RowCheck = check, number: int = number) -> None:
            check.problems.append(sheet.problem(number, col, msg))

        for col in REQUIRED:
            if not raw.get(col):
                bad(col, f"“{LABELS[col]}”不能为空")
        if EXAMPLE_MARK in raw.get("enterprise_name", ""):
            bad("enterprise_name", "这是模板中的示例行，请删除后再导入")
        pid, code = code_text(raw.get("point_id", "")), code_text(raw.get("uscc", "")).upper()
        _check_identity(pid, code, seen_ids, seen_uscc, bad)
        district_text = "".join(raw.get("district", "").split())
        district = by_name.get(district_text)
        if district_text and district is None:
            bad("district", f"未知的县（市、区）“{district_text}”，应为 {'、'.join(d.name for d in districts)}")
        designated = _date(raw.get("designated_on", ""), bad)
        reporting_from = _month(raw.get("reporting_from", ""), bad)
        if designated and reporting_from and reporting_from < f"{designated:%Y-%m}":
            bad("reporting_from", "起报月份不能早于选定日期所在月份")
        if check.problems:
            continue
        seen_ids[pid], seen_uscc[code] = number, number
        contact = " ".join(v for v in (raw.get("contact", ""), code_text(raw.get("contact_phone", ""))) if v)
        good.append(PointRow(number, pid, raw["enterprise_name"], code, district or "", raw["industry"],
                             designated or dt.date.min, reporting_from or "",
                             code_text(raw.get("plaque_no", "")) or None, contact or None))
    return good, checks


def validate(sheet: Sheet, districts: Sequence[Any]) -> list[PointRow]:
    """Every row checked; all problems raised together, nothing returned if any."""
    good, checks = check_rows(sheet, districts)
    problems = [p for c in checks for p in c.problems]
    if problems:
        raise ImportRowsError(problems)
    return good


def _check_identity(pid: str, code: str, seen_ids: dict[str, int], seen_uscc: dict[str, int], bad: Any) -> None:
    if pid and not _POINT_ID.match(pid):
        bad("point_id", "监测点编号只能含字母、数字和连字符，最长32位")
    elif pid in seen_ids:
        bad("point_id", f"与第{seen_ids[pid]}行编号重复")
    if code and (msg := uscc.problem(code)):
        bad("uscc", msg)
    elif code in seen_uscc:
        bad("uscc", f"与第{seen_uscc[code]}行的统一社会信用代码重复")


def _date(text: str, bad: Any) -> dt.date | None:
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        bad("designated_on", str(exc))
        return None


def _month(text: str, bad: Any) -> str | None:
    if not text:
        return None
    try:
        year, month = parse_month(text)
    except ValueError as exc:
        bad("reporting_from", str(exc))
        return None
    return f"{year:04d}-{month:02d}"


# -- preview ------------------------------------------------------------------------------------


@dataclass
class Preview:
    """What an import of this sheet would do, before anything is written."""

    sheet: Sheet
    rows: list[RowCheck]
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    error: str = ""  # the file as a whole could not be read

    @property
    def problems(self) -> list[RowProblem]:
        return [p for r in self.rows for p in r.problems]

    @property
    def ok(self) -> bool:
        return not self.error and not self.problems


def preview(path: Path, districts: Sequence[Any], table: Any = None, *, data: bytes | None = None,
            name: str | None = None) -> Preview:
    """Every row's problems (and, given the store, which points are new and which updated), for the
    staff workspace and `points import --dry-run`. Nothing is written. A sheet that cannot be read at
    all (no header, a damaged file) comes back as `error`, not raised."""
    try:
        sheet = read(path, data=data, name=name)
    except EnforceWatchError as exc:
        return Preview(Sheet(name or str(path), "", LAYOUT), [], error=exc.message)
    good, checks = check_rows(sheet, districts)
    result = Preview(sheet, checks)
    by_row = {c.row: c for c in checks}
    for row in good:
        existing = table.get(f"POINT#{row.point_id}", "POINT") if table is not None else None
        if existing and existing.get("district") != row.district:
            by_row[row.row].problems.append(sheet.problem(
                row.row, "district", f"该监测点已登记在“{existing.get('district')}”，不能通过导入更改辖区"))
            continue
        (result.updated if existing else result.new).append(row.point_id)
    return result
