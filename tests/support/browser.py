"""Headless Chromium for the browser tests: one way to launch it, one way into the staff tools page,
and axe-core (WCAG 2.1 AA), which only a context that bypasses the page's CSP may inject.

The `browser` fixture in tests/conftest.py launches it once per module (`chromium`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from support.paths import ROOT
from support.staff import PASSWORD

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
SERIOUS = ("serious", "critical")


@contextmanager
def chromium(chromium_path: str) -> Iterator[Any]:
    """A launched headless Chromium, closed on the way out."""
    from playwright.sync_api import expect, sync_playwright

    # The suite runs on parallel workers of a shared machine: an assertion that waits for the page
    # (expect) waits up to 20 s rather than Playwright's 5 s before it fails. Nothing is timed.
    expect.set_options(timeout=20_000)
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def axe_context(browser: Any, **options: Any) -> Any:
    """A context that may inject axe-core: the only kind that bypasses the CSP (which refuses injected
    scripts). Whether a page works under its CSP is checked in contexts made without this."""
    return browser.new_context(bypass_csp=True, **options)


def axe_violations(page: Any, impacts: Sequence[str] | None = None) -> list[tuple[Any, ...]]:
    """axe-core's WCAG 2.1 AA violations on the page as (rule, impact, first targets); only those of
    `impacts` when given. The page must come from `axe_context`."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", list(WCAG21_AA))
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
