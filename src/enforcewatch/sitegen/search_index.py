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
import queue
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


class Service:
    """Pagefind's indexing service (`pagefind --service`), spoken to directly over its pipes.

    The requests and answers are those of Pagefind's own Python client (base64 JSON messages,
    each followed by a comma), but that client waits 100 ms before reading each answer (at least
    0.1 s per page added one by one, 0.4 s per bundle) and goes through the disk for the pages
    and the bundle. Here requests are queued to a writer thread and answers taken by a reader
    thread as they arrive, so a caller may send pages while it renders the next ones (`send`) and
    wait for the answers later (`wait`); pages and bundle files travel over the pipes: on a slow
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
        self.answers: dict[object, dict[str, object]] = {}
        self.failure: BaseException | None = None
        self.arrived = threading.Condition()
        self.outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.closed = False
        # A thread each way: a full pipe in one direction would otherwise block both processes.
        self.writer = threading.Thread(target=self._write_all, daemon=True)
        self.reader = threading.Thread(target=self._read_all, daemon=True)
        self.writer.start()
        self.reader.start()

    def send(self, payloads: list[dict[str, object]]) -> list[int]:
        """Queue the requests; return their ids, for `wait`."""
        ids, messages = [], []
        for payload in payloads:
            self.next_id += 1
            ids.append(self.next_id)
            message = json.dumps({"message_id": self.next_id, "payload": payload}).encode("utf-8")
            messages.append(base64.b64encode(message) + b",")
        if messages:
            self.outbox.put_nowait(b"".join(messages))  # an unbounded queue: never waits
        return ids

    def wait(self, ids: list[int]) -> list[dict[str, object]]:
        """The answers to the requests `ids`, in that order, once all have come."""
        with self.arrived:
            self.arrived.wait_for(lambda: self.failure is not None or all(i in self.answers for i in ids))
            if self.failure is not None:
                raise OSError(str(self.failure))
            got = [self.answers.pop(i) for i in ids]
        for payload in got:
            if payload.get("type") == "Error":
                raise RuntimeError(str(payload.get("message")))
        return got

    def ask(self, payloads: list[dict[str, object]]) -> list[dict[str, object]]:
        """Send every request and return the answers in the same order."""
        return self.wait(self.send(payloads))

    def _write_all(self) -> None:
        assert self.proc.stdin is not None
        try:
            while (data := self.outbox.get()) is not None:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
        except OSError as exc:
            self._fail(exc)

    def _read_all(self) -> None:
        try:
            while True:
                answer = json.loads(base64.b64decode(self._read_message()))
                with self.arrived:
                    self.answers[answer.get("message_id")] = answer.get("payload") or {}
                    self.arrived.notify_all()
        except (OSError, ValueError) as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        with self.arrived:
            self.failure = self.failure or exc
            self.arrived.notify_all()

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
        """Stop the process (every answer wanted has been read by now, or the build failed); once."""
        if self.closed:
            return
        self.closed = True
        self.outbox.put_nowait(None)
        self.proc.terminate()
        self.writer.join()
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass  # the pipe broke with the process: nothing is left to flush
        self.proc.wait()
        self.reader.join()


def add_file(index_id: object, rel: str, data: bytes) -> dict[str, object]:
    """The request adding one page (by its path in the site) to an index."""
    return {"type": "AddFile", "index_id": index_id, "url": page_url(rel), "file_path": None,
            "file_contents": data.decode("utf-8")}


def new_index() -> dict[str, object]:
    return {"type": "NewIndex", "config": {"force_language": LANGUAGE}}


def page_url(rel: str) -> str:
    """The URL Pagefind gives a page it reads from `rel` in a site directory."""
    return "/" + rel.removesuffix("index.html")


@dataclass(frozen=True)
class Started:
    """A part whose index a stream created in `service` while the build rendered, and the pages sent to it."""

    service: Service
    index_id: object
    sent: frozenset[str]


def _run_pagefind(parts: list[Mapping[str, bytes]], started: Sequence[Started | None] | None = None
                  ) -> list[dict[str, bytes]]:
    """Index each part (relative page path -> bytes), all in one Pagefind process; return each
    part's bundle files by path. `started`, for each part: the index a stream created in its
    service and the pages it sent (searchstream.py); the stream's service is then the one used."""
    begun = list(started) if started is not None else [None] * len(parts)
    service = next((s.service for s in begun if s is not None), None) or Service()
    try:
        fresh = [n for n, s in enumerate(begun) if s is None]
        created = service.ask([new_index() for _ in fresh])
        indexes: list[object] = [s.index_id if s is not None else None for s in begun]
        for n, answer in zip(fresh, created, strict=True):
            indexes[n] = answer["index_id"]
        service.ask([add_file(i, rel, data) for i, pages, s in zip(indexes, parts, begun, strict=True)
                     for rel, data in pages.items() if s is None or rel not in s.sent])
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


def build_bundles(parts: Mapping[str, Mapping[str, bytes]], primary: str | None = None,
                  started: Mapping[str, Started] | None = None) -> dict[str, dict[str, bytes]]:
    """Index each part (name -> relative page path -> bytes) into a Pagefind bundle of its own;
    return name -> the bundle's files by path inside it. Only the `primary` part keeps Pagefind's
    script, WebAssembly and UI files; the others keep their index data (DATA_FILES). `started`:
    parts a stream began while the build rendered (their pages already sent are not sent again)."""
    names = sorted(parts)
    try:
        got = _run_pagefind([parts[name] for name in names], [(started or {}).get(name) for name in names])
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
