"""A registry import is all or nothing, on moto and on DynamoDB Local: a failure after N rows leaves the
table as it was, a crash (no roll-back possible) is rolled back by the next import or `--recover`, and
codes of a rolled-back import never authenticate."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from botocore.exceptions import ConnectionClosedError

from enforcewatch import codes
from enforcewatch.errors import Conflict, StoreUnavailable, Unauthorized
from enforcewatch.intake.reports import authenticate
from enforcewatch.monitoring import flags, importjournal
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.monitoring.importjournal import ImportNotRolledBack, ImportOpen
from enforcewatch.monitoring.registry import District, import_points, pending_codes, run_import
from enforcewatch.store.dynamo import DynamoTable
from support.faults import Faulty, scan
from support.registry import row, write_csv

DISTRICTS = [District("chengguan", "城关区"), District("dongshan", "东山县")]
NOW = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)
DROPPED = ConnectionClosedError(endpoint_url="http://127.0.0.1")
OLD, NEW = 40, 110  # existing points updated by the second import, and new ones: 150 rows, two point batches


@pytest.fixture(params=["moto", pytest.param("local", marks=pytest.mark.ddb_local)])
def table(request: pytest.FixtureRequest) -> DynamoTable:
    return request.getfixturevalue("moto_table" if request.param == "moto" else "local_table")





def registry(table: DynamoTable) -> list[dict]:
    """Everything but the import records (heads and journal chunks)."""
    return [i for i in scan(table) if not i["pk"]["S"].startswith("IMPORT")]


def journal(table: DynamoTable) -> list[dict]:
    return [i for i in scan(table) if i["pk"]["S"].startswith("IMPORT") and i["sk"]["S"] != "IMPORT"]


def seeded(table: DynamoTable, tmp_path: Path) -> dict[str, str]:
    """OLD points from a first import (one transaction), one of them revoked since; their codes."""
    done = run_import(table, write_csv(tmp_path / "first.csv", [row(n) for n in range(OLD)]), DISTRICTS,
                      tmp_path / "first-codes.csv", rng=random.Random(1), now=NOW)
    table.update("POINT#XX-003", "POINT", {"status": "revoked"})
    return dict(done.result.codes)


def second_file(tmp_path: Path) -> Path:
    """Updates of every existing point (industry changed) and NEW new points."""
    rows = [row(n, industry="批发和零售业") for n in range(OLD)] + [row(n) for n in range(OLD, OLD + NEW)]
    return write_csv(tmp_path / "second.csv", rows)


def assert_authenticates(table: DynamoTable, point_id: str, code: str) -> None:
    assert authenticate(table, point_id, code)["point_id"] == point_id


def assert_refused(table: DynamoTable, point_id: str, code: str) -> None:
    with pytest.raises(Unauthorized):
        authenticate(table, point_id, code)


def test_import_failing_after_n_rows_leaves_the_table_exactly_as_before(table, tmp_path: Path) -> None:
    old_codes = seeded(table, tmp_path)
    before = registry(table)
    result, items = import_points(table, second_file(tmp_path), DISTRICTS, rng=random.Random(2), now=LATER,
                                  reissue=True)
    assert len(result.updated) == OLD and len(result.new) == NEW and len(result.codes) == OLD + NEW
    real = table.client
    # transactions: 1 fence and head, 2 the first 99 points, 3 the other 51: the store drops the third
    table.client = Faulty(real, "transact_write_items", DROPPED, fail_on=(3,))
    with pytest.raises(StoreUnavailable):
        importjournal.apply(table, items, result.prior, import_id="x-1", now=LATER, source="second.csv",
                            codes_file="codes.csv")
    table.client = real
    assert registry(table) == before  # 99 points had been written: all undone, to the attribute
    assert journal(table) == [] and importjournal.open_import(table) is None
    assert table.get("IMPORT#x-1", "IMPORT")["state"] == "rolled_back"
    for pid, code in result.codes:  # neither the reissued codes nor those of new points work
        assert_refused(table, pid, code)
    assert_authenticates(table, "XX-001", old_codes["XX-001"])  # the old codes still do
    flags.run(table, ["chengguan"], WorkCalendar(), LATER.date(), LATER)  # readers carry on


def test_failed_import_through_run_import_leaves_no_codes_file(table, tmp_path: Path) -> None:
    seeded(table, tmp_path)
    before = registry(table)
    out = tmp_path / "codes.csv"
    real = table.client
    table.client = Faulty(real, "transact_write_items", DROPPED, fail_on=(2,))
    with pytest.raises(StoreUnavailable):
        run_import(table, second_file(tmp_path), DISTRICTS, out, rng=random.Random(2), now=LATER)
    table.client = real
    assert registry(table) == before
    assert not out.exists() and not pending_codes(out).exists()  # the codes never worked: not on paper either
    run_import(table, second_file(tmp_path), DISTRICTS, out, rng=random.Random(3), now=LATER)
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + NEW


def test_crash_is_rolled_back_by_the_next_import_which_then_succeeds(table, tmp_path: Path) -> None:
    old_codes = seeded(table, tmp_path)
    before = registry(table)
    out = tmp_path / "codes.csv"
    real = table.client
    # the store goes away after the first 99 points and does not come back for the roll-back
    table.client = Faulty(real, "transact_write_items", DROPPED, fail_on=(3,))
    table.client.batch_write_item = Faulty(real, "batch_write_item", DROPPED, fail_on=range(1, 99)).batch_write_item
    with pytest.raises(ImportNotRolledBack, match="points import --recover"):
        run_import(table, second_file(tmp_path), DISTRICTS, out, rng=random.Random(2), now=LATER, reissue=True)
    table.client = real
    assert pending_codes(out).exists() and not out.exists()  # kept until the outcome is known
    half = registry(table)
    assert half != before  # half-applied: the fence says so
    with pytest.raises(ImportOpen, match="尚未完成"):
        flags.run(table, ["chengguan"], WorkCalendar(), LATER.date(), LATER)

    pending_codes(out).unlink()  # as staff are told: the codes of a rolled-back import are void
    told: list[importjournal.Recovery] = []
    done = run_import(table, second_file(tmp_path), DISTRICTS, out, rng=random.Random(3), now=LATER,
                      announce=told.append)
    assert [r.outcome for r in told] == ["rolled_back"] and told[0].codes_file == "codes.csv"
    assert done.result.new == [f"XX-{n:03d}" for n in range(OLD, OLD + NEW)]
    assert len(done.result.updated) == OLD and len(done.result.codes) == NEW  # recovered first: not reissued
    assert importjournal.open_import(table) is None and journal(table) == []
    assert_authenticates(table, "XX-001", old_codes["XX-001"])
    for pid, code in done.result.codes:
        assert_authenticates(table, pid, code)
    assert table.get("POINT#XX-003", "POINT")["status"] == "revoked"


def test_recover_rolls_back_and_then_the_import_succeeds(table, tmp_path: Path) -> None:
    seeded(table, tmp_path)
    before = registry(table)
    result, items = import_points(table, second_file(tmp_path), DISTRICTS, rng=random.Random(2), now=LATER)
    real = table.client
    table.client = Faulty(real, "transact_write_items", DROPPED, fail_on=(3,))
    table.client.update_item = Faulty(real, "update_item", DROPPED).update_item  # the roll-back cannot start
    with pytest.raises(ImportNotRolledBack):
        importjournal.apply(table, items, result.prior, import_id="x-2", now=LATER, source="second.csv",
                            codes_file="codes.csv")
    table.client = real
    recovery = importjournal.recover(table, LATER)
    assert recovery is not None and (recovery.import_id, recovery.outcome) == ("x-2", "rolled_back")
    assert registry(table) == before and journal(table) == []
    for pid, code in result.codes:
        assert_refused(table, pid, code)
    assert importjournal.recover(table, LATER) is None  # nothing left to do
    run_import(table, second_file(tmp_path), DISTRICTS, tmp_path / "codes.csv", rng=random.Random(3), now=LATER)
    assert len([i for i in registry(table) if i["sk"]["S"] == "POINT"]) == OLD + NEW


def test_successful_large_import_leaves_no_journal_and_a_committed_record(table, tmp_path: Path) -> None:
    seeded(table, tmp_path)
    done = run_import(table, second_file(tmp_path), DISTRICTS, tmp_path / "codes.csv", rng=random.Random(2),
                      now=LATER)
    assert importjournal.open_import(table) is None and journal(table) == []
    heads = importjournal.imports(table)
    assert [h["state"] for h in heads] == ["committed", "committed"]
    assert (heads[-1]["new"], heads[-1]["updated"], heads[-1]["source"]) == (NEW, OLD, "second.csv")
    assert table.get("POINT#XX-001", "POINT")["industry"] == "批发和零售业"
    lines = (tmp_path / "codes.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + NEW and not pending_codes(tmp_path / "codes.csv").exists()
    for pid, code in done.result.codes:
        assert codes.verify_code(code, table.get(f"POINT#{pid}", "POINT")["access_code_hash"])


def test_lost_answer_to_the_commit_counts_as_committed(table, tmp_path: Path) -> None:
    seeded(table, tmp_path)
    out = tmp_path / "codes.csv"
    real = table.client
    table.client = Faulty(real, "transact_write_items", DROPPED, after=True, fail_on=(4,))  # the commit
    run_import(table, second_file(tmp_path), DISTRICTS, out, rng=random.Random(2), now=LATER)
    table.client = real
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + NEW
    assert importjournal.imports(table)[-1]["state"] == "committed" and journal(table) == []


def test_a_point_changed_during_the_import_undoes_all_of_it(table, tmp_path: Path) -> None:
    seeded(table, tmp_path)
    small = write_csv(tmp_path / "small.csv", [row(1, industry="建筑业"), row(90)])
    result, items = import_points(table, small, DISTRICTS, rng=random.Random(2), now=LATER)
    table.update("POINT#XX-001", "POINT", {"status": "suspended"})  # staff, meanwhile
    before = registry(table)
    with pytest.raises(Conflict, match="监测点 XX-001 在导入期间被修改"):
        importjournal.apply(table, items, result.prior, import_id="x-3", now=LATER, source="small.csv",
                            codes_file="codes.csv")
    assert registry(table) == before and table.get("IMPORT#x-3", "IMPORT") is None
