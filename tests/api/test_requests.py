"""Requests through the API on both storage back-ends: propose, accept, decline, edit, withdraw, confidentiality."""

from __future__ import annotations

from tests.support.service import Service

PROPOSAL = {"parties": ["A", "C"], "duration_minutes": 30, "priority": 4}


def propose(service: Service, who: str = "A", body: dict | None = None, **headers: str):
    return service.post(who, "/events/conf/requests", json=body or PROPOSAL, headers=headers)


def proposed(service: Service, who: str = "A", body: dict | None = None) -> tuple[str, str]:
    """(the path of a new proposal, its ETag)."""
    created = propose(service, who, body)
    assert created.status_code == 201, created.text
    return f"/events/conf/requests/{created.json()['id']}", created.headers["ETag"]


def test_a_liaison_proposal_waits_for_the_other_party(service: Service) -> None:
    created = propose(service)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"].startswith("A-C-")  # named by the service
    assert body["status"] == "proposed" and body["accepted_by"] == ["A"] and body["my_priority"] == 4
    assert "priority" not in body and "wishes" not in body
    path = f"/events/conf/requests/{body['id']}"
    accepted = service.post("C", f"{path}/accept", headers={"If-Match": service.etag("C", path)})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["my_priority"] is None
    host_view = service.get("host", path).json()
    # A's 4 is its wish; the priority that is scheduled is the host's, the contract's default until set
    assert host_view["priority"] == 1 and host_view["wishes"] == {"A": 4}


def test_a_liaison_does_not_name_its_proposals(service: Service) -> None:
    named = propose(service, body={**PROPOSAL, "id": "C-D"})  # C-D exists, and is none of A's business
    assert named.status_code == 422 and named.json()["detail"][0]["loc"] == ["body", "id"]
    assert "taken" not in named.text


def test_the_hosts_requests_are_accepted_at_once_and_only_the_host_pins(service: Service) -> None:
    pinned = {**PROPOSAL, "id": "A-C", "fixed": {"start": "2024-10-31T10:00", "room": "R1"}, "mandatory": True}
    by_host = propose(service, "host", pinned)
    assert by_host.status_code == 201 and by_host.json()["status"] == "accepted"
    by_liaison = propose(service, "A", {**PROPOSAL, "fixed": {"start": "2024-10-31T10:00"}})
    assert by_liaison.status_code == 403 and "fixed" in by_liaison.text
    etag = service.etag("C", "/events/conf/requests/A-C")
    for clearing in ({"mandatory": False}, {"fixed": None}):  # not even to clear the host's fields
        refused = service.call("C", "PATCH", "/events/conf/requests/A-C", json=clearing, headers={"If-Match": etag})
        assert refused.status_code == 403
    assert service.get("host", "/events/conf/requests/A-C").json()["mandatory"] is True


def test_a_liaison_changes_only_its_own_proposals_and_its_wish_on_the_others(service: Service) -> None:
    etag = service.etag("A", "/events/conf/requests/A-B")
    moved = service.call("A", "PATCH", "/events/conf/requests/A-B", json={"parties": ["A", "C"]},
                         headers={"If-Match": etag})
    assert moved.status_code == 403  # the host's A-B stays between A and B
    wish = service.call("A", "PATCH", "/events/conf/requests/A-B", json={"priority": 9}, headers={"If-Match": etag})
    assert wish.status_code == 200 and wish.json()["my_priority"] == 9
    host_view = service.get("host", "/events/conf/requests/A-B").json()
    assert host_view["parties"] == ["A", "B"] and host_view["priority"] == 5 and host_view["status"] == "accepted"


def test_a_liaison_sees_only_its_own_delegations_requests(service: Service) -> None:
    path, _ = proposed(service)
    listed = service.get("E", "/events/conf/requests").json()
    assert listed == []
    mine = {r["id"] for r in service.get("A", "/events/conf/requests").json()}
    assert mine == {"A-B", path.rsplit("/", 1)[1]}
    assert len(service.get("host", "/events/conf/requests").json()) == 3
    for verb, suffix in [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/accept"), ("POST", "/decline")]:
        probe = service.call("E", verb, f"{path}{suffix}", json={"priority": 9}, headers={"If-Match": "*"})
        assert probe.status_code == 404, (verb, suffix, probe.text)
    assert service.get("host", path).json()["status"] == "proposed"  # nothing changed


def test_writes_need_the_etag_they_read(service: Service) -> None:
    path, etag = proposed(service)
    missing = service.call("A", "PATCH", path, json={"duration_minutes": 45})
    assert missing.status_code == 428
    weak = service.call("A", "PATCH", path, json={"duration_minutes": 45}, headers={"If-Match": f"W/{etag}"})
    assert weak.status_code == 412  # a write compares strongly
    first = service.call("A", "PATCH", path, json={"duration_minutes": 45}, headers={"If-Match": etag})
    second = service.call("A", "PATCH", path, json={"duration_minutes": 60}, headers={"If-Match": etag})
    assert first.status_code == 200 and second.status_code == 412
    assert service.get("host", path).json()["duration_minutes"] == 45


def test_an_id_used_again_does_not_answer_to_the_old_etag(service: Service) -> None:
    created = propose(service, "host", {**PROPOSAL, "id": "X1"})
    old = created.headers["ETag"]
    assert service.call("host", "DELETE", "/events/conf/requests/X1", headers={"If-Match": old}).status_code == 204
    again = propose(service, "host", {**PROPOSAL, "id": "X1", "duration_minutes": 90})
    assert again.headers["ETag"] != old
    stale = service.post("host", "/events/conf/requests/X1/decline", headers={"If-Match": old})
    assert stale.status_code == 412


def test_a_liaisons_change_asks_the_others_again_its_priority_is_its_wish(service: Service) -> None:
    path, _ = proposed(service)
    etag = service.post("C", f"{path}/accept", headers={"If-Match": service.etag("C", path)}).headers["ETag"]
    wish = service.call("C", "PATCH", path, json={"priority": 2}, headers={"If-Match": etag})
    assert wish.status_code == 200 and wish.json()["status"] == "accepted" and wish.json()["my_priority"] == 2
    assert service.get("host", path).json()["priority"] == 1  # the scheduled priority is the host's
    longer = service.call("A", "PATCH", path, json={"duration_minutes": 90},
                          headers={"If-Match": service.etag("A", path)})
    assert longer.json()["status"] == "proposed" and longer.json()["accepted_by"] == ["A"]


def test_decline_and_withdraw(service: Service) -> None:
    path, _ = proposed(service)
    etag = service.etag("C", path)
    not_proposer = service.call("C", "DELETE", path, headers={"If-Match": etag})
    assert not_proposer.status_code == 403
    declined = service.post("C", f"{path}/decline", headers={"If-Match": etag})
    assert declined.json()["status"] == "declined" and declined.json()["declined_by"] == "C"
    withdrawn = service.call("A", "DELETE", path, headers={"If-Match": service.etag("A", path)})
    assert withdrawn.status_code == 204
    assert service.get("host", path).status_code == 404


def test_accepting_checks_the_request_against_the_setting_as_it_is_now(service: Service) -> None:
    path, _ = proposed(service, body={**PROPOSAL, "parties": ["A", "E"]})
    assert service.post("E", f"{path}/decline", headers={"If-Match": service.etag("E", path)}).status_code == 200
    etag = service.etag("host", path)
    read = service.get("host", "/events/conf")
    setting = {k: read.json()[k] for k in ("event", "programme", "rooms", "delegations")}
    setting["delegations"] = [d for d in setting["delegations"] if d["id"] != "E"]
    replaced = service.call("host", "PUT", "/events/conf", json=setting, headers={"If-Match": read.headers["ETag"]})
    assert replaced.status_code == 200  # a declined request does not hold the setting back
    accepted = service.post("host", f"{path}/accept", headers={"If-Match": etag})
    assert accepted.status_code == 422 and "unknown delegation 'E'" in accepted.text
    assert service.post("host", "/events/conf/solves", json={"time_limit": 1}).status_code == 202


def test_an_idempotency_key_gives_one_row_and_refuses_another_body(service: Service) -> None:
    first = propose(service, **{"Idempotency-Key": "k-1"})
    again = propose(service, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = propose(service, body={**PROPOSAL, "duration_minutes": 45}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and "Idempotency-Key" in other.text
    assert [r["parties"] for r in service.get("A", "/events/conf/requests").json()].count(["A", "C"]) == 1


def test_bad_proposals_name_the_field(service: Service) -> None:
    unknown = propose(service, body={**PROPOSAL, "parties": ["A", "XYZ"]})
    assert unknown.status_code == 422
    assert {"loc": ["body", "parties", 1]}.items() <= unknown.json()["detail"][0].items()
    assert "unknown delegation 'XYZ'" in unknown.json()["detail"][0]["msg"]
    extra = propose(service, body={**PROPOSAL, "colour": "red"})
    assert extra.status_code == 422 and extra.json()["detail"][0]["loc"] == ["body", "colour"]
    window = propose(service, body={**PROPOSAL, "window": [{"start": "2024-10-31T11:00", "end": "2024-10-31T10:00"}]})
    assert window.status_code == 422 and window.json()["detail"][0]["loc"][:3] == ["body", "window", 0]
    nul = propose(service, body={**PROPOSAL, "requires": ["press\u0000"]})
    assert nul.status_code == 422
    null_parties = service.call("host", "PATCH", "/events/conf/requests/A-B", json={"parties": None},
                                headers={"If-Match": service.etag("host", "/events/conf/requests/A-B")})
    assert null_parties.status_code == 422
    assert len(service.get("A", "/events/conf/requests").json()) == 1  # nothing stored


# --- what can never be scheduled is refused; a second request between the same parties is flagged ----


def test_a_window_outside_every_day_is_refused_naming_it_and_the_days(service: Service) -> None:
    in_2020 = {"start": "2020-10-31T10:00", "end": "2020-10-31T11:00"}
    on_the_day = {"start": "2024-10-31T10:00", "end": "2024-10-31T11:00"}
    for field in ("preferred", "window"):
        refused = propose(service, body={**PROPOSAL, field: [on_the_day, in_2020]})
        assert refused.status_code == 422, refused.text
        [item] = refused.json()["detail"]
        assert item["loc"] == ["body", field, 1]
        assert "2020-10-31T10:00" in item["msg"] and "31 Oct, 09:00–13:00" in item["msg"]
    evening = {"start": "2024-10-31T13:00", "end": "2024-10-31T18:00"}  # after the day's hours (half-open)
    assert propose(service, body={**PROPOSAL, "preferred": [evening]}).status_code == 422
    overlapping = {"start": "2024-10-31T12:30", "end": "2024-10-31T18:00"}
    assert propose(service, body={**PROPOSAL, "preferred": [overlapping]}).status_code == 201
    etag = service.etag("host", "/events/conf/requests/A-B")
    changed = service.call("host", "PATCH", "/events/conf/requests/A-B", json={"preferred": [in_2020]},
                           headers={"If-Match": etag})
    assert changed.status_code == 422 and changed.json()["detail"][0]["loc"] == ["body", "preferred", 0]


def test_a_meeting_longer_than_every_day_is_refused_saying_the_longest_day(service: Service) -> None:
    refused = propose(service, body={**PROPOSAL, "duration_minutes": 900})
    assert refused.status_code == 422
    [item] = refused.json()["detail"]
    assert item["loc"] == ["body", "duration_minutes"]
    assert "900 minutes" in item["msg"] and "31 Oct, 09:00–13:00: 240 minutes" in item["msg"]
    assert propose(service, body={**PROPOSAL, "duration_minutes": 240}).status_code == 201
    etag = service.etag("host", "/events/conf/requests/A-B")
    longer = service.call("host", "PATCH", "/events/conf/requests/A-B", json={"duration_minutes": 241},
                          headers={"If-Match": etag})
    assert longer.status_code == 422 and longer.json()["detail"][0]["loc"] == ["body", "duration_minutes"]
    assert service.get("host", "/events/conf/requests/A-B").json()["duration_minutes"] == 60


def test_a_second_request_between_the_same_parties_is_flagged_to_both_sides_and_the_host(service: Service) -> None:
    first, _ = proposed(service)
    created = propose(service, body={**PROPOSAL, "parties": ["C", "A"]}, who="C")
    assert created.status_code == 201, created.text
    first_id, second_id = first.rsplit("/", 1)[1], created.json()["id"]
    assert created.json()["same_parties"] == [first_id]  # the proposer is told at once
    for who in ("A", "C", "host"):
        listed = {r["id"]: r["same_parties"] for r in service.get(who, "/events/conf/requests").json()}
        assert listed[first_id] == [second_id] and listed[second_id] == [first_id], who
        assert service.get(who, first).json()["same_parties"] == [second_id], who
    assert service.get("host", "/events/conf/requests?status=proposed").json()[0]["same_parties"] == [second_id]
    assert service.get("host", "/events/conf/requests/A-B").json()["same_parties"] == []
    # a third delegation sees neither, nor any trace of them in its own requests
    for who in ("B", "E"):
        assert first_id not in service.get(who, "/events/conf/requests").text
        assert second_id not in service.get(who, "/events/conf/requests").text
    # a declined one is no longer live
    path = f"/events/conf/requests/{second_id}"
    assert service.post("A", f"{path}/decline", headers={"If-Match": service.etag("A", path)}).status_code == 200
    assert service.get("C", first).json()["same_parties"] == []
