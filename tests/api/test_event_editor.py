"""The event editor's API (issue 22): the host replaces one delegation, room or programme item, or adds a
room or a programme item; each write is checked with the whole setting and the live requests, If-Match-safe,
audited, and a 422 names the field inside the item."""

from __future__ import annotations

from pathlib import Path

from tests.support.service import DAY, Service, base_input, settings_for, start_service


def _item(service: Service, kind: str, item_id: str) -> dict:
    return next(i for i in service.get("host", "/events/conf").json()[kind] if i["id"] == item_id)


def _put(service: Service, path: str, body: dict, etag: str | None = None):
    etag = etag or service.etag("host", "/events/conf")
    return service.call("host", "PUT", f"/events/conf{path}", json=body, headers={"If-Match": etag})


def test_the_host_changes_a_delegations_departure(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    before = service.etag("host", "/events/conf")
    a = _item(service, "delegations", "A")
    leaves = {**a, "available": [{"start": f"{DAY}T09:00", "end": f"{DAY}T11:00"}], "max_meetings_per_day": 2}
    response = _put(service, "/delegations/A", leaves, before)
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] != before and response.headers["ETag"] == service.etag("host", "/events/conf")
    assert _item(service, "delegations", "A") == leaves
    assert response.json()["delegations"][0] == leaves
    audit = service.get("host", "/events/conf/audit").json()
    entry = next(e for e in audit if e["action"] == "delegation.update")
    assert entry["target"] == "A" and entry["detail"]["fields"] == ["available", "max_meetings_per_day"]


def test_a_422_names_the_field_inside_the_item_and_changes_nothing(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    setting = service.get("host", "/events/conf").json()
    a = _item(service, "delegations", "A")
    backwards = {**a, "available": [{"start": f"{DAY}T11:00", "end": f"{DAY}T10:00"}]}
    response = _put(service, "/delegations/A", backwards)
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "available", 0, "end"] and "not after start" in problem["msg"]
    closed = {**_item(service, "rooms", "R1"), "capacity": 0}
    capacity = _put(service, "/rooms/R1", closed).json()["detail"]
    assert capacity[0]["loc"] == ["body", "capacity"], capacity
    lunch = {**_item(service, "programme", "lunch"), "room": "nowhere"}
    room = _put(service, "/programme/lunch", lunch).json()["detail"]
    assert room == [{"loc": ["body", "room"], "msg": "unknown room 'nowhere'", "type": "contract"}]
    other_id = _put(service, "/delegations/A", {**a, "id": "Z"})
    assert other_id.status_code == 422 and other_id.json()["detail"][0]["loc"] == ["body", "id"]
    assert service.get("host", "/events/conf").json() == setting


def test_a_change_that_breaks_another_item_is_422_naming_it_and_changes_nothing(tmp_path: Path) -> None:
    data = base_input()
    data["delegations"][1]["home_room"] = "R2"  # B receives in R2
    data["requests"].append({"id": "B-C", "parties": ["B", "C"], "duration_minutes": 30, "host": "B",
                             "fixed": {"start": f"{DAY}T10:00", "room": "R2"}})
    service = start_service(settings_for(tmp_path), data)
    setting = service.get("host", "/events/conf").json()
    salon = {**_item(service, "rooms", "R2"), "reserved_for": "C"}  # R2 made C's salon: B's home room no longer
    response = _put(service, "/rooms/R2", salon)
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body"], "type": "contract",
                                          "msg": "delegation B, home_room: room 'R2' is reserved for 'C'"}]
    assert service.get("host", "/events/conf").json() == setting


def test_a_stale_or_missing_if_match_changes_nothing(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    stale = service.etag("host", "/events/conf")
    r1 = _item(service, "rooms", "R1")
    assert _put(service, "/rooms/R1", {**r1, "capacity": 12}, stale).status_code == 200
    late = _put(service, "/rooms/R1", {**r1, "capacity": 4}, stale)
    assert late.status_code == 412
    assert _item(service, "rooms", "R1")["capacity"] == 12
    bare = service.call("host", "PUT", "/events/conf/rooms/R1", json=r1)
    assert bare.status_code == 428


def test_a_room_closure_and_a_programme_item_moved(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    closed_afternoon = [{"start": f"{DAY}T09:00", "end": f"{DAY}T11:00"}]
    r2 = {**_item(service, "rooms", "R2"), "available": closed_afternoon, "features": []}
    assert _put(service, "/rooms/R2", r2).status_code == 200
    assert _item(service, "rooms", "R2")["available"] == closed_afternoon
    lunch = {**_item(service, "programme", "lunch"), "start": f"{DAY}T12:30", "attendees": ["A", "B"], "room": "R1"}
    assert _put(service, "/programme/lunch", lunch).status_code == 200
    assert _item(service, "programme", "lunch") == {**lunch, "id": "lunch"}
    actions = [(e["action"], e["target"]) for e in service.get("host", "/events/conf/audit").json()]
    assert ("room.update", "R2") in actions and ("programme.update", "lunch") in actions
    assert _put(service, "/rooms/nowhere", {**r2, "id": "nowhere"}).status_code == 404


def test_the_host_adds_a_room_and_a_programme_item(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    room = {"id": "R9", "name": "Room 9", "capacity": 6}
    added = service.post("host", "/events/conf/rooms", json=room,
                         headers={"If-Match": service.etag("host", "/events/conf")})
    assert added.status_code == 201, added.text
    assert _item(service, "rooms", "R9") == room
    assert any(f["subject"] == "R9" for f in service.get("host", "/events/conf/feeds").json())  # its feed at once
    again = service.post("host", "/events/conf/rooms", json={**room, "id": "r9"},
                         headers={"If-Match": service.etag("host", "/events/conf")})
    assert again.status_code == 409
    item = {"id": "photo", "title": "Family photo", "start": f"{DAY}T11:00", "end": f"{DAY}T10:30"}
    bad = service.post("host", "/events/conf/programme", json=item,
                       headers={"If-Match": service.etag("host", "/events/conf")})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "end"]
    good = service.post("host", "/events/conf/programme", json={**item, "end": f"{DAY}T11:15"},
                        headers={"If-Match": service.etag("host", "/events/conf")})
    assert good.status_code == 201 and _item(service, "programme", "photo")["end"] == f"{DAY}T11:15"


def test_a_liaison_may_not_edit_the_event(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    a = _item(service, "delegations", "A")
    response = service.call("A", "PUT", "/events/conf/delegations/A", json=a,
                            headers={"If-Match": service.etag("host", "/events/conf")})
    assert response.status_code == 403


def test_the_host_clears_a_pin(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    path = "/events/conf/requests/A-B"
    pinned = service.call("host", "PATCH", path, json={"fixed": {"start": f"{DAY}T10:00", "room": "R1"},
                                                        "mandatory": True},
                          headers={"If-Match": service.etag("host", path)})
    assert pinned.status_code == 200 and pinned.json()["fixed"] == {"start": f"{DAY}T10:00", "room": "R1"}
    cleared = service.call("host", "PATCH", path, json={"fixed": None, "mandatory": False},
                           headers={"If-Match": service.etag("host", path)})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["fixed"] is None and cleared.json()["mandatory"] is False
    assert service.get("host", path).json()["fixed"] is None
