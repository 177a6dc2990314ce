"""The one Chromium a test session shares (tests/support/browser.py) leaves no trace in later tests:
Playwright marks its event loop as the thread's running loop between its calls, which would make
`asyncio.run()` (and Mangum's handler, which runs a loop) refuse to start in every test after the
first browser module of a worker."""

from __future__ import annotations

import asyncio

import pytest

from support.browser import SharedChromium

pytestmark = pytest.mark.browser


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_a_test_after_a_lent_browser_can_run_an_event_loop(shared_chromium: SharedChromium) -> None:
    for _ in range(2):  # lent twice: the second lend finds the browser running and marks the loop again
        with shared_chromium.lend() as browser:
            context = browser.new_context()
            page = context.new_page()
            page.set_content("<h1>一</h1>")
            assert page.inner_text("h1") == "一"
            context.close()
        assert asyncio.run(_answer()) == 42


def test_a_lent_browser_closes_the_contexts_a_module_left_open(shared_chromium: SharedChromium) -> None:
    with shared_chromium.lend() as browser:
        browser.new_context()
        assert len(browser.contexts) == 1
    with shared_chromium.lend() as browser:
        assert browser.contexts == []
