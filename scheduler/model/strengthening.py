"""Redundant constraints implied by the rules between meetings: they cut no schedule, and give the LP
relaxation inside CP-SAT a much better bound (energy per delegation and day, per set of rooms).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scheduler.model.variables import Strengthening

if TYPE_CHECKING:
    from scheduler.model.variables import ConferenceModel


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _covered(spans: Iterable[tuple[int, int]]) -> int:
    """Total length of a union of spans."""
    return sum(b - a for a, b in _merged(spans))


WINDOW_ITEMS = 40


def _window_energy(cm: ConferenceModel, items: list[tuple[object, int, list[tuple[int, int]]]], size: int = 1) -> None:
    """For every time window, the items that can only lie inside it fit in the time they could occupy there.

    `items` are (literal, extent, merged spans it could occupy); `size` resources work in parallel. One
    constraint per distinct set of items whose total extent exceeds that time: the rest cut nothing.
    """
    if len(items) < 2:
        return
    hulls = [(spans[0][0], spans[-1][1]) for _, _, spans in items]
    seen: set[frozenset[int]] = set()
    # Every window costs a pass over the items: with many items, only the whole day (or room) is weighed.
    starts = sorted({h[0] for h in hulls}) if len(items) <= WINDOW_ITEMS else [min(h[0] for h in hulls)]
    for a in starts:
        ends = sorted({h[1] for h in hulls if h[1] > a}) if len(items) <= WINDOW_ITEMS else [max(h[1] for h in hulls)]
        for b in ends:
            members = frozenset(i for i, (lo, hi) in enumerate(hulls) if a <= lo and hi <= b)
            if len(members) < 2 or members in seen:
                continue
            seen.add(members)
            demand = sum(items[i][1] for i in members)
            if demand <= size * (b - a):
                continue
            capacity = size * _covered(span for i in members for span in items[i][2])
            if demand > capacity:
                cm.model.add(sum(items[i][1] * items[i][0] for i in members) <= capacity)


def delegation_day_energy(cm: ConferenceModel) -> None:
    """Implied by rule 4: a delegation's meetings that can only fall inside a window of a day, each with its
    changeover, fit in the time they could occupy there (day hours, presence, programme already cut out)."""
    gap = cm.conference.event.changeover_minutes
    for mvs in cm.of_delegation().values():
        for day in cm.conference.event.days:
            items = []
            for mv in mvs:
                if day.index in mv.on_day:
                    extent = cm.extent(mv, gap)
                    spans = _merged((s, s + extent) for s in mv.placement.starts if day.start <= s < day.end)
                    items.append((mv.on_day[day.index], extent, spans))
            _window_energy(cm, items)


def room_set_energy(cm: ConferenceModel) -> None:
    """Implied by rule 5: the meetings that can only be held in a set of rooms fit in those rooms' time (and,
    for a single pool, those that can only fall inside a window fit in that window)."""
    gap = cm.conference.event.room_turnover_minutes
    # where each meeting could keep each of its pools busy, as a few merged spans (cheap to compare)
    busy = {
        (rid, pool): tuple(_merged((s, s + cm.extent(mv, gap)) for s in mv.placement.starts_by_room[pool]))
        for rid, mv in cm.meetings.items()
        for pool in mv.in_room
    }
    room_sets = {frozenset(mv.in_room) for mv in cm.meetings.values()}
    for rooms in sorted(room_sets, key=sorted):  # in one order whatever the hash seed: a seeded solve repeats
        inside = [(rid, mv) for rid, mv in cm.meetings.items() if mv.in_room.keys() <= rooms]
        capacity = 0
        for pool in sorted(rooms):
            patterns = {busy[rid, pool] for rid, mv in inside if pool in mv.in_room}
            capacity += len(cm.pools[pool]) * _covered(span for spans in patterns for span in spans)
        if sum(cm.extent(mv, gap) for _, mv in inside) > capacity:
            cm.model.add(sum(cm.extent(mv, gap) * mv.held for _, mv in inside) <= capacity)
        if len(rooms) == 1:
            (pool,) = rooms
            items = [(mv.held, cm.extent(mv, gap), list(busy[rid, pool])) for rid, mv in inside]
            _window_energy(cm, items, len(cm.pools[pool]))


DELEGATION_DAY_ENERGY = Strengthening("delegation_day_energy", delegation_day_energy)
ROOM_SET_ENERGY = Strengthening("room_set_energy", room_set_energy)
