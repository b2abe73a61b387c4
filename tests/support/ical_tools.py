"""Independent readers of the generated calendars, for the calendar and revision tests.

Each reader returns, per file, the events as a client would see them: UID, UTC start and end, summary,
location, description, status and sequence. `icalendar` (the writer's own library), `vobject`, `ics` and
ical.js (the parser Thunderbird uses, under Node) read them; libical (Debian's gir1.2-ical-3.0, through the
system python3) runs its strict restriction check.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.paths import ROOT

HERE = Path(__file__).resolve().parent
JS = ROOT / "tests" / "js"
LIBICAL_CHECK = HERE / "libical_check.py"
SYSTEM_PYTHON = "/usr/bin/python3"
IN_CI = os.environ.get("CI") == "true"


@dataclass(frozen=True)
class Seen:
    uid: str
    start: datetime  # UTC
    end: datetime  # UTC
    summary: str
    location: str
    description: str
    status: str
    sequence: int


def _utc(moment: datetime) -> datetime:
    assert moment.tzinfo is not None, f"{moment} is floating: the zone was not understood"
    return moment.astimezone(UTC)


def read_icalendar(content: bytes) -> list[Seen]:
    from icalendar import Calendar

    calendar = Calendar.from_ical(content)
    return [
        Seen(
            str(e["UID"]),
            _utc(e.start),
            _utc(e.end),
            str(e["SUMMARY"]),
            str(e["LOCATION"]),
            str(e["DESCRIPTION"]),
            str(e["STATUS"]),
            int(e["SEQUENCE"]),
        )
        for e in calendar.walk("VEVENT")
    ]


def read_vobject(content: bytes) -> list[Seen]:
    import vobject

    calendar = vobject.readOne(content.decode("utf-8"))
    return [
        Seen(
            e.uid.value,
            _utc(e.dtstart.value),
            _utc(e.dtend.value),
            e.summary.value,
            e.location.value,
            e.description.value,
            e.status.value,
            int(e.sequence.value),
        )
        for e in calendar.contents.get("vevent", [])
    ]


def read_ics(content: bytes) -> list[Seen]:
    import ics

    calendar = ics.Calendar(content.decode("utf-8"))
    seen = []
    for e in calendar.events:
        extra = {line.name: line.value for line in e.extra}
        seen.append(
            Seen(
                e.uid,
                _utc(e.begin.datetime),
                _utc(e.end.datetime),
                e.name,
                e.location,
                e.description,
                e.status,
                int(extra.get("SEQUENCE", "-1")),
            )
        )
    return seen


def icaljs_available() -> str | None:
    """None when ical.js can run, else why not."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (JS / "node_modules" / "ical.js").is_dir():
        return f"ical.js is not installed: run `npm ci --prefix {JS}`"
    return None


def read_icaljs(paths: list[Path]) -> dict[Path, dict]:
    """ical.js's view of each file: {"name", "x_wr_calname", "timezones", "events": [...]}."""
    env = {**os.environ, "TZ": os.environ.get("TZ", "Asia/Tokyo")}
    result = subprocess.run(
        ["node", str(JS / "parse.mjs"), *map(str, paths)], capture_output=True, text=True, env=env, check=True
    )
    raw = json.loads(result.stdout)
    return {Path(name): value for name, value in raw.items()}


def icaljs_seen(view: dict) -> list[Seen]:
    out = []
    for e in view["events"]:
        assert e["start_zone"] not in (None, "floating") and e["end_zone"] not in (None, "floating"), e
        out.append(
            Seen(
                e["uid"],
                datetime.fromisoformat(e["start"]),
                datetime.fromisoformat(e["end"]),
                e["summary"],
                e["location"],
                e["description"],
                e["status"],
                int(e["sequence"]),
            )
        )
    return out


def libical_available() -> str | None:
    """None when libical's GObject bindings can run under the system python3, else why not."""
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is missing"
    probe = subprocess.run(
        [
            SYSTEM_PYTHON,
            "-c",
            "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib",
        ],
        capture_output=True,
        text=True,
    )
    if probe.returncode:
        return "libical's bindings are missing (apt-get install gir1.2-ical-3.0 python3-gi)"
    return None


def libical_errors(paths: list[Path]) -> list[str]:
    """Every X-LIC-ERROR libical reports while parsing and restriction-checking the files."""
    result = subprocess.run(
        [SYSTEM_PYTHON, str(LIBICAL_CHECK), *map(str, paths)], capture_output=True, text=True, check=False
    )
    assert result.returncode in (0, 1), result.stderr
    return [line for line in result.stdout.splitlines() if line.strip()]


def require(reason: str | None) -> None:
    """Skip with the reason outside CI; under CI (CI=true) a missing tool is a failure."""
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"required under CI: {reason}")
    pytest.skip(reason)


def vevents(content: bytes) -> dict[str, bytes]:
    """The raw bytes of each VEVENT of a file, by UID (asserting UIDs are unique in the file)."""
    blocks: dict[str, bytes] = {}
    for part in content.split(b"BEGIN:VEVENT\r\n")[1:]:
        block = b"BEGIN:VEVENT\r\n" + part[: part.index(b"END:VEVENT\r\n") + len(b"END:VEVENT\r\n")]
        unfolded = block.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")
        uid_line = next(line for line in unfolded.split(b"\r\n") if line.startswith(b"UID:"))
        uid = uid_line[4:].decode()
        assert uid not in blocks, f"UID {uid} twice in one file"
        blocks[uid] = block
    return blocks
