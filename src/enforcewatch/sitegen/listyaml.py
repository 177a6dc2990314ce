"""Write a list import's plan into the list's YAML file, keeping the office's comments, key order
and layout (ruamel.yaml round trip): only the changed fields of changed items are rewritten, new
items go after the department's last item, and the changes are recorded in `meta.changelog`.

The new text is validated as content (the whole tree, with the new file in place) before the file
is replaced, atomically; a problem leaves the file as it was.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from enforcewatch.sitegen import listcolumns
from enforcewatch.sitegen.content import LIST_FILES, load_content
from enforcewatch.sitegen.contentcache import split_items
from enforcewatch.sitegen.listimport import ListImportPlan


def _yaml() -> Any:
    # cold start: ruamel.yaml (~30 modules) is for writing a list back in the office's own style; the
    # CLI's start and every build load this module without it
    from ruamel.yaml import YAML  # only when a list is written

    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.representer.ignore_aliases = lambda *args: True  # one date object used twice stays two dates
    return rt


def _flow(value: Any) -> Any:
    """A field value as YAML nodes in the file's own style: short lists and law refs in flow style."""
    # cold start: ruamel.yaml (~30 modules) is for writing a list back in the office's own style; the
    # CLI's start and every build load this module without it
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(value, dict):
        out = CommentedMap((k, _flow(v)) for k, v in value.items())
        if "law" in value or all(not isinstance(v, (dict, list)) for v in value.values()):
            out.fa.set_flow_style()
        return out
    if isinstance(value, list):
        seq = CommentedSeq(_flow(v) for v in value)
        if all(not isinstance(v, dict) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _item_node(values: dict[str, Any], key: str) -> Any:
    # cold start: ruamel.yaml (~30 modules) is for writing a list back in the office's own style; the
    # CLI's start and every build load this module without it
    from ruamel.yaml.comments import CommentedMap

    order = [c.field for c in listcolumns.COLUMNS[key] if c.field]
    node = CommentedMap()
    for name in [*order, *values]:
        if name in values and name not in node and values[name] not in (None, "", [], {}):
            node[name] = _flow(values[name])
    if "updated" not in node:
        node["updated"] = values["updated"]
    return node


def render_plan(text: str, plan: ListImportPlan, source: str) -> str:
    """The list file's new text. Only the items that change are parsed and written by ruamel.yaml
    (it is pure Python: a 2,000-item file takes seconds); the rest of the text is kept as it is.
    A file whose items cannot be cut apart safely (anchors, unusual layout) is rewritten whole."""
    return _render_chunked(text, plan, source) or _render_whole(text, plan, source)


def _render_whole(text: str, plan: ListImportPlan, source: str) -> str:
    yaml = _yaml()
    doc = yaml.load(text)
    items = doc["items"]
    changed = {c.item_id for c in plan.changes}
    index = {str(node.get("id")): n for n, node in enumerate(items)}
    for item_id, values in plan.values.items():
        if item_id in changed and item_id in index:
            _update(items[index[item_id]], values, plan.key)
    new = [c.item_id for c in plan.changes if c.action == "新增"]
    at = max((n for n, node in enumerate(items) if node.get("department") == plan.department.id), default=len(items) - 1)
    for offset, item_id in enumerate(new, start=1):
        items.insert(at + offset, _item_node(plan.values[item_id], plan.key))
    for item_id in plan.removed:
        _delete(items, [str(node.get("id")) for node in items].index(item_id))
    _log(doc, plan, source)
    return _dump(yaml, doc)


def _dump(yaml: Any, doc: Any) -> str:
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _log(doc: Any, plan: ListImportPlan, source: str) -> None:
    """Record the changes in `meta.changelog`, newest first (as the office keeps it)."""
    # cold start: ruamel.yaml (~30 modules) is for writing a list back in the office's own style; the
    # CLI's start and every build load this module without it
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    meta = doc["meta"]
    trailing = None
    if "changelog" not in meta:  # the blank line (or comment) after meta moves below the new log
        trailing = meta.ca.items.pop(list(meta)[-1], None)
        meta["changelog"] = CommentedSeq()
    log = meta["changelog"]
    for action in ("取消", "调整", "新增"):
        ids = [c.item_id for c in plan.changes if c.action == action]
        if ids:
            entry = CommentedMap([("date", plan.today), ("action", action), ("items", _flow(ids)),
                                  ("reason", f"{plan.department.name}报送的清单表格导入（{source}）")])
            log.insert(0, entry)
    if trailing is not None and len(log):
        log[-1].ca.items["reason"] = trailing


_ITEMS_KEY = re.compile(r"^items:[ \t]*(?:#.*)?$", re.MULTILINE)


def _render_chunked(text: str, plan: ListImportPlan, source: str) -> str | None:
    found = split_items(text)
    if found is None or not found[1] or text.startswith("---"):
        return None
    chunks = found[1]
    block_at = text.rfind("".join(chunks))
    key_at = [m.start() for m in _ITEMS_KEY.finditer(text, 0, max(block_at, 0))]
    if block_at < 0 or len(key_at) != 1:
        return None
    indent = len(chunks[0]) - len(chunks[0].lstrip(" "))
    # One quick (libyaml) read of the whole block; one entry per chunk, or the file is read whole.
    entries = yaml.load("".join(chunks), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    if not isinstance(entries, list) or len(entries) != len(chunks) or not all(isinstance(e, dict) for e in entries):
        return None
    ids = [str(e.get("id")) for e in entries]
    ruamel = _yaml()
    changed = {c.item_id for c in plan.changes if c.action != "新增"}
    out = list(chunks)
    for n, item_id in enumerate(ids):
        if item_id in plan.removed:
            out[n] = _trailing_comments(chunks[n])
        elif item_id in changed:
            seq = ruamel.load(chunks[n])
            _update(seq[0], plan.values[item_id], plan.key)
            out[n] = _entry_text(ruamel, seq, indent)
    new = [c.item_id for c in plan.changes if c.action == "新增"]
    if new:
        mine = [n for n, e in enumerate(entries) if e.get("department") == plan.department.id]
        at = mine[-1] if mine else len(out) - 1
        body, tail = _split_tail(out[at])
        added = "".join(_entry_text(ruamel, [_item_node(plan.values[i], plan.key)], indent) + "\n" for i in new)
        out[at] = body + ("" if body.endswith("\n\n") else "\n") + added + tail
    doc = ruamel.load(text[:key_at[0]])
    _log(doc, plan, source)
    return _dump(ruamel, doc) + text[key_at[0]:block_at] + "".join(out) + text[block_at + len("".join(chunks)):]


def _shift(text: str, by: int) -> str:
    """Indent every non-empty line by `by` spaces (negative: remove up to that many)."""
    lines = text.splitlines(keepends=True)
    if by >= 0:
        return "".join(" " * by + line if line.strip() else line for line in lines)
    cut = -by
    return "".join(line[min(cut, len(line) - len(line.lstrip(" "))):] for line in lines)


def _split_tail(chunk: str) -> tuple[str, str]:
    """(the item with the blank lines after it, the comment lines that follow: the next heading)."""
    lines = chunk.splitlines(keepends=True)
    start = len(lines)
    while start > 1 and (not lines[start - 1].strip() or lines[start - 1].lstrip().startswith("#")):
        start -= 1
    first_comment = next((i for i in range(start, len(lines)) if lines[i].strip()), len(lines))
    return "".join(lines[:first_comment]), "".join(lines[first_comment:])


def _entry_text(ruamel: Any, seq: Any, indent: int) -> str:
    """A one-item sequence dumped, its dash at column `indent` (ruamel indents a root sequence too)."""
    text = _dump(ruamel, seq)
    own = len(text) - len(text.lstrip(" "))
    return text if own == indent else _shift(_shift(text, -own), indent)


def _trailing_comments(chunk: str) -> str:
    return _split_tail(chunk)[1]


def _delete(items: Any, index: int) -> None:
    """Remove an item; what followed it (a blank line, the next department's heading comment), which
    ruamel keeps on the item's last key, goes to the item before it."""
    node = items[index]
    after = node.ca.items.get(list(node)[-1]) if len(node) else None
    if index > 0 and after is not None and len(items[index - 1]):
        items[index - 1].ca.items[list(items[index - 1])[-1]] = after
    del items[index]


def _update(node: Any, values: dict[str, Any], key: str) -> None:
    fields = [c.field for c in listcolumns.COLUMNS[key] if c.field] + ["updated", "cancelled", "status"]
    for name in dict.fromkeys(fields):
        if name not in values:
            continue
        value = values[name]
        old = node.get(name)
        if value in (None, "", [], {}):
            if name in node:
                del node[name]
            continue
        if _plain(old) != _plain(value):
            node[name] = _flow(value)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def write_plan(root: Path, plan: ListImportPlan, source: str) -> Path:
    """Write the plan into the list file after checking the whole content with it in place."""
    path = root / LIST_FILES[plan.key]
    text = render_plan(path.read_text(encoding="utf-8"), plan, source)
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / "content"
        shutil.copytree(root, trial)
        (trial / LIST_FILES[plan.key]).write_text(text, encoding="utf-8")
        load_content(trial)  # raises ContentError naming the problem; the real file is untouched
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
