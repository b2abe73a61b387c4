"""Immutable domain objects: the conference after its input file was read and checked.

Every time is a whole number of elapsed minutes since the event's origin (the start of its first day),
so durations, gaps and overlaps are plain integer arithmetic whatever the time zone does (DST).
`Clock` converts back to wall-clock time for output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    """A half-open span [start, end) in minutes."""

    start: int
    end: int

    def contains(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end


Windows = tuple[Window, ...]
"""A union of windows, sorted and with touching or overlapping windows merged."""


def merge_windows(windows: list[Window] | tuple[Window, ...]) -> Windows:
    """Sort windows and merge those that overlap or touch, so 'inside the union' means inside one."""
    merged: list[Window] = []
    for w in sorted(windows, key=lambda w: (w.start, w.end)):
        if merged and w.start <= merged[-1].end:
            merged[-1] = Window(merged[-1].start, max(merged[-1].end, w.end))
        else:
            merged.append(w)
    return tuple(merged)


def inside_union(windows: Windows | None, start: int, end: int) -> bool:
    """True when [start, end) lies inside the union of windows (None means always)."""
    if windows is None:
        return True
    return any(w.contains(start, end) for w in windows)


@dataclass(frozen=True)
class Clock:
    """Converts between elapsed minutes since the origin and wall-clock time in the event's zone."""

    timezone: str
    origin_utc: datetime

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def to_datetime(self, minute: int) -> datetime:
        """The aware local datetime of a minute (with its real UTC offset)."""
        return (self.origin_utc + timedelta(minutes=minute)).astimezone(self.zone)

    def to_iso(self, minute: int) -> str:
        return self.to_datetime(minute).isoformat()

    def to_minute(self, moment: datetime) -> int:
        """Minutes since the origin of an aware datetime (seconds are not expected)."""
        return int((moment - self.origin_utc).total_seconds() // 60)


@dataclass(frozen=True)
class Day:
    index: int
    date: date
    start: int
    end: int


@dataclass(frozen=True)
class Event:
    id: str
    name: str
    timezone: str
    slot_minutes: int
    days: tuple[Day, ...]
    changeover_minutes: int
    room_turnover_minutes: int
    interpreter_teams: int | None


@dataclass(frozen=True)
class ProgrammeItem:
    id: str
    title: str
    start: int
    end: int
    attendees: frozenset[str]
    room: str | None


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    capacity: int
    features: frozenset[str]
    level: int
    available: Windows | None
    reserved_for: str | None = None  # a delegation's own salon holds only its meetings (rule 13)


@dataclass(frozen=True)
class Delegation:
    id: str
    name: str
    head: str
    level: int
    size: int
    languages: frozenset[str]
    available: Windows | None
    max_meetings_per_day: int | None
    home_room: str | None


@dataclass(frozen=True)
class Request:
    id: str
    parties: tuple[str, ...]
    duration: int
    priority: int
    mandatory: bool
    requires: frozenset[str]
    seats: int
    window: Windows | None
    preferred: Windows | None
    fixed_start: int | None
    fixed_room: str | None
    host: str | None

    @property
    def pinned(self) -> bool:
        return self.fixed_start is not None

    @property
    def must_happen(self) -> bool:
        """Mandatory or pinned: the schedule is infeasible without it (rules 1 and 12)."""
        return self.mandatory or self.pinned


@dataclass(frozen=True)
class Conference:
    """The whole problem: event, programme, rooms, delegations and requests, in input order."""

    event: Event
    clock: Clock
    programme: tuple[ProgrammeItem, ...]
    rooms: tuple[Room, ...]
    delegations: tuple[Delegation, ...]
    requests: tuple[Request, ...]
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def room(self, room_id: str) -> Room:
        return self._lookup("room", self.rooms)[room_id]

    def delegation(self, delegation_id: str) -> Delegation:
        return self._lookup("delegation", self.delegations)[delegation_id]

    def request(self, request_id: str) -> Request:
        return self._lookup("request", self.requests)[request_id]

    def _lookup(self, kind: str, items: tuple) -> dict:
        if kind not in self._index:
            self._index[kind] = {item.id: item for item in items}
        return self._index[kind]

    def programme_of(self, delegation_id: str) -> tuple[ProgrammeItem, ...]:
        """The programme items a delegation attends."""
        return tuple(p for p in self.programme if delegation_id in p.attendees)

    def day_of(self, start: int, end: int) -> Day | None:
        """The day whose bilateral hours contain [start, end), if any."""
        return next((d for d in self.event.days if d.start <= start and end <= d.end), None)


@dataclass(frozen=True)
class Meeting:
    """A scheduled meeting: request, room and time (minutes)."""

    request: str
    parties: tuple[str, ...]
    room: str
    start: int
    end: int


@dataclass(frozen=True)
class History:
    """Meetings already held (a re-plan's frozen part): fixed and outside the model, but still counted by
    the rules between meetings (a delegation's daily load, the interpreters)."""

    meetings: tuple[Meeting, ...] = ()
    interpreted: frozenset[str] = frozenset()  # the requests among them that needed interpretation


@dataclass(frozen=True)
class WhatIfChange:
    """The one edit a confirmed what-if stands for, so that an office's tool can open it with its value:
    `pin` the request (`subject`) at `start` in `room`; give it `minutes` (`duration`); widen a delegation's
    (`subject`) `availability` by [start, end); change a `room` (`subject`) as `words` say."""

    kind: str  # pin | duration | availability | room
    subject: str
    words: str
    start: int | None = None
    end: int | None = None
    room: str | None = None
    minutes: int | None = None


@dataclass(frozen=True)
class Unscheduled:
    """A request left out of the schedule and why: `reason` for the protocol office, `party_reason` for the
    request's parties (it names no other delegation, no other meeting and no priority)."""

    request: str
    reason: str
    party_reason: str
    confirmed: bool | None = None  # whether a solve confirmed the reason (scheduler.explain.why); None: not tried
    what_if: tuple[str, ...] = ()  # changes a solve showed would let it in, in the office's words
    party_what_if: tuple[str, ...] = ()  # those that can be said to its parties
    cause: str | None = None  # the rule that keeps it out most, or NOT_REACHED (contract.left_out)
    changes: tuple[WhatIfChange, ...] = ()  # the confirmed what-ifs that are one edit, for the office
