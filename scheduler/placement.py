"""Where and when each request could be held on its own, before any other meeting is placed.

The rules that concern one meeting alone (day hours and grid, presence, programme items of its parties,
room availability and programme items held in the room, seats, features, level, home rooms, pins) are
applied here once, so the CP-SAT model only has to arbitrate between meetings. When nothing is left, the
`Placement` says which rule emptied it, in words a protocol officer can act on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce

from scheduler import rule_names as rules
from scheduler.domain import Conference, Day, Request, Room, inside_union


@dataclass(frozen=True)
class Placement:
    """The rooms and start minutes at which one request could be held, ignoring the other meetings."""

    request: Request
    needs_interpretation: bool
    starts_by_room: dict[str, tuple[int, ...]]
    reason: str = ""
    rule: str = ""
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


def needs_interpretation(conference: Conference, request: Request) -> bool:
    """Rule 7: the parties share no language (a party with no languages shares none)."""
    languages = [conference.delegation(p).languages for p in request.parties]
    return not reduce(frozenset.intersection, languages)


def max_level(conference: Conference, request: Request) -> int:
    return max(conference.delegation(p).level for p in request.parties)


# --- rules about the room alone ----------------------------------------------------------------


def seats(request: Request, room: Room) -> bool:
    """Rule 6: room.capacity >= seats."""
    return room.capacity >= request.seats


def features(request: Request, room: Room, interpretation: bool) -> bool:
    """Rule 7: the room has every required feature, and interpretation when the parties share no language."""
    wanted = request.requires | ({"interpretation"} if interpretation else set())
    return wanted <= room.features


def protocol_level(level: int, room: Room) -> bool:
    """Rule 8: room.level >= the highest level among the parties."""
    return room.level >= level


def home_rooms(conference: Conference, request: Request) -> tuple[str, ...] | None:
    """Rule 9: the host's home room if it has one, else the parties' home rooms; None = any room."""
    if request.host is not None:
        host_room = conference.delegation(request.host).home_room
        if host_room is not None:
            return (host_room,)
    homes = tuple(dict.fromkeys(h for p in request.parties if (h := conference.delegation(p).home_room)))
    return homes or None


def pinned_room(request: Request) -> str | None:
    """Rule 12: a pin with a room holds the meeting in that room."""
    return request.fixed_room


# --- rules about time alone --------------------------------------------------------------------


def day_hours_and_grid(conference: Conference, request: Request) -> list[int]:
    """Rule 2: the meeting lies inside one day's hours and starts on that day's grid."""
    slot = conference.event.slot_minutes
    return [s for day in conference.event.days for s in range(day.start, day.end - request.duration + 1, slot)]


def presence(conference: Conference, request: Request, starts: Iterable[int]) -> list[int]:
    """Rule 3: inside an available window of every party and inside one of the request's windows."""
    windows = [conference.delegation(p).available for p in request.parties] + [request.window]
    windows = [w for w in windows if w is not None]
    return [s for s in starts if all(inside_union(w, s, s + request.duration) for w in windows)]


def apart(start: int, end: int, other_start: int, other_end: int, gap: int) -> bool:
    """Two spans are apart by at least `gap` minutes (rules 4 and 5)."""
    return end + gap <= other_start or other_end + gap <= start


def one_place_at_a_time(conference: Conference, request: Request, starts: Iterable[int]) -> list[int]:
    """Rule 4: a meeting and any programme item a party attends are apart by the changeover."""
    gap = conference.event.changeover_minutes
    items = [p for p in conference.programme if any(party in p.attendees for party in request.parties)]
    d = request.duration
    return [s for s in starts if all(apart(s, s + d, p.start, p.end, gap) for p in items)]


def pinned(request: Request, starts: Iterable[int]) -> list[int]:
    """Rule 12: a pinned request is held exactly at its fixed start."""
    if request.fixed_start is None:
        return list(starts)
    return [s for s in starts if s == request.fixed_start]


def room_use(conference: Conference, room: Room, duration: int, starts: Iterable[int]) -> list[int]:
    """Rule 5: inside the room's availability, and apart by the turnover from programme items held there."""
    gap = conference.event.room_turnover_minutes
    items = [p for p in conference.programme if p.room == room.id]
    return [
        s
        for s in starts
        if inside_union(room.available, s, s + duration)
        and all(apart(s, s + duration, p.start, p.end, gap) for p in items)
    ]


# --- putting it together -----------------------------------------------------------------------


def place(conference: Conference, request: Request) -> Placement:
    """The placement of one request, or the reason it has none."""
    interpretation = needs_interpretation(conference, request)
    rooms, reason = _suitable_rooms(conference, request, interpretation)
    if not rooms:
        return Placement(request, interpretation, {}, reason[1], reason[0])
    starts, reason = _possible_starts(conference, request)
    if not starts:
        return Placement(request, interpretation, {}, reason[1], reason[0])
    by_room = {}
    for room in rooms:
        room_starts = tuple(room_use(conference, room, request.duration, starts))
        if room_starts:
            by_room[room.id] = room_starts
    if not by_room:
        names = ", ".join(r.name for r in rooms)
        return Placement(
            request,
            interpretation,
            {},
            f"the rooms that could host it ({names}) are closed or held by programme items "
            "whenever the parties are free",
            rules.ROOM_USE,
        )
    all_starts = tuple(sorted({s for ss in by_room.values() for s in ss}))
    if conference.event.interpreter_teams == 0 and interpretation:
        return Placement(
            request,
            interpretation,
            {},
            "it needs interpretation and interpreter_teams is 0",
            rules.INTERPRETERS,
        )
    return Placement(request, interpretation, by_room, _all_starts=all_starts)


def placements(conference: Conference) -> dict[str, Placement]:
    """The placement of every request, by request id, in input order."""
    return {r.id: place(conference, r) for r in conference.requests}


def _suitable_rooms(
    conference: Conference, request: Request, interpretation: bool
) -> tuple[list[Room], tuple[str, str]]:
    """Rooms passing rules 6-9 and 12, or the first rule that leaves none, with its wording."""
    level = max_level(conference, request)
    pin = pinned_room(request)
    rooms = [conference.room(pin)] if pin is not None else list(conference.rooms)
    # A pinned room is judged by the same rules, so the message names the rule it breaks.
    none = f"its pinned room {rooms[0].name} does not seat" if pin is not None else "no room seats"
    wanted = sorted(request.requires | ({"interpretation"} if interpretation else set()))
    feature_words = f" with {', '.join(wanted)}" if wanted else ""
    checks = [
        (rules.SEATS, lambda r: seats(request, r), f"{none} {request.seats}"),
        (rules.FEATURES, lambda r: features(request, r, interpretation), f"{none} {request.seats}{feature_words}"),
        (
            rules.PROTOCOL_LEVEL,
            lambda r: protocol_level(level, r),
            f"{none} {request.seats}{feature_words} at level {level}",
        ),
    ]
    for rule, test, words in checks:
        rooms = [r for r in rooms if test(r)]
        if not rooms:
            return [], (rule, words)
    homes = home_rooms(conference, request)
    if homes is not None:
        kept = [r for r in rooms if r.id in homes]
        if not kept:
            names = ", ".join(conference.room(h).name for h in homes)
            where = f"is pinned to {rooms[0].name}, not to" if pin is not None else "must be held in"
            return [], (
                rules.HOME_ROOMS,
                f"it {where} {names} (home room), and {names} cannot seat "
                f"{request.seats}{feature_words} at level {level}"
                if pin is None
                else f"it {where} {names} (home room)",
            )
        rooms = kept
    return rooms, ("", "")


def _possible_starts(conference: Conference, request: Request) -> tuple[list[int], tuple[str, str]]:
    """Starts passing rules 2, 3, 4 (programme) and 12, or the rule that leaves none, with its wording."""
    if request.pinned:
        starts = pinned(request, day_hours_and_grid(conference, request))
        if not starts:
            day = day_of_start(conference, request.fixed_start)
            left = day.end - request.fixed_start
            return [], (
                rules.DAY_HOURS_AND_GRID,
                f"it is pinned {left} min before the day's end and lasts {request.duration} min",
            )
    else:
        starts = day_hours_and_grid(conference, request)
    if not starts:
        longest = max(d.end - d.start for d in conference.event.days)
        return [], (
            rules.DAY_HOURS_AND_GRID,
            f"it lasts {request.duration} min, longer than any day's hours (the longest is {longest} min)",
        )
    present = presence(conference, request, starts)
    if not present:
        return [], (rules.PRESENCE, _presence_words(conference, request))
    free = one_place_at_a_time(conference, request, present)
    if not free:
        return [], (
            rules.ONE_PLACE_AT_A_TIME,
            f"whenever {_names(request.parties)} are all present, a programme item one of them attends "
            f"(with the {conference.event.changeover_minutes}-min changeover) leaves no "
            f"{request.duration}-min gap",
        )
    return free, ("", "")


def _presence_words(conference: Conference, request: Request) -> str:
    who = _names(request.parties)
    if request.window is not None:
        window_only = presence(
            conference, Request(**{**request.__dict__, "parties": ()}), day_hours_and_grid(conference, request)
        )
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
