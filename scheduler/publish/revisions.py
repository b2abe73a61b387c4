"""Identity of published meetings across re-solves: SEQUENCE, LAST-MODIFIED and the cancelled ones.

Calendar clients update an event in place when its UID stays the same and its SEQUENCE grows; they
duplicate it when the UID changes, and they keep showing it when it simply vanishes from a feed. So every
publication carries, in `schedule.json` itself (optional fields the contract allows):

- per meeting `sequence` (int) and `last_modified` (ISO 8601 UTC, e.g. "2024-10-30T12:00:00Z"), which
  become the VEVENT's SEQUENCE, LAST-MODIFIED and DTSTAMP;
- a top-level `cancelled` list: meetings of earlier publications that are no longer scheduled, in the
  shape of `meetings` (with `sequence` and `last_modified`), published as STATUS:CANCELLED.

`carry_identity` computes them from the previous publication's document. It is pure: the moment of
publication is a parameter (the CLI reads the clock, nothing here does).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from scheduler.contract.document import (
    BadDocument,
    CancelledMeeting,
    Changes,
    MovedFrom,
    ScheduledMeeting,
    ScheduleDocument,
    read_document,
)
from scheduler.contract.domain import Conference
from scheduler.contract.problems import Problem
from scheduler.publish.why_changed import why_changed


class BadPrevious(BadDocument):
    """The previous schedule cannot be used: `problems` name what is wrong, one `Problem` each."""


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


def read_previous(text: str | bytes) -> ScheduleDocument:
    """Parse and check a previous `schedule.json`; raises BadPrevious naming every problem."""
    try:
        document = read_document(text)
    except BadDocument as exc:
        raise BadPrevious(exc.problems) from None
    check_previous(document)
    return document


def identity_problems(document: ScheduleDocument) -> list[Problem]:
    """What the identity of a publication needs beyond its shape: each request once in `meetings`, once in
    `cancelled`, and never in both."""
    problems: list[Problem] = []
    for key, entries in (("meetings", document.meetings), ("cancelled", document.cancelled or ())):
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            if entry.request in seen:
                problems.append(Problem(f"{key}[{i}].request", f"{entry.request!r} is listed twice"))
            seen.add(entry.request)
    both = {m.request for m in document.meetings} & {c.request for c in document.cancelled or ()}
    problems += [Problem("cancelled", f"{rid!r} is also in meetings") for rid in sorted(both)]
    return problems


def check_previous(document: ScheduleDocument) -> None:
    """Raise BadPrevious unless `document` can carry identity into the next publication."""
    problems = identity_problems(document)
    if problems:
        raise BadPrevious(problems)


def latest_change(previous: ScheduleDocument) -> datetime | None:
    """The latest `last_modified` of a previous schedule, if it has any."""
    entries = [*previous.meetings, *(previous.cancelled or ())]
    return max((e.modified_at for e in entries if e.modified_at is not None), default=None)


def check_publication_time(previous: ScheduleDocument | None, published_at: datetime) -> None:
    """A publication is never older than a change it follows (DTSTAMP and LAST-MODIFIED only grow)."""
    stamp = format_utc(published_at)
    latest = latest_change(previous) if previous is not None else None
    if latest is not None and parse_utc(stamp) < latest:
        raise ValueError(f"the publication time {stamp} is before a change already published ({format_utc(latest)})")


# --- the difference between two versions ----------------------------------------------------------------

Kind = Literal["unchanged", "moved", "new", "cancelled"]
Place = Callable[[ScheduledMeeting], Hashable]
"""What of a meeting must stay the same for it to count as unchanged."""


def room_and_times(meeting: ScheduledMeeting) -> Hashable:
    """Where and when it is held: what a delegation is told moved (the default)."""
    return meeting.room, meeting.starts_at, meeting.ends_at


def calendar_event(meeting: ScheduledMeeting) -> Hashable:
    """Room, instants and parties: everything its calendar event says (a change of any is a new SEQUENCE)."""
    return meeting.room, meeting.starts_at, meeting.ends_at, tuple(sorted(meeting.parties))


def room_and_start(meeting: ScheduledMeeting) -> Hashable:
    """Room and start as written: what the desk's table of a solve's changes shows of a meeting."""
    return meeting.room, meeting.start


def change(before: ScheduledMeeting | None, after: ScheduledMeeting | None, same: Place = room_and_times) -> Kind:
    """What became of one request's meeting from one version to the next."""
    if before is None:
        return "new"
    if after is None:
        return "cancelled"
    return "unchanged" if same(before) == same(after) else "moved"


@dataclass(frozen=True)
class RequestChange:
    request: str
    kind: Kind
    before: ScheduledMeeting | None
    after: ScheduledMeeting | None


@dataclass(frozen=True)
class Difference:
    """Per request (in id order) what became of its meeting between two versions."""

    changes: tuple[RequestChange, ...]

    def of(self, kind: Kind) -> tuple[str, ...]:
        """The requests of one kind, in id order."""
        return tuple(c.request for c in self.changes if c.kind == kind)

    def count(self, kind: Kind) -> int:
        return len(self.of(kind))


def difference(
    before: Iterable[ScheduledMeeting], after: Iterable[ScheduledMeeting], same: Place = room_and_times
) -> Difference:
    """The one comparison of two versions' meetings: unchanged, moved, new or cancelled, per request.
    `same` says what must not change for a meeting to be unchanged (its callers differ: see the three above)."""
    old, new = {m.request: m for m in before}, {m.request: m for m in after}
    return Difference(tuple(
        RequestChange(rid, change(old.get(rid), new.get(rid), same), old.get(rid), new.get(rid))
        for rid in sorted(old.keys() | new.keys())
    ))


# --- carrying identity ---------------------------------------------------------------------------------


def _identified(meeting: ScheduledMeeting, sequence: int, last_modified: str) -> ScheduledMeeting:
    return meeting.model_copy(update={"sequence": sequence, "last_modified": last_modified})


def _cancelled(meeting: ScheduledMeeting, sequence: int, last_modified: str) -> CancelledMeeting:
    fields = meeting.model_dump(
        exclude={"sequence", "last_modified", "change", "moved_from", "change_reason", "change_party_reason"})
    return CancelledMeeting(**fields, sequence=sequence, last_modified=last_modified)


def _carried(
    meeting: ScheduledMeeting, old_meetings: dict[str, ScheduledMeeting], old_cancelled: dict[str, CancelledMeeting],
    stamp: str,
) -> ScheduledMeeting:
    """One meeting of the new publication with the identity the previous publication gives it, and what
    changed for it: `unchanged` (same room, start and end), `moved` (with where it was) or `new`."""
    old = old_meetings.get(meeting.request)
    if old is not None:
        sequence = old.sequence or 0
        moved = change(old, meeting) == "moved"
        marks = {"change": "moved", "moved_from": MovedFrom(room=old.room, start=old.start, end=old.end)} if moved \
            else {"change": "unchanged"}
        meeting = meeting.model_copy(update={"moved_from": None, "change_reason": None,
                                             "change_party_reason": None, **marks})
        if change(old, meeting, calendar_event) == "moved":
            return _identified(meeting, sequence + 1, stamp)
        return _identified(meeting, sequence, old.last_modified or stamp)
    meeting = meeting.model_copy(update={"change": "new", "moved_from": None, "change_reason": None,
                                         "change_party_reason": None})
    gone = old_cancelled.get(meeting.request)
    return _identified(meeting, 0 if gone is None else gone.sequence + 1, stamp)


def carry_identity(
    conference: Conference, document: ScheduleDocument, previous: ScheduleDocument | None, published_at: datetime
) -> ScheduleDocument:
    """`document` with `sequence`/`last_modified` per meeting and a `cancelled` list.

    Against the previous publication (`previous`, or None for the first one):
    - a meeting of the same request with the same room, start, end and parties keeps the previous
      `sequence` and `last_modified` (its VEVENT is byte-identical);
    - one that moved (time or room) gets sequence + 1 and `last_modified` = `published_at`;
    - a new one gets sequence 0 (one that was cancelled before and comes back: that sequence + 1);
    - a previous meeting no longer scheduled joins `cancelled` with sequence + 1 and `published_at`;
      earlier cancelled meetings stay there unchanged.
    Identity fields already in `document` are replaced. `published_at` (aware) is the moment of this
    publication, kept to the second. `conference` (the current input) is not needed by the rules above; it
    is taken so that callers need not change if they grow. Raises BadPrevious when `previous` lists a request
    twice, or ValueError when `published_at` is naive or earlier than a change already published.
    """
    stamp = format_utc(published_at)
    if previous is not None:
        check_previous(previous)
    check_publication_time(previous, published_at)
    old_meetings = {m.request: m for m in previous.meetings} if previous is not None else {}
    old_cancelled = {c.request: c for c in previous.cancelled or ()} if previous is not None else {}
    meetings = tuple(_carried(m, old_meetings, old_cancelled, stamp) for m in document.meetings)
    scheduled = {m.request for m in meetings}
    cancelled = [
        _cancelled(old, (old.sequence or 0) + 1, stamp) for rid, old in old_meetings.items() if rid not in scheduled
    ]
    if previous is not None:
        meetings, cancelled = _with_reasons(conference, previous, document, meetings, cancelled)
    cancelled += [c for rid, c in old_cancelled.items() if rid not in scheduled]
    cancelled.sort(key=lambda c: (c.starts_at, c.request))
    departed = _departed(meetings, old_meetings, previous.departed or () if previous is not None else ())
    update = {"meetings": meetings, "cancelled": tuple(cancelled), "departed": departed or None}
    if previous is None:  # a first publication: nothing changed against anything
        update["meetings"] = tuple(m.model_copy(update={"change": None, "moved_from": None}) for m in meetings)
    elif document.solve is not None:
        update["solve"] = document.solve.model_copy(update={"changes": _changes(meetings, previous.meetings)})
    return document.model_copy(update=update)


def _with_reasons(
    conference: Conference, previous: ScheduleDocument, document: ScheduleDocument,
    meetings: tuple[ScheduledMeeting, ...], cancelled: list[CancelledMeeting],
) -> tuple[tuple[ScheduledMeeting, ...], list[CancelledMeeting]]:
    """The moved, new and newly cancelled meetings with why (`scheduler.publish.why_changed`)."""
    left_out = {u.request: (u.reason, u.party_reason) for u in document.unscheduled}
    why = why_changed(conference, previous, meetings, cancelled, left_out)

    def told(meeting):
        reason = why.get(meeting.request)
        if reason is None:
            return meeting
        return meeting.model_copy(update={"change_reason": reason.office, "change_party_reason": reason.party})

    return tuple(told(m) for m in meetings), [told(c) for c in cancelled]


def _changes(meetings: tuple[ScheduledMeeting, ...], previous: Iterable[ScheduledMeeting]) -> Changes:
    """The counts of a re-plan against the version it re-plans."""
    diff = difference(previous, meetings)
    return Changes(**{kind: diff.count(kind) for kind in ("unchanged", "moved", "new", "cancelled")})


def _departed(
    meetings: tuple[ScheduledMeeting, ...], old_meetings: dict[str, ScheduledMeeting],
    earlier: tuple[CancelledMeeting, ...],
) -> tuple[CancelledMeeting, ...]:
    """Earlier placements of meetings that moved to another room or changed parties: the feeds that showed
    them there must cancel them there. Kept across publications (a client may not have refreshed between
    two), except where the meeting is back in that very room with those very parties."""
    now = {m.request: m for m in meetings}
    out = {(d.request, d.room, tuple(sorted(d.parties))): d for d in earlier}
    for rid, meeting in now.items():
        old = old_meetings.get(rid)
        if old is not None and (old.room != meeting.room or sorted(old.parties) != sorted(meeting.parties)):
            out[rid, old.room, tuple(sorted(old.parties))] = _cancelled(old, meeting.sequence, meeting.last_modified)
    kept = [d for (rid, room, parties), d in out.items()
            if rid in now and (now[rid].room, tuple(sorted(now[rid].parties))) != (room, parties)]
    return tuple(sorted(kept, key=lambda d: (d.starts_at, d.request, d.room)))
