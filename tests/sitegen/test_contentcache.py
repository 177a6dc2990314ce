"""The cache of parsed list items: reading through it gives the same content as reading every file
whole, and no stale, foreign or corrupt cache can change what a build writes."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from enforcewatch.errors import ContentError
from enforcewatch.sitegen import contentcache
from enforcewatch.sitegen.build import build_site
from enforcewatch.sitegen.content import LIST_FILES, load_content
from enforcewatch.sitegen.contentcache import ContentCache, split_items
from enforcewatch.sitegen.manifest import CONTENT_CACHE, RECORDS
from enforcewatch.sitegen.yamllines import fast_yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site-min"
TEMPLATES = ROOT / "site" / "templates"
LENIENCY = "lists/leniency.yaml"


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.name not in RECORDS}


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = tmp_path / "_site"
    build_site(content, TEMPLATES, out, search=False)
    assert (out / CONTENT_CACHE).is_file()
    return content, out


def rebuild_matches_fresh(content: Path, out: Path, tmp_path: Path) -> None:
    build_site(content, TEMPLATES, out, search=False)
    fresh = tmp_path / "fresh"
    shutil.rmtree(fresh, ignore_errors=True)
    build_site(content, TEMPLATES, fresh, search=False)
    assert tree(out) == tree(fresh)
    assert load_content(content, ContentCache(out)) == load_content(content)


def edit(content: Path, rel: str, old: str, new: str) -> None:
    path = content / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("root", [FIXTURE, ROOT / "site" / "content"], ids=["fixture", "shipped"])
def test_cached_read_equals_whole_read_cold_and_warm(root: Path) -> None:
    assert all(split_items((root / rel).read_text(encoding="utf-8")) for rel in LIST_FILES.values())
    cache = ContentCache(None)
    assert load_content(root, cache) == load_content(root)
    assert not cache.used
    cache.prepare()  # a cold read reads whole; its items are stored afterwards
    assert cache.used, "the lists' items were stored"
    warm = ContentCache(None)
    warm.entries = cache.used
    assert load_content(root, warm) == load_content(root)
    assert warm.used == cache.used


def test_edited_item_is_read_again(site: tuple[Path, Path], tmp_path: Path) -> None:
    content, out = site
    edit(content, LENIENCY, "violation: 未按规定公示营业执照", "violation: 改过的违法行为描述")
    rebuild_matches_fresh(content, out, tmp_path)
    assert "改过的违法行为描述" in (out / "leniency" / "scjg-swbf-001" / "index.html").read_text(encoding="utf-8")


def entry(n: int, measures: str = "[教育提醒]", indent: str = "  ") -> str:
    return "".join(f"{indent}{line}\n" for line in [
        f"- id: scjg-swbf-{n:03d}", "  kind: 首违不罚", "  department: scjg", f"  violation: 第{n}项轻微违法",
        "  conditions: [初次违法, 及时改正]", "  leniency_basis: 《中华人民共和国行政处罚法》第三十三条第一款",
        f"  measures: {measures}", "  body: 测试市市场监督管理局", "  updated: 2025-03-15"])


def write_leniency(content: Path, entries: list[str], indent: str = "  ") -> None:
    head = (content / LENIENCY).read_text(encoding="utf-8").split("items:\n")[0]
    (content / LENIENCY).write_text(head + "items:\n" + "".join(entries), encoding="utf-8")


@pytest.mark.parametrize("indent", ["", "  "], ids=["entries-at-column-0", "entries-indented"])
def test_deleted_and_reordered_items(site: tuple[Path, Path], tmp_path: Path, indent: str) -> None:
    content, out = site
    write_leniency(content, [entry(n, indent=indent) for n in range(1, 6)])
    build_site(content, TEMPLATES, out, search=False)
    assert len(ContentCache(out).entries) >= 5
    write_leniency(content, [entry(n, indent=indent) for n in (5, 3, 1, 2)])  # 4 deleted, the rest moved
    rebuild_matches_fresh(content, out, tmp_path)
    assert [i.id for i in load_content(content).leniency.items] == [f"scjg-swbf-00{n}" for n in (5, 3, 1, 2)]
    assert not (out / "leniency" / "scjg-swbf-004").exists()


def test_changed_anchor_changes_every_item_that_aliases_it(site: tuple[Path, Path], tmp_path: Path) -> None:
    content, out = site
    write_leniency(content, [entry(1, "&m [教育提醒]"), entry(2, "*m"), entry(3)])
    build_site(content, TEMPLATES, out, search=False)
    write_leniency(content, [entry(1, "&m [劝导示范]"), entry(2, "*m"), entry(3)])
    rebuild_matches_fresh(content, out, tmp_path)
    assert [i.measures for i in load_content(content).leniency.items] == [["劝导示范"], ["劝导示范"], ["教育提醒"]]


def test_template_change_with_a_warm_cache(site: tuple[Path, Path], tmp_path: Path) -> None:
    content, out = site
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    build_site(content, templates, out, search=False)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- v2 --></body>"), encoding="utf-8")
    build_site(content, templates, out, search=False)
    fresh = tmp_path / "fresh"
    build_site(content, templates, fresh, search=False)
    assert tree(out) == tree(fresh)
    assert "<!-- v2 -->" in (out / "index.html").read_text(encoding="utf-8")


def poison(out: Path) -> str:
    """Make every cached leniency item claim another violation; return the cache's key."""
    data = pickle.loads((out / CONTENT_CACHE).read_bytes())  # noqa: S301 - written by this test's build
    for digest, (facts, json) in list(data["entries"].items()):
        if '"violation":' in json:
            data["entries"][digest] = (facts, json.replace('"violation":"', '"violation":"投毒', 1))
    (out / CONTENT_CACHE).write_bytes(pickle.dumps(data))
    return data["key"]


def test_cache_of_other_code_is_ignored(site: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    content, out = site
    poison(out)
    # the same key: the entries are taken as they are (this is what the key protects)
    assert any("投毒" in i.violation for i in load_content(content, ContentCache(out)).leniency.items)
    # another model or library version gives another key: nothing is taken from the file
    monkeypatch.setattr(contentcache, "stamp", lambda: "other code")
    assert load_content(content, ContentCache(out)) == load_content(content)
    build_site(content, TEMPLATES, out, search=False)
    assert "投毒" not in (out / "data" / "leniency.csv").read_text(encoding="utf-8-sig")


def test_model_source_is_part_of_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = contentcache.stamp()
    catalog = tmp_path / "catalog.py"
    catalog.write_text("# another model\n", encoding="utf-8")
    import enforcewatch.sitegen.catalog

    monkeypatch.setattr(enforcewatch.sitegen.catalog, "__file__", str(catalog))
    assert contentcache.stamp() != before


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", pickle.dumps(["a", "list"]),
                                     pickle.dumps({"version": 1, "key": "x", "entries": {}})])
def test_corrupt_cache_is_ignored(site: tuple[Path, Path], tmp_path: Path, garbage: bytes) -> None:
    content, out = site
    (out / CONTENT_CACHE).write_bytes(garbage)
    assert ContentCache(out).entries == {}
    edit(content, LENIENCY, "violation: 未按规定公示营业执照", "violation: 又改过")
    rebuild_matches_fresh(content, out, tmp_path)


def test_problems_are_still_placed_by_the_line_tracking_read(site: tuple[Path, Path]) -> None:
    content, out = site
    edit(content, LENIENCY, "department: scjg", "department: nowhere")
    with pytest.raises(ContentError) as exc:
        build_site(content, TEMPLATES, out, search=False)
    [problem] = exc.value.problems
    assert problem.field == "department" and problem.line is not None
    text = (content / LENIENCY).read_text(encoding="utf-8")
    assert text.splitlines()[problem.line - 1].strip() == "department: nowhere"


@pytest.mark.parametrize("text", [
    "meta: {}\nitems:\n\t- a: 1\n",  # a tab
    "meta: {}\nitems: []\n",  # no block sequence
    "meta: {}\nitems:\n- a: 1\n---\nother: 2\n",  # a second document
    "meta: &h {}\nitems:\n- a: *x\n",  # an alias to an anchor outside the items
    "meta: {}\nitems:\n- a: 1\n-x: 2\n",  # a line at column 0 that starts no entry
    "meta: {}\nitems:\r\n- a: 1\r\n",  # another line break
])
def test_odd_shapes_are_read_whole(text: str) -> None:
    from pydantic import BaseModel

    class Row(BaseModel):
        a: int

    assert ContentCache(None).read_list("x", text, fast_yaml, Row, ()) is None


def test_entries_that_run_together_are_not_cut_apart() -> None:
    # a quoted text that spans what looks like the start of the next entry
    text = 'meta: {}\nitems:\n- a: "one\n- two"\n- a: three\n'
    _rest, chunks = split_items(text) or ("", [])
    assert len(chunks) == 3
    from pydantic import BaseModel

    class Row(BaseModel):
        a: str

    assert ContentCache(None).read_list("x", text, fast_yaml, Row, ()) is None  # read whole instead
    assert fast_yaml(text)["items"] == [{"a": "one - two"}, {"a": "three"}]
