"""Re-plans side by side through the service, with a real worker: a solve asked with `choices` stores each
way of re-planning (name, summary, schedule); the host reads them (`GET …/choices`), weighs them on the desk,
and publishes the one the office picks (`POST …/publish?choice=`).

The event: A-B (priority 5) and C-D published; then A-E (priority 8) is asked for exactly in A-B's published
hour. Only moving A-B lets A-E in. At the move cost `high` moving A-B costs 10 points, more than A-E's 8: the
balanced choice keeps to what was published (as `nothing-moves`); at half that rate it pays, as for the most
priority. So there are two choices, and the solve's result is the one that moves nothing.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.storage.models import SolveRow
from scheduler.check.validator import check_schedule
from scheduler.contract.parse import load_conference
from tests.support.service import DAY, Service, Worker, settings_for, solve_and_wait, start_service, wait_for

ZONE = ZoneInfo("Europe/Minsk")


def _local(instant: str, minutes: int = 0) -> str:
    return (datetime.fromisoformat(instant).astimezone(ZONE) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def _solve(service: Service, **body) -> dict:
    started = service.post("host", "/events/conf/solves", json={"time_limit": 8, **body})
    assert started.status_code == 202, started.text
    path = f"/events/conf/solves/{started.json()['id']}"
    return wait_for(lambda: (s := service.get("host", path).json())["state"] not in ("queued", "running") and s, 120)


@pytest.fixture(scope="module")
def replanned(tmp_path_factory) -> Service:
    """Version 1 published; A-E asked for in A-B's hour; a re-plan side by side at the move cost `high`, done.
    The worker is stopped afterwards: the tests read what is stored."""
    service = start_service(settings_for(tmp_path_factory.mktemp("choices")))
    worker = Worker(service.settings)
    try:
        first = solve_and_wait(service, time_limit=5)
        assert first["state"] == "done", first
        assert service.post("host", f"/events/conf/solves/{first['id']}/publish").status_code == 201
        published = service.get("host", "/events/conf/schedule").json()["document"]["meetings"]
        a_b = next(m for m in published if m["request"] == "A-B")
        window = [{"start": _local(a_b["start"]), "end": _local(a_b["start"], 60)}]
        added = service.post("host", "/events/conf/requests", json={
            "id": "A-E", "parties": ["A", "E"], "duration_minutes": 60, "priority": 8, "window": window})
        assert added.status_code == 201, added.text
        done = _solve(service, choices=True, move_cost="high")
        normal = _solve(service, choices=True)  # at the normal rate, moving A-B (5 points) pays for A-E's 8
        service.plain_solves = {cost: _solve(service, move_cost=cost) for cost in ("high", "normal")}  # type: ignore[attr-defined]
    finally:
        worker.stop()
    assert done["state"] == "done" and normal["state"] == "done", (done, normal)
    service.plain_id, service.choices_id, service.a_b = first["id"], done["id"], a_b  # type: ignore[attr-defined]
    service.normal_id = normal["id"]  # type: ignore[attr-defined]
    return service


def _stored(service: Service, solve_id: str) -> SolveRow:
    with service.client.app.state.db.reading() as session:
        return session.get(SolveRow, solve_id)


def _where(meetings: list[dict]) -> set[tuple[str, str, str]]:
    return {(m["request"], m["room"], m["start"]) for m in meetings}


@pytest.mark.slow
def test_a_replan_side_by_side_stores_each_choice_checked_and_counted(replanned: Service) -> None:
    solve = replanned.get("host", f"/events/conf/solves/{replanned.choices_id}").json()
    assert solve["move_cost"] == "high" and solve["previous_version"] == 1
    assert solve["choices"] == ["nothing-moves", "balanced-cheaper"], solve  # most stable first
    listed = replanned.get("host", f"/events/conf/solves/{replanned.choices_id}/choices")
    assert listed.status_code == 200, listed.text
    summaries = listed.json()
    names = [n for s in summaries for n in s["names"]]
    assert {"nothing-moves", "most-priority"} <= set(names) and "balanced" in summaries[0]["names"]
    row = _stored(replanned, replanned.choices_id)
    conference = load_conference(json.dumps(row.input))
    for stored, shown in zip(row.choices, summaries, strict=True):
        document = stored["document"]
        assert stored["name"] == shown["name"] == document["solve"]["choice"]
        report = check_schedule(conference, document)
        assert report.ok, (shown["name"], report.violations)
        kinds = [m["change"] for m in document["meetings"]]
        counted = {"unchanged": kinds.count("unchanged"), "moved": kinds.count("moved"), "new": kinds.count("new"),
                   "cancelled": document["solve"]["changes"]["cancelled"]}
        assert {k: shown[k] for k in counted} == counted == {k: document["solve"]["changes"][k] for k in counted}
        assert shown["scheduled_priority"] == document["scheduled_priority"]
    stays, moves = summaries
    # nothing moves: A-E is left out; the other choice moves A-B (from its published hour) to let A-E in
    assert (stays["moved"], stays["new"], stays["cancelled"]) == (0, 0, 0)
    assert moves["moved"] == 1 and moves["new"] == 1
    assert moves["scheduled_priority"] == stays["scheduled_priority"] + 8
    moved = next(m for m in moves["moves"] if m["change"] == "moved")
    assert moved["request"] == "A-B" and moved["before"] and moved["after"] and moved["before"] != moved["after"]
    # the solve's result, what everything else reads, is the balanced choice
    result = replanned.get("host", f"/events/conf/solves/{replanned.choices_id}/schedule").json()
    assert _where(result["meetings"]) == _where(row.choices[0]["document"]["meetings"])
    assert solve["scheduled_priority"] == stays["scheduled_priority"]


@pytest.mark.slow
def test_the_result_of_a_replan_side_by_side_is_its_balanced_choice_wherever_it_is(replanned: Service) -> None:
    solve = replanned.get("host", f"/events/conf/solves/{replanned.normal_id}").json()
    assert solve["move_cost"] == "normal" and solve["choices"][0] == "nothing-moves", solve
    summaries = replanned.get("host", f"/events/conf/solves/{replanned.normal_id}/choices").json()
    balanced = next(s for s in summaries if "balanced" in s["names"])
    assert balanced is not summaries[0] and balanced["moved"] == 1 and "most-priority" in balanced["names"]
    row = _stored(replanned, replanned.normal_id)
    picked = next(c for c in row.choices if "balanced" in c["summary"]["names"])
    assert _where(row.result["meetings"]) == _where(picked["document"]["meetings"])
    assert solve["scheduled_priority"] == balanced["scheduled_priority"]
    assert solve["changes"] == "1 unchanged, 1 moved, 1 new, 0 cancelled"


@pytest.mark.slow
def test_a_plain_balanced_replan_weighs_its_move_cost(replanned: Service) -> None:
    high, normal = replanned.plain_solves["high"], replanned.plain_solves["normal"]
    assert (high["move_cost"], high["choices"], normal["move_cost"]) == ("high", None, "normal")
    assert high["changes"] == "2 unchanged, 0 moved, 0 new, 0 cancelled"  # A-B's move would cost more than A-E
    assert normal["changes"] == "1 unchanged, 1 moved, 1 new, 0 cancelled"


@pytest.mark.slow
@pytest.mark.parametrize("move_cost", ["cheap", "-1", "nan", "1e9", ""])
def test_a_move_cost_that_is_no_level_or_rate_is_422_naming_it(replanned: Service, move_cost: str) -> None:
    solves = len(replanned.get("host", "/events/conf/solves").json())
    answer = replanned.post("host", "/events/conf/solves", json={"time_limit": 2, "move_cost": move_cost})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert [d["loc"] for d in detail] == [["body", "move_cost"]]
    assert "low, normal, high" in detail[0]["msg"] or "from 0 to 1000" in detail[0]["msg"], detail
    assert len(replanned.get("host", "/events/conf/solves").json()) == solves  # nothing queued


def test_choices_with_nothing_published_is_422_naming_choices(tmp_path: Path) -> None:
    service = start_service(settings_for(tmp_path))
    answer = service.post("host", "/events/conf/solves", json={"time_limit": 2, "choices": True})
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert detail[0]["loc"] == ["body", "choices"] and "nothing is published yet" in detail[0]["msg"]
    assert service.get("host", "/events/conf/solves").json() == []
    service.client.close()


@pytest.mark.slow
def test_choices_of_a_plain_solve_are_409_and_an_unknown_choice_is_422(replanned: Service) -> None:
    plain = replanned.plain_id
    assert replanned.get("host", f"/events/conf/solves/{plain}").json()["choices"] is None
    listed = replanned.get("host", f"/events/conf/solves/{plain}/choices")
    assert listed.status_code == 409 and "not asked to re-plan side by side" in listed.text
    published = replanned.post("host", f"/events/conf/solves/{plain}/publish?choice=most-priority")
    assert published.status_code == 409 and published.json()["detail"][0]["loc"] == ["query", "choice"]
    unknown = replanned.post("host", f"/events/conf/solves/{replanned.choices_id}/publish?choice=cheapest")
    assert unknown.status_code == 422, unknown.text
    detail = unknown.json()["detail"][0]
    assert detail["loc"] == ["query", "choice"] and "'cheapest'" in detail["msg"]
    assert "nothing-moves" in detail["msg"] and "most-priority" in detail["msg"]
    assert replanned.get("host", "/events/conf").json()["published_version"] == 1  # nothing published


@pytest.mark.slow
def test_a_liaison_may_neither_read_nor_publish_a_choice(replanned: Service) -> None:
    path = f"/events/conf/solves/{replanned.choices_id}"
    assert replanned.get("A", f"{path}/choices").status_code == 403
    assert replanned.post("A", f"{path}/publish?choice=most-priority").status_code == 403
    assert replanned.get("host", "/events/conf").json()["published_version"] == 1


def _desk(service: Service) -> TestClient:
    """The desk signed in as the host (a client of its own: the API calls keep their keys)."""
    client = TestClient(service.client.app)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/desk/sign-in").text).group(1)
    assert client.post("/desk/sign-in", data={"csrf": token, "key": service.keys["host"]}).status_code == 200
    return client


@pytest.mark.slow
def test_the_desk_shows_the_choices_side_by_side_each_with_its_publish_button(replanned: Service) -> None:
    desk = _desk(replanned)
    page = desk.get(f"/desk/solves/{replanned.choices_id}")
    assert page.status_code == 200, page.text
    html = page.text
    assert "Choices side by side" in html
    # each choice's Publish opens the confirmation of that choice
    buttons = re.findall(rf'href="/desk/solves/{replanned.choices_id}/publish\?choice=([^"]+)">Publish', html)
    assert buttons == ["nothing-moves", "balanced-cheaper"]
    confirm = desk.get(f"/desk/solves/{replanned.choices_id}/publish", params={"choice": "nothing-moves"}).text
    assert "Publish version 2?" in confirm and '<input type="hidden" name="choice" value="nothing-moves">' in confirm
    assert "the same as Balanced, half the rate" not in html and "the same as Most priority" in html
    assert "Publish “Nothing moves”" in html and "Publish “Balanced, half the rate”" in html
    assert re.search(r"<details>\s*<summary>1 meeting moves</summary>.*<strong>A-B</strong>: \d+ Oct", html, re.S)
    assert "Publish as version" not in html  # one button per choice instead
    form = desk.get("/desk/solve").text
    assert 'name="move_cost"' in form and 'name="choices" type="checkbox"' in form
    assert '<option value="priority"' in form
    desk.close()


@pytest.mark.slow
def test_the_desk_asks_for_a_replan_side_by_side_with_its_move_cost(replanned: Service) -> None:
    desk = _desk(replanned)
    token = re.search(r'name="csrf" value="([^"]+)"', desk.get("/desk/solve").text).group(1)
    asked = desk.post("/desk/solve", data={"csrf": token, "time_limit": "2", "move_cost": "low", "choices": "1"},
                      follow_redirects=False)
    assert asked.status_code == 303, asked.text
    solve_id = asked.headers["location"].rsplit("/", 1)[1]
    assert replanned.get("host", f"/events/conf/solves/{solve_id}").json()["move_cost"] == "low"
    assert _stored(replanned, solve_id).with_choices is True
    start = next(e for e in replanned.get("host", "/events/conf/audit").json() if e["target"] == solve_id)
    assert start["action"] == "solve.start" and start["detail"]["choices"] is True
    assert start["detail"]["move_cost"] == "low"
    bad = desk.post("/desk/solve", data={"csrf": token, "time_limit": "2", "move_cost": "cheap"})
    assert bad.status_code == 422 and 'id="move-cost-error"' in bad.text
    desk.close()


@pytest.mark.slow
def test_publishing_a_choice_publishes_exactly_its_schedule(replanned: Service) -> None:
    """(Last in this module: it publishes version 2.)"""
    row = _stored(replanned, replanned.choices_id)
    chosen = next(c for c in row.choices if "most-priority" in c["summary"]["names"])
    assert _where(chosen["document"]["meetings"]) != _where(row.result["meetings"])  # not the default one
    answer = replanned.post("host", f"/events/conf/solves/{replanned.choices_id}/publish?choice=most-priority")
    assert answer.status_code == 201, answer.text
    assert answer.json()["version"] == 2 and answer.json()["moved"] == 1 and answer.json()["new"] == 1
    schedule = replanned.get("host", "/events/conf/schedule").json()
    assert schedule["version"] == 2
    assert _where(schedule["document"]["meetings"]) == _where(chosen["document"]["meetings"])
    assert schedule["document"]["solve"]["choice"] == chosen["name"]
    a_b = next(m for m in schedule["document"]["meetings"] if m["request"] == "A-B")
    assert a_b["start"] != replanned.a_b["start"] and a_b["sequence"] == replanned.a_b["sequence"] + 1
    record = next(e for e in replanned.get("host", "/events/conf/audit").json() if e["action"] == "schedule.publish")
    assert record["detail"]["solve"] == replanned.choices_id and record["detail"]["choice"] == chosen["name"]
    assert DAY in a_b["start"]
