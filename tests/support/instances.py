"""Tiny instances as dicts, a deterministic solve, and the validator's verdict on what a part of the solver returns."""

from __future__ import annotations

import copy
import json

from scheduler.check.validator import check_schedule
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from scheduler.solve.types import Outcome

# One worker, a seed and a deterministic limit: the same answer on a busy machine (no wall-time asserts).
DETERMINISTIC = SolveOptions(time_limit=60, workers=1, seed=7, deterministic_time=20)

BASE = {
    "event": {
        "name": "test",
        "timezone": "Europe/Minsk",
        "slot_minutes": 15,
        "days": [{"date": "2024-10-31", "start": "09:00", "end": "12:00"}],
    },
    "programme": [],
    "rooms": [{"id": "R1", "name": "Room 1", "capacity": 10, "features": ["interpretation"], "level": 2}],
    "delegations": [{"id": d, "name": d, "head": f"Head of {d}", "size": 2, "languages": ["ru"]} for d in "ABCD"],
    "requests": [],
}

def instance(**changes) -> dict:
    """A copy of the base instance (one 3-hour day, one room, delegations A-D speaking ru) with top-level
    keys replaced, and `event_<key>` changing one event field."""
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if key.startswith("event_"):
            data["event"][key.removeprefix("event_")] = value
        else:
            data[key] = value
    return data

def request(rid: str, parties: str | list[str], minutes: int = 60, priority: int = 1, **extra) -> dict:
    return {"id": rid, "parties": list(parties), "duration_minutes": minutes, "priority": priority, **extra}

def solve_checked(data: dict, options: SolveOptions = DETERMINISTIC) -> Outcome:
    """Solve an instance dict and assert the independent validator accepts whatever schedule comes back."""
    conference = load_conference(json.dumps(data))
    outcome = solve(conference, options)
    if outcome.has_schedule:
        report = check_schedule(conference, schedule_document(conference, outcome))
        assert report.ok, [str(v) for v in report.violations]
    return outcome

def assert_valid_meetings(conference, meetings) -> None:
    """Assert the validator accepts these meetings as a whole schedule (figures computed, every other request
    listed as unscheduled): for schedules that come from a part of the solver rather than `solve()`."""
    report = meetings_report(conference, meetings)
    assert report.ok, [str(v) for v in report.violations]

def meetings_report(conference, meetings):
    """The validator's report on these meetings as a whole schedule (see `assert_valid_meetings`)."""
    from scheduler.contract import figures
    from scheduler.explain.reasons import unscheduled_reasons
    from scheduler.model.bounds import static_bound
    from scheduler.registry import placement_rules
    from scheduler.rules.placement import placements

    where = placements(conference, placement_rules())
    meetings = list(meetings)
    outcome = Outcome("feasible", tuple(meetings), tuple(unscheduled_reasons(conference, where, meetings)),
                      figures.scheduled_priority(conference, meetings), static_bound(where),
                      figures.preferred_met(conference, meetings), figures.breaks(conference, meetings))
    return check_schedule(conference, schedule_document(conference, outcome))

def placed(outcome: Outcome) -> dict[str, tuple[str, int]]:
    """request id -> (room, start minute) of each meeting."""
    return {m.request: (m.room, m.start) for m in outcome.meetings}
