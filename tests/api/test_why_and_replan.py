"""Re-planning and "why not?" through the service, with a real worker.

After a publication, a solve re-plans from it (the stability the host asks for, history before
`freeze_before` kept); the solve shows what changed against that version before anyone publishes it.
`GET …/requests/{id}/why` reads the reasons the solve confirmed (nothing is solved in the web process):
the host reads the office's words, a liaison only about its own delegation's requests and in words that
name no other delegation, meeting or priority.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.service import DAY, Service, Worker, base_input, settings_for, solve_and_wait, start_service

# A and C have three free hours before lunch: A-C (priority 1, 180 min) would take them all, so A-B (priority
# 5, 60 min) and C-D (priority 3) each keep it out (either alone would); A-C gives way, and both are named.
REQUESTS = [
    {"id": "A-B", "parties": ["A", "B"], "duration_minutes": 60, "priority": 5},
    {"id": "A-C", "parties": ["A", "C"], "duration_minutes": 180, "priority": 1},
    {"id": "C-D", "parties": ["C", "D"], "duration_minutes": 45, "priority": 3},
    {"id": "D-E", "parties": ["D", "E"], "duration_minutes": 30, "priority": 2},
]


@pytest.fixture
def published(tmp_path: Path, workers) -> Service:
    service = start_service(settings_for(tmp_path), base_input(requests=REQUESTS))
    workers.append(Worker(service.settings))
    done = solve_and_wait(service, time_limit=6)
    assert done["state"] == "done" and done["status"] == "optimal", done
    assert done["previous_version"] is None and done["changes"] is None  # nothing published yet
    assert service.post("host", f"/events/conf/solves/{done['id']}/publish").status_code == 201
    service.solve_id = done["id"]  # type: ignore[attr-defined]
    return service


@pytest.mark.slow
def test_why_the_host_reads_the_confirmed_cause_naming_the_meeting_in_the_way(published: Service) -> None:
    why = published.get("host", "/events/conf/requests/A-C/why")
    assert why.status_code == 200, why.text
    body = why.json()
    assert body["version"] == 1 and body["scheduled"] is False and body["confirmed"] is True
    assert "A's time is taken by A-B (priority 5)" in body["reason"]
    assert "C's time is taken by C-D (priority 3)" in body["reason"]
    # a what-if, if any, was checked by solving; each is a sentence about this request
    assert all(isinstance(w, str) and w for w in body["what_if"])
    held = published.get("host", "/events/conf/requests/A-B/why").json()
    assert held["scheduled"] is True and held["reason"] is None and held["what_if"] == []


@pytest.mark.slow
def test_why_a_party_reads_its_own_requests_reason_naming_no_one_else(published: Service) -> None:
    body = published.get("C", "/events/conf/requests/A-C/why").json()
    assert body["scheduled"] is False and body["confirmed"] is True and body["reason"]
    for text in [body["reason"], *body["what_if"]]:
        assert "A-B" not in text and "B" not in text.replace("A-C", "") and "priority" not in text, text
    # not a party: as if the request did not exist; an unpublished solve is the host's alone
    assert published.get("B", "/events/conf/requests/A-C/why").status_code == 404
    assert published.get("E", "/events/conf/requests/A-C/why").status_code == 404
    solve_id = published.solve_id  # type: ignore[attr-defined]
    assert published.get("C", f"/events/conf/requests/A-C/why?solve={solve_id}").status_code == 403
    unpublished = published.get("host", f"/events/conf/requests/A-C/why?solve={solve_id}").json()
    office = published.get("host", "/events/conf/requests/A-C/why").json()
    assert unpublished["version"] is None and unpublished["reason"] == office["reason"]
    assert "priority" in office["reason"] and office["reason"] != body["reason"]


@pytest.mark.slow
def test_why_of_a_request_not_in_what_was_solved_is_409(published: Service) -> None:
    added = published.post("host", "/events/conf/requests", json={"parties": ["B", "E"], "duration_minutes": 30})
    assert added.status_code == 201
    why = published.get("host", f"/events/conf/requests/{added.json()['id']}/why")
    assert why.status_code == 409 and "not among the accepted requests solved for version 1" in why.text


@pytest.mark.slow
def test_a_solve_after_a_publication_replans_from_it_and_shows_the_changes(published: Service) -> None:
    before = published.get("host", "/events/conf/schedule").json()["document"]["meetings"]
    added = published.post("host", "/events/conf/requests", json={"parties": ["B", "E"], "duration_minutes": 30,
                                                                    "priority": 1})
    assert added.status_code == 201
    done = solve_and_wait(published, time_limit=6)
    assert done["state"] == "done", done
    assert done["previous_version"] == 1 and done["stability"] == "balanced"
    assert done["changes"] == "3 unchanged, 0 moved, 1 new, 0 cancelled"
    result = published.get("host", f"/events/conf/solves/{done['id']}/schedule").json()
    where = {m["request"]: (m["room"], m["start"]) for m in result["meetings"]}
    assert all(where[m["request"]] == (m["room"], m["start"]) for m in before)
    assert {m["request"]: m["change"] for m in result["meetings"]}[added.json()["id"]] == "new"


@pytest.mark.slow
def test_freeze_before_keeps_what_has_happened_and_is_checked_when_asked(published: Service) -> None:
    first = min(published.get("host", "/events/conf/schedule").json()["document"]["meetings"],
                key=lambda m: m["start"])
    # withdrawing a meeting that has already been held cannot be re-planned: 422, nothing queued
    etag = published.etag("host", f"/events/conf/requests/{first['request']}")
    withdrawn = published.call("host", "DELETE", f"/events/conf/requests/{first['request']}",
                               headers={"If-Match": etag})
    assert withdrawn.status_code == 204
    solves = len(published.get("host", "/events/conf/solves").json())
    late = published.post("host", "/events/conf/solves",
                          json={"time_limit": 3, "freeze_before": f"{DAY}T12:00:00+03:00"})
    assert late.status_code == 422, late.text
    detail = late.json()["detail"][0]
    assert detail["loc"] == ["body", "freeze_before"] and "cannot be withdrawn" in detail["msg"]
    assert "published version 1" in detail["msg"] and first["request"] in detail["msg"]
    assert len(published.get("host", "/events/conf/solves").json()) == solves
    # the event's local time (Minsk) is the same moment: the same refusal
    local = published.post("host", "/events/conf/solves", json={"time_limit": 3, "freeze_before": f"{DAY}T12:00"})
    assert local.status_code == 422 and local.json()["detail"] == late.json()["detail"]


@pytest.mark.slow
def test_a_liaison_reads_why_its_meeting_was_cancelled_in_its_own_words_and_never_the_offices(
    published: Service,
) -> None:
    etag = published.etag("host", "/events/conf/requests/D-E")
    assert published.call("host", "DELETE", "/events/conf/requests/D-E", headers={"If-Match": etag}).status_code == 204
    done = solve_and_wait(published, time_limit=6)
    assert done["state"] == "done", done
    assert published.post("host", f"/events/conf/solves/{done['id']}/publish").status_code == 201
    office = published.get("host", "/events/conf/schedule").json()["document"]
    [gone] = [c for c in office["cancelled"] if c["request"] == "D-E"]
    assert gone["change_reason"] == "the request was withdrawn"
    for liaison in ("D", "E"):
        mine = published.get(liaison, "/events/conf/schedule").json()
        [cancelled] = [c for c in mine["cancelled"] if c["request"] == "D-E"]
        assert cancelled["change_party_reason"] == "the request was withdrawn"
        assert "change_reason" not in cancelled
        assert all(m["change"] == "unchanged" for m in mine["meetings"])


def test_freeze_before_with_nothing_published_is_422(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    answer = service.post("host", "/events/conf/solves", json={"time_limit": 3, "freeze_before": f"{DAY}T10:00Z"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "freeze_before"]
    assert "nothing is published yet" in answer.json()["detail"][0]["msg"]
    service.client.close()
