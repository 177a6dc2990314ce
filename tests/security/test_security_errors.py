"""An unexpected error answers 500 in the one shape and leaves only its type and route in the logs.

Starlette re-raises an exception after its handler has answered, so the server (uvicorn locally,
Mangum in Lambda) would print the traceback, whose message may quote what was submitted.
"""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from enforcewatch.api import create_app
from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.config import Settings
from support.paths import CONTENT, TEMPLATES
from support.staff import write_content

SECRET = "投诉人张三身份证410702199001011234"


def _boom() -> None:
    raise RuntimeError(f"cannot store {SECRET}")


def _apps(table, tmp_path):
    settings = Settings(table_name=table.name, content_dir=CONTENT, token_secret="s" * 32)
    public = create_app(settings, table, templates_dir=TEMPLATES)
    staff_settings = settings.model_copy(update={"content_dir": write_content(tmp_path / "content")})
    staff = create_staff_app(staff_settings, table)
    public.add_api_route("/api/boom", _boom, methods=["POST"])
    staff.add_api_route("/api/staff/boom", _boom, methods=["POST"])
    return [(public, "/api/boom"), (staff, "/api/staff/boom")]


@pytest.mark.parametrize("which", [0, 1], ids=["public", "staff"])
def test_unexpected_error_is_answered_and_logged_without_its_message(moto_table, tmp_path, caplog, which) -> None:
    app, path = _apps(moto_table, tmp_path)[which]
    caplog.set_level(logging.DEBUG)
    # raise_server_exceptions=True: an exception escaping the app is what servers print with a traceback
    with TestClient(app, raise_server_exceptions=True) as client:
        response = client.post(path, json={"description": SECRET})
    assert response.status_code == 500
    body = response.json()
    assert body["ok"] is False and body["status"] == 500 and SECRET not in response.text
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "RuntimeError" in logged and path in logged
    assert SECRET not in logged and "Traceback" not in logged
