"""The search index in parts, so that a rebuild re-indexes only the parts whose pages changed.

Which part a page belongs to (a site of at most PAGES_PER_PART pages is one bundle: every part
is one more set of downloads for each search):

- an item page of a list (`<list>/<id>/index.html`) goes to one of the list's buckets, chosen by a
  digest of its path (so adding or removing an item moves no other page); a list has as many
  buckets as it needs for about PAGES_PER_PART pages each, rounded up to a power of two, so the
  count changes only when the list doubles or halves;
- a list's own page (`<list>/index.html`, which shows every item) is a part of its own, since
  it changes whenever any of its items does; when the list's items fit in one part, it joins
  that part instead (one bundle fewer for the search page to load);
- every other page (home, about, the forms) is the primary part, published at `pagefind/` with
  Pagefind's script and WebAssembly.

Each part's key digests the Pagefind version, the language and the path and digest of each of
its pages. A part other than the primary is published under a directory named by its key
(`pagefind/part/<name>-<key>/`), and `pagefind/parts.json` lists them for the search page to
merge (Pagefind's `mergeIndex`). The manifest of the last build (manifest.py) records each bundle
file with its part's key; a part whose key and files are unchanged is kept as it is.

Search results are those of one bundle over the same pages (tests/test_search_parts.py):
Pagefind searches every merged bundle and joins the results.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from enforcewatch.sitegen import search_index
from enforcewatch.sitegen.manifest import digest
from enforcewatch.sitegen.reuse import LastBuild, key_of

# The parts a stream began while the build rendered, given the parts the step computed (searchstream.py).
Handover = Callable[[Mapping[str, list[str]]], Mapping[str, search_index.Started] | None]

PAGES_PER_PART = 500  # a re-indexed part costs ~0.75 ms a page; each part is one more download per search
PARTS_DIR = f"{search_index.BUNDLE_DIR}/part"
LISTING = f"{search_index.BUNDLE_DIR}/parts.json"
PRIMARY = ""


def bucket_count(count: int) -> int:
    """How many parts a list of `count` item pages is hashed into (a power of two)."""
    wanted, buckets = -(-count // PAGES_PER_PART), 1
    while buckets < wanted:
        buckets *= 2
    return buckets


def item_list(rel: str, lists: set[str] | frozenset[str]) -> str | None:
    """The list whose item page `rel` is (`<list>/<id>/index.html` among the indexed pages), or None."""
    head, _, rest = rel.partition("/")
    return head if head in lists and rest != "index.html" else None


def item_part(rel: str, head: str, buckets: int) -> str:
    """The part of an item page of list `head`, whose items are hashed into `buckets` parts."""
    return f"{head}-{int(digest(rel.encode('utf-8'))[:8], 16) % buckets}"


def _item_parts(pages: list[str], lists: set[str]) -> tuple[dict[str, list[str]], set[str]]:
    """The item pages of each list, hashed into that list's parts, and the lists whose items fit in one part."""
    items: dict[str, list[str]] = {}
    for rel in pages:
        head = item_list(rel, lists)
        if head is not None:
            items.setdefault(head, []).append(rel)
    parts: dict[str, list[str]] = {}
    single = set()  # lists whose items fit in one part: their own page joins it (it changes with any of them)
    for head, rels in items.items():
        buckets = bucket_count(len(rels))
        if buckets == 1:
            single.add(head)
        for rel in rels:
            parts.setdefault(item_part(rel, head, buckets), []).append(rel)
    return parts, single


def _leftover_part(rel: str, lists: set[str], single: set[str]) -> str:
    """The part of a page that is no list item: a list's own page goes with its items' single part
    (or a part of its own), every other page with the primary part."""
    head, _, rest = rel.partition("/")
    if head not in lists or rest != "index.html":
        return PRIMARY
    return f"{head}-0" if head in single else head


def assign(pages: Iterable[str], lists: Iterable[str]) -> dict[str, list[str]]:
    """Part name -> the pages in it (sorted), for the indexed `pages` of a site with `lists`."""
    pages, lists = sorted(pages), set(lists)
    if len(pages) <= PAGES_PER_PART:  # a small site: one bundle, re-indexed whole, is cheap and lightest to search
        return {PRIMARY: pages} if pages else {}
    parts, single = _item_parts(pages, lists)
    placed = {rel for rels in parts.values() for rel in rels}
    for rel in pages:
        if rel not in placed:
            parts.setdefault(_leftover_part(rel, lists, single), []).append(rel)
    return {name: sorted(rels) for name, rels in parts.items()}


def part_dir(name: str, key: str) -> str:
    """Where a part's bundle is published (relative to the output)."""
    return search_index.BUNDLE_DIR if name == PRIMARY else f"{PARTS_DIR}/{name}-{key[:20]}"


def _bundle_files(records: Mapping[str, object], name: str, key: str) -> list[str]:
    """The files of a part's bundle among the last build's records."""
    if name != PRIMARY:
        prefix = part_dir(name, key) + "/"
        return [rel for rel in records if rel.startswith(prefix)]
    return [rel for rel in records if rel.startswith(f"{search_index.BUNDLE_DIR}/")
            and not rel.startswith(f"{PARTS_DIR}/") and rel != LISTING]


@dataclass
class PartsResult:
    """The bundle files to write (with the key of each) and the ones kept from the last build."""

    files: dict[str, bytes] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)
    pages: int = 0
    reindexed: list[str] = field(default_factory=list)  # names of the parts indexed again


def build_parts(rendered: Mapping[str, bytes], kept: Mapping[str, str], lists: Iterable[str],
                last: LastBuild | None, read: Callable[[str], bytes], handover: Handover | None = None) -> PartsResult:
    """Index the public pages in parts. `rendered` holds the pages rendered by this build,
    `kept` the pages the last build left as they are (read with `read` only when their part
    must be indexed again); `last` is the last build's manifest (None: index everything);
    `handover`: a stream's parts begun while rendering (searchstream.py), used where they agree."""
    records = last.records if last is not None else {}
    pages = search_index.indexed_pages([*rendered, *kept])
    version = search_index.pagefind_version()
    result = PartsResult(pages=len(pages))
    todo: dict[str, dict[str, bytes]] = {}
    keys: dict[str, str] = {}
    assigned = assign(pages, lists)
    for name, rels in assigned.items():
        digests = [f"{rel}:{digest(rendered[rel]) if rel in rendered else records[rel][0]}" for rel in rels]
        key = keys[name] = key_of("pagefind", version, search_index.LANGUAGE, *digests)
        held = _bundle_files(records, name, key)
        entry = f"{part_dir(name, key)}/pagefind-entry.json"
        if last is not None and entry in held and all(last.holds(rel, key) for rel in held):
            result.kept.update(dict.fromkeys(held, key))
            continue
        todo[name] = {rel: rendered[rel] if rel in rendered else read(rel) for rel in rels}
    if PRIMARY not in keys:  # the primary bundle carries the script (a site always has its home page)
        keys[PRIMARY] = key_of("pagefind", version, search_index.LANGUAGE)
        todo[PRIMARY] = {}
    started = handover({name: assigned.get(name, []) for name in todo}) if handover is not None else None
    built = search_index.build_bundles(todo, PRIMARY if PRIMARY in todo else None, started) if todo else {}
    for name, bundle in built.items():
        base = part_dir(name, keys[name])
        for rel, data in bundle.items():
            result.files[f"{base}/{rel}"] = data
            result.keys[f"{base}/{rel}"] = keys[name]
    result.reindexed = sorted(todo)
    parts = sorted(f"/{part_dir(name, key)}/" for name, key in keys.items() if name != PRIMARY)
    result.files[LISTING] = (json.dumps({"parts": parts}, indent=1) + "\n").encode("utf-8")
    return result
