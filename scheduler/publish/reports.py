"""Readable reports of a schedule: a CSV of all meetings and an agenda per delegation, in local time.

Everything here is built from the schedule document (what schedule.json says), and both agendas, this
Markdown one and the printable HTML one (`scheduler.publish.office`), are rendered from the same `Agenda`, so they
say the same. An agenda is handed to its delegation as it is, so it holds only what that delegation may
learn (`scheduler.publish.delegation_view` decides it): its own meetings and requests, the reasons its requests
were left out in words that name no other delegation (`party_reason`), its cancelled meetings, and the
programme items it attends while it is there.
Against a previous publication each of its meetings says whether it is new or where it was before it moved
(`change_note`); a first publication, and a meeting that stayed, read exactly as they always did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from scheduler.contract.document import CancelledMeeting, MovedFrom, ScheduledMeeting, ScheduleDocument
from scheduler.contract.domain import Conference, Day, Delegation, Meeting, ProgrammeItem
from scheduler.publish.delegation_view import LeftOut, delegation_view

if TYPE_CHECKING:  # pandas is loaded where a table is made: the service's web processes start without it
    import pandas as pd


def document_meetings(conference: Conference, document: ScheduleDocument) -> list[Meeting]:
    """The meetings of a schedule document in minutes, in time order."""
    return _in_minutes(conference, document.meetings)


def _in_minutes(conference: Conference, scheduled: Iterable[ScheduledMeeting]) -> list[Meeting]:
    clock = conference.clock
    meetings = [
        Meeting(
            request=m.request,
            parties=m.parties,
            room=m.room,
            start=clock.to_minute(m.starts_at),
            end=clock.to_minute(m.ends_at),
        )
        for m in scheduled
    ]
    return sorted(meetings, key=lambda m: (m.start, m.room, m.request))


def meetings_table(conference: Conference, meetings: tuple[Meeting, ...] | list[Meeting]) -> pd.DataFrame:
    """One row per meeting, in time order, with local dates and times."""
    import pandas as pd

    clock = conference.clock
    rows = []
    for m in sorted(meetings, key=lambda m: (m.start, m.room)):
        request = conference.request(m.request)
        start, end = clock.to_datetime(m.start), clock.to_datetime(m.end)
        rows.append(
            {
                "date": start.date().isoformat(),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M"),
                "utc_offset": start.strftime("%z"),
                "request": m.request,
                "parties": " – ".join(conference.delegation(p).name for p in m.parties),
                "heads": "; ".join(conference.delegation(p).head for p in m.parties),
                "room": conference.room(m.room).name,
                "room_id": m.room,
                "duration_minutes": m.end - m.start,
                "priority": request.priority,
                "seats": request.seats,
                "mandatory": request.mandatory,
                "pinned": request.pinned,
            }
        )
    columns = [
        "date",
        "start",
        "end",
        "utc_offset",
        "request",
        "parties",
        "heads",
        "room",
        "room_id",
        "duration_minutes",
        "priority",
        "seats",
        "mandatory",
        "pinned",
    ]
    return pd.DataFrame(rows, columns=columns)


def schedule_csv(conference: Conference, document: ScheduleDocument) -> str:
    """schedule.csv: the office's table of every meeting (with priorities: it is not for the delegations)."""
    return meetings_table(conference, document_meetings(conference, document)).to_csv(index=False)


# --- one delegation's agenda ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaLine:
    """One commitment of the day: a meeting of the delegation or a programme item it attends."""

    start: int
    end: int
    meeting: Meeting | None = None
    item: ProgrammeItem | None = None
    note: str | None = None  # of a meeting against the previous publication: see `change_note`


@dataclass(frozen=True)
class AgendaDay:
    day: Day
    lines: tuple[AgendaLine, ...]  # in time order, a meeting before an item starting with it


@dataclass(frozen=True)
class Agenda:
    """What one delegation is told: its commitments by day, its requests left out, its cancelled meetings."""

    delegation: Delegation
    days: tuple[AgendaDay, ...]
    left_out: tuple[LeftOut, ...]
    cancelled: tuple[CancelledMeeting, ...]


def while_present(delegation: Delegation, item: ProgrammeItem) -> bool:
    """The delegation is at the event during part of the item: it overlaps one of its available windows (a
    delegation without `available` is always there). A closing session after its departure is not its."""
    if delegation.available is None:
        return True
    return any(w.start < item.end and item.start < w.end for w in delegation.available)


def _on_day(day: Day, start: int, end: int) -> bool:
    return start < day.end and end > day.start


def agenda(conference: Conference, document: ScheduleDocument, delegation_id: str) -> Agenda:
    """The agenda of one delegation, from the schedule document."""
    delegation = conference.delegation(delegation_id)
    view = delegation_view(document, delegation_id, {r.id: r.parties for r in conference.requests})
    own = _in_minutes(conference, view.meetings)
    # the note of a meeting speaks only of that meeting (its own earlier place), so it stays confidential
    notes = {m.request: change_note(conference, m) for m in view.meetings}
    items = [p for p in conference.programme_of(delegation_id) if while_present(delegation, p)]
    days = []
    for day in conference.event.days:
        lines = [
            AgendaLine(m.start, m.end, meeting=m, note=notes.get(m.request))
            for m in own
            if day.start <= m.start < day.end
        ]
        lines += [AgendaLine(p.start, p.end, item=p) for p in items if _on_day(day, p.start, p.end)]
        lines.sort(key=lambda line: (line.start, line.meeting is None, line.end, _label(line)))
        days.append(AgendaDay(day, tuple(lines)))
    return Agenda(delegation, tuple(days), view.left_out, view.cancelled)


def change_note(conference: Conference, meeting: ScheduledMeeting) -> str | None:
    """What a re-publication says of a meeting: "new", "moved from <what was different>" or None (it stayed,
    or this is a first publication, which has nothing to compare with)."""
    if meeting.change == "new":
        return "new"
    if meeting.change != "moved" or meeting.moved_from is None:
        return None
    parts = _was(conference, meeting, meeting.moved_from)
    note = "moved from " + ", ".join(parts) if parts else "moved"
    # why, in words its parties may read (a re-plan's: scheduler.publish.why_changed)
    return note if meeting.change_party_reason is None else f"{note}: {meeting.change_party_reason}"


def _was(conference: Conference, meeting: ScheduledMeeting, was: MovedFrom) -> list[str]:
    """The parts of the earlier placement that differ from the current one: its local time, its room's name.
    The earlier end is named only when the length changed (otherwise the start says it all)."""
    zone = conference.clock.zone
    start, end = (datetime.fromisoformat(t).astimezone(zone) for t in (was.start, was.end))
    parts = []
    if (start, end) != (meeting.starts_at, meeting.ends_at):
        same_length = end - start == meeting.ends_at - meeting.starts_at
        parts.append(f"{start.day} {start:%b %H:%M}" + ("" if same_length else f"–{end:%H:%M}"))
    if was.room != meeting.room:
        # the earlier room may have left the input since: its id is all there is to name it then
        parts.append({r.id: r.name for r in conference.rooms}.get(was.room, was.room))
    return parts


def _label(line: AgendaLine) -> str:
    return line.meeting.request if line.meeting is not None else line.item.id


def cancelled_line(conference: Conference, meeting: CancelledMeeting, reader: str) -> tuple[datetime, list[str]]:
    """When a cancelled meeting was to start (local) and who the reader was to meet (names)."""
    start = meeting.starts_at.astimezone(conference.clock.zone)
    names = {d.id: d.name for d in conference.delegations}
    return start, [names.get(p, p) for p in meeting.parties if p != reader]


def delegation_agenda(conference: Conference, document: ScheduleDocument, delegation_id: str) -> str:
    """A Markdown agenda for one delegation: its meetings and programme items by day, and what was left out."""
    plan = agenda(conference, document, delegation_id)
    delegation = plan.delegation
    clock = conference.clock
    lines = [
        f"# {delegation.name} — agenda",
        "",
        f"{conference.event.name}  ",
        f"Head of delegation: {delegation.head}",
        f"Times are local ({conference.event.timezone}).",
        "",
    ]
    for day in plan.days:
        lines += [f"## {day.day.date:%A %-d %B %Y}", ""]
        if not day.lines:
            lines += ["No commitments.", ""]
            continue
        lines += ["| time | commitment |", "|---|---|"]
        for line in day.lines:
            if line.meeting is not None:
                text = _meeting_line(conference, line.meeting, delegation_id)
                text += f" ({line.note})" if line.note else ""
            else:
                text = _item_line(conference, line.item)
            lines.append(f"| {clock.to_datetime(line.start):%H:%M}–{clock.to_datetime(line.end):%H:%M} | {text} |")
        lines.append("")
    if plan.left_out:
        lines += ["## Requests not scheduled", ""]
        lines += [f"- {u.request}: {u.reason}" for u in plan.left_out]
        lines.append("")
    if plan.cancelled:
        lines += ["## Cancelled since an earlier publication", ""]
        for c in plan.cancelled:
            start, others = cancelled_line(conference, c, delegation_id)
            why = "" if c.change_party_reason is None else f": {c.change_party_reason}"
            lines.append(f"- {start:%d %b %H:%M}: with {', '.join(others)} ({c.request}){why}")
        lines.append("")
    return "\n".join(lines)


def _meeting_line(conference: Conference, meeting: Meeting, reader: str) -> str:
    others = [conference.delegation(p) for p in meeting.parties if p != reader]
    who = ", ".join(f"{d.name} ({d.head})" for d in others)
    return f"Meeting with {who} — {conference.room(meeting.room).name}"


def _item_line(conference: Conference, item: ProgrammeItem) -> str:
    return item.title + (f" — {conference.room(item.room).name}" if item.room else "")
