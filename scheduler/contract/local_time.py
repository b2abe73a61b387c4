"""A moment the office writes in the event's own wall-clock time, or with an offset, as an aware instant.

The office writes every time in the event's zone; a local time that the clocks skip (spring forward) or
show twice (fall back) names no single moment, so it is refused with the words to fix it, never guessed.
One function for the CLI's `--freeze-before` and the API's `freeze_before` (the desk passes its text on).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class UnclearLocalTime(ValueError):
    """A local time that the clocks skip or show twice in the event's zone (the message says which)."""


def event_instant(moment: str | datetime, zone: str) -> datetime:
    """`moment` as an aware instant: with an offset (or Z) as it is; without one, the wall-clock time in the
    event's `zone`. ValueError for a text that is no ISO 8601 date and time; UnclearLocalTime for a local
    time the clocks skip or show twice there. Date ranges are checked by the callers, as before."""
    local = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    if local.tzinfo is not None:
        return local
    where = ZoneInfo(zone)
    first, second = local.replace(tzinfo=where, fold=0), local.replace(tzinfo=where, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    # the two readings differ only around a change of the clocks (PEP 495: fold=0 reads the offset before it,
    # fold=1 the one after); skipped when the first reading does not come back as the time written
    change = _change(first, second, where)
    clock_before, clock_after = change + first.utcoffset(), change + second.utcoffset()  # type: ignore[operator]
    one_day = clock_before.date() == clock_after.date()  # (Samoa skipped a whole day)
    shown, when = ("%H:%M", " that day") if one_day else ("%Y-%m-%dT%H:%M", "")
    was, now = clock_before.strftime(shown), clock_after.strftime(shown)
    written = (
        moment
        if isinstance(moment, str)
        else local.isoformat(timespec="minutes" if not local.second and not local.microsecond else "auto")
    )
    if first.astimezone(UTC).astimezone(where).replace(tzinfo=None) != local:
        raise UnclearLocalTime(
            f"{written} does not exist in {zone}: the clocks go forward from {was} to {now}{when}; give the offset"
        )
    raise UnclearLocalTime(
        f"{written} happens twice in {zone} (the clocks go back from {was} to {now}{when}): give the offset, "
        f"{_offset(first)} (the first time) or {_offset(second)} (the second)"
    )


def _change(first: datetime, second: datetime, where: ZoneInfo) -> datetime:
    """The UTC instant of the change of the clocks between the two readings of one wall-clock time."""
    low, high = sorted((first.astimezone(UTC), second.astimezone(UTC)))
    offset = low.astimezone(where).utcoffset()
    while high - low > timedelta(seconds=1):  # the zone's rules hold one change here: halve to the second
        middle = low + (high - low) / 2
        low, high = (middle, high) if middle.astimezone(where).utcoffset() == offset else (low, middle)
    return high.replace(microsecond=0)


def _offset(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()[19:]
