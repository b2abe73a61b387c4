"""Only a solve of the event as it is now is published: after a delegation's departure moved, a request was
accepted, or another version was published, publishing an older solve is refused (409) naming what changed,
and nothing of the publication moves. A change that does not reach what a solve reads (a proposal still only
proposed) leaves the solve publishable. Each solve says what changed since it read the event.

The solves here are done as a worker would have done them (its result written to the row), so that no worker
process is needed; each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from types import SimpleNamespace

from api.services.staleness import changes_since
from api.storage.models import SolveRow
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from tests.support.service import DAY, Service, base_input


def solved(service: Service) -> str:
    """A solve of the event as it is now, done as a worker would have done it."""
    started = service.post("host", "/events/conf/solves", json={"time_limit": 5})
    assert started.status_code == 202, started.text
    with service.client.app.state.db.writing() as session:
        row = session.get(SolveRow, started.json()["id"])
        conference = load_conference(json.dumps(row.input))
        outcome = solve(conference, SolveOptions(time_limit=5, workers=1))
        row.state, row.status = "done", outcome.status
        row.result = schedule_document(conference, outcome).model_dump(mode="json")
    return row.id


def publish(service: Service, solve_id: str):
    return service.post("host", f"/events/conf/solves/{solve_id}/publish")


def refusal(service: Service, solve_id: str) -> str:
    answer = publish(service, solve_id)
    assert answer.status_code == 409, answer.text
    [detail] = answer.json()["detail"]
    assert detail["loc"] == ["path", "solve_id"]
    return detail["msg"]


def replace_setting(service: Service, **changes: object) -> None:
    setting = service.get("host", "/events/conf").json()
    body = {k: setting[k] for k in ("event", "programme", "rooms", "delegations")} | changes
    replaced = service.call("host", "PUT", "/events/conf", json=body,
                            headers={"If-Match": service.etag("host", "/events/conf")})
    assert replaced.status_code == 200, replaced.text


def published_state(service: Service) -> tuple:
    """What a refused publish must leave as it was: the version, the feeds' links and bytes, the audit trail."""
    feeds = service.get("host", "/events/conf/feeds").json()
    files = [service.get(None, f["https"].removeprefix("https://bilateral.example.org")).content for f in feeds]
    return (service.get("host", "/events/conf").json()["published_version"],
            service.get("host", "/events/conf/schedule").json(), feeds, files,
            service.get("host", "/events/conf/audit").json())


def test_after_a_departure_moved_an_older_solve_is_refused_naming_the_delegation(service: Service) -> None:
    older = solved(service)
    delegations = base_input()["delegations"]
    delegations[0]["available"] = [{"start": f"{DAY}T09:00", "end": f"{DAY}T10:00"}]  # A leaves at 10:00
    replace_setting(service, delegations=delegations)
    message = refusal(service, older)
    assert message == (f"solve {older} was made from an older state: delegation A (Delegation A): its available "
                       "times (arrival and departure) changed. Solve again to publish the current state.")
    assert service.get("host", "/events/conf").json()["published_version"] == 0
    assert publish(service, solved(service)).status_code == 201  # solved again: published


def test_after_a_new_accepted_request_an_older_solve_is_refused_naming_it(service: Service) -> None:
    older = solved(service)
    added = service.post("host", "/events/conf/requests", json={"id": "E-A", "parties": ["E", "A"],
                                                               "duration_minutes": 30, "priority": 2})
    assert added.status_code == 201 and added.json()["status"] == "accepted", added.text
    assert "request E-A added" in refusal(service, older)


def test_a_proposal_still_only_proposed_leaves_the_solve_publishable(service: Service) -> None:
    solve_id = solved(service)
    proposed = service.post("A", "/events/conf/requests", json={"parties": ["A", "C"], "duration_minutes": 30})
    assert proposed.status_code == 201 and proposed.json()["status"] == "proposed"
    read = service.get("host", f"/events/conf/solves/{solve_id}").json()
    assert (read["changed_since"], read["current"]) == ([], True)
    assert publish(service, solve_id).status_code == 201


def test_after_a_publication_an_earlier_solve_and_the_published_one_are_refused(service: Service) -> None:
    earlier, later = solved(service), solved(service)
    assert publish(service, later).status_code == 201
    before = published_state(service)
    assert refusal(service, earlier) == (f"solve {earlier} was made from an older state: version 1 was published "
                                         "after this solve read none. Solve again to publish the current state.")
    assert refusal(service, later) == f"solve {later} is already published as version 1; solve again to publish anew"
    assert published_state(service) == before  # the version, the feeds and the audit trail as they were
    replan, sibling = solved(service), solved(service)  # two re-plans of version 1
    assert publish(service, replan).json()["version"] == 2
    assert refusal(service, sibling) == (f"solve {sibling} was made from an older state: version 2 was published "
                                         "after this solve read version 1. Solve again to publish the current state.")


def test_each_solve_says_what_changed_since_it_read_the_event(service: Service) -> None:
    first = solved(service)
    fresh = service.get("host", f"/events/conf/solves/{first}").json()
    assert (fresh["changed_since"], fresh["current"], fresh["setting_revision"]) == ([], True, 1)
    rooms = base_input()["rooms"]
    rooms[1]["available"] = [{"start": f"{DAY}T09:00", "end": f"{DAY}T11:00"}]  # Room 2 closes at 11:00
    replace_setting(service, rooms=rooms)
    etag = service.etag("host", "/events/conf/requests/C-D")
    changed = service.call("host", "PATCH", "/events/conf/requests/C-D", json={"priority": 4, "duration_minutes": 30},
                           headers={"If-Match": etag})
    assert changed.status_code == 200, changed.text
    second = solved(service)
    expected = ["room R2 (Room 2): its closures changed", "request C-D: its priority, minutes changed"]
    read = service.get("host", f"/events/conf/solves/{first}").json()
    assert (read["changed_since"], read["current"]) == (expected, False)
    listed = {s["id"]: s for s in service.get("host", "/events/conf/solves").json()}
    assert listed[first]["changed_since"] == expected
    assert (listed[second]["changed_since"], listed[second]["current"], listed[second]["setting_revision"]) == (
        [], True, 2)


def _state(**parts: object) -> dict:
    data = base_input()
    data.update(parts)
    return data


def test_the_words_name_each_item_and_its_changed_fields() -> None:
    before = _state()
    programme = [{"id": "lunch", "title": "Lunch", "start": f"{DAY}T12:30", "end": f"{DAY}T13:00"},
                 {"id": "photo", "title": "Family photo", "start": f"{DAY}T09:00", "end": f"{DAY}T09:15"}]
    event = {**before["event"], "timezone": "Europe/Vilnius"}
    requests = [{**before["requests"][0], "fixed": {"start": f"{DAY}T09:00"}, "mandatory": True}]
    delegations = [{**d, "max_meetings_per_day": 2} if d["id"] == "B" else d for d in before["delegations"]]
    now = _state(event=event, programme=programme, requests=requests, rooms=before["rooms"][:2],
                 delegations=delegations)
    solve = SimpleNamespace(input=before, previous_version=None)
    assert changes_since(solve, SimpleNamespace(published_version=0), now) == [
        "the event: its time zone changed",
        "delegation B (Delegation B): its daily limit changed",
        "room salon-A (Salon of A) removed",
        "programme item photo (Family photo) added",
        "programme item lunch (Lunch): its times changed",
        "request A-B: its pin, mandatory changed",
        "request C-D no longer accepted (withdrawn or declined)",
    ]
    assert changes_since(solve, SimpleNamespace(published_version=0), json.loads(json.dumps(before))) == []
