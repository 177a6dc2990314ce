"""The deadline check against the store (moto and DynamoDB Local), the snapshot check, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from enforcewatch.cli import main
from enforcewatch.errors import InputError, NotFound
from enforcewatch.monitoring import events, flags
from enforcewatch.monitoring.deadlines import evaluate
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.store import schema
from enforcewatch.store.dynamo import DynamoTable
from support.items import put_point, put_report

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "site" / "content"
CAL = WorkCalendar()
NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)


def stored_flags(table: DynamoTable, district: str = "chengguan") -> list[tuple[str, str, str]]:
    return sorted((i["point_id"], i["kind"], i["key"]) for i in table.query(f"FLAGS#{district}", index=schema.GSI2))


def test_run_stores_each_flag_once_and_catches_up(table: DynamoTable) -> None:
    put_point(table, "A")
    put_point(table, "B", reporting_from="2026-09")
    for m in range(1, 9):
        put_report(table, "A", f"2026-{m:02d}", f"2026-{m + 1:02d}-01T02:00:00.000000Z")
    # Sep: first filing late (10-09 10:00 CST); an amendment does not change that.
    put_report(table, "A", "2026-09", "2026-10-09T02:00:00.000000Z")
    put_report(table, "A", "2026-09", "2026-10-10T02:00:00.000000Z", seq=1)

    first = flags.run(table, ["chengguan"], CAL, dt.date(2026, 10, 9), NOW)
    assert first.new["chengguan"] == {"overdue": 2}  # A 2026-09 and B 2026-09
    rerun = flags.run(table, ["chengguan"], CAL, dt.date(2026, 10, 9), NOW)
    assert rerun.new_total == 0 and rerun.current["chengguan"] == {"overdue": 2}

    # A gap of six weeks: Oct (due 11-05) missed by both; the run catches up in one go.
    later = flags.run(table, ["chengguan"], CAL, dt.date(2026, 11, 23), NOW)
    assert later.new["chengguan"] == {"overdue": 2, "reminder_due": 2}
    assert stored_flags(table) == [("A", "overdue", "2026-09"), ("A", "overdue", "2026-10"),
                                   ("A", "reminder_due", "2026-10"), ("B", "overdue", "2026-09"),
                                   ("B", "overdue", "2026-10"), ("B", "reminder_due", "2026-10")]
    item = table.get("POINT#A", "FLAG#reminder_due#2026-10")
    assert item["raised_on"] == "2026-11-06" and item["months"] == ["2026-09", "2026-10"]
    assert "enterprise_name" not in json.dumps(later.as_json(), ensure_ascii=False)
    assert "A" not in json.dumps(later.as_json()["districts"])


def test_events_recorded_by_staff_drive_the_check(table: DynamoTable) -> None:
    put_point(table, "A", district="dongshan")
    today = dt.date(2026, 11, 23)
    events.record_event(table, "A", "disqualifying", "2026-10-20", "dishonest_party", None,
                        recorded_by="t", now=NOW, today=today)
    events.record_event(table, "A", "disqualifying", "2026-10-20", "dishonest_party", "twice",
                        recorded_by="t", now=NOW, today=today)  # same event: stored once
    assert len(list(table.query("POINT#A", "EVENT#"))) == 1
    summary = flags.run(table, ["dongshan"], CAL, today, NOW)
    assert summary.new["dongshan"]["revocable"] == 1
    events.set_status(table, "A", "revoked", now=NOW)
    summary = flags.run(table, ["dongshan"], CAL, today, NOW)
    assert summary.new["dongshan"] == {"plaque_to_recover": 1}
    events.record_event(table, "A", "plaque_returned", "2026-11-20", None, None, recorded_by="t", now=NOW,
                        today=today)
    assert "plaque_to_recover" not in flags.run(table, ["dongshan"], CAL, today, NOW).current["dongshan"]


def test_event_input_is_checked(moto_table: DynamoTable) -> None:
    put_point(moto_table, "A")
    today = dt.date(2026, 11, 23)
    with pytest.raises(InputError, match="reason"):
        events.record_event(moto_table, "A", "disqualifying", "2026-10-20", None, None, recorded_by="t",
                            now=NOW, today=today)
    with pytest.raises(InputError, match="晚于今天"):
        events.record_event(moto_table, "A", "reminder", "2026-11-24", None, None, recorded_by="t",
                            now=NOW, today=today)
    with pytest.raises(InputError, match="reason: reminder 不带事由"):
        events.record_event(moto_table, "A", "reminder", "2026-11-20", "large_fine", None, recorded_by="t",
                            now=NOW, today=today)
    with pytest.raises(NotFound):
        events.record_event(moto_table, "Z", "reminder", "2026-11-20", None, None, recorded_by="t",
                            now=NOW, today=today)
    with pytest.raises(InputError):
        events.set_status(moto_table, "A", "closed", now=NOW)


SNAPSHOT = {
    "points": [{"point_id": "A", "district": "chengguan", "designated_on": "2025-12-29",
                "reporting_from": "2026-09", "status": "active"}],
    "reports": [{"point_id": "A", "month": "2026-09", "received_at": "2026-10-08T15:59:59.999999Z"},
                {"point_id": "A", "month": "2026-10", "received_at": "2026-11-05T16:00:00.000000Z"}],
    "events": [],
}


def test_check_snapshot_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(SNAPSHOT), encoding="utf-8")
    assert main(["deadlines", "check", "--as-of", "2026-11-23", "--snapshot", str(path), "--json",
                 "--state", "all", "--content", str(CONTENT)]) == 0  # the flag raised, closed since
    doc = json.loads(capsys.readouterr().out)
    assert doc["as_of"] == "2026-11-23"
    assert [(f["point_id"], f["kind"], f["key"]) for f in doc["flags"]] == [("A", "overdue", "2026-10")]


def test_check_snapshot_warns_on_unknown_year_on_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(SNAPSHOT), encoding="utf-8")
    assert main(["deadlines", "check", "--as-of", "2027-01-20", "--snapshot", str(path), "--json",
                 "--content", str(CONTENT)]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["warnings"] and "2027" in out.err


def test_bad_snapshot_names_every_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "snap.json"
    path.write_text(json.dumps({"points": [{"point_id": "A", "district": "c", "reporting_from": "2026-13"}],
                                "reports": [{"point_id": "A", "month": "2026-01", "received_at": "soon"}],
                                "events": [{"point_id": "A", "kind": "warning", "date": "2026-01-01"}]}))
    assert main(["deadlines", "check", "--as-of", "2026-11-23", "--snapshot", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: points[0].reporting_from:" in err
    assert f"{path}: reports[0].received_at:" in err
    assert f"{path}: events[0].kind:" in err
    path.write_text("{\n  oops")
    assert main(["deadlines", "check", "--as-of", "2026-11-23", "--snapshot", str(path)]) == 1
    assert f"{path}:2: JSON格式错误" in capsys.readouterr().err


def test_due_date_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["deadlines", "due-date", "2024-03", "2024-09", "--content", str(CONTENT)]) == 0
    assert capsys.readouterr().out.splitlines() == ["2024-03 2024-04-07", "2024-09 2024-10-08"]
    assert main(["deadlines", "due-date", "2026-11", "2026-12", "--content", str(CONTENT)]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == ["2026-11 2026-12-07"] and "2027年" in out.err


@pytest.mark.ddb_local
def test_run_and_explain_commands_on_a_data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from enforcewatch.store.ddblocal import DynamoDBLocal, open_table

    data = tmp_path / "data"
    args = ["--data-dir", str(data), "--content", str(CONTENT), "--as-of", "2026-11-23"]
    with DynamoDBLocal(data):  # as `serve` runs it: the commands use that server, not a second one
        with open_table(data) as table:
            put_point(table, "A")
            put_report(table, "A", "2026-09", "2026-10-08T01:00:00.000000Z")
        assert main(["deadlines", "run", *args]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert main(["deadlines", "explain", "Z", *args]) == 1
        capsys.readouterr()
    assert summary["districts"]["chengguan"]["new"]["overdue"] == 9  # Jan–Aug and Oct
    assert main(["deadlines", "explain", "A", *args]) == 0  # no server running: the command starts its own
    text = capsys.readouterr().out
    assert "2026-09 截止 2026-10-08：按时（2026-10-08 09:00:00 收到）" in text
    assert "2026-10 截止 2026-11-05：未报送" in text


@pytest.mark.ddb_local
def test_events_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from enforcewatch.store.ddblocal import DynamoDBLocal, open_table

    data = tmp_path / "data"
    with DynamoDBLocal(data):
        with open_table(data) as table:
            put_point(table, "A")
        dd = ["--data-dir", str(data)]
        assert main(["events", "add", "A", "disqualifying", "--date", "2026-10-20", "--reason", "large_fine", *dd]) == 0
        assert main(["events", "add", "A", "disqualifying", "--date", "2026-10-20", *dd]) == 1
        assert "reason" in capsys.readouterr().err
        assert main(["events", "status", "A", "revoked", *dd]) == 0
        assert main(["events", "list", "A", *dd]) == 0
        assert capsys.readouterr().out.splitlines() == ["2026-10-20\tdisqualifying\tlarge_fine\t"]
        assert main(["events", "list", "Z", *dd]) == 1
        with open_table(data) as table:
            assert table.get("POINT#A", "POINT")["status"] == "revoked"


def test_a_concurrent_run_and_staff_between_read_and_write_leave_each_flag_once(table: DynamoTable,
                                                                                 monkeypatch) -> None:
    """The bulk write is unconditional: another run storing the same flags, and staff recording a
    reminder, in the window between this run's read and its write, lose nothing and duplicate nothing."""
    for pid in ("A", "B"):
        put_point(table, pid, reporting_from="2026-07")
    as_of, later = dt.date(2026, 11, 23), NOW + dt.timedelta(minutes=5)
    real_batch_put = table.batch_put
    window: list[int] = []

    def with_others_in_the_window(items, *args, **kwargs):
        if not window:  # once: the other run goes through entirely, then staff act, then this write lands
            window.append(len(items))
            monkeypatch.setattr(table, "batch_put", real_batch_put)
            other = flags.run(table, ["chengguan"], CAL, as_of, later)
            assert other.new_total == len(items)
            events.record_event(table, "A", "reminder", "2026-11-20", None, None, recorded_by="t", now=later,
                                today=as_of)
        return real_batch_put(items, *args, **kwargs)

    monkeypatch.setattr(table, "batch_put", with_others_in_the_window)
    first = flags.run(table, ["chengguan"], CAL, as_of, NOW)
    assert window == [first.new_total] and first.new_total > 0
    stored = list(table.query("FLAGS#chengguan", index=schema.GSI2))
    assert len(stored) == len({(i["pk"], i["sk"]) for i in stored}) == first.new_total
    data = flags.read_district(table, "chengguan")
    items = (flags.flag_item(f, NOW, carried=data.carried[f.point_id])
             for f in evaluate(data.points, [], [], as_of, CAL).flags)
    expected = {(i["pk"], i["sk"]): i for i in items}
    for item in stored:  # the same flag as the other run stored, field for field (its stored_at aside)
        assert {**item, "stored_at": ""} == {**expected[(item["pk"], item["sk"])], "stored_at": ""}
    assert [e["kind"] for e in table.query("POINT#A", "EVENT#")] == ["reminder"]  # the staff action stays
    rerun = flags.run(table, ["chengguan"], CAL, as_of, NOW)
    assert rerun.new_total == 0 and rerun.current == first.current
