"""XSS probes in every free-text field, rendered back: the re-rendered no-JS forms, the receipt page
with the office's reply, and the staff page's script. Everything must come back as inert text."""

from __future__ import annotations

import random
import re
from urllib.parse import urlencode

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from enforcewatch.api import create_app
from enforcewatch.api.public.forms import COMPLAINT_TEXT, INSPECTION_FIELDS
from enforcewatch.config import Settings
from support.paths import CONTENT, ROOT, TEMPLATES
from support.submitting import NOW, add_point, complaint

PAYLOADS = ['<script>alert("x1")</script>', '"><img src=x onerror=alert("x2")>', "'><svg onload=alert('x3')>",
            "javascript:alert('x4')", "{{ 7*7 }}{% raw %}", "</textarea><script>alert('x6')</script>"]
FORM = {"content-type": "application/x-www-form-urlencoded"}


def assert_inert(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        for attr, value in tag.attrs.items():
            assert not attr.lower().startswith("on"), f"<{tag.name} {attr}=…>"
            values = value if isinstance(value, list) else [value]
            if attr in ("href", "src", "action", "formaction"):
                assert not any(str(v).strip().lower().startswith("javascript:") for v in values)
        if tag.name in ("img", "svg", "iframe", "object", "embed"):
            assert tag.get("src") != "x"
    assert not any("alert(" in s.get_text() for s in soup.find_all("script"))
    assert "49" not in re.findall(r"\d+", soup.get_text()) or "{{ 7*7 }}" in soup.get_text()


@pytest.fixture
def client(moto_table) -> TestClient:
    settings = Settings(table_name=moto_table.name, content_dir=CONTENT)
    return TestClient(create_app(settings, moto_table, templates_dir=TEMPLATES, clock=lambda: NOW,
                                 rng=random.Random(2)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_report_form_rerendered_with_probes_in_every_text_field(client, moto_table, payload) -> None:
    code = add_point(moto_table)
    pairs = [("point_id", "XX-0001"), ("access_code", code), ("month", "2026-13"), ("suggestions", payload),
             ("contact_name", payload), ("contact_phone", payload)]
    pairs += [(f"inspections-0-{f}", payload) for f in sorted(INSPECTION_FIELDS)]
    r = client.post("/api/reports", content=urlencode(pairs), headers=FORM)
    assert r.status_code == 422 and "text/html" in r.headers["content-type"]
    assert_inert(r.text)
    assert payload in BeautifulSoup(r.text, "html.parser").get_text() or any(
        payload == el.get("value") for el in BeautifulSoup(r.text, "html.parser").find_all("input"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_complaint_form_rerendered_with_probes_in_every_text_field(client, payload) -> None:
    pairs = [(name, payload) for name in COMPLAINT_TEXT]
    r = client.post("/api/complaints", content=urlencode(pairs), headers=FORM)
    assert r.status_code == 422 and "text/html" in r.headers["content-type"]
    assert_inert(r.text)
    soup = BeautifulSoup(r.text, "html.parser")
    assert payload in soup.get_text() or any(payload == el.get("value") for el in soup.find_all("input"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_receipt_page_shows_a_hostile_reply_as_text(client, moto_table, payload) -> None:
    receipt = client.post("/api/complaints", json=complaint(description=f"描述：{payload}" * 2)).json()["receipt"]
    item = next(i for i in moto_table.client.scan(TableName=moto_table.name)["Items"] if i["sk"]["S"] == "COMPLAINT")
    moto_table.update(item["pk"]["S"], "COMPLAINT", {"status": payload, "reply": payload})
    r = client.post("/api/receipts", content=urlencode({"code": receipt}), headers=FORM)
    assert r.status_code == 200
    assert_inert(r.text)
    assert payload in BeautifulSoup(r.text, "html.parser").get_text()
    assert client.post("/api/receipts", json={"code": receipt}).headers["content-type"].startswith("application/json")


def test_staff_page_script_never_writes_html() -> None:
    script = (ROOT / "site" / "templates" / "staff" / "staff.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in script, sink
    assert "textContent" in script
