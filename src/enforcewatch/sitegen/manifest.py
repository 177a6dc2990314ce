"""Write the built site in place, touching only files whose bytes changed.

The build renders and validates everything in memory first, so a content or template error
raises before this module runs and the previous output stays as it was. Here each file is
compared with what the output already holds: a manifest (`.build-manifest.json` in the output)
records the digest, size and modification time of every file the last build wrote, so an
unchanged file costs one `stat`, not a write. Files the last build wrote and the new one no
longer produces are removed, and the manifest is written last. With a manifest, the output is not
walked (10,000 directory reads): a file put there by other means (say a search engine's site
verification file) stays. Without one, every file the new build does not produce is removed. A file that changed on disk since (another size or
mtime) is rewritten; a directory without a manifest is compared by reading its files.

Each record may also carry the key of the inputs the file was rendered from (enforcewatch.sitegen.reuse),
so the next build can keep a page it did not need to render again (`kept`).

Replacing the whole tree instead (write a new directory, swap, delete the old one) cost more
than rendering: on a journalled disk deleting 10,000 files is slower than writing them. Only when
there is no old tree (the output is absent or empty) is a new one written, by `FreshTree`, from
several threads while the build still renders, and moved into place at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

MANIFEST = ".build-manifest.json"
CONTENT_CACHE = ".build-cache"  # enforcewatch.sitegen.contentcache
RECORDS = frozenset({MANIFEST, CONTENT_CACHE})  # the build's own files in the output, never published
VERSION = 1


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_manifest(out_dir: Path) -> dict[str, list[object]]:
    """rel -> [digest, size, mtime_ns, key] of the last build, or {} when absent or unreadable."""
    try:
        raw = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict) or raw.get("version") != VERSION or not isinstance(raw.get("files"), dict):
        return {}
    files: dict[str, list[object]] = raw["files"]
    return files


def existing_files(out_dir: Path) -> set[str]:
    found: set[str] = set()
    base = len(str(out_dir)) + 1
    for dirpath, _dirs, names in os.walk(out_dir):
        prefix = dirpath[base:].replace(os.sep, "/")
        for name in names:
            found.add(f"{prefix}/{name}" if prefix else name)
    return found - RECORDS


def _unchanged(target: str, data: bytes, known: list[object] | None, new_digest: str) -> os.stat_result | None:
    """The file's stat if it already holds `data`, else None."""
    try:
        st = os.stat(target)
    except OSError:
        return None
    if st.st_size != len(data):
        return None
    if known is not None:
        return st if known[:3] == [new_digest, st.st_size, st.st_mtime_ns] else None
    with open(target, "rb") as fh:  # no record of this file: compare its bytes
        return st if fh.read() == data else None


def _write(target: str, data: bytes) -> os.stat_result:
    if os.path.isdir(target):
        shutil.rmtree(target)
    try:
        fh = open(target, "wb")  # noqa: SIM115 - fstat before close
    except (FileNotFoundError, NotADirectoryError):
        _make_parent(target)
        fh = open(target, "wb")  # noqa: SIM115
    with fh:
        fh.write(data)
        fh.flush()
        return os.fstat(fh.fileno())


def _make_parent(target: str) -> None:
    """Create the parent directories, removing a file that stands where a directory must be."""
    parent = os.path.dirname(target)
    try:
        os.makedirs(parent, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        path = parent
        while path and not os.path.isdir(path):
            if os.path.isfile(path):
                os.remove(path)
                break
            path = os.path.dirname(path)
        os.makedirs(parent, exist_ok=True)


def _remove_empty_parents(out_dir: Path, stale: set[str]) -> None:
    """Remove the directories the stale files leave empty (deepest first), never `out_dir`."""
    dirs = {str(Path(rel).parent) for rel in stale}
    parents = {p for d in dirs for p in [d, *(str(x) for x in Path(d).parents)] if p != "."}
    for rel in sorted(parents, key=lambda p: p.count("/"), reverse=True):
        try:
            os.rmdir(out_dir / rel)
        except OSError:  # not empty (or already gone)
            pass


def write_changed(files: Mapping[str, bytes], out_dir: Path, keys: Mapping[str, str] | None = None,
                  kept: Mapping[str, str] | None = None, old: dict[str, list[object]] | None = None) -> WriteReport:
    """Make `out_dir` hold exactly `files` plus the `kept` files of the last build (and the
    manifest), writing only what differs. `keys` and `kept` give input keys to record; `old` is
    the manifest when the caller has already read it."""
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    keys = keys or {}
    kept = kept or {}
    old = read_manifest(out_dir) if old is None else old
    on_disk = set(old) if old else existing_files(out_dir)
    stale = on_disk - files.keys() - kept.keys()
    for rel in sorted(stale):
        try:
            os.remove(out_dir / rel)
        except FileNotFoundError:
            pass
    _remove_empty_parents(out_dir, stale)
    root = str(out_dir)
    records: dict[str, list[object]] = {rel: [*old[rel][:3], key] for rel, key in kept.items() if rel in old}
    written = 0
    for rel, data in files.items():
        target = f"{root}/{rel}"
        new_digest = digest(data)
        st = _unchanged(target, data, old.get(rel), new_digest) if rel in on_disk else None
        if st is None:
            st = _write(target, data)
            written += 1
        records[rel] = [new_digest, st.st_size, st.st_mtime_ns, keys.get(rel, "")]
    tmp = out_dir / f"{MANIFEST}.tmp"
    tmp.write_text(json.dumps({"version": VERSION, "files": records}, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, out_dir / MANIFEST)
    return WriteReport(written, len(files) + len(kept) - written, len(stale))


WRITERS = 4  # threads writing a new tree: creating files and directories waits on the disk, not on Python


def _write_new(target: str, data: bytes, made: set[str]) -> tuple[str, int, int]:
    """Create `target` (in a tree being written from scratch) and return its record."""
    parent = os.path.dirname(target)
    if parent not in made:
        os.makedirs(parent, exist_ok=True)
        made.add(parent)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        st = os.fstat(fd)
    finally:
        os.close(fd)
    return digest(data), st.st_size, st.st_mtime_ns


class FreshTree:
    """A build into an output directory that is absent or empty, written while it renders.

    There is nothing to compare with or keep, so each file is written as soon as it is rendered,
    by a pool of threads, into a new directory beside the output; once everything rendered
    without a problem the directory is moved into place with its manifest. Until then nothing is at
    the output path, and a build that fails removes the new directory (`abort`).
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.root = str(out_dir.parent / f".{out_dir.name}.new-{os.getpid()}-{secrets.token_hex(4)}")
        os.mkdir(self.root)
        self.pool = ThreadPoolExecutor(WRITERS, thread_name_prefix="write")
        self.made: set[str] = {self.root}
        self.pending: dict[str, Future[tuple[str, int, int]]] = {}

    @classmethod
    def start(cls, out_dir: Path) -> FreshTree | None:
        """A FreshTree when `out_dir` is absent or an empty directory, else None."""
        out_dir = out_dir.resolve()
        try:
            if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
                return None
            out_dir.parent.mkdir(parents=True, exist_ok=True)
            return cls(out_dir)
        except OSError:
            return None

    def add(self, rel: str, data: bytes) -> None:
        self.pending[rel] = self.pool.submit(_write_new, f"{self.root}/{rel}", data, self.made)

    def finish(self, files: Mapping[str, bytes], keys: Mapping[str, str]) -> WriteReport | None:
        """Wait for the writes and move the tree into place; None (and nothing moved) when a write
        failed or the tree does not hold exactly `files`, for the caller to write them in place."""
        try:
            records: dict[str, list[object]] = {}
            for rel, future in self.pending.items():
                records[rel] = [*future.result(), keys.get(rel, "")]
            if records.keys() != files.keys():
                raise OSError("the tree written does not match the files built")
            with open(f"{self.root}/{MANIFEST}", "w", encoding="utf-8") as fh:
                fh.write(json.dumps({"version": VERSION, "files": records}, separators=(",", ":")))
            os.rename(self.root, self.out_dir)  # replaces an empty directory
        except OSError:
            self.abort()
            return None
        self.pool.shutdown()
        return WriteReport(len(records), 0, 0)

    def abort(self) -> None:
        """Stop writing and remove the new directory."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.root, ignore_errors=True)
