"""The 抽查 pages (api/staff/draw_pages.py) over HTTP on moto: a draw's whole workflow from its page —
commitments, the announcement, reveals (refused before the scheduled time, with the reason on the
page), the draw, the published record — each step audited as through the API; office only."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import Settings
from enforcewatch.draws import tasks, verify
from enforcewatch.draws.hashing import commitment
from enforcewatch.staff import audit
from enforcewatch.staff.accounts import Accounts
from support.draws import uscc
from support.staff import PASSWORD, SECRET, page_session, write_content

SCHEDULED = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 Beijing time
RATIOS = {"base": 300, "A": 100, "B": 300, "C": 1000, "D": 3000}
SECRETS = {"agency": "a1" * 32, "justice": "b2" * 32}


class Clock:
    now = SCHEDULED - dt.timedelta(minutes=10)  # within one 30-minute session

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(moto_table: Any, tmp_path: Path, clock: Clock) -> TestClient:
    accounts = Accounts(moto_table)
    accounts.add("city", "office", None, PASSWORD, clock.now)
    accounts.add("hongqi", "district", "hongqi", PASSWORD, clock.now)
    spec = {"id": "d-1", "title": "营业执照使用情况抽查", "item_id": "scjg-cc-001", "agency": "示范市市场监督管理局",
            "scheduled_at": "2026-11-20T10:00:00+08:00", "team_size": 2,
            "inspectors": [f"ZF-{i:02d}" for i in range(1, 7)], "parties": ["agency", "justice"],
            "candidates": [{"uscc": uscc(i), "credit_class": "ABCD"[i % 4]} for i in range(1, 81)]}
    tasks.open_task(moto_table, spec, RATIOS, "营业执照（登记证）规范使用情况的检查", "city", clock.now, random.Random(2))
    settings = Settings(token_secret=SECRET, content_dir=write_content(tmp_path / "content"))
    return TestClient(create_staff_app(settings, moto_table, clock=clock, rng=random.Random(4)))


def test_a_draw_goes_through_its_workflow_from_its_page(client: TestClient, moto_table: Any, clock: Clock) -> None:
    csrf = page_session(client, "city")
    listed = client.get("/staff/draws").text
    assert "营业执照使用情况抽查" in listed and "收集承诺中" in listed and "2026-11-20 10:00" in listed
    page = client.get("/staff/draws/d-1").text
    assert "记录承诺" in page and uscc(1) not in page  # the candidates' names never shown
    r = client.post("/staff/draws/d-1/commitments", data={"csrf": csrf, "party": "agency", "commitment": "xyz"})
    assert "未能记录承诺" in r.text and "64 位十六进制" in r.text
    for party in ("agency", "justice"):
        r = client.post("/staff/draws/d-1/commitments",
                        data={"csrf": csrf, "party": party, "commitment": commitment("d-1", party, SECRETS[party])})
        assert "已记录承诺" in r.text
    assert "已公告，待揭示" in r.text and "记录秘密" in r.text
    announced = client.post("/staff/draws/d-1/publish", data={"csrf": csrf})
    assert announced.headers["content-disposition"] == 'attachment; filename="d-1.json"'
    assert json.loads(announced.text)["status"] == "announced"
    r = client.post("/staff/draws/d-1/reveals", data={"csrf": csrf, "party": "agency", "secret": SECRETS["agency"]})
    assert "未能记录揭示的秘密" in r.text and "未到抽取时间" in r.text
    clock.now = SCHEDULED
    for party in ("agency", "justice"):
        r = client.post("/staff/draws/d-1/reveals", data={"csrf": csrf, "party": party, "secret": SECRETS[party]})
        assert "已记录揭示的秘密" in r.text
    r = client.post("/staff/draws/d-1/run", data={"csrf": csrf})
    assert "已完成抽取" in r.text and "已抽取" in r.text
    published = client.post("/staff/draws/d-1/publish", data={"csrf": csrf})
    assert verify.check(verify.parse(published.text), published_ratios=RATIOS) == []
    assert tasks.get(moto_table, "d-1")["state"] == "published"
    actions = [(e["action"], e["outcome"]) for e in audit.entries(moto_table, "2026-11", "2026-11")]
    assert ("draws.commit", "refused") in actions and ("draws.reveal", "refused") in actions
    assert actions.count(("draws.commit", "ok")) == 2 and ("draws.run", "ok") in actions
    assert ("draws.publish", "ok") in actions


def test_a_district_account_has_no_draw_pages(client: TestClient, moto_table: Any) -> None:
    csrf = page_session(client, "hongqi")
    assert client.get("/staff/draws").status_code == 403
    assert "/staff/draws" not in client.get("/staff/").text
    r = client.post("/staff/draws/d-1/commitments", data={"csrf": csrf, "party": "agency",
                                                           "commitment": commitment("d-1", "agency", SECRETS["agency"])})
    assert r.status_code == 403 and tasks.get(moto_table, "d-1")["commitments"] == {}
