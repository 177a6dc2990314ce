"""YAML read two ways for the content loader (`enforcewatch.sitegen.content`).

The line-tracking loader gives every mapping and sequence the line of itself and of each key or
element, so a pydantic error location is placed on its line (`locate`). The quick loader is PyYAML's
libyaml-backed `CSafeLoader` without line numbers; whatever it cannot decide raises `FastReadFailed`
and everything is read again with lines. Both refuse duplicate keys and use the same YAML 1.1 rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import yaml


class LineDict(dict[Any, Any]):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A YAML sequence that remembers its own line and the line of each element."""

    line: int = 0
    item_lines: list[int]


class LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "键必须是简单的文本", key_node.start_mark) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"键 “{key}” 重复（第 {seen[key]} 行已有）", key_node.start_mark)
        seen[key] = line
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line


def _construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> Any:
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [n.start_mark.line + 1 for n in node.value]
    yield data
    data.extend(loader.construct_object(n, deep=True) for n in node.value)


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def locate(data: Any, loc: Sequence[str | int]) -> int | None:
    """The line of the deepest key or element of `loc` that exists in the loaded YAML."""
    line = getattr(data, "line", None) or None
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


class FastReadFailed(Exception):
    """The quick read cannot decide: read everything again with line numbers."""


class FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml-backed safe loader (in PyYAML's wheels) that refuses duplicate keys, as the
    line-tracking loader does; PyYAML alone would keep the last value silently."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        if len(keys) != len(set(keys)):
            raise FastReadFailed
        return super().construct_mapping(node, deep)


def fast_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=FastLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:  # the line-tracking pass will report it with its line
        raise FastReadFailed from exc


def items_of(raw: Any) -> Iterable[tuple[int, dict[Any, Any]]]:
    items = raw.get("items") if isinstance(raw, dict) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def line_of(item: dict[Any, Any], key: str) -> int | None:
    """The line of `key` in a LineDict (plain dicts of the quick read have none)."""
    return getattr(item, "key_lines", {}).get(key, getattr(item, "line", None))
