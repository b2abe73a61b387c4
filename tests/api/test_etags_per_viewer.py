"""A request's ETag is per viewer: it moves when, and only when, something that viewer can see changes, and a
write is checked against the tag of the writer's own view. On SQLite and PostgreSQL (the `service` fixture)."""

from __future__ import annotations

from tests.support.service import Service

PATH = "/events/conf/requests/A-B"  # the host's request between A and B, accepted


def patch(service: Service, who: str, body: dict, etag: str | None = None):
    return service.call(who, "PATCH", PATH, json=body, headers={"If-Match": etag or service.etag(who, PATH)})


def test_what_a_liaison_cannot_see_does_not_move_its_etag(service: Service) -> None:
    seen = service.get("A", PATH)
    etag_a, etag_b = seen.headers["ETag"], service.etag("B", PATH)
    assert patch(service, "host", {"priority": 7}).status_code == 200  # the host's priority: A cannot see it
    assert patch(service, "B", {"priority": 3}).status_code == 200  # B's own wish: A cannot see it
    again = service.get("A", PATH)
    assert again.headers["ETag"] == etag_a and again.json() == seen.json()  # nor its revision
    assert service.etag("B", PATH) != etag_b  # B sees its wish

    mine = patch(service, "A", {"priority": 9}, etag_a)  # A's write on what it read is accepted
    assert mine.status_code == 200, mine.text
    assert mine.json()["my_priority"] == 9 and mine.headers["ETag"] != etag_a
    assert mine.headers["ETag"] == service.etag("A", PATH) == f'"{mine.json()["revision"]}"'
    listed = next(r for r in service.get("A", "/events/conf/requests").json() if r["id"] == "A-B")
    assert f'"{listed["revision"]}"' == mine.headers["ETag"]  # the listing carries the same tag
    host_view = service.get("host", PATH).json()
    assert (host_view["priority"], host_view["wishes"]) == (7, {"A": 9, "B": 3})

    # a change every party sees moves every party's tag, and a write on the old one is refused
    etag_a, etag_b = mine.headers["ETag"], service.etag("B", PATH)
    assert patch(service, "host", {"duration_minutes": 45}).status_code == 200
    assert service.etag("A", PATH) != etag_a and service.etag("B", PATH) != etag_b
    assert patch(service, "A", {"priority": 2}, etag_a).status_code == 412
    assert service.get("A", PATH).json()["my_priority"] == 9  # nothing written


def test_a_wish_moves_the_hosts_etag_and_each_writes_on_its_own_view(service: Service) -> None:
    host_etag = service.etag("host", PATH)
    assert patch(service, "A", {"priority": 8}).status_code == 200  # the host sees every wish
    assert patch(service, "host", {"priority": 2}, host_etag).status_code == 412
    # another viewer's current tag is not the caller's: the host's view shows what A's does not
    assert patch(service, "host", {"priority": 2}, service.etag("A", PATH)).status_code == 412
    assert patch(service, "B", {"priority": 2}, service.etag("A", PATH)).status_code == 412
    assert patch(service, "host", {"priority": 2}).status_code == 200


def test_another_delegations_details_do_not_move_a_liaisons_etag_of_the_event(service: Service) -> None:
    seen = service.get("A", "/events/conf")
    read = service.get("host", "/events/conf")
    setting = {k: read.json()[k] for k in ("event", "programme", "rooms", "delegations")}
    for d in setting["delegations"]:
        if d["id"] == "B":
            d["head"] = "Minister B (acting)"  # A sees B's name only
    changed = service.call("host", "PUT", "/events/conf", json=setting, headers={"If-Match": read.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != read.headers["ETag"]  # the host sees it
    again = service.get("A", "/events/conf")
    assert again.headers["ETag"] == seen.headers["ETag"] and again.json() == seen.json()
    setting["rooms"][0]["name"] = "Room One"  # every delegation sees the rooms
    assert service.call("host", "PUT", "/events/conf", json=setting,
                        headers={"If-Match": changed.headers["ETag"]}).status_code == 200
    assert service.get("A", "/events/conf").headers["ETag"] != seen.headers["ETag"]
