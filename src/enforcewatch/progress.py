"""Progress of long command-line tasks (imports, builds, exports, uploads) on the terminal.

On a terminal a task shows one line it rewrites (`正在上传 120/480`); when stderr is not a terminal
(a pipe, a log file, cron, CI) nothing is shown, so logs keep only the results.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO


class Progress:
    def __init__(self, label: str, total: int | None = None, stream: TextIO | None = None,
                 every: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.label, self.total, self.every = label, total, every
        self.shown = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0
        self._drawn = False

    def step(self, done: int) -> None:
        """Show `done` (of total); redrawn at most every `every` seconds, and always at the end."""
        if not self.shown:
            return
        now = time.monotonic()
        if now - self._last < self.every and done != self.total:
            return
        self._last = now
        of = f"/{self.total}" if self.total is not None else ""
        self.stream.write(f"\r{self.label} {done}{of}")
        self.stream.flush()
        self._drawn = True

    def phase(self, text: str) -> None:
        """A step with no count (正在检查内容…)."""
        if self.shown:
            self.stream.write(f"\r{text}\033[K")
            self.stream.flush()
            self._drawn = True

    def done(self) -> None:
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False


@contextmanager
def working(text: str, label: str = "", stream: TextIO | None = None) -> Iterator[Progress]:
    """Show `text` (正在检查内容…) while the block runs, cleared at its end or on an error; the
    block may count its steps on the Progress it gets (`label` names them)."""
    progress = Progress(label, stream=stream)
    progress.phase(text)
    try:
        yield progress
    finally:
        progress.done()
