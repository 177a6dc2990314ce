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

from enforcewatch.errors import InputError
from enforcewatch.sitegen import listcolumns
from enforcewatch.sitegen.content import ALL_LIST_MODELS, LIST_FILES, load_content
from enforcewatch.sitegen.contentcache import split_items
from enforcewatch.sitegen.contentkeys import all_labels
from enforcewatch.sitegen.listimport import ListImportPlan
from enforcewatch.sitegen.listlines import edit_scalars


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
    """The list file's new text. Only the changed fields of the items that change are rewritten
    (in their lines, or by ruamel.yaml: pure Python, a 2,000-item file takes seconds); the rest of
    the text is kept as it is. A file whose items cannot be cut apart safely (anchors, unusual
    layout) is rewritten whole. A file written with Chinese keys is refused (InputError): the
    writer knows the fields by their English names, and would write a field twice."""
    _refuse_chinese_keys(text, plan.key)
    return _render_chunked(text, plan, source) or _render_whole(text, plan, source)


_KEY = re.compile(r"(?:^|[{,])[ \t]*(?:- )?([^\s:#,{}\[\]'\"]+):(?=[ \t\n])", re.MULTILINE)


def _refuse_chinese_keys(text: str, key: str) -> None:
    labels = all_labels(ALL_LIST_MODELS[key])
    found = next((m for m in _KEY.finditer(text) if m.group(1) in labels), None)
    if found is not None:
        line = text.count("\n", 0, found.start(1)) + 1
        raise InputError(f"{LIST_FILES[key]} 第 {line} 行：清单文件使用了中文键名“{found.group(1)}”，表格导入只能写入"
                         "使用英文键名的清单文件（docs/content-format.md）；请把该文件的键名改为英文后再导入，或直接编辑清单文件")


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
    found_ids = _ids_from_plan(chunks, plan.order, indent) or _ids_and_departments(chunks)
    if found_ids is None:
        return None
    ids, departments = found_ids
    ruamel = _yaml()
    changed = {c.item_id for c in plan.changes if c.action != "新增"}
    out = list(chunks)
    for n, item_id in enumerate(ids):
        if item_id in plan.removed:
            out[n] = _trailing_comments(chunks[n])
        elif item_id in changed:
            entry = yaml.load(chunks[n], Loader=_SafeLoader)[0]  # noqa: S506 - a safe loader
            out[n] = edit_scalars(chunks[n], entry, plan.values[item_id], _fields(plan.key), indent, _plain) \
                or _rewrite(ruamel, chunks[n], plan.values[item_id], plan.key, indent)
    new = [c.item_id for c in plan.changes if c.action == "新增"]
    if new:
        mine = [n for n, dept in enumerate(departments) if dept == plan.department.id]
        at = mine[-1] if mine else len(out) - 1
        body, tail = _split_tail(out[at])
        added = "".join(_entry_text(ruamel, [_item_node(plan.values[i], plan.key)], indent) + "\n" for i in new)
        out[at] = body + ("" if body.endswith("\n\n") else "\n") + added + tail
    doc = ruamel.load(text[:key_at[0]])
    _log(doc, plan, source)
    return _dump(ruamel, doc) + text[key_at[0]:block_at] + "".join(out) + text[block_at + len("".join(chunks)):]


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _ids_from_plan(chunks: list[str], order: list[tuple[str, str]], indent: int
                   ) -> tuple[list[str], list[str | None]] | None:
    """The ids and departments the plan read, in file order, if each chunk's own `id:` line (an id
    is [a-z0-9-], so its line is exact) names the id at its place; else None (parse the text)."""
    if len(order) != len(chunks):
        return None
    line = re.compile(rf"^ {{{indent}}}(?:- |  )id:[ \t]+(['\"]?)([a-z0-9-]+)\1[ \t]*(?:#.*)?$", re.MULTILINE)
    for chunk, (item_id, _) in zip(chunks, order, strict=True):
        found = line.findall(chunk)
        if len(found) != 1 or found[0][1] != item_id:
            return None
    return [i for i, _ in order], [d for _, d in order]


def _ids_and_departments(chunks: list[str]) -> tuple[list[str], list[str | None]] | None:
    """Each chunk's item id and department, from one libyaml parse of the block into nodes (not
    Python objects: that costs as much again); None unless there is one mapping per chunk."""
    root = yaml.compose("".join(chunks), Loader=_SafeLoader)  # noqa: S506 - a safe loader
    if not isinstance(root, yaml.SequenceNode) or len(root.value) != len(chunks):
        return None
    ids: list[str] = []
    departments: list[str | None] = []
    for node in root.value:
        if not isinstance(node, yaml.MappingNode):
            return None
        fields = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        ids.append(str(fields["id"].value) if isinstance(fields.get("id"), yaml.ScalarNode) else "None")
        dept = fields.get("department")
        departments.append(str(dept.value) if isinstance(dept, yaml.ScalarNode) else None)
    return ids, departments


def _rewrite(ruamel: Any, chunk: str, values: dict[str, Any], key: str, indent: int) -> str:
    """One item rewritten by ruamel.yaml (what the quick line edit cannot do: a list, a new field)."""
    seq = ruamel.load(chunk)
    _update(seq[0], values, key)
    return str(_entry_text(ruamel, seq, indent))


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


def _fields(key: str) -> list[str]:
    """The fields an import may change, in the sheet's column order."""
    return [c.field for c in listcolumns.COLUMNS[key] if c.field] + ["updated", "cancelled", "status"]


def _update(node: Any, values: dict[str, Any], key: str) -> None:
    for name in dict.fromkeys(_fields(key)):
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
