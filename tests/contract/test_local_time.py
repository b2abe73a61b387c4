"""A moment written in the event's wall-clock time (or with an offset) as an instant: the one reading shared by
`--freeze-before`, the API's `freeze_before` and the desk's solve form (scheduler.contract.local_time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.contract.local_time import UnclearLocalTime, event_instant


def test_a_time_with_an_offset_is_that_instant_whatever_the_zone() -> None:
    given = datetime.fromisoformat("2024-10-31T18:00:00+03:00")
    assert event_instant("2024-10-31T18:00:00+03:00", "Europe/Berlin") == given
    assert event_instant("2024-10-31T15:00Z", "Europe/Minsk") == given
    assert event_instant(given, "America/New_York") is given


@pytest.mark.parametrize(
    ("written", "zone", "utc"),
    [
        ("2024-11-01T00:00", "Europe/Minsk", "2024-10-31T21:00"),  # the office's complaint: Minsk, UTC+3
        ("2024-03-31T01:59", "Europe/Berlin", "2024-03-31T00:59"),  # just before the clocks go forward
        ("2024-03-31T03:00", "Europe/Berlin", "2024-03-31T01:00"),  # the first minute after
        ("2024-10-27T01:59", "Europe/Berlin", "2024-10-26T23:59"),  # just before the hour shown twice
        ("2024-10-27T03:00", "Europe/Berlin", "2024-10-27T02:00"),  # just after it
        ("2024-07-01T12:00", "Europe/Berlin", "2024-07-01T10:00"),  # summer time
    ],
)
def test_a_local_time_is_read_in_the_events_zone(written: str, zone: str, utc: str) -> None:
    instant = event_instant(written, zone)
    assert instant.utcoffset() is not None
    assert instant.astimezone(UTC) == datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == datetime.fromisoformat(written)


def test_a_local_time_the_clocks_skip_is_refused_saying_why() -> None:
    with pytest.raises(UnclearLocalTime) as caught:
        event_instant("2024-03-31T02:30", "Europe/Berlin")
    assert str(caught.value) == (
        "2024-03-31T02:30 does not exist in Europe/Berlin: the clocks go forward from 02:00 to 03:00 that day; "
        "give the offset"
    )
    with pytest.raises(
        UnclearLocalTime,
        match=r"^2024-03-10T02:15 does not exist in America/New_York: the clocks "
        r"go forward from 02:00 to 03:00",
    ):
        event_instant(datetime(2024, 3, 10, 2, 15), "America/New_York")
    # Samoa skipped a whole day (30 December 2011): the words give the dates
    with pytest.raises(UnclearLocalTime, match="from 2011-12-30T00:00 to 2011-12-31T00:00; give the offset"):
        event_instant("2011-12-30T10:00", "Pacific/Apia")


def test_a_local_time_shown_twice_is_refused_naming_both_offsets() -> None:
    with pytest.raises(UnclearLocalTime) as caught:
        event_instant("2024-10-27T02:30", "Europe/Berlin")
    assert str(caught.value) == (
        "2024-10-27T02:30 happens twice in Europe/Berlin (the clocks go back from 03:00 to 02:00 that day): "
        "give the offset, +02:00 (the first time) or +01:00 (the second)"
    )
    # each offset named is a reading of that very wall-clock time, the first one earlier
    first, second = (event_instant(f"2024-10-27T02:30{o}", "Europe/Berlin") for o in ("+02:00", "+01:00"))
    assert second - first == timedelta(hours=1)
    assert isinstance(caught.value, ValueError)  # the callers' bad input, as a text that is no date is


@pytest.mark.parametrize(("day", "refused"), [("2024-03-31", "does not exist"), ("2024-10-27", "happens twice")])
def test_only_the_hour_the_clocks_change_is_refused(day: str, refused: str) -> None:
    """Every minute of the two days Berlin changes its clocks: exactly the 60 skipped or repeated are refused;
    every other one reads back as the wall-clock time written."""
    zone, start = ZoneInfo("Europe/Berlin"), datetime.fromisoformat(f"{day}T00:00")
    unclear = []
    for minute in range(24 * 60):
        local = start + timedelta(minutes=minute)
        try:
            instant = event_instant(local, "Europe/Berlin")
        except UnclearLocalTime as exc:
            assert refused in str(exc)
            unclear.append(local)
            continue
        assert instant.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local
    assert unclear == [start + timedelta(hours=2, minutes=m) for m in range(60)]


def test_a_text_that_is_no_date_and_time_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="tomorrow"):  # the callers name the option in their own words
        event_instant("tomorrow", "Europe/Berlin")
