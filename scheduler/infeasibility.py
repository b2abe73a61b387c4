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

from scheduler import rule_names as rules
from scheduler.cpsat_model import ALL_RULES, ConferenceModel
from scheduler.domain import Conference, Meeting
from scheduler.placement import Placement

BETWEEN_MEETINGS = (rules.ONE_PLACE_AT_A_TIME, rules.ROOM_USE, rules.DAILY_LOAD, rules.INTERPRETERS)


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
            f"{p.request.id} ({_kind(p.request)}) can never be held: {p.reason} [rule {p.rule}]" for p in impossible
        ]
        return cls(
            tuple(p.request.id for p in impossible), tuple(dict.fromkeys(p.rule for p in impossible)), tuple(lines)
        )


def _kind(request) -> str:
    if request.pinned:
        return "pinned" if request.fixed_room is None else f"pinned in {request.fixed_room}"
    return "mandatory"


def _status(
    conference: Conference,
    where: dict[str, Placement],
    ids: list[str],
    enabled: frozenset[str],
    seconds: float,
    stop: threading.Event | None = None,
) -> tuple[int, ConferenceModel, cp_model.CpSolver]:
    """Can these must-happen requests all be held under the enabled rules? (no objective)"""
    cm = ConferenceModel.build(conference, where, requests=ids, enabled_rules=enabled)
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
) -> list[Meeting] | Conflict | None:
    """The must-happen requests alone: a schedule of them, the conflict among them, or None if undecided."""
    must = [r.id for r in conference.requests if r.must_happen]
    status, cm, solver = _status(conference, where, must, ALL_RULES, seconds, stop)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return cm.meetings_from(solver.value)
    if status == cp_model.INFEASIBLE:
        return find_conflict(conference, where, seconds)
    return None


def find_conflict(conference: Conference, where: dict[str, Placement], seconds: float) -> Conflict:
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
        if rest and _status(conference, where, rest, ALL_RULES, left())[0] == cp_model.INFEASIBLE:
            core = rest
    clashing = [
        rule
        for rule in BETWEEN_MEETINGS
        if _status(conference, where, core, ALL_RULES - {rule}, left())[0] in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    ]
    return Conflict(tuple(core), tuple(clashing), tuple(_describe(conference, where, core, clashing)))


def _describe(conference: Conference, where: dict[str, Placement], core: list[str], clashing: list[str]) -> list[str]:
    requests = [conference.request(r) for r in core]
    head = "the mandatory and pinned requests cannot all be met: " + ", ".join(
        f"{r.id} ({_describe_request(conference, r)})" for r in requests
    )
    lines = [head]
    shared_parties = sorted({p for r in requests for p in r.parties if sum(p in q.parties for q in requests) > 1})
    shared_rooms = sorted(
        {room for r in core for room in where[r].rooms if sum(room in where[q].rooms for q in core) > 1}
    )
    words = {
        rules.ONE_PLACE_AT_A_TIME: f"{', '.join(shared_parties) or 'a delegation'} cannot be in two places at once "
        f"(with a {conference.event.changeover_minutes}-min changeover)",
        rules.ROOM_USE: f"they need the same room ({', '.join(shared_rooms) or '?'}) at overlapping times "
        f"(with a {conference.event.room_turnover_minutes}-min turnover)",
        rules.DAILY_LOAD: "a delegation would exceed its max_meetings_per_day",
        rules.INTERPRETERS: f"more meetings needing interpretation than the {conference.event.interpreter_teams} "
        "interpreter teams would run at once",
    }
    if clashing:
        lines += [f"  clash on rule {rule}: {words[rule]}" for rule in clashing]
    else:
        lines.append(
            "  no single rule is to blame: together, "
            + ", ".join(BETWEEN_MEETINGS)
            + " and each request's own times and rooms leave no way to hold them all"
        )
    return lines


def _describe_request(conference: Conference, request) -> str:
    if request.pinned:
        at = conference.clock.to_datetime(request.fixed_start)
        room = f" in {request.fixed_room}" if request.fixed_room else ""
        return f"pinned at {at:%d %b %H:%M}{room}"
    return "mandatory"
