"""A progress report says how many meetings its schedule places (issue 22: "67 of 120 meetings placed"), so
that the service can tell the office in words; a report of a bound alone places none."""

from __future__ import annotations

import json

from benchmarks.generator import generate
from scheduler.contract.parse import load_conference
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from scheduler.solve.types import Progress


def test_each_schedule_reported_counts_the_meetings_it_places() -> None:
    conference = load_conference(json.dumps(generate("placed", 10, 30, 2, seed=4)))
    reports: list[Progress] = []
    outcome = solve(conference, SolveOptions(time_limit=10, workers=1, explain_share=0, secondary=False),
                    reports.append)
    assert outcome.status == "optimal"
    schedules = [r for r in reports if r.incumbent is not None and r.phase == "priority"]
    assert schedules and all(r.placed is not None and 0 < r.placed <= len(conference.requests) for r in schedules)
    assert schedules[-1].placed == len(outcome.meetings)  # the last one reported is the one kept
    assert all(r.placed is None for r in reports if r.incumbent is None)
