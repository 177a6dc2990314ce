"""`enforcewatch casework ...` through main([...]): the designation cycle, the access code written
once to a private file, the commended-points export and a point's timeline, all audited."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io

import pytest

from enforcewatch import codes
from enforcewatch.cli import main
from enforcewatch.staff import audit
from enforcewatch.store import ddblocal
from support.casework import USCC_A
from support.staff import HQ, seed, write_content

THIS_MONTH = f"{dt.datetime.now(dt.UTC):%Y-%m}"  # the CLI stamps entries with the real clock


@pytest.fixture
def env(moto_table, tmp_path, monkeypatch):
    seed(moto_table)
    monkeypatch.setattr(ddblocal, "open_table", lambda data_dir: contextlib.nullcontext(moto_table))
    return moto_table, ["--content", str(write_content(tmp_path / "content"))], tmp_path


def test_cycle_from_the_command_line(env, capsys) -> None:
    table, common, tmp = env
    assert main(["casework", "nominate", "--source", "district", "--district", HQ, "--name", "示范企业",
                 "--uscc", USCC_A, "--by", "红旗区人民政府", "--industry", "制造业", *common]) == 0
    nid = capsys.readouterr().out.strip()
    assert main(["casework", "check", nid, "--confirm", "credit_china", *common]) == 1
    err = capsys.readouterr().err
    assert "待人工核实（--confirm representative）" in err and "资格审查未通过" in err
    confirm = [a for c in ("credit_china", "representative", "accidents", "penalties") for a in ("--confirm", c)]
    assert main(["casework", "check", nid, *confirm, *common]) == 0
    assert main(["casework", "designate", nid, "--point-id", "HQ-9", "--plaque", "P-009", "--date", "2026-01-05",
                 "--reporting-from", "2026-01", "--codes-out", str(tmp / "c.csv"), *common]) == 1
    assert "联席会议" in capsys.readouterr().err
    assert main(["casework", "decide", nid, "approved", "--meeting", "2026年第1次联席会议", *common]) == 0
    out = tmp / "codes.csv"
    assert main(["casework", "designate", nid, "--point-id", "HQ-9", "--plaque", "P-009", "--date", "2026-01-05",
                 "--reporting-from", "2026-01", "--codes-out", str(out), *common]) == 0
    code = out.read_text(encoding="utf-8-sig").splitlines()[1].split(",")[1]
    assert codes.verify_code(code, table.get("POINT#HQ-9", "POINT")["access_code_hash"])
    assert out.stat().st_mode & 0o077 == 0 and code not in capsys.readouterr().err

    assert main(["casework", "timeline", "HQ-9", *common]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("HQ-9 示范企业") and [line.split("\t")[1] for line in lines[1:]] == ["选定"] * 5
    assert main(["casework", "timeline", "HQ-9", "--format", "csv", "--out", str(tmp / "t.csv"), *common]) == 0
    assert main(["casework", "timeline", "HQ-9", "--format", "csv", "--out", str(tmp / "t.csv"), *common]) == 1
    assert "文件已存在" in capsys.readouterr().err

    entries = list(audit.entries(table, THIS_MONTH, THIS_MONTH))
    assert [e["action"] for e in entries] == ["nomination", "nomination_check", "nomination_check",
                                              "nomination_decision", "designation", "timeline", "download"]
    assert all(e["actor"].startswith("cli:") for e in entries) and all(code not in str(e) for e in entries)


def test_commended_export_and_bad_dates(env, capsys) -> None:
    table, common, tmp = env
    from enforcewatch.casework import commendations
    from enforcewatch.staff.staffing import Scope

    office = Scope("city", "office", None, (HQ,))
    table.update("POINT#P-HQ-1", "POINT", {"uscc": USCC_A})
    commendations.record(table, office, "P-HQ-1", {"kind": "annual", "date": "2025-12-30", "period": "2025年度",
                         "criteria": dict.fromkeys(commendations.CRITERIA, True)},
                         dt.datetime(2026, 1, 5, tzinfo=dt.UTC), __import__("random").Random(1))
    out = tmp / "commended.csv"
    assert main(["casework", "commended", "--from", "2025-01-01", "--to", "2025-12-31", "--format", "csv",
                 "--out", str(out), *common]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows[1][:4] == [USCC_A, f"{HQ}某公司", "红旗区", "年度表彰"]
    assert main(["casework", "commended", "--from", "2025-1-1", "--to", "2025-12-31", "--out", str(tmp / "x"),
                 *common]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err
    downloads = [e for e in audit.entries(table, THIS_MONTH, THIS_MONTH) if e["action"] == "download"]
    assert downloads[0]["details"]["rows"] == 1 and downloads[0]["details"]["kind"] == "commendation"
