"""Paths the security tests share: the minimal content fixture and the site's templates."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "tests" / "fixtures" / "site-min"
TEMPLATES = ROOT / "site" / "templates"
