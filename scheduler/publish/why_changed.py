"""Why each meeting of a re-plan changed against the previous publication, in the office's words and in words
its parties may read.

A published meeting either had to change (the new input no longer allows its earlier room and time: the
independent validator names the rule it would break there, or its request was withdrawn or changed) or
changed by the re-plan's choice, to make room: the meetings that took its earlier time (sharing a party
or its room) are named for the office; its parties read only that it made room for another meeting. A new
meeting is a new request, or one that was left out before and now fits.

The parties' words name no other delegation, no other meeting and no priority: only the meeting's own
parties, rooms and times, and the kind of change to the event that forced it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.check.reading import Placed
from scheduler.check.rules import RULE_CHECKS, once
from scheduler.contract import rule_names as rule
from scheduler.contract.document import CancelledMeeting, ScheduledMeeting, ScheduleDocument
from scheduler.contract.domain import Conference

# What a meeting's parties read when the new input no longer allows its earlier room and time, by the rule
# it would break there: the kind of change, never who else is concerned.
_FORCED_FOR_PARTIES = {
    rule.DAY_HOURS_AND_GRID: "the day's hours for meetings changed",
    rule.PRESENCE: "a party is no longer available at the earlier time",
    rule.ONE_PLACE_AT_A_TIME: "a programme item now takes the earlier time",
    rule.ROOM_USE: "the earlier room is no longer available then",
    rule.DAILY_LOAD: "a party's daily limit of meetings changed",
    rule.INTERPRETERS: "no interpreters are free at the earlier time",
}
_ROOM_NO_LONGER_SUITS = "the earlier room no longer suits it"
MADE_ROOM_FOR_PARTIES = "moved to make room for another meeting"
MOVED_FOR_PARTIES = "moved by the re-plan"


@dataclass(frozen=True)
class Why:
    """The reason of one change: `office` for the host's office, `party` for the meeting's parties."""

    office: str
    party: str


def why_changed(
    conference: Conference,
    previous: ScheduleDocument,
    meetings: Iterable[ScheduledMeeting],
    cancelled: Iterable[CancelledMeeting],
    unscheduled: dict[str, tuple[str, str | None]],
) -> dict[str, Why]:
    """The reason of every meeting marked `moved` or `new` in `meetings` and of every meeting of `previous`
    in `cancelled` (cancelled now), by request. `unscheduled`: the office's and the parties' reason of each
    request left out."""
    meetings = list(meetings)
    before = {m.request: m for m in previous.meetings}
    left_out_before = {u.request for u in previous.unscheduled}
    changed = {m.request for m in meetings if m.change in ("moved", "new")}
    out: dict[str, Why] = {}
    for m in meetings:
        if m.change == "moved":
            out[m.request] = _forced(conference, before[m.request]) or _made_room(conference, m, before, meetings,
                                                                                 changed)
        elif m.change == "new":
            out[m.request] = (Why("left out of the previous version; it fits now", "newly scheduled")
                              if m.request in left_out_before else Why("a new request", "newly scheduled"))
    for c in cancelled:
        if c.request in before:
            out[c.request] = _dropped(conference, before[c.request], meetings, before, changed, unscheduled)
    return out


def _forced(conference: Conference, old: ScheduledMeeting) -> Why | None:
    """Why the new input no longer allows a published meeting where it was (None: it still does)."""
    requests = {r.id: r for r in conference.requests}
    request = requests.get(old.request)
    if request is None:
        return Why("the request was withdrawn", "the request was withdrawn")
    rooms = {r.id: r for r in conference.rooms}
    if old.room not in rooms:
        return Why(f"room {old.room} is no longer in use", "the earlier room is no longer in use")
    start, end = conference.clock.to_minute(old.starts_at), conference.clock.to_minute(old.ends_at)
    if set(old.parties) != set(request.parties) or end - start != request.duration:
        return Why("the request changed (its parties or length)", "the request changed (its parties or length)")
    placed = [Placed(0, request, old.room, rooms[old.room], start, end)]
    alone = dataclasses.replace(conference, requests=(request,), _index={})  # the other requests' rules aside
    for check in RULE_CHECKS:
        if check is once:  # about the whole schedule, not this meeting alone
            continue
        violations = check(alone, placed)
        if violations:
            v = violations[0]
            party = _FORCED_FOR_PARTIES.get(v.rule, _ROOM_NO_LONGER_SUITS)
            return Why(f"had to move: {v.message}", f"had to move: {party}")
    return None


def _took_its_place(
    conference: Conference, old: ScheduledMeeting, meetings: list[ScheduledMeeting], changed: set[str]
) -> list[ScheduledMeeting]:
    """The meetings now held at a published meeting's earlier time that changed too (moved there or new),
    sharing one of its parties or its room."""
    gap = max(conference.event.changeover_minutes, conference.event.room_turnover_minutes)
    a, b = conference.clock.to_minute(old.starts_at), conference.clock.to_minute(old.ends_at)
    out = []
    for m in meetings:
        if m.request == old.request or m.request not in changed:
            continue
        s, e = conference.clock.to_minute(m.starts_at), conference.clock.to_minute(m.ends_at)
        if s < b + gap and a < e + gap and (m.room == old.room or set(m.parties) & set(old.parties)):
            out.append(m)
    return out


def _made_room(
    conference: Conference, now: ScheduledMeeting, before: dict[str, ScheduledMeeting],
    meetings: list[ScheduledMeeting], changed: set[str],
) -> Why:
    """A published meeting the re-plan chose to move: what took its earlier time, for the office."""
    took = _took_its_place(conference, before[now.request], meetings, changed)
    if not took:
        return Why("moved by the re-plan (nothing that changed took its earlier time)", MOVED_FOR_PARTIES)
    names = ", ".join(f"{m.request} ({m.change})" for m in took)
    return Why(f"moved to make room for {names}", MADE_ROOM_FOR_PARTIES)


def _dropped(
    conference: Conference, old: ScheduledMeeting, meetings: list[ScheduledMeeting],
    before: dict[str, ScheduledMeeting], changed: set[str], unscheduled: dict[str, tuple[str, str | None]],
) -> Why:
    """A published meeting no longer held: withdrawn, no longer possible, or dropped to make room."""
    forced = _forced(conference, old)
    office, party = unscheduled.get(old.request, ("left out", None))
    party = party or "no time and room could be found for it"
    if forced is not None and forced.office == "the request was withdrawn":
        return forced
    if forced is not None:
        return Why(f"{forced.office.removeprefix('had to move: ')}; then {office}",
                   f"{forced.party.removeprefix('had to move: ')}; {party}")
    took = _took_its_place(conference, old, meetings, changed)
    names = ", ".join(f"{m.request} ({m.change})" for m in took)
    made_room = f"dropped to make room for {names}" if took else "dropped so that the re-plan holds more"
    return Why(f"{made_room}; {office}", "dropped to make room for other meetings")
