"""A whole event day at the desk, in Debian's chromium, on `scheduler serve --demo` (the Minsk example):

a liaison proposes and is refused, with words beside the field, for each bad proposal; the host answers from
the dashboard, says in the editor that Hungary leaves at 17:30 and that a salon is closed for the afternoon;
the solve then cannot hold every mandatory meeting (exit 3) and its suggestion opens the pin filled in; the
host saves it, solves again and reads the progress in words, opens the result and publishes after a
confirmation; an older solve cannot be published (its button is disabled, the API says 409).

Every page is photographed at 1280×800 and 390×844 (test-artifacts/event-day/), and the step table with each
page's load time is written beside them (steps.md) and printed.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.support.browser import Watched, signed_in
from tests.support.paths import ROOT
from tests.support.served import Served
from tests.support.service import settings_for

SHOTS = ROOT / "test-artifacts" / "event-day"
EVENT = "/events/minsk-2024-eurasian-security"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


class Day:
    """The pages of the walk: each step timed from the click to the page loaded, and photographed twice."""

    def __init__(self, browser, server: Served):
        self.browser, self.server = browser, server
        shutil.rmtree(SHOTS, ignore_errors=True)  # only this walk's pages
        self.steps: list[tuple[str, str, float]] = []
        self.watching: list[Watched] = []

    def page(self, key: str):
        return signed_in(self.browser, self.server.url, key, self.watching, SIZES["desktop"])

    def step(self, page, name: str, act=None) -> None:
        """Do `act` (a click that loads a page; none: load the page again), time it to the page's load, and
        photograph the page at both sizes."""
        started = time.perf_counter()
        (act or page.reload)()
        page.wait_for_load_state("load")
        self.steps.append((name, page.url.removeprefix(self.server.url), (time.perf_counter() - started) * 1000))
        SHOTS.mkdir(parents=True, exist_ok=True)
        number = len(self.steps)
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            page.screenshot(path=str(SHOTS / f"{number:02d}-{name}-{size}.png"), full_page=True)
        page.set_viewport_size(SIZES["desktop"])

    def table(self) -> str:
        rows = [f"| {i} | {name} | `{url}` | {ms:.0f} |" for i, (name, url, ms) in enumerate(self.steps, 1)]
        return "\n".join(["| # | step | page | load (ms) |", "|---|---|---|---|", *rows]) + "\n"


def _keys(server: Served) -> dict[str, str]:
    log = server.log.read_text()
    found = {who.split()[-1]: key for who, key in re.findall(r"(host key|liaison key [A-Z]+):\s+(bk_\S+)", log)}
    found["host"] = found.pop("key", "")
    assert set(found) == {"host", "HUN", "KAZ"}, log[-2000:]
    return found


@pytest.fixture
def demo(tmp_path: Path):
    server = Served(settings_for(tmp_path), tmp_path, "--demo")
    try:
        yield server, _keys(server)
    finally:
        server.stop()


def _wait_done(page, timeout_ms: int = 120_000) -> None:
    """Until the solve's page shows its end (the progress section gone)."""
    page.wait_for_selector("section[data-poll]", state="detached", timeout=timeout_ms)
    page.wait_for_load_state("load")


@pytest.mark.slow
def test_a_whole_event_day_at_the_desk(browser, demo) -> None:
    server, keys = demo
    day = Day(browser, server)
    host = day.page(keys["host"])
    day.step(host, "dashboard")
    assert "Nothing is solved yet" in host.inner_text("section.next")

    # Hungary's liaison proposes: each bad proposal is refused with words beside its field
    hun = day.page(keys["HUN"])
    day.step(hun, "liaison-requests")
    hun.get_by_label("Counterpart 1").select_option("KAZ")
    hun.get_by_label("Minutes").fill("900")
    day.step(hun, "propose-too-long", lambda: hun.get_by_role("button", name="Propose").click())
    assert "longest day" in hun.locator("#duration-error").inner_text()
    assert hun.get_by_label("Minutes").get_attribute("aria-invalid") == "true"
    hun.get_by_label("Minutes").fill("30")
    hun.get_by_label("Day", exact=True).select_option(label="31 Oct")
    hun.get_by_label("From (HH:MM)").fill("21:00")
    hun.get_by_label("Until (HH:MM)").fill("22:00")
    day.step(hun, "propose-outside-hours", lambda: hun.get_by_role("button", name="Propose").click())
    assert "31 Oct" in hun.locator("#preferred-error").inner_text()
    # the desk's day picker offers only the event's days: a window in 2020 is the API's to refuse
    in_2020 = httpx.post(f"{server.url}{EVENT}/requests", headers={"Authorization": f"Bearer {keys['HUN']}"},
                         json={"parties": ["HUN", "KAZ"], "duration_minutes": 30,
                               "preferred": [{"start": "2020-10-31T10:00", "end": "2020-10-31T11:00"}]})
    assert in_2020.status_code == 422 and in_2020.json()["detail"][0]["loc"][:2] == ["body", "preferred"]
    hun.get_by_label("From (HH:MM)").fill("16:00")
    hun.get_by_label("Until (HH:MM)").fill("17:00")
    day.step(hun, "proposed-second-pair", lambda: hun.get_by_role("button", name="Propose").click())
    assert "HUN-KAZ" in hun.get_by_role("status").inner_text()  # a second Hungary–Kazakhstan request: flagged

    # the host sees it pending on the dashboard and accepts it for all parties
    day.step(host, "dashboard-pending")
    assert "1 proposal waits for an answer." in host.inner_text("section.next")
    day.step(host, "requests-proposed", lambda: host.get_by_role("link", name="Answer proposals").click())
    proposal = host.locator("tr", has_text="HUN-KAZ-")
    assert "also requested as HUN-KAZ" in proposal.inner_text()
    day.step(host, "proposal", lambda: proposal.get_by_role("link", name=re.compile("^Edit")).click())
    day.step(host, "accepted", lambda: host.get_by_role("button", name="Accept for all parties").click())
    assert "accepted" in host.get_by_role("status").inner_text()

    # the editor: Hungary leaves at 17:30 on 31 Oct; Ministerial Salon 1 is closed from 15:00
    day.step(host, "event", lambda: host.get_by_role("link", name="Event", exact=True).click())
    day.step(host, "edit-hungary", lambda: host.locator("#delegation-HUN").get_by_role("link", name="Edit").click())
    host.get_by_label("Presence 1: until").fill("17:30")
    day.step(host, "saved-hungary", lambda: host.get_by_role("button", name="Save delegation").click())
    assert "Saved Hungary" in host.get_by_role("status").inner_text()
    assert "31 Oct 17:30" in host.locator("#delegation-HUN").inner_text()
    day.step(host, "edit-salon", lambda: host.locator("#room-salon-1").get_by_role("link", name="Edit").click())
    host.get_by_label("Closure 1: day").select_option(label="31 Oct")
    host.get_by_label("Closure 1: from").fill("15:00")
    host.get_by_label("Closure 1: until").fill("19:00")
    day.step(host, "saved-salon", lambda: host.get_by_role("button", name="Save room").click())
    assert "closures" in host.get_by_role("status").inner_text()

    # Hungary's two mandatory meetings (with Belarus and with Russia) no longer fit beside BLR-RUS, pinned at
    # 09:00: the solve says so (exit 3), and its suggestion is one click to the pin, filled in
    day.step(host, "solve", lambda: host.get_by_role("link", name="Solve", exact=True).click())
    host.get_by_label("Time limit (seconds)").fill("10")
    host.get_by_role("button", name="Solve the accepted requests").click()
    _wait_done(host)
    day.step(host, "infeasible")
    assert "BLR-RUS" in host.inner_text("pre.message")
    suggestion = host.get_by_role("link", name=re.compile(r"^Pin BLR-RUS at 31 Oct \d\d:\d\d"))
    at = suggestion.inner_text().split(" at 31 Oct ")[1][:5]
    day.step(host, "suggested-pin", lambda: suggestion.click())
    assert "Suggested by the last solve: pin at 31 Oct" in host.inner_text("main")
    assert host.get_by_label("Start (HH:MM)").input_value() == at
    day.step(host, "pinned", lambda: host.get_by_role("button", name="Save", exact=True).click())
    assert "BLR-RUS saved." in host.get_by_role("status").inner_text()

    # solve, reading the progress in words: no figure above 100 %, the phase as a sentence
    host.get_by_role("link", name="Solve", exact=True).click()
    host.get_by_label("Time limit (seconds)").fill("10")
    day.step(host, "solving", lambda: host.get_by_role("button", name="Solve the accepted requests").click())
    words = host.locator("[data-field=words]")
    expect(words).to_contain_text("meetings placed", timeout=60_000)
    assert re.fullmatch(r"\d+ of \d+ meetings placed · priority \d+ · best possible(: proven| ≤ \d+)",
                        words.inner_text()), words.inner_text()
    placed, asked = map(int, re.findall(r"\d+", words.inner_text())[:2])
    assert placed <= asked
    assert host.locator("[data-field=phase_words]").inner_text().startswith(("now ", "choice "))
    assert 0 <= float(host.locator("#time-bar").get_attribute("value")) <= 1
    assert not [p for p in re.findall(r"(\d+(?:\.\d+)?) ?%", host.inner_text("main")) if float(p) > 100]
    day.step(host, "progress")
    _wait_done(host)
    day.step(host, "result")
    main = host.inner_text("main")
    assert main.index("Publish as version 1") < main.index("Proposed schedule") < main.index("Left out")
    assert host.locator("iframe.plan").count() == 1

    # publish, after a confirmation that says what reaches whom
    day.step(host, "confirm-publish", lambda: host.get_by_role("link", name="Publish as version 1…").click())
    assert "Hungary" in host.inner_text("main table")
    day.step(host, "published", lambda: host.get_by_role("button", name="Publish version 1 now").click())
    assert "Version 1 published" in host.get_by_role("status").inner_text()
    hungary = httpx.get(f"{server.url}{EVENT}/schedule", headers={"Authorization": f"Bearer {keys['HUN']}"}).json()
    assert all(m["end"] <= "2024-10-31T17:30" for m in hungary["meetings"]), hungary["meetings"]

    # a solve, then a change: its result is from an older state and cannot be published
    host.get_by_role("link", name="Solve", exact=True).click()
    host.get_by_label("Time limit (seconds)").fill("3")
    host.get_by_role("button", name="Solve the accepted requests").click()
    _wait_done(host)
    older = host.url
    host.get_by_role("link", name="Event", exact=True).click()
    host.locator("#delegation-KAZ").get_by_role("link", name="Edit").click()
    host.get_by_label("Daily limit").fill("4")
    host.get_by_role("button", name="Save delegation").click()
    day.step(host, "stale-result", lambda: host.goto(older))
    assert "Solved from an older state of the event" in host.inner_text("main")
    expect(host.get_by_role("button", name="Publish as version 2")).to_be_disabled()
    solve_id = older.rsplit("/", 1)[1]
    refused = httpx.post(f"{server.url}{EVENT}/solves/{solve_id}/publish",
                         headers={"Authorization": f"Bearer {keys['host']}"})
    assert refused.status_code == 409 and "KAZ" in refused.json()["detail"][0]["msg"]

    table = day.table()
    (SHOTS / "steps.md").write_text(table)
    print("\n" + table)
    assert [v for w in day.watching for v in w.violations()] == []
    assert [u for w in day.watching for u in w.elsewhere] == []
