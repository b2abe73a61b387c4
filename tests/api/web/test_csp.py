"""The strict Content-Security-Policy in a real browser (Debian's chromium) against `scheduler serve`, with every
other host cut off: the desk's pages (as host and as liaison) and the API's documentation pages load, work and
report no violation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.browser import Watched
from tests.support.served import Served, served_with_keys

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    server, keys = served_with_keys(tmp_path_factory.mktemp("csp"))
    try:
        yield server, keys
    finally:
        server.stop()


def sign_in(watched: Watched, server: Served, key: str):
    page = watched.new_page()
    answer = page.goto(f"{server.url}/desk/sign-in")
    assert "script-src 'self'" in answer.headers.get("content-security-policy", "")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def walk(page, server: Served, limit: int = 40) -> dict[str, str | None]:
    """Every desk page linked from the pages reached (breadth first): each page's CSP header."""
    seen: dict[str, str | None] = {}
    queue = [urlsplit(page.url).path]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        answer = page.goto(f"{server.url}{path}")
        page.wait_for_load_state("load")
        seen[path] = answer.headers.get("content-security-policy")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            link = urlsplit(href)
            if not link.netloc and link.path.startswith("/desk") and link.path not in seen:
                queue.append(link.path)
    return seen


@pytest.mark.parametrize("who, pages", [
    ("host", {"/desk/requests", "/desk/solve", "/desk/plan", "/desk/keys", "/desk/feeds"}),
    ("A", {"/desk/proposals", "/desk/agenda", "/desk/feed"}),
])
def test_the_desk_passes_its_content_security_policy(browser, served, who: str, pages: set[str]) -> None:
    server, keys = served
    watched = Watched(browser, server.url)
    try:
        page = sign_in(watched, server, keys[who])
        walked = walk(page, server)
        page.goto(f"{server.url}/desk/requests/no-such-request")  # an error page too
        assert pages <= set(walked), walked
        assert [p for p, policy in walked.items() if not policy or "unsafe" in policy] == []
        assert watched.violations() == [] and watched.elsewhere == []
    finally:
        watched.close()


def test_swagger_ui_works_offline_under_the_csp(browser, served) -> None:
    server, _ = served
    operations = sum(len(o) for o in httpx.get(f"{server.url}/openapi.json").json()["paths"].values())
    watched = Watched(browser, server.url)
    try:
        page = watched.new_page()
        answer = page.goto(f"{server.url}/docs")
        assert "script-src 'self';" in answer.headers["content-security-policy"]
        page.wait_for_selector(".opblock", timeout=30000)
        assert page.locator(".opblock").count() == operations  # every operation of the API, rendered
        assert "/events/{event_id}/requests" in page.inner_text("#swagger-ui")
        assert watched.violations() == [] and watched.elsewhere == []
    finally:
        watched.close()


def test_redoc_works_offline_under_the_csp(browser, served, tmp_path: Path) -> None:
    server, _ = served
    watched = Watched(browser, server.url)
    try:
        page = watched.new_page()
        page.goto(f"{server.url}/redoc")
        page.wait_for_selector("[data-section-id]", timeout=30000)
        assert "Bilateral meetings on the sidelines" in page.inner_text("#redoc")
        # the one thing refused: the Redocly logo of its menu's footer, which ReDoc loads from its CDN (the
        # CSP stops it before it leaves the browser; the page hides the broken image itself)
        assert [v for v in watched.violations() if "cdn.redoc.ly" not in v] == []
        assert watched.elsewhere == []
    finally:
        watched.close()
