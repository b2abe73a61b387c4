"""The secondary goals, after the priority phase: preferences, then (guided by compactness) the fewest breaks,
then the fewest rooms per delegation, each held at its best before the next; MaxSAT proves the breaks of a
B2B forum beside them.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.contract import figures
from scheduler.contract.domain import Conference, Meeting
from scheduler.model.breaks_maxsat import FewestBreaks, shape
from scheduler.model.objectives import (
    breaks_model_size,
    breaks_value,
    compactness_value,
    preferred_value,
    rooms_used_value,
)
from scheduler.model.variables import ConferenceModel
from scheduler.search.phase_time import may_start
from scheduler.search.stoppable import solve_until
from scheduler.solve.run import Run, stopped_when

# While MaxSAT proves the breaks beside them (a B2B forum), these phases leave it a core. Measured (30 s, 2
# cores): with CP-SAT on both, RC2's proofs came at 22-24 s or not at all (ticf-14crafa 47-84 breaks instead
# of 0, forum-13crafb 19-36 instead of 6); with one worker for compactness they came at 22-23 s every time,
# but the instances RC2 cannot prove end with more breaks (ticf-13crafb 37 against 19, forum-13crafc 27
# against 10: CP-SAT's guide is weaker on one worker). Proofs at the published optimum come first.
MAXSAT_CORE_PHASES = frozenset({"compactness"})
# `complete_hint`: at most this long, and only on models up to this many variables (a Python loop sets them)
COMPLETE_HINT_SECONDS, COMPLETE_HINT_VARIABLES = 5.0, 300_000


@dataclass(frozen=True)
class Phase:
    """A secondary solve: a goal of the contract (kept at its best afterwards) or a guide (only a hint)."""

    name: str
    build: Callable[[ConferenceModel], object]
    maximize: bool
    keep: Callable[[Conference, list[Meeting]], int] | None  # the exact figure to hold afterwards
    weight: float  # share of the remaining time
    wanted: Callable[[Conference], bool] = lambda conference: True
    build_seconds: Callable[[ConferenceModel], float] = lambda cm: 0.0  # estimated, to skip what cannot pay off


PHASES = (
    Phase(
        "preferences", preferred_value, True, figures.preferred_met, 1.0, lambda c: any(r.preferred for r in c.requests)
    ),
    Phase("compactness", compactness_value, False, None, 4.0),
    Phase("breaks", breaks_value, False, figures.breaks, 2.0, build_seconds=lambda cm: breaks_model_size(cm) / 1e5),
    Phase("rooms", rooms_used_value, False, None, 0.5),
)


def polish(run: Run, cm: ConferenceModel, best: list[Meeting], full: Conference, fresh: bool = True) -> list[Meeting]:
    """Secondary goals in the contract's order, each solved with the primary value (already held in the
    model) and every earlier goal held at the best schedule's figures: never at their expense. `full` is
    the conference with the requests already held, whose meetings count when whole schedules are compared.
    In a fresh solve of a forum of one-slot meetings that all happen, MaxSAT tries to prove the fewest
    breaks beside the CP-SAT phases up to the breaks phase (`start_maxsat`; alone it proved 17 of the 20 B2B
    instances in under 15 s each); its answer ends them and is the breaks phase's schedule."""
    phases = [p for p in PHASES if p.wanted(cm.conference)]
    maxsat = start_maxsat(cm, best, run.stop) if fresh else None
    polishing = _Polishing(run, cm, full, maxsat)
    try:
        for i, phase in enumerate(phases):
            if run.stopped:
                break
            best = polishing.phase(phase, phases[i:], best)
            if phase.name == "breaks":
                polishing.end_maxsat()  # its answer, if any, is taken: the core is the rooms phase's
    finally:
        polishing.end_maxsat()
    return best


@dataclass
class _Polishing:
    """What the secondary phases of one solve share (see `polish`), and one such phase."""

    run: Run
    cm: ConferenceModel
    full: Conference
    maxsat: FewestBreaks | None = None

    def end_maxsat(self) -> None:
        if self.maxsat is not None:
            self.maxsat.cancel()
            self.maxsat = None

    def phase(self, phase: Phase, rest: list[Phase], best: list[Meeting]) -> list[Meeting]:
        """One CP-SAT secondary phase; returns the best schedule after it. With MaxSAT running beside it,
        the phase stops when MaxSAT has proven the fewest breaks, and the breaks phase takes that schedule
        (when no worse: it holds the earlier goals too)."""
        cm, clock, maxsat = self.cm, self.run.clock, self.maxsat
        conference, held = cm.conference, list(cm.history.meetings)
        skipped = may_start(phase.build_seconds(cm), clock)
        if skipped is not None:
            self.run.stats.phases.append({"phase": phase.name, "status": skipped})
            return best
        goal = phase.build(cm)
        if phase.maximize:
            cm.model.maximize(goal)
        else:
            cm.model.minimize(goal)
        cm.model.clear_hints()
        cm.add_hint(best)
        complete_hint(self.run, cm)
        share = phase.weight / sum(p.weight for p in rest)
        options = self.run.options
        if maxsat is not None and phase.name in MAXSAT_CORE_PHASES:
            options = dataclasses.replace(options, workers=max(1, options.worker_count - 1))
        with _until_proven(maxsat, self.run.stop) as race:
            solver, status, _ = self.run.cpsat(cm, phase.name, clock.left() * share, options=options, stop=race)
        record = {"phase": phase.name, "status": solver.status_name(status)}
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = cm.meetings_from(solver.value)
            # a guide phase may find a schedule with more breaks: it is only taken when no worse
            if lexicographic(self.full, [*held, *found]) >= lexicographic(self.full, [*held, *best]):
                best = found
            record["value"] = round(solver.objective_value)
        if maxsat is not None and phase.keep is figures.breaks and maxsat.done():
            found = maxsat.result(0)
            if found is not None and lexicographic(self.full, found) >= lexicographic(self.full, best):
                best = found
                record.update(status="OPTIMAL", engine="maxsat", value=figures.breaks(conference, best))
        if phase.keep is not None:
            kept = phase.keep(conference, best)
            cm.model.add(goal >= kept if phase.maximize else goal <= kept)
            record["kept"] = kept
        self.run.record(record)
        return best


def _until_proven(maxsat: FewestBreaks | None, stop: threading.Event | None):
    """An event set when MaxSAT beside the phase has its answer or the solve is stopped (`stop` itself
    when no MaxSAT runs)."""
    return stopped_when(None if maxsat is None else maxsat.done, stop)


def start_maxsat(cm: ConferenceModel, best: list[Meeting], stop: threading.Event | None) -> FewestBreaks | None:
    """MaxSAT on the breaks (scheduler.model.breaks_maxsat), started beside the CP-SAT phases when the instance has
    its shape and every request is already held; else None."""
    if len(best) != len(cm.conference.requests) or not shape(cm.conference, cm.placements):
        return None
    if stop is not None and stop.is_set():
        return None
    return FewestBreaks(cm.conference, cm.placements)


def complete_hint(run: Run, cm: ConferenceModel) -> None:
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
    solver.parameters.max_time_in_seconds = max(0.01, min(COMPLETE_HINT_SECONDS, 0.1 * run.clock.left()))
    solver.parameters.num_workers = run.options.worker_count
    solver.parameters.random_seed = run.options.seed
    if solve_until(solver, fixed, run.stop) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return  # the partial hint stays (also when the solve is stopped)
    values = solver.response_proto.solution
    cm.model.clear_hints()
    for index, value in enumerate(values):
        cm.model.add_hint(cm.model.get_int_var_from_proto_index(index), value)


def lexicographic(conference: Conference, meetings: list[Meeting]) -> tuple[int, int, int]:
    """The contract's order of goals as one comparable key: priority, then preferences, then fewer breaks."""
    return (
        figures.scheduled_priority(conference, meetings),
        figures.preferred_met(conference, meetings),
        -figures.breaks(conference, meetings),
    )
