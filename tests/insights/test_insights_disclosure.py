"""Public statistics: a store filled with known data, the published tables and their downloads, and
the proof that no suppressed value can be recovered from what is published.

The proof here is written independently of `enforcewatch.insights.disclosure`: from the published file
alone it sets up every equation a reader knows (each row and column of each table adds up to its
published total; tables that break down the same inspections have equal row totals), and shows
for each hidden entry that adding "this entry = c" to the system raises its rank, i.e. the value is
not a consequence of the published numbers (dense Gaussian elimination over the rationals).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import shutil
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from enforcewatch.cli import main
from enforcewatch.insights import disclosure, publicstats
from enforcewatch.insights.inspections import Catalogue, from_store, inspections, months
from enforcewatch.intake.submissions import VOCABULARY
from enforcewatch.sitegen.build import render_site
from enforcewatch.sitegen.content import load_content
from support.insights import CONTENT, ROOT, generated_month

K = 5
MONTHS = ["2026-02", "2026-03"]
LINKED = ("monthly", "types", "satisfaction")  # each counts every inspection once per agency


def echelon(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """Reduced row echelon form: (pivot column, row) pairs."""
    done: list[tuple[int, list[Fraction]]] = []
    for row in rows:
        row = reduce(row, done)
        col = next((c for c, v in enumerate(row) if v != 0), None)
        if col is None:
            continue
        row = [v / row[col] for v in row]
        done = [(c, [a - r[col] * b for a, b in zip(r, row, strict=True)]) for c, r in done]
        done.append((col, row))
    return done


def reduce(row: list[Fraction], done: list[tuple[int, list[Fraction]]]) -> list[Fraction]:
    for col, pivot in done:
        if row[col] != 0:
            factor = row[col]
            row = [a - factor * b for a, b in zip(row, pivot, strict=True)]
    return row


def recoverable(tables: list[dict[str, Any]], linked: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """Hidden entries (table, row, column) whose value follows from the published ones."""
    unknowns = [(t["name"], i, j) for t in tables for i, row in enumerate(t["cells"]) for j, v in enumerate(row)
                if v is None]
    index = {u: n for n, u in enumerate(unknowns)}
    equations: list[list[Fraction]] = []

    def equation(terms: list[tuple[tuple[str, int, int], int]]) -> None:
        row = [Fraction(0)] * len(unknowns)
        for key, sign in terms:
            if key in index:
                row[index[key]] += sign
        if any(row):
            equations.append(row)

    for t in tables:
        last_i, last_j = len(t["cells"]) - 1, len(t["cells"][0]) - 1
        for i in range(last_i + 1):
            equation([((t["name"], i, j), 1 if j < last_j else -1) for j in range(last_j + 1)])
        for j in range(last_j + 1):
            equation([((t["name"], i, j), 1 if i < last_i else -1) for i in range(last_i + 1)])
    by_name = {t["name"]: t for t in tables}
    first = by_name[linked[0]]
    for other in linked[1:]:
        last_j, other_j = len(first["cells"][0]) - 1, len(by_name[other]["cells"][0]) - 1
        for i in range(len(first["cells"])):
            equation([((linked[0], i, last_j), 1), ((other, i, other_j), -1)])
    basis = echelon(equations)
    found = []
    for u in unknowns:  # determined exactly when its unit vector lies in the row space
        unit = [Fraction(0)] * len(unknowns)
        unit[index[u]] = Fraction(1)
        if not any(reduce(unit, basis)):
            found.append(u)
    return found


def true_tables(reports: list[dict[str, Any]], catalogue: Catalogue, depts: list[Any]) -> dict[str, list[list[int]]]:
    """The unsuppressed counts, computed here from the reports."""
    rows = {d.id: n for n, d in enumerate(depts)}
    columns = {"monthly": MONTHS, "types": list(VOCABULARY["inspection_type"]),
               "satisfaction": list(VOCABULARY["satisfaction"]), "misconduct": list(VOCABULARY["misconduct"])}
    out = {}
    for name, cols in columns.items():
        counts: Counter[tuple[int, str]] = Counter()
        for insp in inspections(reports, catalogue):
            r = rows.get(insp.department or "", len(depts))
            values = {"monthly": [insp.month], "types": [insp.inspection_type],
                      "satisfaction": [insp.satisfaction], "misconduct": list(insp.misconduct)}[name]
            for v in values:
                counts[(r, v)] += 1
        cells = [[counts[(r, c)] for c in cols] for r in range(len(depts) + 1)]
        cells = [[*row, sum(row)] for row in cells]
        out[name] = [*cells, [sum(row[j] for row in cells) for j in range(len(cols) + 1)]]
    return out


@pytest.fixture(scope="module")
def known() -> dict[str, Any]:
    """Two generated months of 300 points plus a thin agency whose counts are all small."""
    from support.insights import inspection, report

    rng = random.Random(7)
    content = load_content(CONTENT)
    reports = [r for m in MONTHS for r in generated_month(rng, m, points=300, c=content)]
    reports.append(report("Q0001", "xihe", "2026-03", [
        inspection(dt.date(2026, 3, 3), "某开发区管委会", "厂区绿化", satisfaction="不满意",
                   misconduct=("吃拿卡要",))]))
    return {"content": content, "reports": reports, "catalogue": Catalogue.from_content(content)}


@pytest.fixture(scope="module")
def published(known: dict[str, Any]) -> dict[str, Any]:
    from moto import mock_aws

    from enforcewatch.config import Settings
    from enforcewatch.store.dynamo import DynamoTable

    with mock_aws():
        table = DynamoTable.from_settings(Settings(table_name="stats"))
        table.ensure_exists()
        table.batch_put(known["reports"])
        districts = sorted({r["district"] for r in known["reports"]})
        found = from_store(table, districts, MONTHS[0], MONTHS[-1], known["catalogue"])
    return publicstats.compute(found, known["content"].departments, MONTHS, K, "2026-04-10")


def test_published_values_are_true_and_small_ones_hidden(known: dict[str, Any], published: dict[str, Any]) -> None:
    truth = true_tables(known["reports"], known["catalogue"], known["content"].departments)
    hidden = 0
    for t in published["tables"]:
        for i, row in enumerate(t["cells"]):
            for j, value in enumerate(row):
                real = truth[t["name"]][i][j]
                if value is None:
                    hidden += 1
                else:
                    assert value == real, (t["name"], i, j)
                    assert real == 0 or real >= K, (t["name"], i, j, real)
    assert hidden > 0
    assert published["tables"][0]["cells"][-1][-1] is not None  # the city total is published


def test_no_hidden_value_can_be_recovered(published: dict[str, Any]) -> None:
    assert recoverable(published["tables"], LINKED) == []


def test_the_proof_would_catch_a_leak(published: dict[str, Any]) -> None:
    """Publishing one complement back makes some hidden value recoverable: the check can fail."""
    tables = json.loads(json.dumps(published["tables"]))
    truth_free = next(t for t in tables if t["name"] == "misconduct")
    hidden = [(i, j) for i, row in enumerate(truth_free["cells"]) for j, v in enumerate(row) if v is None]
    assert hidden
    # Reveal every hidden entry of one row but one: that one follows from the row's total.
    i = hidden[0][0]
    row_hidden = [(a, b) for a, b in hidden if a == i]
    if len(row_hidden) < 2:
        pytest.skip("no row with two hidden entries in this data")
    for a, b in row_hidden[1:]:
        truth_free["cells"][a][b] = 0  # any published number
    assert ("misconduct", *row_hidden[0]) in recoverable(tables, LINKED)


def test_downloads_and_page_carry_only_published_values(known: dict[str, Any], published: dict[str, Any],
                                                        tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(CONTENT, content_dir)
    publicstats.write(published, content_dir / publicstats.STATS_FILE)
    content = load_content(content_dir)
    out = render_site(content, ROOT / "site" / "templates", (publicstats.statistics_hook(content_dir),))
    data = json.loads(out.files["data/statistics.json"])
    assert data["tables"] == published["tables"]
    rows = list(csv.reader(io.StringIO(out.files["data/statistics.csv"].decode("utf-8-sig"))))
    by_table = {t["title"]: t for t in published["tables"]}
    for title, row_label, col_label, value, note in rows[1:]:
        t = by_table[title]
        i = [*t["rows"], "合计"].index(row_label)
        j = [*t["columns"], "合计"].index(col_label)
        expected = t["cells"][i][j]
        assert (value, note) == (("", "不公布") if expected is None else (str(expected), ""))
    page = out.files["statistics/index.html"].decode()
    assert "不公布" in page and "<svg" in page and "<table>" in page
    # Nothing identifying reaches the site: no point id, district name, enterprise or free text.
    site = b"".join(out.files.values()).decode("utf-8", "replace")
    for secret in ("P0001", "Q0001", "某开发区管委会", "张联络员", "0371-12345678", "厂区绿化"):
        assert secret not in site
    statistics_files = page + out.files["data/statistics.csv"].decode() + out.files["data/statistics.json"].decode()
    for district in ("城关区", "新城区", "东山县", "西河县", "chengguan", "xihe"):
        assert district not in statistics_files


def test_statistics_page_without_data(tmp_path: Path) -> None:
    content = load_content(CONTENT)
    out = render_site(content, ROOT / "site" / "templates", (publicstats.statistics_hook(tmp_path),))
    assert "统计数据暂未发布" in out.files["statistics/index.html"].decode()
    assert "data/statistics.json" not in out.files


def test_malformed_statistics_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / publicstats.STATS_FILE).write_text('{"version": 1}', encoding="utf-8")
    with pytest.raises(Exception) as caught:
        publicstats.load(tmp_path)
    assert "statistics.json" in str(caught.value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 8, 20]), min_size=2, max_size=7),
                min_size=1, max_size=6).filter(lambda rows: len({len(r) for r in rows}) == 1))
def test_any_table_is_protected(cells: list[list[int]]) -> None:
    grid = disclosure.Grid.of("t", [f"r{i}" for i in range(len(cells))], [f"c{j}" for j in range(len(cells[0]))],
                              cells)
    disclosure.protect([grid], K)
    table = {"name": "t", "cells": grid.published()}
    assert recoverable([table], ("t",)) == []
    for i, row in enumerate(grid.values):
        for j, v in enumerate(row):
            assert (0 < v < K) <= ((i, j) in grid.hidden)


def test_cli_publish_stats(local_table: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, known: dict[str, Any]
                           ) -> None:
    """`insights publish-stats` against the store of a data dir (here: DynamoDB Local's table)."""
    import contextlib

    from enforcewatch.store import ddblocal

    local_table.batch_put(known["reports"])

    @contextlib.contextmanager
    def the_table(_data_dir: Path, *_: Any) -> Any:
        yield local_table

    monkeypatch.setattr(ddblocal, "open_table", the_table)
    out = tmp_path / "statistics.json"
    assert main(["insights", "publish-stats", "--from", MONTHS[0], "--to", MONTHS[-1], "--out", str(out),
                 "--content", str(CONTENT)]) == 0
    stats = json.loads(out.read_text(encoding="utf-8"))
    assert stats["month_from"] == MONTHS[0] and stats["k"] == K
    assert recoverable(stats["tables"], LINKED) == []
    assert main(["insights", "publish-stats", "--from", "2026-13", "--to", "2026-01", "--out", str(out)]) == 1


def test_months() -> None:
    assert months("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 12), st.integers(0, 12)),
                min_size=1, max_size=5))
def test_linked_tables_are_protected_together(rows: list[tuple[int, int, int, int]]) -> None:
    """Two breakdowns of the same totals (a, b | c, d with a + b = c + d per row)."""
    names = [f"r{i}" for i in range(len(rows))]
    first = [[a, b + c + d] for a, b, c, d in rows]
    second = [[a + b, c + d] for a, b, c, d in rows]
    grids = [disclosure.Grid.of("x", names, ["p", "q"], first, link="L"),
             disclosure.Grid.of("y", names, ["s", "t"], second, link="L")]
    disclosure.protect(grids, K)
    tables = [{"name": g.name, "cells": g.published()} for g in grids]
    assert recoverable(tables, ("x", "y")) == []
    for g in grids:
        for i, row in enumerate(g.values):
            for j, v in enumerate(row):
                assert (0 < v < K) <= ((i, j) in g.hidden)
