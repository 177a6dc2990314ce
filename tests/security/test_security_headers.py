"""What the local server and the public API send around their answers (issue 19 §4, §8, §11): the
real peer's address for the guessing limits, security headers on pages and no-JS answers, no Host
header in redirects, and a staff sign-in form that can never put the password in a URL."""

from __future__ import annotations

import random
import socket
import threading
import time
from html.parser import HTMLParser

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from enforcewatch.api.headers import CSP, SITE_HEADERS
from enforcewatch.config import Settings
from enforcewatch.local import make_app, server_config
from support.paths import TEMPLATES
from support.staff import PASSWORD, SECRET, seed, write_content
from support.submitting import complaint


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_takes_the_client_address_from_the_peer_not_from_forwarded_headers() -> None:
    seen: list[object] = []

    async def echo(scope, receive, send) -> None:
        seen.append(scope.get("client"))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    port = free_port()
    server = uvicorn.Server(server_config(echo, "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        for forged in ("203.0.113.9", "198.51.100.1, 203.0.113.9"):
            r = httpx.get(f"http://127.0.0.1:{port}/", headers={"X-Forwarded-For": forged,
                                                                 "X-Forwarded-Proto": "https"})
            assert r.status_code == 200
        assert [c[0] for c in seen] == ["127.0.0.1", "127.0.0.1"]
        assert "server" not in r.headers
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def origin(moto_table, tmp_path) -> TestClient:
    site = tmp_path / "_site"
    (site / "guide").mkdir(parents=True)
    (site / "index.html").write_text("<!doctype html><title>首页</title>", encoding="utf-8")
    (site / "404.html").write_text("<!doctype html><title>未找到</title>", encoding="utf-8")
    (site / "guide" / "index.html").write_text("<!doctype html><title>指南</title>", encoding="utf-8")
    settings = Settings(table_name=moto_table.name, content_dir=TEMPLATES.parent / "content", token_secret=SECRET)
    return TestClient(make_app(settings, moto_table, site, TEMPLATES), raise_server_exceptions=False)


def assert_security_headers(r) -> None:
    for name, value in SITE_HEADERS.items():
        assert r.headers.get(name) == value, (name, r.headers)
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_site_pages_and_no_js_answers_carry_security_headers(origin: TestClient) -> None:
    assert_security_headers(origin.get("/"))
    assert_security_headers(origin.get("/guide/"))
    assert_security_headers(origin.get("/missing/"))
    form = {k: ("1" if v is True else str(v)) for k, v in complaint().items() if v is not False}
    answer = origin.post("/api/complaints", data=form)
    assert answer.headers["content-type"].startswith("text/html")
    assert_security_headers(answer)
    refused = origin.post("/api/complaints", data={**form, "description": "太短"})
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("text/html")
    assert_security_headers(refused)
    assert_security_headers(origin.post("/api/receipts", json={"code": "x"}))


def test_redirects_never_reflect_the_host_header(origin: TestClient) -> None:
    r = origin.get("/guide", headers={"Host": "evil.example"}, follow_redirects=False)
    assert r.status_code in (301, 302, 307, 308)
    assert r.headers["location"] == "/guide/"
    r = origin.get("//evil.example/guide", follow_redirects=False)
    assert "evil.example" not in r.headers.get("location", "")


class Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "form":
            a = dict(attrs)
            self.forms[a.get("id") or ""] = a


def test_staff_sign_in_form_posts_and_credentials_in_a_query_string_are_ignored(moto_table, tmp_path) -> None:
    seed(moto_table)
    settings = Settings(token_secret=SECRET, content_dir=write_content(tmp_path / "content"))
    from enforcewatch.api.staff.app import create_staff_app

    client = TestClient(create_staff_app(settings, moto_table, rng=random.Random(1)))
    page = client.get("/staff/tools/")  # the older scripted page keeps its sign-in form
    parser = Forms()
    parser.feed(page.text)
    assert (parser.forms["login-form"].get("method") or "").lower() == "post"
    sign_in = client.get("/staff/sign-in")  # the workspace's sign-in page (no script at all)
    assert sign_in.status_code == 200 and 'method="post" action="/staff/sign-in"' in sign_in.text
    # what a browser without the page's script would have sent before: nothing signs in from a URL
    r = client.get(f"/staff/?username=city&password={PASSWORD}")
    assert "set-cookie" not in r.headers
    r = client.post(f"/api/staff/login?username=city&password={PASSWORD}")
    assert r.status_code == 422 and "set-cookie" not in r.headers
    assert r.headers["content-security-policy"] if r.request.url.path.startswith("/staff/") else True


def test_the_csp_allows_nothing_from_elsewhere() -> None:
    assert "*" not in CSP and "http" not in CSP
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP  # only WebAssembly may compile
