"""Every feed URL can be revoked: the event-wide one (every meeting of every delegation) by the host, and a
delegation's or room's the moment it leaves the event, without waiting for the next publication. On SQLite
and PostgreSQL (the `service` fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.service import Service, publish_a_schedule

PUBLIC = "https://bilateral.example.org"


def feed_paths(service: Service) -> dict[tuple[str, str], str]:
    """(kind, subject) -> the path of its feed, as the host lists them."""
    listed = service.get("host", "/events/conf/feeds")
    assert listed.status_code == 200, listed.text
    return {(f["kind"], f["subject"]): f["https"].removeprefix(PUBLIC) for f in listed.json()}


@pytest.mark.slow
def test_the_event_wide_feed_is_rotated_by_the_host_alone(service: Service, tmp_path: Path) -> None:
    publish_a_schedule(service, tmp_path)
    old = feed_paths(service)["event", "conf"]
    assert service.get(None, old).status_code == 200
    assert service.post("A", "/events/conf/feed-token").status_code == 403  # a liaison: not its feed
    assert service.post("admin", "/events/conf/feed-token").status_code == 404  # not a member of the event
    assert service.post("host2", "/events/conf/feed-token").status_code == 404  # another event's host
    assert service.get(None, old).status_code == 200  # the refused calls changed nothing

    rotated = service.post("host", "/events/conf/feed-token")
    assert rotated.status_code == 201, rotated.text
    assert (rotated.json()["kind"], rotated.json()["subject"]) == ("event", "conf")
    new = rotated.json()["https"].removeprefix(PUBLIC)
    assert new != old
    assert service.get(None, old).status_code == 404  # at once
    assert service.get(None, new).status_code == 200
    assert feed_paths(service)["event", "conf"] == new
    audit = service.get("host", "/events/conf/audit").json()
    assert any(e["action"] == "feed.rotate" and e["target"] == "event conf" for e in audit), audit


@pytest.mark.slow
def test_a_delegation_or_room_taken_out_loses_its_feed_at_once(service: Service, tmp_path: Path) -> None:
    publish_a_schedule(service, tmp_path)
    before = feed_paths(service)
    for subject in (("delegation", "E"), ("room", "R2"), ("delegation", "A")):
        assert service.get(None, before[subject]).status_code == 200

    read = service.get("host", "/events/conf")
    setting = {k: read.json()[k] for k in ("event", "programme", "rooms", "delegations")}
    setting["delegations"] = [d for d in setting["delegations"] if d["id"] != "E"]
    setting["rooms"] = [r for r in setting["rooms"] if r["id"] != "R2"]
    replaced = service.call("host", "PUT", "/events/conf", json=setting, headers={"If-Match": read.headers["ETag"]})
    assert replaced.status_code == 200, replaced.text

    # no publication in between: the URLs of what left are dead now, the others still serve
    assert service.get(None, before["delegation", "E"]).status_code == 404
    assert service.get(None, before["room", "R2"]).status_code == 404
    assert service.get(None, before["delegation", "A"]).status_code == 200
    assert service.get(None, before["event", "conf"]).status_code == 200
    assert set(feed_paths(service)) == set(before) - {("delegation", "E"), ("room", "R2")}
    for path in ("/events/conf/delegations/E/feed-token", "/events/conf/rooms/R2/feed-token"):
        refused = service.post("host", path)
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"] == ["path", "subject"]
    assert service.get("E", "/events/conf").status_code == 401  # its liaison key went with it

    # brought back, it gets a new URL; the old one stays dead
    again = service.get("host", "/events/conf")
    back = {**setting, "delegations": read.json()["delegations"]}
    assert service.call("host", "PUT", "/events/conf", json=back,
                        headers={"If-Match": again.headers["ETag"]}).status_code == 200
    returned = feed_paths(service)["delegation", "E"]
    assert returned != before["delegation", "E"]
    assert service.get(None, before["delegation", "E"]).status_code == 404
    assert service.get(None, returned).status_code == 200  # the published version has a file for E
