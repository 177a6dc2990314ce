"""Plans imported from a sheet (XLSX or CSV, one plan a row, Chinese or field headers).

Reading is the shared one (`enforcewatch.tabular.reader`, like the registry and list imports): title
rows above the header, a 序号 or 备注 column, merged header cells, a footer (合计, 填表人, 备注：…),
Excel date cells and serials, 2026年2月1日, full-width digits, CSV (UTF-8 or GBK) and XLSX (the first
sheet whose header is found). Checking is the plans' own (`plans.validate`): every row is checked first
and every problem reported together, each naming the file, sheet, row and column; nothing is stored
unless all rows are valid. List cells (检查事项, 检查对象) separate values by 、 ， , ； ; or a line break.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from enforcewatch.control import plans
from enforcewatch.errors import ImportRowsError, InputError, RowProblem
from enforcewatch.tabular.reader import Column, Layout, Sheet, read_sheet
from enforcewatch.tabular.values import code_text, fold, parse_date

LAYOUT = Layout(
    what="检查计划表",
    columns=(
        Column("kind", "类型", ("计划类型", "检查类型"), required=True),
        Column("department", "执法部门", ("部门", "执法单位", "部门代码"), required=True),
        Column("title", "计划名称", ("名称", "检查计划名称", "专项检查名称"), required=True),
        Column("matters", "检查事项", ("检查事项编号", "事项编号"), required=True),
        Column("sector", "检查行业或领域", ("行业", "检查行业", "检查领域")),
        Column("enterprises", "检查对象", ("检查对象名称", "检查企业")),
        Column("period_from", "开始日期", ("检查开始日期", "计划开始日期"), required=True),
        Column("period_to", "结束日期", ("检查结束日期", "计划结束日期"), required=True),
        Column("ground", "检查缘由", ("缘由",)),
        Column("reason", "缘由说明", ("情况说明",)),
        Column("filed_on", "备案日期", ("备案时间",), required=True),
        Column("received_by", "备案受理机关", ("受理机关", "备案机关"), required=True),
        Column("publish_targets_after", "检查对象公开日期", ("对象公开日期",)),
    ),
    extras=("序号", "序", "No", "No.", "备注", "说明", "填报单位", "联系人", "联系电话"),
)
LISTS = ("matters", "enterprises")
DATES = ("period_from", "period_to", "filed_on", "publish_targets_after")
CODES = ("department",)  # identifiers: full-width folded, spaces removed
SPLIT = re.compile(r"[、，,；;\n]+")


def read(path: Path, *, data: bytes | None = None, name: str | None = None) -> Sheet:
    return read_sheet(path, LAYOUT, data=data, name=name)


def _split(text: str, codes: bool) -> list[str]:
    return [code_text(v) if codes else v.strip() for v in SPLIT.split(text) if v.strip()]


def row_data(values: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """A sheet row as plan data, and the problems of its cells (field → message) found while reading
    them: dates in any office spelling become YYYY-MM-DD, codes are folded, lists split."""
    data: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, text in values.items():
        if not text or key in LISTS:
            continue
        if key in DATES:
            try:
                data[key] = parse_date(text).isoformat()
            except ValueError as exc:
                problems[key] = str(exc)
        else:
            data[key] = code_text(text) if key in CODES else fold(text) if key == "kind" else text
    data["matters"] = _split(values.get("matters", ""), codes=True)
    data["enterprises"] = _split(values.get("enterprises", ""), codes=False)
    return data, problems


def rows(path: Path, *, data: bytes | None = None, name: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(row number, plan data) for every data row (for `plans.validate_rows`). A cell that cannot be
    read as a date is passed on as written, so the plan's own check reports it."""
    for row in read(path, data=data, name=name).rows:
        out, bad = row_data(row.values)
        yield row.number, {**out, **{k: row.values[k] for k in bad}}


def check(sheet: Sheet, departments: Mapping[str, str], matters: Mapping[str, str]) -> list[plans.PlanIn]:
    """Every row checked against the plan rules and the published lists; raises ImportRowsError with
    every problem, each naming its sheet, row and column."""
    good: list[plans.PlanIn] = []
    problems: list[RowProblem] = []
    for row in sheet.rows:
        data, bad = row_data(row.values)
        found = [sheet.problem(row.number, key, message) for key, message in bad.items()]
        try:
            plan = plans.validate({k: v for k, v in data.items() if k not in bad}, departments, matters)
        except InputError as exc:
            found += [_problem(sheet, row.number, e.loc, e.msg) for e in exc.errors
                      if not (e.loc and e.loc[0] in bad)]  # a date already reported is not "missing" too
        else:
            if not found:
                good.append(plan)
        problems += found
    if not sheet.rows:
        problems.append(RowProblem(sheet.path, 0, "", f"表头（第{sheet.header_row}行）下没有计划", sheet=sheet.name))
    if problems:
        raise ImportRowsError(problems)
    return good


def load(path: Path, departments: Mapping[str, str], matters: Mapping[str, str], *, data: bytes | None = None,
         name: str | None = None) -> list[plans.PlanIn]:
    """Read and check a whole sheet: the plans to store, or ImportRowsError / InputError."""
    return check(read(path, data=data, name=name), departments, matters)


def _problem(sheet: Sheet, number: int, loc: tuple[str | int, ...], message: str) -> RowProblem:
    field = str(loc[0]) if loc and str(loc[0]) in sheet.letters else ""
    head, colon, rest = message.partition("：")
    if colon and len(head) <= 20 and "“" not in head:  # the place already names it: 执法部门：未知部门 → 未知部门
        message = rest
    return sheet.problem(number, field, message) if field else RowProblem(
        sheet.path, number, "", message, sheet=sheet.name)
