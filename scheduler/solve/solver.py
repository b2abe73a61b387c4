"""Solving: the primary objective first (with its proof), then the secondary goals lexicographically.

`solve()` is the library's entry point: a time limit, a progress callback, a stop event and a baseline (the
previous publication of a re-plan, or FRESH). It never raises for an infeasible or hard instance; the
`Outcome` says what happened. Its steps, each in a module of this package: a start schedule (the greedy, or
the must-happen requests solved alone), the priority phase (`primary`), the secondary goals (`polish`), and
a confirmed reason for every request left out (`scheduler.explain`).
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from datetime import datetime

from ortools.sat.python import cp_model

from scheduler.contract import figures
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference, History, Meeting, Unscheduled
from scheduler.explain.infeasibility import Conflict, find_conflict, solve_must_happen
from scheduler.explain.reasons import unscheduled_reasons
from scheduler.explain.why import Explanation, explain_all
from scheduler.model.bounds import static_bound
from scheduler.model.variables import ConferenceModel, ModelPart
from scheduler.registry import model_parts, placement_rules
from scheduler.rules.placement import Placement, placements
from scheduler.search.greedy import greedy_schedule
from scheduler.solve import primary as phase
from scheduler.solve.baseline import FRESH, Baseline, Stability, baseline_of
from scheduler.solve.move_cost import DEFAULT, SCALE, MoveCost
from scheduler.solve.options import SolveOptions
from scheduler.solve.polish import polish
from scheduler.solve.run import Run
from scheduler.solve.types import Outcome, Progress, ProgressCallback


def solve(
    conference: Conference,
    options: SolveOptions = SolveOptions(),
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    baseline: Baseline = FRESH,
) -> Outcome:
    """Schedule as much priority as possible, prove how good it is, then polish the secondary goals.

    With an `Anchor` as the baseline (a re-plan, see `scheduler.solve.baseline`), the meetings already held
    stay as they were, and the fewest changes to the previous schedule rank after the primary objective
    (`balanced`) or before it (`strict`)."""
    run = Run.start(options, progress, stop)
    rest = baseline.rest(conference)  # without the requests already held
    where = baseline.restrict(rest, placements(rest, placement_rules(options.rules)))
    start = _start_schedule(run, rest, where, baseline)
    if isinstance(start, Conflict):
        return Outcome("infeasible", conflict=start, stats=run.stats)
    run.stats.greedy_priority = figures.scheduled_priority(conference, [*baseline.history.meetings, *(start or [])])
    parts = model_parts(options.rules)
    strengthening = baseline.strengthening(options.strengthening)
    cm = ConferenceModel.build(rest, where, parts, strengthening=strengthening, history=baseline.history)
    best = _priority(run, cm, parts, baseline, start)
    if not isinstance(best, _Best):
        return best
    if options.secondary:
        best = _secondary(run, cm, baseline, best, conference)
    every = [*baseline.history.meetings, *best.meetings]
    reasons = _reasons(run, conference, rest, {**where, **_held(conference, baseline.history)}, every, baseline)
    run.stats.wall_time = run.clock.elapsed()
    if best.relaxed is not None:
        run.stats.phases.append(best.relaxed)  # beside the others, not before them: listed last
    held = figures.scheduled_priority(conference, baseline.history.meetings)
    move_cost = _priced_figures(run, cm, baseline, best.meetings) if baseline.prices_changes else None
    return Outcome(
        status="optimal" if best.proven else "feasible",
        meetings=tuple(sorted(every, key=lambda m: (m.start, m.room))),
        unscheduled=tuple(reasons),
        scheduled_priority=best.value + held,
        upper_bound=best.bound + held,
        preferred_met=figures.preferred_met(conference, every),
        breaks=figures.breaks(conference, every),
        stats=run.stats,
        stability=baseline.stability,
        frozen_before=baseline.freeze,
        move_cost=move_cost,
    )


def replan(
    conference: Conference,
    previous: ScheduleDocument,
    options: SolveOptions = SolveOptions(),
    *,
    stability: Stability = "balanced",
    freeze_before: datetime | None = None,
    move_cost: MoveCost = DEFAULT,
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> Outcome:
    """Re-plan `conference` from the `previous` publication's schedule (see `scheduler.solve.baseline`);
    returns the solve's `Outcome`, whose meetings include the history. Raises BadAnchor when history no
    longer matches."""
    baseline = baseline_of(conference, previous, stability, freeze_before, move_cost)
    return solve(conference, options, progress, stop, baseline)


def _priced_figures(run: Run, cm: ConferenceModel, baseline: Baseline, meetings: list[Meeting]) -> dict:
    """A balanced re-plan's own figures: the rate, and the priority less the price of the changes with the
    bound proven on it (in priority points)."""
    value = baseline.priced_value(cm, meetings) / SCALE
    bound = run.stats.priced_bound
    return {**baseline.move_cost.as_record(), "value": value,
            "bound": None if bound is None else max(value, round(bound, 2))}


LP_WAIT_SHARE = 0.5  # of the time left: how long a balanced re-plan waits for the LP's bound on the priority


@dataclass(frozen=True)
class _Best:
    """The best schedule so far with its priority, the bound on it, whether that is proven, and the LP's
    line among the phases (added last)."""

    meetings: list[Meeting]
    value: int
    bound: int
    proven: bool
    relaxed: dict | None = None


def _start_schedule(
    run: Run, conference: Conference, where: dict[str, Placement], baseline: Baseline
) -> list[Meeting] | Conflict | None:
    """The schedule the solver starts from: the greedy's around the baseline (kept where still allowed), or,
    when that leaves out a must-happen request, the must-happen requests solved alone and filled around;
    a Conflict when they cannot all be held."""
    must = [r for r in conference.requests if r.must_happen]
    impossible = [where[r.id] for r in must if not where[r.id].possible]
    if impossible:
        return Conflict.static(conference, impossible)
    prefer = baseline.prefer(where)
    start = greedy_schedule(conference, where, history=baseline.history, prefer=prefer)
    placed = {m.request for m in start}
    if all(r.id in placed for r in must):
        return start
    held = solve_must_happen(conference, where, run.clock.left() * 0.3, run.stop, run.options.rules,
                             baseline.history, baseline.restrict)
    if held is None or isinstance(held, Conflict):
        return held
    return greedy_schedule(conference, where, placed=held, history=baseline.history, prefer=prefer)


def _priority(
    run: Run, cm: ConferenceModel, parts: list[ModelPart], baseline: Baseline, start: list[Meeting] | None
) -> _Best | Outcome:
    """The priority phase from the start schedule (or the LP's rounded one where better), continued by the
    neighbourhood search where it pays; its bound the least of CP-SAT's, the LP's and the static one. An
    Outcome when it ends without a schedule."""
    options, clock, stats, conference = run.options, run.clock, run.stats, cm.conference
    objective = cm.priority_value()
    if start is not None and options.warm_start:
        cm.add_hint(start)
    baseline.before_primary(run, cm, start)
    lp = phase.start_relaxation(run, cm, parts, baseline)
    rounded = phase.rounded_start(run, cm, lp, start, baseline)
    if rounded is not None and rounded.better:
        start = rounded.meetings
        cm.model.clear_hints()
        cm.add_hint(start)
    result = phase.primary(run, cm, objective, baseline, lp)
    stats.primary_status = result.solver.status_name(result.status)
    static = static_bound(cm.placements)
    if not result.found and lp is not None:
        lp.cancel()
    if result.status == cp_model.INFEASIBLE:
        conflict = find_conflict(conference, cm.placements, clock.left(), options.rules, cm.history,
                                 baseline.restrict, run.stop)
        return Outcome("infeasible", conflict=conflict, stats=stats)
    if result.found:
        best, value = cm.meetings_from(result.solver.value), round(result.solver.value(objective))
        bound = baseline.primary_bound(static, result.bound)
        stats.time_to_best = result.reporter.last_improvement
    elif start is not None and options.greedy_fallback:
        best, value, bound = start, figures.scheduled_priority(conference, start), static
        stats.time_to_best = clock.elapsed()
    else:
        return Outcome("no_schedule", stats=stats)
    if options.greedy_fallback and start and figures.scheduled_priority(conference, start) > value:
        best, value = start, figures.scheduled_priority(conference, start)
    record = {"phase": "priority", "status": stats.primary_status, "value": value,
              "ended_seconds": round(clock.elapsed(), 2), **({"stalled": True} if result.reporter.stalled else {})}
    stats.phases.append(record)
    if baseline.prices_changes and lp is not None and not run.deterministic:
        # its own bound is on the priority less the price of changes: the priority's comes from the LP, which
        # a balanced re-plan's quick priced phase would otherwise cut short
        phase.waited(lp, run.clock.left() * LP_WAIT_SHARE, run.stop)
    if (known := phase.lp_known(run, lp)) is not None:
        bound = min(bound, known)
    if value < bound and phase.searches_neighbourhoods(run, baseline) and not run.stopped:
        best = phase.neighbourhoods(run, cm, parts, best, bound, lp)
        value = figures.scheduled_priority(conference, best)
    lp_bound = phase.lp_known(run, lp)
    relaxed = phase.relaxation_record(lp, clock.elapsed(), rounded)  # ends its child: a bound not there is lost
    if lp_bound is not None:
        bound = min(bound, lp_bound)
    proven = (result.status == cp_model.OPTIMAL and baseline.proves_primary) or value >= bound
    bound = value if proven else max(bound, value)
    if proven:
        stats.time_to_proof = clock.elapsed()
    stats.bound_source = phase.bound_source(proven, bound, static, lp_bound)
    record["bound"] = bound
    return _Best(best, value, bound, proven, relaxed)


def _secondary(run: Run, cm: ConferenceModel, baseline: Baseline, best: _Best, full: Conference) -> _Best:
    """The secondary goals with the priority held at its best value (and, in a balanced re-plan, the fewest
    changes first). A later phase only adds constraints, but while the primary is unproven it may still
    raise it."""
    cm.model.add(cm.priority_value() >= best.value)
    meetings = baseline.after_primary(run, cm, best.meetings)
    meetings = polish(run, cm, meetings, full, baseline.from_scratch)
    polished = figures.scheduled_priority(cm.conference, meetings)
    if polished <= best.value:
        return dataclasses.replace(best, meetings=meetings)
    run.stats.time_to_best = run.clock.elapsed()
    proven = polished >= best.bound
    run.stats.time_to_proof = run.clock.elapsed() if proven else None
    return dataclasses.replace(best, meetings=meetings, value=polished, proven=proven)


def _reasons(
    run: Run,
    full: Conference,
    rest: Conference,
    where: dict[str, Placement],
    every: list[Meeting],
    baseline: Baseline,
) -> list[Unscheduled]:
    """A reason for every request left out, read from the schedule, then confirmed by solving where the
    time kept for it allows and until the solve is stopped (what a stop cut short stays unconfirmed)."""
    reasons = unscheduled_reasons(rest, where, every)
    if run.options.explain_share > 0 and not run.stopped:
        if run.progress is not None:  # the office sees the solve confirm its reasons (the values stay)
            run.progress(Progress("reasons", run.clock.elapsed(), None, None))
        seconds = run.options.time_limit - run.clock.elapsed()
        reasons = _confirmed(reasons, explain_all(full, every, where, seconds, baseline.freeze, run.stop))
    return reasons


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
        changes = tuple(w.change for w in e.what_ifs if w.change is not None)
        cause = next((c.rule for c in e.causes), u.cause)  # the confirmed cause first
        out.append(Unscheduled(u.request, e.reason, e.party_reason, True, office, party, cause, changes))
    return out


def _held(conference: Conference, history: History) -> dict[str, Placement]:
    """The meetings already held as placements (their one room and start), for the reasons' context."""
    return {
        m.request: Placement(conference.request(m.request), m.request in history.interpreted, {m.room: (m.start,)},
                             _all_starts=(m.start,))
        for m in history.meetings
    }
