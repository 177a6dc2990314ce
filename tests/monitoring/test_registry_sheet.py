"""The registry sheet: the blank template round-trips through the reader, the preview reports every
row's problems and what would change without writing, and the CLI writes the template."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from pathlib import Path

import openpyxl
import pytest

from enforcewatch.cli import main
from enforcewatch.monitoring import registry_sheet
from enforcewatch.monitoring.registry import District, import_points
from enforcewatch.monitoring.registry_template import DATA_SHEET, NOTES_SHEET, registry_template_bytes
from enforcewatch.store.ddblocal import DynamoDBLocal
from enforcewatch.store.dynamo import DynamoTable
from support.registry import office_registry, row, write_csv

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "site" / "content"
DISTRICTS = [District("chengguan", "城关区"), District("dongshan", "东山县")]
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def test_template_has_columns_example_and_notes() -> None:
    data = registry_template_bytes(DISTRICTS)
    assert data == registry_template_bytes(DISTRICTS)  # byte for byte: fixed document and entry times
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == [DATA_SHEET, NOTES_SHEET]
    header = [c.value for c in book[DATA_SHEET][1]]
    assert header == [c.label for c in registry_sheet.LAYOUT.columns]
    assert book[DATA_SHEET]["D2"].value == "城关区"
    notes = {r[0]: r[1] for r in book[NOTES_SHEET].iter_rows(min_row=2, values_only=True) if r[0]}
    assert set(notes) == set(header) and "城关区、东山县" in notes["所在县（市、区）"]


def test_template_example_row_is_refused_then_filled_row_imports(tmp_path: Path, moto_table: DynamoTable) -> None:
    path = tmp_path / "模板.xlsx"
    path.write_bytes(registry_template_bytes(DISTRICTS))
    shown = registry_sheet.preview(path, DISTRICTS, moto_table)
    assert [str(p).split("：", 1)[1] for p in shown.problems] == ["这是模板中的示例行，请删除后再导入"]
    book = openpyxl.load_workbook(path)
    book[DATA_SHEET]["B2"] = "示范企业有限公司"
    book.save(path)
    result, items = import_points(moto_table, path, DISTRICTS, rng=random.Random(1), now=NOW)
    assert result.new == ["SF-2025-001"] and items[0]["reporting_from"] == "2025-04"
    assert items[0]["contact"] == "张三 13800000000"


def test_preview_reports_every_row_and_what_would_change(tmp_path: Path, moto_table: DynamoTable) -> None:
    _, items = import_points(moto_table, write_csv(tmp_path / "a.csv", [row(1)]), DISTRICTS,
                             rng=random.Random(1), now=NOW)
    moto_table.batch_put(items)
    path = write_csv(tmp_path / "b.csv", [row(1), row(2), row(3, reporting_from="2025年13月"),
                                           row(4, district="东山县"), row(1, point_id="XX-009", district="东山县")])
    shown = registry_sheet.preview(path, DISTRICTS, moto_table)
    assert shown.updated == ["XX-001"] and shown.new == ["XX-002", "XX-004"] and not shown.ok
    assert [(c.row, len(c.problems)) for c in shown.rows] == [(2, 0), (3, 0), (4, 1), (5, 0), (6, 1)]
    assert "第4行 G列“起报月份”：“2025年13月”不是存在的月份" in str(shown.problems[0])
    assert "与第2行的统一社会信用代码重复" in str(shown.problems[1])
    assert list(moto_table.query("POINT#XX-002")) == []  # nothing written
    moved = registry_sheet.preview(write_csv(tmp_path / "c.csv", [row(1, district="东山县")]), DISTRICTS, moto_table)
    assert "不能通过导入更改辖区" in str(moved.problems[0]) and moved.updated == []


def test_preview_of_an_unreadable_sheet_is_an_error_not_an_exception(tmp_path: Path) -> None:
    shown = registry_sheet.preview(Path("名单.xlsx"), DISTRICTS, data=b"garbage", name="名单.xlsx")
    assert "名单.xlsx：无法作为 XLSX 打开" in shown.error and not shown.ok and shown.rows == []


def test_preview_from_uploaded_bytes(tmp_path: Path) -> None:
    data = office_registry(tmp_path / "x.xlsx").read_bytes()
    shown = registry_sheet.preview(Path("上传.xlsx"), DISTRICTS, data=data, name="上传.xlsx")
    assert shown.ok and shown.new == ["XX-001", "XX-002", "XX-003", "XX-004"]


def test_import_from_uploaded_bytes(moto_table: DynamoTable, tmp_path: Path) -> None:
    data = office_registry(tmp_path / "x.xlsx").read_bytes()
    result, items = import_points(moto_table, Path("上传.xlsx"), DISTRICTS, rng=random.Random(1), now=NOW, data=data)
    assert result.new == ["XX-001", "XX-002", "XX-003", "XX-004"] and len(items) == 4


def test_cli_writes_template_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "模板.xlsx"
    assert main(["points", "template", str(out), "--content", str(CONTENT)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == [DATA_SHEET, NOTES_SHEET]
    assert main(["points", "template", str(out), "--content", str(CONTENT)]) == 1
    assert "文件已存在" in capsys.readouterr().err


@pytest.mark.ddb_local
def test_cli_dry_run_then_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = office_registry(tmp_path / "名单.xlsx")
    data = tmp_path / "data"
    base = ["points", "import", str(path), "--data-dir", str(data), "--content", str(CONTENT)]
    assert main([*base, "--dry-run"]) == 0  # no server running: the command starts its own
    err = capsys.readouterr().err
    assert "预览（未写入）：共 4 行；新增 4 个，更新 0 个；可以导入" in err and "已忽略的列：序号、备注" in err
    with DynamoDBLocal(data):  # as `serve` runs it: the later commands use that server
        assert main([*base, "--codes-out", str(tmp_path / "codes.csv")]) == 0
        err = capsys.readouterr().err
        assert "第10行“合计”起为表尾，其后各行未读取" in err and "新增 4 个" in err
        codes = (tmp_path / "codes.csv").read_text(encoding="utf-8-sig").splitlines()
        assert codes[2].startswith("XX-002,") and codes[2].endswith(",示范企业2有限公司,东山县")
        assert main([*base, "--dry-run", "--json"]) == 0
        captured = capsys.readouterr()
    assert "新增 0 个，更新 4 个" in captured.err
    shown = json.loads(captured.out)
    assert shown["ok"] and shown["updated"] == ["XX-001", "XX-002", "XX-003", "XX-004"] and shown["errors"] == []


def test_large_import_reports_its_progress(moto_table: DynamoTable, tmp_path: Path) -> None:
    from enforcewatch.monitoring.registry import run_import

    seen: list[tuple[int, int]] = []
    path = write_csv(tmp_path / "big.csv", [row(n) for n in range(1, 151)])
    run_import(moto_table, path, DISTRICTS, tmp_path / "codes.csv", rng=random.Random(1), now=NOW,
               progress=lambda done, total: seen.append((done, total)))
    assert seen == [(99, 150), (150, 150)]
