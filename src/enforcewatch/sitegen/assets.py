"""Static assets (CSS, JS) shipped with the site, fingerprinted for long caching.

`site/templates/static/site.css` is published both as `/static/site.css` and as
`/static/site.<hash>.css`, where the hash is taken from its bytes. Templates ask for
`asset("site.css")` and get the fingerprinted URL, so a page always names the exact version it
was built with and the asset can be cached for a year; the plain copy stays for anything that
links it directly. The site loads nothing from another host (SPEC: CDNs are often unreachable).
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath

from enforcewatch.errors import ContentError, ContentProblem

STATIC_DIR = "static"
HASH_LENGTH = 10


def fingerprinted_name(name: str, data: bytes) -> str:
    """"css/site.css" -> "css/site.0123456789.css" (the first hex digits of its SHA-256)."""
    path = PurePosixPath(name)
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


class AssetManifest:
    """The static files under one directory, by plain name, with their fingerprinted names."""

    def __init__(self, static_dir: Path) -> None:
        self.static_dir = static_dir
        self._data: dict[str, bytes] = {}
        self._names: dict[str, str] = {}
        if static_dir.is_dir():
            for path in sorted(p for p in static_dir.rglob("*") if p.is_file()):
                name = path.relative_to(static_dir).as_posix()
                data = path.read_bytes()
                self._data[name] = data
                self._names[name] = fingerprinted_name(name, data)

    def url(self, name: str) -> str:
        """The URL of the fingerprinted copy of static/`name`."""
        try:
            return f"/{STATIC_DIR}/{self._names[name]}"
        except KeyError:
            raise ContentError([ContentProblem(
                str(self.static_dir), None, "", f"找不到静态文件 {name}（模板中 asset(\"{name}\")）")]) from None

    __call__ = url

    def files(self) -> dict[str, bytes]:
        """Every output file: the plain copy and the fingerprinted copy of each asset."""
        out: dict[str, bytes] = {}
        for name, data in self._data.items():
            out[f"{STATIC_DIR}/{name}"] = data
            out[f"{STATIC_DIR}/{self._names[name]}"] = data
        return out
