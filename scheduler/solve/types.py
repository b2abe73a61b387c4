"""What a solve gives back, as plain data: its outcome, its progress reports and its measurements.

Readers of a solve's result (the publication, the CLI's summary, the service's worker) import these alone,
without loading the solvers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from scheduler.contract.domain import Meeting, Unscheduled

if TYPE_CHECKING:
    from scheduler.explain.infeasibility import Conflict
    from scheduler.solve.move_cost import MoveCost

Status = Literal["optimal", "feasible", "infeasible", "no_schedule"]


@dataclass(frozen=True)
class Progress:
    """A report while solving: which phase, how long so far, the best value found and the proven bound, and
    how many meetings the reported schedule places (None: a report of a bound alone, or a phase that does not
    count them)."""

    phase: str
    elapsed: float
    incumbent: float | None
    bound: float | None
    placed: int | None = None

    @property
    def gap(self) -> float | None:
        if self.incumbent is None or self.bound is None:
            return None
        return abs(self.bound - self.incumbent) / max(1.0, abs(self.bound))


ProgressCallback = Callable[[Progress], None]


@dataclass
class SolveStats:
    """Measured while solving; seconds from the start of `solve()`."""

    wall_time: float = 0.0
    time_to_best: float | None = None
    time_to_proof: float | None = None
    greedy_priority: int = 0
    primary_status: str = ""
    bound_source: str = ""  # optimal | cp-sat | lp | static (see `_bound_source`)
    phases: list[dict] = field(default_factory=list)
    priced_bound: float | None = None  # a balanced re-plan: the bound on priority less the price of changes


@dataclass(frozen=True)
class Outcome:
    """The result of a solve: a schedule with its figures, or why there is none."""

    status: Status
    meetings: tuple[Meeting, ...] = ()
    unscheduled: tuple[Unscheduled, ...] = ()
    scheduled_priority: int = 0
    upper_bound: int = 0
    preferred_met: int = 0
    breaks: int = 0
    conflict: Conflict | None = None
    stats: SolveStats = field(default_factory=SolveStats)
    stability: str | None = None  # of a re-plan (scheduler.solve.baseline)
    frozen_before: int | None = None  # of a re-plan: minute before which the meetings are history
    # a balanced re-plan: the price of a change (MoveCost.as_record) with the value and bound of the priority
    # less the price of the changes, in priority points
    move_cost: dict | None = None

    @property
    def has_schedule(self) -> bool:
        return self.status in ("optimal", "feasible")


@dataclass(frozen=True)
class Choice:
    """One re-plan the office may publish: the solve's outcome, under the names of every kind that gave it."""

    names: tuple[str, ...]
    words: str
    outcome: Outcome
    changes: int  # published meetings moved or dropped
    move_cost: MoveCost | None  # the rate of a balanced choice
    label: str = ""  # what the office calls it ("Nothing moves"); its name where there is none
    also: tuple[str, ...] = ()  # what the office calls the other kinds that gave the same (names[1:])

    @property
    def name(self) -> str:
        return self.names[0]


@dataclass(frozen=True)
class Choices:
    """A re-plan's choices (`scheduler.solve.choices`), most stable first; or, when the first solve found no
    schedule, its outcome (`failed`)."""

    choices: tuple[Choice, ...] = ()
    failed: Outcome | None = None
