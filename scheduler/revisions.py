"""Identity of published meetings across re-solves: SEQUENCE, LAST-MODIFIED and the cancelled ones.

Calendar clients update an event in place when its UID stays the same and its SEQUENCE grows; they
duplicate it when the UID changes, and they keep showing it when it simply vanishes from a feed. So every
publication carries, in `schedule.json` itself (optional fields the contract allows):

- per meeting `sequence` (int) and `last_modified` (ISO 8601 UTC, e.g. "2024-10-30T12:00:00Z"), which
  become the VEVENT's SEQUENCE, LAST-MODIFIED and DTSTAMP;
- a top-level `cancelled` list: meetings of earlier publications that are no longer scheduled, in the
  shape of `meetings` (with `sequence` and `last_modified`), published as STATUS:CANCELLED.

`carry_identity` computes them from the previous publication's `schedule.json`. It is pure: the moment of
publication is a parameter (the CLI reads the clock, nothing here does).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from scheduler.domain import Conference

IDENTITY_KEYS = ("sequence", "last_modified")
_MEETING_KEYS = ("request", "parties", "room", "start", "end")


class BadPrevious(ValueError):
    """The previous schedule cannot be used: `problems` name what is wrong, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def format_utc(moment: datetime) -> str:
    """An aware datetime as ISO 8601 UTC to the second: "2024-10-30T12:00:00Z"."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{moment.isoformat()} has no time zone; the publication time must be aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_utc(text: str) -> datetime:
    """Read a `last_modified` value (ISO 8601 with `Z` or an offset) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return moment.astimezone(UTC)


def read_previous(text: str | bytes) -> dict:
    """Parse and check a previous `schedule.json`; raises BadPrevious naming every problem."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadPrevious([f"not JSON: {exc}"]) from None
    check_previous(document)
    return document


def check_previous(document: object) -> None:
    """What `carry_identity` needs of a previous schedule: its meetings and cancelled meetings, well formed."""
    if not isinstance(document, dict):
        raise BadPrevious([f"a schedule must be a JSON object, not {type(document).__name__}"])
    problems: list[str] = []
    if "meetings" not in document:
        problems.append("meetings: is required")
    for key in ("meetings", "cancelled"):
        entries = document.get(key, [])
        if not isinstance(entries, list):
            problems.append(f"{key}: expected a list")
            continue
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            problems += _entry_problems(f"{key}[{i}]", entry, require_identity=key == "cancelled")
            if isinstance(entry, dict) and isinstance(entry.get("request"), str):
                if entry["request"] in seen:
                    problems.append(f"{key}[{i}].request: {entry['request']!r} is listed twice")
                seen.add(entry["request"])
    if not problems:
        both = {m["request"] for m in document["meetings"]} & {c["request"] for c in document.get("cancelled", [])}
        problems += [f"cancelled: {rid!r} is also in meetings" for rid in sorted(both)]
    if problems:
        raise BadPrevious(problems)


def _entry_problems(path: str, entry: object, require_identity: bool) -> list[str]:
    if not isinstance(entry, dict):
        return [f"{path}: expected an object"]
    problems = []
    for key in ("request", "room"):
        if not isinstance(entry.get(key), str):
            problems.append(f"{path}.{key}: expected a string")
    parties = entry.get("parties")
    if not isinstance(parties, list) or not all(isinstance(p, str) for p in parties):
        problems.append(f"{path}.parties: expected a list of strings")
    for key in ("start", "end"):
        value = entry.get(key)
        try:
            if datetime.fromisoformat(value).tzinfo is None:  # type: ignore[arg-type]
                problems.append(f"{path}.{key}: {value!r} has no UTC offset")
        except (TypeError, ValueError):
            problems.append(f"{path}.{key}: not an ISO 8601 date and time: {value!r}")
    if "sequence" in entry or require_identity:
        sequence = entry.get("sequence")
        if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
            problems.append(f"{path}.sequence: expected an integer >= 0, got {sequence!r}")
    if "last_modified" in entry or require_identity:
        value = entry.get("last_modified")
        try:
            parse_utc(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            problems.append(f"{path}.last_modified: expected an ISO 8601 UTC time, got {value!r}")
    return problems


def latest_change(previous: dict) -> datetime | None:
    """The latest `last_modified` of a (checked) previous schedule, if it has any."""
    entries = [*previous.get("meetings", []), *previous.get("cancelled", [])]
    return max((parse_utc(e["last_modified"]) for e in entries if "last_modified" in e), default=None)


def check_publication_time(previous: dict | None, published_at: datetime) -> None:
    """A publication is never older than a change it follows (DTSTAMP and LAST-MODIFIED only grow)."""
    stamp = format_utc(published_at)
    latest = latest_change(previous) if previous else None
    if latest is not None and parse_utc(stamp) < latest:
        raise ValueError(f"the publication time {stamp} is before a change already published ({format_utc(latest)})")


def _same_placement(a: dict, b: dict) -> bool:
    """Same room, same instants and same parties: the published event says the same."""
    return (
        a["room"] == b["room"]
        and datetime.fromisoformat(a["start"]) == datetime.fromisoformat(b["start"])
        and datetime.fromisoformat(a["end"]) == datetime.fromisoformat(b["end"])
        and sorted(a["parties"]) == sorted(b["parties"])
    )


def _with_identity(entry: dict, sequence: int, last_modified: str) -> dict:
    out = {k: copy.deepcopy(entry[k]) for k in _MEETING_KEYS}
    out.update(sequence=sequence, last_modified=last_modified)
    return out


def carry_identity(conference: Conference, document: dict, previous: dict | None, published_at: datetime) -> dict:
    """A copy of `document` (a schedule.json) with `sequence`/`last_modified` per meeting and a `cancelled` list.

    Against the previous publication (`previous`, its schedule.json, or None for the first one):
    - a meeting of the same request with the same room, start, end and parties keeps the previous
      `sequence` and `last_modified` (its VEVENT is byte-identical);
    - one that moved (time or room) gets sequence + 1 and `last_modified` = `published_at`;
    - a new one gets sequence 0 (one that was cancelled before and comes back: that sequence + 1);
    - a previous meeting no longer scheduled joins `cancelled` with sequence + 1 and `published_at`;
      earlier cancelled meetings stay there unchanged.
    `published_at` (aware) is the moment of this publication, kept to the second. `conference` (the current
    input) is not needed by the rules above; it is taken so that callers need not change if they grow.
    Raises BadPrevious when `previous` is malformed, or ValueError when `published_at` is naive or earlier than
    a change already published.
    """
    stamp = format_utc(published_at)
    previous = previous or {}
    if previous:
        check_previous(previous)
    check_publication_time(previous, published_at)
    old_meetings = {m["request"]: m for m in previous.get("meetings", [])}
    old_cancelled = {c["request"]: c for c in previous.get("cancelled", [])}

    meetings = []
    for meeting in document["meetings"]:
        rid = meeting["request"]
        if rid in old_meetings:
            old = old_meetings[rid]
            sequence = old.get("sequence", 0)
            if _same_placement(meeting, old) and "last_modified" in old:
                meetings.append(_with_identity(meeting, sequence, old["last_modified"]))
            elif _same_placement(meeting, old):
                meetings.append(_with_identity(meeting, sequence, stamp))
            else:
                meetings.append(_with_identity(meeting, sequence + 1, stamp))
        elif rid in old_cancelled:
            meetings.append(_with_identity(meeting, old_cancelled[rid]["sequence"] + 1, stamp))
        else:
            meetings.append(_with_identity(meeting, 0, stamp))

    scheduled = {m["request"] for m in meetings}
    cancelled = [
        _with_identity(old, old.get("sequence", 0) + 1, stamp)
        for rid, old in old_meetings.items()
        if rid not in scheduled
    ]
    cancelled += [copy.deepcopy(c) for rid, c in old_cancelled.items() if rid not in scheduled]
    cancelled.sort(key=lambda c: (datetime.fromisoformat(c["start"]), c["request"]))

    out: dict = {}
    for key, value in document.items():
        if key == "cancelled":
            continue
        out[key] = meetings if key == "meetings" else copy.deepcopy(value)
        if key == "unscheduled":
            out["cancelled"] = cancelled
    out.setdefault("cancelled", cancelled)
    return out


def has_identity(document: dict) -> bool:
    """True when every meeting and cancelled meeting carries `sequence` and `last_modified`."""
    entries = [*document.get("meetings", []), *document.get("cancelled", [])]
    return all(all(k in e for k in IDENTITY_KEYS) for e in entries)
