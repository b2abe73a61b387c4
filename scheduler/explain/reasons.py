"""A reason for every request left out of a schedule, in words a protocol officer can act on.

A request that could never be placed carries its `Placement` reason. Otherwise every time and room it
could have had is tried against the final schedule, and the obstacles that close most of them are named:
a delegation's time filled by other meetings, the rooms taken, a daily limit reached, the interpreters busy.
Each reason is said twice: for the protocol office (naming the meetings in the way, with their priorities)
and for the request's parties, whose agendas show it (naming only them, the rooms and the times).
"""

from __future__ import annotations

from collections import Counter, defaultdict

from scheduler.contract import rule_names as rules
from scheduler.contract.domain import Conference, Meeting, Unscheduled, peak_overlap
from scheduler.registry import BY_NAME
from scheduler.rules.placement import Placement, apart, day_of_start
from scheduler.rules.words import Obstacle, join


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
            reason, party_reason = context.obstacles(placement)
        else:
            reason, party_reason = placement.reason, placement.party_reason
        out.append(Unscheduled(request.id, reason, party_reason))
    return out


class _Context:
    def __init__(self, conference: Conference, where: dict[str, Placement], meetings: list[Meeting]):
        self.conference = conference
        self.by_party: dict[str, list[Meeting]] = defaultdict(list)
        self.by_room: dict[str, list[Meeting]] = defaultdict(list)
        self.per_day: Counter = Counter()
        for m in meetings:
            self.by_room[m.room].append(m)
            day = day_of_start(conference, m.start)
            for p in m.parties:
                self.by_party[p].append(m)
                self.per_day[p, day.index] += 1
        self.interpreting = [m for m in meetings if where[m.request].needs_interpretation]

    def _date(self, start: int):
        return day_of_start(self.conference, start).date

    def obstacles(self, placement: Placement) -> tuple[str, str]:
        """Name what closes each time this request could have had (in any of its rooms): (the office's
        words, the parties' words)."""
        request = placement.request
        closed: Counter = Counter()
        blockers: dict[tuple, set[str]] = defaultdict(set)
        dates: dict[tuple, set] = defaultdict(set)
        rooms_at = defaultdict(list)
        for room, starts in placement.starts_by_room.items():
            for start in starts:
                rooms_at[start].append(room)
        for start, rooms in rooms_at.items():
            end = start + request.duration
            # the delegations' time first: where it is taken, which room is free does not matter
            causes = self._time_causes(placement, start, end) or self._room_causes(rooms, start, end)
            if not causes:
                at = self.conference.clock.to_datetime(start)
                free = next(r for r in rooms if not self._taken(r, start, end))
                # names only a room the request may use and a time: the same words for everybody
                words = (
                    f"it still fits at {at:%d %b %H:%M} in {self.conference.room(free).name}; the solver "
                    "did not reach it before the time limit"
                )
                return words, words
            for cause, who in causes:
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
        if closed[ranked[0]] == len(rooms_at):
            return office[0], parties[0]
        between = " (between them, every time it could be held)"
        return "; ".join(office) + between, "; ".join(parties) + between

    def _taken(self, room: str, start: int, end: int) -> set[str]:
        gap = self.conference.event.room_turnover_minutes
        return {m.request for m in self.by_room[room] if not apart(start, end, m.start, m.end, gap)}

    def _room_causes(self, rooms: list[str], start: int, end: int) -> list[tuple[tuple, set[str]]]:
        """Every room that could host it at this time is taken (or none of them is)."""
        taken = set()
        for room in rooms:
            in_room = self._taken(room, start, end)
            if not in_room:
                return []
            taken |= in_room | {f"@{room}"}
        return [((rules.ROOM_USE, "rooms"), taken)]

    def _time_causes(self, placement: Placement, start: int, end: int) -> list[tuple[tuple, set[str]]]:
        event = self.conference.event
        causes = []
        for party in placement.request.parties:
            clash = {
                m.request
                for m in self.by_party[party]
                if not apart(start, end, m.start, m.end, event.changeover_minutes)
            }
            if clash:
                causes.append(((rules.ONE_PLACE_AT_A_TIME, party), clash))
        day = day_of_start(self.conference, start).index
        for party in placement.request.parties:
            limit = self.conference.delegation(party).max_meetings_per_day
            if limit is not None and self.per_day[party, day] >= limit:
                causes.append(((rules.DAILY_LOAD, party), set()))
        if placement.needs_interpretation and event.interpreter_teams is not None:
            running = {m.request for m in self.interpreting if m.start < end and start < m.end}
            if (
                len(running) >= event.interpreter_teams
                and peak_overlap([(m.start, m.end) for m in self.interpreting], start, end) >= event.interpreter_teams
            ):
                causes.append(((rules.INTERPRETERS, "teams"), running))
        return causes

    def _obstacle(self, cause: tuple, who: set[str], dates: set, priority: int) -> Obstacle:
        _, subject = cause
        days = join([f"{d:%-d %b}" for d in sorted(dates)])
        return Obstacle(self.conference, subject, frozenset(who), days, priority)
