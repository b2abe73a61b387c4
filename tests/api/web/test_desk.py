"""The protocol desk in a real browser (Debian's chromium driven by Playwright) against `scheduler serve`:
a host and two liaisons sign in, propose, accept, solve (watching the progress), publish, open the feed
link from the page and read it. Screenshots of every page go to test-artifacts/screenshots/ (not committed).
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.support.browser import Watched, signed_in
from tests.support.paths import ROOT
from tests.support.served import served_with_keys

SHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture
def desk(tmp_path: Path):
    server, keys = served_with_keys(tmp_path)  # base_input: the host's A-B and C-D (none of A's business)
    try:
        yield server, keys
    finally:
        server.stop()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.slow
def test_host_and_two_liaisons_go_through_the_whole_flow(browser, desk) -> None:
    server, keys = desk
    watching: list[Watched] = []
    a = signed_in(browser, server.url, keys["A"], watching)
    assert "Requests of Delegation A" in a.inner_text("h1")
    shot(a, "liaison-requests")
    # A proposes a meeting with C; the form speaks the service's validation
    a.get_by_label("Counterpart 1").select_option("C")
    a.get_by_label("Minutes").fill("45")
    a.get_by_label("Priority").fill("4")
    a.get_by_role("button", name="Propose").click()
    a.wait_for_load_state()
    assert "A-C" in a.inner_text("section[aria-labelledby=mine]")
    a.get_by_label("Counterpart 1").select_option("C")
    a.get_by_label("Day").select_option(label="31 Oct")  # the event's days, in the event's time
    a.get_by_label("From").fill("11:00")
    a.get_by_label("Until").fill("10:00")
    a.get_by_role("button", name="Propose").click()
    a.wait_for_load_state()
    said = a.locator("#preferred-error").inner_text()  # the service's message, next to the fields it names
    assert "not after start" in said
    assert a.get_by_label("From").get_attribute("aria-invalid") == "true"
    shot(a, "liaison-propose-error")
    # C accepts it
    c = signed_in(browser, server.url, keys["C"], watching)
    waiting = c.locator("section[aria-labelledby=waiting]")
    assert "A-C" in waiting.inner_text()
    shot(c, "liaison-waiting")
    waiting.get_by_role("button", name="Accept A-C-").click()
    c.wait_for_load_state()
    assert "Nothing is waiting for you." in c.inner_text("section[aria-labelledby=waiting]")
    # the host sees it accepted, solves and watches the progress update, then publishes
    host = signed_in(browser, server.url, keys["host"], watching)
    assert "Nothing is solved yet" in host.inner_text("section.next")  # the dashboard, the host's landing
    host.get_by_role("link", name="Requests").click()
    assert "accepted" in host.locator("tr", has_text="A-C").inner_text()
    shot(host, "host-requests")
    host.get_by_role("link", name="Solve", exact=True).click()
    host.get_by_label("Time limit (seconds)").fill("4")
    host.get_by_role("button", name="Solve the accepted requests").click()
    host.wait_for_url(re.compile(r".*/desk/solves/s_.*"))
    # the progress updates (a locator: a string evaluated in the page would be refused by the CSP's script-src)
    expect(host.locator(".figures").first).to_contain_text("meetings placed", timeout=30000)
    shot(host, "host-solve-progress")
    host.get_by_role("link", name="Publish as version 1…").wait_for(timeout=60000)
    assert "new" in host.inner_text("main")
    shot(host, "host-solve-result")
    host.get_by_role("link", name="Publish as version 1…").click()
    host.get_by_role("button", name="Publish version 1 now").click()
    host.wait_for_url(re.compile(r".*/desk/home"))
    # once published, a solve re-plans from the version: strict moves nothing that need not move
    host.get_by_role("link", name="Solve", exact=True).click()
    host.get_by_label("Time limit (seconds)").fill("4")
    host.get_by_label("Keep to published version 1").select_option("strict")
    host.get_by_role("button", name="Solve the accepted requests").click()
    host.wait_for_url(re.compile(r".*/desk/solves/s_.*"))
    host.get_by_role("link", name="Publish as version 2…").wait_for(timeout=60000)
    assert "Re-planned from version 1 (strict): 3 unchanged, 0 moved, 0 new, 0 cancelled." in host.inner_text("main")
    shot(host, "host-replan-result")
    host.goto(f"{server.url}/desk/plan/grid")
    shot(host, "host-room-plan")
    for page, name in (("keys", "host-keys"), ("feeds", "host-feeds")):
        host.goto(f"{server.url}/desk/{page}")
        shot(host, name)
    # A opens its agenda and its calendar link, and the link serves its meetings
    a.get_by_role("link", name="Agenda").click()
    a.wait_for_load_state()
    assert "Meeting with Delegation C" in a.inner_text("main")
    shot(a, "liaison-agenda")
    a.get_by_role("link", name="Calendar link").click()
    a.wait_for_load_state()
    shot(a, "liaison-feed")
    assert a.locator(".qr svg").count() == 1
    url = a.locator("code.secret").inner_text()
    assert a.get_by_role("link", name="Subscribe on this device (webcal)").get_attribute("href").startswith("webcal://")
    calendar = Calendar.from_ical(httpx.get(url).content)
    uids = sorted(str(e["UID"]).split("@")[0] for e in calendar.walk("VEVENT"))
    assert uids[0] == "A-B" and uids[1].startswith("A-C-") and len(uids) == 2
    # what A's pages hold of other delegations: their names in the roster, never their requests or meetings
    for path in ("/desk/proposals", "/desk/agenda", "/desk/feed"):
        a.goto(f"{server.url}{path}")
        assert "C-D" not in a.content(), path
    # a form post without the CSRF token is refused, with A's own cookie
    forged = a.request.post(f"{server.url}/desk/requests", form={"party": "C", "duration_minutes": "30"})
    assert forged.status == 403
    # signing out ends the session
    a.get_by_role("button", name="Sign out").click()
    a.wait_for_url(re.compile(r".*/desk/sign-in"))
    a.goto(f"{server.url}/desk/agenda")
    assert a.url.endswith("/desk/sign-in")
    # all of it under the strict CSP (the progress above is the desk's script at work), nothing from elsewhere
    assert [v for w in watching for v in w.violations()] == []
    assert [u for w in watching for u in w.elsewhere] == []


@pytest.mark.slow
def test_keyboard_reaches_every_control_of_the_propose_form(browser, desk) -> None:
    server, keys = desk
    a = signed_in(browser, server.url, keys["A"])
    reached = set()
    for _ in range(40):
        a.keyboard.press("Tab")
        reached.add(a.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert {"party-0", "duration", "priority", "pref-day", "pref-start", "pref-end", "Propose"} <= reached
    unlabelled = a.evaluate("""[...document.querySelectorAll('input:not([type=hidden]), select')]
        .filter(e => !e.labels || e.labels.length === 0).map(e => e.name)""")
    assert unlabelled == []
