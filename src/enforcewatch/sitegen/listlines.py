"""The quick rewrite of a changed list item: when only one-line scalar fields change or are added
(承办机构, 状态, 更新日期 — what most sheet imports change), each changed field's value is replaced in
its own line, keeping the line's comment, each added one goes after the item's last line (where
ruamel.yaml puts it), and the result is read back (libyaml) and must equal the item the
import wants; otherwise the caller rewrites the item with ruamel.yaml. ruamel.yaml is pure Python:
parsing and dumping one item costs about as much as reading the whole sheet's row with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

import yaml

_SCALARS = (str, int, float, bool, dt.date)
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _target(entry: dict[str, Any], values: dict[str, Any], fields: Iterable[str],
            plain: Callable[[Any], Any]) -> tuple[dict[str, Any], list[str]] | None:
    """The item as the import wants it and the names whose value changes or is added; None when a
    field is removed or a value is not a scalar (the caller's full rewrite does those)."""
    target, changed = dict(entry), []
    for name in dict.fromkeys(fields):
        if name not in values:
            continue
        value = values[name]
        empty = value in (None, "", [], {})
        if empty:
            if name in entry:
                return None
            continue
        if name not in entry or plain(entry[name]) != plain(value):
            if not isinstance(value, _SCALARS) or not isinstance(entry.get(name, ""), _SCALARS):
                return None
            target[name] = value
            changed.append(name)
    return target, changed


def _scalar(value: Any) -> str | None:
    """A scalar as one line of YAML (quoted where it must be), or None if it takes more."""
    text: str = yaml.safe_dump(value, allow_unicode=True, width=1 << 30, default_flow_style=True)
    text = text.removesuffix("\n").removesuffix("\n...").removesuffix("\n")
    return None if "\n" in text else text


def edit_scalars(chunk: str, entry: dict[str, Any], values: dict[str, Any], fields: Iterable[str],
                 indent: int, plain: Callable[[Any], Any]) -> str | None:
    """`chunk` (one item of the list, its dash at column `indent`) with the changed scalar fields'
    lines rewritten, or None when that cannot be done safely."""
    found = _target(entry, values, fields, plain)
    if found is None:
        return None
    target, changed = found
    text = chunk
    for name in changed:
        new = _scalar(target[name])
        if new is None:
            return None
        if name not in entry:
            text = _append(text, f"{' ' * (indent + 2)}{name}: {new}\n")
            continue
        line = re.compile(rf"^(?P<lead> {{{indent}}}- | {{{indent + 2}}}){re.escape(name)}:(?P<gap>[ \t]+)"
                          rf"(?P<value>[^\n#]*?)(?P<comment>[ \t]+#[^\n]*)?$", re.MULTILINE)
        hits = list(line.finditer(text))
        if len(hits) != 1 or hits[0]["value"][:1] in ("|", ">", "&", "*", "!", ""):
            return None
        m = hits[0]
        text = text[:m.start("value")] + new + text[m.end("value"):]
    try:
        read = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        return None
    ok = isinstance(read, list) and len(read) == 1 and plain(read[0]) == plain(target)
    return text if ok else None


def _append(chunk: str, line: str) -> str:
    """`line` after the item's last line, before the blank lines and comments that follow it."""
    lines = chunk.splitlines(keepends=True)
    end = len(lines)
    while end > 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    if not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    return "".join([*lines[:end], line, *lines[end:]])
