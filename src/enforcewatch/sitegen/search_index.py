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
import threading
from collections.abc import Mapping

from enforcewatch.errors import ContentError, ContentProblem

BUNDLE_DIR = "pagefind"
LANGUAGE = "zh-cn"
# Pages that would only add noise to the results.
SKIPPED = ("404.html", "search/index.html", "inbox/index.html")  # inbox: a sign-in form (noindex)
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
    # cold start: metadata is read only when the build indexes
    from importlib.metadata import version

    return version("pagefind")


class _Service:
    """Pagefind's indexing service (`pagefind --service`), spoken to directly over its pipes.

    The requests and answers are those of Pagefind's own Python client (base64 JSON messages,
    each followed by a comma), but that client waits 100 ms before reading each answer (at least
    0.1 s per page added one by one, 0.4 s per bundle) and goes through the disk for the pages
    and the bundle. Here every request of a step is sent at once by a writer thread while the
    answers are read as they arrive, and pages and bundle files travel over the pipes: on a slow
    disk writing the pages out and the bundle back cost more than indexing them.
    """

    def __init__(self) -> None:
        # cold start: the binary of the pinned pagefind package is looked up only when the build indexes
        from pagefind.service import get_executable

        exe = get_executable()
        if exe is None:
            raise OSError("找不到 Pagefind 程序")
        self.proc = subprocess.Popen([str(exe), "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.next_id = 0
        self.buffer = b""

    def ask(self, payloads: list[dict[str, object]]) -> list[dict[str, object]]:
        """Send every request and return the answers in the same order."""
        ids, messages = [], []
        for payload in payloads:
            self.next_id += 1
            ids.append(self.next_id)
            message = json.dumps({"message_id": self.next_id, "payload": payload}).encode("utf-8")
            messages.append(base64.b64encode(message) + b",")
        failed: list[BaseException] = []
        # Written from another thread: a full pipe each way would otherwise block both processes.
        writer = threading.Thread(target=self._send, args=(b"".join(messages), failed), daemon=True)
        writer.start()
        answers: dict[object, dict[str, object]] = {}
        try:
            while len(answers) < len(ids):
                answer = json.loads(base64.b64decode(self._read_message()))
                payload = answer.get("payload") or {}
                if payload.get("type") == "Error":
                    raise RuntimeError(str(payload.get("message")))
                answers[answer.get("message_id")] = payload
        finally:
            writer.join()
        if failed:
            raise OSError(str(failed[0]))
        return [answers[i] for i in ids]

    def _send(self, data: bytes, failed: list[BaseException]) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except OSError as exc:
            failed.append(exc)

    def _read_message(self) -> bytes:
        assert self.proc.stdout is not None
        while b"," not in self.buffer:
            chunk = self.proc.stdout.read1(1 << 20)  # type: ignore[attr-defined]  # a BufferedReader
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


def page_url(rel: str) -> str:
    """The URL Pagefind gives a page it reads from `rel` in a site directory."""
    return "/" + rel.removesuffix("index.html")


def _run_pagefind(parts: list[Mapping[str, bytes]]) -> list[dict[str, bytes]]:
    """Index each part (relative page path -> bytes), all in one Pagefind process; return each
    part's bundle files by path."""
    service = _Service()
    try:
        created = service.ask([{"type": "NewIndex", "config": {"force_language": LANGUAGE}} for _ in parts])
        indexes = [answer["index_id"] for answer in created]
        service.ask([{"type": "AddFile", "index_id": i, "url": page_url(rel), "file_path": None,
                      "file_contents": data.decode("utf-8")}
                     for i, pages in zip(indexes, parts, strict=True) for rel, data in pages.items()])
        got = service.ask([{"type": "GetFiles", "index_id": i} for i in indexes])
    finally:
        service.close()
    bundles = []
    for answer in got:
        files = answer.get("files")
        if not isinstance(files, list):
            raise OSError("Pagefind 没有返回索引文件")
        bundles.append({str(f["path"]).lstrip("/"): base64.b64decode(f["content"]) for f in files})
    return bundles


def _fail(message: str) -> ContentError:
    return ContentError([ContentProblem(BUNDLE_DIR, None, "", f"生成搜索索引失败：{message}")])


def _prefix(files: Mapping[str, bytes]) -> str:
    """The directory Pagefind puts its bundle under in the paths it returns (pagefind/...)."""
    entry = next((rel for rel in files if rel.endswith("pagefind-entry.json")), None)
    if entry is None:
        raise _fail("Pagefind 没有输出文件")
    return entry.removesuffix("pagefind-entry.json")


def build_bundles(parts: Mapping[str, Mapping[str, bytes]], primary: str | None = None) -> dict[str, dict[str, bytes]]:
    """Index each part (name -> relative page path -> bytes) into a Pagefind bundle of its own;
    return name -> the bundle's files by path inside it. Only the `primary` part keeps Pagefind's
    script, WebAssembly and UI files; the others keep their index data (DATA_FILES)."""
    names = sorted(parts)
    try:
        got = _run_pagefind([parts[name] for name in names])
    except (OSError, AssertionError, RuntimeError, ValueError, KeyError) as exc:
        raise _fail(str(exc)) from exc
    bundles = {}
    for name, files in zip(names, got, strict=True):
        prefix = _prefix(files)
        inside = {rel[len(prefix):]: data for rel, data in files.items() if rel.startswith(prefix)}
        bundles[name] = {rel: data for rel, data in sorted(inside.items())
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
