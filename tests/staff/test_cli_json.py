"""`--json` on the commands a program reads (issue 17): each prints one JSON document on stdout with
the keys docs/cli.md lists, messages staying on stderr. Run through main([...]) on the moto table."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest

from enforcewatch.cli import main
from enforcewatch.draws import tasks
from enforcewatch.monitoring.registry import point_index_keys
from enforcewatch.store import ddblocal
from support.casework import seed_casework
from support.control import plan
from support.draws import uscc
from support.insights import CONTENT
from support.items import point_item
from support.staff import HQ, WB, seed, write_content


@pytest.fixture
def env(moto_table: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Path]:
    seed(moto_table)
    seed_casework(moto_table)
    monkeypatch.setattr(ddblocal, "open_table", lambda data_dir: contextlib.nullcontext(moto_table))
    return moto_table, write_content(tmp_path / "content")


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_staff_list(env: tuple[Any, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, content = env
    doc = run_json(["staff", "list", "--content", str(content)], capsys)
    by_name = {u["username"]: u for u in doc["users"]}
    assert set(by_name) == {"city", "hongqi"}
    assert by_name["hongqi"]["role"] == "district" and by_name["hongqi"]["district"] == HQ
    assert set(by_name["city"]) == {"username", "role", "district", "disabled", "locked", "has_totp", "created_at",
                                    "updated_at"}  # no hash, no TOTP secret
    assert main(["staff", "list", "--content", str(content)]) == 0
    assert "hongqi\t红旗区\t正常" in capsys.readouterr().out


def test_points_list(env: tuple[Any, Path], capsys: pytest.CaptureFixture[str]) -> None:
    table, content = env
    # listed in their district's registry (gsi2 POINTS#), as an import stores them
    table.batch_put([{**point_item(pid, d, enterprise_name=f"{d}某公司"), **point_index_keys(d, pid)}
                     for pid, d in (("P-HQ-1", HQ), ("P-WB-1", WB))])
    doc = run_json(["points", "list", "--content", str(content)], capsys)
    assert [(p["point_id"], p["district"], p["open_flags"]) for p in doc["points"]] == [("P-HQ-1", HQ, 1),
                                                                                       ("P-WB-1", WB, 1)]
    doc = run_json(["points", "list", "--district", WB, "--content", str(content)], capsys)
    assert [p["point_id"] for p in doc["points"]] == ["P-WB-1"]


def test_export(env: tuple[Any, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, content = env
    out = tmp_path / "r.csv"
    doc = run_json(["export", "--from", "2026-01", "--to", "2026-03", "--district", HQ, "--out", str(out),
                    "--content", str(content)], capsys)
    assert doc == {"ok": True, "kind": "report", "format": "csv", "from": "2026-01", "to": "2026-03", "district": HQ,
                   "rows": 1, "file": str(out)}


def test_casework_nominations_transfers_timeline(env: tuple[Any, Path], capsys: pytest.CaptureFixture[str]) -> None:
    _, content = env
    doc = run_json(["casework", "nominations", "--content", str(content)], capsys)
    assert [(n["nomination_id"], n["district"], n["stage"]) for n in doc["nominations"]] == [("N-WB", WB, "nominated")]
    assert doc["nominations"][0]["stage_label"] != "nominated"  # its Chinese label beside the code
    doc = run_json(["casework", "transfers", "--as-of", "2026-03-25", "--content", str(content)], capsys)
    assert doc["as_of"] == "2026-03-25"
    assert doc["transfers"] == [{"transfer_id": "T-WB", "point_id": "P-WB-1", "complaint_id": None,
                                 "department": "市税务局", "deadline": "2026-03-20", "overdue": True}]
    doc = run_json(["casework", "timeline", "P-WB-1", "--content", str(content)], capsys)
    assert doc["point"]["point_id"] == "P-WB-1"
    assert doc["entries"] and set(doc["entries"][0]) == {"at", "category", "title", "by"}


def test_events_list(env: tuple[Any, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["events", "add", "P-HQ-1", "reminder", "--date", "2026-03-01", "--note", "电话提醒"]) == 0
    doc = run_json(["events", "list", "P-HQ-1"], capsys)
    assert doc == {"point_id": "P-HQ-1", "events": [{"date": "2026-03-01", "kind": "reminder", "reason": "",
                                                     "note": "电话提醒"}]}


def test_draws_list(env: tuple[Any, Path], capsys: pytest.CaptureFixture[str]) -> None:
    table, content = env
    spec = {"id": "d-1", "title": "测试抽取", "item_id": "scjg-cc-001", "agency": "示范市市场监督管理局",
            "scheduled_at": "2026-11-20T10:00:00+08:00", "team_size": 2,
            "inspectors": [f"ZF-{i:02d}" for i in range(1, 5)], "parties": ["agency", "justice"],
            "candidates": [{"uscc": uscc(i), "credit_class": "ABCD"[i % 4]} for i in range(1, 41)]}
    tasks.open_task(table, spec, {"base": 300, "A": 100, "B": 300, "C": 1000, "D": 3000}, "检查", "office",
                    dt.datetime(2026, 11, 1, tzinfo=dt.UTC), random.Random(1))
    doc = run_json(["draws", "list", "--content", str(content)], capsys)
    assert [(d["draw_id"], d["title"], d["state"]) for d in doc["draws"]] == [("d-1", "测试抽取", "open")]
    assert doc["draws"][0]["state_label"]


def test_plans_list_and_match(moto_table: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(ddblocal, "open_table", lambda data_dir: contextlib.nullcontext(moto_table))
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(plan(), ensure_ascii=False), encoding="utf-8")
    assert main(["plans", "add", str(path), "--content", str(content)]) == 0
    doc = run_json(["plans", "list", "--content", str(content)], capsys)
    assert [(p["department"], p["title"]) for p in doc["plans"]] == [("scjg", "2026年度登记事项监督检查计划")]
    doc = run_json(["plans", "match", "--today", "2026-06-01", "--content", str(content)], capsys)
    assert set(doc) == {"new", "known", "withdrawn", "noted"} and all(isinstance(v, int) for v in doc.values())
