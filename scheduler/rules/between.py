"""Which placed meetings keep a request out of one room and start: the rules between meetings, one function each.

The CP-SAT model holds these rules among the meetings it places (`scheduler.model.rule_parts`). Everything that
reasons about meetings already placed asks them here instead: the greedy (may a request go there?), the
reason a request was left out (what closed its times?), the confirmed explanations (which meetings stay in
the way, under which rule). Each function is named as its rule and bound to it in the registry
(`scheduler.registry`, `Rule.blocks`); it looks the meetings up in one shared index, `Placed`, which also
counts what a re-plan already held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scheduler.contract.domain import Conference, Meeting, Request
from scheduler.rules.placement import apart, day_of_start


@dataclass(frozen=True)
class Blocker:
    """What keeps a request out of one room and start under one rule."""

    subject: str  # the party whose time or daily limit it is; "rooms"; "teams"
    meetings: tuple[Meeting, ...]  # the placed meetings in the way
    # None: each of `meetings` alone is in the way; k: together they fill a limit of k (a daily limit, the
    # interpreter teams), so the time stays closed while k of them stay (0: closed by the limit alone)
    limit: int | None = None


class Placed:
    """The meetings placed so far, indexed as the rules between meetings look them up: by delegation, by
    room, by delegation and day, and those that need interpretation. A re-plan's held meetings are added
    like the others: they still take their parties' time, their room, a daily place and a team."""

    def __init__(self, conference: Conference) -> None:
        self.conference = conference
        self.by_party: dict[str, list[Meeting]] = defaultdict(list)
        self.by_room: dict[str, list[Meeting]] = defaultdict(list)
        self.by_party_day: dict[tuple[str, int], list[Meeting]] = defaultdict(list)
        self.interpreting: list[Meeting] = []

    @classmethod
    def of(cls, conference: Conference, meetings: Iterable[Meeting], interpreted: Callable[[str], bool]) -> Placed:
        """The index of `meetings`; `interpreted(request id)` says whether one needs interpretation."""
        placed = cls(conference)
        for meeting in meetings:
            placed.add(meeting, interpreted(meeting.request))
        return placed

    def add(self, meeting: Meeting, interpreted: bool) -> None:
        self.by_room[meeting.room].append(meeting)
        day = day_of_start(self.conference, meeting.start).index
        for party in meeting.parties:
            self.by_party[party].append(meeting)
            self.by_party_day[party, day].append(meeting)
        if interpreted:
            self.interpreting.append(meeting)


# what blocks a request (needing interpretation or not) at a room and start
Blocks = Callable[[Placed, Request, bool, str, int], list[Blocker]]


@dataclass(frozen=True)
class Blocking:
    """A rule between meetings as the code about a schedule needs it: what blocks a room and start, and
    whether that depends on the room (rule 5) or only on the time (a delegation's time is named first)."""

    rule: str
    find: Blocks
    by_room: bool = False


def by_time_and_room(blocking: Iterable[Blocking]) -> tuple[tuple[Blocking, ...], tuple[Blocking, ...]]:
    """The rules about time alone (asked once per start, and named first), then those about the room."""
    blocking = tuple(blocking)
    return tuple(b for b in blocking if not b.by_room), tuple(b for b in blocking if b.by_room)


def blocked(
    blocking: Iterable[Blocking], placed: Placed, request: Request, interpreted: bool, room: str, start: int
) -> bool:
    """Some rule of `blocking` keeps the request out of this room and start."""
    return any(b.find(placed, request, interpreted, room, start) for b in blocking)


# --- rule 4 ---------------------------------------------------------------------------------------------


def one_place_at_a_time(placed: Placed, request: Request, interpreted: bool, room: str, start: int) -> list[Blocker]:
    """Each party's meetings closer than the changeover: that party's time is taken."""
    gap = placed.conference.event.changeover_minutes
    end = start + request.duration
    out = []
    for party in request.parties:
        clash = tuple(m for m in placed.by_party[party] if not apart(start, end, m.start, m.end, gap))
        if clash:
            out.append(Blocker(party, clash))
    return out


# --- rule 5 ---------------------------------------------------------------------------------------------


def room_use(placed: Placed, request: Request, interpreted: bool, room: str, start: int) -> list[Blocker]:
    """The meetings in this room closer than the turnover."""
    gap = placed.conference.event.room_turnover_minutes
    end = start + request.duration
    taken = tuple(m for m in placed.by_room[room] if not apart(start, end, m.start, m.end, gap))
    return [Blocker("rooms", taken)] if taken else []


# --- rule 10 --------------------------------------------------------------------------------------------


def daily_load(placed: Placed, request: Request, interpreted: bool, room: str, start: int) -> list[Blocker]:
    """Each party with a daily limit that its meetings of that day already reach."""
    conference = placed.conference
    day = day_of_start(conference, start).index
    out = []
    for party in request.parties:
        limit = conference.delegation(party).max_meetings_per_day
        theirs = placed.by_party_day.get((party, day), ())
        if limit is not None and len(theirs) >= limit:
            out.append(Blocker(party, tuple(theirs), limit))
    return out


# --- rule 11 --------------------------------------------------------------------------------------------


def interpreters(placed: Placed, request: Request, interpreted: bool, room: str, start: int) -> list[Blocker]:
    """For a meeting that needs interpretation: each instant of its span at which the meetings needing
    interpretation already running take every team."""
    teams = placed.conference.event.interpreter_teams
    if not interpreted or teams is None:
        return []
    end = start + request.duration
    running = [m for m in placed.interpreting if m.start < end and start < m.end]
    if len(running) < teams:
        return []  # fewer than the teams overlap it at all: no instant can be full
    out = []
    # the most meetings run at once at its start or at a later start of one of them
    for instant in sorted({start} | {m.start for m in running if m.start > start}):
        at_once = tuple(m for m in running if m.start <= instant < m.end)
        if len(at_once) >= teams:
            out.append(Blocker("teams", at_once, teams))
    return out
