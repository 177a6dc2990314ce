"""docs/architecture.md names only packages, modules and files that exist, and every package."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
SRC = ROOT / "src"


def named_paths() -> set[str]:
    """Every `enforcewatch/...`, `functions/...`, `tests/...` or `site/...` path in backticks."""
    return set(re.findall(r"`((?:enforcewatch|functions|tests|site)/[\w/.-]*)`", DOC))


def test_every_named_path_exists() -> None:
    paths = named_paths()
    assert len(paths) >= 30
    missing = [p for p in sorted(paths) if not ((SRC / p) if p.startswith("enforcewatch") else (ROOT / p)).exists()]
    assert missing == []


def test_every_package_is_described() -> None:
    packages = {p.parent.relative_to(SRC).as_posix() for p in (SRC / "enforcewatch").glob("*/__init__.py")}
    assert packages, "no packages found"
    assert sorted(p for p in packages if f"`{p}/`" not in DOC) == []


def test_kernel_modules_are_named() -> None:
    kernel = sorted(p.name for p in (SRC / "enforcewatch").glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert [m for m in kernel if m not in DOC] == []
