"""Headless Chromium for the browser tests: one way to launch it, one way into the staff tools page,
and axe-core (WCAG 2.1 AA), which only a context that bypasses the page's CSP may inject.

One Chromium serves a whole test session (each xdist worker has its own): `SharedChromium` launches
it on the first module that asks and lends it to each module through the `browser` fixture in
tests/conftest.py. Tests stay isolated by making their own BrowserContext (cookies, storage, cache
are per context); contexts a module leaves open are closed when it gives the browser back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any

from support.paths import ROOT
from support.staff import PASSWORD

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
SERIOUS = ("serious", "critical")


class SharedChromium:
    """One Playwright driver and one headless Chromium for the session, started on first use.

    Playwright's sync API marks its event loop as the thread's running loop between its calls, and
    while it is marked, `asyncio.run()` and Mangum's handler (which runs a loop) refuse to start in
    this thread. A module-scoped browser kept that to the browser modules; a session-long one would
    leak it into every later test of the worker. So the mark is set only while a module holds the
    browser (`lend`) and cleared when it gives it back: between lends nothing runs on that loop."""

    def __init__(self, chromium_path: str) -> None:
        self.chromium_path = chromium_path
        self._playwright: Any = None
        self._browser: Any = None
        self.launches = 0  # how many Chromium processes this session started (a crash costs one more)

    def _start(self) -> Any:
        from playwright.sync_api import expect, sync_playwright

        # The suite runs on parallel workers of a shared machine: an assertion that waits for the page
        # (expect) waits up to 20 s rather than Playwright's 5 s before it fails. Nothing is timed.
        expect.set_options(timeout=20_000)
        if self._playwright is None:
            self._playwright = sync_playwright().start()
        if self._browser is None or not self._browser.is_connected():
            self._browser = self._playwright.chromium.launch(executable_path=self.chromium_path,
                                                             args=CHROMIUM_ARGS)
            self.launches += 1
        return self._browser

    @contextmanager
    def lend(self) -> Iterator[Any]:
        """The browser for one module; its leftover contexts are closed on the way back."""
        if self._playwright is not None:
            asyncio._set_running_loop(self._playwright._loop)  # noqa: SLF001 - see the class docstring
        browser = self._start()
        try:
            yield browser
        finally:
            if browser.is_connected():
                for context in list(browser.contexts):
                    context.close()
            asyncio._set_running_loop(None)  # noqa: SLF001

    def close(self) -> None:
        if self._playwright is None:
            return
        asyncio._set_running_loop(self._playwright._loop)  # noqa: SLF001
        try:
            if self._browser is not None and self._browser.is_connected():
                self._browser.close()
        finally:
            self._playwright.stop()
            self._playwright = self._browser = None


def axe_context(browser: Any, **options: Any) -> Any:
    """A context that may inject axe-core: the only kind that bypasses the CSP (which refuses injected
    scripts). Whether a page works under its CSP is checked in contexts made without this."""
    return browser.new_context(bypass_csp=True, **options)


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")  # read once per session, not once per checked page


def axe_violations(page: Any, impacts: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
    """axe-core's WCAG 2.1 AA violations on the page as (rule, impact, first targets); only those of
    `impacts` when given. The page must come from `axe_context`.

    axe is asked for its full findings on violations only (`resultTypes`): the passing, incomplete and
    inapplicable rules are still all listed, with one example node each instead of every node, which
    is axe's documented way to make a run cheaper and changes nothing this reads. axe is injected once
    per loaded document (a page checked again, e.g. at another width, reuses it)."""
    if not page.evaluate("() => typeof window.axe?.run === 'function'"):
        page.add_script_tag(content=_axe_source())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", list(WCAG21_AA))
    assert result["passes"], "axe ran no checks"
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"] if impacts is None or v["impact"] in impacts]


def sign_in_tools(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on the staff tools page (the script page) and wait for the work area."""
    page.goto(f"{base}/staff/tools/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#work:not([hidden])")
