"""functions/submit_report/app.py as Lambda runs it: loaded by path, fed API Gateway HTTP API v2 events."""

from __future__ import annotations

import base64
import copy
import importlib.util
import json
import sys
from pathlib import Path

import pytest

from enforcewatch import codes
from enforcewatch.config import ENV_RECEIPT_SECRET, ENV_SITE_ORIGIN, ENV_TABLE
from enforcewatch.store.dynamo import DynamoTable
from support.lambda_context import context_for

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "events"
CODE = "ABCD-EFGH-JKMN-PQRS-TVWX"


CONTEXT = context_for("submit_report", memory=512, request_id="0f3c7f1e-0000-4000-8000-000000000000")


def load_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


@pytest.fixture
def function(monkeypatch, tmp_path):
    """The function module imported at cold start, against moto (the client is created at import)."""
    from moto import mock_aws

    with mock_aws():
        monkeypatch.setenv(ENV_TABLE, "ew-handler")
        monkeypatch.setenv(ENV_SITE_ORIGIN, "https://site.example")
        monkeypatch.setenv(ENV_RECEIPT_SECRET, "handler-receipt-secret-0123456789abcdef")
        monkeypatch.chdir(tmp_path)  # no site/ here: form posts get the bare page
        spec = importlib.util.spec_from_file_location("submit_report_app", ROOT / "functions/submit_report/app.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.app.state.table.ensure_exists()
        yield module
    sys.modules.pop("submit_report_app", None)


def _body(response: dict) -> dict:
    raw = response["body"]
    if response.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode()
    return json.loads(raw)


def test_cold_start_without_a_receipt_secret_fails(monkeypatch, tmp_path):
    """A per-container secret would give a retry served by another container a new code: a duplicate."""
    monkeypatch.delenv(ENV_RECEIPT_SECRET, raising=False)
    monkeypatch.chdir(tmp_path)
    spec = importlib.util.spec_from_file_location("submit_report_app", ROOT / "functions/submit_report/app.py")
    with pytest.raises(RuntimeError, match=ENV_RECEIPT_SECRET):
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    sys.modules.pop("submit_report_app", None)


def test_handler_is_mangum_with_lifespan_off(function):
    from mangum import Mangum

    assert isinstance(function.handler, Mangum) and function.handler.lifespan == "off"
    assert isinstance(function.app.state.table, DynamoTable)


def test_health(function):
    out = function.handler(load_event("apigw_v2_get_health.json"), CONTEXT)
    assert out["statusCode"] == 200 and _body(out) == {"ok": True}


def test_complaint_then_receipt_and_retry_is_stored_once(function):
    event = load_event("apigw_v2_post_complaint.json")
    first = function.handler(event, CONTEXT)
    assert first["statusCode"] == 201
    again = function.handler(copy.deepcopy(event), CONTEXT)
    assert _body(again) == _body(first)
    code = _body(first)["receipt"]
    look = load_event("apigw_v2_get_receipt.json")
    look["rawPath"] = look["requestContext"]["http"]["path"] = f"/api/receipts/{code}"
    out = function.handler(look, CONTEXT)
    assert out["statusCode"] == 200 and _body(out)["status"] == "收到"
    table = function.app.state.table
    assert len(list(table.query("COMPLAINTS", index="gsi2"))) == 1


def test_unknown_receipt_is_404_in_the_error_shape(function):
    out = function.handler(load_event("apigw_v2_get_receipt.json"), CONTEXT)
    body = _body(out)
    assert out["statusCode"] == 404 and body["ok"] is False and body["status"] == 404 and body["errors"]


def test_base64_form_post_gets_html(function):
    out = function.handler(load_event("apigw_v2_post_complaint_form.json"), CONTEXT)
    body = base64.b64decode(out["body"]).decode() if out.get("isBase64Encoded") else out["body"]
    assert out["statusCode"] == 200 and out["headers"]["content-type"].startswith("text/html")
    assert "回执码" in body


def test_report_authenticated_by_code(function):
    table = function.app.state.table
    event = load_event("apigw_v2_post_report.json")
    assert function.handler(copy.deepcopy(event), CONTEXT)["statusCode"] == 401
    table.put({"pk": "POINT#XX-0001", "sk": "POINT", "point_id": "XX-0001", "district": "weibin", "status": "active",
               "access_code_hash": codes.hash_code(CODE)})
    out = function.handler(event, CONTEXT)
    assert out["statusCode"] == 201 and _body(out)["month"] == "2026-02"


def test_cors_preflight_for_site_origin(function):
    event = load_event("apigw_v2_get_health.json")
    event["requestContext"]["http"]["method"] = "OPTIONS"
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/complaints"
    event["headers"].update({"origin": "https://site.example", "access-control-request-method": "POST"})
    out = function.handler(event, CONTEXT)
    assert out["headers"]["access-control-allow-origin"] == "https://site.example"
