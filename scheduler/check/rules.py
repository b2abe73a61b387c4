"""Each rule of the contract checked on a schedule's meetings, one function each, named as the rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations, pairwise

from scheduler.check.reading import Placed
from scheduler.check.report import Violation
from scheduler.check.wording import (
    apart,
    day_words,
    distance,
    item_words,
    meeting_words,
    needs_interpretation,
    span,
    when,
)
from scheduler.contract.domain import Conference, Delegation, inside_union
from scheduler.contract.rule_names import (
    DAILY_LOAD,
    DAY_HOURS_AND_GRID,
    FEATURES,
    HOME_ROOMS,
    INTERPRETERS,
    ONCE,
    ONE_PLACE_AT_A_TIME,
    PINNED,
    PRESENCE,
    PROTOCOL_LEVEL,
    RESERVED_ROOMS,
    ROOM_USE,
    SEATS,
)


def once(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """1. Each request is scheduled at most once; a mandatory one exactly once."""
    where: dict[str, list[int]] = defaultdict(list)
    for m in placed:
        where[m.request.id].append(m.index)
    out = [
        Violation(ONCE, f"{rid} is scheduled {len(ix)} times ({', '.join(f'meetings[{i}]' for i in ix)})")
        for rid, ix in where.items()
        if len(ix) > 1
    ]
    out += [
        Violation(ONCE, f"mandatory request {r.id} ({', '.join(r.parties)}) is not scheduled")
        for r in conf.requests
        if r.mandatory and r.id not in where
    ]
    return out


def day_hours_and_grid(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """2. A meeting lies inside one day's [start, end) and starts on that day's slot grid."""
    out = []
    slot = conf.event.slot_minutes
    for m in placed:
        day = conf.day_of(m.start, m.end)
        if day is None:
            message = f"{meeting_words(conf, m)} lies outside every day's bilateral hours"
            out.append(Violation(DAY_HOURS_AND_GRID, message))
        elif (m.start - day.start) % slot:
            opening = conf.clock.to_datetime(day.start)
            message = f"{meeting_words(conf, m)} is off the {slot}-minute grid of {day_words(day)} from {opening:%H:%M}"
            out.append(Violation(DAY_HOURS_AND_GRID, message))
    return out


def presence(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """3. A meeting lies inside every party's available windows and the request's windows."""
    out = []
    for m in placed:
        for party in m.request.parties:
            if not inside_union(conf.delegation(party).available, m.start, m.end):
                message = f"{meeting_words(conf, m)} falls outside the hours {party} is available"
                out.append(Violation(PRESENCE, message))
        if not inside_union(m.request.window, m.start, m.end):
            out.append(Violation(PRESENCE, f"{meeting_words(conf, m)} falls outside the request's time windows"))
    return out


def one_place_at_a_time(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """4. A meeting and any other commitment of one of its parties are apart by at least the changeover."""
    out = []
    need = conf.event.changeover_minutes
    for d in conf.delegations:
        own = [m for m in placed if d.id in m.request.parties]
        for a, b in combinations(own, 2):
            gap = distance(a.start, a.end, b.start, b.end)
            if gap < need:
                message = f"{meeting_words(conf, a)} and {meeting_words(conf, b)} of {d.id} {apart(gap)}"
                out.append(Violation(ONE_PLACE_AT_A_TIME, f"{message}; the changeover is {need} min"))
        for m in own:
            for p in conf.programme_of(d.id):
                gap = distance(m.start, m.end, p.start, p.end)
                if gap < need:
                    message = (
                        f"{meeting_words(conf, m)} and {item_words(conf, p)} attended by {d.id} {apart(gap)}; "
                        f"the changeover is {need} min"
                    )
                    out.append(Violation(ONE_PLACE_AT_A_TIME, message))
    return out


def room_use(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """5. Meetings in one room, and programme items held there, are apart by the turnover; rooms are open."""
    out = []
    need = conf.event.room_turnover_minutes
    by_room: dict[str, list[Placed]] = defaultdict(list)
    for m in placed:
        by_room[m.room_id].append(m)
    for a, b in (pair for same in by_room.values() for pair in combinations(same, 2)):
        gap = distance(a.start, a.end, b.start, b.end)
        if gap < need:
            out.append(
                Violation(
                    ROOM_USE,
                    f"{meeting_words(conf, a)} and {meeting_words(conf, b)} in room {a.room_id} "
                    f"{apart(gap)}; the room turnover is {need} min",
                )
            )
    for m in placed:
        for p in (p for p in conf.programme if p.room == m.room_id):
            gap = distance(m.start, m.end, p.start, p.end)
            if gap < need:
                out.append(
                    Violation(
                        ROOM_USE,
                        f"{meeting_words(conf, m)} and {item_words(conf, p)} held in room "
                        f"{m.room_id} {apart(gap)}; the room turnover is {need} min",
                    )
                )
        if m.room is not None and not inside_union(m.room.available, m.start, m.end):
            message = f"{meeting_words(conf, m)} falls outside the hours room {m.room_id} is available"
            out.append(Violation(ROOM_USE, message))
    return out


def seats(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """6. room.capacity >= seats (request seats, else the sum of the parties' sizes)."""
    return [
        Violation(
            SEATS, f"{meeting_words(conf, m)} needs {m.request.seats} seats; room {m.room_id} seats {m.room.capacity}"
        )
        for m in placed
        if m.room is not None and m.room.capacity < m.request.seats
    ]


def features(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """7. The room has every required feature, and interpretation when the parties share no language."""
    out = []
    for m in (m for m in placed if m.room is not None):
        missing = m.request.requires - m.room.features
        if missing:
            out.append(
                Violation(
                    FEATURES,
                    f"{meeting_words(conf, m)} requires {', '.join(sorted(missing))}, which room {m.room_id} lacks",
                )
            )
        if needs_interpretation(conf, m.request) and "interpretation" not in m.room.features:
            message = (
                f"{meeting_words(conf, m)}: {', '.join(m.request.parties)} share no language "
                f"and room {m.room_id} has no interpretation"
            )
            out.append(Violation(FEATURES, message))
    return out


def protocol_level(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """8. room.level >= the highest level among the parties."""
    out = []
    for m in (m for m in placed if m.room is not None):
        top = max((conf.delegation(p) for p in m.request.parties), key=lambda d: d.level)
        if m.room.level < top.level:
            out.append(
                Violation(
                    PROTOCOL_LEVEL,
                    f"{meeting_words(conf, m)} is in room {m.room_id} of level "
                    f"{m.room.level}, below the level {top.level} of {top.id}",
                )
            )
    return out


def home_rooms(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """9. A meeting is held in the host's home room, else in one of the parties' home rooms."""
    out = []
    for m in placed:
        host = conf.delegation(m.request.host) if m.request.host else None
        if host is not None and host.home_room is not None:
            if m.room_id != host.home_room:
                out.append(
                    Violation(
                        HOME_ROOMS,
                        f"{meeting_words(conf, m)} is in room {m.room_id}, not in host "
                        f"{host.id}'s home room {host.home_room}",
                    )
                )
            continue
        homes = _home_rooms(conf.delegation(p) for p in m.request.parties)
        if homes and m.room_id not in homes:
            message = (
                f"{meeting_words(conf, m)} is in room {m.room_id}, not in a home room of its parties "
                f"({', '.join(sorted(homes))})"
            )
            out.append(Violation(HOME_ROOMS, message))
    return out


def _home_rooms(delegations: Iterable[Delegation]) -> set[str]:
    return {d.home_room for d in delegations if d.home_room is not None}


def daily_load(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """10. A delegation with max_meetings_per_day has at most that many meetings on each day."""
    out = []
    for d in (d for d in conf.delegations if d.max_meetings_per_day is not None):
        per_day: dict[int, list[Placed]] = defaultdict(list)
        for m in placed:
            day = conf.day_of(m.start, m.end)
            if day is not None and d.id in m.request.parties:
                per_day[day.index].append(m)
        for index, ms in sorted(per_day.items()):
            if len(ms) > d.max_meetings_per_day:
                day = conf.event.days[index]
                out.append(
                    Violation(
                        DAILY_LOAD,
                        f"{d.id} has {len(ms)} meetings on {day_words(day)} "
                        f"({', '.join(m.request.id for m in ms)}); "
                        f"at most {d.max_meetings_per_day} a day",
                    )
                )
    return out


def interpreters(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """11. At no instant run more meetings needing interpretation than there are interpreter teams."""
    teams = conf.event.interpreter_teams
    if teams is None:
        return []
    needing = [m for m in placed if needs_interpretation(conf, m.request)]
    moments = sorted({t for m in needing for t in (m.start, m.end)})
    crowded: list[tuple[int, int, tuple[str, ...]]] = []
    for t0, t1 in pairwise(moments):
        running = tuple(m.request.id for m in needing if m.start <= t0 and t1 <= m.end)
        if len(running) <= teams:
            continue
        # one line per stretch in which the same meetings run, not per elementary segment
        if crowded and crowded[-1][1] == t0 and crowded[-1][2] == running:
            crowded[-1] = (crowded[-1][0], t1, running)
        else:
            crowded.append((t0, t1, running))
    return [
        Violation(
            INTERPRETERS,
            f"{span(conf, s, e)}: {len(ids)} meetings need interpretation at once "
            f"({', '.join(ids)}); interpreter teams: {teams}",
        )
        for s, e, ids in crowded
    ]


def pinned(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """12. A pinned request is scheduled exactly at its fixed start (and in its fixed room)."""
    out = []
    for r in (r for r in conf.requests if r.pinned):
        mine = [m for m in placed if m.request.id == r.id]
        if not mine:
            out.append(
                Violation(PINNED, f"pinned request {r.id} (fixed at {when(conf, r.fixed_start)}) is not scheduled")
            )
        for m in mine:
            if m.start != r.fixed_start:
                out.append(
                    Violation(PINNED, f"{meeting_words(conf, m)} is not at its fixed start {when(conf, r.fixed_start)}")
                )
            if r.fixed_room is not None and m.room_id != r.fixed_room:
                out.append(
                    Violation(
                        PINNED, f"{meeting_words(conf, m)} is in room {m.room_id}, not in its fixed room {r.fixed_room}"
                    )
                )
    return out


def reserved_rooms(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """13. A room reserved for a delegation holds only meetings of which that delegation is a party."""
    return [
        Violation(
            RESERVED_ROOMS,
            f"{meeting_words(conf, m)} is in room {m.room_id}, reserved for {m.room.reserved_for}, "
            f"which is not one of its parties ({', '.join(m.request.parties)})",
        )
        for m in placed
        if m.room is not None and m.room.reserved_for is not None and m.room.reserved_for not in m.request.parties
    ]


RULE_CHECKS = (
    once,
    day_hours_and_grid,
    presence,
    one_place_at_a_time,
    room_use,
    seats,
    features,
    protocol_level,
    home_rooms,
    daily_load,
    interpreters,
    pinned,
    reserved_rooms,
)
