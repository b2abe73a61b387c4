"""The event editor in a real browser (chromium through Playwright, against `scheduler serve`): the host
opens the event, says delegation A leaves at 11:30 in the form's own day and HH:MM fields, saves, and sees the
departure and the confirmation on the event's row; a departure before the arrival is said beside its row."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.support.browser import Watched
from tests.support.paths import ROOT
from tests.support.served import served_with_keys

SHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.mark.slow
def test_the_host_changes_a_departure_in_the_editor(browser, tmp_path: Path) -> None:
    server, keys = served_with_keys(tmp_path)
    try:
        watched = Watched(browser, server.url, viewport={"width": 1200, "height": 900})
        page = watched.new_page()
        page.goto(f"{server.url}/")
        page.get_by_label("API key").fill(keys["host"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        page.get_by_role("link", name="Event", exact=True).click()
        page.wait_for_load_state()
        assert "throughout" in page.locator("#delegation-A").inner_text()
        page.locator("#delegation-A").get_by_role("link", name="Edit").click()
        page.wait_for_load_state()
        assert page.locator("input[type=date], input[type=datetime-local]").count() == 0
        page.get_by_label("Present only at these times").check()
        page.get_by_label("Presence 1: day").select_option(label="31 Oct")
        page.get_by_label("Presence 1: from").fill("09:00")
        page.locator("#available-0-end").fill("08:00")  # before the arrival: the service says so, beside the row
        page.get_by_role("button", name="Save delegation").click()
        page.wait_for_load_state()
        assert "not after start" in page.locator("#available-0-error").inner_text()
        assert page.locator("#available-0-start").get_attribute("aria-invalid") == "true"
        page.locator("#available-0-end").fill("11:30")
        page.get_by_role("button", name="Save delegation").click()
        page.wait_for_url("**/desk/event?saved=delegation-A#delegation-A")
        row = page.locator("#delegation-A").inner_text()
        assert "31 Oct 09:00" in row and "31 Oct 11:30" in row
        assert "Saved Delegation A (A): arrival and departure." in page.get_by_role("status").inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "host-event-editor.png"), full_page=True)
        page.goto(f"{server.url}/desk/event/delegations/A")
        page.screenshot(path=str(SHOTS / "host-event-delegation.png"), full_page=True)
        page.goto(f"{server.url}/desk/event/rooms/R2")
        page.screenshot(path=str(SHOTS / "host-event-room.png"), full_page=True)
        event = httpx.get(f"{server.url}/events/conf", headers={"Authorization": f"Bearer {keys['host']}"}).json()
        assert next(d for d in event["delegations"] if d["id"] == "A")["available"] == [
            {"start": "2024-10-31T09:00", "end": "2024-10-31T11:30"}]
        assert watched.violations() == [] and watched.elsewhere == []
    finally:
        server.stop()
