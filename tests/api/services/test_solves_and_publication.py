"""Solves, publication and the published schedule without HTTP: the queue is a stand-in, a solve's result is
written as a worker would write it, and each delegation reads only its own part of a version."""

from __future__ import annotations

import json

import pytest

from api.errors import Conflict, Forbidden, NotFound, Unavailable
from api.schemas import ScheduleForHost, ScheduleForLiaison, SolveCreate
from api.services import requests as lifecycle
from api.services import schedule, solves
from api.services.publication import publish_solve
from api.storage.models import SolveRow
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve


class Queue:
    def __init__(self, works: bool = True):
        self.works, self.solves = works, []

    def enqueue_solve(self, solve_id: str) -> None:
        if not self.works:
            raise ConnectionError("no queue here")
        self.solves.append(solve_id)


def solved(office, queue: Queue | None = None) -> str:
    """A solve of the event as it is now, done as a worker would have done it."""
    started = solves.start(office.db, queue or Queue(), office.host, "conf", SolveCreate(time_limit=5))
    with office.db.writing() as session:
        row = session.get(SolveRow, started.id)
        conference = load_conference(json.dumps(row.input))
        outcome = solve(conference, SolveOptions(time_limit=5, workers=1))
        row.state, row.status = "done", outcome.status
        row.result = schedule_document(conference, outcome).model_dump(mode="json")
    return started.id


def test_a_solve_is_queued_and_a_queued_one_cancelled_at_once(office) -> None:
    queue = Queue()
    started = solves.start(office.db, queue, office.host, "conf", SolveCreate(time_limit=5))
    assert (started.state, queue.solves) == ("queued", [started.id])
    cancelled = solves.cancel(office.db, office.host, "conf", started.id)
    assert (cancelled.solve.state, cancelled.pending) == ("cancelled", False)
    assert [s.id for s in solves.list_all(office.db, 60, "conf")] == [started.id]
    with pytest.raises(NotFound):
        solves.read(office.db, 60, "other-event", started.id)


def test_a_solve_that_cannot_be_queued_fails_and_says_so(office) -> None:
    with pytest.raises(Unavailable) as down:
        solves.start(office.db, Queue(works=False), office.host, "conf", SolveCreate(time_limit=5))
    assert down.value.detail == [{"loc": [], "msg": "the solve queue is not reachable; try again",
                                  "type": "unavailable"}]
    [failed] = solves.list_all(office.db, 60, "conf")
    assert failed.state == "failed" and failed.message == "could not be queued: no queue here"


def test_only_a_done_solve_is_published(office) -> None:
    started = solves.start(office.db, Queue(), office.host, "conf", SolveCreate(time_limit=5))
    with pytest.raises(Conflict) as early:
        publish_solve(office.db, office.host, "conf", started.id)
    assert early.value.detail == [{"loc": ["path", "solve_id"], "msg": f"solve {started.id} is queued: nothing to "
                                   "publish", "type": "conflict"}]
    with pytest.raises(Conflict):
        solves.schedule_found(office.db, "conf", started.id)


def test_each_delegation_reads_only_its_part_of_a_version(office) -> None:
    first = publish_solve(office.db, office.host, "conf", solved(office))
    assert (first.version, first.meetings, first.new, first.moved, first.cancelled) == (1, 2, 2, 0, 0)
    whole = schedule.published(office.db, office.host, "conf")
    assert isinstance(whole.schedule, ScheduleForHost) and whole.number == 1
    a = schedule.published(office.db, office.liaisons["A"], "conf").schedule
    assert isinstance(a, ScheduleForLiaison) and [m.request for m in a.meetings] == ["A-B"]
    assert schedule.published(office.db, office.liaisons["E"], "conf").schedule.meetings == []
    lifecycle.withdraw(office.db, office.host, "conf", "C-D", "*")
    second = publish_solve(office.db, office.host, "conf", solved(office))
    assert (second.version, second.meetings, second.cancelled) == (2, 1, 1)
    c = schedule.published(office.db, office.liaisons["C"], "conf").schedule
    assert c.meetings == [] and [m.request for m in c.cancelled] == ["C-D"]
    assert schedule.published(office.db, office.liaisons["A"], "conf").schedule.cancelled == []


def test_why_a_request_is_not_scheduled_is_read_not_solved(office) -> None:
    with pytest.raises(Conflict) as nothing:
        schedule.why_not(office.db, office.liaisons["A"], "conf", "A-B")
    assert nothing.value.detail == [{"loc": ["path", "event_id"], "msg": "nothing is published yet",
                                     "type": "conflict"}]
    solve_id = solved(office)
    with pytest.raises(Forbidden):
        schedule.why_not(office.db, office.liaisons["A"], "conf", "A-B", solve_id)
    host = schedule.why_not(office.db, office.host, "conf", "A-B", solve_id)
    assert (host.version, host.scheduled, host.reason) == (None, True, None)
    publish_solve(office.db, office.host, "conf", solve_id)
    told = schedule.why_not(office.db, office.liaisons["B"], "conf", "A-B")
    assert (told.version, told.scheduled, told.reason, told.what_if) == (1, True, None, [])
    with pytest.raises(NotFound):
        schedule.why_not(office.db, office.liaisons["C"], "conf", "A-B")
