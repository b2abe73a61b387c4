"""Where and when each request could be held on its own, before any other meeting is placed.

The rules that concern one meeting alone (day hours and grid, presence, programme items of its parties,
room availability and programme items held in the room, seats, features, level, home rooms, pins) are
applied here once, so the CP-SAT model only has to arbitrate between meetings. When nothing is left, the
`Placement` says which rule emptied it, in words a protocol officer can act on (`reason`), and in words the
request's parties may read (`party_reason`): a step whose words name another delegation has `party_words`
that do not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import reduce

from scheduler.contract.domain import Conference, Day, Meeting, Request, Room, inside_union


@dataclass(frozen=True)
class Placement:
    """The rooms and start minutes at which one request could be held, ignoring the other meetings."""

    request: Request
    needs_interpretation: bool
    starts_by_room: dict[str, tuple[int, ...]]
    reason: str = ""
    rule: str = ""
    party_reason: str = ""
    _all_starts: tuple[int, ...] = field(default=(), compare=False)

    @property
    def possible(self) -> bool:
        return bool(self.starts_by_room)

    @property
    def rooms(self) -> tuple[str, ...]:
        return tuple(self.starts_by_room)

    @property
    def starts(self) -> tuple[int, ...]:
        """Every start possible in at least one room, sorted."""
        return self._all_starts

    def narrowed(self, keep: Callable[[str, int], bool]) -> Placement:
        """The same placement with only the (room, start) pairs `keep` accepts (a room left with none goes)."""
        by_room = {room: tuple(s for s in starts if keep(room, s)) for room, starts in self.starts_by_room.items()}
        by_room = {room: starts for room, starts in by_room.items() if starts}
        all_starts = tuple(sorted({s for starts in by_room.values() for s in starts}))
        return dataclasses.replace(self, starts_by_room=by_room, _all_starts=all_starts)


def needs_interpretation(conference: Conference, request: Request) -> bool:
    """Rule 7: the parties share no language (a party with no languages shares none)."""
    languages = [conference.delegation(p).languages for p in request.parties]
    return not reduce(frozenset.intersection, languages)


def max_level(conference: Conference, request: Request) -> int:
    return max(conference.delegation(p).level for p in request.parties)


# --- what one request asks of a room, worked out once ------------------------------------------


@dataclass(frozen=True)
class Need:
    """What one request asks of a room, and how to say so when no room has it."""

    conference: Conference
    request: Request
    interpretation: bool
    level: int

    @property
    def pin(self) -> Room | None:
        return None if self.request.fixed_room is None else self.conference.room(self.request.fixed_room)

    @property
    def wanted(self) -> list[str]:
        return sorted(self.request.requires | ({"interpretation"} if self.interpretation else set()))

    def no_room(self, *more: str) -> str:
        """ "no room seats 14 with interpretation at level 2", or "its pinned room X does not seat 14 ..." """
        head = f"its pinned room {self.pin.name} does not seat" if self.pin is not None else "no room seats"
        return " ".join([head, str(self.request.seats), *(m for m in more if m)])

    @property
    def feature_words(self) -> str:
        return f"with {', '.join(self.wanted)}" if self.wanted else ""


# --- one step of placement per rule about one meeting --------------------------------------------


@dataclass(frozen=True)
class RoomStep:
    """A rule about the room alone: which rooms it keeps, and the reason when it keeps none of them."""

    rule: str
    keeps: Callable[[Need, Room], bool]
    words: Callable[[Need, list[Room]], str]  # the rooms it was given, all refused
    first: bool = False  # narrows the candidates before the other rules (a pin)
    party_words: Callable[[Need, list[Room]], str] | None = None  # when `words` name another delegation

    def reasons(self, need: Need, rooms: list[Room]) -> tuple[str, str]:
        """(the office's words, the parties' words) when no room is kept."""
        return self.words(need, rooms), (self.party_words or self.words)(need, rooms)


@dataclass(frozen=True)
class TimeStep:
    """A rule about time alone: which starts it keeps, and the reason when it keeps none."""

    rule: str
    keeps: Callable[[Conference, Request, list[int]], list[int]]
    words: Callable[[Conference, Request], str]
    first: bool = False
    party_words: Callable[[Conference, Request], str] | None = None

    def reasons(self, conference: Conference, request: Request) -> tuple[str, str]:
        return self.words(conference, request), (self.party_words or self.words)(conference, request)


@dataclass(frozen=True)
class RoomTimeStep:
    """A rule about a room at a time (its hours, what the programme holds there)."""

    rule: str
    keeps: Callable[[Conference, Room, int, list[int]], list[int]]
    words: Callable[[Conference, Request, list[Room]], str]
    first: bool = False
    party_words: Callable[[Conference, Request, list[Room]], str] | None = None

    def reasons(self, conference: Conference, request: Request, rooms: list[Room]) -> tuple[str, str]:
        return self.words(conference, request, rooms), (self.party_words or self.words)(conference, request, rooms)


PlacementStep = RoomStep | TimeStep | RoomTimeStep


# --- rules about the room alone ----------------------------------------------------------------


def seats(need: Need, room: Room) -> bool:
    """Rule 6: room.capacity >= seats."""
    return room.capacity >= need.request.seats


def features(need: Need, room: Room) -> bool:
    """Rule 7: the room has every required feature, and interpretation when the parties share no language."""
    return set(need.wanted) <= room.features


def protocol_level(need: Need, room: Room) -> bool:
    """Rule 8: room.level >= the highest level among the parties."""
    return room.level >= need.level


def home_rooms(need: Need, room: Room) -> bool:
    """Rule 9: the host's home room if it has one, else one of the parties' home rooms, else any room."""
    homes = home_rooms_of(need.conference, need.request)
    return homes is None or room.id in homes


def home_rooms_of(conference: Conference, request: Request) -> tuple[str, ...] | None:
    """The rooms rule 9 allows (None = any room)."""
    if request.host is not None:
        host_room = conference.delegation(request.host).home_room
        if host_room is not None:
            return (host_room,)
    homes = tuple(dict.fromkeys(h for p in request.parties if (h := conference.delegation(p).home_room)))
    return homes or None


def interpreters(need: Need, room: Room) -> bool:
    """Rule 11: with no interpreter team at all, a meeting needing interpretation has no room."""
    return not (need.interpretation and need.conference.event.interpreter_teams == 0)


def pinned_room(need: Need, room: Room) -> bool:
    """Rule 12: a pin with a room holds the meeting in that room."""
    return need.request.fixed_room is None or room.id == need.request.fixed_room


def reserved_rooms(need: Need, room: Room) -> bool:
    """Rule 13: a room reserved for a delegation holds only meetings of which it is a party."""
    return room.reserved_for is None or room.reserved_for in need.request.parties


def seats_words(need: Need, rooms: list[Room]) -> str:
    return need.no_room()


def features_words(need: Need, rooms: list[Room]) -> str:
    return need.no_room(need.feature_words)


def protocol_level_words(need: Need, rooms: list[Room]) -> str:
    return need.no_room(*[w for w in (need.feature_words, f"at level {need.level}") if w])


def home_rooms_words(need: Need, rooms: list[Room]) -> str:
    names = ", ".join(need.conference.room(h).name for h in home_rooms_of(need.conference, need.request))
    if need.pin is not None:
        return f"it is pinned to {need.pin.name}, not to {names} (home room)"
    wanted = " ".join(w for w in (need.feature_words, f"at level {need.level}") if w)
    return f"it must be held in {names} (home room), and {names} cannot seat {need.request.seats} {wanted}"


def interpreters_words(need: Need, rooms: list[Room]) -> str:
    return "it needs interpretation and interpreter_teams is 0"


def pinned_room_words(need: Need, rooms: list[Room]) -> str:
    return f"its pinned room {need.request.fixed_room} is not a room of the event"


def reserved_rooms_words(need: Need, rooms: list[Room]) -> str:
    if need.pin is not None:
        return f"its pinned room {need.pin.id} is reserved for {need.pin.reserved_for}"
    owned = [f"{r.id} is reserved for {r.reserved_for}" for r in rooms]
    return _names(owned) if len(owned) <= 3 else f"{_names(owned[:3])} (and {len(owned) - 3} more reserved rooms)"


def reserved_rooms_party_words(need: Need, rooms: list[Room]) -> str:
    """Rule 13 for the parties: that the rooms are taken as salons, not whose salons they are (the rooms
    given are all reserved for delegations that are not parties)."""
    if need.pin is not None:
        return "its pinned room is another delegation's own salon"
    if len(rooms) == 1:
        return "the only room that could host it is another delegation's own salon"
    return "the rooms that could host it are other delegations' own salons"


# --- rules about time alone --------------------------------------------------------------------


def every_minute(conference: Conference, request: Request) -> list[int]:
    """Every minute of every day's hours: the starts before any rule about time is applied."""
    return [s for day in conference.event.days for s in range(day.start, day.end)]


def day_hours_and_grid(conference: Conference, request: Request, starts: list[int]) -> list[int]:
    """Rule 2: the meeting lies inside one day's hours and starts on that day's grid."""
    slot = conference.event.slot_minutes
    grid = {s for day in conference.event.days for s in range(day.start, day.end - request.duration + 1, slot)}
    return [s for s in starts if s in grid]


def day_hours_and_grid_words(conference: Conference, request: Request) -> str:
    if request.pinned:
        left = day_of_start(conference, request.fixed_start).end - request.fixed_start
        return f"it is pinned {left} min before the day's end and lasts {request.duration} min"
    longest = max(d.end - d.start for d in conference.event.days)
    return f"it lasts {request.duration} min, longer than any day's hours (the longest is {longest} min)"


def presence(conference: Conference, request: Request, starts: list[int]) -> list[int]:
    """Rule 3: inside an available window of every party and inside one of the request's windows."""
    windows = [conference.delegation(p).available for p in request.parties] + [request.window]
    windows = [w for w in windows if w is not None]
    return [s for s in starts if all(inside_union(w, s, s + request.duration) for w in windows)]


def apart(start: int, end: int, other_start: int, other_end: int, gap: int) -> bool:
    """Two spans are apart by at least `gap` minutes (rules 4 and 5)."""
    return end + gap <= other_start or other_end + gap <= start


def one_place_at_a_time(conference: Conference, request: Request, starts: list[int]) -> list[int]:
    """Rule 4: a meeting and any programme item a party attends are apart by the changeover."""
    gap = conference.event.changeover_minutes
    items = [p for p in conference.programme if any(party in p.attendees for party in request.parties)]
    d = request.duration
    return [s for s in starts if all(apart(s, s + d, p.start, p.end, gap) for p in items)]


def one_place_at_a_time_words(conference: Conference, request: Request) -> str:
    return (
        f"whenever {_names(request.parties)} are all present, a programme item one of them attends "
        f"(with the {conference.event.changeover_minutes}-min changeover) leaves no {request.duration}-min gap"
    )


def pinned(conference: Conference, request: Request, starts: list[int]) -> list[int]:
    """Rule 12: a pinned request is held exactly at its fixed start."""
    if request.fixed_start is None:
        return starts
    return [s for s in starts if s == request.fixed_start]


def pinned_words(conference: Conference, request: Request) -> str:
    return f"its fixed start {conference.clock.to_datetime(request.fixed_start):%d %b %H:%M} is outside the day hours"


def room_use(conference: Conference, room: Room, duration: int, starts: list[int]) -> list[int]:
    """Rule 5: inside the room's availability, and apart by the turnover from programme items held there."""
    gap = conference.event.room_turnover_minutes
    items = [p for p in conference.programme if p.room == room.id]
    return [
        s
        for s in starts
        if inside_union(room.available, s, s + duration)
        and all(apart(s, s + duration, p.start, p.end, gap) for p in items)
    ]


def room_use_words(conference: Conference, request: Request, rooms: list[Room]) -> str:
    names = ", ".join(r.name for r in rooms)
    return f"the rooms that could host it ({names}) are closed or held by programme items whenever the parties are free"


# --- putting it together -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlacementRules:
    """The steps of the rules about one meeting, in the order they are applied (see `scheduler.registry`)."""

    rooms: tuple[RoomStep, ...]
    times: tuple[TimeStep, ...]
    room_times: tuple[RoomTimeStep, ...]

    @classmethod
    def of(cls, steps: Iterable[PlacementStep]) -> PlacementRules:
        """Steps sorted into their stages, pins first, the rest in the order given."""
        steps = sorted(steps, key=lambda step: not step.first)
        return cls(
            tuple(s for s in steps if isinstance(s, RoomStep)),
            tuple(s for s in steps if isinstance(s, TimeStep)),
            tuple(s for s in steps if isinstance(s, RoomTimeStep)),
        )


def place(conference: Conference, request: Request, rules: PlacementRules) -> Placement:
    """The placement of one request under the given rules, or the first rule that leaves it none."""
    interpretation = needs_interpretation(conference, request)
    need = Need(conference, request, interpretation, max_level(conference, request))

    def nowhere(rule: str, reasons: tuple[str, str]) -> Placement:
        reason, party_reason = reasons
        return Placement(request, interpretation, {}, reason, rule, party_reason)

    rooms = list(conference.rooms)
    for step in rules.rooms:
        kept = [r for r in rooms if step.keeps(need, r)]
        if not kept:
            return nowhere(step.rule, step.reasons(need, rooms))
        rooms = kept
    starts = every_minute(conference, request)
    for step in rules.times:
        starts = step.keeps(conference, request, starts)
        if not starts:
            return nowhere(step.rule, step.reasons(conference, request))
    by_room = {room.id: starts for room in rooms}
    for step in rules.room_times:
        narrowed = {r: step.keeps(conference, conference.room(r), request.duration, ss) for r, ss in by_room.items()}
        by_room = {r: ss for r, ss in narrowed.items() if ss}
        if not by_room:
            return nowhere(step.rule, step.reasons(conference, request, rooms))
    by_room = {r: tuple(ss) for r, ss in by_room.items()}
    all_starts = tuple(sorted({s for ss in by_room.values() for s in ss}))
    return Placement(request, interpretation, by_room, _all_starts=all_starts)


def placements(conference: Conference, rules: PlacementRules) -> dict[str, Placement]:
    """The placement of every request, by request id, in input order."""
    return {r.id: place(conference, r, rules) for r in conference.requests}


def presence_words(conference: Conference, request: Request) -> str:
    who = _names(request.parties)
    if request.window is not None:
        in_the_day = day_hours_and_grid(conference, request, every_minute(conference, request))
        window_only = presence(conference, Request(**{**request.__dict__, "parties": ()}), in_the_day)
        if not window_only:
            return f"its requested window holds no {request.duration}-min slot inside the day hours"
        return f"{who} are never all available for {request.duration} min inside its requested window and the day hours"
    return f"{who} are never available at the same time for {request.duration} min inside the day hours"


def _names(ids: Iterable[str]) -> str:
    ids = list(ids)
    return ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]


def day_of_start(conference: Conference, start: int) -> Day:
    """The day a (valid) start falls in."""
    return next(d for d in conference.event.days if d.start <= start < d.end)


@dataclass(frozen=True)
class Around:
    """Meetings fixed outside a model (held before a re-plan's freeze, or kept by a neighbourhood of the
    search), indexed by party and by room, so that a placement can be cut apart from them as if they were
    programme items: by the changeover for their parties (rule 4), by the turnover in their rooms (rule 5)."""

    by_party: dict[str, tuple[tuple[int, int], ...]]
    by_room: dict[str, tuple[tuple[int, int], ...]]
    changeover: int
    turnover: int

    @classmethod
    def of(cls, conference: Conference, meetings: Iterable[Meeting]) -> Around:
        by_party: dict[str, list[tuple[int, int]]] = {}
        by_room: dict[str, list[tuple[int, int]]] = {}
        for m in meetings:
            for party in m.parties:
                by_party.setdefault(party, []).append((m.start, m.end))
            by_room.setdefault(m.room, []).append((m.start, m.end))
        event = conference.event
        return cls(
            {p: tuple(spans) for p, spans in by_party.items()},
            {r: tuple(spans) for r, spans in by_room.items()},
            event.changeover_minutes,
            event.room_turnover_minutes,
        )

    def cut(self, placement: Placement, after: int | None = None) -> Placement:
        """The placement's (room, start) pairs apart from the fixed meetings, and from `after` on if given."""
        if not self.by_party and not self.by_room and after is None:
            return placement
        d = placement.request.duration
        mine = [span for p in placement.request.parties for span in self.by_party.get(p, ())]
        free_starts = {
            s
            for s in placement.starts
            if (after is None or s >= after) and all(apart(s, s + d, a, b, self.changeover) for a, b in mine)
        }

        def keep(room: str, s: int) -> bool:
            return s in free_starts and all(apart(s, s + d, a, b, self.turnover) for a, b in self.by_room.get(room, ()))

        return placement.narrowed(keep)
