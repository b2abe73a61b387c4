"""Why a request is not in a schedule, with causes a solver confirms, and what would let it in.

`explain(conference, meetings, request_id)` forces the request into the schedule as it stands
(`scheduler.explain.forced_in`: each thing that can keep it out an assumption), finds a set of causes that
keeps it out and confirms it by solving (`scheduler.explain.confirm`), puts them into words
(`scheduler.explain.why_words`) and looks for changes that would let it in (`scheduler.explain.what_ifs`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ortools.sat.python import cp_model

from scheduler.contract.domain import Conference, Meeting
from scheduler.explain.budget import Budget
from scheduler.explain.causes import Cause, Explanation, WhatIf
from scheduler.explain.confirm import all_causes, minimal_causes, ranked
from scheduler.explain.forced_in import ForcedIn
from scheduler.explain.what_ifs import Case, what_ifs
from scheduler.explain.why_words import Words, when
from scheduler.registry import placement_rules
from scheduler.rules.placement import Placement, placements

__all__ = ["Cause", "Explanation", "WhatIf", "explain", "explain_all"]


def explain(
    conference: Conference,
    meetings: Iterable[Meeting],
    request_id: str,
    where: dict[str, Placement] | None = None,
    freeze: int | None = None,
    seconds: float = 5.0,
    stop: threading.Event | None = None,
) -> Explanation:
    """Why `request_id` is not among `meetings` (a valid schedule of `conference`), confirmed by solves, and
    what would let it in. `where`: the placements, if already computed; `freeze`: the minute before which
    a re-plan placed nothing new. TimeoutError when `seconds` are spent or `stop` is set first."""
    budget = Budget.of(seconds, stop)
    request = conference.request(request_id)
    meetings = [m for m in meetings if m.request != request_id]
    where = where if where is not None else placements(conference, placement_rules())
    placement = where[request_id]
    if not placement.possible and placement.rule != "history":
        return Explanation(request_id, True, (Cause(placement.rule),), placement.reason, placement.party_reason)
    forced = ForcedIn(conference, request, meetings, freeze)
    everything = ranked(forced.causes, request)
    status, solver = forced.solve(everything, budget)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        option = forced.option_of(solver)
        words = f"it still fits at {when(conference, option.start)} in {conference.room(option.room).name}"
        return Explanation(request_id, True, (), words + "; the solver did not reach it in time", words)
    if status != cp_model.INFEASIBLE:
        raise TimeoutError("no answer in time")
    core = all_causes(forced, everything, minimal_causes(forced, everything, solver, budget), budget)
    words = Words(conference, request, meetings, core)
    found = what_ifs(Case(conference, request, meetings, where, forced, core, freeze, budget))
    return Explanation(request_id, True, tuple(core), words.office(), words.party(), tuple(found))


def explain_all(
    conference: Conference,
    meetings: Iterable[Meeting],
    where: dict[str, Placement],
    seconds: float,
    freeze: int | None = None,
    stop: threading.Event | None = None,
) -> dict[str, Explanation]:
    """The explanation of every request not in `meetings`, in input order, as far as `seconds` allow and
    until `stop` is set (the requests not reached, or cut short, are left out of the answer)."""
    budget = Budget.of(seconds, stop)
    meetings = list(meetings)
    held = {m.request for m in meetings}
    out = {}
    for request in conference.requests:
        if request.id in held:
            continue
        try:
            out[request.id] = explain(conference, meetings, request.id, where, freeze, budget.left(), stop)
        except TimeoutError:
            break
    return out

