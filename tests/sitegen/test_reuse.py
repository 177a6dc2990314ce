"""A rebuild keeps the item pages whose inputs did not change, and ends with the same bytes as a
build from scratch."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from enforcewatch.sitegen.build import build_site, render_site
from enforcewatch.sitegen.content import load_content
from enforcewatch.sitegen.manifest import RECORDS
from enforcewatch.sitegen.reuse import LastBuild

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-min"
TEMPLATES = ROOT / "site" / "templates"


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.name not in RECORDS}


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path, Path]:
    content, templates = tmp_path / "content", tmp_path / "templates"
    shutil.copytree(FIXTURE, content)
    shutil.copytree(TEMPLATES, templates)
    out = tmp_path / "_site"
    build_site(content, templates, out, search=False)
    return content, templates, out


def kept_and_rendered(content: Path, templates: Path, out: Path) -> tuple[set[str], set[str]]:
    rendered = render_site(load_content(content), templates, last=LastBuild(out))
    return set(rendered.kept), {rel for rel in rendered.files if rel.count("/") == 2 and "department" not in rel}


def test_unchanged_site_keeps_every_item_page(site: tuple[Path, Path, Path]) -> None:
    content, templates, out = site
    kept, rendered_items = kept_and_rendered(content, templates, out)
    assert {"data/leniency.json", "data/leniency.csv", "data/leniency.xlsx", "data/leniency/scjg.xlsx",
            "leniency/feed.xml", "leniency/changes/index.html"} <= kept
    assert {"leniency/index.html", "leniency/department/scjg/index.html", "leniency/scjg-swbf-001/index.html"} <= kept
    assert not rendered_items & kept


def test_changed_item_alone_is_rendered_and_output_matches_a_fresh_build(
        site: tuple[Path, Path, Path], tmp_path: Path) -> None:
    content, templates, out = site
    before, _ = kept_and_rendered(content, templates, out)
    path = content / "lists" / "leniency.yaml"
    text = path.read_text(encoding="utf-8")
    item_id = "scjg-swbf-001"
    old = "violation: 未按规定公示营业执照"
    assert text.index(f"id: {item_id}") < text.index(old) and text.count(old) == 1
    path.write_text(text.replace(old, "violation: 改过的违法行为描述"), encoding="utf-8")

    kept, _ = kept_and_rendered(content, templates, out)
    # the item's page, its department's list and what shows the whole list; all else is kept
    assert before - kept == {f"leniency/{item_id}/index.html", "leniency/index.html",
                             "leniency/department/scjg/index.html", "leniency/changes/index.html",
                             "leniency/feed.xml", "data/leniency.json", "data/leniency.csv", "data/leniency.xlsx",
                             "data/leniency/scjg.xlsx"}
    assert kept < before

    build_site(content, templates, out, search=False)
    fresh = tmp_path / "fresh"
    build_site(content, templates, fresh, search=False)
    assert tree(out) == tree(fresh)
    assert "改过的违法行为描述" in (out / "leniency" / item_id / "index.html").read_text(encoding="utf-8")


def test_template_edit_renders_every_page_again(site: tuple[Path, Path, Path], tmp_path: Path) -> None:
    content, templates, out = site
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- v2 --></body>"), encoding="utf-8")
    kept, _ = kept_and_rendered(content, templates, out)
    assert kept == set()
    build_site(content, templates, out, search=False)
    fresh = tmp_path / "fresh"
    build_site(content, templates, fresh, search=False)
    assert tree(out) == tree(fresh)


def test_page_edited_in_the_output_is_rendered_again(site: tuple[Path, Path, Path]) -> None:
    content, templates, out = site
    before, _ = kept_and_rendered(content, templates, out)
    victim = sorted(before)[0]
    (out / victim).write_text("tampered", encoding="utf-8")
    kept, _ = kept_and_rendered(content, templates, out)
    assert victim not in kept
    build_site(content, templates, out, search=False)
    assert (out / victim).read_text(encoding="utf-8") != "tampered"


def test_item_moving_department_updates_every_list_page(site: tuple[Path, Path, Path], tmp_path: Path) -> None:
    content, templates, out = site
    path = content / "lists" / "leniency.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("id: scjg-swbf-001")
    dept = text.index("department: scjg", at)
    path.write_text(text[:dept] + "department: yjgl" + text[dept + len("department: scjg"):], encoding="utf-8")
    kept, _ = kept_and_rendered(content, templates, out)
    assert not any(rel.startswith("leniency/department/") for rel in kept), "department counts changed"
    build_site(content, templates, out, search=False)
    fresh = tmp_path / "fresh"
    build_site(content, templates, fresh, search=False)
    assert tree(out) == tree(fresh)
