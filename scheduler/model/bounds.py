"""Upper bounds on the scheduled priority, each provably at least the optimum.

- `static`: the sum of the priorities of the requests that could be placed at all (each alone);
- `cp-sat`: the solver's proven bound of the `priority` phase (its LP relaxation and search);
- `lp`: the time-indexed LP relaxation of `scheduler.model.relaxation`, proven by weak duality beside CP-SAT.
`upper_bound` is the best (smallest) of them; the solve records which one it is (`SolveStats.bound_source`).
"""

from __future__ import annotations

from scheduler.rules.placement import Placement


def static_bound(where: dict[str, Placement]) -> int:
    """The priority of every request that has a place when alone: no schedule can hold more."""
    return sum(p.request.priority for p in where.values() if p.possible)
