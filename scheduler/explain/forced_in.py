"""The model of one request forced into a schedule as it stands, each thing that can keep it out an assumption.

The request must take one of its times and rooms (on the day hours' grid); each thing that can close one
of them is an assumption literal (a `Cause`):
- the rules about the meeting alone, at the finest grain their words can use: a party's availability, the
  request's own window, a programme item a party attends, each room's seats, features, level, owner (its
  salon), hours; the pin and the home-room rule (from the registry's placement steps);
- each meeting of the schedule staying where it is, under the rule between meetings that it blocks by
  (from the registry's `blocks`: one_place_at_a_time, room_use, daily_load, interpreters).
CP-SAT reads it with assumptions (one worker, no objective); `ForcedIn.fits` reads the very same blocks in
Python, to shrink a set of causes quickly.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.contract import rule_names as names
from scheduler.contract.domain import Conference, Meeting, Request, inside_union
from scheduler.explain.budget import Budget
from scheduler.explain.causes import Cause
from scheduler.registry import blocking, placement_rules
from scheduler.rules.between import Blocking, Placed, by_time_and_room
from scheduler.rules.placement import (
    Need,
    TimeStep,
    day_hours_and_grid,
    every_minute,
    max_level,
    needs_interpretation,
)
from scheduler.search.stoppable import solve_until

# the rules that decide which rooms may host a request at all (see `ForcedIn.background`): those with a
# placement step about the room alone
ROOM_SUITABILITY = frozenset(step.rule for step in placement_rules().rooms)


@dataclass
class Option:
    room: str
    start: int
    static: list[Cause]  # rules about the meeting alone that close it


@dataclass(frozen=True)
class Block:
    """Closes an option when every cause of `all_of` holds and at least `at_least` of `some_of` do (a daily
    limit reached, every interpreter team busy); with `at_least` 0, `all_of` alone closes it."""

    all_of: tuple[Cause, ...]
    some_of: tuple[Cause, ...] = ()
    at_least: int = 0

    def closes(self, held: frozenset[Cause]) -> bool:
        return all(c in held for c in self.all_of) and sum(c in held for c in self.some_of) >= self.at_least


class ForcedIn:
    """The request forced into the schedule as it stands: it takes one option, which every `Block` whose
    causes hold closes. Read by CP-SAT (each cause an assumption literal) and, to shrink a set of causes
    quickly, by `fits` on the very same blocks."""

    def __init__(self, conference: Conference, request: Request, meetings: list[Meeting], freeze: int | None):
        self.conference, self.request = conference, request
        self.meetings = [m for m in meetings if m.request != request.id]
        self.order = {m: i for i, m in enumerate(self.meetings)}
        options = every_option(conference, request, freeze)
        self.by_option = [[Block((c,)) for c in o.static] for o in options]
        self.by_start: dict[int, list[Block]] = defaultdict(list)
        self._between_meetings(options)
        # options closed by the very same blocks are one choice for the question asked: keep the first
        groups: dict[frozenset[Block], Option] = {}
        for option, blocks in zip(options, self.by_option, strict=True):
            groups.setdefault(frozenset([*blocks, *self.by_start[option.start]]), option)
        self.options = list(groups.values())
        self.blocks = list(groups)
        self.model = cp_model.CpModel()
        self.lits: dict[Cause, cp_model.IntVar] = {}
        self.x = [self.model.new_bool_var(f"x[{o.room},{o.start}]") for o in self.options]
        self.model.add_exactly_one(self.x)
        for x, blocks in zip(self.x, self.blocks, strict=True):
            for block in blocks:
                self._close(x, block)
        rooms = {r.id for r in conference.rooms}
        # which rooms may host it at all is background, not a cause: the answer is about time and meetings
        self.background = [c for c in self.lits if c.rule in ROOM_SUITABILITY and c.subject in rooms]
        self.causes = [c for c in self.lits if c not in set(self.background)]

    def lit(self, cause: Cause) -> cp_model.IntVar:
        if cause not in self.lits:
            self.lits[cause] = self.model.new_bool_var(f"a[{cause.rule},{cause.subject},{cause.meeting}]")
        return self.lits[cause]

    def _close(self, taken: cp_model.IntVar, block: Block) -> None:
        every = [self.lit(c) for c in block.all_of]
        if not block.at_least:
            self.model.add_bool_or([~taken, *(~lit for lit in every)])
        else:
            some = [self.lit(c) for c in block.some_of]
            self.model.add(sum(some) <= block.at_least - 1).only_enforce_if([taken, *every])

    def _between_meetings(self, options: list[Option]) -> None:
        """Each rule between meetings closes an option while the meetings it finds in the way stay: the rules
        about time alone once per start, those about the room once per option."""
        conference = self.conference
        placed = Placed.of(
            conference, self.meetings, lambda rid: needs_interpretation(conference, conference.request(rid))
        )
        by_time, by_room = by_time_and_room(blocking())
        for start in sorted({o.start for o in options}):
            self.by_start[start] += self._blocks(by_time, placed, "", start)
        for blocks, option in zip(self.by_option, options, strict=True):
            blocks += self._blocks(by_room, placed, option.room, option.start)

    def _blocks(self, rules: tuple[Blocking, ...], placed: Placed, room: str, start: int) -> list[Block]:
        """The registry's blockers as blocks: each meeting in the way with its rule (once, in the schedule's
        order, though it be in the way of two parties: CP-SAT's answer depends on the model's order), or a
        limit filled (a daily limit, the interpreter teams) while that many of its meetings stay."""
        interpreted = needs_interpretation(self.conference, self.request)
        out = []
        for rule in rules:
            found = rule.find(placed, self.request, interpreted, room, start)
            each = {m for b in found if b.limit is None for m in b.meetings}
            out += [Block((_stays(m), Cause(rule.rule))) for m in sorted(each, key=self.order.__getitem__)]
            limits = [b for b in found if b.limit is not None]
            out += [Block((Cause(rule.rule),), tuple(map(_stays, b.meetings)), b.limit) for b in limits]
        return out

    def fits(self, held: Iterable[Cause], lifted: Cause | None = None) -> Option | None:
        """An option that no block closes when the causes `held` (and the background but `lifted`) hold."""
        held = frozenset([*held, *self.background]) - {lifted}
        for blocks, option in zip(self.blocks, self.options, strict=True):
            if not any(b.closes(held) for b in blocks):
                return option
        return None

    def solve(
        self, assumed: Iterable[Cause], budget: Budget, lifted: Cause | None = None
    ) -> tuple[int, cp_model.CpSolver]:
        """CP-SAT on the model with the causes `assumed` (and the background but `lifted`) as assumptions,
        for the time the budget has left; the solve's stop ends it (TimeoutError once the budget is spent)."""
        self.model.clear_assumptions()
        held = [c for c in dict.fromkeys([*assumed, *self.background]) if c != lifted]
        self.model.add_assumptions([self.lits[c] for c in held])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # assumptions are only reported by a single worker
        solver.parameters.max_time_in_seconds = budget.left()
        return solve_until(solver, self.model, budget.stop), solver

    def option_of(self, solver: cp_model.CpSolver) -> Option:
        return next(o for x, o in zip(self.x, self.options, strict=True) if solver.value(x))


def _stays(meeting: Meeting) -> Cause:
    """The cause that a meeting of the schedule stays where it is."""
    return Cause("stays", meeting=meeting.request)


def every_option(conference: Conference, request: Request, freeze: int | None) -> list[Option]:
    """Every room and grid start inside the day hours, with the rules about the meeting alone that close it
    (from the rule registry's placement steps, split by party, programme item and room for their words)."""
    starts = day_hours_and_grid(conference, request, every_minute(conference, request))
    need = Need(conference, request, needs_interpretation(conference, request), max_level(conference, request))
    closed: dict[tuple[str, int], list[Cause]] = {(r.id, s): [] for r in conference.rooms for s in starts}
    steps = placement_rules()
    for step in steps.rooms:
        for room in conference.rooms:
            if not step.keeps(need, room):
                for s in starts:
                    closed[room.id, s].append(Cause(step.rule, room.id))
    for step in steps.times:
        if step.rule == names.DAY_HOURS_AND_GRID:
            continue  # the frame of the options
        for cause, kept in _time_causes(conference, request, step, starts):
            for s in set(starts) - set(kept):
                for room in conference.rooms:
                    closed[room.id, s].append(cause)
    for step in steps.room_times:
        for room in conference.rooms:
            kept = set(step.keeps(conference, room, request.duration, starts))
            for s in starts:
                if s not in kept:
                    closed[room.id, s].append(Cause(step.rule, room.id))
    if freeze is not None:
        for (_, s), causes in closed.items():
            if s < freeze:
                causes.append(Cause("history"))
    return [Option(room, s, causes) for (room, s), causes in closed.items()]


def _time_causes(
    conference: Conference, request: Request, step: TimeStep, starts: list[int]
) -> list[tuple[Cause, list[int]]]:
    """A rule about time, split where its words can be finer: presence by party and the request's window,
    the programme by item."""
    if step.rule == names.PRESENCE:
        alone = [(p, dataclasses.replace(request, parties=(p,), window=None)) for p in request.parties]
        out = [(Cause(step.rule, p), step.keeps(conference, r, starts)) for p, r in alone]
        if request.window is not None:
            out.append(
                (Cause(step.rule, ""), [s for s in starts if inside_union(request.window, s, s + request.duration)])
            )
        return out
    if step.rule == names.ONE_PLACE_AT_A_TIME:
        attended = [p for p in conference.programme if p.attendees & set(request.parties)]
        return [
            (
                Cause(step.rule, f"programme:{item.id}"),
                step.keeps(dataclasses.replace(conference, programme=(item,), _index={}), request, starts),
            )
            for item in attended
        ]
    return [(Cause(step.rule), step.keeps(conference, request, starts))]

