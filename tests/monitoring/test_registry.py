"""The registry import: every row validated, nothing half-imported, codes issued once and stored as hashes."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from enforcewatch import codes
from enforcewatch.cli import main
from enforcewatch.errors import ContentError, ImportRowsError
from enforcewatch.monitoring.registry import CodeLine, District, import_points, load_districts, write_codes
from enforcewatch.store.ddblocal import DynamoDBLocal
from enforcewatch.store.dynamo import DynamoTable
from support.registry import HEADER, office_registry, row, uscc_for, write_csv

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "site" / "content"
DISTRICTS = [District("chengguan", "城关区"), District("dongshan", "东山县")]
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def test_repository_districts_load() -> None:
    names = [d.name for d in load_districts(CONTENT)]
    assert "城关区" in names and any(n.endswith("县") for n in names)


def test_bad_districts_file_names_line(tmp_path: Path) -> None:
    (tmp_path / "districts.yaml").write_text("- id: a\n  name: 甲区\n- id: A B\n  name: ''\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_districts(tmp_path)
    assert [str(p).split(": ", 1)[0].rsplit(":", 1)[1] for p in caught.value.problems] == ["3", "3"]


def test_import_issues_codes_stored_only_as_hashes(moto_table: DynamoTable, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "points.csv", [row(1), row(2, district="dongshan")])
    result, items = import_points(moto_table, path, DISTRICTS, rng=random.Random(1), now=NOW)
    assert result.new == ["XX-001", "XX-002"] and len(result.codes) == 2
    moto_table.batch_put(items)
    stored = moto_table.get("POINT#XX-002", "POINT")
    assert stored["district"] == "dongshan" and stored["status"] == "active"
    assert stored["gsi1pk"] == "DISTRICT#dongshan" and stored["gsi1sk"] == "POINT#XX-002#POINT"
    code = dict(result.codes)["XX-002"]
    assert code not in str(stored) and codes.verify_code(code, stored["access_code_hash"])


def test_reimport_updates_without_new_codes_unless_asked(moto_table: DynamoTable, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "points.csv", [row(1)])
    _, items = import_points(moto_table, path, DISTRICTS, rng=random.Random(1), now=NOW)
    moto_table.batch_put(items)
    old_hash = moto_table.get("POINT#XX-001", "POINT")["access_code_hash"]
    moto_table.update("POINT#XX-001", "POINT", {"status": "revoked"})
    path2 = write_csv(tmp_path / "points2.csv", [row(1, industry="批发和零售业")])
    result, items = import_points(moto_table, path2, DISTRICTS, rng=random.Random(2), now=NOW)
    assert result.updated == ["XX-001"] and result.codes == []
    moto_table.batch_put(items)
    stored = moto_table.get("POINT#XX-001", "POINT")
    assert stored["industry"] == "批发和零售业" and stored["access_code_hash"] == old_hash
    assert stored["status"] == "revoked"  # status is what staff confirmed, not the spreadsheet's
    again, _ = import_points(moto_table, path2, DISTRICTS, rng=random.Random(3), now=NOW, reissue=True)
    assert [pid for pid, _ in again.codes] == ["XX-001"]


def test_every_bad_row_reported_and_nothing_imported(moto_table: DynamoTable, tmp_path: Path) -> None:
    bad_check = uscc_for(3)[:17] + ("0" if uscc_for(3)[17] != "0" else "1")
    path = write_csv(tmp_path / "points.csv", [
        row(1),
        row(2, uscc=bad_check),
        row(3, designated_on="2026-02-30", district="北区"),
        row(4, reporting_from="2025-11"),
        row(1, point_id="XX-005"),
        row(6, point_id="XX-001"),
        row(7, enterprise_name=""),
    ])
    with pytest.raises(ImportRowsError) as caught:
        import_points(moto_table, path, DISTRICTS, rng=random.Random(1), now=NOW)
    text = str(caught.value)
    assert f"{path} 第3行 C列“统一社会信用代码”：统一社会信用代码校验位不正确" in text
    assert f"{path} 第4行 D列“所在县（市、区）”：未知的县（市、区）“北区”" in text
    assert f"{path} 第4行 F列“选定日期”：“2026-02-30”不是存在的日期" in text
    assert f"{path} 第5行 G列“起报月份”：起报月份不能早于选定日期所在月份" in text
    assert f"{path} 第6行 C列“统一社会信用代码”：与第2行的统一社会信用代码重复" in text
    assert f"{path} 第7行 A列“监测点编号”：与第2行编号重复" in text
    assert f"{path} 第8行 B列“企业名称”：“企业名称”不能为空" in text
    assert list(moto_table.query("POINT#XX-001")) == []


def test_chinese_headers_and_xlsx(moto_table: DynamoTable, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["监测点编号", "企业名称", "统一社会信用代码", "所在县（市、区）", "行业", "选定日期", "起报月份"])
    sheet.append(["XX-009", "示范企业9有限公司", uscc_for(9), "东山县", "建筑业", dt.datetime(2025, 12, 29), "2026-01"])
    book.save(tmp_path / "points.xlsx")
    result, items = import_points(moto_table, tmp_path / "points.xlsx", DISTRICTS, rng=random.Random(1), now=NOW)
    assert result.new == ["XX-009"] and items[0]["designated_on"] == "2025-12-29"
    assert items[0]["district"] == "dongshan"


def test_unknown_column_and_missing_column(moto_table: DynamoTable, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "p.csv", [["1"]], header=["编号x"])
    with pytest.raises(ImportRowsError, match=r"p.csv：前30行中找不到监测点名单的表头行"):
        import_points(moto_table, path, DISTRICTS, rng=random.Random(1), now=NOW)
    path = write_csv(tmp_path / "p.csv", [row(1) + ["x"]], header=[*HEADER, "编号x"])
    with pytest.raises(ImportRowsError, match=r"p.csv 第1行 H列：无法识别的列名“编号x”"):
        import_points(moto_table, path, DISTRICTS, rng=random.Random(1), now=NOW)
    path = write_csv(tmp_path / "q.csv", [row(1)[:6]], header=HEADER[:6])
    with pytest.raises(ImportRowsError, match=r"q.csv：缺少“起报月份”列（表头在第1行）"):
        import_points(moto_table, path, DISTRICTS, rng=random.Random(1), now=NOW)


def test_district_cannot_move_by_import(moto_table: DynamoTable, tmp_path: Path) -> None:
    _, items = import_points(moto_table, write_csv(tmp_path / "a.csv", [row(1)]), DISTRICTS,
                             rng=random.Random(1), now=NOW)
    moto_table.batch_put(items)
    with pytest.raises(ImportRowsError, match="不能通过导入更改辖区"):
        import_points(moto_table, write_csv(tmp_path / "b.csv", [row(1, district="东山县")]), DISTRICTS,
                      rng=random.Random(1), now=NOW)


def test_codes_file_is_written_once(tmp_path: Path) -> None:
    out = tmp_path / "codes.csv"
    write_codes(out, [CodeLine("XX-001", "AAAA-BBBB-CCCC-DDDD-EEEE")])
    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        "监测点编号,访问码,企业名称,所在县（市、区）", "XX-001,AAAA-BBBB-CCCC-DDDD-EEEE,,"]
    assert out.stat().st_mode & 0o077 == 0
    with pytest.raises(Exception, match="文件已存在"):
        write_codes(out, [])


@pytest.mark.ddb_local
def test_cli_import_against_dynamodb_local(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "points.csv", [row(1), row(2)])
    data = tmp_path / "data"
    args = ["points", "import", str(path), "--codes-out", str(tmp_path / "codes.csv"), "--data-dir", str(data),
            "--content", str(CONTENT)]
    assert main(args) == 0  # no server running: the command starts DynamoDB Local on the data dir itself
    lines = (tmp_path / "codes.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 3 and lines[1].startswith("XX-001,") and lines[1].endswith(",示范企业1有限公司,城关区")
    with DynamoDBLocal(data):  # as `serve` runs it: the later commands use that server
        assert main(args) == 1  # the codes file exists: refused, nothing changed
        assert "文件已存在" in capsys.readouterr().err
        args[4] = str(tmp_path / "codes2.csv")
        assert main(args) == 0
        assert (tmp_path / "codes2.csv").read_text(encoding="utf-8-sig").splitlines() == [
            "监测点编号,访问码,企业名称,所在县（市、区）"]
        assert main(["points", "import", "--recover", "--data-dir", str(data)]) == 0
        err = capsys.readouterr().err
        assert "没有未完成的导入" in err and "最近一次导入" in err and "points.csv" in err and "已完成" in err
        assert main(["points", "import", "--recover", str(path), "--data-dir", str(data)]) == 1


def test_office_registry_sheet_imports(moto_table: DynamoTable, tmp_path: Path) -> None:
    result, items = import_points(moto_table, office_registry(tmp_path / "名单.xlsx"), DISTRICTS,
                                  rng=random.Random(1), now=NOW)
    assert result.new == ["XX-001", "XX-002", "XX-003", "XX-004"]
    by_id = {i["point_id"]: i for i in items}
    assert {i["designated_on"] for i in items} == {"2025-03-01"} and {i["reporting_from"] for i in items} == {"2025-04"}
    assert by_id["XX-002"]["uscc"] == uscc_for(2) and by_id["XX-002"]["district"] == "dongshan"
    assert by_id["XX-003"]["uscc"] == uscc_for(3) and by_id["XX-003"]["contact"] == "李四 13900000000"
    assert by_id["XX-001"]["contact"] == "张三 13800000000" and "contact" not in by_id["XX-002"]
    assert "已忽略的列：序号、备注" in result.notes and "第10行“合计”起为表尾，其后各行未读取" in result.notes
    assert result.recipients["XX-002"] == ("示范企业2有限公司", "东山县")


def test_office_registry_sheet_as_csv(moto_table: DynamoTable, tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    text = ("示范市第一批行政执法监测点名单,,,,,,,\n,,,,,,,\n序号,监测点编号,企业名称,统一社会信用代码,辖区,行业,选定日期,起报月份\n"
            f"1,XX-001,示范企业1有限公司,{uscc_for(1)},城关区,制造业,2025/3/1,2025-4\n"
            f"２,ＸＸ－００２,示范企业2有限公司,{uscc_for(2)},东山县,制造业,２０２５年３月１日,２０２５年４月\n"
            "备注：以上为第一批,,,,,,,\n")
    path.write_bytes(text.encode("gb18030"))  # Excel's plain CSV on a Chinese Windows
    result, items = import_points(moto_table, path, DISTRICTS, rng=random.Random(1), now=NOW)
    assert result.new == ["XX-001", "XX-002"] and {i["reporting_from"] for i in items} == {"2025-04"}


def test_office_registry_sheet_problems_name_sheet_row_and_column(moto_table: DynamoTable, tmp_path: Path) -> None:
    import openpyxl

    path = office_registry(tmp_path / "名单.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["第一批"]
    ws["H6"] = "2025年13月"
    ws["G8"] = "三月一日"
    ws["E9"] = "西区"
    book.save(path)
    with pytest.raises(ImportRowsError) as caught:
        import_points(moto_table, path, DISTRICTS, rng=random.Random(1), now=NOW)
    text = str(caught.value)
    assert f"{path} 工作表“第一批” 第6行 H列“起报月份”：“2025年13月”不是存在的月份" in text
    assert f"{path} 工作表“第一批” 第8行 G列“选定日期”：日期应写作 YYYY-MM-DD" in text
    assert f"{path} 工作表“第一批” 第9行 E列“所在县（市、区）”：未知的县（市、区）“西区”" in text
    assert len(caught.value.problems) == 3 and list(moto_table.query("POINT#XX-001")) == []
