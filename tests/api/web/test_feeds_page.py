"""The host's feeds page: a new link for any feed (the event-wide one included), the old one dead at once; a
liaison's session cannot use the host's button."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.service import Service, publish_a_schedule


def signed_in(service: Service, who: str) -> TestClient:
    client = TestClient(service.client.app, base_url="http://testserver", follow_redirects=False)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/desk/sign-in").text).group(1)
    assert client.post("/desk/sign-in", data={"csrf": token, "key": service.keys[who]}).status_code == 303
    return client


def rows(page: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(kind, subject) -> (the https link, the form's CSRF token) of each row of the feeds page."""
    found = {}
    for row in re.findall(r"<tr[^>]*><td>.*?</tr>", page, re.DOTALL):
        link = unescape(re.search(r'<a href="(http[^"]+)">https</a>', row).group(1))
        kind = re.search(r'name="kind" value="([^"]*)"', row).group(1)
        subject = unescape(re.search(r'name="subject" value="([^"]*)"', row).group(1))
        found[kind, subject] = link, re.search(r'name="csrf" value="([^"]+)"', row).group(1)
    return found


@pytest.mark.slow
def test_the_host_makes_a_new_link_for_any_feed_and_the_old_one_dies(sqlite_service: Service,
                                                                     tmp_path: Path) -> None:
    service = sqlite_service
    publish_a_schedule(service, tmp_path)
    host = signed_in(service, "host")
    before = rows(host.get("/desk/feeds").text)
    assert {("event", "conf"), ("delegation", "A")} <= set(before)
    for feed in (("event", "conf"), ("delegation", "A")):
        old, csrf = before[feed]
        path = old.replace(service.settings.public_url, "")
        assert service.get(None, path).status_code == 200
        answer = host.post("/desk/feeds/rotate", data={"csrf": csrf, "kind": feed[0], "subject": feed[1]})
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == f"/desk/feeds#feed-{feed[0]}-{feed[1]}"  # back at its row
        assert service.get(None, path).status_code == 404  # the old link is dead at once
        new = rows(host.get("/desk/feeds").text)[feed][0]
        assert new != old and service.get(None, new.replace(service.settings.public_url, "")).status_code == 200
    kinds = [e["action"] for e in service.get("host", "/events/conf/audit").json() if e["action"] == "feed.rotate"]
    assert len(kinds) == 2


def test_a_liaison_session_cannot_use_the_hosts_button(sqlite_service: Service) -> None:
    liaison = signed_in(sqlite_service, "A")
    csrf = re.search(r'name="csrf" value="([^"]+)"', liaison.get("/desk/proposals").text).group(1)
    answer = liaison.post("/desk/feeds/rotate", data={"csrf": csrf, "kind": "event", "subject": "conf"})
    assert answer.status_code == 303 and answer.headers["location"] == "/desk"  # sent to its own pages


def test_a_feed_that_is_not_named_is_a_page_saying_which(sqlite_service: Service) -> None:
    host = signed_in(sqlite_service, "host")
    csrf = re.search(r'name="csrf" value="([^"]+)"', host.get("/desk/requests").text).group(1)
    answer = host.post("/desk/feeds/rotate", data={"csrf": csrf, "kind": "calendar", "subject": "x"})
    assert answer.status_code == 422 and "which feed?" in answer.text
    assert host.post("/desk/feeds/rotate", data={"kind": "event"}).status_code == 403  # no CSRF token
