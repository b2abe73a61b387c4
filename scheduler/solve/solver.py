"""Solving: the primary objective first (with its proof), then the secondary goals lexicographically.

`solve()` is the library's entry point: a time limit, a progress callback and a stop event. It never
raises for an infeasible or hard instance; the `Outcome` says what happened.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from scheduler.contract import figures
from scheduler.contract.domain import Conference, History, Meeting, Unscheduled
from scheduler.explain.infeasibility import Conflict, find_conflict, solve_must_happen
from scheduler.explain.reasons import unscheduled_reasons
from scheduler.explain.why import Explanation, explain_all
from scheduler.model.bounds import static_bound
from scheduler.model.breaks_maxsat import FewestBreaks, shape
from scheduler.model.cpsat import (
    STRENGTHENING,
    ConferenceModel,
    breaks_model_size,
    breaks_value,
    compactness_value,
    preferred_value,
    rooms_used_value,
)
from scheduler.model.relaxation import LpBound, rounding
from scheduler.model.relaxation import build as build_relaxation
from scheduler.registry import ALL_RULES, model_parts, placement_rules
from scheduler.rules.placement import Placement, placements
from scheduler.search.greedy import greedy_schedule
from scheduler.search.neighbourhoods import Search, improve
from scheduler.search.phase_time import Stall, may_start
from scheduler.solve.types import Outcome, Progress, ProgressCallback, SolveStats

if TYPE_CHECKING:
    from scheduler.solve.replan import Anchor

LARGE = 400  # requests: above this, presolve probing is switched off
# The LP's solution, rounded, starts the priority phase where it is better than the greedy's (see
# `_rounded_start`); it is waited for at most this share of the time and this long (conf-40x150-tight: 0.3 s).
ROUNDING_WAIT_SHARE, ROUNDING_WAIT_SECONDS = 0.1, 5.0
# A fresh solve's priority phase: CP-SAT on the whole model first, until proof or stall, and above
# LNS_FROM requests for at most CPSAT_SHARE of the time (its bound hardly moves after; at conference size it
# needs the time: conf-30x80 is proven after 18-23 s, and was not within a 25-s share). Above, CP-SAT's value
# hardly moves after its first seconds while the neighbourhood search gains steadily. Measured (2 workers,
# benchmarks.worker full): share 0.5 / 0.3 / 0.15 gave forum-60x300 (60 s) 1067-1088 / 1087 / 1084,
# forum-120x800 (120 s) 2492-2518 / 2547, 2558 / 2504, fair-300x3000 (120 s) 8942-9071 / 9082 / 9096 (its
# CP-SAT had 8839 at 41 s and still at 71 s). Unproven, the neighbourhood search keeps what is left until it
# has not improved for LNS_QUIET s and LNS_QUIET_SHARE of that time (a 5-s spell stopped it while it was
# still gaining on forum-60x300; see the note of issue 11).
LNS_FROM, CPSAT_SHARE, LNS_QUIET, LNS_QUIET_SHARE = 200, 0.3, 10.0, 0.5
# While MaxSAT proves the breaks beside them (a B2B forum), these phases leave it a core. Measured (30 s, 2
# cores): with CP-SAT on both, RC2's proofs came at 22-24 s or not at all (ticf-14crafa 47-84 breaks instead
# of 0, forum-13crafb 19-36 instead of 6); with one worker for compactness they came at 22-23 s every time,
# but the instances RC2 cannot prove end with more breaks (ticf-13crafb 37 against 19, forum-13crafc 27
# against 10: CP-SAT's guide is weaker on one worker). Proofs at the published optimum come first.
MAXSAT_CORE_PHASES = frozenset({"compactness"})
# `_complete_hint`: at most this long, and only on models up to this many variables (a Python loop sets them)
COMPLETE_HINT_SECONDS, COMPLETE_HINT_VARIABLES = 5.0, 300_000


@dataclass(frozen=True)
class SolveOptions:
    """How long and how hard to search. `deterministic_time` makes runs repeatable (for tests)."""

    time_limit: float = 60.0
    workers: int = 0  # 0 = the machine's cores
    seed: int = 0
    deterministic_time: float | None = None
    secondary: bool = True
    strengthening: frozenset[str] = STRENGTHENING  # frozenset() = the plain model (a benchmark baseline)
    warm_start: bool = True  # start from the greedy schedule
    # the share of time_limit kept for confirming why each left-out request is left out (scheduler.explain.why)
    explain_share: float = 0.15
    greedy_fallback: bool = True  # keep the greedy schedule when the solver finds nothing better in time
    # an unproven primary hands part of its time to the neighbourhood search (scheduler.search.neighbourhoods)
    neighbourhoods: bool = True
    # the LP relaxation's bound on the priority, computed beside CP-SAT (scheduler.model.relaxation)
    relaxation: bool = True
    # The contract's rules the solver holds: all of them, except in the tests that show each rule binds
    # (a schedule solved without a rule is still checked against all of them by `scheduler check`).
    rules: frozenset[str] = ALL_RULES

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1


class _Clock:
    def __init__(self, limit: float):
        self.t0 = time.monotonic()
        self.deadline = self.t0 + limit

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


@dataclass(frozen=True)
class _Lexicographic:
    """The priority phase's objective: the scheduled priority alone, or, in a balanced re-plan, the priority
    first and the fewest changes second in one objective (priority x weight - changes, the weight above any
    possible change), so that the search keeps the previous schedule wherever that costs no priority instead
    of drifting from it while the primary is unproven."""

    primary: cp_model.LinearExprT
    objective: cp_model.LinearExprT
    weight: int = 1

    @classmethod
    def of(cls, cm: ConferenceModel, primary: cp_model.LinearExprT, anchor: Anchor | None) -> _Lexicographic:
        if anchor is None or not anchor.previous:
            return cls(primary, primary)
        weight = anchor.most_disruption(cm.conference) + 1
        return cls(primary, weight * primary - anchor.disruption(cm), weight)

    def bound(self, objective_bound: float) -> int:
        """The bound on the primary implied by a bound on the objective (changes are never negative, and
        below the weight)."""
        return math.floor((objective_bound + self.weight - 1) / self.weight + 1e-6)


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to the progress callback and notes when it came. The bound it reports
    is the smaller of CP-SAT's and the `ceiling` proven beside it (the LP's), once that is known."""

    def __init__(
        self,
        phase: str,
        clock: _Clock,
        progress: ProgressCallback | None,
        lex: _Lexicographic | None,
        ceiling: Callable[[], int | None] | None = None,
    ):
        super().__init__()
        self.phase, self.clock, self.progress, self.lex, self.ceiling = phase, clock, progress, lex, ceiling
        self.last_improvement: float | None = None
        self.started: float | None = None  # the search's first report (a schedule or a bound)
        self.last_change = clock.elapsed()  # the last move of the best value or the integer bound
        self.bound: int | None = None
        self.stalled = False
        self.best: float | None = None  # the best objective value so far

    def _moved(self) -> None:
        self.last_change = self.clock.elapsed()
        if self.started is None:
            self.started = self.last_change

    def bound_moved(self, bound: float) -> None:
        whole = math.floor(bound + 1e-6)
        if whole != self.bound:
            self.bound = whole
            self._moved()

    def reached(self, bound: int | None) -> bool:
        return bound is not None and self.best is not None and self.best >= bound - 1e-6

    def shown(self, bound: float) -> float:
        """The bound a progress report gives: CP-SAT's `bound`, or the ceiling where that is lower."""
        known = self.ceiling() if self.ceiling is not None else None
        return bound if known is None else min(bound, known)

    def on_solution_callback(self) -> None:
        self._moved()
        self.best = self.objective_value
        self.last_improvement = self.last_change
        if self.progress:
            value, bound = self.objective_value, self.best_objective_bound
            if self.lex is not None:
                value, bound = self.value(self.lex.primary), self.lex.bound(bound)
            self.progress(Progress(self.phase, self.last_improvement, value, self.shown(bound)))


def _run(
    cm: ConferenceModel,
    phase: str,
    seconds: float,
    options: SolveOptions,
    clock: _Clock,
    progress: ProgressCallback | None,
    stop: threading.Event | None,
    lex: _Lexicographic | None = None,
    stall: Stall | None = None,
    ceiling: Callable[[], int | None] | None = None,
) -> tuple[cp_model.CpSolver, int, _Reporter]:
    """One CP-SAT solve of the model's current objective, stoppable from outside. `lex`: the objective is
    the priority phase's, reported as the priority it holds; `stall`: it also stops when it stops improving;
    `ceiling`: a bound on the objective proven elsewhere (None while unknown): reaching it is optimal."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    solver.parameters.num_workers = options.worker_count
    solver.parameters.random_seed = options.seed
    if options.deterministic_time is not None:
        solver.parameters.max_deterministic_time = options.deterministic_time
    if len(cm.meetings) > LARGE:
        # Presolve probing takes tens of seconds on large models (seen at 800 requests) and finds little.
        solver.parameters.cp_model_probing_level = 0
    reporter = _Reporter(phase, clock, progress, lex, ceiling)

    def on_bound(bound: float) -> None:
        reporter.bound_moved(bound)
        if progress is not None:
            shown = reporter.shown(bound if lex is None else lex.bound(bound))
            progress(Progress(phase, clock.elapsed(), None, shown))

    solver.best_bound_callback = on_bound
    done = threading.Event()
    told: list[bool] = []  # the ceiling's arrival was reported
    if stop is not None or stall is not None or ceiling is not None:

        def watch() -> None:
            while not done.wait(0.05):
                if stop is not None and stop.is_set():
                    solver.stop_search()
                    return
                if ceiling is not None and reporter.reached(ceiling()):
                    solver.stop_search()
                    return
                if ceiling is not None and progress is not None and not told and ceiling() is not None:
                    told.append(True)  # the ceiling just became known: the watchers see the better bound now
                    cp_sat = float("inf") if reporter.bound is None else reporter.bound
                    progress(Progress(phase, clock.elapsed(), None, reporter.shown(cp_sat)))
                if stall is not None and stall.stalled(clock.elapsed(), reporter.started, reporter.last_change,
                                                       seconds):
                    reporter.stalled = True
                    solver.stop_search()
                    return

        threading.Thread(target=watch, daemon=True).start()
    try:
        status = solver.solve(cm.model, reporter)
    finally:
        done.set()
    return solver, status, reporter


def solve(
    conference: Conference,
    options: SolveOptions = SolveOptions(),
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    anchor: Anchor | None = None,
) -> Outcome:
    """Schedule as much priority as possible, prove how good it is, then polish the secondary goals.

    With an `anchor` (a re-plan, see `scheduler.solve.replan`), the meetings already held stay as they were, and
    the fewest changes to the previous schedule rank after the primary objective (`balanced`) or before it
    (`strict`)."""
    clock = _Clock(options.time_limit * (1 - options.explain_share))
    stats = SolveStats()
    full = conference
    history = anchor.history if anchor is not None else History()
    stability = anchor.stability if anchor is not None else "off"
    if anchor is not None:
        conference = anchor.rest(full)
    where = placements(conference, placement_rules(options.rules))
    if anchor is not None:
        where = anchor.restrict(conference, where)
    must = [r for r in conference.requests if r.must_happen]

    impossible = [where[r.id] for r in must if not where[r.id].possible]
    if impossible:
        return Outcome("infeasible", conflict=Conflict.static(conference, impossible), stats=stats)

    prefer = anchor.still_valid(where) if anchor is not None and stability != "off" else ()
    start_schedule = greedy_schedule(conference, where, history=history, prefer=prefer)
    placed = {m.request for m in start_schedule}
    if any(r.id not in placed for r in must):
        start_schedule = _around_must_happen(conference, where, clock, stop, options, anchor, prefer)
        if isinstance(start_schedule, Conflict):
            return Outcome("infeasible", conflict=start_schedule, stats=stats)
    stats.greedy_priority = figures.scheduled_priority(full, [*history.meetings, *(start_schedule or [])])

    # a re-plan weighs the room each meeting keeps, so every room is its own pool there
    strengthening = options.strengthening - {"room_pools"} if stability != "off" else options.strengthening
    parts = model_parts(options.rules)
    cm = ConferenceModel.build(conference, where, parts, strengthening=strengthening, history=history)
    objective = cm.priority_value()
    if start_schedule is not None and options.warm_start:
        cm.add_hint(start_schedule)
    if stability == "strict":
        _hold_stability(cm, anchor, start_schedule, 0.3, options, clock, progress, stop, stats)
    lp = _start_relaxation(cm, parts, options, anchor, clock, stop)
    rounded = _rounded_start(cm, lp, start_schedule, options, anchor, clock)
    if rounded is not None and rounded.better:
        start_schedule = rounded.meetings
        cm.model.clear_hints()
        cm.add_hint(start_schedule)
    solver, status, reporter, primary_bound = _primary(cm, objective, anchor, options, clock, progress, stop, lp)
    stats.primary_status = solver.status_name(status)
    static = static_bound(where)

    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and lp is not None:
        lp.cancel()
    if status == cp_model.INFEASIBLE:
        conflict = find_conflict(
            conference, where, clock.left(), options.rules, history, anchor.restrict if anchor is not None else None
        )
        return Outcome("infeasible", conflict=conflict, stats=stats)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = cm.meetings_from(solver.value)
        value = round(solver.value(objective))
        # under strict stability the solve held the changes down: its bound is not the primary's
        bound = static if stability == "strict" else min(static, primary_bound)
        stats.time_to_best = reporter.last_improvement
    elif start_schedule is not None and options.greedy_fallback:
        best = start_schedule
        value = figures.scheduled_priority(conference, best)
        bound = static
        stats.time_to_best = clock.elapsed()
    else:
        return Outcome("no_schedule", stats=stats)
    if options.greedy_fallback and start_schedule and figures.scheduled_priority(conference, start_schedule) > value:
        best, value = start_schedule, figures.scheduled_priority(conference, start_schedule)
    record = {"phase": "priority", "status": stats.primary_status, "value": value,
              "ended_seconds": round(clock.elapsed(), 2), **({"stalled": True} if reporter.stalled else {})}
    stats.phases.append(record)
    if (known := _lp_known(lp, options, clock)) is not None:
        bound = min(bound, known)
    if value < bound and _searches_neighbourhoods(options, anchor) and not (stop is not None and stop.is_set()):
        best = _neighbourhoods(cm, parts, best, bound, options, clock, progress, stop, stats, lp)
        value = figures.scheduled_priority(conference, best)
    lp_bound = _lp_known(lp, options, clock)
    relaxed = _relaxation_record(lp, clock.elapsed(), rounded)  # ends its child: a bound not there by now is lost
    if lp_bound is not None:
        bound = min(bound, lp_bound)
    proven = (status == cp_model.OPTIMAL and stability != "strict") or value >= bound
    bound = value if proven else max(bound, value)
    if proven:
        stats.time_to_proof = clock.elapsed()
    stats.bound_source = _bound_source(proven, bound, static, lp_bound)
    record["bound"] = bound

    if options.secondary:
        cm.model.add(objective >= value)
        if stability == "balanced":
            best = _hold_stability(cm, anchor, best, 0.3, options, clock, progress, stop, stats)
        best = _polish(cm, objective, value, best, options, clock, progress, stop, stats, full, anchor is None)
        # a later phase only adds constraints, but while the primary is unproven it may still raise it
        polished = figures.scheduled_priority(conference, best)
        if polished > value:
            value, stats.time_to_best = polished, clock.elapsed()
            proven = value >= bound
            stats.time_to_proof = clock.elapsed() if proven else None

    every = [*history.meetings, *best]
    where = {**where, **_held(full, history)}
    reasons = unscheduled_reasons(conference, where, every)
    if options.explain_share > 0 and not (stop is not None and stop.is_set()):
        seconds = options.time_limit - clock.elapsed()
        freeze = None if anchor is None else anchor.freeze
        reasons = _confirmed(reasons, explain_all(full, every, where, seconds, freeze))
    stats.wall_time = clock.elapsed()
    if relaxed is not None:
        stats.phases.append(relaxed)  # beside the others, not before them: listed last
    held = figures.scheduled_priority(full, history.meetings)
    return Outcome(
        status="optimal" if proven else "feasible",
        meetings=tuple(sorted(every, key=lambda m: (m.start, m.room))),
        unscheduled=tuple(reasons),
        scheduled_priority=value + held,
        upper_bound=bound + held,
        preferred_met=figures.preferred_met(full, every),
        breaks=figures.breaks(full, every),
        stats=stats,
        stability=None if anchor is None else stability,
        frozen_before=None if anchor is None else anchor.freeze,
    )


def _primary(
    cm: ConferenceModel,
    objective: cp_model.LinearExprT,
    anchor: Anchor | None,
    options: SolveOptions,
    clock: _Clock,
    progress: ProgressCallback | None,
    stop: threading.Event | None,
    lp: LpBound | None = None,
) -> tuple[cp_model.CpSolver, int, _Reporter, int]:
    """The priority phase: its solver, status and reporter, and the bound it proved on the priority. It also
    ends as soon as its schedule reaches the LP bound computed beside it (`lp`): that is a proof.

    It keeps the time until it proves optimality or stops improving (`Stall`); the later phases get what is
    left. In a fresh solve above LNS_FROM requests CP-SAT keeps at most CPSAT_SHARE of it; unproven, the
    neighbourhood search continues the phase (`_neighbourhoods`). With a deterministic time limit (tests),
    where a wall-clock stall would make runs differ, it keeps a fixed share instead.

    In a balanced re-plan, a first quarter of the time looks at the priority alone: proven there, the
    stability phase takes it from there. Unproven (a large instance), the rest of the time maximises the
    priority and the previous schedule together (`_Lexicographic`), never below the value found: else the
    search, still improving the priority, drifts far from the published schedule for a point or two."""
    cm.model.maximize(objective)
    balanced = anchor is not None and anchor.stability == "balanced" and bool(anchor.previous)
    stall = Stall() if options.secondary and options.deterministic_time is None else None
    fixed_share = 1.0 if not options.secondary or stall is not None else 0.6 if balanced else 0.7
    if _searches_neighbourhoods(options, anchor) and len(cm.meetings) > LNS_FROM:
        fixed_share = CPSAT_SHARE
    seconds = clock.left() * fixed_share
    ends = clock.elapsed() + seconds
    if balanced:
        solver, status, reporter = _run(cm, "priority", seconds * 0.25, options, clock, progress, stop)
    else:
        ceiling = lp.known if lp is not None and options.deterministic_time is None else None
        solver, status, reporter = _run(cm, "priority", seconds, options, clock, progress, stop, stall=stall,
                                        ceiling=ceiling)
    stopped = stop is not None and stop.is_set()
    if balanced and status == cp_model.UNKNOWN and not stopped:
        # no schedule yet in the first quarter (a very large instance): the priority alone keeps the rest
        solver, status, reporter = _run(cm, "priority", ends - clock.elapsed(), options, clock, progress, stop,
                                        stall=stall)
    bound = math.floor(solver.best_objective_bound + 1e-6)
    if not balanced or status != cp_model.FEASIBLE or stopped:
        return solver, status, reporter, bound
    value = round(solver.value(objective))
    cm.model.clear_hints()
    cm.add_hint(cm.meetings_from(solver.value))
    cm.model.add(objective >= value)
    lex = _Lexicographic.of(cm, objective, anchor)
    cm.model.maximize(lex.objective)
    second, again, reporter_again = _run(cm, "priority", ends - clock.elapsed(), options, clock, progress, stop, lex,
                                         stall)
    if again not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver, status, reporter, bound
    return second, again, reporter_again, min(bound, lex.bound(second.best_objective_bound))


def _searches_neighbourhoods(options: SolveOptions, anchor: Anchor | None) -> bool:
    """The neighbourhood search serves a fresh solve's primary objective on the wall clock: a re-plan
    weighs changes the search does not see, and a deterministic run (tests) must not depend on timing."""
    return options.neighbourhoods and options.secondary and options.deterministic_time is None and _fresh(anchor)


def _fresh(anchor: Anchor | None) -> bool:
    """A fresh solve: no previous schedule, or a re-plan that does not weigh changes (stability off)."""
    return anchor is None or anchor.stability == "off"


def _neighbourhoods(
    cm: ConferenceModel,
    parts: list,
    best: list[Meeting],
    bound: int,
    options: SolveOptions,
    clock: _Clock,
    progress: ProgressCallback | None,
    stop: threading.Event | None,
    stats: SolveStats,
    lp: LpBound | None = None,
) -> list[Meeting]:
    """Raise an unproven primary by large-neighbourhood search (scheduler.search.neighbourhoods) for the time left,
    until it
    stops improving or reaches the bound (CP-SAT's, or the LP's once it is there); the secondary phases get
    what is left then."""
    search = Search(cm.conference, cm.placements, parts, {m.request: m for m in best}, cm.history)
    before = search.value

    def reached() -> bool:
        known = lp.known() if lp is not None else None
        return search.value >= (bound if known is None else min(bound, known))

    def improved(value: int) -> None:
        stats.time_to_best = clock.elapsed()
        if progress is not None:
            progress(Progress("neighbourhoods", clock.elapsed(), value, bound))

    seconds = clock.left()
    with _stopped_when(reached, stop) as enough:
        yields, stalled = improve(search, seconds, options.worker_count, options.seed, cm.strengthening, enough,
                                  on_improvement=improved, quiet=max(LNS_QUIET, LNS_QUIET_SHARE * seconds))
    stats.phases.append({"phase": "neighbourhoods", "status": "FEASIBLE", "value": search.value,
                         "gained": search.value - before, "ended_seconds": round(clock.elapsed(), 2),
                         **({"stalled": True} if stalled else {}),
                         "yields": {kind: y.as_dict() for kind, y in yields.items()}})
    return list(search.incumbent.values())


def _bound_source(proven: bool, bound: int, static_bound: int, lp_bound: int | None = None) -> str:
    """Which bound the upper bound is: the value itself (proven optimal), the static sum of the priorities of
    the requests that could be placed at all, the LP relaxation's (scheduler.model.relaxation) or CP-SAT's."""
    if proven:
        return "optimal"
    if bound >= static_bound:
        return "static"
    return "lp" if bound == lp_bound else "cp-sat"


def _start_relaxation(
    cm: ConferenceModel,
    parts: list,
    options: SolveOptions,
    anchor: Anchor | None,
    clock: _Clock,
    stop: threading.Event | None,
) -> LpBound | None:
    """The LP bound on the priority (scheduler.model.relaxation), computed in a child process beside the priority
    phase from now on; None when the options leave it out, in a strict re-plan (whose bound is the static
    one: the changes rank first there), or when the LP would be too large to pay."""
    if not options.relaxation or (anchor is not None and anchor.stability == "strict"):
        return None
    if all(mv.request.must_happen for mv in cm.meetings.values()):
        return None  # every request is held: the static sum is the priority (a B2B forum)
    if stop is not None and stop.is_set():
        return None
    relaxation = build_relaxation(cm, [part.relaxed for part in parts if part.relaxed is not None])
    return None if relaxation is None else LpBound(relaxation, clock.left(), clock.elapsed())


def _lp_known(lp: LpBound | None, options: SolveOptions, clock: _Clock) -> int | None:
    """The LP bound if it is there; a deterministic run (tests) waits for it, so that its runs repeat."""
    if lp is None:
        return None
    return lp.result(clock.left()) if options.deterministic_time is not None else lp.known()


def _relaxation_record(lp: LpBound | None, now: float, rounded: _Rounded | None = None) -> dict | None:
    """The LP bound's line among the phases (it ran beside them), ending its child (`now`: if unfinished);
    with the priority of the schedule rounded from its solution, when there was one."""
    if lp is None:
        return None
    bound = lp.known()
    lp.cancel()
    if bound is None:
        return {"phase": "relaxation", "status": "UNKNOWN", "ended_seconds": round(now, 2)}
    return {"phase": "relaxation", "status": "BOUND", "bound": bound,
            "ended_seconds": round(lp.started + (lp.seconds or 0.0), 2),
            **({"rounded": rounded.value} if rounded is not None else {})}


@dataclass(frozen=True)
class _Rounded:
    """A schedule rounded from the LP's solution; `better`: better than the start schedule it replaces."""

    meetings: list[Meeting]
    value: int
    better: bool


def _rounded_start(
    cm: ConferenceModel,
    lp: LpBound | None,
    start: list[Meeting] | None,
    options: SolveOptions,
    anchor: Anchor | None,
    clock: _Clock,
) -> _Rounded | None:
    """In a fresh solve whose LP has a column per pool of rooms, the LP's solution rounded into a schedule
    (`relaxation.rounding`, placed by the greedy): it starts the priority phase when better than `start`.
    The LP is waited for, at most ROUNDING_WAIT_SHARE of the time (deterministic runs: until it ends)."""
    if lp is None or not lp.relaxation.by_pool or not options.warm_start or not _fresh(anchor):
        return None
    deterministic = options.deterministic_time is not None
    wait = clock.left() if deterministic else min(ROUNDING_WAIT_SECONDS, ROUNDING_WAIT_SHARE * clock.left())
    if lp.wait(wait) is None or lp.primal is None:
        return None
    conference = cm.conference
    # around what a re-plan already held, as the greedy's own start schedule is
    prefer = rounding(cm, lp.relaxation, lp.primal)
    meetings = greedy_schedule(conference, cm.placements, history=cm.history, prefer=prefer)
    held = {m.request for m in meetings}
    if any(r.must_happen and r.id not in held for r in conference.requests):
        return None
    value = figures.scheduled_priority(conference, meetings)
    better = start is None or value > figures.scheduled_priority(conference, start)
    return _Rounded(meetings, value, better)


def _confirmed(reasons: list[Unscheduled], explained: dict[str, Explanation]) -> list[Unscheduled]:
    """Each left-out request's reason as a solve confirmed it, where there was time; else the reason read
    from the schedule, marked as not confirmed."""
    out = []
    for u in reasons:
        e = explained.get(u.request)
        if e is None:
            out.append(dataclasses.replace(u, confirmed=False))
            continue
        office = tuple(w.office for w in e.what_ifs)
        party = tuple(w.party for w in e.what_ifs if w.party is not None)
        out.append(Unscheduled(u.request, e.reason, e.party_reason, True, office, party))
    return out


def _held(conference: Conference, history: History) -> dict[str, Placement]:
    """The meetings already held as placements (their one room and start), for the reasons' context."""
    return {
        m.request: Placement(conference.request(m.request), m.request in history.interpreted, {m.room: (m.start,)},
                             _all_starts=(m.start,))
        for m in history.meetings
    }


def _hold_stability(
    cm: ConferenceModel,
    anchor: Anchor,
    best: list[Meeting] | None,
    share: float,
    options: SolveOptions,
    clock: _Clock,
    progress: ProgressCallback | None,
    stop: threading.Event | None,
    stats: SolveStats,
) -> list[Meeting] | None:
    """The fewest changes to the previous schedule (weighted, see `scheduler.solve.replan`), then held there:
    later phases may not move more. Returns the schedule found (or `best` when none was)."""
    changes = anchor.disruption(cm)
    cm.model.minimize(changes)
    if best is not None:
        cm.model.clear_hints()
        cm.add_hint(best)
    solver, status, _ = _run(cm, "stability", clock.left() * share, options, clock, progress, stop)
    record = {"phase": "stability", "status": solver.status_name(status)}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = cm.meetings_from(solver.value)
        kept = round(solver.objective_value)
        cm.model.add(changes <= kept)
        record["value"] = record["kept"] = kept
    record["ended_seconds"] = round(clock.elapsed(), 2)
    stats.phases.append(record)
    cm.model.clear_objective()
    return best


def _around_must_happen(
    conference: Conference,
    where: dict[str, Placement],
    clock: _Clock,
    stop: threading.Event | None,
    options: SolveOptions,
    anchor: Anchor | None,
    prefer: tuple[Meeting, ...] | list[Meeting],
) -> list[Meeting] | Conflict | None:
    """When the greedy could not fit the must-happen requests: solve them alone, then fill around them."""
    history = anchor.history if anchor is not None else History()
    restrict = anchor.restrict if anchor is not None else None
    outcome = solve_must_happen(conference, where, clock.left() * 0.3, stop, options.rules, history, restrict)
    if outcome is None:
        return None
    if isinstance(outcome, Conflict):
        return outcome
    return greedy_schedule(conference, where, placed=outcome, history=history, prefer=prefer)


@dataclass(frozen=True)
class _Phase:
    """A secondary solve: a goal of the contract (kept at its best afterwards) or a guide (only a hint)."""

    name: str
    build: Callable[[ConferenceModel], object]
    maximize: bool
    keep: Callable[[Conference, list[Meeting]], int] | None  # the exact figure to hold afterwards
    weight: float  # share of the remaining time
    wanted: Callable[[Conference], bool] = lambda conference: True
    build_seconds: Callable[[ConferenceModel], float] = lambda cm: 0.0  # estimated, to skip what cannot pay off


PHASES = (
    _Phase(
        "preferences", preferred_value, True, figures.preferred_met, 1.0, lambda c: any(r.preferred for r in c.requests)
    ),
    _Phase("compactness", compactness_value, False, None, 4.0),
    _Phase("breaks", breaks_value, False, figures.breaks, 2.0, build_seconds=lambda cm: breaks_model_size(cm) / 1e5),
    _Phase("rooms", rooms_used_value, False, None, 0.5),
)


def _polish(
    cm: ConferenceModel,
    objective,
    value: int,
    best: list[Meeting],
    options: SolveOptions,
    clock: _Clock,
    progress: ProgressCallback | None,
    stop: threading.Event | None,
    stats: SolveStats,
    full: Conference,
    fresh: bool = True,
) -> list[Meeting]:
    """Secondary goals in the contract's order, each solved with the primary value (already held in the
    model) and every earlier goal held at the best schedule's figures: never at their expense. `full` is
    the conference with the requests already held, whose meetings count when whole schedules are compared.
    In a fresh solve of a forum of one-slot meetings that all happen, MaxSAT tries to prove the fewest
    breaks beside the CP-SAT phases up to the breaks phase (`_start_maxsat`; alone it proved 17 of the 20 B2B
    instances in under 15 s each); its answer ends them and is the breaks phase's schedule."""
    phases = [p for p in PHASES if p.wanted(cm.conference)]
    maxsat = _start_maxsat(cm, best, stop) if fresh else None
    polishing = _Polishing(cm, options, clock, progress, stop, stats, full, maxsat)
    try:
        for i, phase in enumerate(phases):
            if stop is not None and stop.is_set():
                break
            best = polishing.phase(phase, phases[i:], best)
            if phase.name == "breaks":
                polishing.end_maxsat()  # its answer, if any, is taken: the core is the rooms phase's
    finally:
        polishing.end_maxsat()
    return best


@dataclass
class _Polishing:
    """What the secondary phases of one solve share (see `_polish`), and one such phase."""

    cm: ConferenceModel
    options: SolveOptions
    clock: _Clock
    progress: ProgressCallback | None
    stop: threading.Event | None
    stats: SolveStats
    full: Conference
    maxsat: FewestBreaks | None = None

    def end_maxsat(self) -> None:
        if self.maxsat is not None:
            self.maxsat.cancel()
            self.maxsat = None

    def phase(self, phase: _Phase, rest: list[_Phase], best: list[Meeting]) -> list[Meeting]:
        """One CP-SAT secondary phase; returns the best schedule after it. With MaxSAT running beside it,
        the phase stops when MaxSAT has proven the fewest breaks, and the breaks phase takes that schedule
        (when no worse: it holds the earlier goals too)."""
        cm, clock, maxsat = self.cm, self.clock, self.maxsat
        conference, held = cm.conference, list(cm.history.meetings)
        skipped = may_start(phase.build_seconds(cm), clock)
        if skipped is not None:
            self.stats.phases.append({"phase": phase.name, "status": skipped})
            return best
        goal = phase.build(cm)
        if phase.maximize:
            cm.model.maximize(goal)
        else:
            cm.model.minimize(goal)
        cm.model.clear_hints()
        cm.add_hint(best)
        _complete_hint(cm, self.options, clock)
        share = phase.weight / sum(p.weight for p in rest)
        options = self.options
        if maxsat is not None and phase.name in MAXSAT_CORE_PHASES:
            options = dataclasses.replace(options, workers=max(1, options.worker_count - 1))
        with _until_proven(maxsat, self.stop) as race:
            solver, status, _ = _run(cm, phase.name, clock.left() * share, options, clock, self.progress, race)
        record = {"phase": phase.name, "status": solver.status_name(status)}
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = cm.meetings_from(solver.value)
            # a guide phase may find a schedule with more breaks: it is only taken when no worse
            if _lexicographic(self.full, [*held, *found]) >= _lexicographic(self.full, [*held, *best]):
                best = found
            record["value"] = round(solver.objective_value)
        if maxsat is not None and phase.keep is figures.breaks and maxsat.done():
            found = maxsat.result(0)
            if found is not None and _lexicographic(self.full, found) >= _lexicographic(self.full, best):
                best = found
                record.update(status="OPTIMAL", engine="maxsat", value=figures.breaks(conference, best))
        if phase.keep is not None:
            kept = phase.keep(conference, best)
            cm.model.add(goal >= kept if phase.maximize else goal <= kept)
            record["kept"] = kept
        record["ended_seconds"] = round(clock.elapsed(), 2)
        self.stats.phases.append(record)
        return best


def _until_proven(maxsat: FewestBreaks | None, stop: threading.Event | None):
    """An event set when MaxSAT beside the phase has its answer or the solve is stopped (`stop` itself
    when no MaxSAT runs)."""
    return _stopped_when(None if maxsat is None else maxsat.done, stop)


@contextlib.contextmanager
def _stopped_when(
    condition: Callable[[], bool] | None, stop: threading.Event | None
) -> Iterator[threading.Event | None]:
    """An event set when `condition()` holds (asked every 50 ms) or the solve is stopped (`stop` itself when
    there is no condition)."""
    if condition is None:
        yield stop
        return
    race, over = threading.Event(), threading.Event()

    def watch() -> None:
        while not over.wait(0.05):
            if condition() or (stop is not None and stop.is_set()):
                race.set()
                return

    threading.Thread(target=watch, daemon=True).start()
    try:
        yield race
    finally:
        over.set()


def _start_maxsat(cm: ConferenceModel, best: list[Meeting], stop: threading.Event | None) -> FewestBreaks | None:
    """MaxSAT on the breaks (scheduler.model.breaks_maxsat), started beside the CP-SAT phases when the instance has
    its shape and every request is already held; else None."""
    if len(best) != len(cm.conference.requests) or not shape(cm.conference, cm.placements):
        return None
    if stop is not None and stop.is_set():
        return None
    return FewestBreaks(cm.conference, cm.placements)


def _complete_hint(cm: ConferenceModel, options: SolveOptions, clock: _Clock) -> None:
    """Extend the hint on the meetings to every variable of the model, the objective's own included.

    A secondary phase's objective adds variables the hint does not name (the runs of the breaks, the first
    and last meeting of a day); left to complete them itself, CP-SAT often drops the hint and starts from a
    worse schedule (forum-14: 82 breaks found from a hint worth 47). With the meetings fixed to the hint the
    rest is found by presolve in a moment."""
    proto = cm.model.proto
    if not proto.solution_hint.vars or len(proto.variables) > COMPLETE_HINT_VARIABLES:
        return
    fixed = cm.model.clone()
    for index, value in zip(proto.solution_hint.vars, proto.solution_hint.values, strict=True):
        fixed.add(fixed.get_int_var_from_proto_index(index) == value)
    fixed.clear_hints()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, min(COMPLETE_HINT_SECONDS, 0.1 * clock.left()))
    solver.parameters.num_workers = options.worker_count
    solver.parameters.random_seed = options.seed
    if solver.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return  # the partial hint stays
    values = solver.response_proto.solution
    cm.model.clear_hints()
    for index, value in enumerate(values):
        cm.model.add_hint(cm.model.get_int_var_from_proto_index(index), value)


def _lexicographic(conference: Conference, meetings: list[Meeting]) -> tuple[int, int, int]:
    """The contract's order of goals as one comparable key: priority, then preferences, then fewer breaks."""
    return (
        figures.scheduled_priority(conference, meetings),
        figures.preferred_met(conference, meetings),
        -figures.breaks(conference, meetings),
    )
