"""The schedule as it is written (its shape checked by the validator's own reader, every problem collected),
and its meetings as the rules see them (`Placed`), with what does not match the input.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from scheduler.check.report import OUTPUT, STATUSES, BadSchedule, Violation
from scheduler.check.wording import span
from scheduler.contract.domain import Conference, Request, Room
from scheduler.contract.problems import Problem


@dataclass(frozen=True)
class Entry:
    """A meeting as the schedule states it."""

    index: int
    request: str
    parties: tuple[str, ...]
    room: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Stated:
    status: str
    figures: dict[str, int]
    meetings: tuple[Entry, ...]
    unscheduled: tuple[tuple[str, str], ...]
    frozen_before: datetime | None = None  # a re-plan's: the meetings before it are history


class Reader:
    """Checks the shape of a schedule, collecting every problem before giving up."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def read(self, schedule: object) -> Stated:
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
        return Stated(status, figures, meetings, unscheduled, frozen)  # type: ignore[arg-type]

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

    def meeting(self, i: int, m: dict) -> Entry | None:
        path = f"meetings[{i}]"
        parties = self.value(m, "parties", list, f"{path}.parties") or []
        for j, party in enumerate(parties):
            if not isinstance(party, str):
                self.problem(f"{path}.parties[{j}]", f"expected a string, got {_shown(party)}")
        return Entry(
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


def resolve(conf: Conference, stated: Stated) -> tuple[list[Placed], list[Violation]]:
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
            message = f"{request.id} ({span(conf, start, end)}) lasts {end - start} min"
            problems.append(Violation(OUTPUT, f"{message}; the request is for {request.duration} min"))
        judged_end = max(end, start + request.duration)
        placed.append(Placed(e.index, request, e.room, rooms.get(e.room), start, judged_end))
    return placed, problems


def _offsets(conf: Conference, e: Entry, path: str) -> list[Violation]:
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


def coverage(conf: Conference, stated: Stated) -> list[Violation]:
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


def status_problems(stated: Stated, priority: int) -> list[Violation]:
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
