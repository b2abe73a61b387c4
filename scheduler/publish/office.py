"""Readable outputs for the protocol office: the room plan per day (HTML and PNG), a printable agenda per
delegation (HTML) and an Excel workbook of all meetings.

Everything here reads the schedule as published (a `ScheduleDocument`) and returns text or bytes;
`scheduler.publish.publication` gathers them. All times are local to the event. Every value from the input is
HTML-escaped. The HTML agenda is rendered from the same `scheduler.publish.reports.Agenda` as the Markdown one.
Against a previous publication, moved and new meetings are marked (room plan, agendas, workbook); a first
publication gives the very bytes it always did (the marks' styles are added only where a mark is shown).
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING

from scheduler.contract.document import ScheduledMeeting, ScheduleDocument
from scheduler.contract.domain import Conference, Day, Meeting
from scheduler.publish.reports import agenda, cancelled_line, change_note, document_meetings, meetings_table
from scheduler.publish.revisions import latest_change

if TYPE_CHECKING:  # pandas is loaded where the workbook is made: the service's web processes start without it
    import pandas as pd


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

# Only in pages that show a mark. Colour and border width for the screen, the words "moved"/"new" for a
# black-and-white print.
_CHANGE_STYLE = """p.changes { margin: 0 0 .8em; }
.key { padding: 0 .4em; border: 1px solid; border-radius: 2px; }
.key.moved, .grid .meeting.moved { background: #fde3c0; border: 2px solid #b8660b; }
.key.new, .grid .meeting.new { background: #d6f0d6; border: 2px solid #2f7d32; }
.grid .mark { font-weight: bold; text-transform: uppercase; }
em.change { font-style: normal; font-weight: bold; }
"""


def _page(title: str, body: str, landscape: bool = True, marks: bool = False, placed: str = "") -> str:
    page = "" if landscape else "@page { size: A4 portrait; margin: 12mm; }\n"
    page += (_CHANGE_STYLE if marks else "") + placed
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}{page}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def change_summary(document: ScheduleDocument) -> str | None:
    """The changes against the previous publication ("61 unchanged, 3 moved, 2 new, 1 cancelled"); None for
    a first publication.

    The solve's own count when it has one; otherwise counted from the meetings, taking as newly cancelled
    those stamped with the schedule's latest change (earlier cancellations keep their earlier stamp)."""
    if document.solve is not None and document.solve.changes is not None:
        return document.solve.changes.line()
    if not any(m.change for m in document.meetings):
        return None
    count = {kind: sum(1 for m in document.meetings if m.change == kind) for kind in ("unchanged", "moved", "new")}
    latest = latest_change(document)
    cancelled = sum(1 for c in document.cancelled or () if c.modified_at == latest)
    return f"{count['unchanged']} unchanged, {count['moved']} moved, {count['new']} new, {cancelled} cancelled"


def _summary_html(summary: str) -> str:
    return (
        f'<p class="changes">Since the previous publication: {escape(summary)}. '
        '<span class="key moved">moved</span> <span class="key new">new</span> '
        "(hover a meeting for where it was)</p>\n"
    )


class _Placements:
    """The grid positions of one room plan, as rules of the page's one stylesheet rather than `style`
    attributes: a page whose only styles are one `<style>` element can be served under a Content-Security-
    Policy that allows exactly that element (by its hash), never `'unsafe-inline'`."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def at(self, css: str) -> str:
        """The attribute that places a cell (cells placed alike share one rule)."""
        return f'data-at="{self.names.setdefault(css, f"p{len(self.names) + 1}")}"'

    def stylesheet(self) -> str:
        return "".join(f'[data-at="{name}"] {{ {css} }}\n' for css, name in self.names.items())


def _meeting_cell(conference: Conference, m: Meeting, published: ScheduledMeeting, day: Day, column: int,
                  places: _Placements) -> str:
    """One meeting of the room plan; a moved or new one carries its class, a visible word and, in its
    tooltip, where it was (the plan has no room to print that)."""
    note = change_note(conference, published)
    kind, title, mark = "", m.request, ""
    if note is not None:
        kind, title = f" {published.change}", f"{m.request} — {note}"
        mark = f'<span class="mark">{escape(str(published.change))}</span> '
    who = " – ".join(escape(_name(conference, p)) for p in m.parties)
    return (
        f'<div class="meeting{kind}" '
        f'{places.at(f"grid-row: {m.start - day.start + 2} / {m.end - day.start + 2}; grid-column: {column}")} '
        f'title="{escape(title)}">'
        f'<span class="t">{_hhmm(conference, m.start)}–{_hhmm(conference, m.end)}</span> {mark}{who}</div>'
    )


def room_grid_html(conference: Conference, document: ScheduleDocument) -> str:
    """The room plan: per day a grid of rooms (columns) by time (rows), meetings and programme items placed
    to the minute. One self-contained, printable file (one day per landscape page)."""
    event = conference.event
    meetings = document_meetings(conference, document)
    published = {m.request: m for m in document.meetings}
    summary = change_summary(document)
    rooms = conference.rooms
    sections = [
        f"<h1>{escape(event.name)} — room plan</h1>\n"
        f'<p class="meta">Times are local ({escape(event.timezone)}). '
        f"{len(meetings)} meetings in {len(rooms)} rooms.</p>\n" + ("" if summary is None else _summary_html(summary))
    ]
    column = {r.id: i + 2 for i, r in enumerate(rooms)}
    minute_px = 1.5
    places = _Placements()
    for day in event.days:
        length = day.end - day.start
        cells = [f'<div class="head" {places.at("grid-row: 1; grid-column: 1")}>time</div>']
        cells += [
            f'<div class="head" {places.at(f"grid-row: 1; grid-column: {column[r.id]}")}>{escape(r.name)}<br>'
            f"<small>{r.capacity} seats</small></div>"
            for r in rooms
        ]
        for minute in (m for m in _full_hours(conference, day) if m < day.end):
            row = minute - day.start + 2
            cells.append(f'<div class="line" {places.at(f"grid-row: {row}; grid-column: 1 / -1")}></div>')
            cells.append(
                f'<div class="hour" {places.at(f"grid-row: {row} / {min(row + 60, length + 2)}; grid-column: 1")}>'
                f"{_hhmm(conference, minute)}</div>"
            )
        for item in _plenary(conference, day):
            start, end = max(item.start, day.start), min(item.end, day.end)
            cells.append(
                f'<div class="item all" '
                f'{places.at(f"grid-row: {start - day.start + 2} / {end - day.start + 2}; grid-column: 2 / -1")}>'
                f'<span class="t">{_hhmm(conference, item.start)}–'
                f"{_hhmm(conference, item.end)}</span> {escape(item.title)} (all delegations)</div>"
            )
        for item in conference.programme:
            if item.room in column and _on_day(day, item.start, item.end):
                start, end = max(item.start, day.start), min(item.end, day.end)
                at = places.at(f"grid-row: {start - day.start + 2} / {end - day.start + 2}; "
                               f"grid-column: {column[item.room]}")
                cells.append(
                    f'<div class="item" {at}><span class="t">{_hhmm(conference, item.start)}–'
                    f"{_hhmm(conference, item.end)}</span> {escape(item.title)}</div>"
                )
        for m in meetings:
            if m.room not in column or not (day.start <= m.start < day.end):
                continue
            cells.append(_meeting_cell(conference, m, published[m.request], day, column[m.room], places))
        style = (
            f"grid-template-columns: 3.2em repeat({len(rooms)}, minmax(0, 1fr)); "
            f"grid-template-rows: auto repeat({length}, {minute_px}px)"
        )
        sections.append(
            f'<section class="day">\n<h2>{escape(_day_title(day))}</h2>\n'
            f'<div class="grid" {places.at(style)}>\n' + "\n".join(cells) + "\n</div>\n</section>\n"
        )
    return _page(f"{event.name} — room plan", "".join(sections), marks=summary is not None,
                 placed=places.stylesheet())


def delegation_agenda_html(conference: Conference, document: ScheduleDocument, delegation_id: str) -> str:
    """A printable agenda of one delegation: per day its meetings (counterparts, their heads, room) and the
    programme items it attends while present, then its requests left out with the reasons its parties may
    read, and its cancelled meetings."""
    plan = agenda(conference, document, delegation_id)
    delegation = plan.delegation
    event = conference.event
    heads = {d.id: d.head for d in conference.delegations}
    body = [
        f"<h1>{escape(delegation.name)} — agenda</h1>\n",
        f'<p class="meta">{escape(event.name)}<br>Head of delegation: {escape(delegation.head)}<br>'
        f"Times are local ({escape(event.timezone)}).</p>\n",
    ]
    for day in plan.days:
        body.append(f"<h2>{escape(_day_title(day.day))}</h2>\n")
        if not day.lines:
            body.append("<p>No commitments.</p>\n")
            continue
        body.append("<table>\n<tr><th>time</th><th>with / programme</th><th>room</th></tr>\n")
        for line in day.lines:
            time = f'<td class="time">{_hhmm(conference, line.start)}–{_hhmm(conference, line.end)}</td>'
            if line.meeting is not None:
                others = [p for p in line.meeting.parties if p != delegation_id]
                who = "<br>".join(
                    f"<strong>{escape(_name(conference, p))}</strong> ({escape(heads.get(p, ''))})" for p in others
                )
                room = escape(_room_name(conference, line.meeting.room))
                note = f' <em class="change">({escape(line.note)})</em>' if line.note else ""
                body.append(f"<tr>{time}<td>{who}</td><td>{room}{note}</td></tr>\n")
            else:
                item = line.item
                room = escape(_room_name(conference, item.room)) if item.room else ""
                body.append(f'<tr class="programme">{time}<td>{escape(item.title)}</td><td>{room}</td></tr>\n')
        body.append("</table>\n")
    if plan.left_out:
        body.append("<h2>Requests not scheduled</h2>\n<ul>\n")
        body += [f"<li>{escape(u.request)}: {escape(u.reason)}</li>\n" for u in plan.left_out]
        body.append("</ul>\n")
    if plan.cancelled:
        body.append("<h2>Cancelled since an earlier publication</h2>\n<ul>\n")
        for c in plan.cancelled:
            start, others = cancelled_line(conference, c, delegation_id)
            who = ", ".join(escape(name) for name in others)
            why = "" if c.change_party_reason is None else f": {escape(c.change_party_reason)}"
            body.append(f"<li>{start:%d %b %H:%M}: with {who} ({escape(c.request)}){why}</li>\n")
        body.append("</ul>\n")
    marks = any(line.note for day in plan.days for line in day.lines)
    return _page(f"{delegation.name} — agenda", "".join(body), landscape=False, marks=marks)


# --- PNG ---------------------------------------------------------------------------------------------


def room_grid_png(conference: Conference, document: ScheduleDocument, day: Day) -> bytes:
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


def schedule_xlsx(conference: Conference, document: ScheduleDocument) -> bytes:
    """A workbook for the office: every meeting (local times, parties, heads, room, …), the requests left out
    with the office's reasons, and the meetings cancelled since earlier publications."""
    import pandas as pd

    meetings = _with_changes(conference, document, meetings_table(conference, document_meetings(conference, document)))
    parties = {r.id: r.parties for r in conference.requests}
    unscheduled = pd.DataFrame(
        [
            {
                "request": u.request,
                "parties": " – ".join(_name(conference, p) for p in parties.get(u.request, ())),
                "reason": u.reason,
            }
            for u in document.unscheduled
        ],
        columns=["request", "parties", "reason"],
    )
    zone = conference.clock.zone
    cancelled = pd.DataFrame(
        [
            {
                "request": c.request,
                "parties": " – ".join(_name(conference, p) for p in c.parties),
                "room": _room_name(conference, c.room),
                "was_start": c.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "was_end": c.ends_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            }
            for c in document.cancelled or ()
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
    return _dated(buffer.getvalue(), _last_change(document))


def _with_changes(conference: Conference, document: ScheduleDocument, meetings: pd.DataFrame) -> pd.DataFrame:
    """The meetings sheet with "change" and "moved from" columns when the document compares with a previous
    publication; without them (as it always was) for a first one."""
    if not any(m.change for m in document.meetings):
        return meetings
    published = {m.request: m for m in document.meetings}
    change = meetings["request"].map(lambda rid: published[rid].change or "")
    moved_from = meetings["request"].map(lambda rid: _moved_from(conference, published[rid]))
    return meetings.assign(**{"change": change, "moved from": moved_from})


def _moved_from(conference: Conference, meeting: ScheduledMeeting) -> str:
    """Where a moved meeting was, in full, for the office: "2024-10-31 09:00–09:30, Salon 1"."""
    was = meeting.moved_from
    if meeting.change != "moved" or was is None:
        return ""
    zone = conference.clock.zone
    start, end = (datetime.fromisoformat(t).astimezone(zone) for t in (was.start, was.end))
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}, {_room_name(conference, was.room)}"


_NEVER = datetime(1980, 1, 1, tzinfo=UTC)  # the earliest time a zip entry can carry
_PROPERTY_TIMES = re.compile(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)")


def _last_change(document: ScheduleDocument) -> datetime:
    """When the schedule last changed: its latest `last_modified` (unpublished: the zip format's epoch)."""
    return latest_change(document) or _NEVER


def _dated(workbook: bytes, moment: datetime) -> bytes:
    """The workbook with its created/modified properties and every zip entry dated `moment`.

    openpyxl stamps them with the clock, so the same schedule would give a different file every time and
    every publication a new ETag; dated by the schedule's last change, the same schedule gives the same bytes."""
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                content = _PROPERTY_TIMES.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=moment.astimezone(UTC).timetuple()[:6])
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            target.writestr(entry, content)
    return buffer.getvalue()


def office_files(conference: Conference, document: ScheduleDocument) -> dict[str, bytes]:
    """All office outputs: relative path -> content."""
    files = {"room-grid.html": room_grid_html(conference, document).encode("utf-8")}
    for day in conference.event.days:
        files[f"room-grid-{day.date.isoformat()}.png"] = room_grid_png(conference, document, day)
    for d in conference.delegations:
        files[f"agendas/{d.id}.html"] = delegation_agenda_html(conference, document, d.id).encode("utf-8")
    files["schedule.xlsx"] = schedule_xlsx(conference, document)
    return files
