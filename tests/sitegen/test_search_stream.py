"""The search index begun while the build renders (enforcewatch.sitegen.searchstream): a full build
sends its item pages to Pagefind as they are rendered, and the parts it publishes hold the same
pages and text as the parts the search step builds on its own; when the stream's parts disagree
with the step's, or the build fails, the stream is closed and nothing is left running. (That the
streamed parts find what one bundle finds, in Chromium: test_search_parts_browser.py.)"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from enforcewatch.errors import ContentError
from enforcewatch.sitegen import searchparts, searchstream
from enforcewatch.sitegen.build import build_site

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "site" / "templates"


class _Spy:
    """Records each stream started and what its handover gave."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.streams: list[searchstream.PartStream] = []
        self.handed: list[dict[str, Any] | None] = []
        start, handover = searchstream.PartStream.start.__func__, searchstream.PartStream.handover  # type: ignore[attr-defined]

        def spy_start(cls: type[searchstream.PartStream], pages: dict[str, list[str]]) -> searchstream.PartStream | None:
            stream = start(cls, pages)
            if stream is not None:
                self.streams.append(stream)
            return stream

        def spy_handover(stream: searchstream.PartStream, assigned: dict[str, list[str]]) -> dict[str, Any] | None:
            got = handover(stream, assigned)
            self.handed.append(got)
            return got

        monkeypatch.setattr(searchstream.PartStream, "start", classmethod(spy_start))
        monkeypatch.setattr(searchstream.PartStream, "handover", spy_handover)


def _fragments(out: Path) -> dict[str, dict[str, Any]]:
    """Every indexed page's fragment (its URL, text, title) by URL, over all parts."""
    found = {}
    for path in (out / "pagefind").rglob("fragment/*.pf_fragment"):
        fragment = json.loads(gzip.decompress(path.read_bytes()).split(b"pagefind_dcd", 1)[1])
        found[fragment["url"]] = {k: fragment[k] for k in ("content", "meta", "word_count")}
    return found


def _parts(out: Path) -> list[str]:
    return [p.strip("/").rsplit("/", 1)[1].rsplit("-", 1)[0]
            for p in json.loads((out / searchparts.LISTING).read_text(encoding="utf-8"))["parts"]]


@pytest.fixture()
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "site" / "content", tmp_path / "content")
    monkeypatch.setattr(searchparts, "PAGES_PER_PART", 8)  # the shipped lists: several parts each, streamed
    return tmp_path / "content"


def test_a_full_build_streams_its_item_pages_and_publishes_the_same_parts(content: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    build_site(content, TEMPLATES, tmp_path / "streamed")
    assert len(spy.streams) == 1 and spy.handed[0] is not None
    stream = spy.streams[0]
    items = [rel for rel in stream.sent if rel.startswith("enforcement-items/")]
    assert len(items) > 8 and len(stream.sent) == sum(len(s.sent) for s in spy.handed[0].values())
    assert stream.service.proc.poll() is not None  # Pagefind stopped with the build
    monkeypatch.setattr(searchstream.PartStream, "start", classmethod(lambda cls, pages: None))
    build_site(content, TEMPLATES, tmp_path / "unstreamed")
    assert _parts(tmp_path / "streamed") == _parts(tmp_path / "unstreamed")
    streamed, unstreamed = _fragments(tmp_path / "streamed"), _fragments(tmp_path / "unstreamed")
    assert streamed == unstreamed and len(streamed) > len(items)


def test_a_rebuild_does_not_stream(content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_site(content, TEMPLATES, tmp_path / "out")
    spy = _Spy(monkeypatch)
    build_site(content, TEMPLATES, tmp_path / "out")
    assert spy.streams == []


def test_a_small_site_does_not_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    build_site(ROOT / "site" / "content", TEMPLATES, tmp_path / "out")  # fewer pages than one part holds
    assert spy.streams == []


def test_parts_that_disagree_are_indexed_by_the_step_from_scratch(content: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    real_offer = searchstream.PartStream.offer

    def misplacing_offer(stream: searchstream.PartStream, rel: str, data: bytes) -> None:
        real_offer(stream, rel, data)
        if rel in stream.sent:  # as if the step's parts were counted otherwise than the stream's
            stream.sent[rel] = "enforcement-items-99"
    monkeypatch.setattr(searchstream.PartStream, "offer", misplacing_offer)
    build_site(content, TEMPLATES, tmp_path / "fallback")
    assert spy.handed == [None] and spy.streams[0].service.proc.poll() is not None
    monkeypatch.setattr(searchstream.PartStream, "start", classmethod(lambda cls, pages: None))
    build_site(content, TEMPLATES, tmp_path / "unstreamed")
    assert _fragments(tmp_path / "fallback") == _fragments(tmp_path / "unstreamed")


def test_a_failed_build_stops_the_stream_and_leaves_no_output(content: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _Spy(monkeypatch)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    home = templates / "home.html"  # rendered after every item page
    home.write_text(home.read_text(encoding="utf-8").replace("{% endblock %}", "{{ no_such_thing.attribute }}{% endblock %}", 1),
                    encoding="utf-8")
    with pytest.raises(ContentError):
        build_site(content, templates, tmp_path / "out")
    assert spy.streams and spy.streams[0].sent  # it had streamed item pages before the failure
    assert spy.streams[0].service.proc.poll() is not None
    assert not (tmp_path / "out").exists()
