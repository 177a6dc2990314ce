"""Searching the index in parts finds what one bundle over the same pages finds, before and after
one item changes (the search page merges the parts with Pagefind's mergeIndex), in headless
Chromium through the search page itself. The first build is a full one, whose item pages went to
Pagefind while it rendered (searchstream.py); the rebuild indexes its two parts in the search step."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from enforcewatch.sitegen import search_index, searchparts, searchstream
from enforcewatch.sitegen.build import build_site

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "site" / "templates"
QUERIES = ("食品", "首违不罚", "安全生产", "营业执照", "道路运输", "行政处罚")  # one and several words (search.js)
NEW_NAME = "食品经营许可甲乙丙"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's signature
        pass


def _single_bundle(site: Path) -> None:
    """Replace the site's index in parts by one Pagefind bundle over the same pages (the old way)."""
    files = {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*.html")
             if "pagefind" not in p.relative_to(site).parts}
    shutil.rmtree(site / "pagefind")
    for rel, data in search_index.build_index(files).items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    (site / searchparts.LISTING).write_text(json.dumps({"parts": []}), encoding="utf-8")


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("parts-browser")
    shutil.copytree(ROOT / "site" / "content", tmp / "content")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(searchparts, "PAGES_PER_PART", 8)  # several parts per list
        handed: list[object] = []
        handover = searchstream.PartStream.handover
        mp.setattr(searchstream.PartStream, "handover", lambda stream, parts: handed.append(handover(stream, parts))
                   or handed[-1])
        build_site(tmp / "content", TEMPLATES, tmp / "before")
        assert handed and handed[0] is not None  # a full build: its parts were begun while it rendered
        shutil.copytree(tmp / "before", tmp / "single")
        _single_bundle(tmp / "single")
        shutil.copytree(tmp / "before", tmp / "after")
        items = tmp / "content" / "lists" / "enforcement-items.yaml"
        text = items.read_text(encoding="utf-8")
        items.write_text(text.replace("    name: 食品经营许可\n", f"    name: {NEW_NAME}\n", 1), encoding="utf-8")
        build_site(tmp / "content", TEMPLATES, tmp / "after")  # a rebuild: re-indexes two parts
    assert len(json.loads((tmp / "after" / searchparts.LISTING).read_text())["parts"]) > 6
    servers, urls = [], {}
    for name in ("before", "single", "after"):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(tmp / name)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        urls[name] = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield urls
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@pytest.fixture(scope="module")
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def _found(page, base: str, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    """Every result the search page lists for `query` (asking for more until it has shown all)."""
    page.goto(f"{base}/search/?q={quote(query)}", wait_until="load")
    page.wait_for_function("/结果|没有找到|不可用/.test(document.getElementById('search-status').textContent)")
    assert "不可用" not in page.inner_text("#search-status")
    while page.is_visible("button.search-more"):
        shown = page.locator("#search-results li").count()
        page.click("button.search-more")
        page.wait_for_function(f"document.querySelectorAll('#search-results li').length > {shown}")
    return set(page.eval_on_selector_all("#search-results a", "els => els.map(e => e.getAttribute('href'))"))


@pytest.mark.parametrize("query", QUERIES)
def test_parts_find_what_one_bundle_finds_before_and_after_a_change(sites: dict[str, str], page, query: str) -> None:  # type: ignore[no-untyped-def]
    before = _found(page, sites["before"], query)
    assert before, query
    assert before == _found(page, sites["single"], query)
    assert before == _found(page, sites["after"], query)


def test_the_changed_item_is_found_by_its_new_name_after_the_rebuild(sites: dict[str, str], page) -> None:  # type: ignore[no-untyped-def]
    assert _found(page, sites["before"], "甲乙丙") == set()
    assert "/enforcement-items/scjg-xk-001/" in _found(page, sites["after"], "甲乙丙")
