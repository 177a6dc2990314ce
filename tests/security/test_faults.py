"""Faults: the store stops, throttles or drops an answer mid-submission; a deadline check or an import
is interrupted. Nothing acknowledged is lost, nothing is stored twice, no false "received".

DynamoDB Local is started on a data dir of its own here, so it can be stopped and started again.
"""

from __future__ import annotations

import datetime as dt
import random
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError
from fastapi.testclient import TestClient

from enforcewatch.api import create_app
from enforcewatch.config import Settings
from enforcewatch.errors import StoreUnavailable
from enforcewatch.monitoring import flags
from enforcewatch.monitoring.duedates import WorkCalendar
from enforcewatch.monitoring.registry import District
from enforcewatch.store import schema
from enforcewatch.store.ddblocal import DynamoDBLocal
from enforcewatch.store.dynamo import DynamoTable
from support.faults import Faulty
from support.items import point_item
from support.paths import CONTENT, TEMPLATES
from support.submitting import NOW, add_point, complaint, report

pytestmark = pytest.mark.ddb_local
TYPED = "希望减少重复检查（这段文字在故障后仍应留在表单里）"


@pytest.fixture
def server(tmp_path, ddb_local_server):  # ddb_local_server: the same Java/jar check, and CI's no-skip rule
    own = DynamoDBLocal(tmp_path / "ddb")
    own.start()
    yield own
    own.stop()


def _table(server: DynamoDBLocal) -> DynamoTable:
    table = DynamoTable.from_settings(Settings(table_name="faults", dynamodb_endpoint=server.endpoint))
    table.ensure_exists()
    return table


def _client(table: DynamoTable) -> TestClient:
    settings = Settings(table_name=table.name, content_dir=CONTENT)
    app = create_app(settings, table, templates_dir=TEMPLATES, clock=lambda: NOW, rng=random.SystemRandom())
    return TestClient(app, raise_server_exceptions=True)


def _items(table: DynamoTable, prefix: str) -> list[dict]:
    out, kwargs = [], {"TableName": table.name}
    while True:
        page = table.client.scan(**kwargs)
        out += [i for i in page["Items"] if i["pk"]["S"].startswith(prefix) or i["sk"]["S"].startswith(prefix)]
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _report_form(code: str) -> str:
    data = report("XX-0001", code, suggestions=TYPED)
    pairs = [(k, str(v)) for k, v in data.items() if k not in ("inspections", "attest")] + [("attest", "1")]
    for field, value in data["inspections"][0].items():
        if not isinstance(value, list):
            pairs.append((f"inspections-0-{field}", str(value)))
    return urlencode(pairs)


def _assert_503(response) -> None:
    assert response.status_code == 503, response.text
    assert "receipt" not in response.text and '"seq"' not in response.text and "Traceback" not in response.text


def test_store_stopped_mid_run_answers_503_then_the_same_key_succeeds_once(server) -> None:
    table = _table(server)
    code = add_point(table)
    client = _client(table)
    assert client.post("/api/reports", json=report("XX-0001", code, month="2026-01", inspections=[])).status_code == 201

    server.stop()
    key_r, key_c = "report-key-0123456789", "complaint-key-0123456789"
    _assert_503(client.post("/api/reports", json=report("XX-0001", code), headers={"Idempotency-Key": key_r}))
    _assert_503(client.post("/api/complaints", json=complaint(), headers={"Idempotency-Key": key_c}))
    page = client.post("/api/reports", content=_report_form(code),
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    assert TYPED in page.text  # the form keeps what the user typed
    _assert_503(client.post("/api/receipts", json={"code": "AAAA-AAAA-AAAA-AAAA-AAAA"}))

    server.start()  # same port, same data dir
    first = client.post("/api/reports", json=report("XX-0001", code), headers={"Idempotency-Key": key_r})
    again = client.post("/api/reports", json=report("XX-0001", code), headers={"Idempotency-Key": key_r})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert len(_items(table, "REPORT#2026-02#")) == 1
    c1 = client.post("/api/complaints", json=complaint(), headers={"Idempotency-Key": key_c})
    c2 = client.post("/api/complaints", json=complaint(), headers={"Idempotency-Key": key_c})
    assert c1.status_code == c2.status_code == 201 and c1.json()["receipt"] == c2.json()["receipt"]
    assert len(_items(table, "COMPLAINT#")) == 1
    assert client.post("/api/receipts", json={"code": c1.json()["receipt"]}).json()["status"] == "收到"


THROTTLED = ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"},
                         "ResponseMetadata": {"HTTPStatusCode": 400}}, "TransactWriteItems")
DROPPED = ConnectionClosedError(endpoint_url="http://127.0.0.1")


@pytest.mark.parametrize(("error", "after"), [(THROTTLED, False), (DROPPED, False), (DROPPED, True)],
                         ids=["throttled", "connection-dropped", "answer-lost-after-write"])
@pytest.mark.parametrize("kind", ["report", "complaint"])
def test_fault_in_the_write_is_503_and_the_retry_stores_once(local_table, error, after, kind) -> None:
    code = add_point(local_table)
    real = local_table.client
    # a report is one transaction with its idempotency record; a complaint is one conditional put
    local_table.client = Faulty(real, "transact_write_items" if kind == "report" else "put_item", error, after)
    client = _client(local_table)
    path, body = ("/api/reports", report("XX-0001", code)) if kind == "report" else ("/api/complaints", complaint())
    headers = {"Idempotency-Key": f"{kind}-retry-key-0123456789"}
    _assert_503(client.post(path, json=body, headers=headers))
    first = client.post(path, json=body, headers=headers)
    again = client.post(path, json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    if kind == "complaint":  # the failed put, then one put per retry that returns the earlier item
        assert local_table.client.calls == 3
    local_table.client = real
    assert len(_items(local_table, "REPORT#" if kind == "report" else "COMPLAINT#")) == 1
    if kind == "complaint":
        assert client.post("/api/receipts", json={"code": first.json()["receipt"]}).status_code == 200


# -- the deadline check interrupted halfway ------------------------------------------------------------

def _point(table: DynamoTable, pid: str, district: str) -> None:
    table.put(point_item(pid, district, reporting_from="2026-01", designated_on="2025-12-29",
                         enterprise_name="示范企业有限公司"))


def _flags(table: DynamoTable, districts) -> list[tuple]:
    return sorted((i["point_id"], i["kind"], i["key"]) for d in districts
                  for i in table.query(f"FLAGS#{d}", index=schema.GSI2))


@pytest.mark.parametrize("after", [False, True], ids=["write-failed", "answer-lost-after-write"])
def test_deadline_check_interrupted_and_rerun_gives_the_same_flags_once(local_table, ddb_local_server,
                                                                        after) -> None:
    districts = ["chengguan", "dongshan"]
    reference = DynamoTable.from_settings(Settings(table_name=local_table.name + "ref",
                                                   dynamodb_endpoint=ddb_local_server.endpoint))
    reference.ensure_exists()
    for table in (local_table, reference):
        for n in range(6):
            _point(table, f"P{n}", districts[n % 2])  # no reports at all: overdue, then reminders
    as_of, now = dt.date(2026, 11, 23), dt.datetime(2026, 11, 23, 1, tzinfo=dt.UTC)
    flags.run(reference, districts, WorkCalendar(), as_of, now)
    expected = _flags(reference, districts)
    assert len(expected) > 6

    real = local_table.client
    assert len(expected) > 2 * 25  # more than one bulk write per district: the fault hits mid-district
    local_table.client = Faulty(real, "batch_write_item", DROPPED, after=after, fail_on=(2,))
    with pytest.raises(StoreUnavailable):
        flags.run(local_table, districts, WorkCalendar(), as_of, now)
    local_table.client = real
    assert 0 < len(_flags(local_table, districts)) < len(expected)
    flags.run(local_table, districts, WorkCalendar(), as_of, now)
    flags.run(local_table, districts, WorkCalendar(), as_of, now)
    assert _flags(local_table, districts) == expected  # the same flags, each once


# -- an import that fails while writing ----------------------------------------------------------------

class StopsServer(Faulty):
    """The real client, except that call number `on` of `op` first stops DynamoDB Local: the store goes
    away in the middle of the import and stays away for its roll-back too."""

    def __init__(self, client, server: DynamoDBLocal, op: str, on: int):
        super().__init__(client, op, error=None, fail_on=(on,))
        self._server = server

    def _fault(self, real, kwargs):
        self._server.stop()
        return real(**kwargs)


def test_store_stopped_mid_import_then_the_next_import_rolls_back_and_succeeds(server, tmp_path) -> None:
    from enforcewatch.monitoring import importjournal
    from enforcewatch.monitoring.registry import pending_codes, run_import
    from support.faults import scan
    from support.registry import row, write_csv

    table = _table(server)
    districts = [District("chengguan", "城关区")]
    run_import(table, write_csv(tmp_path / "first.csv", [row(n) for n in range(30)]), districts,
               tmp_path / "first-codes.csv", rng=random.Random(1), now=NOW)
    before = scan(table)
    path = write_csv(tmp_path / "points.csv", [row(n, industry="建筑业") for n in range(30)]
                     + [row(n) for n in range(30, 160)])
    out = tmp_path / "codes.csv"
    real = table.client
    table.client = StopsServer(real, server, "transact_write_items", on=3)  # after 99 of 160 rows
    with pytest.raises(importjournal.ImportNotRolledBack):
        run_import(table, path, districts, out, rng=random.Random(2), now=NOW)
    table.client = real
    server.start()  # same port, same data dir: the half-written import is still there, fenced
    assert importjournal.open_import(table) is not None and pending_codes(out).exists()
    pending_codes(out).unlink()
    done = run_import(table, path, districts, out, rng=random.Random(3), now=NOW)
    assert len(done.result.new) == 130 and len(done.result.codes) == 130
    heads = importjournal.imports(table)
    assert [h["state"] for h in heads] == ["committed", "rolled_back", "committed"]
    stored = [i for i in table.query("DISTRICT#chengguan", index=schema.GSI1)]
    assert len(stored) == 160 and {i["industry"] for i in stored[:30]} == {"建筑业"}
    assert [i for i in scan(table) if i["pk"]["S"] == "POINT#XX-000"] != [
        i for i in before if i["pk"]["S"] == "POINT#XX-000"]  # the update applied this time
