"""The data downloads of each published list: JSON (an array of items), CSV (UTF-8 with BOM,
so Excel opens it; Chinese headers; one row per item) and XLSX (the CSV's columns; the same bytes
for the same items, so the golden output and caches can compare it). A department's own list as a
sheet (`to_xlsx` of its items) reads back into `lists import` unchanged."""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from enforcewatch.cells import as_text
from enforcewatch.sitegen.catalog import Department, LawRef
from enforcewatch.tabular.fastrows import append_rows
from enforcewatch.tabular.writer import stable_xlsx

Column = tuple[str, Callable[[Any, Department], object]]


def _laws(refs: Sequence[LawRef]) -> str:
    return "；".join(str(r) for r in refs)


def _join(values: Sequence[str]) -> str:
    return "、".join(values)


def _ratios(ratios: Mapping[str, float]) -> str:
    return "；".join(("基准" if k == "base" else f"{k}类") + f"{v:g}%" for k, v in ratios.items())


def _common_head() -> list[Column]:
    return [
        ("编号", lambda i, d: i.id),
        ("部门编号", lambda i, d: i.department),
        ("部门", lambda i, d: d.name),
        ("序号", lambda i, d: i.seq),
    ]


def _common_tail() -> list[Column]:
    return [("更新日期", lambda i, d: i.updated.isoformat()), ("备注", lambda i, d: i.notes)]


COLUMNS: dict[str, list[Column]] = {
    "enforcement-items": [
        *_common_head(),
        ("事项名称", lambda i, d: i.name),
        ("事项类别", lambda i, d: i.kind),
        ("执法主体", lambda i, d: i.body),
        ("承办机构", lambda i, d: i.handling_unit),
        ("执法依据", lambda i, d: _laws(i.basis)),
        ("实施对象", lambda i, d: i.object),
        ("行使层级", lambda i, d: i.level),
        ("监督电话", lambda i, d: i.supervision_phone or d.hotline),
        ("状态", lambda i, d: i.status),
        *_common_tail(),
    ],
    "spot-checks": [
        *_common_head(),
        ("抽查类别", lambda i, d: i.category),
        ("抽查事项", lambda i, d: i.item),
        ("检查内容", lambda i, d: i.content),
        ("检查对象", lambda i, d: i.objects),
        ("事项类别", lambda i, d: i.item_class),
        ("检查方式", lambda i, d: _join(i.methods)),
        ("检查主体", lambda i, d: i.body),
        ("检查依据", lambda i, d: _laws(i.basis)),
        ("抽查比例", lambda i, d: _ratios(i.ratio_pct)),
        ("比例说明", lambda i, d: i.ratio_note),
        ("抽查频次", lambda i, d: i.frequency),
        ("联合抽查", lambda i, d: f"{i.joint.lead}牵头，{_join(i.joint.partners)}参与" if i.joint else ""),
        ("行使层级", lambda i, d: i.level),
        *_common_tail(),
    ],
    "leniency": [
        *_common_head(),
        ("清单类别", lambda i, d: i.kind),
        ("领域", lambda i, d: i.area),
        ("违法行为", lambda i, d: i.violation),
        ("违反的规定", lambda i, d: _laws(i.violated)),
        ("处罚依据", lambda i, d: _laws(i.penalty_basis)),
        ("适用条件", lambda i, d: "；".join(i.conditions)),
        ("适用依据", lambda i, d: i.leniency_basis),
        ("柔性执法措施", lambda i, d: _join(i.measures)),
        ("从轻或减轻", lambda i, d: i.degree),
        ("处理结果", lambda i, d: i.outcome),
        ("执法主体", lambda i, d: i.body),
        *_common_tail(),
    ],
    "key-supervision": [
        *_common_head(),
        ("重点监管事项", lambda i, d: i.matter),
        ("领域", lambda i, d: i.area),
        ("纳入理由", lambda i, d: i.reason),
        ("监管措施", lambda i, d: _join(i.measures)),
        ("监管依据", lambda i, d: _laws(i.basis)),
        ("重点监管单位", lambda i, d: _join(i.units)),
        ("公布单位的依据", lambda i, d: str(i.units_basis) if i.units_basis else ""),
        ("监管主体", lambda i, d: i.body),
        *_common_tail(),
    ],
    "prudent-supervision": [
        *_common_head(),
        ("行业或领域", lambda i, d: i.sector),
        ("新技术新产业新业态新模式", lambda i, d: i.activity),
        ("类型", lambda i, d: i.innovation),
        ("留观期起", lambda i, d: i.observation_from.isoformat()),
        ("留观期止", lambda i, d: i.observation_to.isoformat()),
        ("柔性执法措施（按顺序）", lambda i, d: _join(i.measures)),
        ("不适用情形（底线）", lambda i, d: "；".join(i.bottom_lines)),
        ("依据", lambda i, d: _laws(i.basis)),
        ("执法主体", lambda i, d: i.body),
        *_common_tail(),
    ],
    "spot-check-results": [
        *_common_head(),
        ("抽查任务", lambda i, d: i.task),
        ("抽查事项", lambda i, d: i.matter),
        ("抽查事项编号", lambda i, d: _join(i.spot_check_items)),
        ("抽查户数", lambda i, d: i.checked),
        ("检查结果", lambda i, d: "；".join(f"{k}{v}户" for k, v in i.results.items())),
        ("检查完成日期", lambda i, d: i.completed.isoformat()),
        ("公示日期", lambda i, d: i.published.isoformat()),
        ("检查主体", lambda i, d: i.body),
        ("企业检查结果查询", lambda i, d: i.link),
        *_common_tail(),
    ],
}


def _cell(value: object) -> object:
    if isinstance(value, str):
        return as_text(value)  # a cell a spreadsheet would run as a formula stays text
    return "" if value is None else value


def to_csv(key: str, items: Sequence[Any], departments: Mapping[str, Department]) -> bytes:
    columns = COLUMNS[key]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([name for name, _ in columns])
    for item in items:
        dept = departments[item.department]
        writer.writerow([_cell(get(item, dept)) for _, get in columns])
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


SHEET_NAMES = {"enforcement-items": "行政执法事项清单", "spot-checks": "随机抽查事项清单", "leniency": "两轻一免清单",
               "key-supervision": "重点监管清单", "prudent-supervision": "包容审慎监管清单",
               "spot-check-results": "双随机抽查结果"}


def to_xlsx(key: str, items: Sequence[Any], departments: Mapping[str, Department]) -> bytes:
    """The CSV's columns as a workbook: a bold, frozen header row, every text cell formula-safe.
    The rows are appended to the header-only workbook as openpyxl writes them (tabular.fastrows,
    same bytes, about 20 times faster); openpyxl writes the whole workbook when a value needs it."""
    columns = COLUMNS[key]
    rows = [[_cell(get(item, departments[item.department])) for _, get in columns] for item in items]
    fast = append_rows(_header_workbook(key), rows)
    return fast if fast is not None else _openpyxl_xlsx(key, rows)


@functools.cache
def _header_workbook(key: str) -> bytes:
    """The list's workbook with its header row only (the same for every build)."""
    return _openpyxl_xlsx(key, [])


def _openpyxl_xlsx(key: str, rows: Sequence[Sequence[object]]) -> bytes:
    # cold start: openpyxl is ~200 modules, which the CLI's start (every subcommand loads sitegen)
    # does not need: only a build that writes the workbooks loads it
    from openpyxl import Workbook  # heavy: only when a workbook is written
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_NAMES[key])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name, _ in COLUMNS[key]:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return stable_xlsx(out.getvalue())


def to_json(items: Sequence[Any], departments: Mapping[str, Department]) -> bytes:
    """A JSON array with one item per line, each serialised by pydantic's compiled encoder (Python's
    json module is pure Python once `indent` is set: 5x slower on 10,000 items); a changed item is
    a changed line when two downloads are compared."""
    names = {dept_id: json.dumps(d.name, ensure_ascii=False) for dept_id, d in departments.items()}
    body = ",\n".join(f'{item.model_dump_json()[:-1]},"department_name":{names[item.department]}}}'
                       for item in items)
    return (f"[\n{body}\n]\n" if body else "[]\n").encode("utf-8")


FORMATS = ("json", "csv", "xlsx")


def render(key: str, items: Sequence[Any], departments: Mapping[str, Department]) -> dict[str, bytes]:
    return {"json": to_json(items, departments), "csv": to_csv(key, items, departments),
            "xlsx": to_xlsx(key, items, departments)}


def department_sheet_path(key: str, dept_id: str) -> str:
    """Where a department's own list is published as a sheet, to edit and send back (lists import)."""
    return f"data/{key}/{dept_id}.xlsx"
