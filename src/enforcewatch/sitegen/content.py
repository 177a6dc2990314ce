"""Load and validate site/content, collecting every problem in every file before giving up.

Each YAML mapping and sequence remembers the line of itself and of each key or element, so a
pydantic error location like ("items", 3, "basis", 0, "law") is reported at the line of that key
(or of the enclosing item when the key is missing). Nothing is written here: `load_content` either
returns the whole validated `Content` or raises one `ContentError` listing every problem, sorted.

Reading 10,000 items with the pure-Python line-tracking loader takes seconds, so the files are
first read with PyYAML's libyaml-backed `CSafeLoader` (no line numbers). Only if that read finds
any problem is everything read again with the line-tracking loader, which decides the outcome and
places each message. Both passes use the same YAML 1.1 rules, so they cannot disagree on a value.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from enforcewatch.errors import ContentError, ContentProblem
from enforcewatch.sitegen.catalog import (
    ID_RE,
    Department,
    EnforcementItem,
    EnforcementList,
    Enumerations,
    LeniencyEntry,
    LeniencyList,
    PageMeta,
    SiteSettings,
    SpotCheckItem,
    SpotCheckList,
)
from enforcewatch.sitegen.contentcache import ContentCache
from enforcewatch.sitegen.contentkeys import to_english, unknown_key
from enforcewatch.sitegen.supervision_content import (
    FACT_KEYS,
    LIST_MODELS,
    OPTIONAL_LIST_FILES,
    check_results,
)
from enforcewatch.sitegen.supervision_content import ITEM_MODELS as SUPERVISION_ITEM_MODELS

SITE_FILE = "site.yaml"
DEPARTMENTS_FILE = "departments.yaml"
LIST_FILES = {
    "enforcement-items": "lists/enforcement-items.yaml",
    "spot-checks": "lists/spot-checks.yaml",
    "leniency": "lists/leniency.yaml",
}
PAGES_DIR = "pages"
# Path segments the build uses under each list; an item may not take them as its id.
RESERVED_IDS = frozenset({"department", "changes"})  # changes: the recent-changes page (feeds.py)

M = TypeVar("M", bound=BaseModel)


class LineDict(dict[Any, Any]):
    """A YAML mapping that remembers its own line and the line of each key."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A YAML sequence that remembers its own line and the line of each element."""

    line: int = 0
    item_lines: list[int]


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
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


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


@dataclass(frozen=True)
class Page:
    """A Markdown page: its slug (the file name, also its URL), front matter and Markdown body."""

    slug: str
    meta: PageMeta
    body: str
    source: str


@dataclass(frozen=True)
class Content:
    site: SiteSettings
    departments: list[Department]
    enforcement: EnforcementList
    spot_checks: SpotCheckList
    leniency: LeniencyList
    pages: list[Page]
    root: Path = Path("site/content")  # where it was read from (e.g. for calendar data beside it)
    # The supervision lists (seed 002; enforcewatch.sitegen.supervision): None when the office has no file.
    key_supervision: Any = None
    prudent: Any = None
    spot_check_results: Any = None

    def department(self, dept_id: str) -> Department:
        return next(d for d in self.departments if d.id == dept_id)


# Chinese messages for the pydantic error types a content editor meets.
_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（是否拼写错误？）",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "只能使用小写字母、数字和连字符（-），以字母或数字开头，最长 80 个字符",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期，格式 YYYY-MM-DD（不含时间）",
    "list_type": "应为列表",
    "dict_type": "应为键值映射",
    "model_type": "应为键值映射",
    "model_attributes_type": "应为键值映射",
}


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "too_short":
        return f"至少需要 {error.get('ctx', {}).get('min_length', 1)} 项"
    if kind == "value_error":  # a model's own check: its Chinese message without pydantic's prefix
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return str(_MESSAGES.get(kind, error["msg"]))


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


def field_name(loc: Sequence[str | int]) -> str:
    """`basis[0].law` for ("items", 3, "basis", 0, "law"): the line already places the item."""
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "items" and isinstance(parts[1], int):
        parts = parts[2:]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _FastReadFailed(Exception):
    """The quick read cannot decide: read everything again with line numbers."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml-backed safe loader (in PyYAML's wheels) that refuses duplicate keys, as the
    line-tracking loader does; PyYAML alone would keep the last value silently."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        if len(keys) != len(set(keys)):
            raise _FastReadFailed
        return super().construct_mapping(node, deep)


def _fast_yaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:  # the line-tracking pass will report it with its line
        raise _FastReadFailed from exc


class _Collector:
    """Loads files relative to the content directory and collects problems."""

    def __init__(self, root: Path, fast: bool = False, cache: ContentCache | None = None) -> None:
        self.root = root
        self.fast = fast  # any problem aborts, to be found again with line numbers
        self.cache = cache if fast else None  # items read by the last build (contentcache.py)
        self.problems: list[ContentProblem] = []

    def display(self, rel: str) -> str:
        return os.path.join(str(self.root), rel)

    def add(self, rel: str, line: int | None, field: str, message: str) -> None:
        if self.fast:
            raise _FastReadFailed
        self.problems.append(ContentProblem(self.display(rel), line, field, message))

    def read_yaml(self, rel: str, text: str | None = None, line_offset: int = 0) -> Any:
        if text is None:
            path = self.root / rel
            try:
                text = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                self.add(rel, None, "", "文件不存在")
                return None
            except UnicodeDecodeError:
                self.add(rel, None, "", "文件不是 UTF-8 编码")
                return None
        if self.fast:
            return _fast_yaml(text)
        try:
            return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 + line_offset if mark else None
            self.add(rel, line, "", f"YAML 语法错误：{exc.problem or exc.context}")
        except yaml.YAMLError as exc:
            self.add(rel, None, "", f"YAML 语法错误：{exc}")
        return None

    def read_list(self, key: str, rel: str, model: type[BaseModel], fact_keys: Iterable[str]) -> tuple[Any, Any]:
        """(raw data for the cross-file checks, validated list): with a cache, only the items
        it does not hold are parsed and validated; the raw items then hold only `fact_keys`.
        Item keys may be the Chinese column labels (承办机构): they are read as the fields."""
        def fast(text: str) -> Any:
            return _english(key, _fast_yaml(text))

        if self.cache is not None:
            try:
                text = (self.root / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise _FastReadFailed from exc
            try:
                found = self.cache.read_list(key, text, fast, ITEM_MODELS[key], fact_keys)
                if found is not None:
                    rest, facts, items = found
                    return {**rest, "items": facts}, model.model_validate({**rest, "items": items})
            except ValidationError as exc:
                raise _FastReadFailed from exc
            raw = _english(key, self.read_yaml(rel, text))
            value = self.validate(rel, raw, model) if raw is not None else None
            if isinstance(raw, dict) and isinstance(raw.get("items"), list) and value is not None:
                self.cache.remember(key, text, fast, raw["items"], value.items, fact_keys)
            return raw, value
        raw = _english(key, self.read_yaml(rel))
        return raw, self.validate(rel, raw, model) if raw is not None else None

    def validate(self, rel: str, data: Any, model: type[M] | TypeAdapter[Any], line_offset: int = 0,
                 item: type[BaseModel] | None = None) -> Any:
        """`model` validated; an unknown key's message suggests the nearest field of the model that
        holds it (`item`: the model of a list's elements, when `model` is a TypeAdapter)."""
        if data is None and not isinstance(model, TypeAdapter):
            self.add(rel, 1 + line_offset if line_offset else None, "", "文件为空")
            return None
        try:
            if isinstance(model, TypeAdapter):
                return model.validate_python(data)
            return model.model_validate(data)
        except ValidationError as exc:
            root = item if isinstance(model, TypeAdapter) else model
            for error in exc.errors():
                line = locate(data, error["loc"])
                message = _message(error)
                if error["type"] == "extra_forbidden" and root is not None:
                    message = unknown_key(root, error["loc"])
                self.add(rel, line + line_offset if line else None, field_name(error["loc"]), message)
            return None


def _english(key: str, data: Any) -> Any:
    """A list file's data (or a list of its items, read in pieces) with Chinese keys read as the fields."""
    return to_english(ITEM_MODELS[key] if isinstance(data, list) else ALL_LIST_MODELS[key], data)


def _enumerations(raw_site: Any) -> Enumerations:
    """The office's enumerations, or the defaults when site.yaml itself is broken (reported anyway)."""
    if isinstance(raw_site, dict) and isinstance(raw_site.get("enumerations"), dict):
        try:
            return Enumerations.model_validate(raw_site["enumerations"])
        except ValidationError:
            pass
    return Enumerations()


def _items(raw: Any) -> Iterable[tuple[int, dict[Any, Any]]]:
    items = raw.get("items") if isinstance(raw, dict) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def _line(item: dict[Any, Any], key: str) -> int | None:
    """The line of `key` in a LineDict (plain dicts of the quick read have none)."""
    return getattr(item, "key_lines", {}).get(key, getattr(item, "line", None))


def _check_items(c: _Collector, rel: str, raw: Any, dept_ids: set[str] | None,
                 allowed: dict[str, list[str]]) -> None:
    """Cross-file checks on the raw items, so they run even where pydantic found other problems:
    unknown department, a value outside the office's enumerations, duplicate or reserved ids."""
    first_line: dict[str, int | None] = {}
    for _, item in _items(raw):
        _check_id(c, rel, item, first_line)
        dept = item.get("department")
        if dept_ids is not None and isinstance(dept, str) and dept not in dept_ids:
            c.add(rel, _line(item, "department"), "department",
                  f"未知部门 “{dept}”（部门在 {DEPARTMENTS_FILE} 中定义）")
        _check_values(c, rel, item, allowed)


def _check_id(c: _Collector, rel: str, item: Any, first_line: dict[str, int | None]) -> None:
    """An item's id: not used before in the file (`first_line` remembers each), not a reserved word."""
    item_id = item.get("id")
    if not isinstance(item_id, str):
        return
    if item_id in first_line:
        c.add(rel, _line(item, "id"), "id", f"编号 “{item_id}” 重复（第 {first_line[item_id]} 行已使用）")
    else:
        first_line[item_id] = _line(item, "id")
    if item_id in RESERVED_IDS:
        c.add(rel, _line(item, "id"), "id", f"编号 “{item_id}” 是保留字，请换一个")


def _check_values(c: _Collector, rel: str, item: Any, allowed: dict[str, list[str]]) -> None:
    """Each enumerated field (one value or a list) holds values of the office's enumeration."""
    for key, values in allowed.items():
        value = item.get(key)
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, str) and one not in values:
                c.add(rel, _line(item, key), key,
                      f"未知取值 “{one}”，可选：{'、'.join(values)}（在 {SITE_FILE} 的 enumerations 中配置）")


def _check_ratios(c: _Collector, rel: str, raw: Any) -> None:
    """Each spot-check ratio names `base` or a credit class the policy defines (seed 002 §(三))."""
    policy = raw.get("credit_policy") if isinstance(raw, dict) else None
    classes = policy.get("classes") if isinstance(policy, dict) else None
    codes = {k.get("code") for k in classes if isinstance(k, dict)} if isinstance(classes, list) else set()
    for _, item in _items(raw):
        ratios = item.get("ratio_pct")
        if not isinstance(ratios, dict):
            continue
        if "base" not in ratios:
            c.add(rel, _line(item, "ratio_pct"), "ratio_pct", "缺少 base（未分类对象的抽查比例）")
        for key in ratios:
            if key != "base" and key not in codes:
                c.add(rel, getattr(ratios, "key_lines", {}).get(key, getattr(ratios, "line", None)), f"ratio_pct.{key}",
                      f"信用风险类别 “{key}” 未在 credit_policy.classes 中定义")


def split_front_matter(text: str) -> tuple[str, str, int] | None:
    """(front matter, body, line of the first front-matter line) or None without front matter."""
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 3)
    if end == -1:
        end = text.find("\n---", 3)
        if end == -1 or text[end + 4:].strip():
            return None
        return text[4:end + 1], "", 2
    return text[4:end + 1], text[end + 5:], 2


def _load_pages(c: _Collector) -> list[Page]:
    pages: list[Page] = []
    pages_dir = c.root / PAGES_DIR
    if not pages_dir.is_dir():
        return pages
    for path in sorted(pages_dir.glob("*.md")):
        rel = f"{PAGES_DIR}/{path.name}"
        if not ID_RE.match(path.stem):
            c.add(rel, None, "", "文件名只能使用小写字母、数字和连字符（-），它也是页面地址")
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            c.add(rel, None, "", "文件不是 UTF-8 编码")
            continue
        parts = split_front_matter(text.replace("\r\n", "\n"))
        if parts is None:
            c.add(rel, 1, "", "缺少以 --- 开头和结尾的 YAML 头部（至少包含 title）")
            continue
        front, body, first = parts
        raw = to_english(PageMeta, c.read_yaml(rel, front, line_offset=first - 1))
        if raw is None and not front.strip():
            c.add(rel, 1, "title", "缺少必填字段")
            continue
        meta = c.validate(rel, raw, PageMeta, line_offset=first - 1) if raw is not None else None
        if meta is not None:
            pages.append(Page(path.stem, meta, body, c.display(rel)))
    return pages


ITEM_MODELS: dict[str, type[BaseModel]] = {
    "enforcement-items": EnforcementItem, "spot-checks": SpotCheckItem, "leniency": LeniencyEntry,
    **SUPERVISION_ITEM_MODELS}
ALL_LIST_MODELS: dict[str, type[BaseModel]] = {
    "enforcement-items": EnforcementList, "spot-checks": SpotCheckList, "leniency": LeniencyList, **LIST_MODELS}


def load_content(root: Path | str, cache: ContentCache | None = None) -> Content:
    """Read and validate everything under `root`; raise ContentError with every problem, sorted.
    With `cache`, list items the last build read are not parsed again (contentcache.py)."""
    try:
        return _load(_Collector(Path(root), fast=True, cache=cache))
    except _FastReadFailed:
        return _load(_Collector(Path(root)))


def _load_departments(c: _Collector) -> tuple[Any, set[str] | None]:
    """departments.yaml: the models, and the ids the lists may name (None when unreadable)."""
    raw_depts = to_english(Department, c.read_yaml(DEPARTMENTS_FILE))
    if raw_depts is None:
        return None, None
    departments = c.validate(DEPARTMENTS_FILE, raw_depts, TypeAdapter(list[Department]), item=Department)
    if not isinstance(raw_depts, list):
        return departments, None
    dept_ids = {d["id"] for d in raw_depts if isinstance(d, dict) and isinstance(d.get("id"), str)}
    _check_items(c, DEPARTMENTS_FILE, {"items": raw_depts}, None, {})
    return departments, dept_ids


def _load_lists(c: _Collector, enums: Any, dept_ids: set[str] | None, lists: dict[str, Any],
                only: str | None = None) -> Any:
    """The three lists every site publishes (or `only` one), into `lists`; returns the spot-check
    list's raw data."""
    allowed = {
        "enforcement-items": {"kind": enums.enforcement_kinds},
        "spot-checks": {"item_class": enums.spot_check_classes, "methods": enums.check_methods},
        "leniency": {"kind": enums.leniency_kinds, "measures": enums.leniency_measures},
    }
    raw_spot = None
    for key, rel in LIST_FILES.items():
        if only is not None and key != only:
            continue
        # the item keys the checks below read (_check_items, _check_ratios)
        raw, lists[key] = c.read_list(key, rel, ALL_LIST_MODELS[key], ("id", "department", "ratio_pct", *allowed[key]))
        if raw is None:
            continue
        _check_items(c, rel, raw, dept_ids, allowed[key])
        if key == "spot-checks":
            _check_ratios(c, rel, raw)
            raw_spot = raw
    return raw_spot


def _load_optional_lists(c: _Collector, dept_ids: set[str] | None, raw_spot: Any, lists: dict[str, Any]) -> None:
    """The supervision lists (issue 18), each only where the office publishes it."""
    spot_ids = {i["id"] for _, i in _items(raw_spot) if isinstance(i.get("id"), str)} if raw_spot else None
    for key, rel in OPTIONAL_LIST_FILES.items():
        if not (c.root / rel).is_file():
            lists[key] = None
            continue
        raw, lists[key] = c.read_list(key, rel, LIST_MODELS[key], ("id", "department", *FACT_KEYS.get(key, ())))
        if raw is None:
            continue
        _check_items(c, rel, raw, dept_ids, {})
        if key == "spot-check-results":
            check_results(c.add, rel, raw, spot_ids, _items, _line)


def load_list(root: Path | str, key: str) -> tuple[SiteSettings, list[Department], Any]:
    """site.yaml, departments.yaml and one of the three lists, read and checked as `load_content`
    does, without the other files (what a list import needs). Any problem: the whole content is
    read with line numbers and ContentError names every problem."""
    c = _Collector(Path(root), fast=True)
    try:
        raw_site = to_english(SiteSettings, c.read_yaml(SITE_FILE))
        site = c.validate(SITE_FILE, raw_site, SiteSettings)
        departments, dept_ids = _load_departments(c)
        lists: dict[str, Any] = {}
        _load_lists(c, site.enumerations, dept_ids, lists, only=key)
        return site, departments, lists[key]
    except _FastReadFailed:
        content = load_content(root)  # raises ContentError with every problem
        attr = {"enforcement-items": "enforcement", "spot-checks": "spot_checks", "leniency": "leniency"}[key]
        return content.site, content.departments, getattr(content, attr)


def _load(c: _Collector) -> Content:
    raw_site = to_english(SiteSettings, c.read_yaml(SITE_FILE))
    site = c.validate(SITE_FILE, raw_site, SiteSettings) if raw_site is not None else None
    enums = site.enumerations if site is not None else _enumerations(raw_site)
    departments, dept_ids = _load_departments(c)
    lists: dict[str, Any] = {}
    raw_spot = _load_lists(c, enums, dept_ids, lists)
    _load_optional_lists(c, dept_ids, raw_spot, lists)
    pages = _load_pages(c)
    if c.problems:
        c.problems.sort(key=lambda p: (p.path, p.line or 0, p.field, p.message))
        raise ContentError(c.problems)
    assert site is not None and departments is not None  # read without a problem
    return Content(site, departments, lists["enforcement-items"], lists["spot-checks"], lists["leniency"], pages,
                   Path(c.root), lists["key-supervision"], lists["prudent-supervision"], lists["spot-check-results"])
