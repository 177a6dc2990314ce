"""The blank registry template: an XLSX with the columns, one example row and a notes sheet
(填表说明) saying what each column takes. Served by the staff workspace (`registry_template_bytes`)
and written by `enforcewatch points template OUT.xlsx`. The bytes are the same on every call for
the same districts (fixed document times), so the file can be cached or compared.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from enforcewatch import uscc
from enforcewatch.monitoring.registry_sheet import EXAMPLE_MARK, LAYOUT
from enforcewatch.tabular.writer import stable_xlsx

DATA_SHEET = "监测点名单"
NOTES_SHEET = "填表说明"

# What each column takes, in the office's words (docs/staff.md lists the same).
RULES: dict[str, str] = {
    "point_id": "必填。字母、数字和连字符，最长32位，如 SF-2025-001；同一文件中不得重复。已登记的编号再次导入时更新该监测点。",
    "enterprise_name": "必填。营业执照上的企业名称。",
    "uscc": "必填。18位统一社会信用代码，系统按 GB 32100-2015 核对校验位；全角字符和空格会自动转换。",
    "district": "必填。县（市、区）名称，须为系统中已有的名称：{districts}。已登记的监测点不能通过导入更改辖区。",
    "industry": "必填。所属行业，如 制造业、建筑业、批发和零售业。",
    "designated_on": "必填。选定（授牌）日期：日期单元格，或 2025-03-01、2025/3/1、2025.3.1、2025年3月1日。",
    "reporting_from": "必填。起报月份：2025-04、2025年4月、202504 均可；在 Excel 中输入 2025-04 变成日期也可以。"
                      "不得早于选定日期所在月份。",
    "plaque_no": "选填。监测点牌匾编号。",
    "contact": "选填。联系人姓名。",
    "contact_phone": "选填。联系电话。",
}


def example_row(districts: Sequence[Any]) -> dict[str, str]:
    first17 = "91410700MA0000001"
    return {"point_id": "SF-2025-001", "enterprise_name": "示范市某某制造有限公司" + EXAMPLE_MARK,
            "uscc": first17 + uscc.check_character(first17),
            "district": districts[0].name if districts else "城关区", "industry": "制造业",
            "designated_on": "2025-03-01", "reporting_from": "2025-04", "plaque_no": "SF-JCD-001",
            "contact": "张三", "contact_phone": "13800000000"}


def registry_template_bytes(districts: Sequence[Any]) -> bytes:
    """The template as XLSX bytes (districts: objects with `.name`, offered as a drop-down too)."""
    # cold start: openpyxl is ~200 modules, which neither the CLI's start nor a function needs; only
    # `points template` builds the workbook
    from openpyxl import Workbook  # heavy: only when the template is asked for
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    data: Any = book.active  # the first sheet of a new workbook
    data.title = DATA_SHEET
    columns = LAYOUT.columns
    data.append([c.label for c in columns])
    example = example_row(districts)
    data.append([example[c.field] for c in columns])
    for cell in data[1]:
        cell.font = Font(bold=True)
    for i, col in enumerate(columns):
        data.column_dimensions[chr(65 + i)].width = 24 if col.field in ("enterprise_name", "uscc") else 14
        data.cell(row=2, column=i + 1).number_format = "@"  # text: Excel must not turn 2025-04 into a date
    data.freeze_panes = "A2"
    names = [d.name for d in districts]
    if names and len(",".join(names)) < 250:  # Excel's limit for an inline list
        district_col = chr(65 + [c.field for c in columns].index("district"))
        pick = DataValidation(type="list", formula1='"' + ",".join(names) + '"', allow_blank=True)
        pick.error, pick.errorTitle = "请从列表中选择县（市、区）", "县（市、区）"
        data.add_data_validation(pick)
        pick.add(f"{district_col}2:{district_col}5000")
    notes = book.create_sheet(NOTES_SHEET)
    notes.append(["列名", "说明", "也可写作"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for col in columns:
        rule = RULES[col.field].format(districts="、".join(names) or "（见县（市、区）列表）")
        notes.append([col.label, rule, "、".join(a for a in col.aliases)])
    notes.append([])
    notes.append(["", "表格上方可以有标题行，可以有“序号”“备注”列，表格下方可以有“合计”“填表人”等行：导入时自动跳过，并提示跳过了什么。"])
    notes.append(["", "导入时先检查每一行，任何一行有问题都不会写入；问题会指明工作表、行和列。"])
    notes.column_dimensions["A"].width, notes.column_dimensions["B"].width = 18, 90
    notes.column_dimensions["C"].width = 40
    book.properties.creator = "EnforceWatch"
    out = io.BytesIO()
    book.save(out)
    return stable_xlsx(out.getvalue())
