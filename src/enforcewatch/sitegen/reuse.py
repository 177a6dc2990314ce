"""Reusing the last build's item pages when nothing they are rendered from has changed.

An item page is rendered from its item, its department, the list without its items, the base
context every page gets (site settings, departments, navigation, hook data), the templates and
the generator's own code. Each page's key is a digest of all of these; the manifest of the last
build (enforcewatch.sitegen.manifest) records the key next to the file's digest, size and mtime. A page
whose key matches, and whose file is still as the last build left it, is not rendered again.

Anything the key cannot vouch for fails safe: a hook value whose repr differs between builds, an
edited template or static file, a new version of Jinja2, pydantic, Markdown or nh3, or any change
to a loaded module of the package only means that every page is rendered again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from enforcewatch.sitegen import manifest

LIBRARIES = ("jinja2", "markupsafe", "pydantic", "pydantic-core", "markdown", "nh3")


def key_of(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _tree_stamp(root: Path, pattern: str) -> str:
    """Names, sizes and mtimes of the files under root (an edit changes at least one)."""
    rows = []
    for path in sorted(root.rglob(pattern)):
        if path.is_file():
            st = path.stat()
            rows.append(f"{path.relative_to(root).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(rows)


def code_stamp() -> str:
    """The source of every loaded module of the package (the build's, its filters', the hooks')
    and the versions of the libraries that shape the output."""
    parts = []
    for name in sorted(n for n in sys.modules if n == "enforcewatch" or n.startswith("enforcewatch.")):
        path = getattr(sys.modules[name], "__file__", None)
        if path:
            parts.append(f"{name}:{_source_digest(name, path)}")
    for lib in LIBRARIES:
        try:
            parts.append(f"{lib}=={version(lib)}")
        except PackageNotFoundError:
            parts.append(f"{lib}: absent")
    return "\n".join(parts)


@functools.cache
def _source_digest(_module: str, path: str) -> str:
    """Read once per process, close to when the module was loaded: the code that runs is the code
    it was loaded from, even if the file is edited while the process lives."""
    with open(path, "rb") as fh:
        return hashlib.blake2b(fh.read(), digest_size=16).hexdigest()


def base_key(templates_dir: Path, ctx: Mapping[str, Any]) -> str:
    """Everything every page depends on besides its own data."""
    context = "\n".join(f"{name}={value!r}" for name, value in sorted(ctx.items()))
    return key_of(code_stamp(), _tree_stamp(templates_dir, "*"), context)


class LastBuild:
    """Answers whether the output still holds the file rendered under a given key."""

    def __init__(self, out_dir: Path) -> None:
        self.root = str(out_dir.resolve())
        self.records = manifest.read_manifest(out_dir) if out_dir.is_dir() else {}

    def holds(self, rel: str, key: str) -> bool:
        record = self.records.get(rel)
        if record is None or len(record) < 4 or record[3] != key:
            return False
        try:
            st = os.stat(f"{self.root}/{rel}")
        except OSError:
            return False
        return [st.st_size, st.st_mtime_ns] == record[1:3]
