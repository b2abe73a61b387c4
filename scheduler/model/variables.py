"""The CP-SAT model's variables: one optional meeting per request (held, start, room pool, day), and the helpers
the rules and objectives build on.

Rules about one meeting alone are already folded into each request's `Placement` (its possible rooms and
starts). The rules between meetings are in `rule_parts` (one function each, named as the rule), the
redundant constraints they imply in `strengthening`, the secondary objectives in `objectives`. Which rules a
model holds is decided by the caller with `ModelPart`s from the rule registry (`scheduler.registry`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

from ortools.sat.python import cp_model
from ortools.util.python.sorted_interval_list import Domain

from scheduler.contract.domain import Conference, History, Meeting, Request
from scheduler.model.room_groups import PoolMeeting, assign_rooms, room_pools
from scheduler.model.rule_parts import room_use
from scheduler.rules.placement import Placement

# Each part of the model that makes it stronger without changing its solutions can be switched off
# (benchmarks measure them): energy limits, pools of interchangeable rooms, extents rounded to the grid, the
# breaks phase's implied limits.
STRENGTHENING = frozenset(
    {"delegation_day_energy", "room_set_energy", "room_pools", "grid_rounding", "breaks_implied"}
)


@dataclass(frozen=True)
class Strengthening:
    """Redundant constraints implied by a rule: they tighten the proven bound and cut no schedule."""

    name: str  # a key of STRENGTHENING, to switch it off in benchmarks
    add: Callable[[ConferenceModel], None]


@dataclass(frozen=True)
class ModelPart:
    """A rule's constraints between meetings, and the redundant constraints that it implies."""

    add: Callable[[ConferenceModel], None]
    implied: tuple[Strengthening, ...] = ()
    # the rule's rows in the LP relaxation of the priority (scheduler.model.relaxation); None: it adds none there
    relaxed: Callable | None = None


@dataclass
class MeetingVars:
    """The decision variables of one request: is it held, when, in which room, on which day."""

    request: Request
    placement: Placement
    held: cp_model.IntVar
    start: cp_model.IntVar
    in_room: dict[str, cp_model.IntVar]  # by pool of interchangeable rooms (see room_groups)
    on_day: dict[int, cp_model.IntVar]

    @property
    def duration(self) -> int:
        return self.request.duration


@dataclass
class ConferenceModel:
    """A CP-SAT model of which requests are held, when and where."""

    conference: Conference
    placements: dict[str, Placement]
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    meetings: dict[str, MeetingVars] = field(default_factory=dict)
    pools: dict[str, tuple[str, ...]] = field(default_factory=dict)
    pool_of: dict[str, str] = field(default_factory=dict)
    strengthening: frozenset[str] = STRENGTHENING
    holds_room_use: bool = True  # rule 5 is in the model, so rooms of a pool can be handed out without clashes
    history: History = field(default_factory=History)  # meetings already held, outside the model (re-plans)
    # (request, day) -> {start: literal "held at that start"}, made once and shared by every party's breaks
    starts_on_day: dict[tuple[str, int], dict[int, cp_model.IntVar]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        conference: Conference,
        placements: dict[str, Placement],
        parts: Iterable[ModelPart],
        requests: Iterable[str] | None = None,
        strengthening: frozenset[str] = STRENGTHENING,
        history: History = History(),
    ) -> ConferenceModel:
        """Variables for the placeable requests (all, or the ids given), the rules' `parts` between them and
        the redundant constraints they imply that are named in `strengthening`. `history` (meetings already
        held) is counted by the rules between meetings; the placements are expected to keep apart from it."""
        self = cls(conference, placements, strengthening=strengthening, history=history)
        self.pools = (
            room_pools(conference) if "room_pools" in strengthening else {r.id: (r.id,) for r in conference.rooms}
        )
        self.pool_of = {room: pool for pool, rooms in self.pools.items() for room in rooms}
        wanted = set(requests) if requests is not None else None
        for request in conference.requests:
            placement = placements[request.id]
            if placement.possible and (wanted is None or request.id in wanted):
                self.meetings[request.id] = self._variables(placement)
        parts = list(parts)
        self.holds_room_use = any(part.add is room_use for part in parts)
        for part in parts:
            part.add(self)
        # a redundant constraint comes with the rule that implies it, so it goes when that rule is left out
        for part in parts:
            for extra in part.implied:
                if extra.name in strengthening:
                    extra.add(self)
        return self

    def _variables(self, placement: Placement) -> MeetingVars:
        m, request = self.model, placement.request
        held = m.new_bool_var(f"held[{request.id}]")
        start = m.new_int_var_from_domain(Domain.from_values(placement.starts), f"start[{request.id}]")
        pools = dict.fromkeys(self.pool_of[r] for r in placement.rooms)
        in_room = self._choice(held, pools, f"in_room[{request.id}]")
        for pool, lit in in_room.items():
            room_starts = placement.starts_by_room[pool]  # the same for every room of a pool
            if len(room_starts) < len(placement.starts):
                m.add_linear_expression_in_domain(start, Domain.from_values(room_starts)).only_enforce_if(lit)
        days = self.conference.event.days
        day_ids = sorted({d.index for d in days for s in placement.starts if d.start <= s < d.end})
        on_day = self._choice(held, day_ids, f"on_day[{request.id}]")
        if len(on_day) > 1:
            for index, lit in on_day.items():
                m.add_linear_constraint(start, days[index].start, days[index].end - 1).only_enforce_if(lit)
        return MeetingVars(request, placement, held, start, in_room, on_day)

    def _choice(self, held: cp_model.IntVar, keys: Iterable, name: str) -> dict:
        """One literal per alternative, exactly one of them true when the meeting is held."""
        keys = list(keys)
        if len(keys) == 1:
            return {keys[0]: held}
        lits = {k: self.model.new_bool_var(f"{name}[{k}]") for k in keys}
        self.model.add_exactly_one([*lits.values(), ~held])
        return lits

    # --- helpers for the rules and objectives ---------------------------------------------------

    def of_delegation(self) -> dict[str, list[MeetingVars]]:
        by_party: dict[str, list[MeetingVars]] = defaultdict(list)
        for mv in self.meetings.values():
            for party in mv.request.parties:
                by_party[party].append(mv)
        return by_party

    def extent(self, mv: MeetingVars, gap: int) -> int:
        """How far a meeting keeps a delegation or room from its next meeting: duration + gap, rounded up to
        whole slots, since the next meeting that day starts on the same grid (never cuts a schedule)."""
        slot = self.conference.event.slot_minutes
        rounded = -(-(mv.duration + gap) // slot) * slot
        # Rounding is only safe when it cannot reach into the next day's hours.
        if "grid_rounding" not in self.strengthening:
            return mv.duration + gap
        return rounded if rounded <= self._night else mv.duration + gap

    @cached_property
    def _night(self) -> float:
        """The shortest time between one day's end and the next day's start."""
        days = sorted(self.conference.event.days, key=lambda d: d.start)
        return min((b.start - a.end for a, b in pairwise(days)), default=float("inf"))

    def interval(self, mv: MeetingVars, gap: int, present: cp_model.IntVar, name: str):
        """An optional interval covering the meeting and the gap it keeps before the next one."""
        return self.model.new_optional_fixed_size_interval_var(
            mv.start, self.extent(mv, gap), present, f"{name}[{mv.request.id}]"
        )

    def held_at(self, mv: MeetingVars, day) -> dict[int, cp_model.IntVar]:
        """One literal per start of the meeting on `day`: held there. Made once per meeting and day, so that
        both parties' breaks and the tables per slot (`_runs`) speak of the same literals."""
        key = (mv.request.id, day.index)
        if key not in self.starts_on_day:
            at = {}
            for s in (s for s in mv.placement.starts if day.start <= s < day.end):
                at[s] = self.model.new_bool_var(f"at[{mv.request.id},{s}]")
                self.model.add(mv.start == s).only_enforce_if(at[s])
            self.model.add(sum(at.values()) == mv.on_day[day.index])
            self.starts_on_day[key] = at
        return self.starts_on_day[key]

    def priority_value(self) -> cp_model.LinearExpr:
        return cp_model.LinearExpr.weighted_sum(
            [mv.held for mv in self.meetings.values()], [mv.request.priority for mv in self.meetings.values()]
        )

    def add_hint(self, meetings: Iterable[Meeting]) -> None:
        """Suggest a known schedule (greedy or previous) as the solver's starting point."""
        placed = {m.request: m for m in meetings}
        for rid, mv in self.meetings.items():
            meeting = placed.get(rid)
            pool = self.pool_of.get(meeting.room) if meeting is not None else None
            ok = pool in mv.in_room and meeting.start in set(mv.placement.starts)
            # A complete hint (every variable, held or not) lets CP-SAT start from it at once.
            start = meeting.start if ok else mv.placement.starts[0]
            self.model.add_hint(mv.held, ok)
            self.model.add_hint(mv.start, start)
            for pool_id, lit in mv.in_room.items():
                if lit is not mv.held:
                    self.model.add_hint(lit, ok and pool_id == pool)
            for index, lit in mv.on_day.items():
                if lit is not mv.held:
                    day = self.conference.event.days[index]
                    self.model.add_hint(lit, ok and day.start <= start < day.end)

    def meetings_from(self, value) -> list[Meeting]:
        """Read the schedule out of a solver (or solution callback) `value` function; rooms of a pool are
        handed out by `assign_rooms`."""
        gap = self.conference.event.room_turnover_minutes
        by_pool: dict[str, list[PoolMeeting]] = defaultdict(list)
        for rid, mv in self.meetings.items():
            if value(mv.held):
                pool = next(p for p, lit in mv.in_room.items() if value(lit))
                by_pool[pool].append(PoolMeeting(rid, mv.request.parties, value(mv.start), self.extent(mv, gap)))
        out = []
        for pool, placed in by_pool.items():
            rooms = assign_rooms(self.pools[pool], placed, rooms_shared=not self.holds_room_use)
            for pm in placed:
                duration = self.meetings[pm.request].duration
                out.append(Meeting(pm.request, pm.parties, rooms[pm.request], pm.start, pm.start + duration))
        return out
