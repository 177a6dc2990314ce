"""Exports: one row per inspection, BOM, formula neutralising in CSV and XLSX, request validation."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from enforcewatch.errors import InputError
from enforcewatch.staff import exports

DANGEROUS = ["=HYPERLINK(\"http://x\",\"点我\")", "+1+2", "-3", "@SUM(A1)", "\tTAB", "\rCR",
             # issue 19 §7: full-width and small equals, and invisible characters before a formula
             "＝HYPERLINK(\"http://x\")", "﹦1+1", "＋1", "－1", "＠SUM(A1)", "\u200b=1+1", "\ufeff=SUM(A1)",
             "\u2060\u200d@A1", "\u00ad-1", "\u3000=1"]


def report(point: str, month: str, inspections: list[dict], district: str = "红旗区", seq: int = 0) -> dict:
    return {
        "pk": f"POINT#{point}", "sk": f"REPORT#{month}#{seq:04d}", "point_id": point, "district": district,
        "month": month, "seq": seq, "received_at": f"{month}-28T01:00:00.000000Z", "inspections": inspections,
        "no_inspections": not inspections, "suggestions": "无", "contact_name": "张三",
        "gsi2pk": f"REPORTS#{district}", "gsi2sk": f"{month}#{point}#{seq:04d}",
    }


def inspection(agency: str, **extra: object) -> dict:
    return {"date": "2026-02-10", "agency": agency, "officer_count": 2, "misconduct": ["重复检查", "一刀切"], **extra}


def test_neutralise() -> None:
    for value in DANGEROUS:
        assert exports.neutralise(value).startswith("'")
    assert exports.neutralise("正常文本") == "正常文本"
    assert exports.neutralise("a\x00b") == "ab"


def test_report_rows_one_per_inspection() -> None:
    rows = list(exports.report_rows([report("P1", "2026-02", [inspection("市场监管局"), inspection("税务局")]),
                                     report("P2", "2026-02", [])]))
    assert len(rows) == 3
    agency = [h for h, _ in exports.REPORT_COLUMNS].index("执法单位")
    assert [r[agency] for r in rows] == ["市场监管局", "税务局", None]


def test_csv_has_bom_and_neutralised_cells() -> None:
    rows = [[v, "普通"] for v in DANGEROUS]
    data = b"".join(exports.csv_chunks(["甲", "乙"], iter(rows)))
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[0] == ["甲", "乙"]
    assert [r[0] for r in parsed[1:]] == ["'" + v for v in DANGEROUS]
    later = b"".join(exports.csv_chunks(["甲", "乙"], iter([["普通", v] for v in DANGEROUS])))
    parsed = list(csv.reader(io.StringIO(later.decode("utf-8-sig"), newline="")))
    assert [r[1] for r in parsed[1:]] == ["'" + v for v in DANGEROUS]


def test_xlsx_cells_are_text_never_formulas(tmp_path) -> None:
    rows = [[v, 5, True] for v in DANGEROUS]
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"".join(exports.xlsx_chunks(["甲", "乙", "丙"], iter(rows))))
    sheet = load_workbook(path).active
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    # XML turns a lone CR into LF on reading; what matters is the leading quote
    assert [v[0] for v in values] == ["'" + v.replace("\r", "\n") for v in DANGEROUS]
    assert values[0][1:] == ("5", "是")
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type == "s"
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml and 't="inlineStr"' in xml


def test_json_keeps_values() -> None:
    data = b"".join(exports.json_chunks(["甲"], iter([["=1"], ["b"]])))
    assert json.loads(data) == [{"甲": "=1"}, {"甲": "b"}]


def test_request_validation_names_fields() -> None:
    with pytest.raises(InputError) as exc:
        exports.ExportRequest.parse("reports", "pdf", "2026-13", "2026-01", None)
    assert {e.loc[0] for e in exc.value.errors} == {"kind", "format", "from"}
    with pytest.raises(InputError, match="早于"):
        exports.ExportRequest.parse("report", "csv", "2026-03", "2026-01", None)


def test_open_export_reads_only_given_districts_and_months(table) -> None:
    table.batch_put([
        report("P1", "2026-01", [inspection("A")]), report("P1", "2026-02", [inspection("B")]),
        report("P1", "2026-02", [inspection("B2")], seq=1), report("P9", "2026-02", [inspection("C")], "卫滨区"),
        report("P1", "2026-03", [inspection("D")]),
    ])
    req = exports.ExportRequest.parse("report", "json", "2026-02", "2026-02", None)
    export = exports.open_export(table, req, ["红旗区"])
    rows = json.loads(b"".join(export.chunks))
    assert sorted(r["执法单位"] for r in rows) == ["B", "B2"]
    assert export.counter.rows == 2


def _csv_reference(headers: list[str], rows) -> list[bytes]:
    """The straightforward writer: every cell through cell_text and neutralise, one at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers)
    out = []
    for row in rows:
        writer.writerow([exports.neutralise(exports.cell_text(v)) for v in row])
        if buffer.tell() >= exports.CHUNK:
            out.append(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    return [*out, buffer.getvalue().encode("utf-8")]


def test_csv_is_byte_for_byte_the_straightforward_writer() -> None:
    import random

    rng = random.Random(8)
    hostile = [*DANGEROUS, "=", "-", "@", "+", "\t", "\r", "\r\n=x", "a\n=b", "a\n-b", "\n=x", "\x00=SUM(A1)",
               "\x01\x02-1", "ok\x0bok", "\x1f", "x\x1f\n@y", "'=already", " =space first", "a,b", 'say "hi"',
               "line\nbreak", "cr\rinside", "", "正常文本", "建议：=SUM(A1)", "\ufeffbom", "\u2028sep"]
    values = [*hostile, None, True, False, 0, -7, 12345, ["重复检查", "=x"], ["-1", None, True], [],
              {"name": "张三", "phone": "+86 138"}, {"a": ["=b", 2]}, ("t", "=u")]
    rows = [[rng.choice(values) for _ in range(rng.randint(1, 9))] for _ in range(6000)]
    rows += [[v] for v in values] + [[v, v] for v in values] + [[]]
    headers = ["甲", "乙", "=丙"]
    got = list(exports.csv_chunks(headers, iter(rows)))
    assert got == _csv_reference(headers, rows)
    assert len(got) > 3  # several chunks: the boundaries match too
    parsed = list(csv.reader(io.StringIO(b"".join(got).decode("utf-8-sig"), newline="")))
    assert all(not c.startswith(("=", "+", "-", "@", "\t", "\r")) for r in parsed[1:] for c in r)


def test_xlsx_sheet_is_the_xml_openpyxl_writes_for_the_same_rows(tmp_path) -> None:
    from openpyxl import Workbook

    values = [*DANGEROUS, "", " ", "  lead", "trail ", "\tboth\t", "a&b<c>d\"e'f", "é\r\nz", "\x00=x", "x" * 40000,
              None, True, False, 0, -7, ["重复检查", "=x"], {"name": "张三"}, "正常文本"]
    rows = [[values[(i * 7 + j) % len(values)] for j in range(i % 30)] for i in range(120)]
    headers = ["甲", "=乙", " 丙"]
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"".join(exports.xlsx_chunks(headers, iter(rows))))
    reference = Workbook(write_only=True)
    sheet = reference.create_sheet("导出")
    for row in [headers, *rows]:
        sheet.append([exports.neutralise(exports.cell_text(v)) for v in row])
    reference.save(tmp_path / "ref.xlsx")
    with zipfile.ZipFile(path) as got, zipfile.ZipFile(tmp_path / "ref.xlsx") as want:
        assert got.namelist() == want.namelist()
        for name in want.namelist():
            if name != "docProps/core.xml":  # it holds the time the workbook was made
                assert got.read(name) == want.read(name), name
    loaded = load_workbook(path).active
    assert loaded.max_row == len(rows) + 1


def _stored_report(point: str, district: str, month: str, **extra: object) -> dict:
    item = {**report(point, month, [inspection("=市场监管局", officer_count=3)], district=district), **extra}
    item.pop("contact_name")
    item["contact"] = {"name": "李四", "phone": "13800000000"}
    return item


def _points(table, *entries: tuple[str, str, str, bool]) -> None:
    """(point_id, district, enterprise name, listed under POINTS#district)."""
    for pid, district, name, listed in entries:
        item = {"pk": f"POINT#{pid}", "sk": "POINT", "point_id": pid, "district": district,
                "enterprise_name": name, "status": "active"}
        if listed:
            item.update(gsi2pk=f"POINTS#{district}", gsi2sk=pid)
        table.put(item)


def test_report_rows_carry_names_contact_and_beijing_time(table) -> None:
    _points(table, ("P1", "hongqi", "新乡市甲有限公司", True), ("P2", "hongqi", "=乙公司", False))
    table.batch_put([_stored_report("P1", "hongqi", "2026-02"), _stored_report("P2", "hongqi", "2026-02")])
    req = exports.ExportRequest.parse("report", "json", "2026-02", "2026-02", None)
    rows = json.loads(b"".join(exports.open_export(table, req, ["hongqi"], {"hongqi": "红旗区"}).chunks))
    assert [(r["监测点编号"], r["企业名称"], r["县（市、区）"]) for r in rows] == [
        ("P1", "新乡市甲有限公司", "红旗区"), ("P2", "=乙公司", "红旗区")]  # P2: not indexed, read by key
    assert {(r["联系人"], r["联系电话"]) for r in rows} == {("李四", "13800000000")}
    assert rows[0]["接收时间(北京时间)"] == "2026-02-28 09:00:00"  # stored 01:00 UTC
    assert "联系人信息" not in rows[0]


def test_older_reports_with_separate_contact_fields_still_fill_both_columns() -> None:
    old = {**report("P1", "2026-02", []), "contact_phone": "0373-1234567"}
    row = next(exports.report_rows([old]))
    headers = [h for h, _ in exports.REPORT_COLUMNS]
    assert (row[headers.index("联系人")], row[headers.index("联系电话")]) == ("张三", "0373-1234567")


def test_xlsx_export_has_real_counts_dates_and_times_and_formula_safe_text(table, tmp_path) -> None:
    import datetime as dt

    _points(table, ("P2", "hongqi", "=乙公司", True))
    table.put(_stored_report("P2", "hongqi", "2026-02", seq=0))
    req = exports.ExportRequest.parse("report", "xlsx", "2026-02", "2026-02", None)
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"".join(exports.open_export(table, req, ["hongqi"], {"hongqi": "红旗区"}).chunks))
    sheet = load_workbook(path).active
    headers = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(headers, sheet[2], strict=True)}
    assert row["执法人员人数"].value == 3 and row["执法人员人数"].data_type == "n"
    assert row["检查序号"].value == 1 and row["版本(0=首次报送)"].value == 0
    assert row["检查日期"].value == dt.datetime(2026, 2, 10) and row["检查日期"].number_format == "yyyy-mm-dd"
    assert row["接收时间(北京时间)"].value == dt.datetime(2026, 2, 28, 9, 0)
    assert row["接收时间(北京时间)"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert row["企业名称"].value == "'=乙公司" and row["执法单位"].value == "'=市场监管局"
    assert row["县（市、区）"].value == "红旗区" and row["联系电话"].data_type == "s"
    assert sheet.max_row == 2  # the row that registered the date styles is not in the sheet
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_a_value_not_of_its_columns_type_stays_text() -> None:
    bad = {**report("P1", "2026-02", [inspection("局", date="上旬", officer_count="两人")]),
           "received_at": "昨天"}
    row = next(exports.report_rows([bad]))
    headers = [h for h, _ in exports.REPORT_COLUMNS]
    assert row[headers.index("检查日期")] == "上旬" and row[headers.index("执法人员人数")] == "两人"
    assert row[headers.index("接收时间(北京时间)")] == "昨天"


def test_complaint_times_in_beijing_time() -> None:
    row = next(exports.complaint_rows([{"complaint_id": "C1", "received_at": "2026-02-02T17:00:00.000000Z",
                                        "incident_date": "2026-01-30", "replied_at": None}]))
    headers = [h for h, _ in exports.COMPLAINT_COLUMNS]
    assert exports.cell_text(row[headers.index("接收时间(北京时间)")]) == "2026-02-03 01:00:00"
    assert exports.cell_text(row[headers.index("发生日期")]) == "2026-01-30"
