"""One solve's run state: its options, its clock, its progress reports, its stop signal and its measurements,
and the CP-SAT runner every phase uses through it.

Every phase of a solve needs the same five things; `Run` carries them, so that a phase is a function of the
run and of what is its own (the model, the schedule so far), not of a dozen parameters passed along by hand.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ortools.sat.python import cp_model

from scheduler.model.variables import ConferenceModel
from scheduler.search.phase_time import Stall
from scheduler.solve.options import SolveOptions
from scheduler.solve.types import Progress, ProgressCallback, SolveStats

LARGE = 400  # requests: above this, presolve probing is switched off


class Clock:
    """Seconds since the solve started, and what is left of its time."""

    def __init__(self, limit: float):
        self.t0 = time.monotonic()
        self.deadline = self.t0 + limit

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


class Objective(Protocol):
    """How a phase's objective reads as the priority it holds (see `primary.Lexicographic`): a progress report
    speaks of the priority, not of the objective's own scale."""

    @property
    def primary(self) -> cp_model.LinearExprT: ...

    def bound(self, objective_bound: float) -> int: ...


class Reporter(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to the progress callback and notes when it came. The bound it reports
    is the smaller of CP-SAT's and the `ceiling` proven beside it (the LP's), once that is known."""

    def __init__(
        self,
        phase: str,
        clock: Clock,
        progress: ProgressCallback | None,
        lex: Objective | None,
        ceiling: Callable[[], int | None] | None = None,
        held: Sequence[cp_model.IntVar] = (),
        already: int = 0,
    ):
        super().__init__()
        self.phase, self.clock, self.progress, self.lex, self.ceiling = phase, clock, progress, lex, ceiling
        # the model's "is held" literals and the meetings held outside it (a re-plan's history): a report
        # says how many meetings its schedule places
        self.held, self.already = held, already
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
            self.progress(Progress(self.phase, self.last_improvement, value, self.shown(bound), self.placed()))

    def placed(self) -> int:
        """The meetings the current solution places (one read per literal: cheap beside a solve)."""
        return self.already + sum(1 for literal in self.held if self.boolean_value(literal))


@dataclass
class Run:
    """The state of one solve that every phase shares."""

    options: SolveOptions
    clock: Clock
    progress: ProgressCallback | None = None
    stop: threading.Event | None = None
    stats: SolveStats = field(default_factory=SolveStats)

    @classmethod
    def start(cls, options: SolveOptions, progress: ProgressCallback | None, stop: threading.Event | None) -> Run:
        """The clock starts now, with the time left after the share kept for explanations."""
        return cls(options, Clock(options.time_limit * (1 - options.explain_share)), progress, stop)

    @property
    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    @property
    def deterministic(self) -> bool:
        """A run with a deterministic limit (tests): nothing may depend on the wall clock."""
        return self.options.deterministic_time is not None

    def record(self, phase: dict) -> dict:
        """Note a phase among the solve's measurements, with the second it ended."""
        phase["ended_seconds"] = round(self.clock.elapsed(), 2)
        self.stats.phases.append(phase)
        return phase

    def cpsat(
        self,
        cm: ConferenceModel,
        phase: str,
        seconds: float,
        lex: Objective | None = None,
        stall: Stall | None = None,
        ceiling: Callable[[], int | None] | None = None,
        options: SolveOptions | None = None,
        stop: threading.Event | None = None,
    ) -> tuple[cp_model.CpSolver, int, Reporter]:
        """One CP-SAT solve of the model's current objective, stoppable from outside. `lex`: the objective is
        the priority phase's, reported as the priority it holds; `stall`: it also stops when it stops
        improving; `ceiling`: a bound on the objective proven elsewhere (None while unknown): reaching it is
        optimal. `options` and `stop` replace the run's own for this solve (fewer workers beside MaxSAT; a
        stop that MaxSAT's answer also sets)."""
        options = options or self.options
        stop = self.stop if stop is None else stop
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
        solver.parameters.num_workers = options.worker_count
        solver.parameters.random_seed = options.seed
        if options.deterministic_time is not None:
            solver.parameters.max_deterministic_time = options.deterministic_time
        if len(cm.meetings) > LARGE:
            # Presolve probing takes tens of seconds on large models (seen at 800 requests) and finds little.
            solver.parameters.cp_model_probing_level = 0
        reporter = Reporter(phase, self.clock, self.progress, lex, ceiling,
                            [m.held for m in cm.meetings.values()], len(cm.history.meetings))
        solver.best_bound_callback = self._on_bound(reporter, phase, lex)
        done = threading.Event()
        if stop is not None or stall is not None or ceiling is not None:
            watch = _Watch(self, solver, reporter, seconds, stop, stall, ceiling)
            threading.Thread(target=watch.until, args=(done,), daemon=True).start()
        try:
            status = solver.solve(cm.model, reporter)
        finally:
            done.set()
        return solver, status, reporter

    def _on_bound(self, reporter: Reporter, phase: str, lex: Objective | None) -> Callable[[float], None]:
        def on_bound(bound: float) -> None:
            reporter.bound_moved(bound)
            if self.progress is not None:
                shown = reporter.shown(bound if lex is None else lex.bound(bound))
                self.progress(Progress(phase, self.clock.elapsed(), None, shown))

        return on_bound


@dataclass
class _Watch:
    """Stops a CP-SAT solve from beside it: on the stop signal, on reaching the ceiling, or on a stall."""

    run: Run
    solver: cp_model.CpSolver
    reporter: Reporter
    seconds: float
    stop: threading.Event | None
    stall: Stall | None
    ceiling: Callable[[], int | None] | None
    told: bool = False  # the ceiling's arrival was reported

    def until(self, done: threading.Event) -> None:
        """Every 50 ms until the solve is `done`; once it should stop, asked to at every look until it has
        (a stop asked for before CP-SAT has begun its search is lost)."""
        stopping = False
        while not done.wait(0.05):
            stopping = stopping or self._should_stop()
            if stopping:
                self.solver.stop_search()

    def _should_stop(self) -> bool:
        reporter, clock, progress = self.reporter, self.run.clock, self.run.progress
        if self.stop is not None and self.stop.is_set():
            return True
        if self.ceiling is not None and reporter.reached(self.ceiling()):
            return True
        if self.ceiling is not None and progress is not None and not self.told and self.ceiling() is not None:
            self.told = True  # the ceiling just became known: the watchers see the better bound now
            cp_sat = float("inf") if reporter.bound is None else reporter.bound
            progress(Progress(reporter.phase, clock.elapsed(), None, reporter.shown(cp_sat)))
        if self.stall is not None and self.stall.stalled(clock.elapsed(), reporter.started, reporter.last_change,
                                                         self.seconds):
            reporter.stalled = True
            return True
        return False


@contextlib.contextmanager
def stopped_when(
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
