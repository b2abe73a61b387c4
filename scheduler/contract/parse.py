"""Reading an input file: JSON text in, a checked `Conference` out, or every problem with its JSON path."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from scheduler.contract.domain import (
    Clock,
    Conference,
    Day,
    Delegation,
    Event,
    ProgrammeItem,
    Request,
    Room,
    Window,
    merge_windows,
)
from scheduler.contract.input_model import ScheduleInput, WindowIn
from scheduler.contract.problems import Problem, json_path
from scheduler.contract.strict_json import NotStrictJson, strict_loads

__all__ = ["BadInput", "Problem", "load_conference"]


class BadInput(Exception):
    """The input file breaks the contract; `problems` says where and how."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _pydantic_problems(error: ValidationError) -> list[Problem]:
    problems = []
    for e in error.errors():
        loc = [p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        message = e["msg"]
        if e["type"] == "missing":
            message = "is required"
        elif e["type"] == "extra_forbidden":
            message = "unknown key"
        elif "input" in e and e["type"] not in ("model_type",):
            message = f"{message} (got {_shown(e['input'])})"
        problems.append(Problem(json_path(loc), message))
    return problems


def load_conference(text: str | bytes) -> Conference:
    """Parse and check an input file's text; raise `BadInput` listing every problem found."""
    try:
        raw = strict_loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput([Problem("", f"not valid JSON: {exc}")]) from None
    except NotStrictJson as exc:  # NaN, 1e400, an unpaired surrogate: JSON that no writer could give back
        raise BadInput([Problem(json_path(p.path), f"not valid JSON: {p.message}") for p in exc.problems]) from None
    if not isinstance(raw, dict):
        raise BadInput([Problem("", f"the file must hold a JSON object, not {type(raw).__name__}")])
    try:
        model = ScheduleInput.model_validate(raw)
    except ValidationError as exc:
        raise BadInput(_pydantic_problems(exc)) from None
    return _Builder(model).build()


class _Builder:
    """Cross-field checks and conversion to minutes; collects problems instead of stopping at the first."""

    def __init__(self, model: ScheduleInput):
        self.model = model
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def build(self) -> Conference:
        m = self.model
        self._check_unique_ids()
        # With an unknown zone, read times as UTC so that the other problems are still reported.
        zone = self._zone() or ZoneInfo("UTC")
        days_local = self._days_local(zone)
        if not days_local:
            raise BadInput(self.problems)
        origin = min(start for _, start, _ in days_local).astimezone(UTC)
        self.clock = Clock(zone.key, origin)
        self.zone = zone
        days = tuple(
            Day(i, d, self.clock.to_minute(s), self.clock.to_minute(e)) for i, (d, s, e) in enumerate(days_local)
        )
        room_ids = {r.id for r in m.rooms}
        delegation_ids = {d.id for d in m.delegations}
        event = Event(
            id=m.event.id or _slug(m.event.name),
            name=m.event.name,
            timezone=m.event.timezone,
            slot_minutes=m.event.slot_minutes,
            days=days,
            changeover_minutes=m.event.changeover_minutes,
            room_turnover_minutes=m.event.room_turnover_minutes,
            interpreter_teams=m.event.interpreter_teams,
        )
        programme = tuple(self._programme_item(i, p, room_ids, delegation_ids) for i, p in enumerate(m.programme))
        rooms = tuple(self._room(i, r, delegation_ids) for i, r in enumerate(m.rooms))
        delegations = tuple(self._delegation(i, d, room_ids) for i, d in enumerate(m.delegations))
        self._check_home_rooms_not_reserved(rooms, delegations)
        sizes = {d.id: d.size for d in m.delegations}
        requests = tuple(self._request(i, r, room_ids, delegation_ids, sizes, days) for i, r in enumerate(m.requests))
        if self.problems:
            raise BadInput(self.problems)
        return Conference(event, self.clock, programme, rooms, delegations, requests)

    # --- identity -------------------------------------------------------------------------------

    def _check_unique_ids(self) -> None:
        for list_name in ("programme", "rooms", "delegations", "requests"):
            seen: dict[str, int] = {}
            for i, item in enumerate(getattr(self.model, list_name)):
                key = item.id.lower()
                if key in seen:
                    self.problem(
                        f"{list_name}[{i}].id",
                        f"duplicate id {item.id!r} (same as {list_name}[{seen[key]}], ignoring case)",
                    )
                else:
                    seen[key] = i

    # --- time -----------------------------------------------------------------------------------

    def _zone(self) -> ZoneInfo | None:
        name = self.model.event.timezone
        try:
            if not name or name != name.strip() or name.startswith("/") or ".." in name:
                raise ValueError
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            self.problem("event.timezone", f"unknown time zone {name!r} (expected an IANA name such as 'Europe/Minsk')")
            return None

    def _local(self, path: str, day: date, clock_time: time) -> datetime | None:
        """An aware datetime for a local wall-clock time, or a problem if DST skips it."""
        local = datetime.combine(day, clock_time).replace(tzinfo=self.zone, fold=0)
        round_trip = local.astimezone(UTC).astimezone(self.zone)
        if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
            self.problem(path, f"local time {local:%Y-%m-%dT%H:%M} does not exist in {self.zone.key} (DST change)")
            return None
        return local

    def _datetime(self, path: str, text: str) -> int | None:
        try:
            naive = datetime.strptime(text, "%Y-%m-%dT%H:%M")
        except ValueError:
            self.problem(path, f"not a real date and time: {text!r}")
            return None
        local = self._local(path, naive.date(), naive.time())
        return None if local is None else self.clock.to_minute(local)

    def _days_local(self, zone: ZoneInfo) -> list[tuple[date, datetime, datetime]]:
        self.zone = zone
        out = []
        seen: dict[date, int] = {}
        for i, d in enumerate(self.model.event.days):
            path = f"event.days[{i}]"
            try:
                day = date.fromisoformat(d.date)
            except ValueError:
                self.problem(f"{path}.date", f"not a real date: {d.date!r}")
                continue
            if day in seen:
                self.problem(f"{path}.date", f"date {d.date} is listed twice (also event.days[{seen[day]}])")
                continue
            seen[day] = i
            times = []
            for key in ("start", "end"):
                text = getattr(d, key)
                try:
                    times.append(time.fromisoformat(text))
                except ValueError:
                    self.problem(f"{path}.{key}", f"not a real time of day: {text!r}")
            if len(times) != 2:
                continue
            start = self._local(f"{path}.start", day, times[0])
            end = self._local(f"{path}.end", day, times[1])
            if start is None or end is None:
                continue
            if end <= start:
                self.problem(f"{path}.end", f"{d.end} is not after the day's start {d.start}")
                continue
            out.append((day, start, end))
        return sorted(out, key=lambda t: t[1])

    def _span(self, path: str, start_text: str, end_text: str) -> tuple[int, int] | None:
        start = self._datetime(f"{path}.start", start_text)
        end = self._datetime(f"{path}.end", end_text)
        if start is None or end is None:
            return None
        if end <= start:
            self.problem(f"{path}.end", f"{end_text!r} is not after start {start_text!r}")
            return None
        return start, end

    def _windows(self, path: str, windows: list[WindowIn] | None) -> tuple[Window, ...] | None:
        if windows is None:
            return None
        spans = [self._span(f"{path}[{i}]", w.start, w.end) for i, w in enumerate(windows)]
        return merge_windows([Window(*s) for s in spans if s is not None])

    # --- the lists ------------------------------------------------------------------------------

    def _known(self, path: str, value: str | None, known: set[str], kind: str) -> None:
        if value is not None and value not in known:
            self.problem(path, f"unknown {kind} {value!r}")

    def _programme_item(self, i: int, p, room_ids: set[str], delegation_ids: set[str]) -> ProgrammeItem:
        path = f"programme[{i}]"
        span = self._span(path, p.start, p.end) or (0, 0)
        self._known(f"{path}.room", p.room, room_ids, "room")
        if p.attendees is None:
            attendees = frozenset(delegation_ids)
        else:
            for j, a in enumerate(p.attendees):
                self._known(f"{path}.attendees[{j}]", a, delegation_ids, "delegation")
            attendees = frozenset(p.attendees)
        return ProgrammeItem(p.id, p.title, span[0], span[1], attendees, p.room)

    def _room(self, i: int, r, delegation_ids: set[str]) -> Room:
        available = self._windows(f"rooms[{i}].available", r.available)
        self._known(f"rooms[{i}].reserved_for", r.reserved_for, delegation_ids, "delegation")
        return Room(r.id, r.name, r.capacity, frozenset(r.features), r.level, available, r.reserved_for)

    def _check_home_rooms_not_reserved(self, rooms: tuple[Room, ...], delegations: tuple[Delegation, ...]) -> None:
        """A delegation cannot receive its guests in a salon reserved for another delegation (rule 13)."""
        owners = {r.id: r.reserved_for for r in rooms if r.reserved_for is not None}
        for i, d in enumerate(delegations):
            owner = owners.get(d.home_room)
            if owner is not None and owner != d.id:
                self.problem(f"delegations[{i}].home_room", f"room {d.home_room!r} is reserved for {owner!r}")

    def _delegation(self, i: int, d, room_ids: set[str]) -> Delegation:
        path = f"delegations[{i}]"
        self._known(f"{path}.home_room", d.home_room, room_ids, "room")
        available = self._windows(f"{path}.available", d.available)
        return Delegation(
            d.id,
            d.name,
            d.head,
            d.level,
            d.size,
            frozenset(d.languages),
            available,
            d.max_meetings_per_day,
            d.home_room,
        )

    def _request(self, i: int, r, room_ids, delegation_ids, sizes, days: tuple[Day, ...]) -> Request:
        path = f"requests[{i}]"
        seen: set[str] = set()
        for j, party in enumerate(r.parties):
            self._known(f"{path}.parties[{j}]", party, delegation_ids, "delegation")
            if party in seen:
                self.problem(f"{path}.parties[{j}]", f"delegation {party!r} is listed twice")
            seen.add(party)
        if r.host is not None and r.host not in r.parties:
            self.problem(f"{path}.host", f"host {r.host!r} is not one of the parties")
        fixed_start = None
        fixed_room = None
        if r.fixed is not None:
            fixed_room = r.fixed.room
            self._known(f"{path}.fixed.room", fixed_room, room_ids, "room")
            fixed_start = self._datetime(f"{path}.fixed.start", r.fixed.start)
            if fixed_start is not None:
                self._check_on_grid(f"{path}.fixed.start", r.fixed.start, fixed_start, days)
        seats = r.seats if r.seats is not None else sum(sizes.get(p, 0) for p in r.parties)
        return Request(
            id=r.id,
            parties=tuple(r.parties),
            duration=r.duration_minutes,
            priority=r.priority,
            mandatory=r.mandatory,
            requires=frozenset(r.requires),
            seats=seats,
            window=self._windows(f"{path}.window", r.window),
            preferred=self._windows(f"{path}.preferred", r.preferred),
            fixed_start=fixed_start,
            fixed_room=fixed_room,
            host=r.host,
        )

    def _check_on_grid(self, path: str, text: str, start: int, days: tuple[Day, ...]) -> None:
        day = next((d for d in days if d.start <= start < d.end), None)
        if day is None:
            self.problem(path, f"{text!r} is outside every day's hours")
        elif (start - day.start) % self.model.event.slot_minutes:
            self.problem(
                path,
                f"{text!r} is off the {self.model.event.slot_minutes}-minute grid of {day.date} "
                f"(which starts at {self.clock.to_datetime(day.start):%H:%M})",
            )


def _slug(name: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    return slug[:64] or "event"
