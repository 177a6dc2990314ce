"""`enforcewatch insights detect` and `insights scorecards` against a store, and their user errors."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from enforcewatch.cli import main
from enforcewatch.insights import detection
from enforcewatch.store import ddblocal
from support.insights import CONTENT, generated_month, inspection, report


@pytest.fixture
def store(moto_table: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The commands' `open_table(data_dir)` gives the test's table."""
    @contextlib.contextmanager
    def the_table(_data_dir: Path, *_: Any) -> Any:
        yield moto_table

    monkeypatch.setattr(ddblocal, "open_table", the_table)
    return moto_table


def test_detect_stores_findings_once(store: Any, capsys: pytest.CaptureFixture[str]) -> None:
    store.batch_put([report("P1", "xihe", "2026-03", [
        inspection(dt.date(2026, 3, 2), "示范市市场监督管理局", "营业执照", item_id="scjg-cc-001"),
        inspection(dt.date(2026, 3, 20), "示范市交通运输局", "维修", item_id="jtys-cc-003")])])
    args = ["insights", "detect", "--today", "2026-04-07", "--content", str(CONTENT)]
    assert main([*args, "--window-days", "10"]) == 0
    assert "新发现 0 条" in capsys.readouterr().err
    assert main(args) == 0  # default window: 30 days
    assert "新发现 1 条" in capsys.readouterr().err
    assert main(args) == 0
    assert "新发现 0 条，已有 1 条" in capsys.readouterr().err
    stored = list(detection.stored(store, ["xihe"], "2026-03", "2026-03"))
    assert [s["finding_kind"] for s in stored] == ["multi_agency"]
    assert main([*args, "--window-days", "0"]) == 1


def test_scorecards_workbook(store: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store.batch_put(list(generated_month(random.Random(5), "2026-03", points=120)))
    out = tmp_path / "评议.xlsx"
    base = ["insights", "scorecards", "--from", "2026-03", "--to", "2026-03", "--content", str(CONTENT)]
    assert main([*base, "--out", str(out)]) == 0
    rows = list(load_workbook(out)["评议汇总"].values)
    assert rows[0][0].startswith("执法单位评议汇总") and rows[1][0] == "执法单位"
    assert sum(r[1] for r in rows[2:]) > 50
    assert main([*base, "--out", str(out)]) == 1  # never overwritten
    assert "文件已存在" in capsys.readouterr().err
    assert main([*base, "--out", str(tmp_path / "x.xlsx"), "--district", "nowhere"]) == 1
    assert "未知的县（市、区）" in capsys.readouterr().err
    one = tmp_path / "one.xlsx"
    assert main([*base, "--out", str(one), "--district", "xihe"]) == 0
    assert sum(r[1] for r in list(load_workbook(one)["评议汇总"].values)[2:]) < sum(r[1] for r in rows[2:])


def test_bad_months_are_named(store: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["insights", "scorecards", "--from", "2026-3", "--to", "2026-02", "--out",
                 str(tmp_path / "x.xlsx"), "--content", str(CONTENT)]) == 1
    assert "--from: 月份格式应为 YYYY-MM" in capsys.readouterr().err
    assert main(["insights", "publish-stats", "--from", "2026-04", "--to", "2026-02", "--content",
                 str(CONTENT), "--out", str(tmp_path / "s.json")]) == 1
    assert "结束月份不能早于开始月份" in capsys.readouterr().err
    assert main(["insights", "publish-stats", "--from", "2026-01", "--to", "2026-02", "--k", "1", "--content",
                 str(CONTENT), "--out", str(tmp_path / "s.json")]) == 1
    assert not (tmp_path / "s.json").exists()


def test_json_output_of_detect_scorecards_and_publish_stats(store: Any, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import json
    import shutil

    store.batch_put(list(generated_month(random.Random(5), "2026-03", points=120)))
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)

    def doc(argv: list[str]) -> dict[str, Any]:
        capsys.readouterr()
        assert main([*argv, "--content", str(content), "--json"]) == 0
        return dict(json.loads(capsys.readouterr().out))

    found = doc(["insights", "detect", "--today", "2026-04-07"])
    assert set(found) == {"new", "known"} and all(isinstance(v, int) for v in found.values())
    out = tmp_path / "评议.xlsx"
    cards = doc(["insights", "scorecards", "--from", "2026-03", "--to", "2026-03", "--out", str(out)])
    assert cards["file"] == str(out) and cards["agencies"] > 0 and cards["district"] is None
    stats = doc(["insights", "publish-stats", "--from", "2026-03", "--to", "2026-03"])
    assert stats["file"] == str(content / "statistics.json") and stats["inspections"] > 50 and stats["k"] == 5
    assert isinstance(stats["suppressed"], int)
