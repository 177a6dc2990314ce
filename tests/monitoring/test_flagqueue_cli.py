"""The command line side of the work queue: state in `deadlines check`, reasons by Chinese label."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from enforcewatch.api.staff import app as staff_app
from enforcewatch.cli import main
from enforcewatch.staff import staffing
from support.items import put_point

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "site" / "content"
SNAPSHOT = {
    "points": [{"point_id": "A", "district": "chengguan", "designated_on": "2025-12-29",
                "reporting_from": "2026-09", "status": "active"}],
    "reports": [{"point_id": "A", "month": "2026-09", "received_at": "2026-10-08T15:59:59.999999Z"},
                {"point_id": "A", "month": "2026-10", "received_at": "2026-11-05T16:00:00.000000Z"}],
    "events": [],
}



def _check(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict]:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(SNAPSHOT), encoding="utf-8")
    assert main(["deadlines", "check", "--as-of", "2026-11-23", "--snapshot", str(path), "--json",
                 "--content", str(CONTENT), *extra]) == 0
    return json.loads(capsys.readouterr().out)["flags"]


def test_check_json_carries_state_and_filters_by_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The snapshot's 2026-10 report arrived at 00:00 China time on 11-06, a day late.
    every = _check(tmp_path, capsys, "--state", "all")
    assert [(f["kind"], f["key"], f["state"], f["closed_on"], f["closed_because"]) for f in every] == [
        ("overdue", "2026-10", "closed", "2026-11-06", "report_arrived")]
    assert every[0]["closed_because_label"] == "该月报告已收到（逾期报送）"
    assert _check(tmp_path, capsys, "--state", "open") == []
    assert len(_check(tmp_path, capsys, "--state", "closed")) == 1


def test_check_and_the_staff_api_default_to_open_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Both answer "what still needs doing" unless asked for more (docs/rules.md, "the default state")."""
    assert _check(tmp_path, capsys) == []  # the one flag is closed as of the day: not shown by default
    snap = tmp_path / "open.json"
    snap.write_text(json.dumps({**SNAPSHOT, "reports": SNAPSHOT["reports"][:1]}), encoding="utf-8")
    assert main(["deadlines", "check", "--as-of", "2026-11-23", "--snapshot", str(snap), "--json",
                 "--content", str(CONTENT)]) == 0
    assert {f["state"] for f in json.loads(capsys.readouterr().out)["flags"]} == {"open"}
    assert inspect.signature(staff_app.flags).parameters["state"].default == "open"
    assert inspect.signature(staffing.flags).parameters["state"].default == "open"


def test_check_state_as_of_a_day_before_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(SNAPSHOT), encoding="utf-8")
    assert main(["deadlines", "check", "--as-of", "2026-11-06", "--snapshot", str(path), "--json", "--state", "open",
                 "--content", str(CONTENT)]) == 0
    flags = json.loads(capsys.readouterr().out)["flags"]
    assert [(f["key"], f["state"], f["closed_on"]) for f in flags] == [("2026-10", "open", None)]


def test_snapshot_status_since_dates_the_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snap = {**SNAPSHOT, "reports": SNAPSHOT["reports"][:1],
            "points": [{**SNAPSHOT["points"][0], "status": "active"}],
            "events": [{"point_id": "A", "kind": "reminder", "date": "2026-11-10"}]}
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(snap), encoding="utf-8")
    assert main(["deadlines", "check", "--as-of", "2026-11-23", "--snapshot", str(path), "--json",
                 "--state", "all", "--content", str(CONTENT)]) == 0
    flags = json.loads(capsys.readouterr().out)["flags"]
    assert [(f["kind"], f["closed_because"], f["closed_on"]) for f in flags] == [("overdue", "reminded", "2026-11-10")]
    bad = {**snap, "points": [{**snap["points"][0], "status_since": "11月"}]}
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["deadlines", "check", "--as-of", "2026-11-23", "--snapshot", str(path), "--content", str(CONTENT)]) == 1
    assert "points[0].status_since" in capsys.readouterr().err


@pytest.mark.ddb_local
def test_events_add_takes_a_chinese_reason_and_closes_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    from enforcewatch.monitoring import flags
    from enforcewatch.monitoring.duedates import WorkCalendar
    from enforcewatch.store.ddblocal import DynamoDBLocal, open_table

    data = tmp_path / "data"
    with DynamoDBLocal(data):
        with open_table(data) as table:
            put_point(table, "A", reporting_from="2026-10")
            flags.run(table, ["chengguan"], WorkCalendar(), dt.date(2026, 11, 23),
                      dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
        dd = ["--data-dir", str(data)]
        assert main(["events", "add", "A", "disqualifying", "--date", "2026-10-20",
                     "--reason", "重大安全生产责任事故", *dd]) == 0
        assert main(["events", "add", "A", "disqualifying", "--date", "2026-10-20", "--reason", "安全事故", *dd]) == 1
        assert "重大安全生产责任事故（safety_accident）" in capsys.readouterr().err
        assert main(["events", "add", "A", "reminder", "--date", "2026-11-20", *dd]) == 0
        with open_table(data) as table:
            assert table.get("POINT#A", "FLAG#overdue#2026-10")["closed_because"] == "reminded"
            assert [e["reason"] for e in table.query("POINT#A", "EVENT#") if e["kind"] == "disqualifying"] == [
                "safety_accident"]
