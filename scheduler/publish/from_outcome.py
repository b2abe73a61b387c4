"""The schedule of a solve as the contract's `schedule.json` (an unpublished `ScheduleDocument`)."""

from __future__ import annotations

from scheduler.contract.document import (
    MoveCostFigures,
    ScheduledMeeting,
    ScheduleDocument,
    SolvePhase,
    SolveStatistics,
    UnscheduledRequest,
    WhatIfEdit,
)
from scheduler.contract.domain import Conference, WhatIfChange
from scheduler.solve.types import Outcome


def schedule_document(conference: Conference, outcome: Outcome) -> ScheduleDocument:
    """The contract's schedule.json content (plus a `solve` block of statistics), without calendar identity:
    `scheduler.publish.publication` (or `scheduler.publish.revisions.carry_identity`) adds it. Raises ValueError when
    the
    outcome holds no schedule (infeasible, or none found in time)."""
    if not outcome.has_schedule:
        raise ValueError(f"a solve with status {outcome.status!r} has no schedule to write")
    clock = conference.clock
    return ScheduleDocument(
        status=outcome.status,
        scheduled_priority=outcome.scheduled_priority,
        upper_bound=outcome.upper_bound,
        preferred_met=outcome.preferred_met,
        breaks=outcome.breaks,
        meetings=tuple(
            ScheduledMeeting(
                request=m.request,
                parties=m.parties,
                room=m.room,
                start=clock.to_iso(m.start),
                end=clock.to_iso(m.end),
            )
            for m in outcome.meetings
        ),
        unscheduled=tuple(
            UnscheduledRequest(
                request=u.request,
                reason=u.reason,
                party_reason=u.party_reason,
                confirmed=u.confirmed,
                what_if=u.what_if or None,
                party_what_if=u.party_what_if or None,
                cause=u.cause,
                edits=tuple(_edit(conference, c) for c in u.changes) or None,
            )
            for u in outcome.unscheduled
        ),
        frozen_before=None if outcome.frozen_before is None else clock.to_iso(outcome.frozen_before),
        solve=_statistics(outcome),
    )


def _edit(conference: Conference, change: WhatIfChange) -> WhatIfEdit:
    def moment(minute: int | None) -> str | None:
        return None if minute is None else conference.clock.to_iso(minute)

    return WhatIfEdit(kind=change.kind, subject=change.subject, words=change.words, start=moment(change.start),
                      end=moment(change.end), room=change.room, minutes=change.minutes)


def _statistics(outcome: Outcome) -> SolveStatistics:
    stats = outcome.stats
    return SolveStatistics(
        gap=_gap(outcome),
        time_to_best_seconds=_round(stats.time_to_best),
        time_to_proof_seconds=_round(stats.time_to_proof),
        wall_time_seconds=_round(stats.wall_time),
        greedy_priority=stats.greedy_priority,
        phases=tuple(SolvePhase.model_validate(phase) for phase in stats.phases),
        bound_source=stats.bound_source or None,
        stability=outcome.stability,
        move_cost=None if outcome.move_cost is None else MoveCostFigures.model_validate(outcome.move_cost),
    )


def _gap(outcome: Outcome) -> float:
    return round((outcome.upper_bound - outcome.scheduled_priority) / max(1, outcome.upper_bound), 6)


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)
