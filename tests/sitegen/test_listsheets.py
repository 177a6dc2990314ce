"""Lists from sheets: a department's sheet (title rows, 序号, merged headers, footers, XLSX and CSV)
into each published list; ids stay stable, changes are shown and logged, comments survive; a list
exported and imported back changes nothing; Chinese labels work as YAML keys."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from enforcewatch.cli import main
from enforcewatch.errors import ContentError, ImportRowsError
from enforcewatch.sitegen import datafiles, listcolumns
from enforcewatch.sitegen.content import LIST_FILES, load_content
from enforcewatch.sitegen.listimport import LIST_ATTRS, plan_import
from enforcewatch.sitegen.listyaml import write_plan
from support.paths import ROOT

CONTENT = ROOT / "site" / "content"

TODAY = dt.date(2026, 12, 4)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    return root


def test_parse_laws_as_offices_write_them() -> None:
    text = "《中华人民共和国食品安全法》第三十五条、第六十二条；《食品生产经营监督检查管理办法》第十条\n食品安全法实施条例第二十条"
    assert listcolumns.parse_laws(text) == [
        {"law": "《中华人民共和国食品安全法》", "provisions": ["第三十五条", "第六十二条"]},
        {"law": "《食品生产经营监督检查管理办法》", "provisions": ["第十条"]},
        {"law": "食品安全法实施条例", "provisions": ["第二十条"]},
    ]
    with pytest.raises(ValueError, match="法律名称应写在开头"):
        listcolumns.parse_laws("依据《食品安全法》第一条")


def test_parse_ratios_and_joint() -> None:
    assert listcolumns.parse_ratios("基准3%；A类1%；b类 3%；Ｃ类１０％") == {"base": 3, "A": 1, "B": 3, "C": 10}
    with pytest.raises(ValueError, match="抽查比例应写作"):
        listcolumns.parse_ratios("百分之三")
    assert listcolumns.parse_joint("市场监管局牵头，生态环境局、应急局参与") == {
        "lead": "市场监管局", "partners": ["生态环境局", "应急局"]}


def department_book(path: Path, rows: list[list[object]]) -> Path:
    """A department's 执法事项清单 as it arrives: title merged over the columns, 序号, a footer."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "执法事项"
    ws.append(["示范市市场监督管理局行政执法事项清单"])
    ws.merge_cells("A1:H1")
    ws.append(["填报单位（盖章）：示范市市场监督管理局", None, None, None, None, None, "2026年11月"])
    ws.append(["序号", "事项名称", "事项类别", "实施依据", "实施主体", "承办机构", "备注", "联系人"])
    for row in rows:
        ws.append(row)
    ws.append(["合计", f"{len(rows)}项"])
    ws.append(["填表人：张三", None, "审核人：李四"])
    book.save(path)
    return path


def scjg_rows(content: Path) -> list[list[object]]:
    loaded = load_content(content)
    return [[n, i.name, i.kind, listcolumns.format_laws(i.basis), i.body, i.handling_unit, i.notes, "王五"]
            for n, i in enumerate((i for i in loaded.enforcement.items if i.department == "scjg"), start=1)]


def test_department_sheet_into_enforcement_items(content: Path, tmp_path: Path) -> None:
    rows = scjg_rows(content)
    rows[1][5] = "食品安全监管科"  # 调整 承办机构
    dropped = rows.pop(2)  # 取消
    rows.append([99, "对食品生产经营者未按规定公示信息的行政检查", "行政检查",
                 "《中华人民共和国食品安全法》第三十五条、第六十二条；《食品经营许可和备案管理办法》第十条",
                 "示范市市场监督管理局", "食品安全监管科", "", "王五"])  # 新增
    path = department_book(tmp_path / "市场监管局.xlsx", rows)
    plan = plan_import(content, "enforcement-items", "scjg", path, TODAY)
    by_action = {c.action: c for c in plan.changes}
    assert plan.summary() == "市场监督管理局：新增 1 项，调整 1 项，取消 1 项"
    assert by_action["调整"].item_id == "scjg-cf-001" and by_action["调整"].fields == ["承办机构"]
    assert by_action["取消"].name == dropped[1] and by_action["新增"].row == len(rows) + 3
    notes = plan.sheet.notes()
    assert "无法对应的列（未导入）：联系人" in notes and any("“合计”起为表尾" in n for n in notes)

    before = (content / LIST_FILES["enforcement-items"]).read_text(encoding="utf-8")
    write_plan(content, plan, path.name)
    after = (content / LIST_FILES["enforcement-items"]).read_text(encoding="utf-8")
    assert "# ✔ S87" in after and "# ───────────── 市场监督管理局 ─────────────" in after  # comments survive
    assert after.splitlines()[:3] == before.splitlines()[:3]
    loaded = load_content(content)
    items = {i.id: i for i in loaded.enforcement.items}
    new_id = by_action["新增"].item_id
    assert new_id.startswith("scjg-sx-") and items[new_id].basis[1].law == "《食品经营许可和备案管理办法》"
    assert [p for p in items[new_id].basis[0].provisions] == ["第三十五条", "第六十二条"]
    assert items["scjg-cf-001"].handling_unit == "食品安全监管科" and items["scjg-cf-001"].updated == TODAY
    cancelled = items[by_action["取消"].item_id]
    assert cancelled.status == "已取消" and cancelled.cancelled == TODAY  # the permalink stays
    log = loaded.enforcement.meta.changelog[:3]
    assert [(e.action, e.date) for e in log] == [("新增", TODAY), ("调整", TODAY), ("取消", TODAY)]
    assert "市场监督管理局报送的清单表格导入（市场监管局.xlsx）" in log[0].reason
    again = plan_import(content, "enforcement-items", "scjg", path, TODAY)
    assert again.changes == []  # the same sheet again: nothing to do, ids kept


def test_bad_cells_name_sheet_row_and_column(content: Path, tmp_path: Path) -> None:
    rows = scjg_rows(content)
    rows[0][2] = "行政处分"
    rows[1][3] = "依据《食品安全法》第一条"
    rows.append([50, "新事项", "行政检查", "", "示范市市场监督管理局", "科室", "", ""])
    path = department_book(tmp_path / "坏.xlsx", rows)
    before = (content / LIST_FILES["enforcement-items"]).read_bytes()
    with pytest.raises(ImportRowsError) as caught:
        plan_import(content, "enforcement-items", "scjg", path, TODAY)
    text = str(caught.value)
    assert "坏.xlsx 工作表“执法事项” 第4行 C列“事项类别”：未知取值“行政处分”" in text
    assert "坏.xlsx 工作表“执法事项” 第5行 D列“执法依据”：“依据《食品安全法》第一条”：法律名称应写在开头" in text
    assert f"第{len(rows) + 3}行 D列“执法依据”：新增事项的“执法依据”不能为空" in text
    assert (content / LIST_FILES["enforcement-items"]).read_bytes() == before


@pytest.mark.parametrize("key", sorted(LIST_ATTRS))
def test_exported_list_imported_back_changes_nothing(content: Path, tmp_path: Path, key: str) -> None:
    loaded = load_content(content)
    depts = {d.id: d for d in loaded.departments}
    for dept in depts:
        items = [i for i in getattr(loaded, LIST_ATTRS[key]).items if i.department == dept]
        if not items:
            continue
        xlsx = tmp_path / f"{key}-{dept}.xlsx"
        xlsx.write_bytes(datafiles.to_xlsx(key, items, depts))
        assert plan_import(content, key, dept, xlsx, TODAY).changes == []
        csv_path = tmp_path / f"{key}-{dept}.csv"
        csv_path.write_bytes(datafiles.to_csv(key, items, depts))
        assert plan_import(content, key, dept, csv_path, TODAY).changes == []


def test_spot_checks_and_leniency_from_csv(content: Path, tmp_path: Path) -> None:
    loaded = load_content(content)
    spot = next(i for i in loaded.spot_checks.items if i.department == "scjg")
    text = ("示范市市场监督管理局随机抽查事项清单\n\n序号,抽查类别,抽查事项,检查对象,事项类别,检查方式,检查主体,检查依据,抽查比例,抽查频次\n"
            f"1,{spot.category},{spot.item},{spot.objects},{spot.item_class},现场检查、书面检查,{spot.body},"
            f"{listcolumns.format_laws(spot.basis)},基准５%；A类1%,每年1次\n注：比例按信用风险分类确定,,,,,,,,,\n")
    path = tmp_path / "抽查.csv"
    path.write_bytes(text.encode("gb18030"))
    # The published results name spot-check items this sheet drops: the import would (rightly) be
    # refused while they do; this case is about the sheet, so the copy publishes no results.
    (content / "lists" / "spot-check-results.yaml").unlink(missing_ok=True)
    plan = plan_import(content, "spot-checks", "scjg", path, TODAY)
    changed = next(c for c in plan.changes if c.item_id == spot.id)
    assert changed.action == "调整" and "抽查比例" in changed.fields and "检查方式" in changed.fields
    assert plan.values[spot.id]["ratio_pct"] == {"base": 5, "A": 1}
    removed = [c.item_id for c in plan.changes if c.action == "取消"]
    write_plan(content, plan, path.name)
    ids = {i.id for i in load_content(content).spot_checks.items}
    assert spot.id in ids and not ids & set(removed)

    entry = next(i for i in loaded.leniency.items if i.department == "scjg")
    text = ("序号,清单类别,违法行为,适用条件,适用依据,柔性执法措施,执法主体\n"
            f"1,首违不罚,{entry.violation},初次违法；危害后果轻微并及时改正,{entry.leniency_basis},劝导示范,{entry.body}\n")
    path = tmp_path / "免罚.csv"
    path.write_text(text, encoding="utf-8-sig")
    plan = plan_import(content, "leniency", "scjg", path, TODAY)
    assert plan.values[entry.id]["conditions"] == ["初次违法", "危害后果轻微并及时改正"]
    assert plan.values[entry.id]["kind"] == "首违不罚"


def test_chinese_labels_as_yaml_keys(content: Path) -> None:
    path = content / LIST_FILES["enforcement-items"]
    text = path.read_text(encoding="utf-8")
    text = text.replace("    handling_unit: 行政审批服务科", "    承办机构: 行政审批服务科", 1)
    text = text.replace("    name: 食品经营许可\n", "    事项名称: 食品经营许可\n", 1)
    path.write_text(text, encoding="utf-8")
    text = text.replace("  publisher: ", "  发布机构: ", 1).replace("    - date: 2025-03-01\n      action: 调整",
                                                                  "    - 日期: 2025-03-01\n      类型: 调整", 1)
    path.write_text(text, encoding="utf-8")
    depts = content / "departments.yaml"
    depts.write_text(depts.read_text(encoding="utf-8").replace("- id: scjg\n  name:", "- 编号: scjg\n  名称:", 1),
                     encoding="utf-8")
    loaded = load_content(content)
    item = next(i for i in loaded.enforcement.items if i.id == "scjg-xk-001")
    assert item.handling_unit.startswith("行政审批服务科") and item.name == "食品经营许可"
    assert loaded.enforcement.meta.publisher.startswith("示范市司法局") and loaded.enforcement.meta.changelog[0].action
    assert loaded.department("scjg").name == "市场监督管理局"
    path.write_text(text.replace("    name: 对未取得", "    nmae: 对未取得", 1), encoding="utf-8")
    with pytest.raises(ContentError, match="nmae: 未知字段"):
        load_content(content)


def test_cli_dry_run_then_yes(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = scjg_rows(content)
    rows[0][6] = "新的备注"
    path = department_book(tmp_path / "s.xlsx", rows)
    base = ["lists", "import", str(path), "--list", "enforcement-items", "--department", "scjg",
            "--content", str(content), "--today", TODAY.isoformat()]
    before = (content / LIST_FILES["enforcement-items"]).read_bytes()
    assert main([*base, "--dry-run"]) == 0
    err = capsys.readouterr().err
    assert "调整 scjg-xk-001 食品经营许可（第4行）：备注" in err and "预览（未写入）" in err
    assert (content / LIST_FILES["enforcement-items"]).read_bytes() == before
    assert main(base) == 1  # no terminal to ask: refused
    assert "--yes" in capsys.readouterr().err
    assert main([*base, "--yes"]) == 0
    assert next(i for i in load_content(content).enforcement.items if i.id == "scjg-xk-001").notes == "新的备注"
    assert main([*base[:-2], "--department", "nope", "--dry-run"]) == 1
    assert "未知部门“nope”" in capsys.readouterr().err


def test_build_publishes_sheets_beside_csv_and_json(content: Path, tmp_path: Path) -> None:
    import csv
    import io

    from enforcewatch.sitegen.build import build_site

    path = content / LIST_FILES["leniency"]
    path.write_text(path.read_text(encoding="utf-8").replace("    area: 登记管理\n", "    area: =HYPERLINK(\"x\")\n", 1),
                    encoding="utf-8")
    out = tmp_path / "site"
    build_site(content, ROOT / "site" / "templates", out, search=False)
    for key in LIST_ATTRS:
        rows = list(openpyxl.load_workbook(out / "data" / f"{key}.xlsx").active.iter_rows(values_only=True))
        text = (out / "data" / f"{key}.csv").read_text(encoding="utf-8-sig")
        expected = list(csv.reader(io.StringIO(text)))
        assert [["" if v is None else str(v) for v in row] for row in rows] == expected
    sheet = openpyxl.load_workbook(out / "data" / "leniency.xlsx").active
    assert "'=HYPERLINK(\"x\")" in [c.value for c in sheet[2]] + [c.value for c in sheet[3]]
    dept_sheet = out / "data" / "enforcement-items" / "scjg.xlsx"
    assert 'href="/data/enforcement-items/scjg.xlsx"' in (
        out / "enforcement-items" / "department" / "scjg" / "index.html").read_text(encoding="utf-8")
    assert plan_import(content, "enforcement-items", "scjg", dept_sheet, TODAY).changes == []
    assert plan_import(content, "leniency", "scjg", out / "data" / "leniency" / "scjg.xlsx", TODAY).changes == []


def test_chunked_and_whole_rewrites_agree(content: Path, tmp_path: Path) -> None:
    import yaml

    from enforcewatch.sitegen.listyaml import _render_chunked, _render_whole

    rows = scjg_rows(content)
    rows[1][5] = "食品安全监管科"
    rows.pop(2)
    rows.append([99, "新的检查事项", "行政检查", "《中华人民共和国食品安全法》第一条", "示范市市场监督管理局", "科室", "", ""])
    plan = plan_import(content, "enforcement-items", "scjg", department_book(tmp_path / "a.xlsx", rows), TODAY)
    text = (content / LIST_FILES["enforcement-items"]).read_text(encoding="utf-8")
    chunked = _render_chunked(text, plan, "a.xlsx")
    assert chunked is not None and yaml.safe_load(chunked) == yaml.safe_load(_render_whole(text, plan, "a.xlsx"))
    untouched = [line for line in text.splitlines() if "scjg" not in line]
    assert sum(1 for line in untouched if line in chunked.splitlines()) == len(untouched)  # other lines as they were


def test_renumbered_rows_are_not_changes(content: Path, tmp_path: Path) -> None:
    rows = scjg_rows(content)
    rows.pop(0)
    for n, row in enumerate(rows, start=1):
        row[0] = n  # the office renumbers 序号 after deleting the first row
    plan = plan_import(content, "enforcement-items", "scjg", department_book(tmp_path / "r.xlsx", rows), TODAY)
    assert [c.action for c in plan.changes] == ["取消"]
