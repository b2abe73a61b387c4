"""A seeded generator of realistic conference instances in the contract's input format.

`generate(name, delegations, requests, rooms, seed, days=2, **knobs)` returns a plain, JSON-ready dict
that `scheduler.contract.parse.load_conference(json.dumps(...))` reads. The same arguments always give the same
dict: all randomness comes from one `random.Random(seed)`, nothing iterates a set, and no global state
is touched. `NAMED` is the fixed benchmark suite (30 to 300 delegations, 80 to 3,000 requests) and
`instance(name)` builds one of them on the fly.

What makes an instance realistic (and hard):

- a **host** delegation (ministers, level 3) with a home room in which it receives many guests
  (requests with `host`), more than its free time can hold (`host_load` times it);
- a few **big delegations** that are also oversubscribed (`big_load`), some with their own salon;
- **protocol levels** (ministers 3, deputies 2, ambassadors 1) and rooms at matching levels: besides
  the home salons, rooms are split by level and interpretation in proportion to the meeting minutes
  the requests need, so the `rooms` count sets the overall room load rather than a level mismatch;
- **languages** so that many pairs share none and need a room with `interpretation`
  (optionally limited by `interpreter_teams`);
- **late arrivals and early departures** (`available` windows for `late_share` of the delegations),
  rooms open only part of the time;
- a **programme**: plenaries and lunch for everybody, side sessions for subsets held in rooms, a press
  briefing that only blocks its room;
- **trilaterals** (`trilateral_share`) that need bigger rooms, hard `window`s and soft `preferred`
  windows, `requires` features, explicit `seats`, `max_meetings_per_day` caps;
- a few **pins** (`fixed`) and **mandatory** requests that are jointly feasible by construction: they
  are placed one by one into a witness schedule that checks every hard rule of the contract (day hours
  and grid, presence, changeover against meetings and programme items, room turnover and opening hours,
  seats, features and interpretation, level, home rooms, daily load, interpreter teams), and a
  candidate that does not fit is simply left as an ordinary request.

Times are handled as local wall-clock minutes from the first day's midnight; the default dates and time
zone have no DST change, and every generated time lies well inside the day, so no local time is skipped.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = ["DEFAULT_KNOBS", "NAMED", "generate", "instance"]

# Every knob with its default; `generate` rejects unknown ones (a typo must not pass silently).
DEFAULT_KNOBS: dict[str, object] = {
    "timezone": "Europe/Minsk",  # IANA name; Minsk has no DST
    "start_date": "2025-06-10",  # first day
    "day_start": "08:30",  # bilateral hours; the first day ends 30 min later, the last 60 min earlier
    "day_end": "18:30",
    "slot_minutes": None,  # None: 5 or 15, drawn from the seed
    "changeover_minutes": None,  # None: 5 or 10
    "room_turnover_minutes": None,  # None: 0, 5 or 10
    "interpreter_teams": None,  # None: unlimited
    "big_delegations": None,  # None: max(2, 6% of the delegations)
    "home_rooms": 2,  # big delegations with a salon of their own (the host always has one)
    "host_load": 2.0,  # host requests = this x what the host's free time can hold ...
    "host_share": 0.2,  # ... but at most this share of all requests
    "big_load": 1.6,  # each big delegation's requests = this x what its free time can hold ...
    "big_share": 0.35,  # ... all big delegations together at most this share of all requests
    "trilateral_share": 0.05,
    "late_share": 0.15,  # delegations arriving late / leaving early (available windows)
    "cap_share": 0.2,  # delegations with max_meetings_per_day
    "window_share": 0.05,  # requests with a hard window
    "preferred_share": 0.15,  # requests with preferred windows
    "requires_share": 0.04,  # requests that need video or press
    "seats_share": 0.08,  # requests with explicit seats (note-takers)
    "room_closed_share": 0.1,  # rooms open only part of the conference
    "side_sessions": None,  # side sessions per day; None: max(1, delegations // 20)
    "pins": None,  # pinned requests; None: 2 + delegations // 40; 0 switches pins off
    "mandatory": None,  # mandatory requests; None: 2 + requests // 100; 0 switches them off
}

LANGUAGES = ("en", "fr", "es", "ru", "ar", "zh", "pt", "de", "tr", "fa")
LANGUAGE_WEIGHTS = (30, 12, 10, 12, 10, 6, 6, 5, 4, 3)
HEADS = {
    3: "Minister of Foreign Affairs",
    2: "Deputy Minister of Foreign Affairs",
    1: "Ambassador",
}
INTERPRETATION = "interpretation"
DAY_MINUTES = 24 * 60
ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


# --- the pieces, in wall-clock minutes from the first day's midnight ------------------------------


@dataclass
class _Day:
    index: int
    date: str
    start: int
    end: int


@dataclass
class _Room:
    id: str
    name: str
    capacity: int
    features: list[str]
    level: int
    available: list[tuple[int, int]] | None = None
    home_of: str | None = None


@dataclass
class _Delegation:
    id: str
    name: str
    head: str
    level: int
    size: int
    languages: list[str]
    available: list[tuple[int, int]] | None = None
    max_meetings_per_day: int | None = None
    home_room: str | None = None
    weight: float = 1.0  # popularity as a guest


@dataclass
class _Item:
    id: str
    title: str
    start: int
    end: int
    attendees: list[str] | None  # None = everybody
    room: str | None = None


@dataclass
class _Request:
    id: str
    parties: list[str]
    duration: int
    priority: int
    host: str | None = None
    requires: list[str] = field(default_factory=list)
    seats: int | None = None
    window: list[tuple[int, int]] | None = None
    preferred: list[tuple[int, int]] | None = None
    fixed: tuple[int, str | None] | None = None
    mandatory: bool = False


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _inside(windows: list[tuple[int, int]] | None, start: int, end: int) -> bool:
    """[start, end) inside the union of windows (touching windows merge); None means always."""
    if windows is None:
        return True
    merged: list[list[int]] = []
    for s, e in sorted(windows):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return any(s <= start and end <= e for s, e in merged)


def _distance(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Idle minutes between two spans; negative when they overlap."""
    return max(a_start, b_start) - min(a_end, b_end)


def _clip(windows: list[tuple[int, int]] | None, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of [start, end) inside the windows."""
    if windows is None:
        return [(start, end)]
    out = [(max(s, start), min(e, end)) for s, e in windows]
    return [(s, e) for s, e in out if s < e]


def _free_minutes(spans: list[tuple[int, int]], blocked: list[tuple[int, int]]) -> int:
    """Minutes of the spans not covered by the blocked spans."""
    total = 0
    for s, e in spans:
        cuts = sorted((max(s, bs), min(e, be)) for bs, be in blocked if bs < e and s < be)
        t, free = s, 0
        for cs, ce in cuts:
            if cs > t:
                free += cs - t
            t = max(t, ce)
        total += free + max(0, e - t)
    return total


def _weighted_sample(rng: random.Random, items: list[str], weights: list[float], k: int) -> list[str]:
    """k distinct items, each drawn with probability proportional to its weight (Efraimidis-Spirakis)."""
    keyed = [(rng.random() ** (1.0 / w), i) for i, w in enumerate(weights)]
    keyed.sort(reverse=True)
    return [items[i] for _, i in keyed[:k]]


# --- the witness: every hard rule for the must-happen requests -------------------------------------


class _Witness:
    """A partial schedule holding the pinned and mandatory requests; a request joins only if it fits."""

    def __init__(self, gen: _Generator):
        self.g = gen
        self.by_party: dict[str, list[tuple[int, int]]] = {d.id: [] for d in gen.delegations}
        self.by_room: dict[str, list[tuple[int, int]]] = {r.id: [] for r in gen.rooms}
        self.per_day: dict[tuple[str, int], int] = {}
        self.interpreted: list[tuple[int, int]] = []

    def rooms_for(self, r: _Request) -> list[_Room]:
        g = self.g
        parties = [g.delegation[p] for p in r.parties]
        seats = r.seats if r.seats is not None else sum(d.size for d in parties)
        level = max(d.level for d in parties)
        needs = list(r.requires) + ([INTERPRETATION] if g.needs_interpretation(r) else [])
        host = g.delegation[r.host] if r.host else None
        if host is not None and host.home_room is not None:
            homes = [host.home_room]
        else:
            homes = [d.home_room for d in parties if d.home_room is not None]
        return [
            room
            for room in g.rooms
            if room.capacity >= seats
            and room.level >= level
            and all(f in room.features for f in needs)
            and (not homes or room.id in homes)
        ]

    def party_fits(self, r: _Request, day: _Day, start: int, end: int) -> bool:
        g = self.g
        change = g.changeover
        if not _inside(r.window, start, end):
            return False
        for p in r.parties:
            d = g.delegation[p]
            if not _inside(d.available, start, end):
                return False
            if d.max_meetings_per_day is not None and self.per_day.get((p, day.index), 0) >= d.max_meetings_per_day:
                return False
            for s, e in g.attended[p]:
                if _distance(start, end, s, e) < change:
                    return False
            for s, e in self.by_party[p]:
                if _distance(start, end, s, e) < change:
                    return False
        if g.interpreter_teams is not None and g.needs_interpretation(r):
            running = sum(1 for s, e in self.interpreted if s < end and start < e)
            if running + 1 > g.interpreter_teams:
                return False
        return True

    def room_fits(self, room: _Room, start: int, end: int) -> bool:
        turn = self.g.turnover
        if not _inside(room.available, start, end):
            return False
        for s, e in self.g.room_items[room.id]:
            if _distance(start, end, s, e) < turn:
                return False
        return all(_distance(start, end, s, e) >= turn for s, e in self.by_room[room.id])

    def place(self, r: _Request, rng: random.Random) -> tuple[int, str] | None:
        """Book r at a random start and room where every rule holds; None if it fits nowhere."""
        g = self.g
        rooms = self.rooms_for(r)
        if not rooms:
            return None
        starts = [(day, s) for day in g.days for s in range(day.start, day.end - r.duration + 1, g.slot)]
        rng.shuffle(starts)
        for day, start in starts:
            end = start + r.duration
            if not self.party_fits(r, day, start, end):
                continue
            order = rooms[:]
            rng.shuffle(order)
            room = next((room for room in order if self.room_fits(room, start, end)), None)
            if room is None:
                continue
            for p in r.parties:
                self.by_party[p].append((start, end))
                self.per_day[(p, day.index)] = self.per_day.get((p, day.index), 0) + 1
            self.by_room[room.id].append((start, end))
            if g.needs_interpretation(r):
                self.interpreted.append((start, end))
            return start, room.id
        return None


# --- the generator ---------------------------------------------------------------------------------


class _Generator:
    def __init__(self, name: str, n_delegations: int, n_requests: int, n_rooms: int, seed: int, days: int, knobs):
        if n_delegations < 2:
            raise ValueError("at least 2 delegations")
        if n_rooms < 1 or n_requests < 0 or days < 1:
            raise ValueError("at least 1 room and 1 day, and no negative request count")
        unknown = sorted(set(knobs) - set(DEFAULT_KNOBS))
        if unknown:
            raise TypeError(f"unknown knob(s): {', '.join(unknown)}")
        self.k = {**DEFAULT_KNOBS, **knobs}
        self.name = name
        self.n, self.n_requests, self.n_rooms, self.n_days = n_delegations, n_requests, n_rooms, days
        self.rng = random.Random(seed)
        rng = self.rng
        self.slot = self.k["slot_minutes"] or rng.choice((5, 15))
        self.changeover = self._given("changeover_minutes", rng.choice((5, 10)))
        self.turnover = self._given("room_turnover_minutes", rng.choice((0, 5, 10)))
        self.interpreter_teams = self.k["interpreter_teams"]
        self.base_date = date.fromisoformat(self.k["start_date"])

    def _given(self, key: str, drawn: int) -> int:
        value = self.k[key]
        return drawn if value is None else value

    # time ------------------------------------------------------------------------------------------

    def stamp(self, t: int) -> str:
        day = self.base_date + timedelta(days=t // DAY_MINUTES)
        minute = t % DAY_MINUTES
        return f"{day.isoformat()}T{minute // 60:02d}:{minute % 60:02d}"

    def windows_out(self, windows: list[tuple[int, int]]) -> list[dict]:
        return [{"start": self.stamp(s), "end": self.stamp(e)} for s, e in windows]

    def make_days(self) -> None:
        start, end = _minutes(self.k["day_start"]), _minutes(self.k["day_end"])
        self.days = []
        for i in range(self.n_days):
            s, e = start, end
            if self.n_days > 1 and i == 0:
                e += 30
            elif self.n_days > 1 and i == self.n_days - 1:
                e -= 60
            e = max(e, s + 240)
            base = i * DAY_MINUTES
            self.days.append(_Day(i, (self.base_date + timedelta(days=i)).isoformat(), base + s, base + e))

    # delegations -----------------------------------------------------------------------------------

    def make_delegations(self) -> None:
        rng, n = self.rng, self.n
        width = 3 if n <= 5000 else 4
        codes: list[str] = []
        seen: set[str] = set()
        while len(codes) < n:
            code = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(width))
            if code not in seen:
                seen.add(code)
                codes.append(code)
        big = self.k["big_delegations"]
        self.n_big = min(n - 1, max(2, round(0.06 * n)) if big is None else big)
        self.delegations: list[_Delegation] = []
        for i, code in enumerate(codes):
            if i == 0:  # the host
                level, size = 3, 5
            elif i <= self.n_big:
                level, size = 3, rng.choice((4, 5))
            else:
                level = rng.choices((3, 2, 1), weights=(35, 40, 25))[0]
                size = rng.choice({3: (3, 3, 4), 2: (2, 3, 4), 1: (2, 2, 3)}[level])
            primary = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
            languages = [primary]
            if primary != "en" and rng.random() < 0.5:
                languages.append("en")
            if rng.random() < 0.15:
                extra = rng.choices(LANGUAGES, weights=LANGUAGE_WEIGHTS)[0]
                if extra not in languages:
                    languages.append(extra)
            if i > 0 and rng.random() < 0.03:
                languages = []  # works only through interpreters
            weight = {3: 2.0, 2: 1.5, 1: 1.0}[level] * rng.lognormvariate(0.0, 0.5)
            if 0 < i <= self.n_big:
                weight *= 3
            kind = "Host country" if i == 0 else "Delegation"
            self.delegations.append(
                _Delegation(code, f"{kind} {code}", HEADS[level], level, size, languages, weight=weight)
            )
        self.host = self.delegations[0]
        self.big = self.delegations[1 : 1 + self.n_big]
        self.delegation = {d.id: d for d in self.delegations}

    def make_availability(self) -> None:
        """Late arrivals, early departures and a few absences; caps on meetings per day."""
        rng, days = self.rng, self.days
        first, last = days[0], days[-1]
        others = self.delegations[1:]
        count = min(len(others), round(self.k["late_share"] * self.n))
        for d in rng.sample(others, count):
            arrive, leave = first.start, last.end
            kind = rng.random()
            if kind < 0.45:
                if len(days) > 1 and rng.random() < 0.35:
                    arrive = days[1].start
                else:
                    arrive = first.start + rng.choice((150, 210, 270, 330))
            elif kind < 0.85:
                if len(days) > 1 and rng.random() < 0.35:
                    leave = days[-2].end
                else:
                    leave = last.start + rng.choice((180, 240, 300))
            else:
                arrive = first.start + rng.choice((150, 210))
                leave = last.end - rng.choice((60, 120))
            if leave - arrive < 180:
                arrive, leave = first.start, last.end
            if rng.random() < 0.15:  # away for an afternoon engagement
                day = rng.choice(days)
                away = (day.start + 330, day.start + 480)
                if arrive < away[0] and away[1] < leave:
                    d.available = [(arrive, away[0]), (away[1], leave)]
                    continue
            d.available = [(arrive, leave)]
        count = min(len(others), round(self.k["cap_share"] * self.n))
        for d in rng.sample(others, count):
            if d in self.big:
                d.max_meetings_per_day = rng.randint(6, 8)
            else:
                d.max_meetings_per_day = rng.randint(4, 6) if d.level == 3 else rng.randint(3, 5)

    # rooms -----------------------------------------------------------------------------------------

    def add_room(self, kind: str, name: str, capacity: int, features: list[str], level: int) -> _Room:
        number = len(self.rooms) + 1
        room = _Room(f"{kind}-{number}", f"{name} {number}", capacity, features, level)
        self.rooms.append(room)
        self.room[room.id] = room
        return room

    def make_home_rooms(self) -> None:
        """The host's salon and the salons of the first big delegations."""
        rng = self.rng
        self.rooms: list[_Room] = []
        self.room: dict[str, _Room] = {}
        host_room = self.add_room("salon", "Salon of the host minister", 18, [INTERPRETATION, "press", "video"], 3)
        host_room.home_of, self.host.home_room = self.host.id, host_room.id
        home = min(self.k["home_rooms"], len(self.big), max(0, self.n_rooms - 3))
        for d in self.big[:home]:
            features = [INTERPRETATION, "video"] if rng.random() < 0.5 else [INTERPRETATION]
            room = self.add_room("salon", f"Salon of delegation {d.id}", rng.choice((12, 14, 16)), features, 3)
            room.home_of, d.home_room = d.id, room.id

    def make_rooms(self) -> None:
        """The other rooms, their levels and interpretation in proportion to what the requests need."""
        rng = self.rng
        left = self.n_rooms - len(self.rooms)
        if left <= 0:
            return
        # meeting minutes by protocol level (1 stands for 0 and 1): [all, needing interpretation]
        demand = {3: [0, 0], 2: [0, 0], 1: [0, 0]}
        for r in self.requests:
            if any(self.delegation[p].home_room is not None for p in r.parties):
                continue  # held in a home room (rule 9)
            level = max(1, max(self.delegation[p].level for p in r.parties))
            demand[level][0] += r.duration
            demand[level][1] += r.duration if self.needs_interpretation(r) else 0
        total = sum(v[0] for v in demand.values()) or 1
        quota = {level: left * demand[level][0] / total for level in (3, 2, 1)}
        counts = {level: math.floor(q) for level, q in quota.items()}
        for level in sorted(quota, key=lambda v: (counts[v] - quota[v], -v))[: left - sum(counts.values())]:
            counts[level] += 1
        if left >= 5 and counts[1] == 0:  # a venue always has a few small rooms
            top = max(counts, key=lambda v: counts[v])
            counts[top], counts[1] = counts[top] - 1, 1
        for level in (3, 2, 1):
            count = counts[level]
            need, interpreted = demand[level]
            share = min(1.0, (interpreted / need if need else 0.5) + 0.1)
            with_interpretation = [i < round(share * count) for i in range(count)]
            rng.shuffle(with_interpretation)
            for i, interp in enumerate(with_interpretation):
                features = [INTERPRETATION] if interp else []
                if level == 3 and i == 0 and not any(r.name.startswith("Ministerial hall") for r in self.rooms):
                    features = [INTERPRETATION, "video"]
                    self.add_room("hall", "Ministerial hall", rng.choice((18, 20, 24)), features, 3)
                elif level == 3:
                    if rng.random() < 0.25:
                        features.append("video")
                    capacity = rng.choice((14, 16)) if rng.random() < 0.25 else rng.choice((8, 10, 10, 12))
                    self.add_room("salon", "Ministerial salon", capacity, features, 3)
                elif level == 2 and rng.random() < 0.3:
                    features += [f for f, p in (("video", 0.5), ("press", 0.3)) if rng.random() < p]
                    self.add_room("hall", "Conference hall", rng.choice((16, 20, 24, 30, 40)), features, 2)
                elif level == 2:
                    if rng.random() < 0.2:
                        features.append("video")
                    self.add_room("room", "Meeting room", rng.choice((8, 10, 12)), features, 2)
                elif rng.random() < 0.2:
                    self.add_room("booth", "Meeting booth", rng.choice((4, 6, 6)), features, 0)
                else:
                    self.add_room("room", "Small meeting room", rng.choice((6, 8, 8, 10)), features, 1)
        first, last = self.days[0], self.days[-1]
        closable = [r for r in self.rooms if r.home_of is None and not r.name.startswith("Ministerial hall")]
        for room in rng.sample(closable, min(len(closable), round(self.k["room_closed_share"] * self.n_rooms))):
            if len(self.days) > 1 and rng.random() < 0.5:
                day = rng.choice(self.days)
                room.available = [(day.start, day.end)]
                room.name += f" (open on {day.date} only)"
            else:
                room.available = [(first.start + 330, last.end)]
                room.name += " (from the first afternoon)"

    # programme -------------------------------------------------------------------------------------

    def make_programme(self) -> None:
        """Plenaries and lunch for everybody, side sessions for subsets (their rooms come later)."""
        rng, days = self.rng, self.days
        self.programme: list[_Item] = []
        multi = len(days) > 1
        for day in days:
            tag = f"d{day.index + 1}"
            if day.index == 0:
                self.programme.append(
                    _Item("opening-plenary", "Opening plenary", day.start + 90, day.start + 210, None)
                )
                self.programme.append(
                    _Item("family-photo", "Family photo of the heads", day.start + 210, day.start + 225, None)
                )
                lunch = (day.start + 270, day.start + 345)
            else:
                lunch = (day.start + 240, day.start + 300)
            if 0 < day.index < len(days) - 1:
                self.programme.append(_Item(f"plenary-{tag}", "Plenary session", day.start + 60, day.start + 150, None))
            self.programme.append(_Item(f"lunch-{tag}", "Official lunch", lunch[0], lunch[1], None))
            if day.index == len(days) - 1:
                close = (day.end - 90, day.end - 30) if multi else (day.end - 75, day.end - 15)
                self.programme.append(_Item("closing-plenary", "Closing plenary", close[0], close[1], None))
        everyone = [(p.start, p.end) for p in self.programme]

        per_day = self.k["side_sessions"]
        per_day = max(1, self.n // 20) if per_day is None else per_day
        ids = [d.id for d in self.delegations]
        number = 0
        if self.n >= 4:
            for day in days:
                for _ in range(per_day):
                    length = rng.choice((60, 75, 90))
                    starts = list(range(day.start + 60, day.end - length - 30, 15))
                    rng.shuffle(starts)
                    start = next(
                        (s for s in starts if all(_distance(s, s + length, a, b) >= 15 for a, b in everyone)), None
                    )
                    if start is None:
                        continue
                    size = rng.randint(4, max(4, min(16, self.n // 3)))
                    attendees = sorted(rng.sample(ids, min(size, len(ids))), key=ids.index)
                    number += 1
                    self.programme.append(
                        _Item(f"side-{number}", f"Side session {number}", start, start + length, attendees)
                    )
        self.programme.sort(key=lambda p: (p.start, p.id))
        self.attended: dict[str, list[tuple[int, int]]] = {d.id: [] for d in self.delegations}
        for p in self.programme:
            for d in p.attendees if p.attendees is not None else ids:
                self.attended[d].append((p.start, p.end))

    def place_programme(self) -> None:
        """Rooms for the side sessions (never two at once in one room) and a press briefing."""
        rng = self.rng
        venues = [r for r in self.rooms if r.home_of is None and r.capacity >= 16] or [
            r for r in self.rooms if r.home_of is None and r.capacity >= 10
        ]
        venues.sort(key=lambda r: (-r.level, r.id))
        held: list[tuple[int, int, str]] = []
        for p in self.programme:
            if not p.id.startswith("side-"):
                continue
            busy = {room for a, b, room in held if a < p.end and p.start < b}
            free = [r for r in venues if r.id not in busy and _inside(r.available, p.start, p.end)]
            if free:
                p.room = rng.choice(free).id
                held.append((p.start, p.end, p.room))
        press = [r for r in self.rooms if r.home_of is None and "press" in r.features]
        if press:
            day = self.days[0]
            briefing = _Item(
                "press-briefing", "Press briefing of the host", day.end - 60, day.end - 30, [], press[0].id
            )
            self.programme.append(briefing)
            self.programme.sort(key=lambda p: (p.start, p.id))
        self.room_items: dict[str, list[tuple[int, int]]] = {r.id: [] for r in self.rooms}
        for p in self.programme:
            if p.room is not None:
                self.room_items[p.room].append((p.start, p.end))

    # requests --------------------------------------------------------------------------------------

    def needs_interpretation(self, r: _Request) -> bool:
        common = set(self.delegation[r.parties[0]].languages)
        for p in r.parties[1:]:
            common &= set(self.delegation[p].languages)
        return not common

    def capacity(self, d: _Delegation) -> int:
        """About how many meetings the delegation's free time can hold."""
        spans = [s for day in self.days for s in _clip(d.available, day.start, day.end)]
        free = _free_minutes(spans, self.attended[d.id])
        return max(1, free // (38 + self.changeover))

    def make_requests(self) -> None:
        rng, n, total = self.rng, self.n, self.n_requests
        self.requests: list[_Request] = []
        self.pairs: set[tuple[str, ...]] = set()
        ids = [d.id for d in self.delegations]
        weight = {d.id: d.weight for d in self.delegations}

        tri = round(self.k["trilateral_share"] * total) if n >= 3 else 0
        host_n = round(self.k["host_load"] * self.capacity(self.host))
        host_n = max(0, min(host_n, round(self.k["host_share"] * total), n - 1, total - tri))
        big_wish = [min(round(self.k["big_load"] * self.capacity(b)), n - 2) for b in self.big]
        room_for_big = min(round(self.k["big_share"] * total), total - tri - host_n)
        scale = min(1.0, room_for_big / sum(big_wish)) if sum(big_wish) else 0.0
        big_n = [math.floor(w * scale) for w in big_wish]

        host = self.host
        guests = [d for d in self.delegations[1:]]
        for g in _weighted_sample(rng, [d.id for d in guests], [d.weight for d in guests], host_n):
            self.add([host.id, g], "host", host=host.id)
        for b, count in zip(self.big, big_n, strict=True):
            partners = [d for d in self.delegations[1:] if d is not b]
            chosen = _weighted_sample(rng, [d.id for d in partners], [d.weight for d in partners], count + 5)
            added = 0
            for p in chosen:
                if added == count:
                    break
                if self.key([b.id, p]) in self.pairs:
                    continue
                if b.home_room is not None:
                    hosting = b.id if rng.random() < 0.8 else None
                else:
                    hosting = b.id if rng.random() < 0.3 else None
                self.add([b.id, p], "big", host=hosting)
                added += 1
        for _ in range(tri):
            parties = self.draw(rng, ids, weight, 3)
            homes = [p for p in parties if self.delegation[p].home_room is not None]
            self.add(parties, "tri", host=homes[0] if homes and rng.random() < 0.7 else None)
        rest_ids = ids[1:]
        rest_weights = [min(weight[i], 4.0) for i in rest_ids]
        cumulative = []
        acc = 0.0
        for w in rest_weights:
            acc += w
            cumulative.append(acc)
        while len(self.requests) < total:
            parties = self.draw(rng, rest_ids, None, 2, cumulative) if len(rest_ids) >= 2 else ids[:2]
            self.add(parties, "pair")

    @staticmethod
    def key(parties: list[str]) -> tuple[str, ...]:
        return tuple(sorted(parties))

    def draw(self, rng, ids, weight, k, cumulative=None) -> list[str]:
        """k distinct delegations by popularity, preferring a combination not requested yet."""
        cum = cumulative
        if cum is None:
            cum, acc = [], 0.0
            for i in ids:
                acc += weight[i]
                cum.append(acc)
        parties: list[str] = []
        for _attempt in range(50):
            parties = []
            while len(parties) < k:
                p = rng.choices(ids, cum_weights=cum)[0]
                if p not in parties:
                    parties.append(p)
            if self.key(parties) not in self.pairs:
                break
        return parties

    def add(self, parties: list[str], kind: str, host: str | None = None) -> None:
        rng = self.rng
        key = self.key(parties)
        base = "-".join(parties)
        rid, copy = base, 1
        while rid.lower() in self.request_ids:
            copy += 1
            rid = f"{base}-{copy}"
        self.request_ids.add(rid.lower())
        self.pairs.add(key)
        ds = [self.delegation[p] for p in parties]
        top = all(d.level == 3 for d in ds)
        if kind == "host":
            duration = rng.choice((25, 30, 30, 40, 45, 45, 60))
            priority = rng.choices((6, 7, 8, 9, 10), weights=(1, 2, 3, 2, 2))[0]
        elif kind == "big":
            duration = rng.choice((25, 30, 30, 40, 45))
            priority = rng.randint(3, 9)
        elif kind == "tri":
            duration = rng.choice((45, 50, 60, 60))
            priority = rng.randint(4, 9)
        else:
            duration = rng.choice((20, 25, 30, 30, 30, 35, 40, 45))
            priority = rng.choices(range(1, 9), weights=(3, 4, 5, 5, 4, 3, 2, 1))[0]
        if rng.random() < 0.05:
            duration = rng.choice((22, 28, 33, 38, 42))
        if top and priority < 10 and rng.random() < 0.5:
            priority += 1
        r = _Request(rid, list(parties), duration, priority, host=host)
        if rng.random() < self.k["requires_share"]:
            wanted = "video" if rng.random() < 0.7 else "press"
            home = self.forced_home(r)
            if home is None or wanted in home.features:
                r.requires = [wanted]
        if rng.random() < self.k["seats_share"]:
            r.seats = sum(d.size for d in ds) + rng.randint(1, 2)
        if rng.random() < self.k["window_share"]:
            r.window = self.some_window(ds, hard=True)
        if rng.random() < self.k["preferred_share"]:
            r.preferred = self.some_window(ds, hard=False)
        self.requests.append(r)

    def forced_home(self, r: _Request) -> _Room | None:
        """The one room rule 9 leaves for the request, if there is exactly one."""
        host = self.delegation[r.host] if r.host else None
        if host is not None and host.home_room is not None:
            homes = [host.home_room]
        else:
            homes = [self.delegation[p].home_room for p in r.parties if self.delegation[p].home_room is not None]
        return self.room[homes[0]] if len(homes) == 1 else None

    @staticmethod
    def part_of(day: _Day, kind: str) -> tuple[int, int]:
        """The whole day, its morning (to 13:30 with the default hours) or its afternoon."""
        middle = day.start + min(300, (day.end - day.start) // 2)
        return {"day": (day.start, day.end), "morning": (day.start, middle), "afternoon": (middle, day.end)}[kind]

    def some_window(self, ds: list[_Delegation], hard: bool) -> list[tuple[int, int]] | None:
        """A day, morning or afternoon in which all parties are present for a while."""
        rng = self.rng
        present = []
        for day in self.days:
            spans = [(day.start, day.end)]
            for d in ds:
                spans = [c for s, e in spans for c in _clip(d.available, s, e)]
            if sum(e - s for s, e in spans) >= 120:
                present.append(day)
        if not present:
            return None
        day = rng.choice(present)
        kind = rng.choice(("day", "morning", "afternoon") if hard else ("morning", "afternoon", "afternoon"))
        windows = [self.part_of(day, kind)]
        if not hard and len(present) > 1 and rng.random() < 0.3:
            other = rng.choice([d for d in present if d is not day])
            windows.append(self.part_of(other, kind))
            windows.sort()
        return windows

    # must-happen -----------------------------------------------------------------------------------

    def make_must_happen(self) -> None:
        """Pins and mandatory requests, each accepted only if a witness schedule of all of them still fits."""
        rng = self.rng
        pins = self.k["pins"]
        pins = 2 + self.n // 40 if pins is None else pins
        mandatory = self.k["mandatory"]
        mandatory = 2 + self.n_requests // 100 if mandatory is None else mandatory
        if pins + mandatory == 0:
            return
        witness = _Witness(self)
        committed: set[str] = set()  # non-host delegations already in a must-happen request
        order = sorted(self.requests, key=lambda r: (-r.priority, rng.random()))
        host_pins, host_pin_cap = 0, max(1, pins // 2)

        def eligible(r: _Request) -> bool:
            return not any(p in committed for p in r.parties if p != self.host.id)

        def commit(r: _Request) -> None:
            committed.update(p for p in r.parties if p != self.host.id)

        for r in order:
            if pins == 0:
                break
            is_host = self.host.id in r.parties
            if not eligible(r) or (is_host and host_pins >= host_pin_cap):
                continue
            spot = witness.place(r, rng)
            if spot is None:
                continue
            start, room = spot
            r.fixed = (start, room if rng.random() < 0.7 else None)
            r.mandatory = rng.random() < 0.3
            commit(r)
            host_pins += is_host
            pins -= 1
        for r in order:
            if mandatory == 0:
                break
            if r.fixed is not None or not eligible(r):
                continue
            if witness.place(r, rng) is None:
                continue
            r.mandatory = True
            commit(r)
            mandatory -= 1

    # output ----------------------------------------------------------------------------------------

    def build(self) -> dict:
        self.request_ids: set[str] = set()
        self.make_days()
        self.make_delegations()
        self.make_availability()
        self.make_home_rooms()
        self.make_programme()
        self.make_requests()
        self.make_rooms()
        self.place_programme()
        self.make_must_happen()
        return self.document()

    def document(self) -> dict:
        event: dict = {}
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", self.name).strip("-")[:64]
        if ID.match(slug):
            event["id"] = slug
        event.update(
            {
                "name": f"{self.name} (generated benchmark instance)",
                "timezone": self.k["timezone"],
                "slot_minutes": self.slot,
                "days": [
                    {
                        "date": d.date,
                        "start": f"{d.start % DAY_MINUTES // 60:02d}:{d.start % 60:02d}",
                        "end": f"{d.end % DAY_MINUTES // 60:02d}:{d.end % 60:02d}",
                    }
                    for d in self.days
                ],
                "changeover_minutes": self.changeover,
                "room_turnover_minutes": self.turnover,
                "interpreter_teams": self.interpreter_teams,
            }
        )
        programme = []
        for p in self.programme:
            item: dict = {"id": p.id, "title": p.title, "start": self.stamp(p.start), "end": self.stamp(p.end)}
            if p.attendees is not None:
                item["attendees"] = list(p.attendees)
            if p.room is not None:
                item["room"] = p.room
            programme.append(item)
        rooms = []
        for r in self.rooms:
            room: dict = {"id": r.id, "name": r.name, "capacity": r.capacity, "features": list(r.features)}
            room["level"] = r.level
            if r.available is not None:
                room["available"] = self.windows_out(r.available)
            rooms.append(room)
        delegations = []
        for d in self.delegations:
            item = {
                "id": d.id,
                "name": d.name,
                "head": d.head,
                "level": d.level,
                "size": d.size,
                "languages": list(d.languages),
            }
            if d.available is not None:
                item["available"] = self.windows_out(d.available)
            if d.max_meetings_per_day is not None:
                item["max_meetings_per_day"] = d.max_meetings_per_day
            if d.home_room is not None:
                item["home_room"] = d.home_room
            delegations.append(item)
        requests = []
        for r in self.requests:
            item = {"id": r.id, "parties": list(r.parties), "duration_minutes": r.duration, "priority": r.priority}
            if r.host is not None:
                item["host"] = r.host
            if r.mandatory:
                item["mandatory"] = True
            if r.requires:
                item["requires"] = list(r.requires)
            if r.seats is not None:
                item["seats"] = r.seats
            if r.window is not None:
                item["window"] = self.windows_out(r.window)
            if r.preferred is not None:
                item["preferred"] = self.windows_out(r.preferred)
            if r.fixed is not None:
                fixed: dict = {"start": self.stamp(r.fixed[0])}
                if r.fixed[1] is not None:
                    fixed["room"] = r.fixed[1]
                item["fixed"] = fixed
            requests.append(item)
        return {
            "event": event,
            "programme": programme,
            "rooms": rooms,
            "delegations": delegations,
            "requests": requests,
        }


def generate(name: str, delegations: int, requests: int, rooms: int, seed: int, days: int = 2, **knobs) -> dict:
    """A realistic instance in the contract's input format, the same for the same arguments.

    `knobs` override `DEFAULT_KNOBS` (an unknown knob raises TypeError); `pins=0, mandatory=0` give an
    instance in which a schedule always exists.
    """
    return _Generator(name, delegations, requests, rooms, seed, days, knobs).build()


# The benchmark suite: name -> the arguments of `generate` (without the name).
NAMED: dict[str, dict] = {
    "conf-30x80": {"delegations": 30, "requests": 80, "rooms": 8, "seed": 30080},
    "conf-40x150": {"delegations": 40, "requests": 150, "rooms": 10, "seed": 40150, "interpreter_teams": 4},
    "conf-40x150-tight": {
        "delegations": 40,
        "requests": 150,
        "rooms": 6,
        "seed": 40151,
        "interpreter_teams": 3,
        "day_end": "17:30",
        "host_load": 3.0,
        "host_share": 0.25,
        "big_load": 2.5,
        "big_share": 0.45,
        "late_share": 0.25,
    },
    "forum-60x300": {
        "delegations": 60,
        "requests": 300,
        "rooms": 16,
        "seed": 60300,
        "interpreter_teams": 6,
        "timezone": "Asia/Almaty",
    },
    "forum-120x800": {
        "delegations": 120,
        "requests": 800,
        "rooms": 36,
        "seed": 120800,
        "interpreter_teams": 14,
        "timezone": "Europe/Istanbul",
    },
    "fair-300x3000": {
        "delegations": 300,
        "requests": 3000,
        "rooms": 70,
        "seed": 3003000,
        "days": 3,
        "host_share": 0.03,
        "big_share": 0.25,
        "timezone": "Asia/Dubai",
    },
}


def instance(name: str) -> dict:
    """The named benchmark instance, generated from its seed."""
    if name not in NAMED:
        raise KeyError(f"unknown instance {name!r}; known: {', '.join(NAMED)}")
    return generate(name, **NAMED[name])
