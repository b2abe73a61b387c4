"""The independent validator: does a schedule keep every rule of the contract, and are its figures right?

Written from the contract alone and sharing no code with the solver, so that a bug in the model cannot
hide itself by being repeated here. It reads the domain objects and the schedule as published
(`schedule.json`), and reports every problem as one line an officer can act on, named by rule. A typed
`ScheduleDocument` is checked as the JSON it writes, read by this module's own reader: the document model
is trusted for nothing the contract says.

Decisions where the contract leaves room:
- A meeting whose `end` is not `start + duration` is an "output" problem. The other rules then judge the
  span from `start` to the later of the stated end and `start + duration`, so a wrong end neither hides a
  clash the calendars show nor one the request needs.
- A time given with an offset other than the event's own at that instant is an "output" problem (the
  instant is still understood).
- `scheduled_priority` counts each scheduled request once, even if it is (wrongly) scheduled twice.
- `upper_bound` is compared with the recomputed priority: a proven bound below what the meetings are
  worth is false, and "optimal" means the bound is reached.
- Breaks: commitments that overlap are merged into one block (in a valid schedule only programme items
  can overlap); a block counts as a meeting when it contains one. Programme items are taken whole, not
  clipped to the day's hours.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import combinations, pairwise

from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference, Day, Delegation, ProgrammeItem, Request, Room, inside_union
from scheduler.contract.problems import Problem
from scheduler.contract.rule_names import (
    DAILY_LOAD,
    DAY_HOURS_AND_GRID,
    FEATURES,
    HOME_ROOMS,
    INTERPRETERS,
    ONCE,
    ONE_PLACE_AT_A_TIME,
    PINNED,
    PRESENCE,
    PROTOCOL_LEVEL,
    RESERVED_ROOMS,
    ROOM_USE,
    SEATS,
)

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


# --- reading the schedule -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """A meeting as the schedule states it."""

    index: int
    request: str
    parties: tuple[str, ...]
    room: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class _Stated:
    status: str
    figures: dict[str, int]
    meetings: tuple[_Entry, ...]
    unscheduled: tuple[tuple[str, str], ...]
    frozen_before: datetime | None = None  # a re-plan's: the meetings before it are history


class _Reader:
    """Checks the shape of a schedule, collecting every problem before giving up."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def read(self, schedule: object) -> _Stated:
        if not isinstance(schedule, dict):
            raise BadSchedule([Problem("", f"the schedule must be a JSON object, not {type(schedule).__name__}")])
        status = self.value(schedule, "status", str, "status")
        figures = {
            k: self.value(schedule, k, int, k) for k in ("scheduled_priority", "upper_bound", "preferred_met", "breaks")
        }
        meetings = tuple(self.meeting(i, m) for i, m in enumerate(self.items(schedule, "meetings")))
        unscheduled = tuple(self.unscheduled(i, u) for i, u in enumerate(self.items(schedule, "unscheduled")))
        frozen = self.moment(schedule, "frozen_before", "frozen_before") if "frozen_before" in schedule else None
        if self.problems:
            raise BadSchedule(self.problems)
        return _Stated(status, figures, meetings, unscheduled, frozen)  # type: ignore[arg-type]

    def value(self, obj: dict, key: str, kind: type, path: str):
        if key not in obj:
            self.problem(path, "is required")
            return None
        value = obj[key]
        # bool is an int in Python but not a number in JSON
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.problem(path, f"expected {_JSON_TYPE[kind]}, got {_shown(value)}")
            return None
        return value

    def items(self, obj: dict, key: str) -> list[dict]:
        values = self.value(obj, key, list, key) or []
        good = []
        for i, item in enumerate(values):
            if isinstance(item, dict):
                good.append(item)
            else:
                self.problem(f"{key}[{i}]", f"expected an object, got {_shown(item)}")
                good.append({})
        return good

    def meeting(self, i: int, m: dict) -> _Entry | None:
        path = f"meetings[{i}]"
        parties = self.value(m, "parties", list, f"{path}.parties") or []
        for j, party in enumerate(parties):
            if not isinstance(party, str):
                self.problem(f"{path}.parties[{j}]", f"expected a string, got {_shown(party)}")
        return _Entry(
            i,
            self.value(m, "request", str, f"{path}.request"),
            tuple(parties),
            self.value(m, "room", str, f"{path}.room"),
            self.moment(m, "start", f"{path}.start"),
            self.moment(m, "end", f"{path}.end"),
        )

    def unscheduled(self, i: int, u: dict) -> tuple[str, str]:
        path = f"unscheduled[{i}]"
        request = self.value(u, "request", str, f"{path}.request")
        return request, self.value(u, "reason", str, f"{path}.reason")

    def moment(self, obj: dict, key: str, path: str) -> datetime | None:
        text = self.value(obj, key, str, path)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.problem(path, f"not an ISO 8601 date and time: {text!r}")
            return None
        if moment.tzinfo is None:
            self.problem(path, f"{text!r} has no UTC offset")
        elif moment.second or moment.microsecond:
            self.problem(path, f"{text!r} has seconds; times are whole minutes")
        else:
            return moment
        return None


_JSON_TYPE = {str: "a string", int: "an integer", list: "a list", dict: "an object"}


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


# --- the meetings as the rules see them -------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """A meeting of a known request, in minutes; `room` is None when the schedule names an unknown room."""

    index: int
    request: Request
    room_id: str
    room: Room | None
    start: int
    end: int


def _resolve(conf: Conference, stated: _Stated) -> tuple[list[Placed], list[Violation]]:
    """Ties each meeting to its request and room and reports what does not match the input."""
    placed: list[Placed] = []
    problems: list[Violation] = []
    requests = {r.id: r for r in conf.requests}
    rooms = {r.id: r for r in conf.rooms}
    for e in stated.meetings:
        path = f"meetings[{e.index}]"
        problems += _offsets(conf, e, path)
        request = requests.get(e.request)
        if e.room not in rooms:
            problems.append(Violation(OUTPUT, f"{path} ({e.request!r}) names unknown room {e.room!r}"))
        if request is None:
            problems.append(Violation(OUTPUT, f"{path} names unknown request {e.request!r}"))
            continue
        start, end = conf.clock.to_minute(e.start), conf.clock.to_minute(e.end)
        if set(e.parties) != set(request.parties):
            problems.append(
                Violation(
                    OUTPUT,
                    f"{path} ({request.id}) lists parties {json.dumps(list(e.parties))}; "
                    f"the request is between {', '.join(request.parties)}",
                )
            )
        if end != start + request.duration:
            message = f"{request.id} ({_span(conf, start, end)}) lasts {end - start} min"
            problems.append(Violation(OUTPUT, f"{message}; the request is for {request.duration} min"))
        judged_end = max(end, start + request.duration)
        placed.append(Placed(e.index, request, e.room, rooms.get(e.room), start, judged_end))
    return placed, problems


def _offsets(conf: Conference, e: _Entry, path: str) -> list[Violation]:
    out = []
    for key, moment in (("start", e.start), ("end", e.end)):
        local = conf.clock.to_datetime(conf.clock.to_minute(moment))
        if moment.utcoffset() != local.utcoffset():
            out.append(
                Violation(
                    OUTPUT,
                    f"{path}.{key} {moment.isoformat()} is not in the event's local "
                    f"time (that instant is {local.isoformat()})",
                )
            )
    return out


def _coverage(conf: Conference, stated: _Stated) -> list[Violation]:
    """Every request is either in `meetings` or in `unscheduled` with a reason, never both."""
    out = []
    known = {r.id for r in conf.requests}
    scheduled = {e.request for e in stated.meetings}
    listed = Counter(rid for rid, _ in stated.unscheduled)
    for i, (rid, reason) in enumerate(stated.unscheduled):
        if rid not in known:
            out.append(Violation(OUTPUT, f"unscheduled[{i}] names unknown request {rid!r}"))
        elif rid in scheduled:
            out.append(Violation(OUTPUT, f"{rid} is both scheduled and listed as unscheduled"))
        if not reason.strip():
            out.append(Violation(OUTPUT, f"unscheduled[{i}] ({rid!r}) has no reason"))
    out += [
        Violation(OUTPUT, f"{rid} is listed {n} times as unscheduled")
        for rid, n in listed.items()
        if n > 1 and rid in known
    ]
    out += [
        Violation(OUTPUT, f"{r.id} is neither scheduled nor listed as unscheduled")
        for r in conf.requests
        if r.id not in scheduled and r.id not in listed
    ]
    return out


def _status(stated: _Stated, priority: int) -> list[Violation]:
    out = []
    bound = stated.figures["upper_bound"]
    if stated.status not in STATUSES:
        out.append(Violation(OUTPUT, f"status {stated.status!r} is not one of {', '.join(STATUSES)}"))
    if bound < priority:
        out.append(Violation(OUTPUT, f"upper_bound {bound} is below the {priority} the meetings are worth"))
    elif stated.status == "optimal" and bound != priority:
        out.append(
            Violation(
                OUTPUT, f"status is optimal but upper_bound {bound} differs from the {priority} the meetings are worth"
            )
        )
    return out


# --- wording ----------------------------------------------------------------------------------------


def _when(conf: Conference, minute: int) -> str:
    """'31 Oct 09:15' in the event's local time."""
    moment = conf.clock.to_datetime(minute)
    return f"{moment.day} {moment:%b %H:%M}"


def _span(conf: Conference, start: int, end: int) -> str:
    """'31 Oct 10:00-10:45', naming the end's date only when it differs."""
    first, last = conf.clock.to_datetime(start), conf.clock.to_datetime(end)
    until = f"{last:%H:%M}" if first.date() == last.date() else _when(conf, end)
    return f"{_when(conf, start)}-{until}"


def _day(day: Day) -> str:
    return f"{day.date.day} {day.date:%b}"


def _meeting(conf: Conference, m: Placed) -> str:
    return f"{m.request.id} ({_span(conf, m.start, m.end)})"


def _item(conf: Conference, p: ProgrammeItem) -> str:
    return f"programme item {p.id} ({_span(conf, p.start, p.end)})"


def _distance(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Idle minutes between two spans; negative is the length of their overlap."""
    return max(a_start, b_start) - min(a_end, b_end)


def _apart(distance: int) -> str:
    return f"overlap by {-distance} min" if distance < 0 else f"are {distance} min apart"


def _needs_interpretation(conf: Conference, request: Request) -> bool:
    """The parties share no language (a party with no languages shares none)."""
    common = frozenset.intersection(*(conf.delegation(p).languages for p in request.parties))
    return not common


# --- the rules --------------------------------------------------------------------------------------


def once(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """1. Each request is scheduled at most once; a mandatory one exactly once."""
    where: dict[str, list[int]] = defaultdict(list)
    for m in placed:
        where[m.request.id].append(m.index)
    out = [
        Violation(ONCE, f"{rid} is scheduled {len(ix)} times ({', '.join(f'meetings[{i}]' for i in ix)})")
        for rid, ix in where.items()
        if len(ix) > 1
    ]
    out += [
        Violation(ONCE, f"mandatory request {r.id} ({', '.join(r.parties)}) is not scheduled")
        for r in conf.requests
        if r.mandatory and r.id not in where
    ]
    return out


def day_hours_and_grid(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """2. A meeting lies inside one day's [start, end) and starts on that day's slot grid."""
    out = []
    slot = conf.event.slot_minutes
    for m in placed:
        day = conf.day_of(m.start, m.end)
        if day is None:
            message = f"{_meeting(conf, m)} lies outside every day's bilateral hours"
            out.append(Violation(DAY_HOURS_AND_GRID, message))
        elif (m.start - day.start) % slot:
            opening = conf.clock.to_datetime(day.start)
            message = f"{_meeting(conf, m)} is off the {slot}-minute grid of {_day(day)} from {opening:%H:%M}"
            out.append(Violation(DAY_HOURS_AND_GRID, message))
    return out


def presence(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """3. A meeting lies inside every party's available windows and the request's windows."""
    out = []
    for m in placed:
        for party in m.request.parties:
            if not inside_union(conf.delegation(party).available, m.start, m.end):
                message = f"{_meeting(conf, m)} falls outside the hours {party} is available"
                out.append(Violation(PRESENCE, message))
        if not inside_union(m.request.window, m.start, m.end):
            out.append(Violation(PRESENCE, f"{_meeting(conf, m)} falls outside the request's time windows"))
    return out


def one_place_at_a_time(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """4. A meeting and any other commitment of one of its parties are apart by at least the changeover."""
    out = []
    need = conf.event.changeover_minutes
    for d in conf.delegations:
        own = [m for m in placed if d.id in m.request.parties]
        for a, b in combinations(own, 2):
            gap = _distance(a.start, a.end, b.start, b.end)
            if gap < need:
                message = f"{_meeting(conf, a)} and {_meeting(conf, b)} of {d.id} {_apart(gap)}"
                out.append(Violation(ONE_PLACE_AT_A_TIME, f"{message}; the changeover is {need} min"))
        for m in own:
            for p in conf.programme_of(d.id):
                gap = _distance(m.start, m.end, p.start, p.end)
                if gap < need:
                    message = (
                        f"{_meeting(conf, m)} and {_item(conf, p)} attended by {d.id} {_apart(gap)}; "
                        f"the changeover is {need} min"
                    )
                    out.append(Violation(ONE_PLACE_AT_A_TIME, message))
    return out


def room_use(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """5. Meetings in one room, and programme items held there, are apart by the turnover; rooms are open."""
    out = []
    need = conf.event.room_turnover_minutes
    by_room: dict[str, list[Placed]] = defaultdict(list)
    for m in placed:
        by_room[m.room_id].append(m)
    for a, b in (pair for same in by_room.values() for pair in combinations(same, 2)):
        gap = _distance(a.start, a.end, b.start, b.end)
        if gap < need:
            out.append(
                Violation(
                    ROOM_USE,
                    f"{_meeting(conf, a)} and {_meeting(conf, b)} in room {a.room_id} "
                    f"{_apart(gap)}; the room turnover is {need} min",
                )
            )
    for m in placed:
        for p in (p for p in conf.programme if p.room == m.room_id):
            gap = _distance(m.start, m.end, p.start, p.end)
            if gap < need:
                out.append(
                    Violation(
                        ROOM_USE,
                        f"{_meeting(conf, m)} and {_item(conf, p)} held in room "
                        f"{m.room_id} {_apart(gap)}; the room turnover is {need} min",
                    )
                )
        if m.room is not None and not inside_union(m.room.available, m.start, m.end):
            message = f"{_meeting(conf, m)} falls outside the hours room {m.room_id} is available"
            out.append(Violation(ROOM_USE, message))
    return out


def seats(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """6. room.capacity >= seats (request seats, else the sum of the parties' sizes)."""
    return [
        Violation(SEATS, f"{_meeting(conf, m)} needs {m.request.seats} seats; room {m.room_id} seats {m.room.capacity}")
        for m in placed
        if m.room is not None and m.room.capacity < m.request.seats
    ]


def features(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """7. The room has every required feature, and interpretation when the parties share no language."""
    out = []
    for m in (m for m in placed if m.room is not None):
        missing = m.request.requires - m.room.features
        if missing:
            out.append(
                Violation(
                    FEATURES, f"{_meeting(conf, m)} requires {', '.join(sorted(missing))}, which room {m.room_id} lacks"
                )
            )
        if _needs_interpretation(conf, m.request) and "interpretation" not in m.room.features:
            message = (
                f"{_meeting(conf, m)}: {', '.join(m.request.parties)} share no language "
                f"and room {m.room_id} has no interpretation"
            )
            out.append(Violation(FEATURES, message))
    return out


def protocol_level(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """8. room.level >= the highest level among the parties."""
    out = []
    for m in (m for m in placed if m.room is not None):
        top = max((conf.delegation(p) for p in m.request.parties), key=lambda d: d.level)
        if m.room.level < top.level:
            out.append(
                Violation(
                    PROTOCOL_LEVEL,
                    f"{_meeting(conf, m)} is in room {m.room_id} of level "
                    f"{m.room.level}, below the level {top.level} of {top.id}",
                )
            )
    return out


def home_rooms(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """9. A meeting is held in the host's home room, else in one of the parties' home rooms."""
    out = []
    for m in placed:
        host = conf.delegation(m.request.host) if m.request.host else None
        if host is not None and host.home_room is not None:
            if m.room_id != host.home_room:
                out.append(
                    Violation(
                        HOME_ROOMS,
                        f"{_meeting(conf, m)} is in room {m.room_id}, not in host "
                        f"{host.id}'s home room {host.home_room}",
                    )
                )
            continue
        homes = _home_rooms(conf.delegation(p) for p in m.request.parties)
        if homes and m.room_id not in homes:
            message = (
                f"{_meeting(conf, m)} is in room {m.room_id}, not in a home room of its parties "
                f"({', '.join(sorted(homes))})"
            )
            out.append(Violation(HOME_ROOMS, message))
    return out


def _home_rooms(delegations: Iterable[Delegation]) -> set[str]:
    return {d.home_room for d in delegations if d.home_room is not None}


def daily_load(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """10. A delegation with max_meetings_per_day has at most that many meetings on each day."""
    out = []
    for d in (d for d in conf.delegations if d.max_meetings_per_day is not None):
        per_day: dict[int, list[Placed]] = defaultdict(list)
        for m in placed:
            day = conf.day_of(m.start, m.end)
            if day is not None and d.id in m.request.parties:
                per_day[day.index].append(m)
        for index, ms in sorted(per_day.items()):
            if len(ms) > d.max_meetings_per_day:
                day = conf.event.days[index]
                out.append(
                    Violation(
                        DAILY_LOAD,
                        f"{d.id} has {len(ms)} meetings on {_day(day)} "
                        f"({', '.join(m.request.id for m in ms)}); "
                        f"at most {d.max_meetings_per_day} a day",
                    )
                )
    return out


def interpreters(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """11. At no instant run more meetings needing interpretation than there are interpreter teams."""
    teams = conf.event.interpreter_teams
    if teams is None:
        return []
    needing = [m for m in placed if _needs_interpretation(conf, m.request)]
    moments = sorted({t for m in needing for t in (m.start, m.end)})
    crowded: list[tuple[int, int, tuple[str, ...]]] = []
    for t0, t1 in pairwise(moments):
        running = tuple(m.request.id for m in needing if m.start <= t0 and t1 <= m.end)
        if len(running) <= teams:
            continue
        # one line per stretch in which the same meetings run, not per elementary segment
        if crowded and crowded[-1][1] == t0 and crowded[-1][2] == running:
            crowded[-1] = (crowded[-1][0], t1, running)
        else:
            crowded.append((t0, t1, running))
    return [
        Violation(
            INTERPRETERS,
            f"{_span(conf, s, e)}: {len(ids)} meetings need interpretation at once "
            f"({', '.join(ids)}); interpreter teams: {teams}",
        )
        for s, e, ids in crowded
    ]


def pinned(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """12. A pinned request is scheduled exactly at its fixed start (and in its fixed room)."""
    out = []
    for r in (r for r in conf.requests if r.pinned):
        mine = [m for m in placed if m.request.id == r.id]
        if not mine:
            out.append(
                Violation(PINNED, f"pinned request {r.id} (fixed at {_when(conf, r.fixed_start)}) is not scheduled")
            )
        for m in mine:
            if m.start != r.fixed_start:
                out.append(
                    Violation(PINNED, f"{_meeting(conf, m)} is not at its fixed start {_when(conf, r.fixed_start)}")
                )
            if r.fixed_room is not None and m.room_id != r.fixed_room:
                out.append(
                    Violation(
                        PINNED, f"{_meeting(conf, m)} is in room {m.room_id}, not in its fixed room {r.fixed_room}"
                    )
                )
    return out


def reserved_rooms(conf: Conference, placed: list[Placed]) -> list[Violation]:
    """13. A room reserved for a delegation holds only meetings of which that delegation is a party."""
    return [
        Violation(
            RESERVED_ROOMS,
            f"{_meeting(conf, m)} is in room {m.room_id}, reserved for {m.room.reserved_for}, "
            f"which is not one of its parties ({', '.join(m.request.parties)})",
        )
        for m in placed
        if m.room is not None and m.room.reserved_for is not None and m.room.reserved_for not in m.request.parties
    ]


RULE_CHECKS = (
    once,
    day_hours_and_grid,
    presence,
    one_place_at_a_time,
    room_use,
    seats,
    features,
    protocol_level,
    home_rooms,
    daily_load,
    interpreters,
    pinned,
    reserved_rooms,
)


# --- the figures ------------------------------------------------------------------------------------


def count_breaks(conference: Conference, meetings: list[tuple[str, tuple[str, ...], int, int]]) -> int:
    """Breaks as the contract defines them; meetings are (request id, parties, start, end) in minutes."""
    return sum(_breaks_of(conference, d, meetings) for d in conference.delegations)


def _breaks_of(conf: Conference, d: Delegation, meetings: list[tuple[str, tuple[str, ...], int, int]]) -> int:
    commitments = [(s, e, True) for _, parties, s, e in meetings if d.id in parties]
    commitments += [(p.start, p.end, False) for p in conf.programme_of(d.id)]
    need = conf.event.changeover_minutes + conf.event.slot_minutes
    total = 0
    for day in conf.event.days:
        blocks = _blocks([c for c in commitments if c[0] < day.end and c[1] > day.start])
        total += sum(1 for a, b in pairwise(blocks) if (a[2] or b[2]) and b[0] - a[1] >= need)
    return total


def _blocks(commitments: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """Time-ordered, with overlapping commitments merged; a block is a meeting if it holds one."""
    blocks: list[tuple[int, int, bool]] = []
    for start, end, is_meeting in sorted(commitments):
        if blocks and start < blocks[-1][1]:
            s, e, m = blocks[-1]
            blocks[-1] = (s, max(e, end), m or is_meeting)
        else:
            blocks.append((start, end, is_meeting))
    return blocks


def _figures(conf: Conference, placed: list[Placed]) -> tuple[int, int, int]:
    """(scheduled_priority, preferred_met, breaks) recomputed; a request scheduled twice counts once."""
    first = {m.request.id: m for m in reversed(placed)}
    priority = sum(m.request.priority for m in first.values())
    preferred = sum(
        m.request.priority
        for m in first.values()
        if m.request.preferred is not None and inside_union(m.request.preferred, m.start, m.end)
    )
    breaks = count_breaks(conf, [(m.request.id, m.request.parties, m.start, m.end) for m in placed])
    return priority, preferred, breaks


def _figure_violations(stated: _Stated, recomputed: dict[str, int]) -> list[Violation]:
    return [
        Violation(FIGURES, f"{key} is reported as {stated.figures[key]} but the meetings give {value}")
        for key, value in recomputed.items()
        if stated.figures[key] != value
    ]


# --- entry points -----------------------------------------------------------------------------------


def check_schedule(conference: Conference, schedule: ScheduleDocument | dict) -> CheckReport:
    """Every violation of the contract by a schedule (a document, or schedule.json's content as a dict);
    raises BadSchedule on a wrong shape."""
    if isinstance(schedule, ScheduleDocument):
        schedule = schedule.model_dump(mode="json")  # judged as the JSON it writes, by the reader below
    stated = _Reader().read(schedule)
    placed, violations = _resolve(conference, stated)
    violations += _coverage(conference, stated)
    priority, preferred, breaks = _figures(conference, placed)
    violations += _status(stated, priority)
    broken = [v for rule in RULE_CHECKS for v in rule(conference, placed)]
    held = _history(conference, placed, stated.frozen_before)
    violations += [v for v in broken if v not in held]
    recomputed = {"scheduled_priority": priority, "preferred_met": preferred, "breaks": breaks}
    violations += _figure_violations(stated, recomputed)
    return CheckReport(tuple(violations), priority, preferred, breaks, tuple(v for v in broken if v in held))


def _history(conf: Conference, placed: list[Placed], frozen_before: datetime | None) -> set[Violation]:
    """The violations that the meetings held before `frozen_before` commit among themselves, judged as if
    they were the whole schedule of their own requests: the same words then mean the same fault, which no
    meeting after the freeze takes part in."""
    if frozen_before is None:
        return set()
    cut = conf.clock.to_minute(frozen_before)
    held = [p for p in placed if p.start < cut]
    requests = tuple({p.request.id: p.request for p in held}.values())
    alone = replace(conf, requests=requests, _index={})
    return {v for rule in RULE_CHECKS for v in rule(alone, held)}


def check_schedule_text(conference: Conference, text: str | bytes) -> CheckReport:
    """Like `check_schedule`, from the text of a schedule file."""
    try:
        schedule = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadSchedule([Problem("", f"not valid JSON: {exc}")]) from None
    return check_schedule(conference, schedule)
