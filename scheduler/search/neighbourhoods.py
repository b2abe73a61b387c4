"""Large-neighbourhood search on the primary objective, with the problem's own neighbourhoods.

CP-SAT's own LNS chooses what to free from the model's variables; it does not know that a day, a
delegation and its counterparts, a pool of rooms or the left-out requests of one delegation are what
trade places in a schedule. Here each step frees one such neighbourhood of the incumbent schedule, keeps
every other meeting where it is (as the fixed meetings of a re-plan: outside the model, still counted by
the rules between meetings), and solves the small model that is left, warm-started from the incumbent.
A step never loses priority: the freed part must hold at least what it held. Each kind's yield (steps,
improvements, priority gained, seconds) is measured, and the kinds that pay are drawn more often.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from ortools.sat.python import cp_model

from scheduler.contract.domain import Conference, History, Meeting
from scheduler.model.room_groups import room_pools
from scheduler.model.variables import ConferenceModel, ModelPart
from scheduler.rules.placement import Around, Placement
from scheduler.search.stoppable import solve_until

# A neighbourhood: the search (incumbent, placements) and a random source -> the requests it frees.
Chooser = Callable[["Search", random.Random], set[str]]


@dataclass
class Yield:
    """What one kind of neighbourhood has brought so far."""

    steps: int = 0
    improved: int = 0
    gained: int = 0
    seconds: float = 0.0

    def rate(self) -> float:
        """Priority gained per second, with a floor so that every kind keeps being tried now and then."""
        return (self.gained + 1.0) / (self.seconds + 1.0)

    def as_dict(self) -> dict:
        return {"steps": self.steps, "improved": self.improved, "gained": self.gained,
                "seconds": round(self.seconds, 2)}


@dataclass
class Search:
    """The state of a neighbourhood search: the conference, where each request may go, the incumbent."""

    conference: Conference
    where: dict[str, Placement]
    parts: list[ModelPart]
    incumbent: dict[str, Meeting]
    history: History = field(default_factory=History)
    size: float = 40.0  # the number of requests a neighbourhood frees, adapted to how fast steps prove

    @property
    def value(self) -> int:
        return sum(self.conference.request(rid).priority for rid in self.incumbent)

    @cached_property
    def placeable(self) -> list[str]:
        """The requests that could be held at all (the placements never change during a search)."""
        return [rid for rid, p in self.where.items() if p.possible]

    def left_out(self) -> list[str]:
        return [rid for rid in self.placeable if rid not in self.incumbent]

    def involving(self, delegations: Iterable[str]) -> list[str]:
        wanted = set(delegations)
        return [rid for rid in self.placeable if wanted & set(self.where[rid].request.parties)]


# --- the neighbourhoods -------------------------------------------------------------------------


def one_delegation(search: Search, rng: random.Random) -> set[str]:
    """A delegation, weighted by its left-out requests, with every request of its counterparts."""
    left = search.left_out()
    parties = [p for rid in left for p in search.where[rid].request.parties] or [
        d.id for d in search.conference.delegations
    ]
    chosen = rng.choice(parties)
    own = search.involving([chosen])
    counterparts = {p for rid in own for p in search.where[rid].request.parties} - {chosen}
    return _fill(set(own), search.involving(counterparts), search.size, rng)


def left_out_of_one_delegation(search: Search, rng: random.Random) -> set[str]:
    """The left-out requests of one delegation, and the meetings of their parties that keep them out."""
    left = search.left_out()
    if not left:
        return set()
    chosen = rng.choice([p for rid in left for p in search.where[rid].request.parties])
    own = [rid for rid in left if chosen in search.where[rid].request.parties]
    parties = {p for rid in own for p in search.where[rid].request.parties}
    held = [rid for rid in search.involving(parties) if rid in search.incumbent]
    return _fill(set(own), held, search.size, rng)


def one_day(search: Search, rng: random.Random) -> set[str]:
    """Some delegations' meetings on one day, and their left-out requests that could be held that day."""
    days = search.conference.event.days
    day = rng.choice(days)
    on_day = [rid for rid in search.placeable if _on(search, rid, day.start, day.end)]
    return _by_delegation(search, on_day, rng)


def one_window(search: Search, rng: random.Random) -> set[str]:
    """Everything in a window of two hours on one day: the meetings in it and the requests it could hold."""
    day = rng.choice(search.conference.event.days)
    begin = rng.randrange(day.start, max(day.start + 1, day.end - 120), search.conference.event.slot_minutes)
    inside = [rid for rid in search.placeable if _on(search, rid, begin, begin + 120)]
    return _fill(set(), inside, search.size, rng)


def one_room_pool(search: Search, rng: random.Random) -> set[str]:
    """The meetings in one pool of interchangeable rooms on one day, and the requests that could use it."""
    pools = list(room_pools(search.conference).values())
    rooms = set(rng.choice(pools))
    day = rng.choice(search.conference.event.days)
    held = [rid for rid, m in search.incumbent.items() if m.room in rooms and day.start <= m.start < day.end]
    could = [
        rid for rid in search.left_out()
        if any(room in rooms and any(day.start <= s < day.end for s in starts)
               for room, starts in search.where[rid].starts_by_room.items())
    ]
    return _fill(set(), held + could, search.size, rng)


NEIGHBOURHOODS: dict[str, Chooser] = {
    "delegation": one_delegation,
    "left out": left_out_of_one_delegation,
    "day": one_day,
    "window": one_window,
    "room pool": one_room_pool,
}


def _on(search: Search, rid: str, begin: int, end: int) -> bool:
    """Held between `begin` and `end` in the incumbent, or, left out, with a possible start then."""
    meeting = search.incumbent.get(rid)
    if meeting is not None:
        return begin <= meeting.start < end
    return any(begin <= s < end for s in search.where[rid].starts)


def _by_delegation(search: Search, candidates: list[str], rng: random.Random) -> set[str]:
    """Whole delegations' share of the candidates, drawn at random, until the neighbourhood is full."""
    by_party: dict[str, list[str]] = {}
    for rid in candidates:
        for party in search.where[rid].request.parties:
            by_party.setdefault(party, []).append(rid)
    chosen: set[str] = set()
    parties = list(by_party)
    rng.shuffle(parties)
    for party in parties:
        if len(chosen) >= search.size:
            break
        chosen.update(by_party[party])
    return chosen


def _fill(must: set[str], more: list[str], size: float, rng: random.Random) -> set[str]:
    """`must`, then a random share of `more` up to `size` requests in all."""
    room = max(0, int(size) - len(must))
    extra = [rid for rid in dict.fromkeys(more) if rid not in must]
    return must | set(rng.sample(extra, min(room, len(extra))))


# --- one step -----------------------------------------------------------------------------------


def step(
    search: Search,
    free: set[str],
    seconds: float,
    workers: int,
    seed: int,
    strengthening: frozenset[str],
    stop: threading.Event | None = None,
) -> tuple[dict[str, Meeting] | None, bool]:
    """Re-solve the `free` requests with every other meeting of the incumbent kept where it is. Returns the
    new incumbent when the freed part holds more priority (else None), and whether the step was proven.
    `stop` ends the step at once (what it found by then still counts: every schedule it finds is valid)."""
    kept = [m for rid, m in search.incumbent.items() if rid not in free]
    around = Around.of(search.conference, kept)
    interpreted = frozenset(m.request for m in kept if search.where[m.request].needs_interpretation)
    history = History((*search.history.meetings, *kept), search.history.interpreted | interpreted)
    where = {**search.where, **{rid: around.cut(search.where[rid]) for rid in free}}
    # rooms are fixed one by one here, so every room is its own pool
    cm = ConferenceModel.build(search.conference, where, search.parts, requests=free,
                               strengthening=strengthening - {"room_pools"}, history=history)
    before = [search.incumbent[rid] for rid in free if rid in search.incumbent]
    objective = cm.priority_value()
    held_before = sum(search.conference.request(m.request).priority for m in before)
    cm.model.add(objective >= held_before)
    cm.model.maximize(objective)
    cm.add_hint(before)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solve_until(solver, cm.model, stop)
    proven = status == cp_model.OPTIMAL
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or round(solver.objective_value) <= held_before:
        return None, proven
    found = cm.meetings_from(solver.value)
    incumbent = {rid: m for rid, m in search.incumbent.items() if rid not in free}
    incumbent.update({m.request: m for m in found})
    return incumbent, proven


def improve(
    search: Search,
    seconds: float,
    workers: int,
    seed: int = 0,
    strengthening: frozenset[str] = frozenset(),
    stop: threading.Event | None = None,
    kinds: Iterable[str] = tuple(NEIGHBOURHOODS),
    on_improvement: Callable[[int], None] | None = None,
    quiet: float | None = None,
) -> tuple[dict[str, Yield], bool]:
    """Steps until `seconds` are spent, `stop` is set or, given `quiet`, no step has improved for that many
    seconds; the best incumbent is kept in `search`. Returns each kind's yield, and whether it stopped
    because it stopped improving."""
    rng = random.Random(seed)
    yields = {kind: Yield() for kind in kinds}
    deadline = last_gain = time.monotonic()
    deadline += seconds
    while (left := deadline - time.monotonic()) > 0.2 and not (stop is not None and stop.is_set()):
        if quiet is not None and time.monotonic() - last_gain > quiet:
            return yields, True
        kind = rng.choices(list(yields), weights=[y.rate() for y in yields.values()])[0]
        free = NEIGHBOURHOODS[kind](search, rng)
        if not free:
            yields[kind].steps += 1
            continue
        began, before = time.monotonic(), search.value
        limit = min(left, max(1.0, seconds / 20))
        found, proven = step(search, free, limit, workers, rng.randrange(1 << 30), strengthening, stop)
        spent = time.monotonic() - began
        y = yields[kind]
        y.steps += 1
        y.seconds += spent
        if found is not None:
            search.incumbent = found
            last_gain = time.monotonic()
            y.improved += 1
            y.gained += search.value - before
            if on_improvement is not None:
                on_improvement(search.value)
        # larger neighbourhoods while steps are proven quickly, smaller while they are not
        search.size = min(len(search.where), search.size * 1.1) if proven and spent < limit / 2 else max(
            8.0, search.size * 0.9
        )
    return yields, False
