"""functions/staff_api/app.py as Lambda runs it: loaded by path, fed API Gateway HTTP API v2 events."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from enforcewatch.api.staff.http import SESSION_COOKIE
from enforcewatch.config import ENV_TABLE, ENV_TOKEN_SECRET
from enforcewatch.staff.accounts import Accounts
from support.lambda_context import context_for

ROOT = Path(__file__).resolve().parents[2]
BASE_EVENT = json.loads((ROOT / "tests/events/apigw_v2_get_health.json").read_text(encoding="utf-8"))


CONTEXT = context_for("staff_api")


def event(method: str, path: str, body: dict | None = None, headers: dict | None = None) -> dict:
    e = copy.deepcopy(BASE_EVENT)
    e["rawPath"] = e["requestContext"]["http"]["path"] = path
    e["requestContext"]["http"]["method"] = method
    e["headers"].update(headers or {})
    if body is not None:
        e["headers"]["content-type"] = "application/json"
        e["body"] = json.dumps(body)
    return e


def load(monkeypatch):
    spec = importlib.util.spec_from_file_location("staff_api_app", ROOT / "functions/staff_api/app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def function(monkeypatch):
    from moto import mock_aws

    with mock_aws():
        monkeypatch.setenv(ENV_TABLE, "ew-staff-handler")
        monkeypatch.setenv(ENV_TOKEN_SECRET, "k" * 40)
        monkeypatch.chdir(ROOT)  # the package carries site/content and site/templates
        module = load(monkeypatch)
        table = module.handler.app.state.staff.table
        table.ensure_exists()
        Accounts(table).add("city", "office", None, "correct horse battery", datetime.now(UTC))
        yield module
    sys.modules.pop("staff_api_app", None)


def test_sign_in_and_me_through_the_handler(function) -> None:
    out = function.handler(event("POST", "/api/staff/login", {"username": "city", "password": "correct horse battery"}),
                           CONTEXT)
    assert out["statusCode"] == 200
    token = json.loads(out["body"])["token"]
    assert any("Secure" in c and "HttpOnly" in c for c in out.get("cookies", []))  # https behind API Gateway
    me = function.handler(event("GET", "/api/staff/me", headers={"authorization": f"Bearer {token}"}), CONTEXT)
    assert me["statusCode"] == 200 and json.loads(me["body"])["role"] == "office"
    denied = function.handler(event("GET", "/api/staff/me"), CONTEXT)
    assert denied["statusCode"] == 401 and json.loads(denied["body"])["ok"] is False


def test_refuses_to_start_without_a_secret(monkeypatch) -> None:
    monkeypatch.delenv(ENV_TOKEN_SECRET, raising=False)
    with pytest.raises(RuntimeError, match=ENV_TOKEN_SECRET):
        load(monkeypatch)


def _routed(path: str, route: str) -> dict:
    """An HTTP API event as API Gateway sends it for the template's route `route` (ANY)."""
    e = event("GET", path)
    e["routeKey"] = e["requestContext"]["routeKey"] = f"ANY {route}"
    rest = path.removeprefix("/staff").strip("/")
    if route.endswith("{proxy+}"):
        e["pathParameters"] = {"proxy": rest}
    return e


@pytest.mark.parametrize("path", ["/staff/", "/staff"])
def test_the_workspace_root_reaches_the_workspace_through_the_handler(function, path) -> None:
    """Issue 16: `/staff/` itself (an empty {proxy+}, so the template's `/staff` route) is the workspace."""
    out = function.handler(_routed(path, "/staff"), CONTEXT)
    if path == "/staff":  # the app sends the bare path on to the workspace's own address
        assert out["statusCode"] in (307, 308) and out["headers"]["location"].endswith("/staff/")
        out = function.handler(_routed("/staff/", "/staff"), CONTEXT)
    assert out["statusCode"] == 303 and out["headers"]["location"] == "/staff/sign-in?next=/staff/"
    signed = function.handler(event("POST", "/api/staff/login", {"username": "city", "password": "correct horse battery"}),
                              CONTEXT)
    session = next(c.split(";", 1)[0] for c in signed["cookies"] if c.startswith(f"{SESSION_COOKIE}="))
    page = function.handler({**_routed("/staff/", "/staff"), "cookies": [session]}, CONTEXT)
    assert page["statusCode"] == 200 and "工作概况" in page["body"] and "<h1" in page["body"]
    deeper = function.handler({**_routed("/staff/points", "/staff/{proxy+}"), "cookies": [session]}, CONTEXT)
    assert deeper["statusCode"] == 200 and "监测点名单" in deeper["body"]
