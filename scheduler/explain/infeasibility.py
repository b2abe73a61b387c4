"""Why the mandatory and pinned requests cannot all be met: the requests and the rules that clash.

A clash is first looked for in each request alone (its `Placement`), then among the must-happen
requests together: a small set of them that still cannot be met (found by dropping requests one by one
while the rest stays infeasible), then exactly the rules between meetings that keep that set apart: each
family that does so alone (solved with only that family on), or else the fewest families that do so
together. Requests held at one start (pins) are named with the minutes they both need; and the nearest
other start of one pin that lets every must-happen request be held is found and confirmed by solving.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.contract.domain import Conference, History, Meeting, Request
from scheduler.model.variables import ConferenceModel
from scheduler.registry import ALL_RULES, BY_NAME, CLASH_FAMILIES, describe_demand, model_parts, placement_rules
from scheduler.rules.placement import Placement, place
from scheduler.rules.words import Clash, Held
from scheduler.search.stoppable import solve_until

# cuts placements to what a re-plan leaves open (`scheduler.solve.baseline.Anchor.restrict`)
Restrict = Callable[[Conference, dict[str, Placement]], dict[str, Placement]]


@dataclass(frozen=True)
class Move:
    """One pinned request held at another start instead, and whether every must-happen request then fits."""

    request: str
    start: int
    all_fit: bool


@dataclass(frozen=True)
class Conflict:
    """Mandatory or pinned requests that cannot all be met, the rules that clash, and a readable account."""

    requests: tuple[str, ...]
    rules: tuple[str, ...]
    lines: tuple[str, ...]
    move: Move | None = None  # one pin moved that would let them be held, checked by solving

    @property
    def message(self) -> str:
        return "\n".join(self.lines)

    @classmethod
    def static(cls, conference: Conference, impossible: list[Placement]) -> Conflict:
        """Must-happen requests that cannot be placed even alone."""
        lines = [
            f"{p.request.id} ({describe_demand(conference, p.request)}) can never be held: {p.reason} [rule {p.rule}]"
            for p in impossible
        ]
        return cls(
            tuple(p.request.id for p in impossible), tuple(dict.fromkeys(p.rule for p in impossible)), tuple(lines)
        )


def _status(
    conference: Conference,
    where: dict[str, Placement],
    ids: list[str],
    enabled: frozenset[str],
    seconds: float,
    stop: threading.Event | None = None,
    history: History = History(),
) -> tuple[int, ConferenceModel, cp_model.CpSolver]:
    """Can these must-happen requests all be held under the enabled rules? (no objective)"""
    cm = ConferenceModel.build(conference, where, model_parts(enabled), requests=ids, history=history)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = 1
    return solve_until(solver, cm.model, stop), cm, solver


def solve_must_happen(
    conference: Conference,
    where: dict[str, Placement],
    seconds: float,
    stop: threading.Event | None = None,
    enabled: frozenset[str] = ALL_RULES,
    history: History = History(),
    restrict: Restrict | None = None,
) -> list[Meeting] | Conflict | None:
    """The must-happen requests alone: a schedule of them, the conflict among them, or None if undecided."""
    must = [r.id for r in conference.requests if r.must_happen]
    status, cm, solver = _status(conference, where, must, enabled, seconds, stop, history)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return cm.meetings_from(solver.value)
    if status == cp_model.INFEASIBLE:
        return find_conflict(conference, where, seconds, enabled, history, restrict, stop)
    return None


def find_conflict(
    conference: Conference,
    where: dict[str, Placement],
    seconds: float,
    enabled: frozenset[str] = ALL_RULES,
    history: History = History(),
    restrict: Restrict | None = None,
    stop: threading.Event | None = None,
) -> Conflict:
    """A small set of must-happen requests that cannot all be met, exactly the rules that clash among them,
    and, when a pin is to blame, the nearest move of one pin that lets them all be held (checked by solving).
    `restrict` cuts a placement to what a re-plan leaves open (after the freeze, apart from history). A
    `stop` ends the search as the time limit does: the set found so far is named (every set it keeps was
    proven infeasible), the rules not yet ruled out stay, and no move is offered unless one was confirmed."""
    clock = _Budget(seconds, stop)
    check = _Checker(conference, where, enabled, history, clock)
    core = check.smallest_core()
    alone = [rule for rule in CLASH_FAMILIES if rule in enabled and check.infeasible(core, _only(enabled, {rule}))]
    together = [] if alone else check.fewest_families(core)
    move = _Mover(check, restrict).nearest(core) if clock.left() > 0 else None
    lines = _describe(conference, where, core, alone or together, together=bool(together), move=move)
    return Conflict(tuple(core), tuple(alone or together), tuple(lines), move)


def _only(enabled: frozenset[str], families: set[str]) -> frozenset[str]:
    """The enabled rules with, of the clash families, only these."""
    return enabled - (set(CLASH_FAMILIES) - families)


class _Budget:
    def __init__(self, seconds: float, stop: threading.Event | None = None) -> None:
        self.deadline = time.monotonic() + max(1.0, seconds)
        self.stop = stop

    def left(self) -> float:
        """The seconds left; none once the solve is stopped."""
        return 0.0 if self.stop is not None and self.stop.is_set() else self.deadline - time.monotonic()

    def slice(self) -> float:
        return max(0.2, self.left() / 4)


@dataclass(frozen=True)
class _Checker:
    """Feasibility of sets of must-happen requests under chosen rules (one worker, no objective)."""

    conference: Conference
    where: dict[str, Placement]
    enabled: frozenset[str]
    history: History
    clock: _Budget

    def infeasible(self, ids: list[str], enabled: frozenset[str]) -> bool:
        status = _status(self.conference, self.where, ids, enabled, self.clock.slice(), self.clock.stop, self.history)
        return status[0] == cp_model.INFEASIBLE

    def feasible(self, ids: list[str], where: dict[str, Placement]) -> bool:
        status = _status(self.conference, where, ids, self.enabled, self.clock.slice(), self.clock.stop, self.history)
        return status[0] in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    def smallest_core(self) -> list[str]:
        """Deletion filter: drop a request whenever the rest still cannot be met."""
        core = [r.id for r in self.conference.requests if r.must_happen]
        for rid in list(core):
            if self.clock.left() <= 0:
                break
            rest = [r for r in core if r != rid]
            if rest and self.infeasible(rest, self.enabled):
                core = rest
        return core

    def fewest_families(self, core: list[str]) -> list[str]:
        """When no rule keeps them apart alone: the fewest clash families that still do, together."""
        families = [rule for rule in CLASH_FAMILIES if rule in self.enabled]
        for rule in list(families):
            if self.clock.left() > 0 and self.infeasible(core, _only(self.enabled, set(families) - {rule})):
                families.remove(rule)
        return families


@dataclass(frozen=True)
class _Mover:
    check: _Checker
    restrict: Restrict | None

    def nearest(self, core: list[str], tries: int = 60) -> Move | None:
        """The nearest other start of one pinned request of the core that lets every must-happen request be
        held, trying the lowest priority first; failing that, the first that lets the core be held."""
        conference = self.check.conference
        must = [r.id for r in conference.requests if r.must_happen]
        pinned = sorted(
            (conference.request(r) for r in core if conference.request(r).pinned), key=lambda r: (r.priority, r.id)
        )
        fallback = None
        for request in pinned:
            unpinned = self._unpinned(request)
            pin = request.fixed_start
            starts = sorted((s for s in unpinned.starts if s != pin), key=lambda s: (abs(s - pin), s))
            for start in starts[:tries]:
                if self.check.clock.left() <= 0:
                    return fallback
                where = {**self.check.where, request.id: unpinned.narrowed(lambda room, s, start=start: s == start)}
                if not self.check.feasible(core, where):
                    continue
                if self.check.feasible(must, where):
                    return Move(request.id, start, all_fit=True)
                fallback = fallback or Move(request.id, start, all_fit=False)
        return fallback

    def _unpinned(self, request: Request) -> Placement:
        conference = self.check.conference
        free = dataclasses.replace(request, fixed_start=None)
        placement = place(conference, free, placement_rules(self.check.enabled))
        placement = dataclasses.replace(placement, request=request)
        if self.restrict is not None:
            placement = self.restrict(conference, {request.id: placement})[request.id]
        return placement


def _held(where: dict[str, Placement], core: list[str]) -> tuple[Held, ...]:
    return tuple(
        Held(where[r].request, where[r].starts[0], where[r].rooms) for r in core if len(where[r].starts) == 1
    )


def _describe(
    conference: Conference,
    where: dict[str, Placement],
    core: list[str],
    rules: list[str],
    together: bool,
    move: Move | None,
) -> list[str]:
    requests = [conference.request(r) for r in core]
    head = "the mandatory and pinned requests cannot all be met: " + ", ".join(
        f"{r.id} ({describe_demand(conference, r)})" for r in requests
    )
    lines = [head]
    shared_parties = sorted({p for r in requests for p in r.parties if sum(p in q.parties for q in requests) > 1})
    shared_rooms = sorted(
        {room for r in core for room in where[r].rooms if sum(room in where[q].rooms for q in core) > 1}
    )
    clash = Clash(conference, tuple(shared_parties), tuple(shared_rooms), _held(where, core), tuple(requests))
    lines += [f"  {BY_NAME[rule].clash(clash)} [rule {rule}]" for rule in rules]
    if len(rules) > 1:
        lines.append(
            "  these rules clash only together: without any one of them they could all be held"
            if together
            else "  each of these rules alone keeps them apart"
        )
    elif not rules:
        lines.append("  no rule between meetings is to blame: their own times and rooms leave no way to hold them all")
    if move is not None:
        at = conference.clock.to_datetime(move.start)
        held = "all the mandatory and pinned requests be held" if move.all_fit else "these be held (others still clash)"
        lines.append(f"  moving {move.request} to {at:%d %b %H:%M} would let {held} (checked by solving)")
    return lines
