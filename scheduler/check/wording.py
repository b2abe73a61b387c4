"""How the validator names times, days, meetings and programme items in its lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scheduler.contract.domain import Conference, Day, ProgrammeItem, Request

if TYPE_CHECKING:
    from scheduler.check.reading import Placed


def when(conf: Conference, minute: int) -> str:
    """'31 Oct 09:15' in the event's local time."""
    moment = conf.clock.to_datetime(minute)
    return f"{moment.day} {moment:%b %H:%M}"


def span(conf: Conference, start: int, end: int) -> str:
    """'31 Oct 10:00-10:45', naming the end's date only when it differs."""
    first, last = conf.clock.to_datetime(start), conf.clock.to_datetime(end)
    until = f"{last:%H:%M}" if first.date() == last.date() else when(conf, end)
    return f"{when(conf, start)}-{until}"


def day_words(day: Day) -> str:
    return f"{day.date.day} {day.date:%b}"


def meeting_words(conf: Conference, m: Placed) -> str:
    return f"{m.request.id} ({span(conf, m.start, m.end)})"


def item_words(conf: Conference, p: ProgrammeItem) -> str:
    return f"programme item {p.id} ({span(conf, p.start, p.end)})"


def distance(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Idle minutes between two spans; negative is the length of their overlap."""
    return max(a_start, b_start) - min(a_end, b_end)


def apart(distance: int) -> str:
    return f"overlap by {-distance} min" if distance < 0 else f"are {distance} min apart"


def needs_interpretation(conf: Conference, request: Request) -> bool:
    """The parties share no language (a party with no languages shares none)."""
    common = frozenset.intersection(*(conf.delegation(p).languages for p in request.parties))
    return not common
