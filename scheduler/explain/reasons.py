"""A reason for every request left out of a schedule, in words a protocol officer can act on.

A request that could never be placed carries its `Placement` reason. Otherwise every time and room it
could have had is tried against the final schedule, and the obstacles that close most of them are named:
a delegation's time filled by other meetings, the rooms taken, a daily limit reached, the interpreters busy.
Each reason is said twice: for the protocol office (naming the meetings in the way, with their priorities)
and for the request's parties, whose agendas show it (naming only them, the rooms and the times).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from scheduler.contract.domain import Conference, Meeting, Unscheduled
from scheduler.contract.left_out import NOT_REACHED
from scheduler.registry import BY_NAME, blocking
from scheduler.rules.between import Blocking, Placed, by_time_and_room
from scheduler.rules.placement import Placement, day_of_start
from scheduler.rules.words import Obstacle, join

# what closes one start: (rule, subject) -> the ids of the meetings in the way ("@room" for a room)
Causes = dict[tuple[str, str], set[str]]


def unscheduled_reasons(
    conference: Conference, where: dict[str, Placement], meetings: list[Meeting]
) -> list[Unscheduled]:
    """One `Unscheduled` per request not in `meetings`, in input order."""
    held = {m.request for m in meetings}
    context = _Context(conference, where, meetings)
    out = []
    for request in conference.requests:
        if request.id in held:
            continue
        placement = where[request.id]
        if placement.possible:
            reason, party_reason, cause = context.obstacles(placement)
        else:
            reason, party_reason, cause = placement.reason, placement.party_reason, placement.rule or None
        out.append(Unscheduled(request.id, reason, party_reason, cause=cause))
    return out


class _Context:
    def __init__(self, conference: Conference, where: dict[str, Placement], meetings: list[Meeting]):
        self.conference = conference
        self.placed = Placed.of(conference, meetings, lambda rid: where[rid].needs_interpretation)
        self.by_time, self.by_room = by_time_and_room(blocking())

    def _date(self, start: int):
        return day_of_start(self.conference, start).date

    def obstacles(self, placement: Placement) -> tuple[str, str, str]:
        """Name what closes each time this request could have had (in any of its rooms): (the office's
        words, the parties' words, the rule that closes the most)."""
        request = placement.request
        closed: Counter = Counter()
        blockers: dict[tuple, set[str]] = defaultdict(set)
        dates: dict[tuple, set] = defaultdict(set)
        rooms_at = defaultdict(list)
        for room, starts in placement.starts_by_room.items():
            for start in starts:
                rooms_at[start].append(room)
        for start, rooms in rooms_at.items():
            # the delegations' time first: where it is taken, which room is free does not matter
            by_time = self._causes(self.by_time, placement, rooms[0], start)
            causes = by_time or self._room_causes(placement, rooms, start)
            if not causes:
                at = self.conference.clock.to_datetime(start)
                free = next(r for r in rooms if not self._causes(self.by_room, placement, r, start))
                # names only a room the request may use and a time: the same words for everybody
                words = (
                    f"it still fits at {at:%d %b %H:%M} in {self.conference.room(free).name}; the solver "
                    "did not reach it before the time limit"
                )
                return words, words, NOT_REACHED
            for cause, who in causes.items():
                closed[cause] += 1
                blockers[cause] |= who
                dates[cause].add(self._date(start))
        ranked = [cause for cause, _ in closed.most_common()]
        named = [
            (BY_NAME[cause[0]], self._obstacle(cause, blockers[cause], dates[cause], request.priority))
            for cause in ranked[:2]
        ]
        office = [rule.obstacle(o) for rule, o in named]
        parties = [rule.party_obstacle(o) for rule, o in named]
        cause = ranked[0][0]
        if closed[ranked[0]] == len(rooms_at):
            return office[0], parties[0], cause
        between = " (between them, every time it could be held)"
        return "; ".join(office) + between, "; ".join(parties) + between, cause

    def _causes(self, rules: tuple[Blocking, ...], placement: Placement, room: str, start: int) -> Causes:
        """What each rule finds in the way of this room and start, by (rule, subject)."""
        request, interpreted = placement.request, placement.needs_interpretation
        causes: Causes = {}
        for rule in rules:
            for blocker in rule.find(self.placed, request, interpreted, room, start):
                causes.setdefault((rule.rule, blocker.subject), set()).update(m.request for m in blocker.meetings)
        return causes

    def _room_causes(self, placement: Placement, rooms: list[str], start: int) -> Causes:
        """Every room that could host it at this time is taken (or none of them is)."""
        taken: Causes = defaultdict(set)
        for room in rooms:
            in_room = self._causes(self.by_room, placement, room, start)
            if not in_room:
                return {}
            for cause, who in in_room.items():
                taken[cause] |= who | {f"@{room}"}
        return taken

    def _obstacle(self, cause: tuple, who: set[str], dates: set, priority: int) -> Obstacle:
        _, subject = cause
        days = join([f"{d:%-d %b}" for d in sorted(dates)])
        return Obstacle(self.conference, subject, frozenset(who), days, priority)
