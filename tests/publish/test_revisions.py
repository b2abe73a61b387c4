"""Identity across re-solves: unchanged meetings byte-identical, moved ones SEQUENCE+1, dropped ones CANCELLED."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from scheduler.check.validator import check_schedule_text
from scheduler.cli import app
from scheduler.contract.document import CancelledMeeting, ScheduleDocument
from scheduler.contract.parse import load_conference
from scheduler.publish.revisions import BadPrevious, carry_identity, read_previous
from tests.support.ical_tools import read_icalendar, read_vobject, vevents
from tests.support.publications import FIGURES, at, first_version, second_version

T1, T2, T3, T4 = "2024-10-20T12:00:00Z", "2024-10-25T08:30:00Z", "2024-10-29T18:00:00Z", "2024-10-30T07:00:00Z"
runner = CliRunner()










def solve_into(tmp_path: Path, name: str, data: dict, *args: str) -> Path:
    source = tmp_path / f"{name}.json"
    source.write_text(json.dumps(data))
    out = tmp_path / name
    result = runner.invoke(
        app, ["solve", str(source), "--out", str(out), "--quiet", "--workers", "1", "--seed", "1", *args]
    )
    assert result.exit_code == 0, result.output
    return out


def feeds(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "calendars").iterdir())}


def uid(rid: str) -> str:
    return f"{rid}@test.bilateral"


@pytest.mark.slow
def test_re_solve_keeps_unchanged_events_byte_identical_moves_and_cancels(tmp_path: Path) -> None:
    one = solve_into(tmp_path, "one", first_version(), "--published-at", T1)
    placed = {m["request"]: m["start"][11:16] for m in json.loads((one / "schedule.json").read_text())["meetings"]}
    assert placed == {"AB": "09:00", "CD": "10:00", "BD": "11:30"}

    two = solve_into(tmp_path, "two", second_version(), "--previous", str(one / "schedule.json"), "--published-at", T2)
    schedule = json.loads((two / "schedule.json").read_text())
    meetings = {m["request"]: m for m in schedule["meetings"]}
    assert meetings["BD"]["start"][11:16] == "11:00"
    assert (meetings["AB"]["sequence"], meetings["AB"]["last_modified"]) == (0, T1)
    assert (meetings["BD"]["sequence"], meetings["BD"]["last_modified"]) == (1, T2)
    assert [(c["request"], c["sequence"], c["last_modified"]) for c in schedule["cancelled"]] == [("CD", 1, T2)]
    assert "CD" not in {u["request"] for u in schedule["unscheduled"]}  # withdrawn: no longer a request

    before, after = feeds(one), feeds(two)
    assert set(before) == set(after)
    for name in after:
        old, new = vevents(before[name]), vevents(after[name])
        assert set(old) == set(new), f"{name}: an event vanished or appeared"
        if uid("AB") in new:
            assert new[uid("AB")] == old[uid("AB")], f"{name}: the unchanged meeting changed"
        for seen in (read_icalendar(after[name]), read_vobject(after[name])):
            by_uid = {s.uid: s for s in seen}
            assert len(by_uid) == len(seen), f"{name}: duplicated UID"
            if uid("BD") in by_uid:
                assert by_uid[uid("BD")].sequence == 1 and by_uid[uid("BD")].status == "CONFIRMED"
                assert by_uid[uid("BD")].start == datetime(2024, 10, 31, 8, 0, tzinfo=UTC)  # 11:00 in Minsk
            if uid("CD") in by_uid:
                assert by_uid[uid("CD")].status == "CANCELLED" and by_uid[uid("CD")].sequence == 1
    for event in Calendar.from_ical(after["all.ics"]).walk("VEVENT"):
        if str(event["UID"]) == uid("BD"):
            assert event.LAST_MODIFIED == event.DTSTAMP == datetime(2024, 10, 25, 8, 30, tzinfo=UTC)
    assert uid("CD") in vevents(after["delegation-C.ics"])  # C and D still see it, cancelled
    assert uid("CD") not in vevents(after["delegation-A.ics"])

    # A third publication of the same input changes nothing: every feed byte-identical, CD still cancelled.
    three = solve_into(
        tmp_path, "three", second_version(), "--previous", str(two / "schedule.json"), "--published-at", T3
    )
    assert feeds(three) == after
    assert json.loads((three / "schedule.json").read_text())["cancelled"] == schedule["cancelled"]

    # CD comes back: it leaves `cancelled` with SEQUENCE + 1.
    four = solve_into(
        tmp_path, "four", first_version(), "--previous", str(three / "schedule.json"), "--published-at", T4
    )
    final = json.loads((four / "schedule.json").read_text())
    assert final["cancelled"] == []
    cd = next(m for m in final["meetings"] if m["request"] == "CD")
    assert cd["sequence"] == 2
    assert {s.uid: s.status for s in read_icalendar(feeds(four)["all.ics"])}[uid("CD")] == "CONFIRMED"


def test_check_accepts_schedules_with_identity_fields(tmp_path: Path) -> None:
    one = solve_into(tmp_path, "one", first_version(), "--published-at", T1)
    two = solve_into(tmp_path, "two", second_version(), "--previous", str(one / "schedule.json"))
    text = (two / "schedule.json").read_bytes()
    assert json.loads(text)["cancelled"]
    conference = load_conference(json.dumps(second_version()))
    assert check_schedule_text(conference, text).ok
    source = tmp_path / "second.json"
    source.write_text(json.dumps(second_version()))
    result = runner.invoke(app, ["check", str(source), str(two / "schedule.json")])
    assert result.exit_code == 0, result.output




def schedule_text(**fields) -> str:
    """A schedule.json's text: the contract's top level, no meetings, with `fields` replaced."""
    return json.dumps({**FIGURES, "meetings": [], "unscheduled": [], **fields})


AB_MEETING = {
    "request": "AB",
    "parties": ["A", "B"],
    "room": "R1",
    "start": "2024-10-31T09:00:00+03:00",
    "end": "2024-10-31T10:00:00+03:00",
}


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not JSON"),
        ("[]", "JSON object"),
        (schedule_text(meetings=3), "meetings: expected a list"),
        (schedule_text(meetings=[{"request": "AB", "parties": ["A", "B"]}]), "meetings[0].room: is required"),
        (
            schedule_text(cancelled=[{**AB_MEETING, "sequence": -1, "last_modified": "2024-10-20T12:00:00Z"}]),
            "cancelled[0].sequence",
        ),
        (schedule_text(cancelled=[AB_MEETING]), "cancelled[0].sequence: is required"),
        (schedule_text(meetings=[{**AB_MEETING, "last_modified": "yesterday"}]), "meetings[0].last_modified"),
        (schedule_text(meetings=[AB_MEETING, AB_MEETING]), "meetings[1].request: 'AB' is listed twice"),
        (json.dumps({"meetings": []}), "status: is required"),
        ('{"meetings": [], "scheduled_priority": ' + "9" * 5000 + "}", "scheduled_priority: not JSON"),
        ('{"meetings": [{"request": "\\udc00"}]}', "meetings[0].request: not JSON"),
        ('{"meetings": [], "gap": Infinity}', "gap: not JSON"),
    ],
)
def test_a_bad_previous_file_is_bad_input_and_nothing_is_written(tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "input.json"
    source.write_text(json.dumps(first_version()))
    previous = tmp_path / "previous.json"
    previous.write_text(content)
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(source), "--out", str(out), "--quiet", "--previous", str(previous)])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and str(previous) in lines[0], result.output
    assert not out.exists()


def test_a_missing_previous_file_and_a_bad_publication_time_are_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "input.json"
    source.write_text(json.dumps(first_version()))
    out = tmp_path / "out"
    cases = [
        (["--previous", str(tmp_path / "missing.json")], "cannot read the previous schedule"),
        (["--published-at", "yesterday"], "--published-at"),
        (["--published-at", "2024-10-30T12:00"], "no UTC offset"),
        (["--published-at", "9999-12-31T23:00:00-05:00"], "outside the dates accepted, 2000-01-01 to 2100-12-31"),
        (["--published-at", "1999-12-31T23:00:00+00:00"], "'1999-12-31T23:00:00+00:00' is outside the dates"),
        (["--freeze-before", "9999-12-31T23:00:00-05:00"], "--freeze-before: '9999-12-31T23:00:00-05:00' is outside"),
    ]
    for args, message in cases:
        result = runner.invoke(app, ["solve", str(source), "--out", str(out), "--quiet", *args])
        assert result.exit_code == 2 and message in result.output, result.output
        assert len(result.output.strip().splitlines()) == 1
        assert not out.exists()
    one = solve_into(tmp_path, "one", first_version(), "--published-at", T2)
    result = runner.invoke(
        app,
        ["solve", str(source), "--out", str(out), "--quiet", "--previous", str(one / "schedule.json"),
         "--published-at", T1],
    )  # fmt: skip
    assert result.exit_code == 2 and "before a change already published" in result.output
    assert not out.exists()


# --- the library function on its own -------------------------------------------------------------------


CONF = load_conference(json.dumps(first_version()))
NOW = datetime(2024, 10, 20, 12, 0, 0, 999, tzinfo=UTC)
SOLVE = {"gap": 0.0, "time_to_best_seconds": 0.1, "time_to_proof_seconds": None, "wall_time_seconds": 1.0,
         "greedy_priority": 0, "phases": [{"phase": "priority", "status": "OPTIMAL", "value": 0, "bound": 0}]}


def doc(*meetings: tuple[str, str, str]) -> ScheduleDocument:
    """A schedule with meetings (request, room, local start HH:MM) of the first version."""
    durations = {r.id: r.duration for r in CONF.requests}
    parties = {r.id: list(r.parties) for r in CONF.requests}
    out = []
    for rid, room, start in meetings:
        begin = datetime.fromisoformat(at(start)).replace(tzinfo=CONF.clock.zone)
        out.append(
            {
                "request": rid,
                "parties": parties[rid],
                "room": room,
                "start": begin.isoformat(),
                "end": (begin + timedelta(minutes=durations[rid])).isoformat(),
            }
        )
    return ScheduleDocument.model_validate({**FIGURES, "meetings": out, "unscheduled": [], "solve": SOLVE})


def identity(document: ScheduleDocument) -> dict[str, tuple[int, str]]:
    return {m.request: (m.sequence, m.last_modified) for m in document.meetings}


def test_first_publication_numbers_everything_zero_at_the_publication_time() -> None:
    document = carry_identity(CONF, doc(("AB", "R1", "09:00")), None, NOW)
    assert identity(document) == {"AB": (0, "2024-10-20T12:00:00Z")}  # to the second
    assert document.cancelled == ()
    written = json.loads(document.to_json())
    assert list(written) == [*FIGURES, "meetings", "unscheduled", "cancelled", "solve"]
    assert list(written["meetings"][0]) == ["request", "parties", "room", "start", "end", "sequence", "last_modified"]


def test_unchanged_moved_new_and_dropped() -> None:
    first = carry_identity(CONF, doc(("AB", "R1", "09:00"), ("CD", "R1", "10:00")), None, NOW)
    later = NOW + timedelta(days=1)
    second = carry_identity(CONF, doc(("AB", "R1", "09:00"), ("BD", "R1", "11:30")), first, later)
    assert identity(second) == {"AB": (0, "2024-10-20T12:00:00Z"), "BD": (0, "2024-10-21T12:00:00Z")}
    assert [(c.request, c.sequence) for c in second.cancelled] == [("CD", 1)]
    # a change of room alone is a move
    third = carry_identity(CONF, doc(("AB", "R2", "09:00"), ("BD", "R1", "11:30")), second, later)
    assert {rid: sequence for rid, (sequence, _) in identity(third).items()} == {"AB": 1, "BD": 0}
    assert third.cancelled == second.cancelled  # stays, unchanged
    # the same instant written with another offset is not a move
    shifted = third.model_copy(
        update={
            "meetings": tuple(
                m.model_copy(
                    update={
                        "start": m.starts_at.astimezone(UTC).isoformat(),
                        "end": m.ends_at.astimezone(UTC).isoformat(),
                        "sequence": None,
                        "last_modified": None,
                    }
                )
                for m in third.meetings
            )
        }
    )
    assert identity(carry_identity(CONF, shifted, third, later)) == identity(third)
    again = carry_identity(CONF, third, third, later + timedelta(days=1))
    assert identity(again) == identity(third) and again.cancelled == third.cancelled
    # against itself, nothing changed; against its previous publication, AB moved room (R1 -> R2)
    assert {m.request: m.change for m in again.meetings} == {"AB": "unchanged", "BD": "unchanged"}
    assert {m.request: m.change for m in third.meetings} == {"AB": "moved", "BD": "unchanged"}
    moved = next(m for m in third.meetings if m.request == "AB").moved_from
    assert (moved.room, moved.start) == ("R1", "2024-10-31T09:00:00+03:00")
    assert {m.change for m in first.meetings} == {None}  # a first publication marks nothing


def test_the_document_given_is_not_changed() -> None:
    document = doc(("AB", "R1", "09:00"))
    snapshot = document.model_copy(deep=True)
    published = carry_identity(CONF, document, None, NOW)
    assert document == snapshot and not document.has_identity and published.has_identity


def test_previous_is_checked_and_time_must_not_go_back() -> None:
    with pytest.raises(BadPrevious, match="meetings"):
        read_previous(json.dumps({"cancelled": []}))
    twice = doc(("AB", "R1", "09:00"), ("AB", "R1", "09:00"))
    with pytest.raises(BadPrevious, match="listed twice"):
        read_previous(twice.to_json())
    with pytest.raises(BadPrevious, match="listed twice") as raised:
        carry_identity(CONF, doc(), twice, NOW)
    assert [str(p) for p in raised.value.problems] == ["meetings[1].request: 'AB' is listed twice"]
    first = carry_identity(CONF, doc(("AB", "R1", "09:00")), None, NOW)
    with pytest.raises(ValueError, match="before a change already published"):
        carry_identity(CONF, doc(("AB", "R1", "10:00")), first, NOW - timedelta(hours=1))
    with pytest.raises(ValueError, match="no time zone"):
        carry_identity(CONF, doc(), None, datetime(2024, 10, 20, 12))


def test_a_request_both_scheduled_and_cancelled_is_refused_with_its_path() -> None:
    first = carry_identity(CONF, doc(("AB", "R1", "09:00")), None, NOW)
    both = first.model_copy(update={"cancelled": (CancelledMeeting(**first.meetings[0].model_dump()),)})
    with pytest.raises(BadPrevious) as raised:
        read_previous(both.to_json())
    assert [(p.path, p.message) for p in raised.value.problems] == [("cancelled", "'AB' is also in meetings")]


def test_a_previous_schedule_without_identity_fields_still_works() -> None:
    """A schedule.json from before identity fields: its meetings count as sequence 0."""
    old = doc(("AB", "R1", "09:00"), ("CD", "R1", "10:00"))
    new = carry_identity(CONF, doc(("AB", "R1", "09:00"), ("CD", "R1", "10:15")), old, NOW)
    assert identity(new) == {"AB": (0, "2024-10-20T12:00:00Z"), "CD": (1, "2024-10-20T12:00:00Z")}


def test_previous_may_be_the_schedule_in_the_folder_being_replaced(tmp_path: Path) -> None:
    """The usual workflow: publish into the same folder, against what it holds."""
    out = solve_into(tmp_path, "site", first_version(), "--published-at", T1)
    before = feeds(out)
    source = tmp_path / "second.json"
    source.write_text(json.dumps(second_version()))
    result = runner.invoke(
        app,
        ["solve", str(source), "--out", str(out), "--quiet", "--workers", "1", "--seed", "1",
         "--previous", str(out / "schedule.json"), "--published-at", T2],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    after = feeds(out)
    assert vevents(after["all.ics"])[uid("AB")] == vevents(before["all.ics"])[uid("AB")]
    assert json.loads((out / "schedule.json").read_text())["cancelled"][0]["request"] == "CD"
