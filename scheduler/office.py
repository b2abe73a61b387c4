"""Readable outputs for the protocol office: the room plan per day (HTML and PNG), a printable agenda per
delegation (HTML) and an Excel workbook of all meetings.

Everything here reads the schedule as published (a schedule.json document) and returns text or bytes;
the CLI writes the files. All times are local to the event. Every value from the input is HTML-escaped.
"""

from __future__ import annotations

import io
import warnings
from datetime import datetime
from html import escape

import pandas as pd

from scheduler.domain import Conference, Day, Meeting
from scheduler.reports import meetings_table

# --- the schedule as domain meetings ------------------------------------------------------------------


def document_meetings(conference: Conference, document: dict) -> list[Meeting]:
    """The meetings of a schedule.json in minutes, in time order."""
    clock = conference.clock
    meetings = [
        Meeting(
            request=m["request"],
            parties=tuple(m["parties"]),
            room=m["room"],
            start=clock.to_minute(datetime.fromisoformat(m["start"])),
            end=clock.to_minute(datetime.fromisoformat(m["end"])),
        )
        for m in document.get("meetings", [])
    ]
    return sorted(meetings, key=lambda m: (m.start, m.room, m.request))


def _name(conference: Conference, delegation_id: str) -> str:
    known = {d.id: d.name for d in conference.delegations}
    return known.get(delegation_id, delegation_id)


def _room_name(conference: Conference, room_id: str) -> str:
    known = {r.id: r.name for r in conference.rooms}
    return known.get(room_id, room_id)


def _hhmm(conference: Conference, minute: int) -> str:
    return f"{conference.clock.to_datetime(minute):%H:%M}"


def _day_title(day: Day) -> str:
    return f"{day.date:%A} {day.date.day} {day.date:%B %Y}"


def _full_hours(conference: Conference, day: Day) -> range:
    """The minutes of the full local hours inside a day's hours (for time labels)."""
    first = day.start + (60 - conference.clock.to_datetime(day.start).minute) % 60
    return range(first, day.end + 1, 60)


def _plenary(conference: Conference, day: Day) -> list:
    """Programme items without a room that every delegation attends (they block every meeting)."""
    everyone = frozenset(d.id for d in conference.delegations)
    return [
        p for p in conference.programme if p.room is None and p.attendees >= everyone and _on_day(day, p.start, p.end)
    ]


def _on_day(day: Day, start: int, end: int) -> bool:
    return start < day.end and end > day.start


# --- HTML --------------------------------------------------------------------------------------------

_STYLE = """
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; font-size: 10pt; color: #111; margin: 1.5em; }
h1 { font-size: 15pt; margin: 0 0 .2em; }
h2 { font-size: 12.5pt; margin: 1.4em 0 .4em; }
p.meta { color: #444; margin: 0 0 .8em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #bbb; padding: .3em .45em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.time { white-space: nowrap; width: 7.5em; font-variant-numeric: tabular-nums; }
.programme td { color: #555; font-style: italic; }
.grid { display: grid; border: 1px solid #999; margin-bottom: 1em;
        -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.grid .line { border-top: 1px solid #ddd; }
.grid .head { font-weight: bold; background: #eee; border-bottom: 1px solid #999; padding: .25em .3em;
              font-size: 8.5pt; overflow: hidden; }
.grid .hour { font-size: 8pt; color: #555; padding-left: .2em; border-right: 1px solid #999; }
.grid .meeting, .grid .item { margin: 0 2px; padding: 1px 3px; font-size: 7.5pt; line-height: 1.15;
                              overflow: hidden; border-radius: 2px; }
.grid .meeting { background: #d8e6f7; border: 1px solid #4a78b0; }
.grid .item { background: #eee; border: 1px dashed #888; color: #444; }
.grid .item.all { background: #f6f6f6; text-align: center; }
.grid .t { font-weight: bold; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { margin: 0; }
  section.day { break-after: page; }
  section.day:last-child { break-after: auto; }
  a { color: inherit; text-decoration: none; }
}
"""


def _page(title: str, body: str, landscape: bool = True) -> str:
    page = "" if landscape else "@page { size: A4 portrait; margin: 12mm; }\n"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}{page}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def room_grid_html(conference: Conference, document: dict) -> str:
    """The room plan: per day a grid of rooms (columns) by time (rows), meetings and programme items placed
    to the minute. One self-contained, printable file (one day per landscape page)."""
    event = conference.event
    meetings = document_meetings(conference, document)
    rooms = conference.rooms
    sections = [
        f"<h1>{escape(event.name)} — room plan</h1>\n"
        f'<p class="meta">Times are local ({escape(event.timezone)}). '
        f"{len(meetings)} meetings in {len(rooms)} rooms.</p>\n"
    ]
    column = {r.id: i + 2 for i, r in enumerate(rooms)}
    minute_px = 1.5
    for day in event.days:
        length = day.end - day.start
        cells = ['<div class="head" style="grid-row: 1; grid-column: 1">time</div>']
        cells += [
            f'<div class="head" style="grid-row: 1; grid-column: {column[r.id]}">{escape(r.name)}<br>'
            f"<small>{r.capacity} seats</small></div>"
            for r in rooms
        ]
        for minute in (m for m in _full_hours(conference, day) if m < day.end):
            row = minute - day.start + 2
            cells.append(f'<div class="line" style="grid-row: {row}; grid-column: 1 / -1"></div>')
            cells.append(
                f'<div class="hour" style="grid-row: {row} / {min(row + 60, length + 2)}; grid-column: 1">'
                f"{_hhmm(conference, minute)}</div>"
            )
        for item in _plenary(conference, day):
            start, end = max(item.start, day.start), min(item.end, day.end)
            cells.append(
                f'<div class="item all" style="grid-row: {start - day.start + 2} / {end - day.start + 2}; '
                f'grid-column: 2 / -1"><span class="t">{_hhmm(conference, item.start)}–'
                f"{_hhmm(conference, item.end)}</span> {escape(item.title)} (all delegations)</div>"
            )
        for item in conference.programme:
            if item.room in column and _on_day(day, item.start, item.end):
                start, end = max(item.start, day.start), min(item.end, day.end)
                cells.append(
                    f'<div class="item" style="grid-row: {start - day.start + 2} / {end - day.start + 2}; '
                    f'grid-column: {column[item.room]}"><span class="t">{_hhmm(conference, item.start)}–'
                    f"{_hhmm(conference, item.end)}</span> {escape(item.title)}</div>"
                )
        for m in meetings:
            if m.room not in column or not (day.start <= m.start < day.end):
                continue
            who = " – ".join(escape(_name(conference, p)) for p in m.parties)
            cells.append(
                f'<div class="meeting" style="grid-row: {m.start - day.start + 2} / {m.end - day.start + 2}; '
                f'grid-column: {column[m.room]}" title="{escape(m.request)}">'
                f'<span class="t">{_hhmm(conference, m.start)}–{_hhmm(conference, m.end)}</span> {who}</div>'
            )
        style = (
            f"grid-template-columns: 3.2em repeat({len(rooms)}, minmax(0, 1fr)); "
            f"grid-template-rows: auto repeat({length}, {minute_px}px)"
        )
        sections.append(
            f'<section class="day">\n<h2>{escape(_day_title(day))}</h2>\n'
            f'<div class="grid" style="{style}">\n' + "\n".join(cells) + "\n</div>\n</section>\n"
        )
    return _page(f"{event.name} — room plan", "".join(sections))


def delegation_agenda_html(conference: Conference, document: dict, delegation_id: str) -> str:
    """A printable agenda of one delegation: per day its meetings (counterparts, their heads, room) and the
    programme items it attends, then its requests left out with their reasons and its cancelled meetings."""
    delegation = conference.delegation(delegation_id)
    event = conference.event
    own = [m for m in document_meetings(conference, document) if delegation_id in m.parties]
    items = conference.programme_of(delegation_id)
    heads = {d.id: d.head for d in conference.delegations}
    body = [
        f"<h1>{escape(delegation.name)} — agenda</h1>\n",
        f'<p class="meta">{escape(event.name)}<br>Head of delegation: {escape(delegation.head)}<br>'
        f"Times are local ({escape(event.timezone)}).</p>\n",
    ]
    for day in event.days:
        rows: list[tuple[int, int, str]] = []
        for m in own:
            if day.start <= m.start < day.end:
                others = [p for p in m.parties if p != delegation_id]
                who = "<br>".join(
                    f"<strong>{escape(_name(conference, p))}</strong> ({escape(heads.get(p, ''))})" for p in others
                )
                rows.append(
                    (
                        m.start,
                        0,
                        f'<tr><td class="time">{_hhmm(conference, m.start)}–{_hhmm(conference, m.end)}</td>'
                        f"<td>{who}</td><td>{escape(_room_name(conference, m.room))}</td></tr>",
                    )
                )
        for p in items:
            if _on_day(day, p.start, p.end):
                room = escape(_room_name(conference, p.room)) if p.room else ""
                rows.append(
                    (
                        p.start,
                        1,
                        f'<tr class="programme"><td class="time">{_hhmm(conference, p.start)}–'
                        f"{_hhmm(conference, p.end)}</td><td>{escape(p.title)}</td><td>{room}</td></tr>",
                    )
                )
        body.append(f"<h2>{escape(_day_title(day))}</h2>\n")
        if not rows:
            body.append("<p>No commitments.</p>\n")
            continue
        body.append("<table>\n<tr><th>time</th><th>with / programme</th><th>room</th></tr>\n")
        body += [row + "\n" for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]
        body.append("</table>\n")
    parties = {r.id: r.parties for r in conference.requests}
    left_out = [u for u in document.get("unscheduled", []) if delegation_id in parties.get(u["request"], ())]
    if left_out:
        body.append("<h2>Requests not scheduled</h2>\n<ul>\n")
        body += [f"<li>{escape(u['request'])}: {escape(u['reason'])}</li>\n" for u in left_out]
        body.append("</ul>\n")
    cancelled = [c for c in document.get("cancelled", []) if delegation_id in c["parties"]]
    if cancelled:
        body.append("<h2>Cancelled since an earlier publication</h2>\n<ul>\n")
        for c in cancelled:
            start = datetime.fromisoformat(c["start"]).astimezone(conference.clock.zone)
            others = ", ".join(escape(_name(conference, p)) for p in c["parties"] if p != delegation_id)
            body.append(f"<li>{start:%d %b %H:%M}: with {others} ({escape(c['request'])})</li>\n")
        body.append("</ul>\n")
    return _page(f"{delegation.name} — agenda", "".join(body), landscape=False)


# --- PNG ---------------------------------------------------------------------------------------------


def room_grid_png(conference: Conference, document: dict, day: Day) -> bytes:
    """One day's room plan as a PNG (matplotlib, no global state): rooms across, time down, meetings
    labelled with the parties' ids and their times."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    rooms = conference.rooms
    meetings = [m for m in document_meetings(conference, document) if day.start <= m.start < day.end]
    hours = (day.end - day.start) / 60
    figure = Figure(figsize=(max(8.0, 1.25 * len(rooms) + 1.5), max(6.0, 0.9 * hours + 1.5)), dpi=100)
    axes = figure.add_subplot()
    axes.set_xlim(0, len(rooms))
    axes.set_ylim(day.end - day.start, 0)  # time runs downwards
    column = {r.id: i for i, r in enumerate(rooms)}
    for item in _plenary(conference, day):
        start, end = max(item.start, day.start) - day.start, min(item.end, day.end) - day.start
        axes.add_patch(Rectangle((0, start), len(rooms), end - start, facecolor="#f4f4f4", edgecolor="none"))
        axes.text(len(rooms) / 2, (start + end) / 2, item.id, fontsize=8, ha="center", va="center", color="#555555")
    for item in conference.programme:
        if item.room in column and _on_day(day, item.start, item.end):
            start, end = max(item.start, day.start) - day.start, min(item.end, day.end) - day.start
            axes.add_patch(
                Rectangle(
                    (column[item.room] + 0.04, start),
                    0.92,
                    end - start,
                    facecolor="#eeeeee",
                    edgecolor="#888888",
                    linestyle="--",
                    linewidth=0.8,
                )
            )
            axes.text(column[item.room] + 0.08, start + 2, item.id, fontsize=6.5, va="top", color="#444444")
    for m in meetings:
        x, top = column.get(m.room), m.start - day.start
        if x is None:
            continue
        axes.add_patch(
            Rectangle((x + 0.04, top), 0.92, m.end - m.start, facecolor="#d8e6f7", edgecolor="#4a78b0", linewidth=0.8)
        )
        label = f"{_hhmm(conference, m.start)}–{_hhmm(conference, m.end)}\n" + "–".join(m.parties)
        axes.text(x + 0.08, top + 1.5, label, fontsize=6.5, va="top", clip_on=True)
    ticks = [minute - day.start for minute in _full_hours(conference, day)]
    axes.set_yticks(ticks, [_hhmm(conference, day.start + t) for t in ticks])
    axes.set_xticks(
        [i + 0.5 for i in range(len(rooms))], [_short(r.name) for r in rooms], fontsize=7, rotation=30, ha="left"
    )
    axes.xaxis.tick_top()
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    for i in range(1, len(rooms)):
        axes.axvline(i, color="#bbbbbb", linewidth=0.6)
    axes.set_title(f"{conference.event.name}\n{_day_title(day)} ({conference.event.timezone})", fontsize=9, pad=28)
    figure.tight_layout()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Gg]lyph.*missing.*")
        figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


# --- Excel -------------------------------------------------------------------------------------------


def schedule_xlsx(conference: Conference, document: dict) -> bytes:
    """A workbook: every meeting (local times, parties, heads, room, …), the requests left out with their
    reasons, and the meetings cancelled since earlier publications."""
    meetings = meetings_table(conference, document_meetings(conference, document))
    parties = {r.id: r.parties for r in conference.requests}
    unscheduled = pd.DataFrame(
        [
            {
                "request": u["request"],
                "parties": " – ".join(_name(conference, p) for p in parties.get(u["request"], ())),
                "reason": u["reason"],
            }
            for u in document.get("unscheduled", [])
        ],
        columns=["request", "parties", "reason"],
    )
    zone = conference.clock.zone
    cancelled = pd.DataFrame(
        [
            {
                "request": c["request"],
                "parties": " – ".join(_name(conference, p) for p in c["parties"]),
                "room": _room_name(conference, c["room"]),
                "was_start": datetime.fromisoformat(c["start"]).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "was_end": datetime.fromisoformat(c["end"]).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            }
            for c in document.get("cancelled", [])
        ],
        columns=["request", "parties", "room", "was_start", "was_end"],
    )
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for sheet, frame in (("meetings", meetings), ("unscheduled", unscheduled), ("cancelled", cancelled)):
            frame.to_excel(writer, sheet_name=sheet, index=False)
            worksheet = writer.sheets[sheet]
            worksheet.freeze_panes = "A2"
            for i, name in enumerate(frame.columns):
                width = max([len(str(name)), *(len(str(v)) for v in frame[name])]) + 2
                worksheet.column_dimensions[worksheet.cell(row=1, column=i + 1).column_letter].width = min(width, 60)
    return buffer.getvalue()


def office_files(conference: Conference, document: dict) -> dict[str, bytes]:
    """All office outputs: relative path -> content."""
    files = {"room-grid.html": room_grid_html(conference, document).encode("utf-8")}
    for day in conference.event.days:
        files[f"room-grid-{day.date.isoformat()}.png"] = room_grid_png(conference, document, day)
    for d in conference.delegations:
        files[f"agendas/{d.id}.html"] = delegation_agenda_html(conference, document, d.id).encode("utf-8")
    files["schedule.xlsx"] = schedule_xlsx(conference, document)
    return files
