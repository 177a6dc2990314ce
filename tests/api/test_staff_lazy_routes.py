"""The staff app's lazy route groups (enforcewatch.api.staff.lazy): loaded by their first request only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from enforcewatch.api.staff.app import create_staff_app
from enforcewatch.api.staff.lazy import LazyRoutes
from enforcewatch.config import Settings
from support.staff import write_content


def test_a_group_loads_on_its_first_request_and_answers_like_an_included_router(moto_table, tmp_path) -> None:
    settings = Settings(token_secret="s" * 40, content_dir=write_content(tmp_path / "content"))
    app = create_staff_app(settings, moto_table)
    lazy = {r.module: r for r in app.router.routes if isinstance(r, LazyRoutes)}
    assert set(lazy) == {"enforcewatch.api.staff.casework", "enforcewatch.api.staff.insights",
                         "enforcewatch.api.staff.draws", "enforcewatch.api.staff.plans", "enforcewatch.api.staff.channel",
                         "enforcewatch.api.staff.plan_pages", "enforcewatch.api.staff.draw_pages",
                         "enforcewatch.api.staff.channel_pages"}
    client = TestClient(app)
    assert client.get("/staff/no-such-page").status_code == 404
    assert not any(r.loaded for r in lazy.values())  # a path outside every group loads none
    assert client.delete("/api/staff/draws").status_code == 405  # a route of the group, wrong method
    assert lazy["enforcewatch.api.staff.draws"].loaded and not lazy["enforcewatch.api.staff.plans"].loaded
    assert client.get("/api/staff/draws").status_code == 401  # the route itself, behind the sign-in gate
    assert app.url_path_for("list_draws") == "/api/staff/draws"  # by name, as an included route
