"""Leaks: nothing from the registry or from submissions reaches the built site or the logs.

The store is filled through the real paths (registry import, the public API, the staff API) with
strings that occur nowhere else; then the site is built (with the store's address in the
environment, so a build that started reading the store would find it) and every byte of the output
is searched, compressed search-index fragments included. The logs of the whole flow, at DEBUG, are
searched for the same strings and for every access code, receipt code and password.
"""

from __future__ import annotations

import datetime as dt
import gzip
import logging
import random
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from enforcewatch.api import create_app
from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import ENV_DDB_ENDPOINT, ENV_TABLE, Settings
from enforcewatch.monitoring.duedates import calendar_hook
from enforcewatch.monitoring.registry import District, import_points
from enforcewatch.sitegen.build import build_site
from enforcewatch.staff.accounts import Accounts
from enforcewatch.uscc import check_character
from support.paths import ROOT
from support.submitting import complaint, inspection, report

pytestmark = pytest.mark.ddb_local
NOW = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)
PASSWORD = "leak-test-password-Zq81"
CONTENT, TEMPLATES = ROOT / "site" / "content", ROOT / "site" / "templates"
SDK_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")  # their DEBUG is the wire: never on in service
CLIENT_LOGGERS = ("httpx", "httpcore")  # the test's own HTTP client, not the system


def _uscc(n: int) -> str:
    first17 = f"91410700MA{n + 7300000:07d}"
    return first17 + check_character(first17)


RECEIPT_SECRET = "leak-receipt-secret-0123456789abcdefghij"
IDEMPOTENCY_KEYS = ("leak-idempotency-key-0001", "leak-idempotency-key-0002")  # the third complaint has none


def _secrets_filled(table, tmp_path: Path) -> tuple[list[str], list[str]]:
    """Fill the store; returns (distinctive strings, codes and passwords)."""
    districts = [District("weibin", "卫滨区")]
    csv_path = tmp_path / "points.csv"
    names = [f"泄露测试{n}号甄别科技有限公司" for n in range(3)]
    rows = ["point_id,enterprise_name,uscc,district,industry,designated_on,reporting_from"]
    rows += [f"QLEAK-{n},{names[n]},{_uscc(n)},卫滨区,制造业,2025-12-29,2026-01" for n in range(3)]
    csv_path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result, items = import_points(table, csv_path, districts, rng=random.Random(3), now=NOW)
    table.batch_put(items)
    access = dict(result.codes)

    settings = Settings(table_name=table.name, content_dir=CONTENT, token_secret="k" * 40,
                        receipt_secret=RECEIPT_SECRET)
    public = TestClient(create_app(settings, table, templates_dir=TEMPLATES, clock=lambda: NOW,
                                   rng=random.Random(9)))
    texts = list(names) + [_uscc(n) for n in range(3)]
    receipts = []
    for n in range(3):
        free = [f"甄别建议文本{n}号绝不应公开", f"甄别检查事项{n}号", f"甄别联系人{n}", f"甄别执法单位{n}号"]
        texts += free
        body = report(f"QLEAK-{n}", access[f"QLEAK-{n}"], suggestions=free[0], contact_name=free[2],
                      inspections=[inspection(items_checked=free[1], agency=free[3])])
        assert public.post("/api/reports", json=body).status_code == 201
        assert public.post("/api/reports", json={**body, "access_code": "WRONG-CODE"}).status_code == 401
        desc = f"甄别投诉描述{n}号：同一事项被反复检查，内容不应出现在任何公开页面"
        person = f"甄别投诉人{n}"
        texts += [desc, person]
        keyed = {"Idempotency-Key": IDEMPOTENCY_KEYS[n]} if n < len(IDEMPOTENCY_KEYS) else {}
        r = public.post("/api/complaints", json=complaint(description=desc, name=person, uscc=_uscc(10 + n),
                                                          phone=f"1390000{n:04d}"), headers=keyed)
        assert r.status_code == 201
        receipts.append(r.json()["receipt"])
        assert public.post("/api/receipts", json={"code": receipts[-1]}).status_code == 200
        assert public.get(f"/api/receipts/{receipts[-1]}").status_code == 200

    Accounts(table).add("leakcity", "office", None, PASSWORD, NOW)
    staff_settings = settings.model_copy(update={"content_dir": CONTENT})
    staff = TestClient(create_staff_app(staff_settings, table, clock=lambda: NOW, rng=random.Random(4)))
    assert staff.post("/api/staff/login", json={"username": "leakcity", "password": "wrong-" + PASSWORD}).status_code == 401
    login = staff.post("/api/staff/login", json={"username": "leakcity", "password": PASSWORD})
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    listed = staff.get("/api/staff/complaints?from=2026-03&to=2026-03", headers=auth).json()["complaints"]
    assert len(listed) == 3 and not any({"receipt_hash", "fingerprint"} & set(c) for c in listed)
    reply = "甄别答复文本：已责成整改"
    texts.append(reply)
    for c in listed:
        r = staff.post(f"/api/staff/complaints/{c['complaint_id']}/reply", headers=auth,
                       json={"status": "已办结", "reply": reply})
        assert r.status_code == 200, r.text
    assert staff.get("/api/staff/submissions?kind=report&format=csv&from=2026-02&to=2026-02", headers=auth).status_code == 200
    codes = [*access.values(), *receipts, PASSWORD, "wrong-" + PASSWORD, login.json()["token"],
             *IDEMPOTENCY_KEYS, RECEIPT_SECRET]  # a key with the secret gives its receipt code
    return texts, codes


def _readable(path: Path) -> str:
    data = path.read_bytes()
    for unpack in (gzip.decompress, zlib.decompress):
        try:
            data += b"\n" + unpack(data)
            break
        except (OSError, zlib.error, EOFError):
            continue
    return data.decode("utf-8", errors="replace")


def test_built_site_and_logs_hold_nothing_confidential(local_table, tmp_path, monkeypatch, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(ENV_DDB_ENDPOINT, local_table.client.meta.endpoint_url)
    monkeypatch.setenv(ENV_TABLE, local_table.name)
    texts, codes = _secrets_filled(local_table, tmp_path)
    # the store really holds the texts (so the search below could find them)
    scan = str(local_table.client.scan(TableName=local_table.name)["Items"])
    assert all(t in scan for t in texts)
    # ... and no code, no idempotency key and not the receipt secret, only hashes
    assert [c for c in codes if c in scan or c.replace("-", "") in scan] == []

    out = tmp_path / "_site"
    build_site(CONTENT, TEMPLATES, out, hooks=(calendar_hook(CONTENT, dt.date(2026, 3, 3)),))
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) > 20
    found = [(str(p.relative_to(out)), s) for p in files for s in [*texts, *codes] if s in _readable(p)]
    assert found == []

    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records
        if not r.name.startswith(CLIENT_LOGGERS) and (r.levelno >= logging.INFO or not r.name.startswith(SDK_LOGGERS)))
    assert logged.strip()  # the flow did log: the search below is not vacuous
    leaked = [s for s in [*texts, *codes] if s in logged]
    assert leaked == []
