"""The site's full-text search index: Pagefind run over the rendered public pages, in memory.

The index is built from the pages the build has just rendered (not from a directory on disk), so
it is written and swapped in together with the pages it describes. Pagefind's extended binary
segments Chinese text into words; the browser then loads only the index chunks a query needs.
Only public pages are indexed: not the 404 page, the search page itself, nor per-department
copies of the lists (their items have pages of their own).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import tempfile
from collections.abc import Mapping
from pathlib import Path

from enforcewatch.errors import ContentError, ContentProblem

BUNDLE_DIR = "pagefind"
LANGUAGE = "zh-cn"
# Pages that would only add noise to the results.
SKIPPED = ("404.html", "search/index.html")
SKIPPED_PARTS = ("/department/", "/changes/", "staff/")


def indexed_pages(files: Mapping[str, bytes]) -> list[str]:
    """The relative paths of the HTML pages the search covers."""
    return sorted(
        rel for rel in files
        if rel.endswith(".html") and rel not in SKIPPED and not rel.startswith(f"{BUNDLE_DIR}/")
        and not any(part in f"/{rel}" for part in SKIPPED_PARTS)
    )


async def _index(pages_dir: Path, out: Path) -> None:
    # cold start: the search indexer loads only when the build indexes
    from pagefind.index import IndexConfig, PagefindIndex

    config = IndexConfig(force_language=LANGUAGE, output_path=str(out))
    async with PagefindIndex(config=config) as index:
        await index.add_directory(str(pages_dir))
        await index.write_files(output_path=str(out))


def _run_pagefind(pages_dir: Path, out: Path) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_index(pages_dir, out))
        return
    # Called from code that already runs an event loop in this thread (an async server, a
    # browser driver): give Pagefind's client a loop of its own in another thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, _index(pages_dir, out)).result()


def build_index(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Index the public pages among `files` (relative path -> bytes); return the Pagefind bundle
    as relative paths under `pagefind/`."""
    with tempfile.TemporaryDirectory(prefix="ew-search-") as tmp:
        # Pagefind reads a directory far faster than it takes pages one by one over its pipe.
        pages_dir, out = Path(tmp) / "pages", Path(tmp) / BUNDLE_DIR
        for rel in indexed_pages(files):
            target = pages_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[rel])
        try:
            _run_pagefind(pages_dir, out)
        except (OSError, AssertionError, RuntimeError) as exc:
            raise ContentError([ContentProblem(BUNDLE_DIR, None, "", f"生成搜索索引失败：{exc}")]) from exc
        bundle = {f"{BUNDLE_DIR}/{p.relative_to(out).as_posix()}": p.read_bytes()
                  for p in sorted(out.rglob("*")) if p.is_file()}
    if f"{BUNDLE_DIR}/pagefind.js" not in bundle:
        raise ContentError([ContentProblem(BUNDLE_DIR, None, "", "生成搜索索引失败：Pagefind 没有输出文件")])
    return bundle
