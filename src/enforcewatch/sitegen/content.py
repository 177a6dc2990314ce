"""Load and validate site/content, collecting every problem in every file before giving up.

Each YAML mapping and sequence remembers the line of itself and of each key or element
(`yamllines`), so a pydantic error location like ("items", 3, "basis", 0, "law") is reported at the
line of that key (or of the enclosing item when the key is missing), in Chinese (`contentmessages`);
the checks across files are in `contentchecks`. Nothing is written here: `load_content` either
returns the whole validated `Content` or raises one `ContentError` listing every problem, sorted.

Reading 10,000 items with the pure-Python line-tracking loader takes seconds, so the files are
first read with PyYAML's libyaml-backed `CSafeLoader` (no line numbers). Only if that read finds
any problem is everything read again with the line-tracking loader, which decides the outcome and
places each message. Both passes use the same YAML 1.1 rules, so they cannot disagree on a value.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
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
from enforcewatch.sitegen.contentchecks import DEPARTMENTS_FILE, SITE_FILE, check_items, check_ratios
from enforcewatch.sitegen.contentkeys import to_english, unknown_key
from enforcewatch.sitegen.contentmessages import field_name, problem_message
from enforcewatch.sitegen.supervision_content import (
    FACT_KEYS,
    LIST_MODELS,
    OPTIONAL_LIST_FILES,
    check_results,
)
from enforcewatch.sitegen.supervision_content import ITEM_MODELS as SUPERVISION_ITEM_MODELS
from enforcewatch.sitegen.yamllines import FastReadFailed, LineLoader, fast_yaml, items_of, line_of, locate

LIST_FILES = {
    "enforcement-items": "lists/enforcement-items.yaml",
    "spot-checks": "lists/spot-checks.yaml",
    "leniency": "lists/leniency.yaml",
}
PAGES_DIR = "pages"

M = TypeVar("M", bound=BaseModel)


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
            raise FastReadFailed
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
            return fast_yaml(text)
        try:
            return yaml.load(text, Loader=LineLoader)  # noqa: S506 - a SafeLoader subclass
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
            return _english(key, fast_yaml(text))

        if self.cache is not None:
            try:
                text = (self.root / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise FastReadFailed from exc
            try:
                found = self.cache.read_list(key, text, fast, ITEM_MODELS[key], fact_keys)
                if found is not None:
                    rest, facts, items = found
                    return {**rest, "items": facts}, model.model_validate({**rest, "items": items})
            except ValidationError as exc:
                raise FastReadFailed from exc
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
                message = problem_message(error)
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
    except FastReadFailed:
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
    check_items(c.add, DEPARTMENTS_FILE, {"items": raw_depts}, None, {})
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
        # the item keys the checks below read (check_items, check_ratios)
        raw, lists[key] = c.read_list(key, rel, ALL_LIST_MODELS[key], ("id", "department", "ratio_pct", *allowed[key]))
        if raw is None:
            continue
        check_items(c.add, rel, raw, dept_ids, allowed[key])
        if key == "spot-checks":
            check_ratios(c.add, rel, raw)
            raw_spot = raw
    return raw_spot


def _load_optional_lists(c: _Collector, dept_ids: set[str] | None, raw_spot: Any, lists: dict[str, Any]) -> None:
    """The supervision lists (issue 18), each only where the office publishes it."""
    spot_ids = {i["id"] for _, i in items_of(raw_spot) if isinstance(i.get("id"), str)} if raw_spot else None
    for key, rel in OPTIONAL_LIST_FILES.items():
        if not (c.root / rel).is_file():
            lists[key] = None
            continue
        raw, lists[key] = c.read_list(key, rel, LIST_MODELS[key], ("id", "department", *FACT_KEYS.get(key, ())))
        if raw is None:
            continue
        check_items(c.add, rel, raw, dept_ids, {})
        if key == "spot-check-results":
            check_results(c.add, rel, raw, spot_ids, items_of, line_of)


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
    except FastReadFailed:
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
