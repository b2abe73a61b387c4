"""The rules between meetings in the CP-SAT model, one function each, named as the rule: once, pinned,
one_place_at_a_time, room_use, daily_load, interpreters (the registry binds each to its rule).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler.model.variables import ConferenceModel


def once(cm: ConferenceModel) -> None:
    """Rule 1: each request is scheduled at most once; a mandatory one exactly once."""
    # "At most once" is structural: one set of variables per request.
    for mv in cm.meetings.values():
        if mv.request.mandatory:
            cm.model.add(mv.held == 1)


def pinned(cm: ConferenceModel) -> None:
    """Rule 12: a request with `fixed` is always scheduled (at its fixed start and room: see Placement)."""
    for mv in cm.meetings.values():
        if mv.request.pinned:
            cm.model.add(mv.held == 1)


def one_place_at_a_time(cm: ConferenceModel) -> None:
    """Rule 4: a delegation's meetings are apart by at least the changeover (programme items: see Placement)."""
    gap = cm.conference.event.changeover_minutes
    slot = cm.conference.event.slot_minutes
    for party, mvs in cm.of_delegation().items():
        if len(mvs) > 1:
            cm.model.add_no_overlap([cm.interval(mv, gap, mv.held, f"busy[{party}]") for mv in mvs])
            if all(mv.request.must_happen and cm.extent(mv, gap) == slot for mv in mvs):
                # one-slot meetings that all happen (a B2B forum): apart means at different starts, and
                # all-different propagates and relaxes far better than the intervals alone
                cm.model.add_all_different([mv.start for mv in mvs])


def room_use(cm: ConferenceModel) -> None:
    """Rule 5: two meetings in one room are apart by at least the room turnover (a pool of k interchangeable
    rooms holds at most k such meetings at once)."""
    gap = cm.conference.event.room_turnover_minutes
    by_pool: dict[str, list] = defaultdict(list)
    for mv in cm.meetings.values():
        for pool, lit in mv.in_room.items():
            by_pool[pool].append(cm.interval(mv, gap, lit, f"room[{pool}]"))
    for pool, intervals in by_pool.items():
        size = len(cm.pools[pool])
        if size == 1 and len(intervals) > 1:
            cm.model.add_no_overlap(intervals)
        elif len(intervals) > size:
            cm.model.add_cumulative(intervals, [1] * len(intervals), size)


def daily_load(cm: ConferenceModel) -> None:
    """Rule 10: a delegation with max_meetings_per_day has at most that many meetings on each day."""
    held = Counter(
        (party, day.index)
        for m in cm.history.meetings
        for party in m.parties
        for day in cm.conference.event.days
        if day.start <= m.start < day.end
    )
    for party, mvs in cm.of_delegation().items():
        limit = cm.conference.delegation(party).max_meetings_per_day
        if limit is None:
            continue
        for day in cm.conference.event.days:
            lits = [mv.on_day[day.index] for mv in mvs if day.index in mv.on_day]
            left = max(0, limit - held[party, day.index])  # the meetings already held that day count
            if len(lits) > left:
                cm.model.add(sum(lits) <= left)


def interpreters(cm: ConferenceModel) -> None:
    """Rule 11: at no instant run more meetings needing interpretation than there are interpreter teams."""
    teams = cm.conference.event.interpreter_teams
    if teams is None:
        return
    needing = [mv for mv in cm.meetings.values() if mv.placement.needs_interpretation]
    busy = teams_held(cm, teams)
    if len(needing) > teams or (needing and busy):
        intervals = [cm.interval(mv, 0, mv.held, "interpreting") for mv in needing]
        demands = [1] * len(intervals)
        for start, end, count in busy:
            intervals.append(cm.model.new_fixed_size_interval_var(start, end - start, f"held_teams[{start}]"))
            demands.append(count)
        cm.model.add_cumulative(intervals, demands, teams)


def teams_held(cm: ConferenceModel, teams: int) -> list[tuple[int, int, int]]:
    """The teams the meetings already held keep busy: (start, end, teams) spans, at most `teams` each (a
    history that broke rule 11 still closes that time, but does not make the model infeasible)."""
    spans = [(m.start, m.end) for m in cm.history.meetings if m.request in cm.history.interpreted]
    instants = sorted({t for span in spans for t in span})
    out = []
    for a, b in pairwise(instants):
        count = min(teams, sum(1 for s, e in spans if s <= a and b <= e))
        if count:
            out.append((a, b, count))
    return out
