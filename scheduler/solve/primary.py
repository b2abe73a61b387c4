"""The priority phase: the most priority CP-SAT can schedule and the bound it proves, helped by the LP relaxation
computed beside it (its bound, and its solution rounded into a start schedule) and, in a large fresh solve,
continued by the neighbourhood search.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.contract import figures
from scheduler.contract.domain import Meeting
from scheduler.model.relaxation import LpBound, rounding
from scheduler.model.relaxation import build as build_relaxation
from scheduler.model.variables import ConferenceModel, ModelPart
from scheduler.search.greedy import greedy_schedule
from scheduler.search.neighbourhoods import Search, improve
from scheduler.search.phase_time import Stall
from scheduler.search.stoppable import POLL_SECONDS
from scheduler.solve.baseline import Baseline
from scheduler.solve.move_cost import SCALE
from scheduler.solve.run import Reporter, Run, stopped_when
from scheduler.solve.types import Progress

# The LP's solution, rounded, starts the priority phase where it is better than the greedy's (see
# `rounded_start`); it is waited for at most this share of the time and this long (conf-40x150-tight: 0.3 s).
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


@dataclass(frozen=True)
class Lexicographic:
    """The priority phase's objective: the scheduled priority alone, or, in a re-plan whose priority comes
    first, the priority first and the fewest changes second in one objective (priority x weight - changes,
    the weight above any possible change), so that the search keeps the previous schedule wherever that
    costs no priority instead of drifting from it while the primary is unproven."""

    primary: cp_model.LinearExprT
    objective: cp_model.LinearExprT
    weight: int = 1

    @classmethod
    def of(cls, cm: ConferenceModel, primary: cp_model.LinearExprT, baseline: Baseline) -> Lexicographic:
        if not baseline.keeps_close_while_searching:
            return cls(primary, primary)
        weight = baseline.most_disruption(cm.conference) + 1
        return cls(primary, weight * primary - baseline.disruption(cm), weight)

    def bound(self, objective_bound: float) -> int:
        """The bound on the primary implied by a bound on the objective (changes are never negative, and
        below the weight)."""
        return math.floor((objective_bound + self.weight - 1) / self.weight + 1e-6)


@dataclass(frozen=True)
class Priced:
    """A balanced re-plan's priority phase objective: the priority less the price of the changes to the
    published schedule, in hundredths of a point (`Anchor.priced`), reported as the priority it holds."""

    primary: cp_model.LinearExprT
    objective: cp_model.LinearExprT
    most_price: int  # the price of every published meeting dropped

    @classmethod
    def of(cls, cm: ConferenceModel, primary: cp_model.LinearExprT, baseline: Baseline) -> Priced:
        return cls(primary, baseline.priced(cm), baseline.most_price(cm.conference))

    def bound(self, objective_bound: float) -> int:
        """The bound on the priority implied by a bound on the objective (the price is never above
        `most_price`)."""
        if not math.isfinite(objective_bound):
            return 2**53
        return math.floor((objective_bound + self.most_price) / SCALE + 1e-6)


@dataclass(frozen=True)
class Primary:
    """What the priority phase ended with: CP-SAT's solver, status and reporter, and the bound it proved."""

    solver: cp_model.CpSolver
    status: int
    reporter: Reporter
    bound: int

    @property
    def found(self) -> bool:
        return self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def primary(
    run: Run, cm: ConferenceModel, objective: cp_model.LinearExprT, baseline: Baseline, lp: LpBound | None = None
) -> Primary:
    """The priority phase. It also ends as soon as its schedule reaches the LP bound computed beside it
    (`lp`): that is a proof.

    It keeps the time until it proves optimality or stops improving (`Stall`); the later phases get what is
    left. In a fresh solve above LNS_FROM requests CP-SAT keeps at most CPSAT_SHARE of it; unproven, the
    neighbourhood search continues the phase (`neighbourhoods`). With a deterministic time limit (tests),
    where a wall-clock stall would make runs differ, it keeps a fixed share instead.

    In a balanced re-plan it maximises the priority less the price of changes (`_priced`). In a re-plan
    whose priority comes first, a first quarter of the time looks at the priority alone: proven there, the
    stability phase takes it from there. Unproven (a large instance), the rest of the time maximises the
    priority and the previous schedule together (`Lexicographic`), never below the value found: else the
    search, still improving the priority, drifts far from the published schedule for a point or two."""
    options, clock = run.options, run.clock
    balanced = baseline.keeps_close_while_searching
    stall = Stall() if options.secondary and not run.deterministic else None
    fixed_share = 1.0 if not options.secondary or stall is not None else 0.6 if balanced else 0.7
    if searches_neighbourhoods(run, baseline) and len(cm.meetings) > LNS_FROM:
        fixed_share = CPSAT_SHARE
    seconds = clock.left() * fixed_share
    if baseline.prices_changes:
        return _priced(run, cm, objective, baseline, seconds, stall)
    cm.model.maximize(objective)
    ends = clock.elapsed() + seconds
    if balanced:
        solver, status, reporter = run.cpsat(cm, "priority", seconds * 0.25)
    else:
        ceiling = lp.known if lp is not None and not run.deterministic else None
        solver, status, reporter = run.cpsat(cm, "priority", seconds, stall=stall, ceiling=ceiling)
    if balanced and status == cp_model.UNKNOWN and not run.stopped:
        # no schedule yet in the first quarter (a very large instance): the priority alone keeps the rest
        solver, status, reporter = run.cpsat(cm, "priority", ends - clock.elapsed(), stall=stall)
    bound = math.floor(solver.best_objective_bound + 1e-6)
    if not balanced or status != cp_model.FEASIBLE or run.stopped:
        return Primary(solver, status, reporter, bound)
    value = round(solver.value(objective))
    cm.model.clear_hints()
    cm.add_hint(cm.meetings_from(solver.value))
    cm.model.add(objective >= value)
    lex = Lexicographic.of(cm, objective, baseline)
    cm.model.maximize(lex.objective)
    second, again, reporter_again = run.cpsat(cm, "priority", ends - clock.elapsed(), lex, stall)
    if again not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Primary(solver, status, reporter, bound)
    return Primary(second, again, reporter_again, min(bound, lex.bound(second.best_objective_bound)))


def _priced(
    run: Run, cm: ConferenceModel, objective: cp_model.LinearExprT, baseline: Baseline, seconds: float,
    stall: Stall | None,
) -> Primary:
    """A balanced re-plan's priority phase: the priority less the price of changes, in one objective, from
    the start schedule and never below it (`Anchor.before_primary`). Its result does not depend on whether
    the priority alone could be proven in the time. Its own bound is kept for the solve's figures."""
    priced = Priced.of(cm, objective, baseline)
    cm.model.maximize(priced.objective)
    solver, status, reporter = run.cpsat(cm, "priority", seconds, priced, stall)
    run.stats.priced_bound = solver.best_objective_bound / SCALE if math.isfinite(solver.best_objective_bound) \
        else None
    return Primary(solver, status, reporter, priced.bound(solver.best_objective_bound))


def searches_neighbourhoods(run: Run, baseline: Baseline) -> bool:
    """The neighbourhood search serves a fresh solve's primary objective on the wall clock: a re-plan
    weighs changes the search does not see, and a deterministic run (tests) must not depend on timing."""
    options = run.options
    return options.neighbourhoods and options.secondary and not run.deterministic and not baseline.weighs_changes


def neighbourhoods(
    run: Run, cm: ConferenceModel, parts: list[ModelPart], best: list[Meeting], bound: int, lp: LpBound | None
) -> list[Meeting]:
    """Raise an unproven primary by large-neighbourhood search (scheduler.search.neighbourhoods) for the time
    left, until it stops improving or reaches the bound (CP-SAT's, or the LP's once it is there); the
    secondary phases get what is left then."""
    clock, options = run.clock, run.options
    search = Search(cm.conference, cm.placements, parts, {m.request: m for m in best}, cm.history)
    before = search.value

    def reached() -> bool:
        known = lp.known() if lp is not None else None
        return search.value >= (bound if known is None else min(bound, known))

    def improved(value: int) -> None:
        run.stats.time_to_best = clock.elapsed()
        if run.progress is not None:
            run.progress(Progress("neighbourhoods", clock.elapsed(), value, bound,
                                  len(search.incumbent) + len(cm.history.meetings)))

    seconds = clock.left()
    with stopped_when(reached, run.stop) as enough:
        yields, stalled = improve(search, seconds, options.worker_count, options.seed, cm.strengthening, enough,
                                  on_improvement=improved, quiet=max(LNS_QUIET, LNS_QUIET_SHARE * seconds))
    run.stats.phases.append({"phase": "neighbourhoods", "status": "FEASIBLE", "value": search.value,
                             "gained": search.value - before, "ended_seconds": round(clock.elapsed(), 2),
                             **({"stalled": True} if stalled else {}),
                             "yields": {kind: y.as_dict() for kind, y in yields.items()}})
    return list(search.incumbent.values())


def bound_source(proven: bool, bound: int, static_bound: int, lp_bound: int | None = None) -> str:
    """Which bound the upper bound is: the value itself (proven optimal), the static sum of the priorities of
    the requests that could be placed at all, the LP relaxation's (scheduler.model.relaxation) or CP-SAT's."""
    if proven:
        return "optimal"
    if bound >= static_bound:
        return "static"
    return "lp" if bound == lp_bound else "cp-sat"


def start_relaxation(run: Run, cm: ConferenceModel, parts: list[ModelPart], baseline: Baseline) -> LpBound | None:
    """The LP bound on the priority (scheduler.model.relaxation), computed in a child process beside the
    priority phase from now on; None when the options leave it out, in a strict re-plan (whose bound is the
    static one: the changes rank first there), or when the LP would be too large to pay."""
    if not run.options.relaxation or not baseline.lp_bounds_priority:
        return None
    if all(mv.request.must_happen for mv in cm.meetings.values()):
        return None  # every request is held: the static sum is the priority (a B2B forum)
    if run.stopped:
        return None
    relaxation = build_relaxation(cm, [part.relaxed for part in parts if part.relaxed is not None])
    return None if relaxation is None else LpBound(relaxation, run.clock.left(), run.clock.elapsed())


def lp_known(run: Run, lp: LpBound | None) -> int | None:
    """The LP bound if it is there; a deterministic run (tests) waits for it, so that its runs repeat."""
    if lp is None:
        return None
    if run.deterministic:
        waited(lp, run.clock.left(), run.stop)
        return lp.result()
    return lp.known()


def waited(lp: LpBound, seconds: float, stop: threading.Event | None) -> int | None:
    """The LP bound, waited for up to `seconds` in short spells (a stop ends the wait), its child left be."""
    deadline = time.monotonic() + seconds
    while not lp.done() and not (stop is not None and stop.is_set()):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        lp.wait(min(POLL_SECONDS, left))
    return lp.known()


def relaxation_record(lp: LpBound | None, now: float, rounded: Rounded | None = None) -> dict | None:
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
class Rounded:
    """A schedule rounded from the LP's solution; `better`: better than the start schedule it replaces."""

    meetings: list[Meeting]
    value: int
    better: bool


def rounded_start(
    run: Run, cm: ConferenceModel, lp: LpBound | None, start: list[Meeting] | None, baseline: Baseline
) -> Rounded | None:
    """In a fresh solve whose LP has a column per pool of rooms, the LP's solution rounded into a schedule
    (`relaxation.rounding`, placed by the greedy): it starts the priority phase when better than `start`.
    The LP is waited for, at most ROUNDING_WAIT_SHARE of the time (deterministic runs: until it ends)."""
    if lp is None or not lp.relaxation.by_pool or not run.options.warm_start or baseline.weighs_changes:
        return None
    clock = run.clock
    wait = clock.left() if run.deterministic else min(ROUNDING_WAIT_SECONDS, ROUNDING_WAIT_SHARE * clock.left())
    if waited(lp, wait, run.stop) is None or lp.primal is None:
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
    return Rounded(meetings, value, better)
