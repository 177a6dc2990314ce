"""Page weight at 1,000 items per list: every page with the CSS and JS it links, gzip-compressed,
stays under 150 KB; list pages (all items in the HTML, so filters work without a server) under
250 KB. The browser test measures the shipped site with everything a page loads."""

from __future__ import annotations

import functools
import gzip
import json
import random
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from enforcewatch.sitegen.build import build_site

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 150 * 1024
LIST_LIMIT = 250 * 1024
ITEMS = 1000
LISTS = ("enforcement-items", "spot-checks", "leniency", "key-supervision", "prudent-supervision",
         "spot-check-results")


TITLE = {"enforcement-items": "name", "spot-checks": "item", "leniency": "violation", "key-supervision": "matter",
         "prudent-supervision": "activity", "spot-check-results": "task"}


def _grow(path: Path, key: str, count: int) -> None:
    """Repeat the list's items under new ids until it has `count` of them. Each title gets
    characters drawn at random from the list's own text, so the rows do not compress as exact
    repeats would (random text compresses worse than real text: the figure errs on the heavy side)."""
    text = path.read_text(encoding="utf-8")
    chars = sorted({c for c in text if "\u4e00" <= c <= "\u9fff"})
    rng = random.Random(6)
    data = yaml.safe_load(text)
    base = data["items"]
    data["items"] = [{**base[n % len(base)], "id": f"{base[n % len(base)]['id']}-{n}", "seq": n + 1,
                      TITLE[key]: "".join(rng.choices(chars, k=24))}
                     for n in range(count)]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("weight")
    content = tmp / "content"
    shutil.copytree(ROOT / "site" / "content", content)
    for key in LISTS:
        _grow(content / "lists" / f"{key}.yaml", key, ITEMS)
    # the results name spot-check items, which now carry the grown ids
    grown = yaml.safe_load((content / "lists" / "spot-checks.yaml").read_text(encoding="utf-8"))["items"]
    results = content / "lists" / "spot-check-results.yaml"
    data = yaml.safe_load(results.read_text(encoding="utf-8"))
    for n, item in enumerate(data["items"]):
        item["spot_check_items"] = [grown[n % len(grown)]["id"]]
    results.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = tmp / "_site"
    build_site(content, ROOT / "site" / "templates", out, search=False)
    return out


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, 6))


@functools.cache
def _asset_weight(path: Path) -> int:
    # The same few CSS and JS files are linked from all 6,000 pages: compressed once each, not per page.
    return _gz(path.read_bytes())


class _Assets(HTMLParser):
    """The stylesheets and scripts a page links (`<link rel=stylesheet href>`, `<script src>`), read by
    the standard library's HTML tokenizer without building a document tree (a tree per page cost most
    of this test's time)."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and "stylesheet" in (found.get("rel") or "").lower().split() and found.get("href"):
            self.refs.append(str(found["href"]))
        elif tag == "script" and found.get("src"):
            self.refs.append(str(found["src"]))

    handle_startendtag = handle_starttag


def page_weight(site: Path, page: Path) -> int:
    html = page.read_bytes()
    assets = _Assets()
    assets.feed(html.decode("utf-8"))
    assets.close()
    return _gz(html) + sum(_asset_weight(site / ref.lstrip("/")) for ref in assets.refs)


def _is_list_page(rel: str) -> bool:
    parts = rel.split("/")
    return parts[0] in LISTS and (len(parts) == 2 or parts[1] == "department")


def test_pages_stay_light_at_a_thousand_items(big_site: Path) -> None:
    for key in LISTS:
        assert len(json.loads((big_site / "data" / f"{key}.json").read_text(encoding="utf-8"))) == ITEMS
    weights = {p.relative_to(big_site).as_posix(): page_weight(big_site, p) for p in big_site.rglob("*.html")}
    lists = {rel: w for rel, w in weights.items() if _is_list_page(rel)}
    others = {rel: w for rel, w in weights.items() if rel not in lists}
    assert len(lists) >= 3 and others
    assert {rel: w for rel, w in lists.items() if w > LIST_LIMIT} == {}
    assert {rel: w for rel, w in others.items() if w > LIMIT} == {}
    heaviest = sorted(weights.items(), key=lambda kv: -kv[1])[:6]
    artifacts = ROOT / "tests" / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "page-weights-1000.json").write_text(json.dumps(dict(heaviest), indent=1), encoding="utf-8")
