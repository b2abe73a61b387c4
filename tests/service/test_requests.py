"""Requests through the API on both storage back-ends: propose, accept, decline, edit, withdraw, confidentiality."""

from __future__ import annotations

from tests.service.conftest import Service

PROPOSAL = {"parties": ["A", "C"], "duration_minutes": 30, "priority": 4}


def propose(service: Service, who: str = "A", body: dict | None = None, **headers: str):
    return service.post(who, "/events/conf/requests", json=body or PROPOSAL, headers=headers)


def test_a_liaison_proposal_waits_for_the_other_party(service: Service) -> None:
    created = propose(service)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "proposed" and body["accepted_by"] == ["A"] and body["my_priority"] == 4
    assert "priority" not in body and "wishes" not in body
    path = f"/events/conf/requests/{body['id']}"
    accepted = service.post("C", f"{path}/accept", headers={"If-Match": created.headers["ETag"]})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["my_priority"] is None
    host_view = service.get("host", path).json()
    assert host_view["priority"] == 4 and host_view["wishes"] == {"A": 4}


def test_the_hosts_requests_are_accepted_at_once_and_only_the_host_pins(service: Service) -> None:
    pinned = {**PROPOSAL, "fixed": {"start": "2024-10-31T10:00", "room": "R1"}, "mandatory": True}
    by_host = propose(service, "host", pinned)
    assert by_host.status_code == 201 and by_host.json()["status"] == "accepted"
    by_liaison = propose(service, "A", {**pinned, "id": "A-C-2"})
    assert by_liaison.status_code == 403
    assert "mandatory" in by_liaison.text or "fixed" in by_liaison.text


def test_a_liaison_sees_only_its_own_delegations_requests(service: Service) -> None:
    assert propose(service).status_code == 201
    listed = service.get("E", "/events/conf/requests").json()
    assert listed == []
    mine = {r["id"] for r in service.get("A", "/events/conf/requests").json()}
    assert mine == {"A-B", "A-C"}
    assert {r["id"] for r in service.get("host", "/events/conf/requests").json()} == {"A-B", "C-D", "A-C"}
    for verb, path in [("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/accept"), ("POST", "/decline")]:
        probe = service.call("E", verb, f"/events/conf/requests/A-C{path}", json={"priority": 9},
                             headers={"If-Match": "*"})
        assert probe.status_code == 404, (verb, path, probe.text)
    assert service.get("host", "/events/conf/requests/A-C").json()["status"] == "proposed"  # nothing changed


def test_writes_need_the_etag_they_read(service: Service) -> None:
    etag = propose(service).headers["ETag"]
    path = "/events/conf/requests/A-C"
    missing = service.call("A", "PATCH", path, json={"duration_minutes": 45})
    assert missing.status_code == 428
    first = service.call("A", "PATCH", path, json={"duration_minutes": 45}, headers={"If-Match": etag})
    second = service.call("C", "PATCH", path, json={"duration_minutes": 60}, headers={"If-Match": etag})
    assert first.status_code == 200 and second.status_code == 412
    assert service.get("host", path).json()["duration_minutes"] == 45


def test_a_liaisons_change_asks_the_others_again_its_priority_is_its_wish(service: Service) -> None:
    etag = propose(service).headers["ETag"]
    path = "/events/conf/requests/A-C"
    etag = service.post("C", f"{path}/accept", headers={"If-Match": etag}).headers["ETag"]
    wish = service.call("C", "PATCH", path, json={"priority": 2}, headers={"If-Match": etag})
    assert wish.status_code == 200 and wish.json()["status"] == "accepted" and wish.json()["my_priority"] == 2
    assert service.get("host", path).json()["priority"] == 4  # the scheduled priority is the host's
    moved = service.call("C", "PATCH", path, json={"duration_minutes": 90}, headers={"If-Match": wish.headers["ETag"]})
    assert moved.json()["status"] == "proposed" and moved.json()["accepted_by"] == ["C"]


def test_decline_and_withdraw(service: Service) -> None:
    etag = propose(service).headers["ETag"]
    path = "/events/conf/requests/A-C"
    not_proposer = service.call("C", "DELETE", path, headers={"If-Match": etag})
    assert not_proposer.status_code == 403
    declined = service.post("C", f"{path}/decline", headers={"If-Match": etag})
    assert declined.json()["status"] == "declined" and declined.json()["declined_by"] == "C"
    withdrawn = service.call("A", "DELETE", path, headers={"If-Match": declined.headers["ETag"]})
    assert withdrawn.status_code == 204
    assert service.get("host", path).status_code == 404


def test_an_idempotency_key_gives_one_row_and_refuses_another_body(service: Service) -> None:
    first = propose(service, **{"Idempotency-Key": "k-1"})
    again = propose(service, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = propose(service, body={**PROPOSAL, "duration_minutes": 45}, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and "Idempotency-Key" in other.text
    assert [r["id"] for r in service.get("A", "/events/conf/requests").json()].count("A-C") == 1


def test_bad_proposals_name_the_field(service: Service) -> None:
    unknown = propose(service, body={**PROPOSAL, "parties": ["A", "XYZ"]})
    assert unknown.status_code == 422
    assert {"loc": ["body", "parties", 1]}.items() <= unknown.json()["detail"][0].items()
    assert "unknown delegation 'XYZ'" in unknown.json()["detail"][0]["msg"]
    extra = propose(service, body={**PROPOSAL, "colour": "red"})
    assert extra.status_code == 422 and extra.json()["detail"][0]["loc"] == ["body", "colour"]
    window = propose(service, body={**PROPOSAL, "window": [{"start": "2024-10-31T11:00", "end": "2024-10-31T10:00"}]})
    assert window.status_code == 422 and window.json()["detail"][0]["loc"][:3] == ["body", "window", 0]
    assert service.get("host", "/events/conf/requests/A-C").status_code == 404  # nothing stored
