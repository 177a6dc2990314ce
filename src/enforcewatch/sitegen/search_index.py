"""The site's full-text search index: Pagefind run over the rendered public pages, in parts.

The index is built from the pages the build has just rendered (not from a directory on disk), so
it is written and swapped in together with the pages it describes. Pagefind's extended binary
segments Chinese text into words; the browser then loads only the index chunks a query needs.
Only public pages are indexed: not the 404 page, the search page itself, nor per-department
copies of the lists (their items have pages of their own).

The index is not one bundle but several (`searchparts.py` decides which page goes where and
which parts the last build left valid): a change to one item re-indexes only the part holding
its page. The search page merges the parts with Pagefind's multi-index search (`mergeIndex`).
"""

from __future__ import annotations

import base64
import json
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from enforcewatch.errors import ContentError, ContentProblem

BUNDLE_DIR = "pagefind"
LANGUAGE = "zh-cn"
# Pages that would only add noise to the results.
SKIPPED = ("404.html", "search/index.html")
SKIPPED_PARTS = ("/department/", "/changes/", "staff/")
# What a merged (not primary) bundle needs: the script, WebAssembly and UI files come from the
# primary bundle, which the search page imports.
DATA_FILES = ("pagefind-entry.json", ".pf_meta", "index/", "fragment/", "filter/")


def indexed_pages(files: Mapping[str, bytes] | list[str]) -> list[str]:
    """The relative paths of the HTML pages the search covers."""
    return sorted(
        rel for rel in files
        if rel.endswith(".html") and rel not in SKIPPED and not rel.startswith(f"{BUNDLE_DIR}/")
        and not any(part in f"/{rel}" for part in SKIPPED_PARTS)
    )


def pagefind_version() -> str:
    from importlib.metadata import version

    return version("pagefind")


class _Service:
    """Pagefind's indexing service (`pagefind --service`), spoken to directly over its pipe.

    The requests and answers are those of Pagefind's own Python client (base64 JSON messages,
    each followed by a comma), but its client waits 100 ms before reading each answer: four
    answers per bundle made every bundle cost at least 0.4 s whatever its size. Here answers are
    read as soon as they arrive, and each step is sent for every bundle at once.
    """

    def __init__(self) -> None:
        from pagefind.service import get_executable  # the binary of the pinned pagefind package

        exe = get_executable()
        if exe is None:
            raise OSError("找不到 Pagefind 程序")
        self.proc = subprocess.Popen([str(exe), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0
        self.buffer = b""

    def ask(self, payloads: list[dict[str, object]]) -> list[dict[str, object]]:
        """Send every request, then return the answers in the same order."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        ids = []
        for payload in payloads:
            self.next_id += 1
            ids.append(self.next_id)
            message = json.dumps({"message_id": self.next_id, "payload": payload}).encode("utf-8")
            self.proc.stdin.write(base64.b64encode(message) + b",")
        self.proc.stdin.flush()
        answers: dict[int, dict[str, object]] = {}
        while len(answers) < len(ids):
            answer = json.loads(base64.b64decode(self._read_message()))
            payload = answer.get("payload") or {}
            if payload.get("type") == "Error":
                raise RuntimeError(str(payload.get("message")))
            answers[answer.get("message_id")] = payload
        return [answers[i] for i in ids]

    def _read_message(self) -> bytes:
        assert self.proc.stdout is not None
        while b"," not in self.buffer:
            chunk = self.proc.stdout.read1(1 << 20)
            if not chunk:
                raise OSError("Pagefind 意外退出")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b",")
        return message

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.terminate()
        self.proc.wait()


def _run_pagefind(jobs: list[tuple[Path, Path]]) -> None:
    """Index each pages directory into its output directory, all in one Pagefind process."""
    service = _Service()
    try:
        config = {"force_language": LANGUAGE}
        created = service.ask([{"type": "NewIndex", "config": config} for _ in jobs])
        indexes = [answer["index_id"] for answer in created]
        service.ask([{"type": "AddDir", "index_id": i, "path": str(pages)} for i, (pages, _) in zip(indexes, jobs, strict=True)])
        service.ask([{"type": "WriteFiles", "index_id": i, "output_path": str(out)}
                     for i, (_, out) in zip(indexes, jobs, strict=True)])
    finally:
        service.close()


def _fail(message: str) -> ContentError:
    return ContentError([ContentProblem(BUNDLE_DIR, None, "", f"生成搜索索引失败：{message}")])


def build_bundles(parts: Mapping[str, Mapping[str, bytes]], primary: str | None = None) -> dict[str, dict[str, bytes]]:
    """Index each part (name -> relative page path -> bytes) into a Pagefind bundle of its own;
    return name -> the bundle's files by path inside it. Only the `primary` part keeps Pagefind's
    script, WebAssembly and UI files; the others keep their index data (DATA_FILES)."""
    with tempfile.TemporaryDirectory(prefix="ew-search-") as tmp:
        # Pagefind reads a directory far faster than it takes pages one by one over its pipe.
        jobs = {}
        for n, (name, pages) in enumerate(sorted(parts.items())):
            pages_dir, out = Path(tmp) / f"pages-{n}", Path(tmp) / f"out-{n}"
            for rel, data in pages.items():
                target = pages_dir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            jobs[name] = (pages_dir, out)
        try:
            _run_pagefind(list(jobs.values()))
        except (OSError, AssertionError, RuntimeError) as exc:
            raise _fail(str(exc)) from exc
        bundles = {}
        for name, (_pages, out) in jobs.items():
            files = {p.relative_to(out).as_posix(): p for p in sorted(out.rglob("*")) if p.is_file()}
            if "pagefind-entry.json" not in files:
                raise _fail("Pagefind 没有输出文件")
            bundles[name] = {rel: path.read_bytes() for rel, path in files.items()
                             if name == primary or any(rel.startswith(d) or rel.endswith(d) for d in DATA_FILES)}
    if primary is not None and "pagefind.js" not in bundles.get(primary, {}):
        raise _fail("Pagefind 没有输出文件")
    return bundles


def build_index(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Index the public pages among `files` (relative path -> bytes) as one Pagefind bundle;
    return it as relative paths under `pagefind/`. (The build indexes in parts: searchparts.py.)"""
    pages = {rel: files[rel] for rel in indexed_pages(files)}
    bundle = build_bundles({"": pages}, primary="")[""]
    return {f"{BUNDLE_DIR}/{rel}": data for rel, data in bundle.items()}
