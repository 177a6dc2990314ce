"""The search index in parts (enforcewatch.sitegen.searchparts): which page goes to which part, that
a rebuild re-indexes only the parts whose pages changed, and that the parts it keeps are the last
build's files. (That searching the parts finds what one bundle finds: test_search_parts_browser.py.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from enforcewatch.sitegen import searchparts
from enforcewatch.sitegen.build import build_site

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "site" / "templates"
LISTS = ("enforcement-items", "spot-checks", "leniency")


def _rename_first_item(content: Path, suffix: str) -> None:
    path = content / "lists" / "enforcement-items.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    name: 食品经营许可\n", f"    name: 食品经营许可{suffix}\n", 1), encoding="utf-8")


def _parts(out: Path) -> list[str]:
    return json.loads((out / "pagefind" / "parts.json").read_text(encoding="utf-8"))["parts"]


def _name(part: str) -> str:
    """The part's name without its key (/pagefind/part/<name>-<key>/)."""
    return part.strip("/").rsplit("/", 1)[1].rsplit("-", 1)[0]


def _bundle_files(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in (out / "pagefind").rglob("*") if p.is_file()}


def test_item_pages_go_to_their_lists_buckets_and_the_rest_to_the_primary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(searchparts, "PAGES_PER_PART", 3)
    pages = ["index.html", "about/index.html", "leniency/index.html",
             *(f"leniency/x-{n}/index.html" for n in range(10))]
    parts = searchparts.assign(pages, LISTS)
    assert parts[""] == ["about/index.html", "index.html"]
    assert parts["leniency"] == ["leniency/index.html"]
    buckets = {name for name in parts if name.startswith("leniency-")}
    assert buckets <= {f"leniency-{b}" for b in range(4)} and len(buckets) > 1  # 10 pages / 3: 4 buckets
    assert sorted(rel for name in buckets for rel in parts[name]) == sorted(pages[3:])
    small = ["about/index.html", "leniency/index.html", "leniency/x-1/index.html", "leniency/x-2/index.html"]
    assert searchparts.assign(small, LISTS) == {  # the list fits in one part: its own page joins it
        "": ["about/index.html"], "leniency-0": ["leniency/index.html", "leniency/x-1/index.html", "leniency/x-2/index.html"]}
    assert searchparts.assign(small[:3], LISTS) == {"": small[:3]}  # a site of 3 pages or fewer: one bundle


def test_a_new_item_moves_no_other_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(searchparts, "PAGES_PER_PART", 4)
    pages = [f"leniency/x-{n}/index.html" for n in range(12)]  # 3 wanted, 4 buckets
    before = searchparts.assign(pages, LISTS)
    after = searchparts.assign([*pages, "leniency/x-new/index.html"], LISTS)
    changed = {name for name in after if after[name] != before.get(name)}
    assert len(changed) == 1 and "leniency/x-new/index.html" in after[changed.pop()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("parts")
    shutil.copytree(ROOT / "site" / "content", tmp / "content")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(searchparts, "PAGES_PER_PART", 8)  # several buckets per list of the shipped content
        build_site(tmp / "content", TEMPLATES, tmp / "out")
    return tmp


def test_a_rebuild_without_changes_keeps_every_part(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(searchparts, "PAGES_PER_PART", 8)
    parts, files = _parts(built / "out"), _bundle_files(built / "out")
    assert len(parts) > 6  # the lists' own pages and more than one bucket for some list
    build_site(built / "content", TEMPLATES, built / "out")
    assert _parts(built / "out") == parts
    assert _bundle_files(built / "out") == files  # not one file rewritten


def test_one_item_changed_reindexes_its_bucket_and_its_list_page_only(built: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(searchparts, "PAGES_PER_PART", 8)
    out = built / "out"
    parts, files = _parts(out), _bundle_files(out)
    _rename_first_item(built / "content", "（修订）")
    build_site(built / "content", TEMPLATES, out)
    new_parts = _parts(out)
    gone, added = set(parts) - set(new_parts), set(new_parts) - set(parts)
    assert len(gone) == len(added) == 2
    names = sorted(_name(p) for p in added)
    assert names == sorted(_name(p) for p in gone)  # the same parts, under new keys
    assert names[0] == "enforcement-items" and names[1].startswith("enforcement-items-")
    now = _bundle_files(out)
    kept = [rel for rel in now if not any(rel.startswith(p.strip("/")) for p in added) and rel != searchparts.LISTING]
    assert kept and all(now[rel] == files[rel] for rel in kept)  # the rest untouched
    assert not any(rel.startswith(p.strip("/")) for p in gone for rel in now)  # replaced parts removed
    fresh = built / "fresh"
    build_site(built / "content", TEMPLATES, fresh)
    assert _parts(fresh) == new_parts  # as a build from scratch names them


def test_a_damaged_part_is_indexed_again(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(searchparts, "PAGES_PER_PART", 8)
    out = built / "out"
    part = out / _parts(out)[0].strip("/")
    entry = part / "pagefind-entry.json"
    entry.write_text("{}", encoding="utf-8")
    build_site(built / "content", TEMPLATES, out)
    assert json.loads(entry.read_text(encoding="utf-8"))["version"]
