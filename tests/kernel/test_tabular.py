"""The liberal sheet reader on sheets built the way offices build them (title rows, merged header
cells, 序号, Excel dates, footers, full-width characters; CSV and XLSX), and its value parsers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from enforcewatch.errors import ImportRowsError, InputError
from enforcewatch.tabular.reader import Column, Layout, column_letter, read_sheet
from enforcewatch.tabular.values import parse_date, parse_month

LAYOUT = Layout("测试名单", (
    Column("name", "企业名称", ("单位名称",), required=True),
    Column("month", "起报月份", required=True),
    Column("contact", "联系人", ("姓名",)),
    Column("phone", "联系电话", ("电话",)),
), extras=("序号", "备注"))


@pytest.mark.parametrize("text", ["2025-03-01", "2025/3/1", "2025.3.1", "2025年3月1日", "２０２５年３月１日",
                                  "20250301", "45717", "45717.0", " 2025 - 03 - 01 "])
def test_date_spellings(text: str) -> None:
    assert parse_date(text) == dt.date(2025, 3, 1)


@pytest.mark.parametrize("text", ["2025-04", "2025/4", "2025.04", "2025年4月", "2025年04月份", "202504",
                                  "２０２５－０４", "2025-04-01", "45748"])
def test_month_spellings(text: str) -> None:
    assert parse_month(text) == (2025, 4)


@pytest.mark.parametrize("text, message", [("2025-02-30", "不是存在的日期"), ("三月一日", "日期应写作"),
                                           ("12345", "日期应写作")])
def test_bad_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(text)


@pytest.mark.parametrize("text", ["2025-13", "202513", "四月", "2025"])
def test_bad_months_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="月份"):
        parse_month(text)


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


def office_book(path: Path) -> Path:
    """Title merged over the columns, a blank row, 序号, a two-row header (联系人 over 姓名 | 电话),
    an Excel date cell, a footer and a signature row below it."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "名单"
    ws.append(["《示范市第一批名单》"])
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["序  号", "单位\n名称", "起报月份", "联系人", None, "备注"])
    ws.append([None, None, None, "姓名", "电话", None])
    ws.merge_cells("A3:A4")
    ws.merge_cells("D3:E3")
    ws.append([1, "甲公司", dt.datetime(2025, 4, 1), "张三", "１３８００００００００", "无"])
    ws.append([])
    ws.append([2, "乙公司", "2025年4月", "李四", 13900000000, None])
    ws.append(["序号", "单位名称", "起报月份", "联系人", None, "备注"])  # the header repeated on page 2
    ws.append(["合计", "2家", None, None, None, None])
    ws.append(["填表人：王五", None, "审核：赵六"])
    ws.append([3, "丙公司", "2025-04"])  # below the footer: not read
    book.save(path)
    return path


def test_xlsx_as_offices_build_it(tmp_path: Path) -> None:
    sheet = read_sheet(office_book(tmp_path / "名单.xlsx"), LAYOUT)
    assert sheet.name == "名单" and sheet.header_row == 3
    assert [(r.number, r.values) for r in sheet.rows] == [
        (5, {"name": "甲公司", "month": "2025-04-01", "contact": "张三", "phone": "１３８００００００００"}),
        (7, {"name": "乙公司", "month": "2025年4月", "contact": "李四", "phone": "13900000000"}),
    ]
    assert sheet.letters == {"name": "B", "month": "C", "contact": "D", "phone": "E"}
    assert sheet.footer == (9, "合计")
    notes = sheet.notes()
    assert "表头在第3行，上方2行（标题等）未读取" in notes and "已忽略的列：序号、备注" in notes
    assert "第9行“合计”起为表尾，其后各行未读取" in notes
    problem = sheet.problem(7, "month", "月份不对")
    assert str(problem).endswith("名单.xlsx 工作表“名单” 第7行 C列“起报月份”：月份不对")


def test_csv_in_gb18030_with_title_and_note_footer(tmp_path: Path) -> None:
    text = "示范市名单,,\n,,\n序号,企业名称,起报月份\n1,甲公司,202504\n备注：本表由区县汇总,,\n"
    path = tmp_path / "名单.csv"
    path.write_bytes(text.encode("gb18030"))
    sheet = read_sheet(path, LAYOUT)
    assert [r.values for r in sheet.rows] == [{"name": "甲公司", "month": "202504"}]
    assert sheet.footer == (5, "备注：本表由区县汇总") and sheet.name == ""


def test_a_note_column_value_is_not_a_footer(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("企业名称,起报月份,备注\n合计科技有限公司,2025-04,备注：新增\n", encoding="utf-8-sig")
    assert [r.values["name"] for r in read_sheet(path, LAYOUT).rows] == ["合计科技有限公司"]


def test_header_problems_name_sheet_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "b.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "表一"
    book.active.append(["标题"])
    book.active.append(["企业名称", "单位名称", "起报月份", "法人"])
    book.save(path)
    with pytest.raises(ImportRowsError) as caught:
        read_sheet(path, LAYOUT)
    text = str(caught.value)
    assert "b.xlsx 工作表“表一” 第2行 B列“企业名称”：与A列重复" in text
    assert "b.xlsx 工作表“表一” 第2行 D列：无法识别的列名“法人”" in text


def test_lenient_layout_reports_unknown_columns(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("企业名称,起报月份,法人,区域\n甲,2025-04,张,东\n", encoding="utf-8")
    lenient = Layout("测试名单", LAYOUT.columns, strict=False)
    sheet = read_sheet(path, lenient)
    assert sheet.unmapped == ["法人", "区域"] and "无法对应的列（未导入）：法人、区域" in sheet.notes()


def test_no_header_and_unreadable_files(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["只有标题"])
    book.save(path)
    with pytest.raises(ImportRowsError, match="前30行中找不到测试名单的表头行（应含以下列：企业名称、起报月份）"):
        read_sheet(path, LAYOUT)
    (tmp_path / "e.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="e.xlsx：无法作为 XLSX 打开"):
        read_sheet(tmp_path / "e.xlsx", LAYOUT)
    with pytest.raises(InputError, match=r"只支持 \.csv 或 \.xlsx"):
        read_sheet(tmp_path / "f.xls", LAYOUT, data=b"")


def test_a_notes_sheet_before_the_list_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "g.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active.append(["请按下表填写"])
    data = book.create_sheet("数据")
    data.append(["企业名称", "起报月份"])
    data.append(["甲", "2025-04"])
    book.save(path)
    sheet = read_sheet(path, LAYOUT)
    assert sheet.name == "数据" and [r.number for r in sheet.rows] == [2]
