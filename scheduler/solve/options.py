"""How long and how hard a solve searches, and which of the contract's rules it holds."""

from __future__ import annotations

import os
from dataclasses import dataclass

from scheduler.model.variables import STRENGTHENING
from scheduler.registry import ALL_RULES


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
