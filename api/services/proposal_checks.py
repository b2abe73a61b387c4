"""The service's own checks on a proposed meeting, beyond the contract's: what can never be scheduled.

The contract accepts a request that merely cannot be placed (rule 1: a meeting longer than every day, a
window in another year) and the CLI keeps doing so. A proposal is different: an office typed it a moment
ago, and a `preferred` window in 2020 or a 900-minute meeting is a slip to point out while it is fresh. So
`propose` and `change` refuse (422, naming the field and the value, with the event's days in the words):

- a `window` or `preferred` window that overlaps no day's bilateral hours;
- a `duration_minutes` longer than the longest day's bilateral hours.

A second request between the same parties is not refused (two meetings may be wanted): `same_parties`
lists the other live ones so that every side sees it.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from api.bad_input import unprocessable
from scheduler.contract.domain import Conference

LIVE = ("proposed", "accepted")  # the requests that may still be scheduled


def day_label(day: date) -> str:
    """31 Oct: a day as the desk writes it (no leading zero, whatever strftime does with %-d)."""
    return f"{day.day} {day:%b}"


def event_days(setting_days: list[dict]) -> str:
    """The event's days and hours in a few words: "31 Oct–1 Nov, 08:30–19:00" (consecutive days with the
    same hours), else each day with its hours."""
    days = sorted((date.fromisoformat(d["date"]), d["start"], d["end"]) for d in setting_days)
    hours = {(start, end) for _, start, end in days}
    consecutive = all((b[0] - a[0]).days == 1 for a, b in zip(days, days[1:], strict=False))
    if len(hours) == 1:
        start, end = hours.pop()
        if len(days) == 1:
            return f"{day_label(days[0][0])}, {start}–{end}"
        if consecutive:
            return f"{day_label(days[0][0])}–{day_label(days[-1][0])}, {start}–{end}"
        return ", ".join(day_label(d) for d, _, _ in days) + f", {start}–{end}"
    return "; ".join(f"{day_label(d)} {start}–{end}" for d, start, end in days)


def check_proposal(conference: Conference, setting_days: list[dict], item: dict, fields: set[str]) -> None:
    """422 when one of `fields` of the request `item` (as the contract writes it, already valid contract
    input of `conference`) can never be scheduled in this event. Only the fields sent are checked: a change
    of priority is not refused for a window written before this check existed."""
    problems: list[tuple[list, str]] = []
    days = conference.event.days
    if "duration_minutes" in fields:
        longest = max(days, key=lambda d: d.end - d.start)
        minutes = longest.end - longest.start
        if item["duration_minutes"] > minutes:
            of_day = next(d for d in setting_days if d["date"] == longest.date.isoformat())
            problems.append((["body", "duration_minutes"],
                             f"{item['duration_minutes']} minutes is longer than the longest day of bilaterals "
                             f"({day_label(longest.date)}, {of_day['start']}–{of_day['end']}: {minutes} minutes)"))
    for name in ("window", "preferred"):
        if name not in fields:
            continue
        for i, window in enumerate(item.get(name) or []):
            start, end = (_minute(conference, window[k]) for k in ("start", "end"))
            if not any(start < d.end and d.start < end for d in days):
                problems.append((["body", name, i],
                                 f"{window['start']}–{window['end']} is outside every day of the event "
                                 f"({event_days(setting_days)})"))
    if problems:
        raise unprocessable(*problems)


def _minute(conference: Conference, moment: str) -> int:
    # as the contract reads a local time (fold=0): the input was checked by it already
    local = datetime.fromisoformat(moment).replace(tzinfo=ZoneInfo(conference.event.timezone), fold=0)
    return conference.clock.to_minute(local)


def same_parties(live: list[tuple[str, list[str]]]) -> dict[str, list[str]]:
    """For each live request (id, parties), the ids of the other live requests with exactly its parties."""
    by_parties: dict[frozenset[str], list[str]] = {}
    for request_id, parties in live:
        by_parties.setdefault(frozenset(parties), []).append(request_id)
    return {request_id: [other for other in by_parties[frozenset(parties)] if other != request_id]
            for request_id, parties in live}
