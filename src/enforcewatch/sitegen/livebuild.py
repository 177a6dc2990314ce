"""The site `enforcewatch serve` shows, rebuilt when site/content or the templates change.

A thread looks at the files' sizes and modification times every `interval` seconds; when they
change (and then hold still until the next look, so a half-saved file is not built) the site is
built into the other of two directories, and only a complete build becomes the one served: the
old output is served until then. A failed build leaves the old output in place and keeps its
problems (`errors`) for the terminal and for the banner the local server puts on every page.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from enforcewatch.errors import ContentError, EnforceWatchError

Snapshot = dict[str, tuple[int, int]]
Builder = Callable[[Path], object]  # builds the site into the given directory; raises on problems


def snapshot(*roots: Path) -> Snapshot:
    """(mtime_ns, size) of every file under `roots` (editors' swap files included: they settle)."""
    out: Snapshot = {}
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except FileNotFoundError:
                    continue
                out[path] = (st.st_mtime_ns, st.st_size)
    return out


@dataclass
class LiveSite:
    """The directory being served and the problems of the last build, if it failed."""

    dirs: tuple[Path, Path]
    watched: tuple[Path, ...]
    build: Builder
    say: Callable[[str], None]
    current: Path = field(init=False)
    errors: list[str] = field(default_factory=list)
    builds: int = 0  # completed rebuilds, for tests and the terminal
    _seen: Snapshot = field(default_factory=dict)
    _pending: Snapshot = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.current = self.dirs[0]

    def start(self) -> None:
        """Build once into the first directory (raising on problems: nothing to serve yet)."""
        self._seen = snapshot(*self.watched)
        self.build(self.current)

    def check(self) -> bool:
        """One look; rebuild if something changed and has settled. True if a rebuild ran."""
        now = snapshot(*self.watched)
        if now == self._seen:
            return False
        if now != self._pending:  # changed since the last look: wait until it holds still
            self._pending = now
            return False
        self._seen = now
        target = self.dirs[1] if self.current == self.dirs[0] else self.dirs[0]
        try:
            self.build(target)
        except ContentError as exc:
            self.errors = [str(p) for p in exc.problems]
        except EnforceWatchError as exc:
            self.errors = [exc.message]
        else:
            self.current, self.errors = target, []
            self.builds += 1
            self.say(f"内容已更改，网站已重新生成（第 {self.builds} 次）")
            return True
        self.say("内容有错误，网站仍显示上次成功生成的版本：\n" + "\n".join(self.errors))
        return True

    def watch(self, interval: float = 1.0) -> threading.Thread:
        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.check()
                except Exception as exc:  # noqa: BLE001 - the server keeps running; the terminal says why
                    self.errors = [f"重新生成失败：{exc}"]
                    self.say(self.errors[0])

        thread = threading.Thread(target=loop, name="enforcewatch-live-build", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
