"""The neighbourhood search (scheduler.search.neighbourhoods): whatever it returns passes the independent validator,
and it never loses priority.

Each step re-solves the requests of one neighbourhood with the rest of the schedule fixed outside the
model, so what can go wrong is what the rest is no longer checked against: a freed request placed on a
fixed meeting's delegation, room or interpreters. The draws start from a thinned greedy schedule, so that a
step has something to gain and really moves meetings."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import HealthCheck, assume, event, given, settings

from benchmarks.generator import generate
from scheduler.check.validator import check_schedule
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.registry import model_parts, placement_rules
from scheduler.rules.placement import placements
from scheduler.search.greedy import greedy_schedule
from scheduler.search.neighbourhoods import NEIGHBOURHOODS, Search, improve, step
from scheduler.solve.options import SolveOptions
from scheduler.solve.primary import LNS_FROM
from scheduler.solve.solver import solve
from tests.support.instances import assert_valid_meetings
from tests.support.strategies import instances

SETTINGS = settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _thinned_search(data: dict, seed: int) -> Search | None:
    """A search from the greedy schedule with every other optional meeting dropped (still valid); None when
    the greedy schedule misses a must-happen request."""
    conference = load_conference(json.dumps(data))
    where = placements(conference, placement_rules())
    start = greedy_schedule(conference, where)
    must = {r.id for r in conference.requests if r.must_happen}
    if not must <= {m.request for m in start}:
        return None
    rng = random.Random(seed)
    kept = {m.request: m for m in start if m.request in must or rng.random() < 0.5}
    return Search(conference, where, model_parts(), kept, size=len(conference.requests))


@pytest.mark.slow
def test_every_step_of_every_neighbourhood_keeps_the_schedule_valid_and_its_priority() -> None:
    moved: list[bool] = []

    @SETTINGS
    @given(instances())
    def steps(data: dict) -> None:
        search = _thinned_search(data, seed=len(data["requests"]))
        assume(search is not None)
        for kind, choose in NEIGHBOURHOODS.items():
            free = choose(search, random.Random(kind))
            if not free:
                continue
            before = search.value
            found, _ = step(search, free, seconds=5, workers=1, seed=0, strengthening=frozenset())
            if found is None:
                continue
            assert sum(search.conference.request(r).priority for r in found) > before
            assert_valid_meetings(search.conference, found.values())
            moved.append(set(found) != set(search.incumbent))
            search.incumbent = found
        event("a step changed the schedule" if moved and moved[-1] else "no step changed it")

    steps()
    assert sum(moved) >= 20, f"only {sum(moved)} steps changed a schedule: the draws do not test the search"


@pytest.mark.slow
def test_the_search_on_a_generated_forum_returns_a_valid_schedule_with_more_priority() -> None:
    data = generate("lns-forum", delegations=30, requests=120, rooms=6, seed=7)
    search = _thinned_search(data, seed=1)
    assert search is not None
    search.size = 30
    before = search.value
    yields, _ = improve(search, seconds=8, workers=1, seed=1)
    assert search.value > before
    assert sum(y.gained for y in yields.values()) == search.value - before
    assert sum(y.steps for y in yields.values()) >= len(NEIGHBOURHOODS)
    assert_valid_meetings(search.conference, search.incumbent.values())


@pytest.mark.slow
def test_an_unproven_solve_hands_its_time_to_the_search_and_records_it() -> None:
    """On the wall clock, above LNS_FROM requests CP-SAT keeps at most half of the priority phase; unproven,
    the search continues it from CP-SAT's schedule (never below it) and `solve.phases` records its yield per
    neighbourhood."""
    data = generate("lns-forum", delegations=50, requests=LNS_FROM + 50, rooms=8, seed=40150)
    conference = load_conference(json.dumps(data))
    outcome = solve(conference, SolveOptions(time_limit=8, workers=2, explain_share=0))
    assert outcome.status == "feasible"
    report = check_schedule(conference, schedule_document(conference, outcome))
    assert report.ok, [str(v) for v in report.violations]
    phases = {p["phase"]: p for p in outcome.stats.phases}
    priority, search = phases["priority"], phases["neighbourhoods"]
    assert priority["ended_seconds"] <= 0.5 * 8 + 1
    assert search["value"] == priority["value"] + search["gained"] >= priority["value"]
    assert set(search["yields"]) == set(NEIGHBOURHOODS)
    assert outcome.scheduled_priority >= search["value"]
    document = schedule_document(conference, outcome)
    assert document.solve.phases[1].yields["day"].steps == search["yields"]["day"]["steps"]
