"""How the time of a solve is shared between its phases.

The primary objective (the scheduled priority) comes first: its phase keeps the time until it proves
optimality or stops improving (`Stall`), and the secondary phases share what is left, each skipped, and
recorded as such, when too little is left to build its model and search (`may_start`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Clock(Protocol):
    def elapsed(self) -> float: ...

    def left(self) -> float: ...


@dataclass(frozen=True)
class Stall:
    """A phase has stopped improving when neither its best value nor its proven bound has moved for a
    `share` of its time budget, and for `ratio` times as long as its search had run when they last moved.
    The search is counted from its first report (a schedule or a bound), never during the model's build
    and presolve, which say nothing about improvement.

    Measured on the full benchmark profile (see the closing note of issue 11): with a quiet spell of 3 s,
    conf-30x80 stopped at 5.8 s and lost its proof (CP-SAT had proved it after 17 s of an unmoving integer
    bound), conf-40x150 and forum-120x800 fell below their earlier values, and fair-300x3000 stopped during its
    first solutions; with 40 % of the budget conf-30x80 still stopped at 15-23 s unproven. Proofs and late
    improvements come after long quiet spells, so the rule is patient: at least 60 % of the budget of quiet,
    and as long again as the search had taken."""

    share: float = 0.6
    ratio: float = 1.0

    def stalled(self, now: float, started: float | None, last_change: float, budget: float) -> bool:
        """`now`, `started` (the search's first report, None before it) and `last_change` in the same clock's
        seconds; `budget` the phase's whole time."""
        if started is None:
            return False
        return now - last_change >= max(self.share * budget, self.ratio * (last_change - started))


# the least a secondary phase is worth starting with: below it the model is hardly built before time is up
LEAST_SECONDS = 0.05


def may_start(build_seconds: float, clock: Clock) -> str | None:
    """None when a phase whose model takes about `build_seconds` to build may start now; else why not (the
    phase is skipped and the reason recorded)."""
    left = clock.left()
    if left < LEAST_SECONDS:
        return "skipped: no time left"
    if build_seconds > 0.3 * left:
        return "skipped: the model would take too long to build"
    return None
