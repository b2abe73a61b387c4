"""Changes under pressure, as the protocol office meets them: each takes an input file's data (the contract's
JSON, as a dict) and returns a changed copy. Used by the re-plan tests and `python -m benchmarks.replan`.

- `leaves_after_day(data, delegation, day)`: a delegation leaves at the end of that day's hours;
- `withdrawn(data, request)`: a request is withdrawn;
- `added(data, request)`: the host adds a request (a president asked for it);
- `room_closed(data, room, day)`: a room is closed for the afternoon of a day (from 14:00);
- `programme_moved(data, item, minutes)`: a programme item is moved later (or earlier) by some minutes;
- `arrives_late(data, delegation, day, hour)`: a minister arrives late: not available before that hour.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import datetime, timedelta


def _local(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _day_bounds(data: dict, day: int) -> tuple[datetime, datetime]:
    d = data["event"]["days"][day]
    return _local(f"{d['date']}T{d['start']}"), _local(f"{d['date']}T{d['end']}")


def _cut(windows: list[dict] | None, start: datetime, end: datetime, data: dict) -> list[dict]:
    """Windows (None: the whole event) less [start, end)."""
    if windows is None:
        first, _ = _day_bounds(data, 0)
        _, last = _day_bounds(data, len(data["event"]["days"]) - 1)
        windows = [{"start": _fmt(first), "end": _fmt(last)}]
    out = []
    for w in windows:
        a, b = _local(w["start"]), _local(w["end"])
        if b <= start or end <= a:
            out.append(dict(w))
            continue
        if a < start:
            out.append({"start": _fmt(a), "end": _fmt(start)})
        if end < b:
            out.append({"start": _fmt(end), "end": _fmt(b)})
    return out


def leaves_after_day(data: dict, delegation: str, day: int = 0) -> dict:
    out = copy.deepcopy(data)
    _, end = _day_bounds(out, day)
    _, last = _day_bounds(out, len(out["event"]["days"]) - 1)
    d = next(d for d in out["delegations"] if d["id"] == delegation)
    d["available"] = _cut(d.get("available"), end, last + timedelta(days=1), out)
    return out


def withdrawn(data: dict, request: str) -> dict:
    out = copy.deepcopy(data)
    out["requests"] = [r for r in out["requests"] if r["id"] != request]
    return out


def added(data: dict, request: dict) -> dict:
    out = copy.deepcopy(data)
    out["requests"].append(copy.deepcopy(request))
    return out


def room_closed(data: dict, room: str, day: int = 0, from_hour: int = 14) -> dict:
    out = copy.deepcopy(data)
    start, end = _day_bounds(out, day)
    r = next(r for r in out["rooms"] if r["id"] == room)
    r["available"] = _cut(r.get("available"), start.replace(hour=from_hour, minute=0), end, out)
    return out


def programme_moved(data: dict, item: str, minutes: int) -> dict:
    out = copy.deepcopy(data)
    p = next(p for p in out["programme"] if p["id"] == item)
    shift = timedelta(minutes=minutes)
    p["start"], p["end"] = _fmt(_local(p["start"]) + shift), _fmt(_local(p["end"]) + shift)
    return out


def arrives_late(data: dict, delegation: str, day: int = 0, hour: int = 12) -> dict:
    out = copy.deepcopy(data)
    start, _ = _day_bounds(out, day)
    d = next(d for d in out["delegations"] if d["id"] == delegation)
    d["available"] = _cut(d.get("available"), start - timedelta(days=1), start.replace(hour=hour, minute=0), out)
    return out


# --- the scenarios of the note: picked from the data, so they apply to any instance -----------------------


def _must(request: dict) -> bool:
    return bool(request.get("mandatory")) or "fixed" in request


def busiest(data: dict, besides: str | None = None) -> str:
    """The delegation party to the most requests, among those no mandatory or pinned request holds (its
    leaving early would make the input infeasible, a different story), other than `besides`."""
    held = {p for r in data["requests"] if _must(r) for p in r["parties"]}
    counts = Counter(p for r in data["requests"] for p in r["parties"] if p not in held and p != besides)
    return counts.most_common(1)[0][0]


def scenarios(data: dict, schedule: dict) -> dict[str, dict]:
    """The perturbations of issues 10 and 21 for an instance and its published schedule, by name."""
    held = {m["request"]: m for m in schedule["meetings"]}
    requests = {r["id"]: r for r in data["requests"]}
    # a withdrawn request: the most important optional one that is scheduled
    optional = sorted((r for r in data["requests"] if r["id"] in held and not _must(r)),
                      key=lambda r: (-r["priority"], r["id"]))
    leaving = busiest(data)
    gone = next(r["id"] for r in optional if leaving not in r["parties"])
    # a new request between two delegations with spare time: the least busy pair that has no request yet
    load = Counter(p for m in schedule["meetings"] for p in m["parties"])
    pairs = {frozenset(r["parties"]) for r in data["requests"]}
    ids = sorted((d["id"] for d in data["delegations"]), key=lambda d: (load[d], d))
    a, b = next((x, y) for i, x in enumerate(ids) for y in ids[i + 1:] if frozenset((x, y)) not in pairs)
    model = requests[gone]
    new = {"id": f"NEW-{a}-{b}", "parties": [a, b], "duration_minutes": model["duration_minutes"],
           "priority": 7, "seats": model.get("seats", 6)}
    # the room most used in the schedule, closed in the afternoon of day 1 (not one a pin or a home names)
    named = {r.get("fixed", {}).get("room") for r in data["requests"]} | {
        d.get("home_room") for d in data["delegations"]}
    used = Counter(m["room"] for m in schedule["meetings"] if m["room"] not in named)
    busiest_room = used.most_common(1)[0][0]
    # the first programme item of day 2 (or of day 1), an hour later
    days = [d["date"] for d in data["event"]["days"]]
    items = sorted(data.get("programme", []), key=lambda p: p["start"])
    item = next((p for p in items if p["start"].startswith(days[-1])), items[0] if items else None)
    out = {
        "leaves": withdrawn(leaves_after_day(data, leaving, 0), gone),
        "withdrawn": withdrawn(data, gone),
        "added": added(data, new),
        "room_closed": room_closed(data, busiest_room, 0),
    }
    if item is not None:
        out["programme_moved"] = programme_moved(data, item["id"], 60)
    # the second busiest delegation (another than the one leaving) arrives at noon on the first day
    late = busiest(data, besides=leaving)
    out["arrives_late"] = arrives_late(data, late, 0, 12)
    return out
