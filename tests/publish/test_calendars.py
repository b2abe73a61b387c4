"""Calendar feeds: every file read back by four independent parsers and checked strictly by libical.

The test process runs in TZ=Asia/Tokyo, far from Minsk, so a time read as floating or in the machine's zone
shows up as a wrong instant.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import vobject
from icalendar import Calendar, vText
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.contract.document import ScheduleDocument, UnscheduledRequest, read_document
from scheduler.contract.parse import load_conference
from scheduler.publish.calendars import calendar_files, calendar_uid, event_uid, summary
from scheduler.publish.from_outcome import schedule_document
from scheduler.publish.revisions import carry_identity
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from tests.support.ical_tools import (
    icaljs_available,
    icaljs_seen,
    libical_available,
    libical_errors,
    read_icalendar,
    read_icaljs,
    read_ics,
    read_vobject,
    require,
    vevents,
)
from tests.support.instances import DETERMINISTIC, instance, request
from tests.support.paths import ROOT

MINSK = ROOT / "examples" / "minsk-2024.json"
TINY = ROOT / "examples" / "tiny.json"
PUBLISHED = datetime(2024, 10, 20, 12, 0, tzinfo=UTC)
LATER = datetime(2024, 10, 25, 8, 30, tzinfo=UTC)

EVENT_NAME = 'Беларусь; "Minsk", 2024'
TRICKY_ROOMS = [
    {"id": "R1", "name": 'Зал №1, "Малахит"; 2 этаж', "capacity": 12, "features": ["interpretation"], "level": 2},
    {"id": "R2", "name": "Room <B> & co, annex; \\ east", "capacity": 12, "features": [], "level": 0},
]
TRICKY_DELEGATIONS = [
    {
        "id": "BLR",
        "name": "Республика Беларусь",
        "head": 'Министр; "иностранных дел", М. Рыженков',
        "languages": ["ru"],
    },
    {"id": "HUN", "name": 'Hungary, "Magyarország"; HU', "head": "Péter Szijjártó", "languages": ["ru", "hu"]},
    {"id": "CHN", "name": "中华人民共和国", "head": "王毅", "languages": ["zh"]},
    {"id": "CIV", "name": "Côte d'Ivoire \\ Abidjan", "head": "Ministre, d'État", "languages": ["fr"]},
]


def tricky_instance() -> dict:
    return instance(
        event_name=EVENT_NAME,
        event_days=[
            {"date": "2024-10-31", "start": "09:00", "end": "12:00"},
            {"date": "2024-11-01", "start": "09:00", "end": "11:00"},
        ],
        rooms=TRICKY_ROOMS,
        delegations=TRICKY_DELEGATIONS,
        requests=[
            request("BLR-HUN", ["BLR", "HUN"], 60, 5),
            request("BLR-CHN", ["BLR", "CHN"], 45, 4),
            request("BLR-HUN-CHN", ["BLR", "HUN", "CHN"], 40, 3),
            request("HUN-CIV", ["HUN", "CIV"], 30, 2),
            request("CHN-CIV", ["CHN", "CIV"], 30, 2),
            request("ALL-FOUR", ["BLR", "HUN", "CHN", "CIV"], 30, 1),
        ],
    )


def dst_instance() -> dict:
    """Berlin across the end of summer time (27 Oct 2024): two UTC offsets in one feed."""
    return instance(
        event_name="Berlin, across DST",
        event_id="berlin-dst",
        event_timezone="Europe/Berlin",
        event_days=[
            {"date": "2024-10-26", "start": "09:00", "end": "12:00"},
            {"date": "2024-10-28", "start": "09:00", "end": "12:00"},
        ],
        requests=[
            request("AB", "AB", 60, 3, window=[{"start": "2024-10-26T09:00", "end": "2024-10-26T12:00"}]),
            request("CD", "CD", 60, 3, window=[{"start": "2024-10-28T09:00", "end": "2024-10-28T12:00"}]),
            request("AC", "AC", 30, 1),
        ],
    )


def clocks_back_instance() -> dict:
    """Berlin on the night clocks go back (27 Oct 2024, 03:00 CEST -> 02:00 CET): the day's hours 02:30-03:00
    (local) last 90 minutes, and A's three half-hour meetings fill them: one from 02:30 CEST to 02:00 CET
    (its local end before its local start), two in the repeated hour (02:00 and 02:30 CET). CD, the next
    morning, has unambiguous local times."""
    return instance(
        event_name="Berlin, clocks go back",
        event_id="berlin-fold",
        event_timezone="Europe/Berlin",
        event_slot_minutes=30,
        event_days=[
            {"date": "2024-10-27", "start": "02:30", "end": "03:00"},
            {"date": "2024-10-28", "start": "09:00", "end": "10:00"},
        ],
        requests=[
            *(
                request(f"A{p}", f"A{p}", 30, 2, window=[{"start": "2024-10-27T02:30", "end": "2024-10-27T03:00"}])
                for p in "BCD"
            ),
            request("CD", "CD", 30, 1, window=[{"start": "2024-10-28T09:00", "end": "2024-10-28T10:00"}]),
        ],
    )


def published(data: dict, options: SolveOptions = DETERMINISTIC) -> tuple:
    conference = load_conference(json.dumps(data))
    outcome = solve(conference, options)
    assert outcome.has_schedule
    document = carry_identity(conference, schedule_document(conference, outcome), None, PUBLISHED)
    return conference, document


def with_cancellation(conference, document: ScheduleDocument) -> ScheduleDocument:
    """A re-publication in which the first meeting was dropped and the second moved one slot later."""
    dropped, moved, *rest = document.meetings
    clock, shift = conference.clock, conference.event.slot_minutes
    moved = moved.model_copy(
        update={
            "start": clock.to_iso(clock.to_minute(moved.starts_at) + shift),
            "end": clock.to_iso(clock.to_minute(moved.ends_at) + shift),
        }
    )
    new = document.model_copy(
        update={
            "meetings": tuple(m.model_copy(update={"sequence": None, "last_modified": None}) for m in (moved, *rest)),
            "unscheduled": (*document.unscheduled, UnscheduledRequest(request=dropped.request, reason="test: dropped")),
            "cancelled": None,
        }
    )
    return carry_identity(conference, new, document, LATER)


@pytest.fixture(autouse=True)
def far_from_minsk(monkeypatch):
    """The test process thinks it is in Tokyo (UTC+9, no DST)."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture(scope="module")
def tricky():
    return published(tricky_instance())


@pytest.fixture(scope="module")
def cases(tricky):
    """(name, conference, document, files) of every instance the parsers read."""
    conference, document = tricky
    dst_conference, dst_document = published(dst_instance())
    back_conference, back_document = published(clocks_back_instance())
    cancelled = with_cancellation(conference, document)
    out = []
    for name, conf, doc in (
        ("tricky", conference, document),
        ("tricky-cancelled", conference, cancelled),
        ("dst", dst_conference, dst_document),
        ("clocks-back", back_conference, back_document),
    ):
        out.append((name, conf, doc, calendar_files(conf, doc)))
    return out


@pytest.fixture(scope="module")
def written(cases, tmp_path_factory):
    """The same files on disk, for the parsers that read paths."""
    paths = {}
    for name, _, _, files in cases:
        folder = tmp_path_factory.mktemp(name)
        for file_name, content in files.items():
            (folder / file_name).write_bytes(content)
            paths[(name, file_name)] = folder / file_name
    return paths


def expected(conference, document: ScheduleDocument, file_name: str) -> dict[str, tuple]:
    """UID -> (UTC start, UTC end, STATUS, SEQUENCE) of what the file must show, from schedule.json."""
    stem = file_name.removesuffix(".ics")
    entries = [(m, "CONFIRMED") for m in document.meetings] + [(c, "CANCELLED") for c in document.cancelled]
    shown = {}
    for entry, status in entries:
        if stem.startswith("delegation-") and stem.removeprefix("delegation-") not in entry.parties:
            continue
        if stem.startswith("room-") and stem.removeprefix("room-") != entry.room:
            continue
        shown[event_uid(conference, entry.request)] = (
            entry.starts_at.astimezone(UTC),
            entry.ends_at.astimezone(UTC),
            status,
            entry.sequence,
        )
    return shown


def reader_of(file_name: str) -> str | None:
    return file_name.removesuffix(".ics").removeprefix("delegation-") if file_name.startswith("delegation-") else None


def check_seen(conference, document: ScheduleDocument, file_name: str, seen: list) -> None:
    uids = [s.uid for s in seen]
    assert len(uids) == len(set(uids)), f"{file_name}: a UID is duplicated"
    assert {s.uid: (s.start, s.end, s.status, s.sequence) for s in seen} == expected(conference, document, file_name)
    by_uid = {event_uid(conference, e.request): e for e in document.meetings + document.cancelled}
    rooms = {r.id: r.name for r in conference.rooms}
    heads = {d.id: d.head for d in conference.delegations}
    for s in seen:
        entry = by_uid[s.uid]
        title = summary(conference, entry.parties, reader_of(file_name))
        assert s.summary == (f"Cancelled: {title}" if s.status == "CANCELLED" else title)
        assert s.location == rooms[entry.room]
        for party in entry.parties:
            assert heads[party] in s.description


@pytest.mark.slow
@pytest.mark.parametrize("read", [read_icalendar, read_vobject, read_ics], ids=["icalendar", "vobject", "ics"])
def test_every_file_reads_back_with_the_schedules_uids_and_instants(cases, read) -> None:
    for _name, conference, document, files in cases:
        assert set(files) == {"all.ics"} | {f"delegation-{d.id}.ics" for d in conference.delegations} | {
            f"room-{r.id}.ics" for r in conference.rooms
        }
        for file_name, content in files.items():
            check_seen(conference, document, file_name, read(content))


def test_icaljs_reads_every_file_alike_and_finds_every_zone(cases, written) -> None:
    """ical.js (Thunderbird's parser) resolves TZID only through the file's own VTIMEZONE."""
    require(icaljs_available())
    views = read_icaljs(list(written.values()))
    for name, conference, document, files in cases:
        for file_name in files:
            view = views[written[(name, file_name)]]
            assert view["timezones"] == [conference.event.timezone]
            check_seen(conference, document, file_name, icaljs_seen(view))


def test_calendar_names_round_trip(cases, written) -> None:
    name, conference, _, files = cases[0]
    for file_name, content in files.items():
        calendar = Calendar.from_ical(content)
        title = EVENT_NAME
        if file_name.startswith("delegation-"):
            title += " – " + conference.delegation(reader_of(file_name)).name
        elif file_name.startswith("room-"):
            title += " – " + conference.room(file_name.removesuffix(".ics").removeprefix("room-")).name
        # NAME and X-WR-CALNAME are TEXT: written escaped; icalendar reads them back raw (as an unknown type)
        escaped = vText(title).to_ical().decode()
        assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == escaped
        parsed = vobject.readOne(content.decode())
        assert parsed.contents["x-wr-calname"][0].value == title
        assert parsed.contents["name"][0].value == title
    if icaljs_available() is None:
        views = read_icaljs([written[(name, "all.ics")]])
        # ical.js does not know NAME/X-WR-CALNAME and shows them raw: the raw value is the RFC 5545 TEXT escape
        raw = next(iter(views.values()))["x_wr_calname"]
        assert raw == vText(EVENT_NAME).to_ical().decode()


@pytest.mark.slow
def test_libical_strict_check_finds_no_error_in_the_minsk_feeds(tmp_path: Path, written) -> None:
    require(libical_available())
    conference = load_conference(MINSK.read_bytes())
    outcome = solve(conference, SolveOptions(time_limit=30, workers=1, seed=1, deterministic_time=1, secondary=False))
    document = carry_identity(conference, schedule_document(conference, outcome), None, PUBLISHED)
    files = calendar_files(conference, document)
    assert len(files) == 1 + len(conference.delegations) + len(conference.rooms)
    for file_name, content in files.items():
        (tmp_path / file_name).write_bytes(content)
    assert libical_errors(sorted(tmp_path.glob("*.ics"))) == []
    assert libical_errors(sorted(written.values())) == []


def test_libical_check_does_catch_what_it_should(tmp_path: Path, tricky) -> None:
    """The strict check is not vacuous: the VTIMEZONE COMMENT icalendar writes is reported."""
    require(libical_available())
    conference, document = tricky
    calendar = Calendar.from_ical(calendar_files(conference, document)["all.ics"])
    calendar.timezones[0].add("COMMENT", "This timezone only works from 2024-10-31 to 2024-11-02.")
    (tmp_path / "bad.ics").write_bytes(calendar.to_ical())
    assert any("COMMENT" in line for line in libical_errors([tmp_path / "bad.ics"]))


def test_feed_properties(tricky) -> None:
    conference, document = tricky
    files = calendar_files(conference, document)
    first, last = conference.event.days[0].date, conference.event.days[-1].date
    for file_name, content in files.items():
        lines = content.split(b"\r\n")
        assert content.endswith(b"END:VCALENDAR\r\n") and b"\n" not in content.replace(b"\r\n", b"")
        assert all(len(line) <= 75 for line in lines), "lines are folded at 75 octets"
        content.decode("utf-8")
        unfolded = content.replace(b"\r\n ", b"").decode()
        props = [line.split(":", 1)[0].split(";", 1)[0] for line in unfolded.split("\r\n")]
        assert props.count("NAME") == 1 and props.count("X-WR-CALNAME") == 1
        assert "ATTENDEE" not in props and "COMMENT" not in props
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in unfolded.split("\r\n")
        assert "X-PUBLISHED-TTL:PT1H" in unfolded.split("\r\n")
        calendar = Calendar.from_ical(content)
        assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"]).startswith("-//bilateral//")
        assert str(calendar["UID"]) == calendar_uid(conference, file_name.removesuffix(".ics"))
        # one VTIMEZONE, restricted to the event's dates
        (zone,) = calendar.timezones
        assert str(zone["TZID"]) == "Europe/Minsk"
        for observance in zone.subcomponents:
            assert first <= observance["DTSTART"].dt.date() <= last
        for event in calendar.walk("VEVENT"):
            assert event.DTSTART.tzinfo is not None and event["DTSTART"].params["TZID"] == "Europe/Minsk"
            assert event["DTEND"].params["TZID"] == "Europe/Minsk"
            assert event.DTSTAMP == event.LAST_MODIFIED == PUBLISHED
    calendar_uids = {bytes(Calendar.from_ical(c)["UID"].to_ical()) for c in files.values()}
    assert len(calendar_uids) == len(files)


def test_uids_are_the_same_in_every_feed_and_derive_from_the_event_id(tricky) -> None:
    conference, document = tricky
    files = calendar_files(conference, document)
    assert conference.event.id == "minsk-2024"  # the default: a slug of the name
    everywhere = {uid for content in files.values() for uid in vevents(content)}
    assert everywhere == {f"{m.request}@minsk-2024.bilateral" for m in document.meetings}
    assert set(vevents(files["all.ics"])) == everywhere


def test_delegation_feeds_hold_only_their_meetings_titled_from_their_side(tricky) -> None:
    conference, document = tricky
    files = calendar_files(conference, document)
    names = {d.id: d.name for d in conference.delegations}
    for d in conference.delegations:
        events = Calendar.from_ical(files[f"delegation-{d.id}.ics"]).walk("VEVENT")
        own = {m.request: m for m in document.meetings if d.id in m.parties}
        assert {str(e["UID"]).split("@")[0] for e in events} == set(own)
        for e in events:
            parties = own[str(e["UID"]).split("@")[0]].parties
            others = [names[p] for p in parties if p != d.id]
            text = str(e["SUMMARY"])
            if len(parties) == 2:
                assert text == f"Bilateral with {others[0]}"
            elif len(parties) == 3:
                assert text == f"Trilateral with {others[0]} and {others[1]}"
            else:
                assert text.startswith("Meeting with ")
            assert d.name not in text
    all_events = Calendar.from_ical(files["all.ics"]).walk("VEVENT")
    bilateral = next(e for e in all_events if str(e["UID"]).startswith("BLR-HUN@"))
    assert str(bilateral["SUMMARY"]) == f"Bilateral: {names['BLR']} – {names['HUN']}"


def test_description_says_heads_seats_and_interpretation(tricky) -> None:
    conference, document = tricky
    events = {
        str(e["UID"]).split("@")[0]: e
        for e in Calendar.from_ical(calendar_files(conference, document)["all.ics"]).walk("VEVENT")
    }
    if "BLR-CHN" in events:  # BLR speaks ru, CHN zh: interpretation
        text = str(events["BLR-CHN"]["DESCRIPTION"])
        assert "Interpretation: yes" in text and "王毅" in text and "Seats: 4" in text
    if "BLR-HUN" in events:  # both speak ru
        assert "Interpretation: no" in str(events["BLR-HUN"]["DESCRIPTION"])
    assert {"BLR-CHN", "BLR-HUN"} & set(events)


def test_generating_twice_gives_identical_bytes(tricky) -> None:
    conference, document = tricky
    assert calendar_files(conference, document.model_copy(deep=True)) == calendar_files(conference, document)
    again = load_conference(json.dumps(tricky_instance()))
    assert calendar_files(again, read_document(document.to_json())) == calendar_files(conference, document)


def test_events_are_sorted_by_time(tricky) -> None:
    conference, document = tricky
    events = Calendar.from_ical(calendar_files(conference, document)["all.ics"]).walk("VEVENT")
    starts = [e.DTSTART for e in events]
    assert starts == sorted(starts)


def test_a_schedule_without_identity_fields_is_refused(tricky) -> None:
    conference, document = tricky
    first, *rest = document.meetings
    bare = document.model_copy(update={"meetings": (first.model_copy(update={"sequence": None}), *rest)})
    with pytest.raises(ValueError, match="carry_identity"):
        calendar_files(conference, bare)


def test_solve_writes_the_feeds_and_calendars_command_regenerates_them(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["solve", str(TINY), "--out", str(out), "--quiet", "--workers", "1", "--seed", "1",
         "--published-at", "2024-10-20T12:00:00Z"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(TINY.read_text())
    names = {p.name for p in (out / "calendars").iterdir()}
    assert names == {"all.ics"} | {f"delegation-{d['id']}.ics" for d in data["delegations"]} | {
        f"room-{r['id']}.ics" for r in data["rooms"]
    }
    schedule = json.loads((out / "schedule.json").read_text())
    assert all(m["sequence"] == 0 and m["last_modified"] == "2024-10-20T12:00:00Z" for m in schedule["meetings"])
    assert schedule["cancelled"] == []
    again = tmp_path / "again"
    result = runner.invoke(app, ["calendars", str(TINY), str(out / "schedule.json"), "--out", str(again)])
    assert result.exit_code == 0, result.output
    for name in names:
        assert (again / name).read_bytes() == (out / "calendars" / name).read_bytes()
    # a schedule that breaks the rules is refused, nothing written
    schedule["meetings"][1]["room"], schedule["meetings"][1]["start"] = (
        schedule["meetings"][0]["room"],
        schedule["meetings"][0]["start"],
    )
    (tmp_path / "bad.json").write_text(json.dumps(schedule))
    result = runner.invoke(app, ["calendars", str(TINY), str(tmp_path / "bad.json"), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and not (tmp_path / "x").exists()


# --- the night clocks go back ---------------------------------------------------------------------------


def _dtstart_lines(content: bytes) -> dict[str, str]:
    """UID -> its DTSTART line as written."""
    lines = {}
    for uid, block in vevents(content).items():
        lines[uid] = next(line for line in block.decode().split("\r\n") if line.startswith("DTSTART"))
    return lines


def test_meetings_in_the_repeated_hour_are_written_at_their_instants(tmp_path: Path) -> None:
    """Before: `scheduler solve` crashed on the meeting spanning the change (its local end is before its local
    start), and a meeting in the repeated hour was written as a local time read as its first occurrence."""
    source = tmp_path / "input.json"
    source.write_text(json.dumps(clocks_back_instance()))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["solve", str(source), "--out", str(out), "--quiet", "--workers", "1", "--seed", "1",
         "--published-at", "2024-10-20T12:00:00Z"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    schedule = json.loads((out / "schedule.json").read_text())
    instants = {
        f"{m['request']}@berlin-fold.bilateral": (
            datetime.fromisoformat(m["start"]).astimezone(UTC),
            datetime.fromisoformat(m["end"]).astimezone(UTC),
        )
        for m in schedule["meetings"]
    }
    night = {uid: span for uid, span in instants.items() if not uid.startswith("CD@")}
    assert sorted(start.strftime("%H:%M") for start, _ in night.values()) == ["00:30", "01:00", "01:30"]  # UTC
    feeds = sorted((out / "calendars").iterdir())
    for path in feeds:
        content = path.read_bytes()
        seen = {s.uid: (s.start, s.end) for s in read_icalendar(content)}
        assert seen == {uid: span for uid, span in instants.items() if uid in seen}, path.name
        for uid, line in _dtstart_lines(content).items():
            if uid in night:
                assert line.startswith("DTSTART:") and line.endswith("Z"), line
            else:  # an unambiguous local time keeps the event's zone
                assert line.startswith("DTSTART;TZID=Europe/Berlin:"), line
    assert {s.uid for s in read_icalendar((out / "calendars" / "all.ics").read_bytes())} == set(instants)
