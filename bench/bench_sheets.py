"""Benchmark of reading office sheets, each as a ratio to openpyxl reading the same file.

  registry  a registry sheet as offices keep it (title row, 序号, Excel date cells, 2025年4月, a footer)
            of --points rows: read and every row checked (`registry_sheet.validate`: what `points
            import` does before it touches the store; the store writes are bench_import's);
  list      a department's 行政执法事项清单 sheet of --items rows, against a list that already holds
            them (so every row is matched by name): `lists import` planned (content loaded, every row
            parsed, matched and compared) and the YAML rendered with ruamel.yaml, nothing written;
  baseline  openpyxl (read-only, values only) iterating every row of the same file.

Runs are interleaved; prints median (min–max) and RESULT lines for bench/run_all.py.

    .venv/bin/python bench/bench_sheets.py [--points 10000] [--items 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import yaml

from enforcewatch.monitoring import registry_sheet
from enforcewatch.monitoring.registry import District
from enforcewatch.sitegen.listimport import plan_import
from enforcewatch.sitegen.listyaml import render_plan
from enforcewatch.uscc import check_character

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS = [District("chengguan", "城关区"), District("dongshan", "东山县")]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def registry_book(path: Path, n: int) -> None:
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("名单")
    ws.append(["《示范市行政执法监测点名单》"])
    ws.append([])
    ws.append(["序号", "监测点编号", "企业名称", "统一社会信用代码", "所在县（市、区）", "行业", "选定日期", "起报月份",
               "联系人", "联系电话", "备注"])
    for i in range(n):
        first17 = f"91410700MA{i:07d}"
        ws.append([i + 1, f"SF-{i:05d}", f"示范企业{i}有限公司", first17 + check_character(first17),
                   "城关区" if i % 2 else "东山县", "制造业", dt.datetime(2025, 3, 1),
                   dt.datetime(2025, 4, 1) if i % 3 else "2025年4月", "张三", "13800000000", ""])
    ws.append(["合计", f"{n}家"])
    ws.append(["填表人：王五"])
    book.save(path)


def list_content(target: Path, n: int) -> None:
    """The shipped content with `n` enforcement items of department scjg."""
    shutil.copytree(ROOT / "site" / "content", target)
    path = target / "lists" / "enforcement-items.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["items"] = [{"id": f"scjg-b-{i:05d}", "department": "scjg", "seq": i + 1,
                      "name": f"对违反第{i}项规定行为的行政处罚", "kind": "行政处罚", "body": "示范市市场监督管理局",
                      "handling_unit": "综合行政执法支队", "updated": dt.date(2025, 1, 15),
                      "basis": [{"law": "《中华人民共和国行政处罚法》", "provisions": ["第三十二条", "第三十三条第一款"]}]}
                     for i in range(n)]
    path.write_text("# 行政执法事项清单（基准测试数据）\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def list_book(path: Path, n: int) -> None:
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("执法事项")
    ws.append(["示范市市场监督管理局行政执法事项清单"])
    ws.append(["序号", "事项名称", "事项类别", "实施依据", "实施主体", "承办机构", "备注"])
    for i in range(n):
        handling = "综合行政执法支队" if i % 10 else "食品安全监管科"  # every tenth row changes
        ws.append([i + 1, f"对违反第{i}项规定行为的行政处罚", "行政处罚", "《中华人民共和国行政处罚法》第三十二条、第三十三条第一款",
                   "示范市市场监督管理局", handling, ""])
    ws.append(["合计", f"{n}项"])
    book.save(path)


def openpyxl_read(path: Path) -> int:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=10000)
    ap.add_argument("--items", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        registry_path, list_path, content = work / "registry.xlsx", work / "list.xlsx", work / "content"
        registry_book(registry_path, args.points)
        list_book(list_path, args.items)
        list_content(content, args.items)
        today = dt.date(2026, 12, 4)
        source = (content / "lists" / "enforcement-items.yaml").read_text(encoding="utf-8")

        def import_list() -> None:
            plan = plan_import(content, "enforcement-items", "scjg", list_path, today)
            assert plan.count("调整") == (args.items + 9) // 10, plan.summary()
            render_plan(source, plan, list_path.name)

        times: dict[str, list[float]] = {k: [] for k in ("registry", "registry/openpyxl", "list", "list/openpyxl")}
        for _ in range(args.runs):
            times["registry/openpyxl"].append(timed(lambda: openpyxl_read(registry_path)))
            times["registry"].append(timed(lambda: registry_sheet.validate(registry_sheet.read(registry_path),
                                                                             DISTRICTS)))
            times["list/openpyxl"].append(timed(lambda: openpyxl_read(list_path)))
            times["list"].append(timed(import_list))
    print(f"registry sheet, {args.points} rows: read + every row checked {spread(times['registry'])} s; "
          f"openpyxl read {spread(times['registry/openpyxl'])} s")
    print(f"list sheet, {args.items} rows: lists import planned + YAML rendered {spread(times['list'])} s; "
          f"openpyxl read {spread(times['list/openpyxl'])} s")
    for name, key in ((f"sheet: registry {args.points} rows vs openpyxl read", "registry"),
                      (f"sheet: list {args.items} rows vs openpyxl read", "list")):
        for fig, base in zip(times[key], times[f"{key}/openpyxl"], strict=True):
            print(f"RESULT\t{name}\t{fig:.4f}\t{base:.4f}\ts\tratio")


if __name__ == "__main__":
    main()
