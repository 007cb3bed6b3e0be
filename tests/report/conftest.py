"""Fixtures for the report tests: a real headless Chromium that may load nothing but file:// URLs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")  # a session-long sync Playwright would leave its loop running for later tests
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Debian's /usr/bin/chromium driven by Playwright).

    A missing browser fails the test, never skips it silently: ``make test`` installs Chromium.
    ``WORKBENCH_SKIP_BROWSER=1`` skips the browser tests on purpose.
    """
    if os.environ.get("WORKBENCH_SKIP_BROWSER") == "1":
        pytest.skip("WORKBENCH_SKIP_BROWSER=1")
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}: run `make test`, which installs it "
            "(apt-get install chromium), or set WORKBENCH_SKIP_BROWSER=1 to skip the browser tests",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "playwright is not importable: run `make test` (it installs workbench[dev])", pytrace=False
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class OfflinePage:
    """A browser page that may load only file:// URLs; every other request is aborted and recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.console: list[str] = []
        page.route("**/*", self._route)
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
        page.on("pageerror", lambda err: self.console.append(f"pageerror: {err}"))

    def _route(self, route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()


@pytest.fixture
def offline_page(chromium: Any) -> Iterator[OfflinePage]:
    context = chromium.new_context()
    try:
        yield OfflinePage(context.new_page())
    finally:
        context.close()
