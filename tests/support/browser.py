"""Debian's chromium driven by Playwright, for the desk's and the documentation's browser tests: launching it,
cutting it off from every other host, and collecting what its Content-Security-Policy refused."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from tests.support.paths import IN_CI

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

# every `securitypolicyviolation` event of every page, reported to the test (set up before any page script)
LISTEN = """
document.addEventListener("securitypolicyviolation",
    e => window.reportViolation(`${e.effectiveDirective} ${e.blockedURI || "inline"} at ${e.documentURI}`));
"""


@contextmanager
def chromium() -> Iterator:
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail("Debian's chromium is missing (apt-get install chromium)")
        pytest.skip("Debian's chromium is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Watched:
    """A browser context that reaches only `base_url`'s host (anything else is aborted and listed in
    `elsewhere`), and lists the CSP violations its pages report (`violations()`: DOM events and console)."""

    def __init__(self, browser, base_url: str, **options):
        self.context = browser.new_context(**options)
        self.host = urlsplit(base_url).hostname
        self.elsewhere: list[str] = []
        self.console: list[str] = []
        self.events: list[str] = []
        self.context.expose_function("reportViolation", lambda text: self.events.append(text))
        self.context.add_init_script(LISTEN)
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == self.host:
            route.continue_()
        else:
            self.elsewhere.append(url)
            route.abort()

    def new_page(self):
        page = self.context.new_page()
        page.on("console", lambda message: self._console(page, message.text))
        return page

    def _console(self, page, text: str) -> None:
        if "Content Security Policy" in text:
            self.console.append(f"{text} [on {page.url}]")

    def violations(self) -> list[str]:
        """Every violation seen so far, by any page: its DOM events, and the console's messages about it."""
        return self.events + self.console

    def close(self) -> None:
        self.context.close()


def signed_in(browser, url: str, key: str, watching: list[Watched] | None = None,
              viewport: dict | None = None):
    """A page of the desk at `url` signed in with this key (its browser context watched for CSP violations,
    added to `watching`)."""
    watched = Watched(browser, url, viewport=viewport or {"width": 1200, "height": 900})
    if watching is not None:
        watching.append(watched)
    page = watched.new_page()
    page.goto(f"{url}/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page
