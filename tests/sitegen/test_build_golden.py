"""Golden output: the tiny fixture site must build byte for byte into tests/golden/site-min/.

Pages from site/templates/pages/** (forms, calendar) belong to other features and are left out, so
this test pins the generator's own output. After an intended change, regenerate with:

    EW_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_build_golden.py

and review the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from enforcewatch.sitegen.build import PAGES_TEMPLATES, build_site
from enforcewatch.sitegen.manifest import RECORDS

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-min"
GOLDEN = ROOT / "tests" / "golden" / "site-min"


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name not in RECORDS}  # the write record holds mtimes


def _others(directory: str, names: list[str]) -> list[str]:
    """Leave out what other features own: their pages and their stylesheets."""
    here = Path(directory)
    if here == ROOT / "site" / "templates":
        return [PAGES_TEMPLATES]
    if here == ROOT / "site" / "templates" / "static":
        return [n for n in names if n not in ("site.css", "list-filter.js", "search.js")]
    return []


def test_fixture_site_matches_golden(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "site" / "templates", templates, ignore=_others)
    out = tmp_path / "out"
    build_site(FIXTURE, templates, out, search=False)  # the Pagefind bundle is tested in test_search*
    if os.environ.get("EW_REGEN_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN, ignore=shutil.ignore_patterns(*RECORDS))
    got, want = _tree(out), _tree(GOLDEN)
    assert sorted(got) == sorted(want)
    for rel in sorted(want):
        assert got[rel] == want[rel], f"{rel} differs from the golden copy"
