"""A brute force over the raw input JSON, written from the contract alone.

It shares nothing with the package: it reads the JSON dict itself, converts local times with zoneinfo
into minutes since the Unix epoch, applies every rule of the contract in its own words, tries every room
and grid start of every request and keeps the best valid combination. The property tests compare the
solver with it, so a rule mis-read by both `scheduler.contract.parse`/`scheduler.contract.domain` and the
validator would still be caught here. Small instances only (a few requests).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Option:
    """One way to hold a request: its index, room id, start and end in minutes since the epoch, and day."""

    index: int
    room: str
    start: int
    end: int
    day: int


class Instance:
    """The raw JSON with the lookups the rules need; times in minutes since the epoch (UTC)."""

    def __init__(self, data: dict):
        self.data = data
        event = data["event"]
        self.zone = ZoneInfo(event["timezone"])
        self.slot = event.get("slot_minutes", 5)
        self.changeover = event.get("changeover_minutes", 0)
        self.turnover = event.get("room_turnover_minutes", 0)
        self.teams = event.get("interpreter_teams")
        self.days = [
            (self.minute(f"{d['date']}T{d['start']}"), self.minute(f"{d['date']}T{d['end']}")) for d in event["days"]
        ]
        self.rooms = {r["id"]: r for r in data["rooms"]}
        self.delegations = {d["id"]: d for d in data["delegations"]}
        self.requests = data["requests"]
        self.programme = data.get("programme", [])

    def minute(self, local: str) -> int:
        moment = datetime.strptime(local, "%Y-%m-%dT%H:%M").replace(tzinfo=self.zone, fold=0)
        return int((moment - EPOCH).total_seconds()) // 60

    def windows(self, windows: list[dict] | None) -> list[tuple[int, int]] | None:
        if windows is None:
            return None
        spans = sorted((self.minute(w["start"]), self.minute(w["end"])) for w in windows)
        merged: list[list[int]] = []
        for a, b in spans:
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return [(a, b) for a, b in merged]

    def attendees(self, item: dict) -> set[str]:
        return set(item["attendees"]) if "attendees" in item else set(self.delegations)

    def seats(self, request: dict) -> int:
        if request.get("seats") is not None:
            return request["seats"]
        return sum(self.delegations[p].get("size", 2) for p in request["parties"])

    def interpreted(self, request: dict) -> bool:
        shared = set.intersection(*(set(self.delegations[p].get("languages", [])) for p in request["parties"]))
        return not shared

    def must_happen(self, request: dict) -> bool:
        return bool(request.get("mandatory")) or request.get("fixed") is not None


def _inside(windows: list[tuple[int, int]] | None, start: int, end: int) -> bool:
    return windows is None or any(a <= start and end <= b for a, b in windows)


def _apart(a: tuple[int, int], b: tuple[int, int], gap: int) -> bool:
    return a[1] + gap <= b[0] or b[1] + gap <= a[0]


def _room_allowed(inst: Instance, request: dict, room: dict) -> bool:
    """Rules 6, 7, 8, 9, 11 (no teams at all), 12 (room) and 13 for one room."""
    parties = request["parties"]
    wanted = set(request.get("requires", [])) | ({"interpretation"} if inst.interpreted(request) else set())
    host = inst.delegations.get(request.get("host") or "", {})
    if host.get("home_room"):
        homes = {host["home_room"]}
    else:
        homes = {inst.delegations[p]["home_room"] for p in parties if inst.delegations[p].get("home_room")}
    fixed = request.get("fixed") or {}
    return (
        room["capacity"] >= inst.seats(request)
        and wanted <= set(room.get("features", []))
        and room.get("level", 0) >= max(inst.delegations[p].get("level", 0) for p in parties)
        and (not homes or room["id"] in homes)
        and not (inst.interpreted(request) and inst.teams == 0)
        and fixed.get("room") in (None, room["id"])
        and room.get("reserved_for") in (None, *parties)
    )


def _time_allowed(inst: Instance, request: dict, start: int, end: int) -> bool:
    """Rules 3, 4 (programme items) and 12 (start) for one time."""
    parties = set(request["parties"])
    fixed = request.get("fixed")
    if fixed is not None and start != inst.minute(fixed["start"]):
        return False
    if not _inside(inst.windows(request.get("window")), start, end):
        return False
    if not all(_inside(inst.windows(inst.delegations[p].get("available")), start, end) for p in parties):
        return False
    return all(
        _apart((start, end), (inst.minute(p["start"]), inst.minute(p["end"])), inst.changeover)
        for p in inst.programme
        if parties & inst.attendees(p)
    )


def _room_free(inst: Instance, room: dict, start: int, end: int) -> bool:
    """Rule 5 for one meeting alone: the room's hours and the programme items held in it."""
    held = [(inst.minute(p["start"]), inst.minute(p["end"])) for p in inst.programme if p.get("room") == room["id"]]
    return _inside(inst.windows(room.get("available")), start, end) and all(
        _apart((start, end), span, inst.turnover) for span in held
    )


def options(inst: Instance) -> list[list[Option]]:
    """Per request, every room and start (rule 2: on a day's grid, inside its hours) that breaks no rule alone."""
    out = []
    for i, request in enumerate(inst.requests):
        duration = request["duration_minutes"]
        mine = []
        for day, (day_start, day_end) in enumerate(inst.days):
            for start in range(day_start, day_end - duration + 1, inst.slot):
                if not _time_allowed(inst, request, start, start + duration):
                    continue
                for room in inst.rooms.values():
                    if _room_allowed(inst, request, room) and _room_free(inst, room, start, start + duration):
                        mine.append(Option(i, room["id"], start, start + duration, day))
        out.append(mine)
    return out


def _fits(inst: Instance, chosen: list[Option], new: Option) -> bool:
    """Rules 4, 5, 10 and 11 between `new` and the meetings already chosen."""
    parties = set(inst.requests[new.index]["parties"])
    for m in chosen:
        if parties & set(inst.requests[m.index]["parties"]) and not _apart(
            (m.start, m.end), (new.start, new.end), inst.changeover
        ):
            return False
        if m.room == new.room and not _apart((m.start, m.end), (new.start, new.end), inst.turnover):
            return False
    for p in parties:
        limit = inst.delegations[p].get("max_meetings_per_day")
        same_day = sum(1 for m in chosen if m.day == new.day and p in inst.requests[m.index]["parties"])
        if limit is not None and same_day + 1 > limit:
            return False
    if inst.teams is not None and inst.interpreted(inst.requests[new.index]):
        running = [m for m in chosen if inst.interpreted(inst.requests[m.index])] + [new]
        for t in {m.start for m in running}:
            if sum(1 for m in running if m.start <= t < m.end) > inst.teams:
                return False
    return True


def _breaks(inst: Instance, chosen: list[Option]) -> int:
    """The contract's breaks: per delegation and day, consecutive blocks (one a meeting) idle >= changeover + slot."""
    total = 0
    for d in inst.delegations:
        mine = [(m.start, m.end, True) for m in chosen if d in inst.requests[m.index]["parties"]]
        mine += [
            (inst.minute(p["start"]), inst.minute(p["end"]), False) for p in inst.programme if d in inst.attendees(p)
        ]
        for day_start, day_end in inst.days:
            blocks: list[list] = []
            for s, e, meeting in sorted(c for c in mine if c[0] < day_end and c[1] > day_start):
                if blocks and s < blocks[-1][1]:
                    blocks[-1][1] = max(blocks[-1][1], e)
                    blocks[-1][2] = blocks[-1][2] or meeting
                else:
                    blocks.append([s, e, meeting])
            need = inst.changeover + inst.slot
            total += sum(1 for a, b in pairwise(blocks) if (a[2] or b[2]) and b[0] - a[1] >= need)
    return total


def _figures(inst: Instance, chosen: list[Option]) -> tuple[int, int, int]:
    """(scheduled priority, preferred met, -breaks): larger is better, in the contract's order."""
    priority = preferred = 0
    for m in chosen:
        request = inst.requests[m.index]
        weight = request.get("priority", 1)
        priority += weight
        if request.get("preferred") is not None and _inside(inst.windows(request["preferred"]), m.start, m.end):
            preferred += weight
    return priority, preferred, -_breaks(inst, chosen)


@dataclass(frozen=True)
class Best:
    """The brute force's answer: the best figures, and facts about the instance for the test statistics."""

    priority: int
    preferred_met: int
    breaks: int
    meetings: int  # in one best schedule
    alone: int  # the priority if every request were judged alone (rules between meetings ignored)

    @property
    def between_meetings_bind(self) -> bool:
        """A rule between meetings (4, 5, 10, 11) or a must-happen request costs priority here."""
        return self.priority < self.alone


def brute_force(data: dict, lexicographic: bool = False) -> Best | None:
    """The best valid schedule by priority (and, if asked, then preferred_met, then fewer breaks);
    None when the mandatory and pinned requests cannot all be held."""
    inst = Instance(data)
    choices = options(inst)
    found: dict[str, object] = {"key": None, "meetings": 0}
    by_request: dict[int, list[Option | None]] = defaultdict(list)
    for i, request in enumerate(inst.requests):
        by_request[i] = ([] if inst.must_happen(request) else [None]) + choices[i]

    def search(i: int, chosen: list[Option]) -> None:
        if i == len(inst.requests):
            if lexicographic:
                key = _figures(inst, chosen)
            else:
                key = (sum(inst.requests[m.index].get("priority", 1) for m in chosen),)
            if found["key"] is None or key > found["key"]:
                found["key"], found["chosen"] = key, list(chosen)
            return
        for option in by_request[i]:
            if option is None:
                search(i + 1, chosen)
            elif _fits(inst, chosen, option):
                search(i + 1, [*chosen, option])

    search(0, [])
    if found["key"] is None:
        return None
    chosen = found["chosen"]
    priority, preferred, negative_breaks = _figures(inst, chosen)
    alone = sum(r.get("priority", 1) for i, r in enumerate(inst.requests) if choices[i])
    return Best(priority, preferred, -negative_breaks, len(chosen), alone)
