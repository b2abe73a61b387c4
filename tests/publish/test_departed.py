"""A meeting that moves to another room leaves that room's feed as a cancellation, not by vanishing.

Calendar clients keep an event that simply disappears from a feed; only a CANCELLED event with a higher
SEQUENCE removes it. So when a re-solve moves a meeting from one room to another, the old room's feed
carries it as cancelled (and keeps doing so in later publications), while the new room's feed and the
delegations' feeds show it as it now is.
"""

from __future__ import annotations

import json
from pathlib import Path

from icalendar import Calendar
from typer.testing import CliRunner

from scheduler.cli import app
from tests.support.instances import instance, request

runner = CliRunner()
ROOMS = [{"id": r, "name": f"Room {r}", "capacity": 10, "features": ["interpretation"], "level": 2}
         for r in ("R1", "R2")]


def publish(tmp_path: Path, name: str, room: str, previous: Path | None, at: str) -> Path:
    data = instance(rooms=ROOMS, requests=[request("AB", "AB", 60, fixed={"start": "2024-10-31T10:00", "room": room})])
    source = tmp_path / f"{name}.json"
    source.write_text(json.dumps(data))
    out = tmp_path / name
    args = ["solve", str(source), "--out", str(out), "--quiet", "--workers", "1", "--published-at", at]
    if previous is not None:
        args += ["--previous", str(previous / "schedule.json")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out


def events(folder: Path, feed: str) -> list[tuple[str, int, str]]:
    calendar = Calendar.from_ical((folder / "calendars" / f"{feed}.ics").read_bytes())
    return [(str(e["UID"]).split("@")[0], int(e["SEQUENCE"]), str(e["STATUS"])) for e in calendar.walk("VEVENT")]


def test_a_meeting_moved_to_another_room_is_cancelled_in_the_old_rooms_feed(tmp_path: Path) -> None:
    one = publish(tmp_path, "one", "R1", None, "2024-10-30T10:00:00Z")
    assert events(one, "room-R1") == [("AB", 0, "CONFIRMED")] and events(one, "room-R2") == []
    two = publish(tmp_path, "two", "R2", one, "2024-10-30T11:00:00Z")
    assert events(two, "room-R1") == [("AB", 1, "CANCELLED")]
    assert events(two, "room-R2") == [("AB", 1, "CONFIRMED")]
    assert events(two, "delegation-A") == [("AB", 1, "CONFIRMED")]  # one event per meeting in every feed
    assert events(two, "all") == [("AB", 1, "CONFIRMED")]
    three = publish(tmp_path, "three", "R2", two, "2024-10-30T12:00:00Z")  # nothing changed
    for feed in ("room-R1", "room-R2", "delegation-A", "all"):
        assert (three / "calendars" / f"{feed}.ics").read_bytes() == (two / "calendars" / f"{feed}.ics").read_bytes()
    back = publish(tmp_path, "back", "R1", three, "2024-10-30T13:00:00Z")
    assert events(back, "room-R1") == [("AB", 2, "CONFIRMED")]
    assert events(back, "room-R2") == [("AB", 2, "CANCELLED")]
    document = json.loads((back / "schedule.json").read_text())
    assert [d["room"] for d in document["departed"]] == ["R2"]
