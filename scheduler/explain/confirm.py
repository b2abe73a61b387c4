"""Finding and confirming the causes that keep a request out, on its `ForcedIn` model.

CP-SAT's `sufficient_assumptions_for_infeasibility` (one worker, no objective) gives a set of causes that
already keeps the request out; dropping each in turn while the rest still does leaves a minimal set: every
cause in it is confirmed, since without it the others no longer keep the request out. A request may be
kept out by several such sets at once (A's time and C's), so minimal sets of what is left are added until
lifting every meeting and party rule named lets the request in, which CP-SAT confirms.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.contract import rule_names as names
from scheduler.contract.domain import Request
from scheduler.explain.budget import Budget
from scheduler.explain.causes import Cause
from scheduler.explain.forced_in import ForcedIn
from scheduler.registry import CLASH_FAMILIES


def ranked(causes: list[Cause], request: Request) -> list[Cause]:
    """Causes in the order deletion tries them: the least telling first, so that a minimal set keeps, where
    it can, a party's own time and the meetings that fill it (as an officer would put it)."""

    return sorted(causes, key=_rank)


TELLING = 2  # the rank of a party's own time and the meetings in it


def _rank(c: Cause) -> int:
    if c.meeting is not None:
        return 3
    if c.rule == names.ONE_PLACE_AT_A_TIME:
        return 1 if c.subject else TELLING  # a programme item, or a party's own time
    # the other rules between meetings (as a whole, or a room's hours under room_use) say least
    return 0 if c.rule in CLASH_FAMILIES else 1


def minimal_causes(
    forced: ForcedIn, everything: list[Cause], solver: cp_model.CpSolver, budget: Budget
) -> list[Cause]:
    """A minimal set of causes that keeps the request out: CP-SAT's sufficient set, shrunk by deletion (each
    cause dropped in turn, for good while the rest still keeps the request out, judged on the same blocks as
    the model), then confirmed by CP-SAT: the set keeps the request out. Without any one of its causes the
    request fits (that is how deletion kept it)."""
    by_index = {forced.lits[c].index: c for c in everything}
    # with presolve on, the answer may name literals that were not assumptions (or-tools issue 5141)
    sufficient = {by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index}
    # the sufficient set, with the telling causes added back so that deletion may prefer them to what CP-SAT
    # happened to name (a shared party's time over the room it also fills)
    core = [c for c in everything if c in sufficient or _rank(c) >= TELLING]
    if not sufficient or forced.fits(core) is not None:
        core = everything  # the sufficient set did not hold on its own: start from all of them
    for cause in list(core):
        budget.left()  # a long deletion on a large schedule stops with the solve
        rest = [c for c in core if c != cause]
        if forced.fits(rest) is None:
            core = rest
    # deletion kept a cause only where dropping it let the request fit; CP-SAT confirms the whole set
    status = forced.solve(core, budget)[0]
    if status != cp_model.INFEASIBLE:
        # no verdict in the time left (or, never seen, a disagreement): the reason stays unconfirmed
        raise TimeoutError(f"{forced.request.id}: the causes were not confirmed ({status})")
    return core


def _family(cause: Cause) -> bool:
    """A rule between meetings as a whole: it holds while the meetings and party rules named are lifted."""
    return cause.rule in CLASH_FAMILIES and not cause.subject and cause.meeting is None


def all_causes(forced: ForcedIn, everything: list[Cause], core: list[Cause], budget: Budget) -> list[Cause]:
    """A minimal set names one thing that keeps the request out, but there may be several, each enough on
    its own (A's time taken by one meeting, C's by another). While lifting every meeting and party rule
    named so far still leaves the request out, add a minimal set of what is left; then CP-SAT confirms that
    lifting all of them (the rules between meetings still holding) lets the request in."""
    while True:
        named = {c for c in core if not _family(c)}
        held = [c for c in everything if c not in named]
        if forced.fits(held) is not None:
            break
        status, solver = forced.solve(held, budget)
        if status != cp_model.INFEASIBLE:
            raise TimeoutError(f"{forced.request.id}: no verdict on the further causes ({status})")
        more = [c for c in minimal_causes(forced, held, solver, budget) if c not in core]
        if not any(not _family(c) for c in more):
            return core + more  # only rules as a whole are left (a daily limit of 0): nothing more to lift
        core = core + more
    if forced.solve(held, budget)[0] not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise TimeoutError(f"{forced.request.id}: lifting the causes named was not confirmed to let it in")
    return core

