"""Plan sheets read with the shared sheet reader (`tabular.reader`), as offices build them: title rows,
序号/备注 columns, footers, Excel dates and serials, full-width characters, CSV (UTF-8 and GBK) and
XLSX; every problem names its sheet, row and column, and nothing is returned while any row is bad."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from enforcewatch.cli import main
from enforcewatch.control import plans, plansheet
from enforcewatch.errors import ImportRowsError, InputError
from support.control import office_plan_sheet
from support.insights import content

HEADER = ["类型", "执法部门", "计划名称", "检查事项", "检查行业或领域", "检查对象", "开始日期", "结束日期", "检查缘由",
          "备案日期", "备案受理机关"]
GOOD = ["年度计划", "sthj", "2026年排污许可检查计划", "sthj-cc-001", "化工", "", "2026-03-01", "2026-12-31", "",
        "2026-02-20", "示范市司法局"]


@pytest.fixture(scope="module")
def lists() -> tuple[dict[str, str], dict[str, str]]:
    return plans.published(content())


def test_an_office_workbook_is_read_past_its_title_columns_and_footer(tmp_path: Path, lists: Any) -> None:
    path = office_plan_sheet(tmp_path / "计划.xlsx")
    sheet = plansheet.read(path)
    assert sheet.header_row == 3 and sheet.name == "2026年计划" and [r.number for r in sheet.rows] == [4, 6]
    assert sheet.footer == (7, "合计") and set(sheet.ignored) == {"序号", "备注"}
    annual, special = plansheet.check(sheet, *lists)
    assert annual.matters == ["scjg-cc-001", "scjg-cc-002"] and str(annual.period_from) == "2026-02-01"
    assert str(annual.filed_on) == "2026-01-15" and annual.sector == "食品销售"
    assert special.department == "scjg" and special.matters == ["scjg-cc-001", "scjg-cc-002"]  # full-width folded
    assert special.enterprises == ["示范市测试企业0001有限公司", "91000000MA00000002"]
    assert (str(special.period_from), str(special.period_to)) == ("2026-05-01", "2026-05-31")  # 2026年5月1日, 2026.5.31
    assert str(special.filed_on) == "2026-04-27"  # the Excel serial 46139
    assert str(special.publish_targets_after) == "2026-06-01"  # full-width digits


def test_a_gbk_csv_with_a_title_row_and_a_footer_is_read(tmp_path: Path, lists: Any) -> None:
    path = tmp_path / "plans.csv"
    lines = [["示范市生态环境局检查计划"], ["序号", *HEADER], ["1", *GOOD], ["填表人：李四"]]
    path.write_bytes("\r\n".join(",".join(r) for r in lines).encode("gb18030"))
    [got] = plansheet.load(path, *lists)
    assert got.department == "sthj" and got.title == "2026年排污许可检查计划"


def test_every_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_returned(tmp_path: Path, lists: Any) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "计划"
    ws.append(["某局检查计划"])
    ws.append(HEADER)
    ws.append(GOOD)
    ws.append([*GOOD[:3], "sthj-cc-999", *GOOD[4:6], "2026-02-30", *GOOD[7:]])
    ws.append(["临时", *GOOD[1:9], "2026-02-20", "局"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    with pytest.raises(ImportRowsError) as exc:
        plansheet.load(path, *lists)
    places = {(p.sheet, p.row, p.column, p.label) for p in exc.value.problems}
    assert ("计划", 4, "D", "检查事项") in places and ("计划", 4, "G", "开始日期") in places
    assert ("计划", 5, "A", "类型") in places and ("计划", 5, "K", "备案受理机关") in places
    assert all(p.row in (4, 5) for p in exc.value.problems)  # the good row 3 has none
    text = exc.value.message
    assert "bad.xlsx 工作表“计划” 第4行 G列“开始日期”：“2026-02-30”不是存在的日期" in text
    assert "第4行 D列“检查事项”：“sthj-cc-999” 不在公布的执法事项或抽查事项清单中" in text
    assert "开始日期：" not in text  # a bad date is not also reported as missing


def test_a_sheet_without_its_columns_or_rows_is_refused(tmp_path: Path, lists: Any) -> None:
    path = tmp_path / "plans.csv"
    path.write_text(",".join(h for h in HEADER if h != "备案日期") + "\n" + ",".join(GOOD[:9] + GOOD[10:]) + "\n",
                    encoding="utf-8-sig")
    with pytest.raises(ImportRowsError, match="缺少“备案日期”列"):
        plansheet.load(path, *lists)
    path.write_text(",".join([*HEADER, "负责人签字"]) + "\n" + ",".join([*GOOD, "x"]) + "\n", encoding="utf-8-sig")
    with pytest.raises(ImportRowsError, match="无法识别的列名“负责人签字”"):
        plansheet.load(path, *lists)
    path.write_text(",".join(HEADER) + "\n", encoding="utf-8-sig")
    with pytest.raises(ImportRowsError, match="下没有计划"):
        plansheet.load(path, *lists)
    with pytest.raises(InputError, match="只支持 .csv 或 .xlsx"):
        plansheet.load(tmp_path / "plans.xls", *lists, data=b"x", name="plans.xls")


def test_the_cli_import_names_the_place_of_a_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from support.insights import CONTENT

    path = tmp_path / "plans.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join([*GOOD[:3], "sthj-cc-999", *GOOD[4:]]) + "\n",
                    encoding="utf-8-sig")
    code = main(["plans", "import", str(path), "--content", str(CONTENT), "--data-dir", str(tmp_path / "d")])
    assert code != 0 and "第2行 D列“检查事项”" in capsys.readouterr().err
