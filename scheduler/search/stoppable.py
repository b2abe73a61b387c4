"""A CP-SAT solve that a solve's stop signal ends: the small solves beside the main search (a neighbourhood's
step, a hint completed, a reason confirmed) must stop with it, or a cancel waits for each to run out its time.
"""

from __future__ import annotations

import threading

from ortools.sat.python import cp_model

POLL_SECONDS = 0.05  # how often the stop signal is looked at while a solve runs


def solve_until(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    stop: threading.Event | None,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> int:
    """`solver.solve(model, callback)`, ended within POLL_SECONDS once `stop` is set (UNKNOWN, or what it had
    found so far). A solve asked for after the stop does not start: UNKNOWN."""
    if stop is None:
        return solver.solve(model, callback)
    if stop.is_set():
        return cp_model.UNKNOWN
    done = threading.Event()
    threading.Thread(target=stop_when, args=(solver, stop, done), daemon=True).start()
    try:
        return solver.solve(model, callback)
    finally:
        done.set()


def stop_when(solver: cp_model.CpSolver, stop: threading.Event, done: threading.Event) -> None:
    """Stop `solver` once `stop` is set, until its solve is `done`. Asked again at every poll: a stop asked
    for before CP-SAT has begun its search is lost (the solver has nothing to stop yet)."""
    while not done.wait(POLL_SECONDS):
        if stop.is_set():
            solver.stop_search()
