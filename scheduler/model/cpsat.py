"""The CP-SAT model: one optional meeting per request, arbitrated by the rules that involve several meetings.

Rules about one meeting alone are already folded into each request's `Placement` (its possible rooms and
starts). What remains here are the rules between meetings, one function each, named as the rule: once,
pinned, one_place_at_a_time, room_use, daily_load, interpreters. Which of them a model holds is decided by
the caller with `ModelPart`s from the rule registry (`scheduler.registry`). The objectives (priority,
preferences, breaks, room changes) are built on demand by the solve phases.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

from ortools.sat.python import cp_model
from ortools.util.python.sorted_interval_list import Domain

from scheduler.contract.domain import Conference, History, Meeting, Request, inside_union
from scheduler.contract.figures import programme_blocks
from scheduler.model.room_groups import PoolMeeting, assign_rooms, room_pools
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


# --- the rules between meetings -----------------------------------------------------------------


def once(cm: ConferenceModel) -> None:
    """Rule 1: each request is scheduled at most once; a mandatory one exactly once."""
    # "At most once" is structural: one set of variables per request.
    for mv in cm.meetings.values():
        if mv.request.mandatory:
            cm.model.add(mv.held == 1)


def pinned(cm: ConferenceModel) -> None:
    """Rule 12: a request with `fixed` is always scheduled (at its fixed start and room: see Placement)."""
    for mv in cm.meetings.values():
        if mv.request.pinned:
            cm.model.add(mv.held == 1)


def one_place_at_a_time(cm: ConferenceModel) -> None:
    """Rule 4: a delegation's meetings are apart by at least the changeover (programme items: see Placement)."""
    gap = cm.conference.event.changeover_minutes
    slot = cm.conference.event.slot_minutes
    for party, mvs in cm.of_delegation().items():
        if len(mvs) > 1:
            cm.model.add_no_overlap([cm.interval(mv, gap, mv.held, f"busy[{party}]") for mv in mvs])
            if all(mv.request.must_happen and cm.extent(mv, gap) == slot for mv in mvs):
                # one-slot meetings that all happen (a B2B forum): apart means at different starts, and
                # all-different propagates and relaxes far better than the intervals alone
                cm.model.add_all_different([mv.start for mv in mvs])


def room_use(cm: ConferenceModel) -> None:
    """Rule 5: two meetings in one room are apart by at least the room turnover (a pool of k interchangeable
    rooms holds at most k such meetings at once)."""
    gap = cm.conference.event.room_turnover_minutes
    by_pool: dict[str, list] = defaultdict(list)
    for mv in cm.meetings.values():
        for pool, lit in mv.in_room.items():
            by_pool[pool].append(cm.interval(mv, gap, lit, f"room[{pool}]"))
    for pool, intervals in by_pool.items():
        size = len(cm.pools[pool])
        if size == 1 and len(intervals) > 1:
            cm.model.add_no_overlap(intervals)
        elif len(intervals) > size:
            cm.model.add_cumulative(intervals, [1] * len(intervals), size)


def daily_load(cm: ConferenceModel) -> None:
    """Rule 10: a delegation with max_meetings_per_day has at most that many meetings on each day."""
    held = Counter(
        (party, day.index)
        for m in cm.history.meetings
        for party in m.parties
        for day in cm.conference.event.days
        if day.start <= m.start < day.end
    )
    for party, mvs in cm.of_delegation().items():
        limit = cm.conference.delegation(party).max_meetings_per_day
        if limit is None:
            continue
        for day in cm.conference.event.days:
            lits = [mv.on_day[day.index] for mv in mvs if day.index in mv.on_day]
            left = max(0, limit - held[party, day.index])  # the meetings already held that day count
            if len(lits) > left:
                cm.model.add(sum(lits) <= left)


def interpreters(cm: ConferenceModel) -> None:
    """Rule 11: at no instant run more meetings needing interpretation than there are interpreter teams."""
    teams = cm.conference.event.interpreter_teams
    if teams is None:
        return
    needing = [mv for mv in cm.meetings.values() if mv.placement.needs_interpretation]
    busy = teams_held(cm, teams)
    if len(needing) > teams or (needing and busy):
        intervals = [cm.interval(mv, 0, mv.held, "interpreting") for mv in needing]
        demands = [1] * len(intervals)
        for start, end, count in busy:
            intervals.append(cm.model.new_fixed_size_interval_var(start, end - start, f"held_teams[{start}]"))
            demands.append(count)
        cm.model.add_cumulative(intervals, demands, teams)


def teams_held(cm: ConferenceModel, teams: int) -> list[tuple[int, int, int]]:
    """The teams the meetings already held keep busy: (start, end, teams) spans, at most `teams` each (a
    history that broke rule 11 still closes that time, but does not make the model infeasible)."""
    spans = [(m.start, m.end) for m in cm.history.meetings if m.request in cm.history.interpreted]
    instants = sorted({t for span in spans for t in span})
    out = []
    for a, b in pairwise(instants):
        count = min(teams, sum(1 for s, e in spans if s <= a and b <= e))
        if count:
            out.append((a, b, count))
    return out


# --- redundant constraints: implied by the rules, they give the LP relaxation a much better bound ---------


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


# --- secondary objectives -------------------------------------------------------------------------


def preferred_value(cm: ConferenceModel) -> cp_model.LinearExpr:
    """Secondary goal 1: the sum of priority over held requests lying wholly inside their preferred windows."""
    lits, weights = [], []
    for mv in cm.meetings.values():
        request = mv.request
        if request.preferred is None:
            continue
        good = [s for s in mv.placement.starts if inside_union(request.preferred, s, s + request.duration)]
        if not good:
            continue
        met = cm.model.new_bool_var(f"preferred_met[{request.id}]")
        cm.model.add_implication(met, mv.held)
        if len(good) < len(mv.placement.starts):
            cm.model.add_linear_expression_in_domain(mv.start, Domain.from_values(good)).only_enforce_if(met)
        lits.append(met)
        weights.append(request.priority)
    return cp_model.LinearExpr.weighted_sum(lits, weights)


@dataclass(frozen=True)
class _Node:
    """One commitment of a delegation on a day, in the successor graph of the breaks objective."""

    present: object  # literal, or True for a programme block
    start: object  # start variable or constant
    end_offset: int  # end = start + end_offset
    earliest: int
    latest_start: int
    is_meeting: bool


RUNS_LITERALS = 400  # per delegation and day; above it, the successor circuit is smaller


def breaks_model_size(cm: ConferenceModel) -> int:
    """Roughly how many constraints `breaks_value` would add (to skip it when time is short)."""
    size = 0
    for party, mvs in cm.of_delegation().items():
        for day in cm.conference.event.days:
            mine = [mv for mv in mvs if day.index in mv.on_day]
            starts = sum(sum(day.start <= s < day.end for s in mv.placement.starts) for mv in mine)
            blocks = programme_blocks(cm.conference, party, day)
            if mine and not blocks and starts <= RUNS_LITERALS:
                size += starts
            elif mine:
                size += 3 * (len(mine) + len(blocks)) ** 2
    return size


def breaks_value(cm: ConferenceModel) -> cp_model.LinearExpr:
    """Secondary goal 2: the number of breaks of every delegation on every day.

    On a day without programme items a delegation's breaks are its runs of back-to-back meetings less one
    (`_runs`); otherwise, and where that model would be large, a successor circuit orders its commitments
    (`_circuit`).
    """
    event = cm.conference.event
    threshold = event.changeover_minutes + event.slot_minutes
    breaks = []
    for party, mvs in cm.of_delegation().items():
        for day in event.days:
            mine = [mv for mv in mvs if day.index in mv.on_day]
            starts = sum(sum(day.start <= s < day.end for s in mv.placement.starts) for mv in mine)
            if not mine:
                continue
            if not programme_blocks(cm.conference, party, day) and starts <= RUNS_LITERALS:
                breaks.append(_runs(cm, mine, day, f"{party}@{day.index}"))
            else:
                breaks += _circuit(cm, _day_nodes(cm, party, mvs, day), threshold, f"{party}@{day.index}")
    _tables_per_slot(cm)
    return sum(breaks) if breaks else cp_model.LinearExpr.constant(0)


def _tables_per_slot(cm: ConferenceModel) -> None:
    """Implied by room use (rule 5): at any grid time no more meetings are in progress than there are rooms.
    Said over the start literals the breaks share (`held_at`), it is the B2B model's "busy participants per
    slot at most twice the tables", which the LP of the breaks cannot see from the rooms' own constraints."""
    if not cm.holds_room_use or "breaks_implied" not in cm.strengthening:
        return
    rooms = len(cm.conference.rooms)
    slot = cm.conference.event.slot_minutes
    for day in cm.conference.event.days:
        in_progress: dict[int, list] = defaultdict(list)
        for (rid, index), at in cm.starts_on_day.items():
            if index != day.index:
                continue
            duration = cm.meetings[rid].duration
            for s, lit in at.items():
                first = day.start + -(-(s - day.start) // slot) * slot  # the first grid time at or after s
                for t in range(first, min(s + duration, day.end), slot):
                    in_progress[t].append(lit)
        for lits in in_progress.values():
            if len(lits) > rooms:
                cm.model.add(sum(lits) <= rooms)


def _runs(cm: ConferenceModel, mine: list[MeetingVars], day, name: str) -> cp_model.IntVar:
    """Breaks of one delegation on a day without programme items, on the slot grid.

    Back-to-back meetings (next start = this start + extent, i.e. an idle time under changeover + slot)
    occupy consecutive grid positions, so the breaks are the runs of occupied positions less one.
    """
    m = cm.model
    slot = cm.conference.event.slot_minutes
    gap = cm.conference.event.changeover_minutes
    occupied: dict[int, list] = defaultdict(list)
    off_grid: set[int] = set()  # positions reached by a start off the grid (a pin), where two may share one
    for mv in mine:
        for s, lit in cm.held_at(mv, day).items():
            first = (s - day.start) // slot
            for position in range(first, first - (-(mv.duration + gap) // slot)):  # extent in whole slots
                occupied[position].append(lit)
                if (s - day.start) % slot:
                    off_grid.add(position)
    for position, lits in occupied.items():
        if "breaks_implied" in cm.strengthening and position not in off_grid and len(lits) > 1:
            # implied by one place at a time: said, it lets the LP see that a run cannot begin twice at once
            m.add(sum(lits) <= 1)
    run_starts = []
    for position in sorted(occupied):
        begins = m.new_bool_var(f"run[{name},{position}]")
        before = occupied.get(position - 1, [])
        m.add(begins >= sum(occupied[position]) - sum(before))
        run_starts.append(begins)
    breaks = m.new_int_var(0, len(run_starts), f"breaks[{name}]")
    m.add(breaks >= sum(run_starts) - 1)
    return breaks


def _day_nodes(cm: ConferenceModel, party: str, mvs: list[MeetingVars], day) -> list[_Node]:
    nodes = []
    for mv in mvs:
        if day.index in mv.on_day:
            starts = [s for s in mv.placement.starts if day.start <= s < day.end]
            nodes.append(_Node(mv.on_day[day.index], mv.start, mv.duration, starts[0], starts[-1], True))
    for start, end in programme_blocks(cm.conference, party, day):
        nodes.append(_Node(True, start, end - start, start, start, False))
    return nodes


def _circuit(cm: ConferenceModel, nodes: list[_Node], threshold: int, name: str) -> list:
    m = cm.model
    gap = cm.conference.event.changeover_minutes
    arcs = []
    breaks = []
    for i, node in enumerate(nodes, start=1):
        arcs.append((0, i, m.new_bool_var(f"first[{name},{i}]")))
        arcs.append((i, 0, m.new_bool_var(f"last[{name},{i}]")))
        if node.present is not True:
            arcs.append((i, i, ~node.present))
    if all(n.present is not True for n in nodes):
        arcs.append((0, 0, m.new_bool_var(f"empty[{name}]")))
    for i, a in enumerate(nodes, start=1):
        for j, b in enumerate(nodes, start=1):
            if i == j:
                continue
            need = gap if (a.is_meeting or b.is_meeting) else 0
            if b.latest_start < a.earliest + a.end_offset + need:
                continue  # b can never follow a
            lit = m.new_bool_var(f"next[{name},{i},{j}]")
            arcs.append((i, j, lit))
            m.add(b.start >= a.start + a.end_offset + need).only_enforce_if(lit)
            if a.is_meeting or b.is_meeting:
                brk = m.new_bool_var(f"break[{name},{i},{j}]")
                m.add_implication(brk, lit)
                m.add(b.start - a.start - a.end_offset <= threshold - 1).only_enforce_if([lit, ~brk])
                breaks.append(brk)
    m.add_circuit(arcs)
    return breaks


def compactness_value(cm: ConferenceModel) -> cp_model.LinearExpr:
    """A guide towards few breaks: the idle time inside each delegation's day, from its first meeting's start
    to its last meeting's end (with changeover, rounded to the grid), less its meetings' own extents.

    No idle time means no break; unlike breaks it has a useful linear relaxation. Days on which the
    delegation attends programme items are left to the exact breaks phase (a plenary between two meetings
    is idle time here, but no break).
    """
    event = cm.conference.event
    gap = event.changeover_minutes
    idle = []
    for party, mvs in cm.of_delegation().items():
        for day in event.days:
            mine = [mv for mv in mvs if day.index in mv.on_day]
            if len(mine) < 2 or programme_blocks(cm.conference, party, day):
                continue
            first = cm.model.new_int_var(day.start, day.end, f"first[{party}@{day.index}]")
            last = cm.model.new_int_var(day.start, day.end + max(cm.extent(mv, gap) for mv in mine), f"last[{party}]")
            if all(mv.request.must_happen and len(mv.on_day) == 1 for mv in mine):
                # all certainly held that day: exact first and last, which the solver propagates far better
                cm.model.add_min_equality(first, [mv.start for mv in mine])
                cm.model.add_max_equality(last, [mv.start + cm.extent(mv, gap) for mv in mine])
            for mv in mine:
                on = mv.on_day[day.index]
                cm.model.add(first <= mv.start).only_enforce_if(on)
                cm.model.add(last >= mv.start + cm.extent(mv, gap)).only_enforce_if(on)
            # never negative (the extents fit between first and last): saying so gives the LP its bound
            spare = cm.model.new_int_var(0, day.end - day.start + gap, f"idle[{party}@{day.index}]")
            cm.model.add(spare == last - first - sum(cm.extent(mv, gap) * mv.on_day[day.index] for mv in mine))
            idle.append(spare)
    return sum(idle) if idle else cp_model.LinearExpr.constant(0)


def rooms_used_value(cm: ConferenceModel) -> cp_model.LinearExpr:
    """Tie-breaker: the number of (delegation, room) pairs in use, so delegations change rooms less."""
    used_terms = []
    for party, mvs in cm.of_delegation().items():
        rooms = {r for mv in mvs for r in mv.in_room}
        if len(rooms) < 2:
            continue
        for room_id in rooms:
            used = cm.model.new_bool_var(f"uses[{party},{room_id}]")
            for mv in mvs:
                if room_id in mv.in_room:
                    cm.model.add_implication(mv.in_room[room_id], used)
            used_terms.append(used)
    return sum(used_terms) if used_terms else cp_model.LinearExpr.constant(0)
