"""One end-to-end run against `scheduler serve` as a real process on 127.0.0.1 (API + embedded worker),
over HTTP only: create the event, two liaisons propose and accept, solve, publish, read a delegate's
feed, republish after a change, read it again. The server's log must hold no key and no feed token."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.served import served_with_keys
from tests.support.service import events_of


@pytest.mark.slow
def test_from_serve_to_a_subscribed_calendar(tmp_path: Path) -> None:
    server, keys = served_with_keys(tmp_path)
    base = server.url
    try:
        def call(who: str | None, method: str, path: str, **kw) -> httpx.Response:
            headers = kw.pop("headers", {})
            if who:
                headers["Authorization"] = f"Bearer {keys[who]}"
            return httpx.request(method, f"{base}{path}", headers=headers, timeout=30, **kw)

        proposal = call("A", "POST", "/events/conf/requests", json={"parties": ["A", "C"], "duration_minutes": 45,
                                                                     "priority": 4})
        assert proposal.status_code == 201
        ac = proposal.json()["id"]
        seen_by_c = call("C", "GET", f"/events/conf/requests/{ac}").headers["ETag"]  # C's own view's tag
        accepted = call("C", "POST", f"/events/conf/requests/{ac}/accept", headers={"If-Match": seen_by_c})
        assert accepted.json()["status"] == "accepted"

        def solve_and_publish() -> dict:
            solve = call("host", "POST", "/events/conf/solves", json={"time_limit": 3}).json()
            deadline = time.monotonic() + 90
            while (state := call("host", "GET", f"/events/conf/solves/{solve['id']}").json())["state"] in (
                "queued", "running") and time.monotonic() < deadline:
                time.sleep(0.3)
            assert state["state"] == "done", state
            return call("host", "POST", f"/events/conf/solves/{solve['id']}/publish").json()

        assert solve_and_publish()["version"] == 1
        links = call("A", "GET", "/events/conf/feeds").json()
        assert [link["subject"] for link in links] == ["A"]
        feed_url = links[0]["https"]
        assert feed_url.startswith(f"{base}/feeds/") and links[0]["webcal"].startswith("webcal://127.0.0.1")
        first = httpx.get(feed_url)
        assert first.status_code == 200 and set(events_of(first.content)) == {"A-B", ac}
        quiet = next(link["https"] for link in call("host", "GET", "/events/conf/feeds").json()
                     if link["subject"] == "E")
        quiet_first = httpx.get(quiet)

        etag = call("C", "GET", f"/events/conf/requests/{ac}").headers["ETag"]
        call("C", "POST", f"/events/conf/requests/{ac}/decline", headers={"If-Match": etag})
        assert solve_and_publish()["version"] == 2

        second = httpx.get(feed_url, headers={"If-None-Match": first.headers["ETag"]})
        assert second.status_code == 200
        events = events_of(second.content)
        assert events[ac]["status"] == "CANCELLED" and events[ac]["sequence"] == 1
        # E has no meeting in either version: its feed did not change, so a client's copy is still good
        assert httpx.get(quiet, headers={"If-None-Match": quiet_first.headers["ETag"]}).status_code == 304
    finally:
        output = server.stop()
    token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert "GET /feeds/" in output  # the access log is on ...
    for secret in [token, *keys.values()]:
        assert secret not in output  # ... and holds no secret
