"""The breaks phase by MaxSAT, for forums of one-slot meetings that all happen (the B2B instances).

There, once every request is held, the only goal left that matters is the contract's breaks, and CP-SAT
proves it poorly: the breaks are runs on a grid, whose LP relaxation says little. Core-guided MaxSAT (RC2 of
`python-sat`, with the CaDiCaL oracle) is what the B2B paper found fastest. The encoding:

- `at[m, k]`: meeting m in grid slot k (only the slots its placement allows); exactly one per meeting;
- `busy[d, k]` <-> some meeting of delegation d is in slot k; at most one per delegation and slot;
- at most as many meetings per slot as there are rooms (rooms are interchangeable here, see `shape`);
- implied, as in the paper: a delegation is busy in exactly as many slots as it has meetings, and at most
  twice the rooms of delegations are busy in any slot;
- `later[d, k]`: d is busy in slot k or after (forced true by any later meeting);
- soft, weight 1 each: no break starts at k (busy at k-1, idle at k, busy later) - so the cost is the breaks.

RC2 runs in a child process beside the CP-SAT phases, so that the time limit can stop it; unproven in
time, it gives nothing and the CP-SAT breaks phase goes on.
"""

from __future__ import annotations

from collections import defaultdict

from scheduler.contract.domain import Conference, Meeting
from scheduler.model.child import Child
from scheduler.model.room_groups import PoolMeeting, assign_rooms
from scheduler.rules.placement import Placement


def shape(conference: Conference, where: dict[str, Placement]) -> bool:
    """True when the breaks are all that is left to decide and MaxSAT sees every rule: one day without
    programme items, no changeover or turnover, every request mandatory, placeable, one slot long, without
    preferred windows or interpretation, on the grid, in any room at any of its starts (the rooms are
    interchangeable), and no daily limit."""
    event = conference.event
    if len(event.days) != 1 or event.changeover_minutes or event.room_turnover_minutes or conference.programme:
        return False
    day, rooms = event.days[0], frozenset(r.id for r in conference.rooms)
    if any(d.max_meetings_per_day is not None for d in conference.delegations):
        return False
    for request in conference.requests:
        p = where[request.id]
        if not (request.must_happen and p.possible and request.duration == event.slot_minutes):
            return False
        if request.preferred or p.needs_interpretation or set(p.starts_by_room) != rooms:
            return False
        if any(starts != p.starts for starts in p.starts_by_room.values()):
            return False
        if any((s - day.start) % event.slot_minutes for s in p.starts):
            return False
    return True


class FewestBreaks:
    """RC2 on the breaks, running in a child process from `start` on, so that the CP-SAT phases can go on
    beside it; `result` waits for its proven schedule, or gives None (and stops it) when time is up."""

    def __init__(self, conference: Conference, where: dict[str, Placement]):
        """Expects `shape(conference, where)`."""
        self.encoding = _Encoding(conference, where)
        self.child = Child(_rc2, self.encoding.hard, self.encoding.soft)

    def done(self) -> bool:
        return self.child.done()

    def result(self, seconds: float) -> list[Meeting] | None:
        model = self.child.result(seconds)
        return None if model is None else self.encoding.meetings(set(model))

    def cancel(self) -> None:
        self.child.cancel()


def _rc2(hard: list[list[int]], soft: list[list[int]]) -> list[int]:
    from pysat.examples.rc2 import RC2
    from pysat.formula import WCNF

    wcnf = WCNF()
    for clause in hard:
        wcnf.append(clause)
    for clause in soft:
        wcnf.append(clause, weight=1)
    with RC2(wcnf, solver="cadical153", adapt=True, exhaust=True, minz=True) as rc2:
        return rc2.compute()


class _Encoding:
    """The weighted CNF of the module's docstring; `meetings` reads a model back."""

    def __init__(self, conference: Conference, where: dict[str, Placement]):
        from pysat.card import CardEnc, EncType
        from pysat.formula import IDPool

        self.conference, self.pool = conference, IDPool()
        self.hard: list[list[int]] = []
        self.soft: list[list[int]] = []
        day, slot = conference.event.days[0], conference.event.slot_minutes
        self.day_start, self.slot = day.start, slot
        slots = (day.end - day.start) // slot
        self.at: dict[tuple[str, int], int] = {}
        of: dict[str, list[str]] = defaultdict(list)
        for rid, p in where.items():
            lits = [self._at(rid, (s - day.start) // slot) for s in p.starts]
            self._cardinality(CardEnc.equals(lits, 1, vpool=self.pool, encoding=EncType.seqcounter))
            for party in p.request.parties:
                of[party].append(rid)
        rooms = len(conference.rooms)
        in_slot: dict[int, list[int]] = defaultdict(list)
        for (_, k), lit in self.at.items():
            in_slot[k].append(lit)
        for lits in in_slot.values():
            if len(lits) > rooms:
                self._cardinality(CardEnc.atmost(lits, rooms, vpool=self.pool, encoding=EncType.seqcounter))
        busy_in_slot: dict[int, list[int]] = defaultdict(list)
        for party, mine in of.items():
            busy = [self._busy(party, k, [self.at[(rid, k)] for rid in mine if (rid, k) in self.at])
                    for k in range(slots)]
            self._cardinality(CardEnc.equals(busy, len(mine), vpool=self.pool, encoding=EncType.seqcounter))
            for k, b in enumerate(busy):
                busy_in_slot[k].append(b)
            later = [self.pool.id(("later", party, k)) for k in range(slots + 1)]
            self.hard.append([-later[slots]])
            for k in range(slots):
                self.hard += [[-busy[k], later[k]], [-later[k + 1], later[k]]]
            for k in range(1, slots - 1):
                self.soft.append([-busy[k - 1], busy[k], -later[k + 1]])
        # This cap alone as a totalizer (the others stay sequential counters): RC2 alone on one core, the
        # 20 B2B instances, 40 s each, proved 18 instead of 17 (forum-13crafc 2 s instead of over 40 s,
        # ticf-13crafc 12 s instead of over 40 s, ticf-14crafa 10 s instead of 14 s; forum-13crafb over 40 s
        # instead of 16 s). Each other cardinality as a totalizer instead was slower on forum-13crafc (23-56 s)
        # and ticf-13crafc (over 60 s).
        for lits in busy_in_slot.values():
            if len(lits) > 2 * rooms:
                self._cardinality(CardEnc.atmost(lits, 2 * rooms, vpool=self.pool, encoding=EncType.kmtotalizer))

    def _at(self, rid: str, k: int) -> int:
        self.at[(rid, k)] = self.pool.id(("at", rid, k))
        return self.at[(rid, k)]

    def _busy(self, party: str, k: int, lits: list[int]) -> int:
        from pysat.card import CardEnc, EncType

        busy = self.pool.id(("busy", party, k))
        if not lits:
            self.hard.append([-busy])
            return busy
        self.hard += [[-lit, busy] for lit in lits]
        self.hard.append([-busy, *lits])
        if len(lits) > 1:
            self._cardinality(CardEnc.atmost(lits, 1, vpool=self.pool, encoding=EncType.seqcounter))
        return busy

    def _cardinality(self, cnf) -> None:
        self.hard += cnf.clauses

    def meetings(self, true: set[int]) -> list[Meeting]:
        rooms = tuple(r.id for r in self.conference.rooms)
        placed = [
            PoolMeeting(rid, self.conference.request(rid).parties, self.day_start + k * self.slot, self.slot)
            for (rid, k), lit in self.at.items()
            if lit in true
        ]
        room_of = assign_rooms(rooms, placed)
        return [Meeting(m.request, m.parties, room_of[m.request], m.start, m.start + self.slot) for m in placed]
