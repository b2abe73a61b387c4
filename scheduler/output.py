"""The schedule as the contract's `schedule.json`."""

from __future__ import annotations

import json

from scheduler.domain import Conference
from scheduler.solve import Outcome


def schedule_document(conference: Conference, outcome: Outcome) -> dict:
    """The contract's schedule.json content (plus an optional `solve` block of statistics)."""
    clock = conference.clock
    stats = outcome.stats
    return {
        "status": outcome.status,
        "scheduled_priority": outcome.scheduled_priority,
        "upper_bound": outcome.upper_bound,
        "preferred_met": outcome.preferred_met,
        "breaks": outcome.breaks,
        "meetings": [
            {
                "request": m.request,
                "parties": list(m.parties),
                "room": m.room,
                "start": clock.to_iso(m.start),
                "end": clock.to_iso(m.end),
            }
            for m in outcome.meetings
        ],
        "unscheduled": [{"request": u.request, "reason": u.reason} for u in outcome.unscheduled],
        "solve": {
            "gap": _gap(outcome),
            "time_to_best_seconds": _round(stats.time_to_best),
            "time_to_proof_seconds": _round(stats.time_to_proof),
            "wall_time_seconds": _round(stats.wall_time),
            "greedy_priority": stats.greedy_priority,
            "phases": stats.phases,
        },
    }


def _gap(outcome: Outcome) -> float:
    return round((outcome.upper_bound - outcome.scheduled_priority) / max(1, outcome.upper_bound), 6)


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


def dumps(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
