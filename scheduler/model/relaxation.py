"""A time-indexed LP relaxation of the priority phase: an upper bound on the scheduled priority.

CP-SAT's own bound comes from its LP over the intervals (with the energy cuts of `model.strengthening`), which does
not see that a delegation or a room is used at one instant at most once (or size times). Here a variable says
"this request is held at this start (in this pool of rooms)", between 0 and 1, and each rule between
meetings is a row per instant. On the conference benchmarks it is far stronger (conf-40x150-tight 464 against
CP-SAT's 485; forum-60x300 1107 against 1139) and cheap (0.3-7 s alone up to 800 requests, on one thread).

Each rule's rows are built by a function named as the rule (`once`, `pinned`, `one_place_at_a_time`,
`room_use`, `daily_load`, `interpreters`), bound to the rule by the registry (`ModelPart.relaxed` in
`scheduler.registry`): a rule left out of the model is left out here too, so the bound is always the model's.

Usage rows ("at most c of these cover instant t") are written as a chain: the slack at one instant is the
slack at the previous one less the meetings starting there plus those that ended since. The same polytope
with a few coefficients per variable instead of one per instant it covers (conf-40x150: 254 000 non-zeros
instead of 900 000, 1.7 s instead of 7.7 s).

The bound is proven whatever the LP solver's accuracy: any row prices give an upper bound by weak duality
(`Relaxation.bound`), so the interior point's prices are turned into a bound without trusting its optimum.
"""

from __future__ import annotations

import math
import os
import threading
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from scheduler.contract.domain import Meeting
from scheduler.model.child import Child
from scheduler.model.rule_parts import teams_held
from scheduler.model.variables import ConferenceModel

# Above this many columns the LP takes longer than it gives (fair-300x3000: 122 000 columns, 76 s for a
# bound 0.3 % below CP-SAT's); up to BY_POOL_COLUMNS a column per request, pool of rooms and start (it sees
# which rooms a meeting can use: conf-40x150-tight 464 instead of 486), above it one per request and start,
# with the rooms counted by the sets of pools that requests can use.
LP_COLUMNS = 60_000
BY_POOL_COLUMNS = 20_000


@dataclass(frozen=True)
class Column:
    request: str
    start: int
    pool: str | None  # None: any of the request's pools


@dataclass(frozen=True)
class Relaxation:
    """Maximise cost.x subject to row_lower <= A x <= row_upper and 0 <= x <= column_upper (A row by row)."""

    cost: np.ndarray
    column_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    columns: tuple[Column, ...] = ()  # what each column stands for (a slack: no request)

    @property
    def by_pool(self) -> bool:
        """Its columns name a pool of rooms each: an integral point is then a schedule (see `rounding`)."""
        return any(c.pool is not None for c in self.columns)

    def bound(self, prices: np.ndarray) -> float:
        """The upper bound that any row prices y prove (weak duality): for every feasible x,
        cost.x = (cost - A'y).x + y.Ax <= sum of max(0, reduced cost) x upper + sum of y_i x (upper or lower)."""
        rows = np.repeat(np.arange(len(self.row_lower)), np.diff(np.append(self.row_start, len(self.index))))
        priced = np.bincount(self.index, weights=self.value * prices[rows], minlength=len(self.cost))
        reduced = self.cost - priced
        columns = float(np.sum(np.maximum(reduced, 0.0) * self.column_upper))
        return columns + float(np.sum(np.where(prices >= 0, prices * self.row_upper, prices * self.row_lower)))


@dataclass
class Rows:
    """The relaxation while it is built: its columns, and the rows the rules add."""

    cm: ConferenceModel
    columns: list[Column] = field(default_factory=list)
    column_upper: list[float] = field(default_factory=list)
    of_request: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    row_start: list[int] = field(default_factory=list)
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    held_row: dict[str, int] = field(default_factory=dict)  # request -> its row "held at most once"

    def row(self, lower: float, upper: float, columns: list[int], values: list[float] | None = None) -> int:
        self.row_start.append(len(self.index))
        self.index.extend(columns)
        self.value.extend(values if values is not None else [1.0] * len(columns))
        self.lower.append(lower)
        self.upper.append(upper)
        return len(self.lower) - 1

    def slack(self, upper: float) -> int:
        self.columns.append(Column("", 0, None))
        self.column_upper.append(upper)
        return len(self.columns) - 1

    def usage(self, items: list[tuple[int, int, int]], capacity: Callable[[int], int]) -> None:
        """At every instant at most `capacity(t)` of the `items` (start, end, column) cover it, as a chain.

        Only the items' starts need a row: the most items covering any instant cover some item's start."""
        instants = sorted({start for start, _, _ in items})
        if len(items) <= min(capacity(t) for t in instants):
            return  # never binds
        starting: dict[int, list[int]] = defaultdict(list)
        ending: dict[int, list[int]] = defaultdict(list)
        for start, end, column in items:
            starting[bisect_left(instants, start)].append(column)
            ending[bisect_left(instants, end)].append(column)  # the first instant it no longer covers
        previous, before = None, 0
        for i, t in enumerate(instants):
            room = capacity(t)
            slack = self.slack(room)  # capacity left at t
            if previous is None:  # the first instant is the earliest start: what covers it starts there
                self.row(room, room, [*starting[0], slack])
            else:
                gone = ending.get(i, [])
                columns = [*starting[i], *gone, slack, previous]
                values = [1.0] * len(starting[i]) + [-1.0] * len(gone) + [1.0, -1.0]
                self.row(room - before, room - before, columns, values)
            previous, before = slack, room

    def relaxation(self) -> Relaxation:
        cost = [self.cm.meetings[c.request].request.priority if c.request else 0 for c in self.columns]
        return Relaxation(
            np.array(cost, dtype=float),
            np.array(self.column_upper, dtype=float),
            np.array(self.lower, dtype=float),
            np.array(self.upper, dtype=float),
            np.array(self.row_start, dtype=np.int32),
            np.array(self.index, dtype=np.int32),
            np.array(self.value, dtype=float),
            tuple(self.columns),
        )

    def by_party(self, gap: int) -> dict[str, list[tuple[int, int, int]]]:
        """Each delegation's columns as (start, end with `gap`, column)."""
        out: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
        for j, column in enumerate(self.columns):
            if column.request:
                mv = self.cm.meetings[column.request]
                for party in mv.request.parties:
                    out[party].append((column.start, column.start + self.cm.extent(mv, gap), j))
        return out


def build(
    cm: ConferenceModel, relaxed: list[Callable[[Rows], None]], by_pool: bool | None = None
) -> Relaxation | None:
    """The relaxation of the model `cm` under the rules' `relaxed` rows; None when it would be too large.
    `by_pool`: a column per pool of rooms (True) or per start only (False); by default by size."""
    per_pool = sum(len(mv.placement.starts_by_room[pool]) for mv in cm.meetings.values() for pool in mv.in_room)
    per_start = sum(len(mv.placement.starts) for mv in cm.meetings.values())
    if min(per_pool, per_start) > LP_COLUMNS or not cm.meetings:
        return None
    if by_pool is None:
        by_pool = per_pool <= BY_POOL_COLUMNS
    rows = Rows(cm)
    for rid, mv in cm.meetings.items():
        if by_pool:
            keys = [(s, pool) for pool in mv.in_room for s in mv.placement.starts_by_room[pool]]
        else:
            keys = [(s, None) for s in mv.placement.starts]
        for start, pool in keys:
            rows.columns.append(Column(rid, start, pool))
            rows.column_upper.append(1.0)
            rows.of_request[rid].append(len(rows.columns) - 1)
    for rid, columns in rows.of_request.items():  # at most once: there is one set of variables per request
        rows.held_row[rid] = rows.row(0.0, 1.0, columns)
    for add in relaxed:
        add(rows)
    return rows.relaxation()


# --- the rules' rows ----------------------------------------------------------------------------


def once(rows: Rows) -> None:
    """Rule 1: a mandatory request is held exactly once (at most once is the structure of the columns)."""
    for rid, row in rows.held_row.items():
        if rows.cm.meetings[rid].request.mandatory:
            rows.lower[row] = 1.0


def pinned(rows: Rows) -> None:
    """Rule 12: a pinned request is held (its start and room are its placement's only ones)."""
    for rid, row in rows.held_row.items():
        if rows.cm.meetings[rid].request.pinned:
            rows.lower[row] = 1.0


def one_place_at_a_time(rows: Rows) -> None:
    """Rule 4: at any instant a delegation is in at most one meeting (with its changeover after it).

    (Rows for trios of delegations whose requests pairwise share one, against half-held triangles, moved
    no bound of the benchmarks: conf-30x80 411, conf-40x150-tight 464, forum-60x300 1107 with or without.)"""
    for items in rows.by_party(rows.cm.conference.event.changeover_minutes).values():
        rows.usage(items, lambda t: 1)


def room_use(rows: Rows) -> None:
    """Rule 5: at any instant a pool of rooms holds at most as many meetings as it has rooms (turnover after
    each); with columns per start only, the same for the requests that can only use a given set of pools."""
    cm = rows.cm
    gap = cm.conference.event.room_turnover_minutes
    by_pools: dict[frozenset[str], list[tuple[int, int, int]]] = defaultdict(list)
    for j, column in enumerate(rows.columns):
        if column.request:
            mv = cm.meetings[column.request]
            pools = frozenset(mv.in_room) if column.pool is None else frozenset({column.pool})
            by_pools[pools].append((column.start, column.start + cm.extent(mv, gap), j))
    sets = set(by_pools) | ({frozenset(cm.pools)} if any(c.pool is None for c in rows.columns) else set())
    for pools in sorted(sets, key=sorted):  # in one order whatever the hash seed: the LP's solution repeats
        items = [item for used, inside in by_pools.items() if used <= pools for item in inside]
        rooms = sum(len(cm.pools[pool]) for pool in pools)
        rows.usage(items, lambda t, rooms=rooms: rooms)


def daily_load(rows: Rows) -> None:
    """Rule 10: a delegation holds at most its limit of meetings a day (less those already held)."""
    cm = rows.cm
    days = cm.conference.event.days
    held: dict[tuple[str, int], int] = defaultdict(int)
    for m in cm.history.meetings:
        for party in m.parties:
            for day in days:
                held[party, day.index] += day.start <= m.start < day.end
    for party, items in rows.by_party(0).items():
        limit = cm.conference.delegation(party).max_meetings_per_day
        if limit is None:
            continue
        for day in days:
            columns = [j for start, _, j in items if day.start <= start < day.end]
            left = max(0, limit - held[party, day.index])
            if len(columns) > left:
                rows.row(0.0, left, columns)


def interpreters(rows: Rows) -> None:
    """Rule 11: at any instant at most as many meetings need interpretation as there are teams (less those
    the meetings already held keep busy)."""
    cm = rows.cm
    teams = cm.conference.event.interpreter_teams
    if teams is None:
        return
    busy = teams_held(cm, teams)
    items = [
        (column.start, column.start + cm.extent(cm.meetings[column.request], 0), j)
        for j, column in enumerate(rows.columns)
        if column.request and cm.meetings[column.request].placement.needs_interpretation
    ]
    if items:
        rows.usage(items, lambda t: teams - sum(count for start, end, count in busy if start <= t < end))


# --- solving it, in a child process beside CP-SAT -----------------------------------------------


def upper_bound(relaxation: Relaxation, seconds: float) -> int | None:
    """The priority bound the relaxation proves, by HiGHS's interior point in at most `seconds`; None when
    HiGHS gives no row prices (the model has no schedule at all, or time ran out before any)."""
    return solve_lp(relaxation, seconds)[0]


def solve_lp(relaxation: Relaxation, seconds: float) -> tuple[int | None, np.ndarray | None]:
    """`upper_bound`, and the LP's solution (a value per column) when HiGHS has one."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "ipm")
    h.setOptionValue("run_crossover", "off")  # the prices are all the bound needs
    h.setOptionValue("threads", 1)  # beside CP-SAT's workers
    h.setOptionValue("time_limit", max(0.1, seconds))
    n, r = len(relaxation.cost), len(relaxation.row_lower)
    h.addVars(n, np.zeros(n), relaxation.column_upper)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), -relaxation.cost)  # HiGHS minimises
    h.addRows(r, relaxation.row_lower, relaxation.row_upper, len(relaxation.index), relaxation.row_start,
              relaxation.index, relaxation.value)
    h.run()
    solution = h.getSolution()
    primal = np.array(solution.col_value, dtype=float) if solution.value_valid else None
    if not solution.dual_valid:
        return None, primal
    prices = np.array(solution.row_dual, dtype=float)
    # whichever sign convention the prices follow, each sign gives a valid bound: the smaller is kept
    bound = min(relaxation.bound(prices), relaxation.bound(-prices))
    return (math.floor(bound + 1e-6) if math.isfinite(bound) else None), primal


def rounding(cm: ConferenceModel, relaxation: Relaxation, primal: np.ndarray) -> list[Meeting]:
    """The LP's solution as meetings to try first, best first: a start schedule for the priority phase
    (`greedy_schedule(prefer=...)` keeps each where it still fits). Columns by their value times the
    request's priority, each in every room of its pool. Only for columns by pool (`by_pool`): by start
    only, the rooms are left open and the rounding was worse than the plain greedy (conf-40x150 485-610
    against 615). On conf-40x150-tight it gave 454 in 0.3 s, where CP-SAT alone had 436 after 30 s."""
    order = sorted(
        (j for j, c in enumerate(relaxation.columns) if c.request and c.pool is not None and primal[j] > 1e-3),
        key=lambda j: -primal[j] * cm.meetings[relaxation.columns[j].request].request.priority,
    )
    out = []
    for j in order:
        column = relaxation.columns[j]
        mv = cm.meetings[column.request]
        for room in cm.pools[column.pool]:
            out.append(Meeting(column.request, mv.request.parties, room, column.start, column.start + mv.duration))
    return out


def _timed(relaxation: Relaxation, seconds: float) -> tuple[int | None, float, np.ndarray | None]:
    # HiGHS prints a banner when it is made, before any option can silence it: the child's own output goes
    # nowhere, so the CLI's report stays the CLI's (the child is forked: the parent's output is untouched)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    started = time.monotonic()
    bound, primal = solve_lp(relaxation, seconds)
    # the solution is only sent back where it can be rounded into a schedule
    return bound, time.monotonic() - started, primal if relaxation.by_pool else None


class LpBound:
    """The relaxation's bound, computed in a child process from construction on (see `scheduler.model.child`)."""

    def __init__(self, relaxation: Relaxation, seconds: float, started: float = 0.0):
        self.relaxation = relaxation
        self.child = Child(_timed, relaxation, seconds)
        self.started = started  # when it started, in the caller's clock
        self.value: int | None = None
        self.seconds: float | None = None  # how long HiGHS took, once known
        self.primal: np.ndarray | None = None  # the LP's solution, once known (columns by pool only)
        self.ended = False
        self.lock = threading.RLock()  # `known` is asked from the solver's watch threads

    def done(self) -> bool:
        return self.ended or self.child.done()

    def result(self, seconds: float = 0.0) -> int | None:
        """The bound, waiting up to `seconds` for it; None if it is not there by then (the child ends)."""
        with self.lock:
            if not self.ended:
                self.value, self.seconds, self.primal = self.child.result(seconds) or (None, None, None)
                self.ended = True
            return self.value

    def wait(self, seconds: float) -> int | None:
        """The bound, waiting up to `seconds` for it without ending the child when it is not there yet."""
        self.child.wait(seconds)
        return self.known()

    def known(self) -> int | None:
        """The bound if it is already there, without waiting (and without ending the child)."""
        with self.lock:
            return self.result() if self.done() else None

    def cancel(self) -> None:
        with self.lock:
            self.child.cancel()
            self.ended = True
