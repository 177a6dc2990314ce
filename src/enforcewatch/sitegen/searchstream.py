"""The search index begun while the build renders.

On a full build (an empty output, no last build to reuse) every part of the index is built, and
most pages are item pages, whose part follows from the list's item count and the page's path
(searchparts.py). So Pagefind is started before rendering, the item parts' indexes are created
then, and each item page is sent the moment it is rendered: Pagefind reads and segments pages on
the other CPU while this process renders the rest, instead of after it. What is left for the search
step is the pages that are not items (a few dozen) and Pagefind writing each part's bundle.

At the search step the stream hands its parts over only if they agree with the parts the step
computes from the pages actually rendered (`handover`); otherwise it is closed and the step
indexes everything itself, as it does for a rebuild. Either way the bundles are the same.
"""

from __future__ import annotations

from collections.abc import Mapping

from enforcewatch.sitegen import search_index, searchparts


class PartStream:
    """Item pages sent to one Pagefind service as they are rendered, each to its part's index."""

    def __init__(self, item_pages: Mapping[str, list[str]]) -> None:
        self.lists = frozenset(item_pages)
        self.buckets = {head: searchparts.bucket_count(len(rels)) for head, rels in item_pages.items()}
        names = sorted({searchparts.item_part(rel, head, self.buckets[head])
                        for head, rels in item_pages.items() for rel in rels})
        self.service = search_index.Service()
        try:
            created = self.service.ask([search_index.new_index() for _ in names])
        except BaseException:
            self.service.close()
            raise
        self.indexes = {name: answer["index_id"] for name, answer in zip(names, created, strict=True)}
        self.sent: dict[str, str] = {}  # page -> the part it was sent to
        self.ids: list[int] = []  # the requests whose answers are still to be checked

    @classmethod
    def start(cls, item_pages: Mapping[str, list[str]]) -> PartStream | None:
        """A stream for a site with these item pages (list -> pages), or None where the index is one
        small bundle anyway (searchparts.assign) or Pagefind cannot start (the search step says why)."""
        if sum(len(rels) for rels in item_pages.values()) <= searchparts.PAGES_PER_PART:
            return None
        try:
            return cls(item_pages)
        except (OSError, RuntimeError, ValueError, KeyError):
            return None

    def offer(self, rel: str, data: bytes) -> None:
        """Send `rel` now if it is an indexed item page (anything else waits for the search step)."""
        head = searchparts.item_list(rel, self.lists)
        if head is None or not search_index.indexed_pages([rel]):
            return
        part = searchparts.item_part(rel, head, self.buckets[head])
        index_id = self.indexes.get(part)
        if index_id is None:  # an item page the content did not announce: the search step indexes it
            return
        self.ids.extend(self.service.send([search_index.add_file(index_id, rel, data)]))
        self.sent[rel] = part

    def handover(self, assigned: Mapping[str, list[str]]) -> Mapping[str, search_index.Started] | None:
        """The started parts for the search step, if every page sent is in the part `assigned` puts it
        in; otherwise None, the stream closed (the step then indexes every part itself)."""
        placed = {rel: name for name, rels in assigned.items() for rel in rels}
        if any(placed.get(rel) != part for rel, part in self.sent.items()) or not set(self.indexes) <= set(assigned):
            self.close()
            return None
        self.service.wait(self.ids)  # a page Pagefind refused fails the build here, as in the step
        self.ids = []
        sent: dict[str, set[str]] = {name: set() for name in self.indexes}
        for rel, part in self.sent.items():
            sent[part].add(rel)
        return {name: search_index.Started(self.service, index_id, frozenset(sent[name]))
                for name, index_id in self.indexes.items()}

    def close(self) -> None:
        self.service.close()
