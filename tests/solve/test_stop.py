"""A stop (the office cancels a solve) ends every phase of a solve and of a re-plan within 2 s (issue 20, item
10: the bound the issue states), and what the stop cut short is not claimed: a reason it did not confirm
says so.

The re-plan of a generated instance is stopped when it reports that it confirms its reasons: the search has
ended and the explanations have the rest of the time (here 15 s), which the stop must take from them.
"""

from __future__ import annotations

import json
import threading
import time
from functools import cache

import pytest

from benchmarks.generator import generate
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.registry import model_parts, placement_rules
from scheduler.rules.placement import placements
from scheduler.search.greedy import greedy_schedule
from scheduler.search.neighbourhoods import Search, step
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import replan, solve
from scheduler.solve.types import Outcome, Progress
from tests.support.instances import assert_valid_meetings

STOPPED_WITHIN = 2.0  # seconds, the bound of issue 20


@cache
def _published() -> tuple[Conference, ScheduleDocument]:
    """A generated instance with many requests left out (two rooms for 85 requests), and a first schedule."""
    conference = load_conference(json.dumps(generate("stop", 16, 85, 2, seed=7)))
    first = solve(conference, SolveOptions(time_limit=3, workers=1, explain_share=0))
    assert first.has_schedule
    return conference, schedule_document(conference, first)


def _stopped_at(phase: str, run) -> tuple[Outcome, float]:
    """Run `run(progress, stop)`, set the stop when it first reports `phase`; (its outcome, seconds from the
    stop to its return)."""
    stop, when = threading.Event(), []

    def progress(report: Progress) -> None:
        if report.phase == phase and not stop.is_set():
            when.append(time.monotonic())
            stop.set()

    outcome = run(progress, stop)
    assert when, f"the solve never reported the {phase} phase"
    return outcome, time.monotonic() - when[0]


@pytest.mark.slow
def test_a_replan_stopped_while_it_confirms_its_reasons_returns_at_once_and_claims_nothing_unconfirmed():
    conference, previous = _published()
    # 5 s of search, then 15 s kept for confirming the reasons of the requests left out
    options = SolveOptions(time_limit=20, workers=1, explain_share=0.75)
    outcome, seconds = _stopped_at(
        "reasons", lambda progress, stop: replan(conference, previous, options, progress=progress, stop=stop)
    )
    assert seconds < STOPPED_WITHIN
    assert outcome.has_schedule and outcome.unscheduled
    cut = [u for u in outcome.unscheduled if not u.confirmed]
    assert cut, "the stop came before every reason was confirmed"
    assert all(u.confirmed is False and not u.what_if and not u.party_what_if for u in cut)


@pytest.mark.slow
def test_a_step_of_the_neighbourhood_search_stops_with_the_solve():
    """A fresh solve's neighbourhood search (a large instance) stops within a step: a step freeing the whole
    schedule would search for its 30 s otherwise."""
    conference = load_conference(json.dumps(generate("stop-big", 60, 300, 10, seed=5)))
    where = placements(conference, placement_rules())
    search = Search(conference, where, model_parts(), {m.request: m for m in greedy_schedule(conference, where)})
    stop, when = threading.Event(), []

    def set_stop() -> None:
        when.append(time.monotonic())
        stop.set()

    threading.Timer(1.0, set_stop).start()
    found, _ = step(search, set(where), 30.0, 1, 0, frozenset(), stop)
    assert when and time.monotonic() - when[0] < STOPPED_WITHIN
    if found is not None:  # what it had found by then is a valid schedule
        assert_valid_meetings(conference, found.values())
