"""Writing the built site in place: only changed files are written, stale ones removed."""

from __future__ import annotations

import json
import os
from pathlib import Path

from enforcewatch.sitegen.manifest import MANIFEST, write_changed


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.name != MANIFEST}


def test_first_write_then_nothing_to_write(tmp_path: Path) -> None:
    files = {"index.html": b"home", "a/b/index.html": b"page", "data/x.csv": b"1,2"}
    report = write_changed(files, tmp_path / "out")
    assert (report.written, report.unchanged, report.removed) == (3, 0, 0)
    assert tree(tmp_path / "out") == files
    mtimes = {p: os.stat(tmp_path / "out" / p).st_mtime_ns for p in files}

    again = write_changed(files, tmp_path / "out")
    assert (again.written, again.unchanged, again.removed) == (0, 3, 0)
    assert {p: os.stat(tmp_path / "out" / p).st_mtime_ns for p in files} == mtimes


def test_changed_file_written_and_stale_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_changed({"index.html": b"home", "old/index.html": b"gone soon", "keep.txt": b"k"}, out)
    report = write_changed({"index.html": b"home v2", "keep.txt": b"k"}, out)
    assert (report.written, report.unchanged, report.removed) == (1, 1, 1)
    assert tree(out) == {"index.html": b"home v2", "keep.txt": b"k"}
    assert not (out / "old").exists(), "emptied directories go too"


def test_same_size_change_is_seen(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_changed({"a.html": b"aaaa"}, out)
    assert write_changed({"a.html": b"bbbb"}, out).written == 1
    assert (out / "a.html").read_bytes() == b"bbbb"


def test_file_edited_by_hand_is_restored(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_changed({"a.html": b"built"}, out)
    (out / "a.html").write_bytes(b"edited")
    os.utime(out / "a.html", ns=(1, 1))
    assert write_changed({"a.html": b"built"}, out).written == 1
    assert (out / "a.html").read_bytes() == b"built"


def test_existing_tree_without_manifest_is_compared_by_content(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "d").mkdir(parents=True)
    (out / "d" / "index.html").write_bytes(b"same")
    (out / "other.html").write_bytes(b"differs")
    (out / "stale.html").write_bytes(b"x")
    report = write_changed({"d/index.html": b"same", "other.html": b"new"}, out)
    assert (report.written, report.unchanged, report.removed) == (1, 1, 1)
    assert tree(out) == {"d/index.html": b"same", "other.html": b"new"}


def test_file_and_directory_swap_places(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_changed({"x": b"file", "y/index.html": b"dir"}, out)
    write_changed({"x/index.html": b"now a dir", "y": b"now a file"}, out)
    assert tree(out) == {"x/index.html": b"now a dir", "y": b"now a file"}


def test_corrupt_manifest_falls_back_to_comparing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_changed({"a.html": b"one"}, out)
    (out / MANIFEST).write_text("{not json", encoding="utf-8")
    assert write_changed({"a.html": b"one"}, out).written == 0
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]["a.html"][1] == 3


def test_file_placed_by_hand_after_a_build_stays(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_changed({"index.html": b"home", "gone.html": b"x"}, out)
    (out / "baidu_verify_abc.html").write_bytes(b"verification")
    (out / "gone.html").unlink()
    report = write_changed({"index.html": b"home"}, out)
    assert report.removed == 1
    assert tree(out) == {"index.html": b"home", "baidu_verify_abc.html": b"verification"}
