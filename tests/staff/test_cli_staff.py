"""`enforcewatch staff ...` and `enforcewatch export` through main([...])."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json

import pytest

from enforcewatch.cli import main
from enforcewatch.staff import audit
from enforcewatch.staff.accounts import Accounts
from enforcewatch.store import ddblocal
from support.staff import HQ, WB, seed, write_content

THIS_MONTH = f"{dt.datetime.now(dt.UTC):%Y-%m}"  # the CLI stamps entries with the real clock


@pytest.fixture
def env(moto_table, tmp_path, monkeypatch):
    seed(moto_table)
    monkeypatch.setattr(ddblocal, "open_table", lambda data_dir: contextlib.nullcontext(moto_table))
    return moto_table, write_content(tmp_path / "content"), tmp_path


def run(monkeypatch, argv: list[str], stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(argv)


def test_add_disable_enable_reset(env, monkeypatch, capsys) -> None:
    table, content, _ = env
    common = ["--content", str(content)]
    assert run(monkeypatch, ["staff", "add-user", "weibin1", "--role", "district", "--district", WB,
                             "--password-stdin", *common], "a long enough password\n") == 0
    accounts = Accounts(table)
    assert accounts.get("weibin1").district == WB
    assert run(monkeypatch, ["staff", "add-user", "bad", "--role", "district", "--district", "nowhere",
                             "--password-stdin", *common], "a long enough password\n") == 1
    assert "未知的县" in capsys.readouterr().err
    assert run(monkeypatch, ["staff", "add-user", "short", "--role", "office", "--password-stdin", *common],
               "short\n") == 1
    assert run(monkeypatch, ["staff", "disable", "weibin1", *common]) == 0
    assert accounts.get("weibin1").disabled
    assert run(monkeypatch, ["staff", "enable", "weibin1", *common]) == 0
    assert run(monkeypatch, ["staff", "reset", "weibin1", "--password-stdin", *common], "another long pass\n") == 0
    accounts.authenticate("weibin1", "another long pass", None, dt.datetime.now(dt.UTC))
    assert run(monkeypatch, ["staff", "totp", "weibin1", *common]) == 0
    assert "otpauth://totp/" in capsys.readouterr().err
    actions = [e["action"] for e in audit.entries(table, THIS_MONTH, THIS_MONTH)]
    assert actions.count("staff_add_user") == 1 and "staff_disable" in actions and "staff_totp" in actions


def test_export_writes_file_and_audits(env, monkeypatch, capsys) -> None:
    table, content, tmp = env
    out = tmp / "out.json"
    argv = ["export", "--kind", "report", "--format", "json", "--from", "2026-01", "--to", "2026-03",
            "--district", HQ, "--out", str(out), "--content", str(content)]
    assert run(monkeypatch, argv) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    # issue 16: the district by its name (staff_fixtures: hongqi is 红旗区), the enterprise's name too
    assert [(r["县（市、区）"], r["企业名称"]) for r in rows] == [("红旗区", f"{HQ}某公司")]
    assert run(monkeypatch, argv) == 1  # never overwrites
    assert "已存在" in capsys.readouterr().err
    bad = ["export", "--from", "2026-13", "--to", "2026-01", "--out", str(tmp / "x.csv"), "--content", str(content)]
    assert run(monkeypatch, bad) == 1
    assert "YYYY-MM" in capsys.readouterr().err
    entry = [e for e in audit.entries(table, THIS_MONTH, THIS_MONTH) if e["action"] == "download"][0]
    assert entry["details"]["rows"] == 1 and entry["actor"] == "cli"
