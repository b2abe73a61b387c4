"""A running solve's progress in an officer's words: "67 of 120 meetings placed · priority 338 · best possible:
proven", and which phase it is in ("now reducing idle gaps"), never the solver's codes.

The worker stores the solver's figures (`SolveRow.progress`); the service words them on every read, with its
own clock for the time bar (the solver's `elapsed` is when it last improved, not how long it has run).
"""

from __future__ import annotations

from datetime import datetime

# the solver's phases (scheduler/solve: primary, polish, baseline, solver) in words
PHASE_WORDS: dict[str, str] = {
    "priority": "now placing the highest-priority meetings",
    "neighbourhoods": "now improving the schedule part by part",
    "stability": "now keeping published meetings where they were",
    "preferences": "now fitting preferred times",
    "compactness": "now reducing idle gaps",
    "breaks": "now keeping breaks",
    "rooms": "now using fewer rooms",
    "reasons": "now confirming why requests were left out",
    "done": "finished",
}
UNKNOWN_PHASE = "now working on the schedule"
# the phases whose figures are the priority placed and its bound; a later phase holds them and improves
# something else (its own objective's value is no priority)
PRIORITY_PHASES = frozenset({"priority", "neighbourhoods"})

# a re-plan side by side solves each choice in turn ("balanced: priority"): the choices' names as the office
# reads them (scheduler.solve.choices.KINDS; kept here so that a web process never loads the solver)
CHOICE_LABELS: dict[str, str] = {
    "nothing-moves": "Nothing moves",
    "balanced": "Balanced",
    "balanced-cheaper": "Balanced, half the rate",
    "most-priority": "Most priority",
}


def split_phase(phase: str) -> tuple[str | None, str]:
    """A phase as (the choice it belongs to, the solver's phase): "balanced: priority" -> ("balanced", "priority")."""
    choice, sep, own = phase.partition(": ")
    return (choice, own) if sep else (None, phase)


def is_priority_phase(phase: str) -> bool:
    """Whether a report of this phase carries the priority figures (the best, its bound, the meetings placed)."""
    return split_phase(phase)[1] in PRIORITY_PHASES


def phase_words(phase: str | None) -> str | None:
    """What the solve is doing now, in one sentence; a choice's phase names the choice."""
    if phase is None:
        return None
    choice, own = split_phase(phase)
    words = PHASE_WORDS.get(own, UNKNOWN_PHASE)
    if choice is None:
        return words
    return f"choice “{CHOICE_LABELS.get(choice, choice.replace('-', ' ').capitalize())}”: {words}"


def figures_words(placed: int | None, requests: int | None, incumbent: float | None, bound: float | None) -> str:
    """"67 of 120 meetings placed · priority 338 · best possible ≤ 352" (or "… best possible: proven" once the
    schedule reaches the bound)."""
    parts: list[str] = []
    if placed is not None:
        parts.append(f"{placed} of {requests} meetings placed" if requests is not None else f"{placed} meetings placed")
    parts.append(f"priority {round(incumbent)}" if incumbent is not None else "no schedule found yet")
    if bound is not None:
        proven = incumbent is not None and incumbent >= bound - 1e-6
        parts.append("best possible: proven" if proven else f"best possible ≤ {round(bound)}")
    return " · ".join(parts)


def share(part: float | None, whole: float | None) -> float | None:
    """`part` of `whole`, within [0, 1] (a share shown as a bar or a percentage never passes 100 %)."""
    if part is None or whole is None:
        return None
    if whole <= 0:
        return 1.0
    return round(min(1.0, max(0.0, part / whole)), 6)


def gap(incumbent: float | None, bound: float | None) -> float | None:
    """How far the best schedule is from the best possible, as a share of it, within [0, 1]."""
    if incumbent is None or bound is None:
        return None
    return share(abs(bound - incumbent), max(1.0, abs(bound)))


def seconds_between(start: datetime | None, end: datetime) -> float | None:
    return None if start is None else round(max(0.0, (end - start).total_seconds()), 1)
