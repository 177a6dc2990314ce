"""The site generator: load and validate all content, render every page in memory, then write.

Phase 1 (`load_content`) reads every file and raises one ContentError listing every problem.
Phase 2 renders all pages and data downloads into memory; only when both found no problem does
phase 3 write, in place, the files whose bytes changed (enforcewatch.sitegen.manifest), so a failed build
leaves the previous site whole. Into an absent or empty output, files are written while phase 2
runs, into a new directory moved into place only after it (manifest.FreshTree).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from enforcewatch.errors import ContentError, ContentProblem
from enforcewatch.sitegen import datafiles, feeds, manifest, search_index, searchparts, searchstream
from enforcewatch.sitegen.assets import AssetManifest
from enforcewatch.sitegen.catalog import Department, ListItem
from enforcewatch.sitegen.content import LIST_FILES, Content, load_content
from enforcewatch.sitegen.contentcache import ContentCache
from enforcewatch.sitegen.render import CompiledTemplates, get_template, make_environment, render_template
from enforcewatch.sitegen.renderpool import render_pages
from enforcewatch.sitegen.reuse import LastBuild, base_key, key_of
from enforcewatch.sitegen.supervision_content import OPTIONAL_LIST_FILES

PAGES_TEMPLATES = "pages"
STATIC_DIR = "static"


@dataclass(frozen=True)
class ListSpec:
    key: str  # URL segment and data file stem
    title: str
    attr: str  # attribute of Content
    index_template: str
    item_template: str


LISTS = (
    ListSpec("enforcement-items", "行政执法事项清单", "enforcement",
             "lists/enforcement-items.html", "lists/enforcement-item.html"),
    ListSpec("spot-checks", "随机抽查事项清单", "spot_checks", "lists/spot-checks.html", "lists/spot-check.html"),
    ListSpec("leniency", "“两轻一免”清单", "leniency", "lists/leniency.html", "lists/leniency-entry.html"),
    # seed 002 (四)(五)(二): published when the office has the file (supervision_content.py)
    ListSpec("key-supervision", "重点监管清单", "key_supervision", "lists/key-supervision.html",
             "lists/key-supervision-item.html"),
    ListSpec("prudent-supervision", "包容审慎监管清单", "prudent", "lists/prudent-supervision.html",
             "lists/prudent-item.html"),
    ListSpec("spot-check-results", "“双随机”抽查结果", "spot_check_results", "lists/spot-check-results.html",
             "lists/spot-check-result.html"),
)
assert {s.key for s in LISTS} == set(LIST_FILES) | set(OPTIONAL_LIST_FILES)


def item_path(spec: ListSpec, item_id: str) -> str:
    return f"/{spec.key}/{item_id}/"


def department_path(spec: ListSpec, dept_id: str) -> str:
    return f"/{spec.key}/department/{dept_id}/"


@dataclass
class Output:
    """Rendered files by relative path; the build refuses two files at one path."""

    files: dict[str, bytes] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    problems: list[ContentProblem] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # input key of each item page (reuse.py)
    kept: dict[str, str] = field(default_factory=dict)  # item pages the last build left as they are
    sink: Callable[[str, bytes], None] | None = None  # also hands each file over as it is added

    def add(self, rel: str, data: str | bytes, origin: str) -> None:
        if rel in self.files or rel in self.kept:
            self.problems.append(ContentProblem(
                origin, None, "", f"输出路径 {rel} 与 {self.origin[rel]} 冲突"))
            return
        self.files[rel] = data.encode("utf-8") if isinstance(data, str) else data
        self.origin[rel] = origin
        if self.sink is not None:
            self.sink(rel, self.files[rel])


def _page_file(url_path: str) -> str:
    return url_path.strip("/") + "/index.html" if url_path.strip("/") else "index.html"


# Hooks add context every page receives (e.g. the reporting calendar's due dates).
ContextHook = Callable[[Content], Mapping[str, Any]]


def base_context(content: Content) -> dict[str, Any]:
    nav_pages = [{"title": p.meta.title, "href": f"/{p.slug}/"}
                 for p in sorted(content.pages, key=lambda p: (p.meta.order, p.slug)) if p.meta.nav]
    published = [{"key": s.key, "title": getattr(content, s.attr).meta.title} for s in LISTS
                 if getattr(content, s.attr) is not None]  # every list this site publishes (search page)
    return {"site": content.site, "departments": content.departments, "nav_pages": nav_pages,
            "published_lists": published}


def _by_department(items: list[ListItem], departments: list[Department]) -> list[tuple[Department, list[Any]]]:
    groups: dict[str, list[Any]] = {d.id: [] for d in departments}
    for item in items:
        groups[item.department].append(item)
    return [(d, groups[d.id]) for d in departments]


def _keep(out: Output, last: LastBuild | None, rel: str, key: str, origin: str) -> bool:
    """Record `rel`'s key; True (and kept) when the last build's file was made from the same inputs."""
    if last is None:
        return False
    out.keys[rel] = key
    if last.holds(rel, key) and rel not in out.kept and rel not in out.files:
        out.kept[rel] = key
        out.origin[rel] = origin
        return True
    return False


def _emit(out: Output, last: LastBuild | None, rel: str, key: str, template: Any, context: dict[str, Any]) -> None:
    """Render `template` to `rel`, or keep the last build's file when it was rendered under `key`."""
    name = template.name or "?"
    if not _keep(out, last, rel, key, name):
        out.add(rel, render_template(template, context), name)


def _render_items(env: Any, spec: Any, items: list[Any], item_common: dict[str, Any], depts: dict[str, Any],
                  out: Output, last: LastBuild | None, item_keys: dict[str, str]) -> None:
    """A list's item pages, but those the last build made from the same item (on two CPUs, renderpool.py)."""
    item_tpl = get_template(env, spec.item_template)
    jobs = []
    for item in items:
        path = item_path(spec, item.id)
        if not _keep(out, last, _page_file(path), item_keys.get(item.id, ""), spec.item_template):
            jobs.append((_page_file(path), item_tpl,
                         {**item_common, "item": item, "department": depts[item.department], "page_path": path}))
    for rel, html in render_pages(jobs, render_template):
        out.add(rel, html, spec.item_template)


def _render_downloads(key: str, items: list[Any], depts: dict[str, Any], out: Output, last: LastBuild | None,
                      whole: str) -> None:
    """A list's data files (datafiles.FORMATS), unless the last build made all of them from the same list."""
    downloads = [f"data/{key}.{ext}" for ext in datafiles.FORMATS]
    if all([_keep(out, last, rel, whole, key) for rel in downloads]):
        return
    for rel in downloads:
        out.kept.pop(rel, None)
    for ext, body in datafiles.render(key, items, depts).items():
        out.add(f"data/{key}.{ext}", body, key)


def _render_lists(content: Content, env: Any, ctx: dict[str, Any], out: Output,
                  last: LastBuild | None = None, common_key: str = "") -> list[dict[str, Any]]:
    depts = {d.id: d for d in content.departments}
    summaries = []
    for spec in LISTS:
        data = getattr(content, spec.attr)
        if data is None:  # an optional list the office does not publish (yet)
            continue
        groups = _by_department(data.items, content.departments)
        common = {**ctx, "spec": spec, "data": data, "meta": data.meta, "groups": groups,
                  "item_path": item_path, "department_path": department_path}
        # Keys (reuse.py) of what each page is rendered from, so a rebuild keeps unchanged pages. An
        # item page sees the list without its items and no groups: it depends on its own item only.
        # A list page shows the items of its scope and the count of each department.
        head = data.model_copy(update={"items": []})
        list_key = key_of(common_key, spec.key, head.model_dump_json()) if last is not None else ""
        item_keys = {i.id: key_of(list_key, i.model_dump_json()) for i in data.items} if last is not None else {}
        counts = ",".join(f"{d.id}:{len(items)}" for d, items in groups)
        whole = key_of(list_key, counts, *item_keys.values())  # pages and files made from the whole list
        index = get_template(env, spec.index_template)
        _emit(out, last, _page_file(f"/{spec.key}/"), whole, index,
              {**common, "department": None, "items": data.items, "page_path": f"/{spec.key}/"})
        for dept, items in groups:
            path = department_path(spec, dept.id)
            sheet = datafiles.department_sheet_path(spec.key, dept.id)
            if spec.key in datafiles.SHEET_NAMES and not _keep(  # the lists with a sheet layout (lists import)
                    out, last, sheet, key_of(list_key, counts, dept.id, *(item_keys.get(i.id, "") for i in items)),
                    spec.key):
                out.add(sheet, datafiles.to_xlsx(spec.key, items, depts), spec.key)
            _emit(out, last, _page_file(path), key_of(list_key, counts, dept.id, *(item_keys.get(i.id, "") for i in items)),
                  index, {**common, "department": dept, "items": items, "page_path": path})
        item_common = {**common, "data": head}
        del item_common["groups"]
        _render_items(env, spec, data.items, item_common, depts, out, last, item_keys)
        changes = feeds.recent_changes(spec.key, data.items, depts)
        _emit(out, last, _page_file(feeds.changes_path(spec.key)), whole, get_template(env, "lists/changes.html"), {
            **common, "department": None, "changes": changes, "page_path": feeds.changes_path(spec.key)})
        feed = feeds.feed_path(spec.key).lstrip("/")
        if not _keep(out, last, feed, whole, spec.key):
            out.add(feed, feeds.atom_feed(spec.key, data.meta, changes, content.site.title, content.site.site_url),
                    spec.key)
        _render_downloads(spec.key, data.items, depts, out, last, whole)
        summaries.append({"spec": spec, "meta": data.meta, "count": len(data.items), "href": f"/{spec.key}/"})
    return summaries


def _render_templates_dir(templates_dir: Path, env: Any, ctx: dict[str, Any], out: Output) -> None:
    """Every template under pages/** goes to the same relative path (pages/report/index.html ->
    report/index.html) with the base context; such templates default any extra variable."""
    root = templates_dir / PAGES_TEMPLATES
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*.html")):
        rel = path.relative_to(root).as_posix()
        name = f"{PAGES_TEMPLATES}/{rel}"
        page_path = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        out.add(rel, render_template(get_template(env, name), {**ctx, "page_path": page_path}), name)


def render_site(content: Content, templates_dir: Path, hooks: tuple[ContextHook, ...] = (),
                last: LastBuild | None = None, sink: Callable[[str, bytes], None] | None = None) -> Output:
    """Render every file; with `last`, item pages the last build left unchanged are kept, not
    rendered; with `sink`, each file is also handed to it as soon as it is rendered."""
    env = make_environment(templates_dir)
    env.bytecode_cache = CompiledTemplates(env)
    ctx = base_context(content)
    data_files: dict[str, Any] = {}
    hook_pages: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for hook in hooks:
        added = dict(hook(content))
        data_files.update(added.pop("data_files", {}))  # several hooks may each publish files
        hook_pages.update(added.pop("pages", {}))  # and pages: output path → (template, its own context)
        ctx.update(added)
    ctx["data_files"] = data_files
    out = Output(sink=sink)
    for rel, body in data_files.items():  # files hooks publish (e.g. statistics downloads, draw records)
        out.add(rel, body, "hooks")
    common_key = base_key(templates_dir, ctx) if last is not None else ""
    summaries = _render_lists(content, env, ctx, out, last, common_key)
    page_tpl = get_template(env, "page.html")
    for page in content.pages:
        path = f"/{page.slug}/"
        out.add(_page_file(path), render_template(page_tpl, {**ctx, "page": page, "page_path": path}), page.source)
    _render_templates_dir(templates_dir, env, ctx, out)
    for rel, (name, extra) in sorted(hook_pages.items()):  # e.g. the 涉企检查计划 of each agency and month
        page_path = "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        out.add(rel, render_template(get_template(env, name), {**ctx, **extra, "page_path": page_path}), name)
    out.add("index.html", render_template(get_template(env, "home.html"), {
        **ctx, "lists": summaries, "pages": content.pages, "page_path": "/"}), "home.html")
    out.add("404.html", render_template(get_template(env, "404.html"), {**ctx, "page_path": "/404.html"}), "404.html")
    out.add("sitemap.xml", sitemap(content.site.site_url, [*out.files, *out.kept]), "sitemap.xml")
    out.add("robots.txt", robots(content.site.site_url), "robots.txt")
    out.add("data/index.json", json.dumps(
        [{"list": s["spec"].key, "title": s["spec"].title, "count": s["count"],
          "json": f"/data/{s['spec'].key}.json", "csv": f"/data/{s['spec'].key}.csv",
          "xlsx": f"/data/{s['spec'].key}.xlsx"} for s in summaries],
        ensure_ascii=False, indent=1) + "\n", "data")
    return out


def sitemap(site_url: str, files: Iterable[str]) -> str:
    base = site_url.rstrip("/")
    urls = sorted("/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
                  for rel in files if rel.endswith(".html") and rel != "404.html")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"  <url><loc>{base}{u}</loc></url>" for u in urls]
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(site_url: str) -> str:
    text = "User-agent: *\nDisallow: /api/\nDisallow: /staff/\n"
    if site_url:
        text += f"Sitemap: {site_url.rstrip('/')}/sitemap.xml\n"
    return text


def _copy_static(templates_dir: Path, out: Output) -> None:
    """Each asset under its plain name and its fingerprinted name (enforcewatch.sitegen.assets)."""
    for rel, data in AssetManifest(templates_dir / STATIC_DIR).files().items():
        out.add(rel, data, str(templates_dir / rel))


def write_output(out: Output, out_dir: Path, last: LastBuild | None = None) -> manifest.WriteReport:
    """Write in place only the files whose bytes changed and remove the ones no longer built
    (enforcewatch.sitegen.manifest); called only once everything rendered without a problem. `last` is
    the manifest read before rendering (nothing in the output changes in between)."""
    return manifest.write_changed(out.files, out_dir, out.keys, out.kept, last.records if last else None)


@dataclass(frozen=True)
class BuildResult:
    pages: int
    files: int
    out_dir: Path
    search_pages: int = 0  # pages in the search index (0: no index built)
    search_seconds: float = 0.0  # the search index step alone, for the build report


def _item_pages(content: Content) -> dict[str, list[str]]:
    """The item pages of each published list (list key -> relative paths), known before rendering."""
    return {spec.key: [_page_file(item_path(spec, item.id)) for item in data.items]
            for spec in LISTS if (data := getattr(content, spec.attr)) is not None}


def _fan_out(*sinks: Callable[[str, bytes], None] | None) -> Callable[[str, bytes], None] | None:
    """One sink handing each rendered file to every given sink in turn (None: no sink given)."""
    wanted = [s for s in sinks if s is not None]
    if len(wanted) <= 1:
        return wanted[0] if wanted else None

    def both(rel: str, data: bytes) -> None:
        for sink in wanted:
            sink(rel, data)
    return both


def _add_search_index(out: Output, out_dir: Path, last: LastBuild, stream: searchstream.PartStream | None) -> int:
    """Add the search index to `out`, in parts: only the parts whose pages changed are indexed again
    (searchparts.py), with what the stream began while rendering; return how many pages it covers."""
    parts = searchparts.build_parts(out.files, out.kept, [s.key for s in LISTS], last if last.records else None,
                                    lambda rel: (out_dir / rel).read_bytes(), stream.handover if stream else None)
    for rel, data in parts.files.items():
        out.add(rel, data, search_index.BUNDLE_DIR)
    out.keys.update(parts.keys)
    for rel, key in parts.kept.items():  # checked against the manifest by build_parts
        out.kept[rel] = out.keys[rel] = key
        out.origin[rel] = search_index.BUNDLE_DIR
    return parts.pages


def build_site(content_dir: Path, templates_dir: Path, out_dir: Path,
               hooks: tuple[ContextHook, ...] = (), *, search: bool = True) -> BuildResult:
    cache = ContentCache(out_dir)  # the items the last build into out_dir read (contentcache.py)
    content = load_content(content_dir, cache)
    fresh = manifest.FreshTree.start(out_dir)  # a new output: written while rendering
    stream: searchstream.PartStream | None = None
    try:
        last = LastBuild(out_dir)
        if search and not last.records:  # a full build: item pages go to Pagefind as they are rendered
            stream = searchstream.PartStream.start(_item_pages(content))
        out = render_site(content, templates_dir, hooks, last, _fan_out(fresh.add if fresh else None,
                                                                        stream.offer if stream else None))
        _copy_static(templates_dir, out)
        if out.problems:
            raise ContentError(out.problems)
        pages = sum(1 for rel in [*out.files, *out.kept] if rel.endswith(".html"))
        started = time.perf_counter()
        search_pages = _add_search_index(out, out_dir, last, stream) if search else 0
        search_seconds = time.perf_counter() - started
    except BaseException:
        if stream is not None:
            stream.close()
        if fresh is not None:
            fresh.abort()
        raise
    cache.prepare()  # while the last files are still being written
    if fresh is None or fresh.finish(out.files, out.keys) is None:
        write_output(out, out_dir, last if last.records else None)
    cache.save()
    return BuildResult(pages, len(out.files) + len(out.kept), out_dir, search_pages, search_seconds)
