"""The baseline of a solve: the previous publication a re-plan keeps close to (`Anchor`), or none (`FRESH`).

A solve asks its baseline, never a stability string, what to do: which meetings are history, where the
requests may still go, which schedule to start from, whether the fewest changes come before or after the
priority. `FRESH` is the null object: a fresh solve, with nothing held and nothing to keep close to.

Re-planning a published schedule moves as little as possible and never rewrites what has happened. The
previous publication becomes the solve's anchor (`Anchor`):
- its meetings that started before `freeze_before` are history: kept exactly as they were held, outside
  the model, while the rules between meetings still count them (a delegation's time and its daily load,
  a room's time, the interpreters); nothing new is placed before that instant;
- its other meetings are the solver's hint, and the `disruption` of a schedule weighs how far it strays
  from them: a change of room costs less than a change of time, a cancelled meeting the most, each in
  proportion to the request's priority.

How the disruption ranks against the contract's goals is the `stability`:
- `balanced` (the default): the priority less the price of the changes (`scheduler.solve.move_cost`): a
  published meeting moves or is dropped only where the priority gained pays for it at the stated rate;
  never below the start schedule, which keeps every published meeting still allowed where it is and
  fills freed time around them; then the fewest changes, then the secondary goals;
- `strict`: the fewest changes first (only the meetings the change forces to move are moved), then the
  primary objective around them, then the secondary goals;
- `priority`: the most priority first, then the fewest changes (whatever a point of priority costs);
- `off`: a fresh solve (history and the freeze still hold).
A re-plan's start schedule may be given (`start_from`: another choice's schedule, see
`scheduler.solve.choices`); the solve then never ends below it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from scheduler.contract import figures
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference, History, Meeting
from scheduler.contract.problems import Problem
from scheduler.rules.placement import Around, Placement, needs_interpretation
from scheduler.solve.move_cost import DEFAULT, SCALE, MoveCost, price_of

if TYPE_CHECKING:  # the model's types only: the service checks an anchor without loading OR-Tools
    from ortools.sat.python import cp_model

    from scheduler.model.variables import ConferenceModel
    from scheduler.solve.run import Run

Stability = Literal["strict", "balanced", "priority", "off"]
STABILITIES: tuple[str, ...] = ("strict", "balanced", "priority", "off")

# The weight of a change when the fewest changes are sought (strict first, the others as a tie-break), per
# unit of the request's priority: the office's calls and the minister's phone.
ROOM_CHANGE, TIME_CHANGE, CANCELLED = 1, 3, 6
FEWEST = MoveCost("fewest", TIME_CHANGE, ROOM_CHANGE, CANCELLED)


class BadAnchor(ValueError):
    """The previous schedule cannot anchor this re-plan; `problems` say why, one `Problem` each."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Anchor:
    """The previous schedule as a re-plan sees it (minutes since the event's origin)."""

    stability: Stability
    previous: dict[str, Meeting]  # the previous meetings not frozen, of requests still in the input
    history: History  # the previous meetings that started before the freeze
    freeze: int | None  # minute of `freeze_before`, if any
    move_cost: MoveCost = DEFAULT  # balanced: the price of a change
    start_from: tuple[Meeting, ...] | None = None  # a schedule to start from and never end below
    # per model asked about: the published meetings still allowed where they are, and the priced objective
    # (built once per model: it adds variables)
    _priced: dict = dataclasses.field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(
        cls,
        conference: Conference,
        previous: ScheduleDocument,
        stability: Stability = "balanced",
        freeze_before: datetime | None = None,
        move_cost: MoveCost = DEFAULT,
    ) -> Anchor:
        """Read the previous schedule against the new input; raises BadAnchor when a meeting that has
        been held no longer matches it (a past meeting cannot be withdrawn, moved or changed)."""
        if stability not in STABILITIES:
            raise BadAnchor([Problem("stability", f"expected one of {', '.join(STABILITIES)}, got {stability!r}")])
        clock = conference.clock
        # a freeze within a minute freezes that whole minute: what started in it has started
        freeze = None if freeze_before is None else -(-int((freeze_before - clock.origin_utc).total_seconds()) // 60)
        requests = {r.id for r in conference.requests}
        old, held, problems = {}, [], []
        for i, m in enumerate(previous.meetings):
            meeting = Meeting(m.request, m.parties, m.room, clock.to_minute(m.starts_at), clock.to_minute(m.ends_at))
            if freeze is not None and meeting.start < freeze:
                problems += _history_problems(conference, meeting, f"meetings[{i}]")
                held.append(meeting)
            elif meeting.request in requests:
                old[meeting.request] = meeting
        if problems:
            raise BadAnchor(problems)
        interpreted = frozenset(
            m.request for m in held if needs_interpretation(conference, conference.request(m.request))
        )
        return cls(stability, old, History(tuple(held), interpreted), freeze, move_cost)

    def starting_from(self, stability: Stability, meetings: Iterable[Meeting], move_cost: MoveCost | None = None
                      ) -> Anchor:
        """The same anchor under another stability, starting from `meetings` (another choice's schedule,
        history included or not) and never ending below it."""
        frozen = self.frozen
        start = tuple(m for m in meetings if m.request not in frozen)
        return dataclasses.replace(self, stability=stability, start_from=start,
                                   move_cost=self.move_cost if move_cost is None else move_cost, _priced={})

    @property
    def from_scratch(self) -> bool:
        return False

    @property
    def weighs_changes(self) -> bool:
        """Off: a fresh solve around the history; else the fewest changes count, before or after the priority."""
        return self.stability != "off"

    @property
    def proves_primary(self) -> bool:
        """Strict held the changes down first and balanced maximised the priority less the price of changes:
        their priority phase's proof is not a proof of the priority."""
        return self.stability in ("priority", "off")

    @property
    def keeps_close_while_searching(self) -> bool:
        """Priority first with a schedule to keep: an unproven priority phase also weighs the changes
        (`primary.Lexicographic`)."""
        return self.stability == "priority" and bool(self.previous)

    @property
    def lp_bounds_priority(self) -> bool:
        """The LP relaxation's bound is worth computing: strict holds the changes down first, so its bound is
        the static one."""
        return self.stability != "strict"

    @property
    def prices_changes(self) -> bool:
        """Balanced with a schedule to keep: the priority phase maximises the priority less the price of the
        changes (`primary.Priced`)."""
        return self.stability == "balanced" and bool(self.previous)

    def prefer(self, where: dict[str, Placement]) -> list[Meeting]:
        """The schedule to start from: the one given (another choice's), else the previous meetings still
        allowed where they are."""
        if self.start_from is not None:
            return list(self.start_from)
        return self.still_valid(where) if self.weighs_changes else []

    def strengthening(self, chosen: frozenset[str]) -> frozenset[str]:
        """A re-plan weighs the room each meeting keeps, so every room is its own pool there."""
        return chosen - {"room_pools"} if self.weighs_changes else chosen

    def primary_bound(self, static: int, proven: int) -> int:
        """Under strict stability the solve held the changes down: its bound is not the primary's."""
        return static if self.stability == "strict" else min(static, proven)

    def before_primary(self, run: Run, cm: ConferenceModel, start: list[Meeting] | None) -> None:
        """Strict: the fewest changes first, held while the priority is raised around them. Balanced: never
        below the start schedule (the published meetings kept where still allowed, freed time filled), in
        priority less the price of changes. Both never below a start given (another choice's schedule)."""
        if self.stability == "strict":
            hold_stability(run, cm, self, start, 0.3)
        if self.prices_changes and start is not None:
            cm.model.add(self.priced(cm) >= self.priced_value(cm, start))
        if self.start_from is not None and start is not None:
            cm.model.add(cm.priority_value() >= figures.scheduled_priority(cm.conference, start))

    def after_primary(self, run: Run, cm: ConferenceModel, best: list[Meeting]) -> list[Meeting]:
        """Balanced and priority first: the fewest changes at the best value, held for the secondary goals
        (balanced: its priority less the price of changes held too)."""
        if self.prices_changes:
            cm.model.add(self.priced(cm) >= self.priced_value(cm, best))
        if self.stability in ("balanced", "priority"):
            return hold_stability(run, cm, self, best, 0.3)
        return best

    def priced(self, cm: ConferenceModel) -> cp_model.LinearExpr:
        """Balanced: the model's priority less the price of its changes, in hundredths of a point (see
        `scheduler.solve.move_cost`). Only the published meetings still allowed where they are carry a
        price: one that has to move moves for free."""
        return self._priced_parts(cm)[1]

    def _priced_parts(self, cm: ConferenceModel) -> tuple[dict[str, Meeting], cp_model.LinearExpr]:
        key = id(cm)
        if key not in self._priced:
            valid = {m.request: m for m in self.still_valid(cm.placements)}
            self._priced[key] = valid, SCALE * cm.priority_value() - _disruption(cm, valid, self.move_cost)
        return self._priced[key]

    def priced_value(self, cm: ConferenceModel, meetings: Iterable[Meeting]) -> int:
        """`priced` of a schedule of the model's requests, counted meeting by meeting (what the model states)."""
        meetings, conference = list(meetings), cm.conference
        valid = self._priced_parts(cm)[0]
        priority = {r.id: r.priority for r in conference.requests}
        return SCALE * figures.scheduled_priority(conference, meetings) - price_of(
            self.move_cost, valid, priority, meetings)

    def most_price(self, conference: Conference) -> int:
        """The most the changes can cost (hundredths): every published meeting dropped."""
        return sum(self.move_cost.price("cancel", conference.request(rid).priority) for rid in self.previous)

    @property
    def frozen(self) -> frozenset[str]:
        return frozenset(m.request for m in self.history.meetings)

    def rest(self, conference: Conference) -> Conference:
        """The conference without the requests already held: what is left to plan."""
        frozen = self.frozen
        if not frozen:
            return conference
        return dataclasses.replace(
            conference, requests=tuple(r for r in conference.requests if r.id not in frozen), _index={}
        )

    def restrict(self, conference: Conference, where: dict[str, Placement]) -> dict[str, Placement]:
        """Each placement cut to what is left: after the freeze, and apart from the meetings held (by the
        changeover for their parties, by the turnover in their rooms), as if they were programme items."""
        if self.freeze is None and not self.history.meetings:
            return where
        around = Around.of(conference, self.history.meetings)
        return {rid: self._restricted(conference, p, around) for rid, p in where.items()}

    def _restricted(self, conference: Conference, placement: Placement, around: Around) -> Placement:
        if not placement.possible:
            return placement
        narrowed = around.cut(placement, self.freeze)
        if not narrowed.possible:
            when = "" if self.freeze is None else f" after {conference.clock.to_datetime(self.freeze):%d %b %H:%M}"
            words = f"no time is left for it{when}: what was held before is kept as it was"
            return Placement(placement.request, placement.needs_interpretation, {}, words, "history", words)
        return narrowed

    def disruption(self, cm: ConferenceModel) -> cp_model.LinearExpr:
        """The weighted changes of the model's schedule against the previous one (see `_disruption`). Under
        strict stability only the meetings the new input still allows where they are count: a meeting
        forced to move may then never push another one aside."""
        if self.stability == "strict":
            return _disruption(cm, {m.request: m for m in self.still_valid(cm.placements)}, FEWEST)
        return _disruption(cm, self.previous, FEWEST)

    def most_disruption(self, conference: Conference) -> int:
        """The most `disruption` can be: every previous meeting cancelled."""
        return sum(CANCELLED * conference.request(rid).priority for rid in self.previous)

    def still_valid(self, where: dict[str, Placement]) -> list[Meeting]:
        """The previous meetings that the new input still allows where they are, most important first."""
        valid = [
            m
            for rid, m in self.previous.items()
            if rid in where
            and m.start in where[rid].starts_by_room.get(m.room, ())
            and m.end - m.start == where[rid].request.duration
        ]
        return sorted(valid, key=lambda m: (-where[m.request].request.priority, m.start))


def _history_problems(conference: Conference, meeting: Meeting, path: str) -> list[Problem]:
    """A meeting held before the freeze must still match its request and room in the new input."""
    held = (
        f"{meeting.request} was held before the freeze (at {conference.clock.to_datetime(meeting.start):%d %b %H:%M})"
    )
    if meeting.request not in {r.id for r in conference.requests}:
        return [Problem(path, f"{held} but is no longer a request of the input; a meeting held cannot be withdrawn")]
    request = conference.request(meeting.request)
    problems = []
    if meeting.room not in {r.id for r in conference.rooms}:
        problems.append(Problem(path, f"{held} in room {meeting.room!r}, which is no longer a room of the input"))
    if set(meeting.parties) != set(request.parties) or meeting.end - meeting.start != request.duration:
        problems.append(
            Problem(
                path,
                f"{held} between {', '.join(meeting.parties)} for {meeting.end - meeting.start} "
                f"min; the input now asks {', '.join(request.parties)} for {request.duration} min",
            )
        )
    return problems


def weighted_changes(conference: Conference, previous: ScheduleDocument, meetings: Iterable[Meeting]) -> int:
    """The weighted changes of a schedule against the previous one, counted meeting by meeting (what
    `_disruption` states in the model): a cancellation, a time change or a room change, times the priority."""
    clock = conference.clock
    priority = {r.id: r.priority for r in conference.requests}
    published = {
        m.request: Meeting(m.request, m.parties, m.room, clock.to_minute(m.starts_at), clock.to_minute(m.ends_at))
        for m in previous.meetings if m.request in priority
    }
    return price_of(FEWEST, published, priority, meetings)


def _disruption(cm: ConferenceModel, previous: dict[str, Meeting], cost: MoveCost) -> cp_model.LinearExpr:
    """How far a schedule strays from the previous one, weighted by priority at the rates of `cost` (its
    room, time and cancel rates; the fewest changes: ROOM_CHANGE, TIME_CHANGE, CANCELLED). Needs a model
    whose pools are single rooms (the room a meeting is in is then a variable)."""
    from ortools.sat.python import cp_model

    terms = []
    for rid, old in previous.items():
        mv = cm.meetings.get(rid)
        if mv is None:
            continue
        p = mv.request.priority
        kept_time = cm.model.new_bool_var(f"kept_time[{rid}]")
        kept_both = cm.model.new_bool_var(f"kept_place[{rid}]")
        cm.model.add_implication(kept_both, kept_time)
        cm.model.add_implication(kept_time, mv.held)
        if old.start in mv.placement.starts and old.end - old.start == mv.duration:
            cm.model.add(mv.start == old.start).only_enforce_if(kept_time)
        else:
            cm.model.add(kept_time == 0)
        room_lit = mv.in_room.get(cm.pool_of.get(old.room)) if len(cm.pools.get(old.room, ())) == 1 else None
        if room_lit is not None:
            cm.model.add_implication(kept_both, room_lit)
        else:
            cm.model.add(kept_both == 0)
        terms.append(
            cost.cancel * p
            - (cost.cancel - cost.time) * p * mv.held
            - (cost.time - cost.room) * p * kept_time
            - cost.room * p * kept_both
        )
    return sum(terms) if terms else cp_model.LinearExpr.constant(0)


def hold_stability(
    run: Run, cm: ConferenceModel, anchor: Anchor, best: list[Meeting] | None, share: float
) -> list[Meeting] | None:
    """The fewest changes to the previous schedule (weighted, see `_disruption`), then held there: later
    phases may not move more. Returns the schedule found (or `best` when none was)."""
    from ortools.sat.python import cp_model

    changes = anchor.disruption(cm)
    cm.model.minimize(changes)
    if best is not None:
        cm.model.clear_hints()
        cm.add_hint(best)
    solver, status, _ = run.cpsat(cm, "stability", run.clock.left() * share)
    record = {"phase": "stability", "status": solver.status_name(status)}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = cm.meetings_from(solver.value)
        kept = round(solver.objective_value)
        cm.model.add(changes <= kept)
        record["value"] = record["kept"] = kept
    run.record(record)
    cm.model.clear_objective()
    return best


@dataclass(frozen=True)
class FreshSolve:
    """No previous schedule: nothing is history, every request may go anywhere its rules allow, and only the
    contract's objective counts. The null object of `Anchor`."""

    history: History = History()
    freeze: None = None
    stability: None = None  # what the schedule document records: a fresh solve has none
    from_scratch: bool = True  # no re-plan at all (MaxSAT's breaks assume it)
    weighs_changes: bool = False
    proves_primary: bool = True  # CP-SAT's OPTIMAL on the priority phase is a proof of the priority
    keeps_close_while_searching: bool = False
    lp_bounds_priority: bool = True
    prices_changes: bool = False
    start_from: None = None
    move_cost: None = None

    def rest(self, conference: Conference) -> Conference:
        return conference

    def restrict(self, conference: Conference, where: dict[str, Placement]) -> dict[str, Placement]:
        return where

    def prefer(self, where: dict[str, Placement]) -> list[Meeting]:
        return []

    def strengthening(self, chosen: frozenset[str]) -> frozenset[str]:
        return chosen

    def primary_bound(self, static: int, proven: int) -> int:
        return min(static, proven)

    def before_primary(self, run: Run, cm: ConferenceModel, start: list[Meeting] | None) -> None:
        return None

    def after_primary(self, run: Run, cm: ConferenceModel, best: list[Meeting]) -> list[Meeting]:
        return best


FRESH = FreshSolve()
Baseline = FreshSolve | Anchor


def baseline_of(
    conference: Conference,
    previous: ScheduleDocument | None,
    stability: Stability = "balanced",
    freeze_before: datetime | None = None,
    move_cost: MoveCost = DEFAULT,
) -> Baseline:
    """What a solve keeps close to: the previous publication read against the new input (raises BadAnchor
    when a meeting held no longer matches it), or FRESH when there is none. The CLI and the service's worker
    both start a solve or a re-plan through this."""
    if previous is None:
        return FRESH
    return Anchor.of(conference, previous, stability, freeze_before, move_cost)
