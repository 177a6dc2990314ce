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
import shutil
import tempfile
from pathlib import Path
from typing import Any

from enforcewatch.sitegen import listcolumns
from enforcewatch.sitegen.content import LIST_FILES, load_content
from enforcewatch.sitegen.listimport import ListImportPlan


def _yaml() -> Any:
    from ruamel.yaml import YAML  # only when a list is written

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.ignore_aliases = lambda *args: True  # one date object used twice stays two dates
    return yaml


def _flow(value: Any) -> Any:
    """A field value as YAML nodes in the file's own style: short lists and law refs in flow style."""
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
    """The list file's new text."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

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
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


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
