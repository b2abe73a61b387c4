"""Why the mandatory and pinned requests cannot all be met: the requests and the rules that clash.

A clash is first looked for in each request alone (its `Placement`), then among the must-happen
requests together: a small set of them that still cannot be met (found by dropping requests one by one
while the rest stays infeasible), and the rules whose removal would let that set be met.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.cpsat_model import ConferenceModel
from scheduler.domain import Conference, History, Meeting
from scheduler.placement import Placement
from scheduler.rule_words import Clash
from scheduler.rules import ALL_RULES, BY_NAME, CLASH_FAMILIES, describe_demand, model_parts


@dataclass(frozen=True)
class Conflict:
    """Mandatory or pinned requests that cannot all be met, the rules that clash, and a readable account."""

    requests: tuple[str, ...]
    rules: tuple[str, ...]
    lines: tuple[str, ...]

    @property
    def message(self) -> str:
        return "\n".join(self.lines)

    @classmethod
    def static(cls, conference: Conference, impossible: list[Placement]) -> Conflict:
        """Must-happen requests that cannot be placed even alone."""
        lines = [
            f"{p.request.id} ({describe_demand(conference, p.request)}) can never be held: {p.reason} [rule {p.rule}]"
            for p in impossible
        ]
        return cls(
            tuple(p.request.id for p in impossible), tuple(dict.fromkeys(p.rule for p in impossible)), tuple(lines)
        )


def _status(
    conference: Conference,
    where: dict[str, Placement],
    ids: list[str],
    enabled: frozenset[str],
    seconds: float,
    stop: threading.Event | None = None,
    history: History = History(),
) -> tuple[int, ConferenceModel, cp_model.CpSolver]:
    """Can these must-happen requests all be held under the enabled rules? (no objective)"""
    cm = ConferenceModel.build(conference, where, model_parts(enabled), requests=ids, history=history)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = 1
    if stop is not None and stop.is_set():
        return cp_model.UNKNOWN, cm, solver
    return solver.solve(cm.model), cm, solver


def solve_must_happen(
    conference: Conference,
    where: dict[str, Placement],
    seconds: float,
    stop: threading.Event | None = None,
    enabled: frozenset[str] = ALL_RULES,
    history: History = History(),
) -> list[Meeting] | Conflict | None:
    """The must-happen requests alone: a schedule of them, the conflict among them, or None if undecided."""
    must = [r.id for r in conference.requests if r.must_happen]
    status, cm, solver = _status(conference, where, must, enabled, seconds, stop, history)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return cm.meetings_from(solver.value)
    if status == cp_model.INFEASIBLE:
        return find_conflict(conference, where, seconds, enabled, history)
    return None


def find_conflict(
    conference: Conference,
    where: dict[str, Placement],
    seconds: float,
    enabled: frozenset[str] = ALL_RULES,
    history: History = History(),
) -> Conflict:
    """A small set of must-happen requests that cannot all be met, and the rules that clash among them."""
    deadline = time.monotonic() + max(1.0, seconds)
    core = [r.id for r in conference.requests if r.must_happen]

    def left() -> float:
        return max(0.2, (deadline - time.monotonic()) / 4)

    # Deletion filter: drop a request whenever the rest still cannot be met.
    for rid in list(core):
        if time.monotonic() > deadline:
            break
        rest = [r for r in core if r != rid]
        if rest and _status(conference, where, rest, enabled, left(), history=history)[0] == cp_model.INFEASIBLE:
            core = rest
    clashing = [
        rule
        for rule in CLASH_FAMILIES
        if rule in enabled
        and _status(conference, where, core, enabled - {rule}, left(), history=history)[0]
        in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    ]
    return Conflict(tuple(core), tuple(clashing), tuple(_describe(conference, where, core, clashing)))


def _describe(conference: Conference, where: dict[str, Placement], core: list[str], clashing: list[str]) -> list[str]:
    requests = [conference.request(r) for r in core]
    head = "the mandatory and pinned requests cannot all be met: " + ", ".join(
        f"{r.id} ({describe_demand(conference, r)})" for r in requests
    )
    lines = [head]
    shared_parties = sorted({p for r in requests for p in r.parties if sum(p in q.parties for q in requests) > 1})
    shared_rooms = sorted(
        {room for r in core for room in where[r].rooms if sum(room in where[q].rooms for q in core) > 1}
    )
    clash = Clash(conference, tuple(shared_parties), tuple(shared_rooms))
    if clashing:
        lines += [f"  clash on rule {rule}: {BY_NAME[rule].clash(clash)}" for rule in clashing]
    else:
        lines.append(
            "  no single rule is to blame: together, "
            + ", ".join(CLASH_FAMILIES)
            + " and each request's own times and rooms leave no way to hold them all"
        )
    return lines
