"""Re-plans side by side: a short list of schedules on the trade-off between priority and changes, for the
office to pick one after a change to a published event.

Each choice is a whole solve of the same input against the same published schedule (`Anchor`), from the
most stable to the most priority, each starting from the one before and never ending below its priority:
- `nothing-moves`: only what the change forces moves; freed time is filled (stability `strict`);
- `balanced`: a published meeting moves only where the priority gained pays the rate (`move_cost`);
- `balanced-cheaper`: the same at half that rate (left out when the rate is nothing);
- `most-priority`: the most priority found, then the fewest changes (stability `priority`).
Choices that came out the same (the same priority and number of changes) are one choice, the most stable
of them (its `names` list them all). A choice another one beats
on both counts (no fewer changes and no more priority, and better on one) is dropped: every choice shown
is a real trade-off. Each keeps its own figures: priority, bound, status, and for the balanced ones the
value of the priority less the price of changes with its bound.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.contract.domain import Conference, Meeting
from scheduler.solve.baseline import Anchor, Stability
from scheduler.solve.move_cost import MoveCost
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from scheduler.solve.types import Choice, Choices, ProgressCallback


@dataclass(frozen=True)
class Kind:
    """One kind of choice: its name, what the office reads of it, its stability and its share of the time."""

    name: str
    label: str  # what the office calls it
    words: str
    stability: Stability
    share: float


KINDS: tuple[Kind, ...] = (
    Kind("nothing-moves", "Nothing moves", "nothing moves that need not; freed time filled", "strict", 0.2),
    Kind("balanced", "Balanced", "a meeting moves only where the priority gained pays the rate", "balanced", 0.3),
    Kind("balanced-cheaper", "Balanced, half the rate", "a meeting moves where the priority gained pays half the rate",
         "balanced", 0.2),
    Kind("most-priority", "Most priority", "the most priority found, then the fewest changes", "priority", 0.3),
)


def replan_choices(
    conference: Conference,
    anchor: Anchor,
    options: SolveOptions = SolveOptions(),
    progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> Choices:
    """The choices of re-planning `conference` from the published schedule of `anchor` (its freeze and its
    rate; its stability aside) within `options.time_limit` in all, each kind its share."""
    move_cost = anchor.move_cost
    anchor = dataclasses.replace(anchor, stability="strict", start_from=None, _priced={})
    found: list[Choice] = []
    start: tuple[Meeting, ...] | None = None
    for kind in KINDS:
        cost = _rate(kind, move_cost)
        if kind.stability == "balanced" and cost is None:
            continue
        baseline = anchor if start is None else anchor.starting_from(kind.stability, start, cost)
        timed = dataclasses.replace(options, time_limit=options.time_limit * kind.share)
        outcome = solve(conference, timed, _named(progress, kind.name), stop, baseline)
        if not outcome.has_schedule:
            if start is None:
                return Choices(failed=outcome)
            continue
        start = outcome.meetings
        found.append(Choice((kind.name,), kind.words, outcome, changed(anchor, outcome.meetings),
                            cost if kind.stability == "balanced" else None, kind.label))
    return Choices(tuple(non_dominated(_merged(found))))


def _rate(kind: Kind, move_cost: MoveCost) -> MoveCost | None:
    """The rate of a balanced kind (None: the kind is left out, the cheaper one when the rate is nothing)."""
    if kind.name != "balanced-cheaper":
        return move_cost
    if move_cost.time == 0:
        return None
    half = MoveCost(f"half of {move_cost.level}", move_cost.time // 2, move_cost.room // 2, move_cost.cancel // 2)
    return half


def _named(progress: ProgressCallback | None, name: str) -> ProgressCallback | None:
    """Progress reports that say which choice is being solved."""
    if progress is None:
        return None
    return lambda report: progress(dataclasses.replace(report, phase=f"{name}: {report.phase}"))


def changed(anchor: Anchor, meetings: Iterable[Meeting]) -> int:
    """How many published meetings (not history) a schedule moves or drops."""
    now = {m.request: (m.room, m.start) for m in meetings}
    return sum(1 for rid, old in anchor.previous.items() if now.get(rid) != (old.room, old.start))


def _merged(choices: list[Choice]) -> list[Choice]:
    """Choices with the same schedule, or the same priority and number of changes (no other trade-off), as
    one: the first, the most stable, under every name."""
    out: list[Choice] = []
    for choice in choices:
        same = next((c for c in out if _figures(c) == _figures(choice)), None)
        if same is None:
            out.append(choice)
        else:
            out[out.index(same)] = dataclasses.replace(same, names=same.names + choice.names,
                                                       also=same.also + (choice.label or choice.name,))
    return out


def _figures(choice: Choice) -> tuple[int, int]:
    return choice.outcome.scheduled_priority, choice.changes


def dominates(a: Choice, b: Choice) -> bool:
    """`a` changes no more and holds no less priority than `b`, and is better on one of the two."""
    pa, pb = a.outcome.scheduled_priority, b.outcome.scheduled_priority
    return a.changes <= b.changes and pa >= pb and (a.changes < b.changes or pa > pb)


def non_dominated(choices: list[Choice]) -> list[Choice]:
    """The choices no other one dominates, in their order."""
    return [c for c in choices if not any(dominates(o, c) for o in choices if o is not c)]

