"""Interchangeable rooms: rooms no rule can tell apart are modelled as one pool, and rooms are handed out after.

Ten identical tables at a B2B forum give the solver 10! equivalent ways to write down every schedule. A pool
of k rooms instead says "at most k meetings at once" (a cumulative), and the actual rooms are assigned
after solving by a sweep in time order, which always succeeds because meetings are intervals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class PoolMeeting:
    """A meeting placed in a pool: it keeps a room from `start` until `start + extent` (turnover included)."""

    request: str
    parties: tuple[str, ...]
    start: int
    extent: int


def room_pools(conference) -> dict[str, tuple[str, ...]]:
    """Pool id (its first room's id) -> the rooms in it, in input order; most rooms are a pool of one.

    Rooms are interchangeable when they have the same capacity, features, level, availability and owner
    (rule 13), host no programme item, and are nobody's home room and no pin's room (rules 9 and 12 name a
    room by its id).
    """
    named = {d.home_room for d in conference.delegations} | {r.fixed_room for r in conference.requests}
    named |= {p.room for p in conference.programme}
    pools: dict[tuple, list[str]] = defaultdict(list)
    for room in conference.rooms:
        if room.id in named:
            key: tuple = ("own", room.id)
        else:
            key = (room.capacity, tuple(sorted(room.features)), room.level, room.available, room.reserved_for)
        pools[key].append(room.id)
    return {ids[0]: tuple(ids) for ids in pools.values()}


def assign_rooms(pool: tuple[str, ...], meetings: list[PoolMeeting], rooms_shared: bool = False) -> dict[str, str]:
    """Request id -> room for meetings of one pool that never exceed its size at once.

    Sweeping in time order, a meeting takes a free room, preferring one its parties used last, so
    delegations change rooms less. `rooms_shared`: the model did not hold rule 5 (a test leaving it out),
    so a meeting may have to share the room that frees first.
    """
    free_from = dict.fromkeys(pool, None)
    last_room: dict[str, str] = {}
    assigned = {}
    for m in sorted(meetings, key=lambda m: (m.start, m.request)):
        free = [r for r in pool if free_from[r] is None or free_from[r] <= m.start]
        if not free and rooms_shared:
            free = [min(pool, key=lambda r: free_from[r])]
        if not free:
            raise ValueError(f"more meetings at once than rooms in pool {pool}")  # the model forbids it
        familiar = [last_room[p] for p in m.parties if last_room.get(p) in free]
        room = familiar[0] if familiar else free[0]
        free_from[room] = m.start + m.extent
        assigned[m.request] = room
        for p in m.parties:
            last_room[p] = room
    return assigned
