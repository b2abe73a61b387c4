"""Readable reports of a schedule: a CSV of all meetings and an agenda per delegation, in local time."""

from __future__ import annotations

import pandas as pd

from scheduler.domain import Conference, Meeting
from scheduler.solve import Outcome


def meetings_table(conference: Conference, meetings: tuple[Meeting, ...] | list[Meeting]) -> pd.DataFrame:
    """One row per meeting, in time order, with local dates and times."""
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


def schedule_csv(conference: Conference, outcome: Outcome) -> str:
    return meetings_table(conference, outcome.meetings).to_csv(index=False)


def delegation_agenda(conference: Conference, outcome: Outcome, delegation_id: str) -> str:
    """A Markdown agenda for one delegation: its meetings and programme items by day, and what was left out."""
    delegation = conference.delegation(delegation_id)
    clock = conference.clock
    lines = [
        f"# {delegation.name} — agenda",
        "",
        f"{conference.event.name}  ",
        f"Head of delegation: {delegation.head}",
        f"Times are local ({conference.event.timezone}).",
        "",
    ]
    own = [m for m in outcome.meetings if delegation_id in m.parties]
    items = conference.programme_of(delegation_id)
    for day in conference.event.days:
        entries = [
            (m.start, m.end, _meeting_line(conference, m, delegation_id)) for m in own if day.start <= m.start < day.end
        ]
        entries += [
            (p.start, p.end, f"{p.title}" + (f" — {conference.room(p.room).name}" if p.room else ""))
            for p in items
            if p.start < day.end and p.end > day.start
        ]
        lines += [f"## {day.date:%A %-d %B %Y}", ""]
        if not entries:
            lines += ["No commitments.", ""]
            continue
        lines += ["| time | commitment |", "|---|---|"]
        for start, end, text in sorted(entries):
            lines.append(f"| {clock.to_datetime(start):%H:%M}–{clock.to_datetime(end):%H:%M} | {text} |")
        lines.append("")
    left_out = [u for u in outcome.unscheduled if delegation_id in conference.request(u.request).parties]
    if left_out:
        lines += ["## Requests not scheduled", ""]
        lines += [f"- {u.request}: {u.reason}" for u in left_out]
        lines.append("")
    return "\n".join(lines)


def _meeting_line(conference: Conference, meeting: Meeting, reader: str) -> str:
    others = [conference.delegation(p) for p in meeting.parties if p != reader]
    who = ", ".join(f"{d.name} ({d.head})" for d in others)
    return f"Meeting with {who} — {conference.room(meeting.room).name}"
