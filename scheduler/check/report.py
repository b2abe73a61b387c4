"""What the validator says: each broken rule as a `Violation`, the whole `CheckReport`, and `BadSchedule`
for a file that is not a schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.contract.problems import Problem

FIGURES = "figures"
OUTPUT = "output"
STATUSES = ("optimal", "feasible")


@dataclass(frozen=True)
class Violation:
    """One broken rule (a rule_names constant, "figures" or "output") and what an officer should know."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    violations: tuple[Violation, ...]
    scheduled_priority: int
    preferred_met: int
    breaks: int
    # broken by the meetings held before a re-plan's `frozen_before` alone: reported, not failing (they
    # happened; the input changed afterwards)
    history: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations


class BadSchedule(Exception):
    """The schedule is not JSON or not shaped like `schedule.json`; `problems` name the JSON paths."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
