"""`--json` on the commands that work on files only (build, deadlines due-date, draws verify): one
JSON document on stdout that a program can parse, messages on stderr (docs/cli.md)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from enforcewatch.cli import main
from support.paths import CONTENT, ROOT, TEMPLATES


def run_json(argv: list[str], capsys: pytest.CaptureFixture[str], status: int = 0) -> dict:
    capsys.readouterr()
    assert main([*argv, "--json"]) == status
    return dict(json.loads(capsys.readouterr().out))


def test_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "_site"
    doc = run_json(["build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out)], capsys)
    assert doc["ok"] is True and doc["out"] == str(out) and doc["pages"] > 5 and doc["files"] >= doc["pages"]
    assert set(doc) == {"ok", "pages", "files", "out", "search_pages", "search_seconds"}


def test_deadlines_due_date(capsys: pytest.CaptureFixture[str]) -> None:
    content = ROOT / "site" / "content"
    doc = run_json(["deadlines", "due-date", "2026-01", "2026-13", "--content", str(content)], capsys, status=1)
    assert list(doc["due_dates"]) == ["2026-01"] and doc["due_dates"]["2026-01"].startswith("2026-02-")
    assert list(doc["problems"]) == ["2026-13"]


def test_draws_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = next((ROOT / "site" / "content" / "draws").glob("*.json"))
    doc = run_json(["draws", "verify", str(record)], capsys)
    assert doc["ok"] is True and doc["problems"] == [] and doc["selected"] > 0
    broken = tmp_path / "broken.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["seed"] = "0" * len(data["seed"])
    broken.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    doc = run_json(["draws", "verify", str(broken)], capsys, status=1)
    assert doc["ok"] is False and doc["problems"] and all(set(p) == {"kind", "message"} for p in doc["problems"])


def test_copied_content_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    doc = run_json(["check", "--content", str(content)], capsys)
    assert doc["ok"] is True and doc["enforcement_items"] > 0
