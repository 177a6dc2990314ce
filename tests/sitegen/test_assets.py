"""Fingerprinted static assets: pages link the hashed copy, which changes when the bytes do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from enforcewatch.errors import ContentError
from enforcewatch.sitegen.assets import AssetManifest, fingerprinted_name
from enforcewatch.sitegen.build import build_site

ROOT = Path(__file__).resolve().parents[2]


def test_fingerprint_follows_the_bytes() -> None:
    a = fingerprinted_name("css/site.css", b"body{}")
    assert a.startswith("css/site.") and a.endswith(".css") and len(a) == len("css/site..css") + 10
    assert a == fingerprinted_name("css/site.css", b"body{}")
    assert a != fingerprinted_name("css/site.css", b"body{color:red}")


def test_manifest_ships_plain_and_fingerprinted_copies(tmp_path: Path) -> None:
    (tmp_path / "app.js").write_text("x=1", encoding="utf-8")
    manifest = AssetManifest(tmp_path)
    url = manifest.url("app.js")
    assert url.startswith("/static/app.") and url.endswith(".js")
    assert manifest.files() == {"static/app.js": b"x=1", url.lstrip("/"): b"x=1"}
    with pytest.raises(ContentError) as err:
        manifest.url("missing.css")
    assert "missing.css" in str(err.value)


def test_built_pages_link_existing_fingerprinted_assets(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site(ROOT / "tests" / "fixtures" / "site-min", ROOT / "site" / "templates", out, search=False)
    for rel in ("index.html", "enforcement-items/index.html", "search/index.html"):
        page = BeautifulSoup((out / rel).read_text(encoding="utf-8"), "html.parser")
        refs = [t["href"] for t in page.select("link[rel=stylesheet]")] + [t["src"] for t in page.select("script[src]")]
        assert refs, rel
        for ref in refs:
            assert ref.startswith("/static/"), ref  # same host, no CDN
            target = out / ref.lstrip("/")
            assert target.is_file(), ref
            name = re.sub(r"\.[0-9a-f]{10}(\.\w+)$", r"\1", ref.removeprefix("/static/"))
            assert name != ref.removeprefix("/static/"), f"{ref} is not fingerprinted"
            assert ref == "/static/" + fingerprinted_name(name, target.read_bytes())
