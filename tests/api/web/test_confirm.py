"""Irreversible acts in a real browser (Debian's chromium): desk.js asks first; dismissed, nothing happens;
accepted, the act is done, the page says so and is back at the row; the button is busy meanwhile."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.browser import Watched, signed_in
from tests.support.served import served_with_keys


@pytest.fixture
def desk(tmp_path: Path):
    server, keys = served_with_keys(tmp_path)
    try:
        yield server, keys
    finally:
        server.stop()


def revoked(server, host_key: str, key_id: str) -> bool:
    keys = httpx.get(f"{server.url}/events/conf/keys", headers={"Authorization": f"Bearer {host_key}"}).json()
    return next(k for k in keys if k["id"] == key_id)["revoked_at"] is not None


@pytest.mark.slow
def test_a_revoke_asks_first_and_says_what_it_did(browser, desk) -> None:
    server, keys = desk
    watching: list[Watched] = []
    host = signed_in(browser, server.url, keys["host"], watching)
    host.goto(f"{server.url}/desk/keys")
    row = host.locator("tr", has_text="liaison").filter(has_text="A").first
    key_id = row.get_attribute("id").removeprefix("key-")
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    host.once("dialog", dismiss)
    row.get_by_role("button", name="Revoke").click()
    host.wait_for_timeout(500)
    assert asked == [f"Revoke key {key_id}? Whoever holds it is signed out at once."]
    assert not revoked(server, keys["host"], key_id)
    assert host.locator("[role=status]").count() == 0
    assert row.get_by_role("button", name="Revoke").is_enabled()  # not left busy

    def accept(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    host.once("dialog", accept)
    row.get_by_role("button", name="Revoke").click()
    host.wait_for_url(f"{server.url}/desk/keys#key-{key_id}")
    assert len(asked) == 2 and revoked(server, keys["host"], key_id)
    assert host.locator("[role=status]").inner_text().startswith(f"Key {key_id} revoked")
    host.reload()
    assert host.locator("p[role=status]").count() == 0  # said once
    assert [v for w in watching for v in w.violations()] == []


@pytest.mark.slow
def test_a_double_click_posts_once_and_the_button_says_it_is_working(browser, desk) -> None:
    server, keys = desk
    proposed = httpx.post(f"{server.url}/events/conf/requests", json={"parties": ["A", "C"], "duration_minutes": 30},
                          headers={"Authorization": f"Bearer {keys['A']}"})
    request_id = proposed.json()["id"]
    c = signed_in(browser, server.url, keys["C"])
    held: list = []
    c.route("**/accept", lambda route: held.append(route))  # the answer is held back: time to click again
    seen: list = []  # the button as the page shows it meanwhile (Playwright waits out a navigation to look)
    c.expose_function("reportButton", lambda *state: seen.append(state))
    button = c.locator(f"form[action='/desk/requests/{request_id}/accept'] button")
    button.evaluate("""b => { b.click(); setTimeout(() => b.click(), 300);  // again while the first is on its way
        setTimeout(() => window.reportButton(b.textContent, b.getAttribute("aria-busy"), b.disabled), 600); }""")
    c.wait_for_timeout(900)
    assert seen == [("Working…", "true", True)]
    assert len(held) == 1  # one post, not a second, stale one (412)
    for route in held:
        route.continue_()
    c.wait_for_url(f"{server.url}/desk/proposals#request-{request_id}")
    assert c.locator("[role=status]").inner_text() == f"{request_id} accepted."
