"""Public statistics from the monitoring reports: city-level tables of counts with small cells
suppressed (`enforcewatch.insights.disclosure`), written to a file under site/content that the build
renders as the statistics page and offers as data downloads.

The raw reports never reach the build: `enforcewatch insights publish-stats` reads the store,
aggregates to the city level (rows are the published departments, never a point, an enterprise or
a district), suppresses, and writes only the published values — a hidden value is `null` and is
in no other field of the file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from enforcewatch.errors import ContentError, ContentProblem
from enforcewatch.insights import charts, disclosure
from enforcewatch.insights.inspections import Inspection
from enforcewatch.intake.submissions import VOCABULARY

STATS_FILE = "statistics.json"
OTHER_ROW = "其他单位"
TOTAL = "合计"
HIDDEN = "不公布"
LINK = "agency-inspections"  # the tables that break down each agency's inspections share its total


class StatsTable(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    title: str
    unit: str
    rows: list[str]
    columns: list[str]
    cells: list[list[int | None]]  # the extended grid: last row and last column are the totals


class StatsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    month_from: str
    month_to: str
    k: int
    generated_on: str
    tables: list[StatsTable]


def _grid(name: str, rows: list[str], columns: list[str], inspections: list[Inspection],
          row_of: Callable[[Inspection], int], columns_of: Callable[[Inspection], Iterable[str]],
          link: str | None) -> disclosure.Grid:
    cells = [[0] * len(columns) for _ in rows]
    index = {c: j for j, c in enumerate(columns)}
    for insp in inspections:
        for col in columns_of(insp):
            if col in index:
                cells[row_of(insp)][index[col]] += 1
    return disclosure.Grid.of(name, rows, columns, cells, link)


TITLES = {
    "monthly": ("各执法单位每月涉企检查次数", "次"),
    "types": ("各执法单位涉企检查类型", "次"),
    "satisfaction": ("监测点对各执法单位检查的满意度评价", "次"),
    "misconduct": ("监测点反映的执法问题（按问题类型）", "次"),
}


def compute(inspections: Iterable[Inspection], departments: Iterable[Any], months: list[str],
            k: int = disclosure.DEFAULT_K, generated_on: str = "") -> dict[str, Any]:
    """The published tables for these months: counts per department, suppressed and checked."""
    if k < 2:
        raise ValueError("k must be at least 2")
    depts = list(departments)
    rows = [d.name for d in depts] + [OTHER_ROW]
    position = {d.id: n for n, d in enumerate(depts)}
    items = [i for i in inspections if i.month in months]

    def row_of(insp: Inspection) -> int:
        return position.get(insp.department or "", len(depts))

    grids = [
        _grid("monthly", rows, months, items, row_of, lambda i: [i.month], LINK),
        _grid("types", rows, list(VOCABULARY["inspection_type"]), items, row_of, lambda i: [i.inspection_type], LINK),
        _grid("satisfaction", rows, list(VOCABULARY["satisfaction"]), items, row_of, lambda i: [i.satisfaction],
              LINK),
        _grid("misconduct", rows, list(VOCABULARY["misconduct"]), items, row_of, lambda i: i.misconduct, None),
    ]
    disclosure.protect(grids, k)
    tables = [StatsTable(name=g.name, title=TITLES[g.name][0], unit=TITLES[g.name][1], rows=g.rows,
                         columns=g.columns, cells=g.published()) for g in grids]
    stats = StatsFile(version=1, month_from=months[0], month_to=months[-1], k=k, generated_on=generated_on,
                      tables=tables)
    return stats.model_dump()


def write(stats: Mapping[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stats, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load(content_dir: Path) -> StatsFile | None:
    """The published statistics under site/content, if any; a malformed file is a content error."""
    path = content_dir / STATS_FILE
    if not path.is_file():
        return None
    try:
        stats = StatsFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise ContentError([ContentProblem(str(path), None, "", f"统计数据文件格式不正确：{exc}")]) from None
    for t in stats.tables:
        if len(t.cells) != len(t.rows) + 1 or any(len(r) != len(t.columns) + 1 for r in t.cells):
            raise ContentError([ContentProblem(str(path), None, f"tables.{t.name}", "行列数与表头不一致")])
    return stats


def csv_text(stats: StatsFile) -> str:
    """Long format for data users: one line per published entry; hidden entries say so."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["表", "执法单位", "项目", "数值", "说明"])
    for t in stats.tables:
        for i, row in enumerate([*t.rows, TOTAL]):
            for j, col in enumerate([*t.columns, TOTAL]):
                value = t.cells[i][j]
                writer.writerow([t.title, row, col, "" if value is None else value, HIDDEN if value is None else ""])
    return "\ufeff" + buffer.getvalue()


def page_context(stats: StatsFile) -> dict[str, Any]:
    """What the statistics page shows: the tables, and charts drawn only from published values."""
    tables = {t.name: t for t in stats.tables}
    monthly = tables["monthly"]
    misconduct = tables["misconduct"]
    totals_by_agency = [r[-1] for r in monthly.cells[:-1]]
    return {
        "stats": stats,
        "hidden_text": HIDDEN,
        "total_label": TOTAL,
        "charts": {
            "agencies": charts.bars("chart-agencies", f"{stats.month_from}至{stats.month_to}各执法单位检查次数",
                                    monthly.rows, totals_by_agency, "次", HIDDEN),
            "months": charts.line("chart-months", "每月涉企检查次数（全市）", monthly.columns, monthly.cells[-1][:-1],
                                  unit="次"),
            "misconduct": charts.bars("chart-misconduct", "监测点反映的执法问题（全市，按类型）",
                                      misconduct.columns, misconduct.cells[-1][:-1], "次", HIDDEN),
        },
    }


def statistics_hook(content_dir: Path) -> Callable[[Any], Mapping[str, Any]]:
    """A build context hook: `statistics` for pages/statistics/index.html, and the data files."""
    def hook(_content: Any) -> Mapping[str, Any]:
        stats = load(content_dir)
        if stats is None:
            return {"statistics": None}
        body = stats.model_dump_json(indent=1)
        return {"statistics": page_context(stats),
                "data_files": {"data/statistics.json": body + "\n", "data/statistics.csv": csv_text(stats)}}
    return hook
