"""The search index step: which pages Pagefind covers, that Chinese text is segmented into words,
and that the search page works without JavaScript (it offers the lists and the downloads)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from enforcewatch.sitegen.build import build_site
from enforcewatch.sitegen.search_index import indexed_pages

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-min"
TEMPLATES = ROOT / "site" / "templates"


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "_site"
    result = build_site(FIXTURE, TEMPLATES, out)
    assert result.search_pages > 0
    return out


def _fragments(out: Path) -> list[dict]:
    """Every indexed page's stored text, from the primary bundle and each part the search page merges."""
    bundles = [out / "pagefind"] + [out / p.strip("/") for p in
                                    json.loads((out / "pagefind" / "parts.json").read_text())["parts"]]
    docs = []
    for bundle in bundles:
        for path in sorted((bundle / "fragment").iterdir()):
            raw = gzip.decompress(path.read_bytes())
            assert raw.startswith(b"pagefind_dcd")
            docs.append(json.loads(raw[len(b"pagefind_dcd"):]))
    return docs


def test_indexed_pages_leave_out_noise() -> None:
    files = {rel: b"" for rel in (
        "index.html", "404.html", "search/index.html", "leniency/index.html", "leniency/x-1/index.html",
        "leniency/department/scjg/index.html", "staff/index.html", "data/leniency.json", "pagefind/a.html")}
    assert indexed_pages(files) == ["index.html", "leniency/index.html", "leniency/x-1/index.html"]


def test_every_item_page_is_in_the_index_and_nothing_else(mini: Path) -> None:
    urls = {doc["url"] for doc in _fragments(mini)}
    built = {"/" + p.relative_to(mini).as_posix().removesuffix("index.html")
             for p in mini.rglob("*.html") if "pagefind" not in p.parts}
    assert "/enforcement-items/scjg-xk-001/" in urls
    assert "/about/" in urls
    assert urls <= built
    assert not any("/department/" in u or u in ("/404.html", "/search/") for u in urls)


def test_chinese_text_is_segmented_into_words(mini: Path) -> None:
    # The extended Pagefind binary separates Chinese words (zero-width spaces in the stored text);
    # the standard one would index a whole run of Chinese characters as one word.
    item = next(d for d in _fragments(mini) if d["url"] == "/enforcement-items/scjg-xk-001/")
    assert "\u200b" in item["content"]
    assert item["meta"]["title"]


def test_index_covers_the_main_content_only(mini: Path) -> None:
    # data-pagefind-body on <main>: the header, navigation and footer are not indexed on every page.
    item = next(d for d in _fragments(mini) if d["url"] == "/enforcement-items/scjg-xk-001/")
    assert "主办单位" not in item["content"].replace("\u200b", "")


def test_search_page_without_javascript_offers_lists_and_downloads(mini: Path) -> None:
    page = BeautifulSoup((mini / "search" / "index.html").read_text(encoding="utf-8"), "html.parser")
    form = page.select_one("#search-form")
    assert form["action"] == "/search/" and form["method"] == "get"
    assert page.select_one("label[for=search-q]")
    hrefs = {a["href"] for a in page.select("main a")}
    for key in ("enforcement-items", "spot-checks", "leniency"):
        assert f"/{key}/" in hrefs and f"/data/{key}.csv" in hrefs
    assert "JavaScript" in page.select_one("#search-nojs").get_text()


def test_every_page_has_a_search_box_that_works_without_javascript(mini: Path) -> None:
    for rel in ("index.html", "404.html", "about/index.html", "leniency/index.html"):
        page = BeautifulSoup((mini / rel).read_text(encoding="utf-8"), "html.parser")
        form = page.select_one("header form[role=search]")
        assert form["action"] == "/search/", rel
        assert form.select_one("input[name=q]")["id"] == form.select_one("label")["for"]


def test_build_without_search_writes_no_bundle(tmp_path: Path) -> None:
    result = build_site(FIXTURE, TEMPLATES, tmp_path / "out", search=False)
    assert result.search_pages == 0
    assert not (tmp_path / "out" / "pagefind").exists()
