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
    """A phase has stopped improving when neither its best value nor its proven bound has moved for
    `at_least` seconds and for `ratio` times as long as the phase had run when they last moved: a phase
    that found its last improvement after 20 s is given 20 s more to find the next one (the improvements
    of CP-SAT's search come further and further apart: waiting as long again as it took is a doubling)."""

    at_least: float = 3.0
    ratio: float = 1.0

    def stalled(self, now: float, started: float, last_change: float) -> bool:
        """`now`, `started` (the phase's start) and `last_change` in the same clock's seconds."""
        return now - last_change >= max(self.at_least, self.ratio * (last_change - started))


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
