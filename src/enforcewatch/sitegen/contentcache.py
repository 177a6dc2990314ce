"""List items parsed and validated by the last build, so a rebuild parses only the items that changed.

Reading YAML is most of a rebuild: PyYAML builds every value in Python (2 s for a 6,000-item
list). A list file of the simple shape — a top-level mapping whose `items:` key, alone at the start
of a line, holds a block sequence whose entries each start with "- " at one indentation — is cut
textually into the rest of the file (read with `items: []` in its place) and one chunk per entry.
Each chunk is read on its own and must give a one-element list. YAML gives such a chunk the same
value alone as in the whole file: block structure never crosses a line at the sequence's
indentation, an unclosed quote or bracket makes the chunk fail to read alone, and an alias to an
anchor in another chunk is unknown alone. Files with document markers, directives, tabs or line
breaks other than "\\n" are read whole. So is any file whose rest does not read as a mapping with
`items: []`.

A chunk's entry is found by the digest of its text and of the list it is in. It holds the item as
validated (pydantic's JSON, restored by the compiled validator: stored only when it restores equal
to the validated item) and the raw values the cross-file checks of content.py read (`facts`).
An entry is addressed by its input, so an edited, deleted or moved item never finds a stale one.

The cache is one file beside the build manifest in the output (`.build-cache`, never published),
written only after a build that succeeded, with the entries that build used. Its key digests the
source of the modules that read and validate content and the versions of Python, PyYAML, libyaml
and pydantic; a file with another key, or that cannot be read, counts as empty. The file is the
build's own, like the output around it: it is loaded with pickle, so it must not come from
anyone who could not also write the output. The quick read alone uses it; any problem in
content is still found and placed by the line-tracking read (content.py), which never does.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, TypeAdapter

from enforcewatch.sitegen.manifest import CONTENT_CACHE as CACHE
from enforcewatch.sitegen.reuse import key_of as _digest  # the same digest the page keys use

VERSION = 1
MODULES = ("enforcewatch.sitegen.catalog", "enforcewatch.sitegen.content", "enforcewatch.sitegen.contentcache")
LIBRARIES = ("PyYAML", "pydantic", "pydantic-core")

_ITEMS_LINE = re.compile(r"^items:(?: +#[^\n]*)? *\n", re.MULTILINE)
_UNSAFE = re.compile(r"[\t\r\x85\u2028\u2029]|\n(?:---|\.\.\.|%)")  # read such a file whole
_FIRST_ENTRY = re.compile(r"(?: *(?:#[^\n]*)?\n)*( *)- ")
_END_UNINDENTED = re.compile(r"^(?!- )[^ #\n]", re.MULTILINE)
_END_INDENTED = re.compile(r"^[^ #\n]", re.MULTILINE)
_REF = re.compile(r"([&*])([0-9A-Za-z_-]+)")  # libyaml's anchor and alias names (a superset of them)


def stamp() -> str:
    """What the cached values depend on besides the text of each item."""
    parts = [sys.version, f"libyaml {getattr(yaml, '__with_libyaml__', False)}"]
    if getattr(yaml, "__with_libyaml__", False):
        parts.append(yaml._yaml.get_version_string())  # loaded by yaml itself
    for lib in LIBRARIES:
        try:
            parts.append(f"{lib}=={version(lib)}")
        except PackageNotFoundError:
            parts.append(f"{lib}: absent")
    for name in MODULES:
        path = getattr(sys.modules.get(name), "__file__", None)
        if path is None:
            parts.append(f"{name}: not loaded")
            continue
        with open(path, "rb") as fh:
            parts.append(f"{name}:{hashlib.blake2b(fh.read(), digest_size=16).hexdigest()}")
    return _digest(*parts)


def split_items(text: str) -> tuple[str, list[str]] | None:
    """(the file with `items: []` in place of its block sequence, one text per entry), or None
    when the file is not of the simple shape and must be read whole."""
    if text.startswith("---\n"):
        text = "\n" + text[4:]  # a leading document marker changes no value (keeps line count)
    if _UNSAFE.search(text) or text.startswith(("---", "...", "%")):
        return None
    found = list(_ITEMS_LINE.finditer(text))
    if len(found) != 1:
        return None
    start, body = found[0].start(), found[0].end()
    first = _FIRST_ENTRY.match(text, body)  # blank and comment lines, then the first entry
    if first is None:
        return None
    indent = len(first.group(1))
    # The block ends at the first line at column 0 that is neither blank, a comment nor an entry.
    block_end = (_END_UNINDENTED if indent == 0 else _END_INDENTED).search(text, body)
    end = block_end.start() if block_end else len(text)
    if text.startswith("-", end):
        return None
    block = text[body:end]
    if indent and re.search(rf"^(?: {{1,{indent - 1}}}[^ \n#]| {{{indent}}}(?!- )[^ \n#])", block, re.MULTILINE):
        return None  # a line as shallow as the entries that does not start one
    chunks = re.split(rf"^(?= {{{indent}}}- )", block, flags=re.MULTILINE)[1:]
    return text[:start] + "items: []\n" + text[end:], chunks


def _chunk_keys(list_key: str, chunks: list[str]) -> tuple[list[str], list[list[int]]] | None:
    """Each chunk's digest, and the earlier chunks it depends on: those that may define an anchor
    it names (every `&name` counts, even one inside a quoted text), whose digests its own covers.
    None when it names an anchor no chunk defines (one in the rest of the file)."""
    definers: dict[str, list[int]] = {}
    digests: list[str] = []
    deps: list[list[int]] = []
    for n, chunk in enumerate(chunks):
        need: set[int] = set()
        if "&" in chunk or "*" in chunk:
            refs = _REF.findall(chunk)
            own = {name for sigil, name in refs if sigil == "&"}
            for sigil, name in refs:
                if sigil == "*":
                    if name not in definers and name not in own:
                        return None
                    need.update(definers.get(name, ()))
            for name in own:
                definers.setdefault(name, []).append(n)
        deps.append(sorted(need))
        digests.append(_digest(list_key, chunk, *(digests[d] for d in deps[-1])))
    return digests, deps


def _pieces(list_key: str, text: str, read_yaml: Callable[[str], Any]
            ) -> tuple[dict[Any, Any], list[str], list[str], list[list[int]]] | None:
    """(the file's mapping without its items, the item chunks, their digests, their dependencies),
    or None when the file must be read whole (not the simple shape, an alias to an anchor outside
    the items, or the rest not a mapping with `items: []`)."""
    split = split_items(text)
    if split is None:
        return None
    rest_text, chunks = split
    found = _chunk_keys(list_key, chunks)
    if found is None:
        return None
    try:
        rest = read_yaml(rest_text)
    except Exception:  # noqa: BLE001 - e.g. an alias to an item's anchor
        return None
    if not isinstance(rest, dict) or rest.get("items") != [] or not isinstance(rest["items"], list):
        return None
    return rest, chunks, *found


def _facts(raw: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """The raw values of an item the cross-file checks read."""
    return {k: raw[k] for k in keys if k in raw}


class ContentCache:
    """Entries by digest, read from `out_dir` (empty when absent, unreadable or of other code)."""

    def __init__(self, out_dir: Path | None) -> None:
        self.path = out_dir / CACHE if out_dir is not None else None
        self.key = stamp()
        self.entries: dict[str, tuple[Any, str]] = {}
        self.used: dict[str, tuple[Any, str]] = {}
        self.pending: list[tuple[str, str, Callable[[str], Any], list[Any], list[BaseModel], tuple[str, ...]]] = []
        if self.path is not None:
            self.entries = self._read(self.path)

    def _read(self, path: Path) -> dict[str, tuple[Any, str]]:
        try:
            with open(path, "rb") as fh:
                raw = pickle.load(fh)  # noqa: S301 - the build's own file (see the module docstring)
        except FileNotFoundError:
            return {}
        except Exception:  # noqa: BLE001 - a corrupt or truncated cache is an empty one
            return {}
        if (not isinstance(raw, dict) or raw.get("version") != VERSION or raw.get("key") != self.key
                or not isinstance(raw.get("entries"), dict)):
            return {}
        entries: dict[str, tuple[Any, str]] = raw["entries"]
        return entries

    def read_list(self, list_key: str, text: str, read_yaml: Callable[[str], Any], item_model: type[BaseModel],
                  fact_keys: Iterable[str]) -> tuple[dict[Any, Any], list[Any], list[BaseModel]] | None:
        """(the file's mapping without items, the facts of each item, the validated items), or None
        when the file must be read whole. Raises pydantic's ValidationError on an invalid item."""
        if not self.entries:  # nothing cached: read whole, then `remember` (no cost before rendering)
            return None
        pieces = _pieces(list_key, text, read_yaml)
        if pieces is None:
            return None
        rest, chunks, digests, deps = pieces
        missing = [n for n, digest in enumerate(digests) if digest not in self.entries]
        fresh = self._parse(chunks, deps, missing, read_yaml, item_model, tuple(fact_keys))
        if fresh is None:
            return None
        entries = [self.entries.get(digest) or fresh[n][0] for n, digest in enumerate(digests)]
        items = TypeAdapter(list[item_model]).validate_json(  # type: ignore[valid-type]
            f"[{','.join(entry[1] for entry in entries)}]")
        used = dict(zip(digests, entries, strict=True))
        for n, (_entry, item) in fresh.items():
            if items[n] != item:  # does not restore equal from JSON: keep it out of the cache
                items[n] = item
                del used[digests[n]]
        self.used.update(used)
        return rest, [entry[0] for entry in entries], items

    @staticmethod
    def _parse(chunks: list[str], deps: list[list[int]], missing: list[int], read_yaml: Callable[[str], Any],
               item_model: type[BaseModel], keys: tuple[str, ...]) -> dict[int, tuple[tuple[Any, str], BaseModel]] | None:
        """The entries and validated items of the `missing` chunks, read in one document together
        with the chunks that may define the anchors they use (so aliases resolve as in the file)."""
        if not missing:
            return {}
        wanted, stack = set(missing), list(missing)
        while stack:
            for dep in deps[stack.pop()]:
                if dep not in wanted:
                    wanted.add(dep)
                    stack.append(dep)
        order = sorted(wanted)
        try:
            values = read_yaml("".join(chunks[n] for n in order))
        except Exception:  # noqa: BLE001 - not readable in pieces: read the file whole
            return None
        # One entry per chunk: no chunk ran into the next (an unclosed quote or bracket would).
        if not isinstance(values, list) or len(values) != len(order):
            return None
        by_chunk = dict(zip(order, values, strict=True))
        raws = [by_chunk[n] for n in missing]
        items: list[BaseModel] = TypeAdapter(list[item_model]).validate_python(raws)  # type: ignore[valid-type]
        return {n: ((_facts(raw, keys), item.model_dump_json()), item)
                for n, raw, item in zip(missing, raws, items, strict=True)}

    def remember(self, list_key: str, text: str, read_yaml: Callable[[str], Any], raw_items: list[Any],
                 items: list[BaseModel], fact_keys: Iterable[str]) -> None:
        """Keep a list read whole (and found valid) to store its items by `prepare`."""
        self.pending.append((list_key, text, read_yaml, raw_items, items, tuple(fact_keys)))

    def prepare(self) -> None:
        """Make entries of the lists read whole. The whole file's items are the chunks' values when
        the file has the simple shape and as many items as chunks: no chunk ran into the next."""
        for list_key, text, read_yaml, raw_items, items, keys in self.pending:
            pieces = _pieces(list_key, text, read_yaml)
            if pieces is None or len(pieces[1]) != len(items):
                continue
            digests = pieces[2]
            jsons = [item.model_dump_json() for item in items]
            model = type(items[0]) if items else BaseModel
            restored: list[BaseModel] = (TypeAdapter(list[model]).validate_json(  # type: ignore[valid-type]
                f"[{','.join(jsons)}]") if items else [])
            for digest, raw, item, back, json in zip(digests, raw_items, items, restored, jsons, strict=True):
                if back == item and isinstance(raw, dict):  # restores equal from JSON
                    self.used[digest] = (_facts(raw, keys), json)
        self.pending.clear()

    def save(self) -> None:
        """Write the entries this build used (atomically); called after a build that succeeded."""
        self.prepare()
        if self.path is None:
            return
        tmp = self.path.with_name(f"{CACHE}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump({"version": VERSION, "key": self.key, "entries": self.used}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self.path)
