"""Why a request is not in a schedule, with causes a solver confirms, and what would let it in.

`explain(conference, meetings, request_id)` builds a small CP-SAT model without objective in which the
request is forced into the schedule as it stands: it must take one of its times and rooms (on the day
hours' grid), and each thing that can close one of them is an assumption literal:
- the rules about the meeting alone, at the finest grain their words can use: a party's availability, the
  request's own window, a programme item a party attends, each room's seats, features, level, owner (its
  salon), hours; the pin and the home-room rule;
- each meeting of the schedule staying where it is, and the rule families through which meetings keep
  each other apart (one_place_at_a_time, room_use, daily_load, interpreters).
CP-SAT's `sufficient_assumptions_for_infeasibility` (one worker, no objective) gives a set of them that
already keeps the request out; dropping each in turn while the rest still does leaves a minimal set:
every cause in it is confirmed, since without it the others no longer keep the request out. A request may
be kept out by several such sets at once (A's time and C's), so minimal sets of what is left are added
until lifting every meeting and party rule named lets the request in, which CP-SAT confirms (`causes`).

What-ifs, each confirmed by a solve and then by the independent validator on the changed schedule:
the cheapest meetings to displace (and whether that is worth the request's priority), the longest shorter
duration that fits, the smallest extension of a party's availability, and a room change.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.check.validator import check_schedule
from scheduler.contract import figures
from scheduler.contract import rule_names as names
from scheduler.contract.domain import Conference, Meeting, Request, Room, Window, inside_union, merge_windows
from scheduler.registry import placement_rules
from scheduler.rules.placement import (
    Need,
    Placement,
    TimeStep,
    apart,
    day_hours_and_grid,
    every_minute,
    max_level,
    needs_interpretation,
    placements,
)
from scheduler.rules.words import join
from scheduler.search.greedy import greedy_schedule

BETWEEN_MEETINGS = (names.ONE_PLACE_AT_A_TIME, names.ROOM_USE, names.DAILY_LOAD, names.INTERPRETERS)
# the rules that decide which rooms may host a request at all (see `_ForcedIn.background`)
ROOM_SUITABILITY = frozenset(
    {
        names.SEATS,
        names.FEATURES,
        names.PROTOCOL_LEVEL,
        names.HOME_ROOMS,
        names.RESERVED_ROOMS,
        names.INTERPRETERS,
        names.PINNED,
    }
)


@dataclass(frozen=True)
class Cause:
    """One thing that keeps a request out: a rule about the meeting alone (`subject`: a party, a room, a
    programme item or "" for the request itself) or a meeting of the schedule staying where it is."""

    rule: str
    subject: str = ""
    meeting: str | None = None  # the id of the meeting in the way


@dataclass(frozen=True)
class WhatIf:
    """A change that a solve showed would let the request in: `office` names everything, `party` only the
    request's own parties, rooms and times (None when it cannot be said without naming others)."""

    office: str
    party: str | None


@dataclass(frozen=True)
class Explanation:
    request: str
    confirmed: bool
    causes: tuple[Cause, ...]
    reason: str  # the office's words
    party_reason: str  # words the request's parties may read
    what_ifs: tuple[WhatIf, ...] = ()

    def paragraph(self, conference: Conference) -> str:
        """The whole answer, as `scheduler explain` prints it."""
        r = conference.request(self.request)
        head = f"{r.id} ({r.duration} min, priority {r.priority}) cannot be placed: {self.reason}"
        tail = [w.office for w in self.what_ifs]
        return head + ("" if self.confirmed else " (not confirmed by a solve)") + "".join(f"\n- {t}" for t in tail)


# --- the model of one request forced into the schedule as it stands -------------------------------------


@dataclass
class _Option:
    room: str
    start: int
    static: list[Cause]  # rules about the meeting alone that close it


@dataclass(frozen=True)
class _Block:
    """Closes an option when every cause of `all_of` holds and at least `at_least` of `some_of` do (a daily
    limit reached, every interpreter team busy); with `at_least` 0, `all_of` alone closes it."""

    all_of: tuple[Cause, ...]
    some_of: tuple[Cause, ...] = ()
    at_least: int = 0

    def closes(self, held: frozenset[Cause]) -> bool:
        return all(c in held for c in self.all_of) and sum(c in held for c in self.some_of) >= self.at_least


class _ForcedIn:
    """The request forced into the schedule as it stands: it takes one option, which every `_Block` whose
    causes hold closes. Read by CP-SAT (each cause an assumption literal) and, to shrink a set of causes
    quickly, by `fits` on the very same blocks."""

    def __init__(self, conference: Conference, request: Request, meetings: list[Meeting], freeze: int | None):
        self.conference, self.request = conference, request
        self.meetings = [m for m in meetings if m.request != request.id]
        options = _options(conference, request, freeze)
        self.by_option = [[_Block((c,)) for c in o.static] for o in options]
        self.by_start: dict[int, list[_Block]] = defaultdict(list)
        self._between_meetings(options)
        # options closed by the very same blocks are one choice for the question asked: keep the first
        groups: dict[frozenset[_Block], _Option] = {}
        for option, blocks in zip(options, self.by_option, strict=True):
            groups.setdefault(frozenset([*blocks, *self.by_start[option.start]]), option)
        self.options = list(groups.values())
        self.blocks = list(groups)
        self.model = cp_model.CpModel()
        self.lits: dict[Cause, cp_model.IntVar] = {}
        self.x = [self.model.new_bool_var(f"x[{o.room},{o.start}]") for o in self.options]
        self.model.add_exactly_one(self.x)
        for x, blocks in zip(self.x, self.blocks, strict=True):
            for block in blocks:
                self._close(x, block)
        rooms = {r.id for r in conference.rooms}
        # which rooms may host it at all is background, not a cause: the answer is about time and meetings
        self.background = [c for c in self.lits if c.rule in ROOM_SUITABILITY and c.subject in rooms]
        self.causes = [c for c in self.lits if c not in set(self.background)]

    def lit(self, cause: Cause) -> cp_model.IntVar:
        if cause not in self.lits:
            self.lits[cause] = self.model.new_bool_var(f"a[{cause.rule},{cause.subject},{cause.meeting}]")
        return self.lits[cause]

    def _close(self, taken: cp_model.IntVar, block: _Block) -> None:
        every = [self.lit(c) for c in block.all_of]
        if not block.at_least:
            self.model.add_bool_or([~taken, *(~lit for lit in every)])
        else:
            some = [self.lit(c) for c in block.some_of]
            self.model.add(sum(some) <= block.at_least - 1).only_enforce_if([taken, *every])

    def _between_meetings(self, options: list[_Option]) -> None:
        event, request = self.conference.event, self.request
        d = request.duration
        stays = {m.request: Cause("stays", meeting=m.request) for m in self.meetings}
        mine = [m for m in self.meetings if set(m.parties) & set(request.parties)]
        starts = sorted({o.start for o in options})
        for start in starts:
            for m in mine:
                if not apart(start, start + d, m.start, m.end, event.changeover_minutes):
                    self.by_start[start].append(_Block((stays[m.request], Cause(names.ONE_PLACE_AT_A_TIME))))
        for blocks, option in zip(self.by_option, options, strict=True):
            for m in self.meetings:
                if m.room == option.room and not apart(
                    option.start, option.start + d, m.start, m.end, event.room_turnover_minutes
                ):
                    blocks.append(_Block((stays[m.request], Cause(names.ROOM_USE))))
        self._daily_load(stays, starts)
        self._interpreters(stays, starts)

    def _daily_load(self, stays: dict[str, Cause], starts: list[int]) -> None:
        for party in self.request.parties:
            limit = self.conference.delegation(party).max_meetings_per_day
            if limit is None:
                continue
            for day in self.conference.event.days:
                theirs = tuple(
                    stays[m.request] for m in self.meetings if party in m.parties and day.start <= m.start < day.end
                )
                if len(theirs) >= limit:
                    for s in (s for s in starts if day.start <= s < day.end):
                        self.by_start[s].append(_Block((Cause(names.DAILY_LOAD),), theirs, limit))

    def _interpreters(self, stays: dict[str, Cause], starts: list[int]) -> None:
        teams = self.conference.event.interpreter_teams
        if teams is None or not needs_interpretation(self.conference, self.request):
            return
        interpreting = [
            m for m in self.meetings if needs_interpretation(self.conference, self.conference.request(m.request))
        ]
        d = self.request.duration
        for start in starts:
            running = [m for m in interpreting if m.start < start + d and start < m.end]
            for instant in sorted({start} | {m.start for m in running if m.start > start}):
                at_once = tuple(stays[m.request] for m in running if m.start <= instant < m.end)
                if len(at_once) >= teams:
                    self.by_start[start].append(_Block((Cause(names.INTERPRETERS),), at_once, teams))

    def fits(self, held: Iterable[Cause], lifted: Cause | None = None) -> _Option | None:
        """An option that no block closes when the causes `held` (and the background but `lifted`) hold."""
        held = frozenset([*held, *self.background]) - {lifted}
        for blocks, option in zip(self.blocks, self.options, strict=True):
            if not any(b.closes(held) for b in blocks):
                return option
        return None

    def solve(
        self, assumed: Iterable[Cause], seconds: float = 5.0, lifted: Cause | None = None
    ) -> tuple[int, cp_model.CpSolver]:
        """CP-SAT on the model with the causes `assumed` (and the background but `lifted`) as assumptions."""
        self.model.clear_assumptions()
        held = [c for c in dict.fromkeys([*assumed, *self.background]) if c != lifted]
        self.model.add_assumptions([self.lits[c] for c in held])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # assumptions are only reported by a single worker
        solver.parameters.max_time_in_seconds = seconds
        return solver.solve(self.model), solver

    def option_of(self, solver: cp_model.CpSolver) -> _Option:
        return next(o for x, o in zip(self.x, self.options, strict=True) if solver.value(x))


def _options(conference: Conference, request: Request, freeze: int | None) -> list[_Option]:
    """Every room and grid start inside the day hours, with the rules about the meeting alone that close it
    (from the rule registry's placement steps, split by party, programme item and room for their words)."""
    starts = day_hours_and_grid(conference, request, every_minute(conference, request))
    need = Need(conference, request, needs_interpretation(conference, request), max_level(conference, request))
    closed: dict[tuple[str, int], list[Cause]] = {(r.id, s): [] for r in conference.rooms for s in starts}
    steps = placement_rules()
    for step in steps.rooms:
        for room in conference.rooms:
            if not step.keeps(need, room):
                for s in starts:
                    closed[room.id, s].append(Cause(step.rule, room.id))
    for step in steps.times:
        if step.rule == names.DAY_HOURS_AND_GRID:
            continue  # the frame of the options
        for cause, kept in _time_causes(conference, request, step, starts):
            for s in set(starts) - set(kept):
                for room in conference.rooms:
                    closed[room.id, s].append(cause)
    for step in steps.room_times:
        for room in conference.rooms:
            kept = set(step.keeps(conference, room, request.duration, starts))
            for s in starts:
                if s not in kept:
                    closed[room.id, s].append(Cause(step.rule, room.id))
    if freeze is not None:
        for (_, s), causes in closed.items():
            if s < freeze:
                causes.append(Cause("history"))
    return [_Option(room, s, causes) for (room, s), causes in closed.items()]


def _time_causes(
    conference: Conference, request: Request, step: TimeStep, starts: list[int]
) -> list[tuple[Cause, list[int]]]:
    """A rule about time, split where its words can be finer: presence by party and the request's window,
    the programme by item."""
    if step.rule == names.PRESENCE:
        alone = [(p, dataclasses.replace(request, parties=(p,), window=None)) for p in request.parties]
        out = [(Cause(step.rule, p), step.keeps(conference, r, starts)) for p, r in alone]
        if request.window is not None:
            out.append(
                (Cause(step.rule, ""), [s for s in starts if inside_union(request.window, s, s + request.duration)])
            )
        return out
    if step.rule == names.ONE_PLACE_AT_A_TIME:
        attended = [p for p in conference.programme if p.attendees & set(request.parties)]
        return [
            (
                Cause(step.rule, f"programme:{item.id}"),
                step.keeps(dataclasses.replace(conference, programme=(item,), _index={}), request, starts),
            )
            for item in attended
        ]
    return [(Cause(step.rule), step.keeps(conference, request, starts))]


# --- finding and confirming the causes ---------------------------------------------------------------------


def explain(
    conference: Conference,
    meetings: Iterable[Meeting],
    request_id: str,
    where: dict[str, Placement] | None = None,
    freeze: int | None = None,
    seconds: float = 5.0,
) -> Explanation:
    """Why `request_id` is not among `meetings` (a valid schedule of `conference`), confirmed by solves, and
    what would let it in. `where`: the placements, if already computed; `freeze`: the minute before which
    a re-plan placed nothing new."""
    deadline = time.monotonic() + seconds
    request = conference.request(request_id)
    meetings = [m for m in meetings if m.request != request_id]
    where = where if where is not None else placements(conference, placement_rules())
    placement = where[request_id]
    if not placement.possible and placement.rule != "history":
        return Explanation(request_id, True, (Cause(placement.rule),), placement.reason, placement.party_reason)
    forced = _ForcedIn(conference, request, meetings, freeze)
    everything = _ranked(forced.causes, request)
    status, solver = forced.solve(everything, _left(deadline))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        option = forced.option_of(solver)
        words = f"it still fits at {_when(conference, option.start)} in {conference.room(option.room).name}"
        return Explanation(request_id, True, (), words + "; the solver did not reach it in time", words)
    if status != cp_model.INFEASIBLE:
        raise TimeoutError("no answer in time")
    core = _whole(forced, everything, _minimal(forced, everything, solver, deadline), deadline)
    words = _Words(conference, request, meetings, core)
    what_ifs = _what_ifs(_Case(conference, request, meetings, where, forced, core, freeze, deadline))
    return Explanation(request_id, True, tuple(core), words.office(), words.party(), tuple(what_ifs))


def explain_all(
    conference: Conference,
    meetings: Iterable[Meeting],
    where: dict[str, Placement],
    seconds: float,
    freeze: int | None = None,
) -> dict[str, Explanation]:
    """The explanation of every request not in `meetings`, in input order, as far as `seconds` allow (the
    requests not reached are left out of the answer)."""
    deadline = time.monotonic() + seconds
    meetings = list(meetings)
    held = {m.request for m in meetings}
    out = {}
    for request in conference.requests:
        if request.id in held:
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            out[request.id] = explain(conference, meetings, request.id, where, freeze, left)
        except TimeoutError:
            break
    return out


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the time for explanations is spent")
    return left


def _ranked(causes: list[Cause], request: Request) -> list[Cause]:
    """Causes in the order deletion tries them: the least telling first, so that a minimal set keeps, where
    it can, a party's own time and the meetings that fill it (as an officer would put it)."""

    return sorted(causes, key=_rank)


TELLING = 2  # the rank of a party's own time and the meetings in it


def _rank(c: Cause) -> int:
    if c.rule in (names.INTERPRETERS, names.DAILY_LOAD, names.ROOM_USE) and c.meeting is None:
        return 0
    if c.meeting is not None:
        return 3
    return TELLING if c.rule == names.ONE_PLACE_AT_A_TIME and not c.subject else 1


def _minimal(forced: _ForcedIn, everything: list[Cause], solver: cp_model.CpSolver, deadline: float) -> list[Cause]:
    """A minimal set of causes that keeps the request out: CP-SAT's sufficient set, shrunk by deletion (each
    cause dropped in turn, for good while the rest still keeps the request out, judged on the same blocks as
    the model), then confirmed by CP-SAT: the set keeps the request out. Without any one of its causes the
    request fits (that is how deletion kept it)."""
    by_index = {forced.lits[c].index: c for c in everything}
    # with presolve on, the answer may name literals that were not assumptions (or-tools issue 5141)
    sufficient = {by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index}
    # the sufficient set, with the telling causes added back so that deletion may prefer them to what CP-SAT
    # happened to name (a shared party's time over the room it also fills)
    core = [c for c in everything if c in sufficient or _rank(c) >= TELLING]
    if not sufficient or forced.fits(core) is not None:
        core = everything  # the sufficient set did not hold on its own: start from all of them
    for cause in list(core):
        rest = [c for c in core if c != cause]
        if forced.fits(rest) is None:
            core = rest
    # deletion kept a cause only where dropping it let the request fit; CP-SAT confirms the whole set
    status = forced.solve(core, _left(deadline))[0]
    if status != cp_model.INFEASIBLE:
        # no verdict in the time left (or, never seen, a disagreement): the reason stays unconfirmed
        raise TimeoutError(f"{forced.request.id}: the causes were not confirmed ({status})")
    return core


def _family(cause: Cause) -> bool:
    """A rule between meetings as a whole: it holds while the meetings and party rules named are lifted."""
    return cause.rule in BETWEEN_MEETINGS and not cause.subject and cause.meeting is None


def _whole(forced: _ForcedIn, everything: list[Cause], core: list[Cause], deadline: float) -> list[Cause]:
    """A minimal set names one thing that keeps the request out, but there may be several, each enough on
    its own (A's time taken by one meeting, C's by another). While lifting every meeting and party rule
    named so far still leaves the request out, add a minimal set of what is left; then CP-SAT confirms that
    lifting all of them (the rules between meetings still holding) lets the request in."""
    while True:
        named = {c for c in core if not _family(c)}
        held = [c for c in everything if c not in named]
        if forced.fits(held) is not None:
            break
        status, solver = forced.solve(held, _left(deadline))
        if status != cp_model.INFEASIBLE:
            raise TimeoutError(f"{forced.request.id}: no verdict on the further causes ({status})")
        more = [c for c in _minimal(forced, held, solver, deadline) if c not in core]
        if not any(not _family(c) for c in more):
            return core + more  # only rules as a whole are left (a daily limit of 0): nothing more to lift
        core = core + more
    if forced.solve(held, _left(deadline))[0] not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise TimeoutError(f"{forced.request.id}: lifting the causes named was not confirmed to let it in")
    return core


# --- words ---------------------------------------------------------------------------------------------------


def _when(conference: Conference, minute: int) -> str:
    moment = conference.clock.to_datetime(minute)
    return f"{moment.day} {moment:%b %H:%M}"


def _span(conference: Conference, start: int, end: int) -> str:
    a, b = conference.clock.to_datetime(start), conference.clock.to_datetime(end)
    return (
        f"{_when(conference, start)}–{b:%H:%M}"
        if a.date() == b.date()
        else f"{_when(conference, start)}–{_when(conference, end)}"
    )


def _windows(conference: Conference, windows: Iterable[Window]) -> str:
    return join([_span(conference, w.start, w.end) for w in windows])


class _Words:
    """The confirmed causes as the office reads them, and as the request's parties may."""

    def __init__(self, conference: Conference, request: Request, meetings: list[Meeting], core: list[Cause]):
        self.conference, self.request, self.core = conference, request, core
        self.meetings = {m.request: m for m in meetings}
        self.rules = {c.rule for c in core if not c.subject and c.meeting is None}

    def _static(self, party_safe: bool) -> list[str]:
        conf, out = self.conference, []
        closed: list[str] = []  # rooms shut by their hours or the programme (room suitability is background)
        for c in self.core:
            if c.meeting is not None or c.rule in BETWEEN_MEETINGS and not c.subject:
                continue
            if c.rule == names.PRESENCE and c.subject:
                windows = conf.delegation(c.subject).available or ()
                out.append(f"{c.subject} is available only {_windows(conf, windows)}")
            elif c.rule == names.PRESENCE:
                out.append(f"its requested window is {_windows(conf, self.request.window or ())}")
            elif c.subject.startswith("programme:"):
                item = next(p for p in conf.programme if p.id == c.subject.removeprefix("programme:"))
                who = sorted(item.attendees & set(self.request.parties))
                verb = "attends" if len(who) == 1 else "attend"
                out.append(f"{join(who)} {verb} {item.title} ({_span(conf, item.start, item.end)})")
            elif c.rule == "history":
                out.append("what was held before the re-plan's freeze is kept, and nothing new goes before it")
            elif c.subject:
                closed.append(conf.room(c.subject).name)
            else:
                out.append(_rule_alone(conf, self.request, c.rule))
        if closed:
            rooms = "the other rooms" if party_safe and len(closed) > 3 else join(sorted(closed))
            out.append(f"{rooms} are closed or held by the programme then")
        return out

    def _in_the_way(self) -> dict[str, list[str]]:
        """The meetings in the way, by how they are: a shared party's time ("BLR"), the rooms ("@rooms"),
        a daily limit ("@daily"), the interpreters ("@teams")."""
        out: dict[str, list[str]] = defaultdict(list)
        for rid in (c.meeting for c in self.core if c.meeting is not None):
            m = self.meetings[rid]
            shared = sorted(set(m.parties) & set(self.request.parties))
            if shared and names.ONE_PLACE_AT_A_TIME in self.rules:
                out[join(shared)].append(rid)
            elif names.ROOM_USE in self.rules:
                out["@rooms"].append(rid)
            elif names.DAILY_LOAD in self.rules and shared:
                limited = [p for p in shared if self.conference.delegation(p).max_meetings_per_day is not None]
                out[f"@daily:{join(limited or shared)}"].append(rid)
            else:
                out["@teams"].append(rid)
        return out

    def _listed(self, ids: list[str]) -> str:
        requests = sorted((self.conference.request(i) for i in ids), key=lambda r: (-r.priority, r.id))
        first, *rest = requests
        words = [f"{first.id} (priority {first.priority}) at {self._at(first.id)}"]
        words += [f"{r.id} ({r.priority}) at {self._at(r.id)}" for r in rest[:5]]
        more = f" and {len(rest) - 5} more" if len(rest) > 5 else ""
        return join(words) + more if not more else ", ".join(words) + more

    def _at(self, rid: str) -> str:
        m = self.meetings[rid]
        return _span(self.conference, m.start, m.end)

    def _no_meetings_a_day(self) -> list[str]:
        """A daily limit of 0 keeps a delegation out of every meeting, with no meeting in the way."""
        if names.DAILY_LOAD not in self.rules or any(k.startswith("@daily:") for k in self._in_the_way()):
            return []
        parties = [p for p in self.request.parties if self.conference.delegation(p).max_meetings_per_day == 0]
        return [f"{p} has max_meetings_per_day=0" for p in parties]

    def office(self) -> str:
        parts = self._static(False) + self._no_meetings_a_day()
        for who, ids in self._in_the_way().items():
            if who == "@rooms":
                rooms = join(sorted({self.conference.room(self.meetings[i].room).name for i in ids}))
                parts.append(f"the rooms that could host it then ({rooms}) are taken by {self._listed(ids)}")
            elif who.startswith("@daily:"):
                party = who.removeprefix("@daily:")
                limit = self.conference.delegation(party.split(" and ")[0]).max_meetings_per_day
                parts.append(f"{party} already has max_meetings_per_day={limit} with {self._listed(ids)}")
            elif who == "@teams":
                teams = self.conference.event.interpreter_teams
                parts.append(f"all {teams} interpreter teams are busy with {self._listed(ids)}")
            else:
                parts.append(f"{who}'s time is taken by {self._listed(ids)}")
        return "; ".join(parts) if parts else "no time and room is left for it"

    def party(self) -> str:
        parts = self._static(True) + [
            w.replace("max_meetings_per_day=0", "no meetings a day") for w in self._no_meetings_a_day()
        ]
        kinds = self._in_the_way()
        for who in kinds:
            if who == "@rooms":
                parts.append("no suitable room is free when the parties are")
            elif who.startswith("@daily:"):
                party = who.removeprefix("@daily:")
                limit = self.conference.delegation(party.split(" and ")[0]).max_meetings_per_day
                parts.append(f"{party} has reached its limit of {limit} meetings a day")
            elif who == "@teams":
                parts.append("the interpreters are all busy when the parties are free")
            else:
                parts.append(f"{who}'s time is already taken")
        return "; ".join(dict.fromkeys(parts)) if parts else "no time and room could be found for it"


def _rule_alone(conference: Conference, request: Request, rule: str) -> str:
    if rule == names.PINNED and request.fixed_start is not None:
        return f"it is pinned at {_when(conference, request.fixed_start)}"
    if rule == names.INTERPRETERS:
        return "it needs interpretation and there are no interpreter teams"
    return f"rule {rule}"


# --- what-ifs -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Case:
    """Everything a what-if looks at: the request left out of the schedule, and the causes found."""

    conference: Conference
    request: Request
    meetings: list[Meeting]
    where: dict[str, Placement]
    forced: _ForcedIn
    core: list[Cause]
    freeze: int | None
    deadline: float


def _what_ifs(case: _Case) -> list[WhatIf]:
    out = []
    for find in (_displace, _shorter, _available_longer, _other_room):
        try:
            found = find(case)
        except TimeoutError:
            break
        if found is not None:
            out.append(found)
    return out


def _valid(conference: Conference, meetings: list[Meeting]) -> bool:
    """The independent validator's verdict on a schedule of these meetings (the figures recomputed)."""
    clock = conference.clock
    held = {m.request for m in meetings}
    value = figures.scheduled_priority(conference, meetings)
    document = {
        "status": "feasible",
        "scheduled_priority": value,
        "upper_bound": value,
        "preferred_met": figures.preferred_met(conference, meetings),
        "breaks": figures.breaks(conference, meetings),
        "meetings": [
            {
                "request": m.request,
                "parties": list(m.parties),
                "room": m.room,
                "start": clock.to_iso(m.start),
                "end": clock.to_iso(m.end),
            }
            for m in meetings
        ],
        "unscheduled": [{"request": r.id, "reason": "-"} for r in conference.requests if r.id not in held],
    }
    return check_schedule(conference, document).ok


def _placed(request: Request, option: _Option) -> Meeting:
    return Meeting(request.id, request.parties, option.room, option.start, option.start + request.duration)


def _displace(case: _Case) -> WhatIf | None:
    """The cheapest meetings to drop so that the request fits (every rule kept), then each dropped meeting
    re-placed elsewhere if it still fits: confirmed by the validator."""
    if not any(c.meeting for c in case.core):
        return None
    # a mandatory or pinned meeting stays (it may move, never go), and so does what has been held
    held = {m.request for m in case.meetings if case.freeze is not None and m.start < case.freeze}
    fixed = [
        c
        for c in case.forced.causes
        if c.meeting is None or case.conference.request(c.meeting).must_happen or c.meeting in held
    ]
    stays = {c: case.forced.lits[c] for c in case.forced.causes if c not in fixed}
    case.forced.model.minimize(sum(case.conference.request(c.meeting).priority * (1 - lit) for c, lit in stays.items()))
    status, solver = case.forced.solve(fixed, _left(case.deadline))
    case.forced.model.clear_objective()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    option = case.forced.option_of(solver)
    dropped = [c.meeting for c, lit in stays.items() if not solver.value(lit)]
    kept = [m for m in case.meetings if m.request not in dropped] + [_placed(case.request, option)]
    where = {m.request: case.where[m.request] for m in kept}
    where.update({rid: _after(case.where[rid], case.freeze) for rid in dropped})
    again = greedy_schedule(case.conference, where, placed=kept)
    if not _valid(case.conference, again):
        return None
    lost = [rid for rid in dropped if rid not in {m.request for m in again}]
    moved = [m for m in again if m.request in dropped]
    cost = sum(case.conference.request(rid).priority for rid in lost)
    at = f"{_when(case.conference, option.start)} in {case.conference.room(option.room).name}"
    moves = join(
        [f"{m.request} to {_when(case.conference, m.start)} in {case.conference.room(m.room).name}" for m in moved]
        or [""]
    )
    if not lost:
        office = f"moving {moves} would place it at {at} at no cost"
        return WhatIf(office, f"it could be placed at {at} if another meeting moved")
    listed = join([f"{rid} ({case.conference.request(rid).priority})" for rid in lost])
    verdict = "worth it" if cost < case.request.priority else "not worth it"
    office = (
        f"placing it at {at} would displace {listed}"
        + (f" (and move {moves})" if moved else "")
        + f": a cost of {cost} for its priority {case.request.priority}, {verdict}"
    )
    return WhatIf(office, None)


def _after(placement: Placement, freeze: int | None) -> Placement:
    """A placement cut to the starts from `freeze` on (a re-plan places nothing new before it)."""
    return placement if freeze is None else placement.narrowed(lambda room, s: s >= freeze)


def _shorter(case: _Case) -> WhatIf | None:
    """The longest duration below the requested one that fits the schedule as it stands."""
    slot = case.conference.event.slot_minutes
    for duration in range(case.request.duration - slot, slot - 1, -slot):
        shorter = dataclasses.replace(case.request, duration=duration)
        changed = _with_request(case.conference, shorter)
        trial = _ForcedIn(changed, shorter, case.meetings, case.freeze)
        status, solver = trial.solve(list(trial.lits), _left(case.deadline))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            option = trial.option_of(solver)
            if not _valid(changed, [*case.meetings, _placed(shorter, option)]):
                return None
            words = (
                f"at {duration} min instead of {case.request.duration} it would fit at "
                f"{_when(case.conference, option.start)} in {case.conference.room(option.room).name}"
            )
            return WhatIf(words, words)
    return None


def _with_request(conference: Conference, request: Request) -> Conference:
    requests = tuple(request if r.id == request.id else r for r in conference.requests)
    return dataclasses.replace(conference, requests=requests, _index={})


def _available_longer(case: _Case) -> WhatIf | None:
    """The smallest extension of one party's availability that lets the request in, the rest as it is."""
    best = None
    for cause in (c for c in case.core if c.rule == names.PRESENCE and c.subject):
        delegation = case.conference.delegation(cause.subject)
        others = [c for c in case.forced.causes if c != cause]
        outside = {}
        for x, o in zip(case.forced.x, case.forced.options, strict=True):
            outside[x] = _outside(delegation.available, o.start, o.start + case.request.duration)
        case.forced.model.minimize(sum(minutes * x for x, minutes in outside.items()))
        status, solver = case.forced.solve(others, _left(case.deadline))
        case.forced.model.clear_objective()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        option = case.forced.option_of(solver)
        extra = _outside(delegation.available, option.start, option.start + case.request.duration)
        if best is None or extra < best[0]:
            best = (extra, cause.subject, option)
    if best is None:
        return None
    extra, party, option = best
    delegation = case.conference.delegation(party)
    wider = merge_windows([*(delegation.available or ()), Window(option.start, option.start + case.request.duration)])
    changed = dataclasses.replace(
        case.conference,
        delegations=tuple(
            dataclasses.replace(d, available=wider) if d.id == party else d for d in case.conference.delegations
        ),
        _index={},
    )
    if not _valid(changed, [*case.meetings, _placed(case.request, option)]):
        return None
    words = (
        f"if {party} were available {_span(case.conference, option.start, option.start + case.request.duration)} "
        f"({extra} min more), it would fit then in {case.conference.room(option.room).name}"
    )
    return WhatIf(words, words)


def _outside(windows, start: int, end: int) -> int:
    """Minutes of [start, end) outside the windows (None: always available)."""
    if windows is None:
        return 0
    inside = sum(max(0, min(end, w.end) - max(start, w.start)) for w in windows)
    return (end - start) - inside


ROOM_CHANGES = {
    names.SEATS: lambda r, room: f"seated {r.seats}",
    names.FEATURES: lambda r, room: (
        "had what it needs (" + ", ".join(sorted(r.requires)) + ")" if r.requires else "had interpretation booths"
    ),
    names.PROTOCOL_LEVEL: lambda r, room: "were of a higher protocol level",
    names.ROOM_USE: lambda r, room: "were open then",
}


def _other_room(case: _Case) -> WhatIf | None:
    """One room's limit lifted (seats, features, level, hours) that lets the request in, the rest as it is."""
    candidates = [
        c for c in [*case.forced.background, *case.core] if c.rule in ROOM_CHANGES and c.subject and not c.meeting
    ]
    for cause in candidates:
        if case.forced.fits(case.forced.causes, lifted=cause) is None:
            continue  # cheap to rule out; a candidate that fits is then confirmed by CP-SAT and the validator
        status, solver = case.forced.solve(case.forced.causes, _left(case.deadline), lifted=cause)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            option = case.forced.option_of(solver)
            room = case.conference.room(cause.subject)
            changed = _room_lifted(case.conference, room, cause.rule, case.request, option)
            if not _valid(changed, [*case.meetings, _placed(case.request, option)]):
                continue
            words = (
                f"if {room.name} {ROOM_CHANGES[cause.rule](case.request, room)}, it would fit there at "
                f"{_when(case.conference, option.start)}"
            )
            return WhatIf(words, words)
    return None


def _room_lifted(conference: Conference, room: Room, rule: str, request: Request, option: _Option) -> Conference:
    """The conference with one room's limit lifted as the what-if says, for the validator to judge."""
    if rule == names.SEATS:
        lifted = dataclasses.replace(room, capacity=request.seats)
    elif rule == names.FEATURES:
        lifted = dataclasses.replace(room, features=room.features | request.requires | {"interpretation"})
    elif rule == names.PROTOCOL_LEVEL:
        lifted = dataclasses.replace(room, level=max_level(conference, request))
    else:
        hours = Window(option.start, option.start + request.duration)
        lifted = dataclasses.replace(
            room, available=None if room.available is None else merge_windows([*room.available, hours])
        )
    rooms = tuple(lifted if r.id == room.id else r for r in conference.rooms)
    return dataclasses.replace(conference, rooms=rooms, _index={})
