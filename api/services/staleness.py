"""Whether a solve was made from the event as it is now, and if not, what changed since, in the office's words.

A solve reads the setting and the accepted requests once, when it is asked for (`SolveRow.input`), and the
published version it re-plans from (`previous_version`). Publishing it later would publish a schedule of
that older state (a delegation that now leaves at 17:00 still meeting at 16:45): so the service compares
the solve's input with the input a solve asked now would read, item by item, and names what moved.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.storage import repo
from api.storage.models import EventRow, SolveRow, VersionRow

# A contract field in words; (list, field) where one list means something else by it.
FIELD_WORDS: dict[str | tuple[str, str], str] = {
    # the event
    "days": "days and hours", "timezone": "time zone", "slot_minutes": "slot length",
    "changeover_minutes": "changeover time", "room_turnover_minutes": "room turnover time",
    "interpreter_teams": "interpreter teams", "interpreters": "interpreter pools",
    "travel_minutes": "travel times between buildings", "name": "name", "id": "identity",
    # delegations
    "available": "available times (arrival and departure)", "max_meetings_per_day": "daily limit",
    "home_room": "home room", "size": "size", "languages": "languages", "level": "level", "head": "head",
    "principals": "principals",
    # rooms (a room's closures are the windows missing from its `available`)
    ("rooms", "available"): "closures", "capacity": "capacity", "features": "features",
    "reserved_for": "reserved delegation", "building": "building",
    # programme items
    "title": "title", "start": "times", "end": "times", "attendees": "attendees", "room": "room",
    # requests
    "parties": "parties", "priority": "priority", "duration_minutes": "minutes", "fixed": "pin",
    "mandatory": "mandatory", "window": "window", "preferred": "preferred times", "requires": "required features",
    "seats": "seats", "host": "host", "attending": "attending principals",
}

# each list of the input: what one of its items is called, and the field that names it beside its id
LISTS: dict[str, tuple[str, str | None]] = {
    "delegations": ("delegation", "name"),
    "rooms": ("room", "name"),
    "programme": ("programme item", "title"),
}


def changes_since(solve: SolveRow, event: EventRow, current_input: dict,
                  published_as: int | None = None) -> list[str]:
    """What changed since the solve read the event, naming each item (empty: the solve is of the event as it
    is now). `current_input` is what a solve asked now would read (`repo.contract_input` of the accepted
    requests); `published_as`, the version this solve was published as, if it was."""
    before, now = _plain(solve.input), _plain(current_input)
    found: list[str] = []
    if before != now:
        found += _item_changes("the event", before.get("event") or {}, now.get("event") or {}, "event")
        for name, (kind, label) in LISTS.items():
            found += _list_changes(name, kind, label, before.get(name) or [], now.get(name) or [])
        found += _request_changes(before.get("requests") or [], now.get("requests") or [])
    return _publication(solve, event, published_as) + found


def _plain(data: dict) -> dict:
    """The input as JSON reads it back (tuples, numbers and key order as stored)."""
    return json.loads(json.dumps(data))


def _fields(kind: str, before: dict, now: dict) -> list[str]:
    """The fields that differ between two versions of one item, in words, each once, in the contract's order."""
    words: list[str] = []
    for field in [*before, *(k for k in now if k not in before)]:
        if before.get(field) != now.get(field):
            word = FIELD_WORDS.get((kind, field)) or FIELD_WORDS.get(field) or field.replace("_", " ")
            if word not in words:
                words.append(word)
    return words


def _item_changes(what: str, before: dict, now: dict, kind: str) -> list[str]:
    words = _fields(kind, before, now)
    return [f"{what}: its {', '.join(words)} changed"] if words else []


def _by_id(items: Iterable[dict]) -> dict[str, dict]:
    return {item.get("id", ""): item for item in items}


def _named(kind: str, label: str | None, item: dict) -> str:
    """"delegation HUN (Hungary)": its id, and its name where it has one."""
    name = item.get(label) if label else None
    return f"{kind} {item.get('id')}" + (f" ({name})" if name and name != item.get("id") else "")


def _list_changes(name: str, kind: str, label: str | None, before: list[dict], now: list[dict]) -> list[str]:
    """Items added, removed or changed (which fields) in one list of the setting."""
    old, new = _by_id(before), _by_id(now)
    found = [f"{_named(kind, label, new[i])} added" for i in new if i not in old]
    found += [f"{_named(kind, label, old[i])} removed" for i in old if i not in new]
    for i in (i for i in new if i in old):
        found += _item_changes(_named(kind, label, new[i]), old[i], new[i], name)
    return found


def _request_changes(before: list[dict], now: list[dict]) -> list[str]:
    """Accepted requests added, changed (which fields), or no longer among the accepted ones."""
    old, new = _by_id(before), _by_id(now)
    found = [f"request {i} added" for i in new if i not in old]
    for i in (i for i in new if i in old):
        found += _item_changes(f"request {i}", old[i], new[i], "requests")
    found += [f"request {i} no longer accepted (withdrawn or declined)" for i in old if i not in new]
    return found


def _publication(solve: SolveRow, event: EventRow, published_as: int | None) -> list[str]:
    """A version published since the solve read the published state: its schedule would undo that one."""
    if published_as is not None:
        return [f"already published as version {published_as}"]
    read = solve.previous_version or 0
    if event.published_version == read:
        return []
    return [f"version {event.published_version} was published after this solve read "
            + (f"version {read}" if read else "none")]


@dataclass(frozen=True)
class Now:
    """What the event is now, read once for any number of its solves (a listing compares each with it)."""

    event: EventRow
    input: dict
    published: dict[str, int]  # solve id -> the version it was first published as

    @classmethod
    def read(cls, session: Session, event: EventRow) -> Now:
        """The input a solve asked now would read, and which solves are published (one query each)."""
        data = repo.contract_input(event, repo.requests_of(session, event.id, ("accepted",)))
        numbers = session.execute(select(VersionRow.solve_id, func.min(VersionRow.number))
                                  .where(VersionRow.event_id == event.id).group_by(VersionRow.solve_id))
        return cls(event, data, {solve_id: number for solve_id, number in numbers})

    def changes(self, solve: SolveRow) -> list[str]:
        return changes_since(solve, self.event, self.input, self.published.get(solve.id))
