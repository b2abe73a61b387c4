"""Calendar feeds (RFC 5545) of a schedule: one for the whole event, one per delegation and one per room.

Pure functions: a schedule document in, bytes out; no file I/O and no clock. All RFC 5545 text (escaping,
folding, CRLF, UTF-8) is written by the `icalendar` package.

Choices that make the feeds something calendar clients follow:
- UID `<request id>@<event id>.bilateral`: the same in every feed that shows the meeting and across
  re-solves (the event id is `event.id`, by default a slug of its name).
- DTSTAMP = LAST-MODIFIED = the meeting's `last_modified`, and SEQUENCE its `sequence`, both carried in
  schedule.json by `scheduler.publish.revisions.carry_identity`; so an unchanged meeting is byte-identical in the
  next publication, a moved one has a higher SEQUENCE, and a dropped one stays as STATUS:CANCELLED.
- DTSTART/DTEND carry `TZID=` the event's IANA zone, with a VTIMEZONE restricted to the dates of the
  events (its COMMENT line, which libical's strict check rejects, removed). On the night clocks go back a
  local time can name two instants, and RFC 5545 reads such a TZID time as the first one; so a meeting
  with an ambiguous local start or end, or whose local end is not after its local start (it spans the
  change), has its DTSTART/DTEND in UTC (`Z`) instead: every feed carries every meeting at its instant.
- No ATTENDEE: the input holds no e-mail addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration, vText

from scheduler.contract.document import ScheduledMeeting, ScheduleDocument
from scheduler.contract.domain import Conference

PRODID = "-//bilateral//scheduler//EN"
REFRESH = timedelta(hours=1)
"""How often clients are asked to fetch a feed again (REFRESH-INTERVAL and X-PUBLISHED-TTL)."""

ALL_FEED = "all"


def _safe(text: str) -> str:
    """Keep a UID part to [A-Za-z0-9_.-] (ids already are; event names made into ids by the parser are too)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "x"


def event_uid(conference: Conference, request_id: str) -> str:
    """The UID of a request's VEVENT, the same in every feed and every publication."""
    return f"{_safe(request_id)}@{_safe(conference.event.id)}.bilateral"


def calendar_uid(conference: Conference, feed: str) -> str:
    """The calendar's own UID (RFC 7986); the '/' keeps it apart from every event UID."""
    return f"calendar/{_safe(feed)}@{_safe(conference.event.id)}.bilateral"


@dataclass(frozen=True)
class _Entry:
    """A meeting or cancelled meeting as schedule.json states it, ready to be shown."""

    request: str
    parties: tuple[str, ...]
    room: str
    start: datetime
    end: datetime
    sequence: int
    last_modified: datetime
    cancelled: bool


def _entry(meeting: ScheduledMeeting, cancelled: bool) -> _Entry:
    if not meeting.has_identity:
        raise ValueError(
            f"{meeting.request} has no sequence or last_modified; "
            "add them with scheduler.publish.revisions.carry_identity"
        )
    return _Entry(
        request=meeting.request,
        parties=meeting.parties,
        room=meeting.room,
        start=meeting.starts_at,
        end=meeting.ends_at,
        sequence=meeting.sequence,
        last_modified=meeting.modified_at,
        cancelled=cancelled,
    )


def _entries(document: ScheduleDocument) -> list[_Entry]:
    entries = [_entry(m, False) for m in document.meetings]
    entries += [_entry(c, True) for c in document.cancelled or ()]
    entries.sort(key=lambda e: (e.start, e.end, e.room, e.request))
    return entries


def _delegation_name(conference: Conference, delegation_id: str) -> str:
    known = {d.id: d for d in conference.delegations}
    return known[delegation_id].name if delegation_id in known else delegation_id


def _room_name(conference: Conference, room_id: str) -> str:
    known = {r.id: r for r in conference.rooms}
    return known[room_id].name if room_id in known else room_id


_KINDS = {2: "Bilateral", 3: "Trilateral"}


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def summary(conference: Conference, parties: tuple[str, ...], reader: str | None = None) -> str:
    """'Bilateral: Belarus – Hungary', or from a party's side 'Bilateral with Hungary'."""
    kind = _KINDS.get(len(parties), "Meeting")
    if reader is None or reader not in parties:
        return f"{kind}: " + " – ".join(_delegation_name(conference, p) for p in parties)
    others = [_delegation_name(conference, p) for p in parties if p != reader]
    return f"{kind} with {_listing(others)}"


def _interpretation(conference: Conference, parties: tuple[str, ...]) -> bool | None:
    """Whether the parties share no language (rule 7); None when a party is no longer in the input."""
    known = {d.id: d for d in conference.delegations}
    if not all(p in known for p in parties):
        return None
    common = frozenset.intersection(*(known[p].languages for p in parties))
    return not common


def _description(conference: Conference, entry: _Entry) -> str:
    known = {d.id: d for d in conference.delegations}
    lines = []
    if entry.cancelled:
        lines += ["This meeting is cancelled.", ""]
    lines.append("Heads of delegation:")
    for p in entry.parties:
        if p in known:
            lines.append(f"- {known[p].name}: {known[p].head}")
        else:
            lines.append(f"- {p}")
    requests = {r.id: r for r in conference.requests}
    if entry.request in requests:
        lines.append(f"Seats: {requests[entry.request].seats}")
    interpretation = _interpretation(conference, entry.parties)
    if interpretation is not None:
        lines.append(f"Interpretation: {'yes' if interpretation else 'no'}")
    lines.append(f"Room: {_room_name(conference, entry.room)}")
    lines.append(f"Request: {entry.request}")
    return "\n".join(lines)


def _ambiguous(local: datetime) -> bool:
    """The wall-clock time names two instants (the repeated hour when clocks go back)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _shown_times(entry: _Entry, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """DTSTART and DTEND: local times in the event's zone, unless a local time cannot say the instant.

    A TZID time in the repeated hour is read as its first occurrence (RFC 5545 3.3.5), and a meeting that
    spans the change may end at an earlier wall-clock time than it starts, which no client accepts; both
    are written in UTC, which names one instant."""
    start, end = entry.start.astimezone(zone), entry.end.astimezone(zone)
    if _ambiguous(start) or _ambiguous(end) or end.replace(tzinfo=None) <= start.replace(tzinfo=None):
        return entry.start.astimezone(UTC), entry.end.astimezone(UTC)
    return start, end


def _vevent(conference: Conference, entry: _Entry, zone: ZoneInfo, reader: str | None) -> Event:
    title = summary(conference, entry.parties, reader)
    start, end = _shown_times(entry, zone)
    return Event.new(
        uid=event_uid(conference, entry.request),
        stamp=entry.last_modified,
        last_modified=entry.last_modified,
        sequence=entry.sequence,
        start=start,
        end=end,
        summary=f"Cancelled: {title}" if entry.cancelled else title,
        location=_room_name(conference, entry.room),
        description=_description(conference, entry),
        status="CANCELLED" if entry.cancelled else "CONFIRMED",
        transparency="TRANSPARENT" if entry.cancelled else "OPAQUE",
    )


def _date_range(conference: Conference, entries: list[_Entry], zone: ZoneInfo) -> tuple[date, date]:
    """First and last date the VTIMEZONE must cover: the event's days and every event shown."""
    dates = [d.date for d in conference.event.days]
    for e in entries:
        dates += [e.start.astimezone(zone).date(), e.end.astimezone(zone).date()]
    return min(dates), max(dates) + timedelta(days=1)


def _feed(
    conference: Conference,
    feed: str,
    title: str,
    entries: list[_Entry],
    zone: ZoneInfo,
    timezones: list[Timezone],
    reader: str | None,
) -> bytes:
    calendar = Calendar.new(
        prodid=PRODID,
        name=vText(title),  # NAME and X-WR-CALNAME; vText so that the library escapes them as TEXT
        uid=calendar_uid(conference, feed),
        refresh_interval=REFRESH,
        calscale="GREGORIAN",
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    for timezone in timezones:
        calendar.add_component(timezone)
    for entry in entries:
        calendar.add_component(_vevent(conference, entry, zone, reader))
    assert not calendar.get_missing_tzids(), "every event is in the event's zone or in UTC"
    return calendar.to_ical()


def _zone_components(zone: ZoneInfo, span: tuple[date, date]) -> list[Timezone]:
    """The VTIMEZONE that events in `zone` need (none for UTC, whose times are written with Z), as
    `add_missing_timezones` builds it for the span, without the COMMENT that libical rejects. Every feed
    carries it, even one with no event yet."""
    probe = Calendar()
    start = datetime.combine(span[0], datetime.min.time(), zone)
    probe.add_component(Event.new(uid="probe", stamp=start, start=start))
    probe.add_missing_timezones(first_date=span[0], last_date=span[1])
    for timezone in probe.timezones:
        timezone.pop("COMMENT", None)
        for part in timezone.subcomponents:
            part.pop("COMMENT", None)
    return probe.timezones


def calendar_files(conference: Conference, document: ScheduleDocument) -> dict[str, bytes]:
    """Every feed of a schedule: relative path -> content.

    `document` is a published schedule: with the identity fields of `scheduler.publish.revisions.carry_identity`
    (per meeting `sequence` and `last_modified`, and the optional `cancelled` list). Paths: "all.ics",
    "delegation-<ID>.ics" for every delegation (only its meetings, titled from its side) and
    "room-<ID>.ics" for every room. Raises ValueError when a meeting lacks its identity fields.
    """
    zone = ZoneInfo(conference.event.timezone)
    entries = _entries(document)
    departed = [_entry(d, True) for d in document.departed or ()]
    timezones = _zone_components(zone, _date_range(conference, entries + departed, zone))
    name = conference.event.name
    files = {f"{ALL_FEED}.ics": _feed(conference, ALL_FEED, name, entries, zone, timezones, None)}
    for d in conference.delegations:
        own = _one_per_request([e for e in entries + departed if d.id in e.parties])
        feed = f"delegation-{d.id}"
        files[f"{feed}.ics"] = _feed(conference, feed, f"{name} – {d.name}", own, zone, timezones, d.id)
    for r in conference.rooms:
        held = _one_per_request([e for e in entries + departed if e.room == r.id])
        feed = f"room-{r.id}"
        files[f"{feed}.ics"] = _feed(conference, feed, f"{name} – {r.name}", held, zone, timezones, None)
    return files


def _one_per_request(entries: list[_Entry]) -> list[_Entry]:
    """One VEVENT per UID in a feed: the meeting as it is, else as it was cancelled, else as it left the feed
    (entries come in that order of preference: meetings, cancelled, departed)."""
    seen: dict[str, _Entry] = {}
    for entry in entries:
        seen.setdefault(entry.request, entry)
    return sorted(seen.values(), key=lambda e: (e.start, e.end, e.room, e.request))
