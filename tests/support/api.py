"""The public app under test and the one error shape every endpoint answers with (STYLE habit 7)."""

from __future__ import annotations

import random
from typing import Any

from fastapi.testclient import TestClient

from enforcewatch.api import create_app
from enforcewatch.config import Settings
from support.paths import CONTENT, TEMPLATES
from support.submitting import NOW

ORIGIN = "https://site.example"


def public_client(table: Any, **kwargs: Any) -> TestClient:
    settings = Settings(table_name=table.name, site_origin=ORIGIN, content_dir=kwargs.pop("content_dir", CONTENT))
    app = create_app(settings, table, templates_dir=kwargs.pop("templates_dir", TEMPLATES), clock=lambda: NOW,
                     rng=random.Random(5))
    return TestClient(app, raise_server_exceptions=False)


def assert_error_shape(response: Any, status: int) -> dict[str, Any]:
    """Every error, on every endpoint: {"ok": false, "status": N, "errors": [{"loc": [...], "msg": "..."}]}."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["ok"] is False and body["status"] == status and body["errors"]
    for err in body["errors"]:
        assert set(err) == {"loc", "msg"} and isinstance(err["loc"], list) and err["msg"]
        assert "Traceback" not in err["msg"]
    return body
