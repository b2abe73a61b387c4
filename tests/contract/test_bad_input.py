"""Bad input (contract, "Input"): exit 2, one line per problem naming its JSON path, nothing written.

Every case starts from a small valid instance and breaks exactly one thing (unless it says otherwise).
A request that merely cannot be placed is not bad input: it is solved and reported as unscheduled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scheduler.cli import app
from tests.support.instances import instance, request

DAY = "2024-10-31"


def window(start: str, end: str) -> dict:
    return {"start": f"{DAY}T{start}", "end": f"{DAY}T{end}"}


def valid() -> dict:
    """One 3-hour day on a 15-minute grid, room R1, delegations A-D, a programme item and two requests."""
    return instance(
        programme=[
            {
                "id": "P1",
                "title": "Plenary",
                "start": f"{DAY}T09:00",
                "end": f"{DAY}T09:30",
                "attendees": ["A", "B"],
                "room": "R1",
            }
        ],
        requests=[request("AB", "AB"), request("CD", "CD", 30)],
    )


def both(*mutations: Mutation) -> Mutation:
    return lambda data: [mutate(data) for mutate in mutations]


def flat(text: str) -> str:
    """The output with every run of whitespace made one space, so a line wrapped by the console still matches."""
    return " ".join(text.split())


def assert_nothing_written(out: Path) -> None:
    assert not out.exists(), f"{out} was written"
    stray = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    assert not stray, f"staging folders left behind: {stray}"


def assert_bad_input(result: tuple[int, str, Path], *fragments: str) -> None:
    code, output, out = result
    assert code == 2, output
    assert "Traceback" not in output, output
    for fragment in fragments:
        assert flat(fragment) in flat(output), f"{fragment!r} not in output:\n{output}"
    assert_nothing_written(out)


# --- the cases ----------------------------------------------------------------------------------

Mutation = Callable[[dict], object]


def setting(*path_and_value) -> Mutation:
    """A mutation that sets data[k1][k2]...[kn] = value (path given as keys and indices)."""
    *path, value = path_and_value

    def mutate(data: dict) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return mutate


def deleting(*path) -> Mutation:
    def mutate(data: dict) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return mutate


def appending(list_name: str, item: dict) -> Mutation:
    def mutate(data: dict) -> None:
        data[list_name].append(item)

    return mutate


def adding_day(day: dict) -> Mutation:
    def mutate(data: dict) -> None:
        data["event"]["days"].append(day)

    return mutate


def replacing(text: str | Callable[[dict], str]) -> Mutation:
    """A mutation that returns the file text to write instead of the (valid) instance."""
    return lambda data: text(data) if callable(text) else text


def writing(*path_and_text) -> Mutation:
    """A mutation that writes `text` as it is (JSON that Python reads and JSON does not allow) at the path."""
    *path, text = path_and_text

    def mutate(data: dict) -> str:
        setting(*path, "@@bad@@")(data)
        return json.dumps(data).replace('"@@bad@@"', text)

    return mutate


def surrogate_key(data: dict) -> str:
    return json.dumps({**data, "@@key@@": 1}).replace('"@@key@@"', '"\\udc00"')


def vienna_dst_window(data: dict) -> None:
    data["event"]["timezone"] = "Europe/Vienna"
    data["event"]["days"] = [{"date": "2024-03-31", "start": "09:00", "end": "12:00"}]
    data["programme"] = []
    data["requests"][0]["window"] = [{"start": "2024-03-31T02:30", "end": "2024-03-31T10:00"}]


def room(rid: str) -> dict:
    return {"id": rid, "name": f"Room {rid}", "capacity": 10}


def delegation(did: str) -> dict:
    return {"id": did, "name": did, "head": f"Head of {did}"}


ID_65 = "X" * 65

# (case id, mutation, fragments the output must hold: the JSON path first, then the value and the gist)
CASES: list[tuple[str, Mutation, tuple[str, ...]]] = [
    # not a JSON object
    ("not-json", replacing('{"event": {'), ("not valid JSON",)),
    ("plain-text", replacing("hello, scheduler"), ("not valid JSON",)),
    ("empty-file", replacing(""), ("not valid JSON",)),
    ("json-array", replacing(lambda data: json.dumps([data])), ("must hold a JSON object, not list",)),
    ("json-string", replacing('"event"'), ("must hold a JSON object, not str",)),
    # unknown keys
    ("unknown-top-level-key", setting("meetings", []), ("meetings: unknown key",)),
    ("unknown-key-in-event", setting("event", "slots", 15), ("event.slots: unknown key",)),
    ("unknown-key-in-request", setting("requests", 1, "colour", "red"), ("requests[1].colour: unknown key",)),
    ("unknown-key-in-room", setting("rooms", 0, "floor", 2), ("rooms[0].floor: unknown key",)),
    # missing required keys
    ("missing-event-name", deleting("event", "name"), ("event.name: is required",)),
    ("missing-event-timezone", deleting("event", "timezone"), ("event.timezone: is required",)),
    ("missing-rooms", deleting("rooms"), ("rooms: is required",)),
    ("missing-duration", deleting("requests", 1, "duration_minutes"), ("requests[1].duration_minutes: is required",)),
    ("missing-delegation-head", deleting("delegations", 2, "head"), ("delegations[2].head: is required",)),
    # wrong types (strict: no coercion of "15", 15.0 or true into an int, nor of 1 into a bool)
    ("string-for-int", setting("event", "slot_minutes", "15"), ("event.slot_minutes:", "'15'")),
    ("float-for-int", setting("event", "slot_minutes", 15.0), ("event.slot_minutes:", "valid integer", "15.0")),
    ("true-for-int", setting("requests", 0, "priority", True), ("requests[0].priority:", "valid integer", "true")),
    ("int-for-bool", setting("requests", 0, "mandatory", 1), ("requests[0].mandatory:", "valid boolean", "1")),
    ("string-for-list", setting("requests", 0, "parties", "AB"), ("requests[0].parties:", "valid list", "'AB'")),
    ("int-for-id", setting("requests", 0, "parties", 1, 7), ("requests[0].parties[1]:", "valid string", "7")),
    ("null-for-list", setting("rooms", None), ("rooms:", "valid list", "null")),
    (
        "object-for-window-list",
        setting("requests", 0, "window", window("09:00", "10:00")),
        ("requests[0].window:", "valid list"),
    ),
    # values out of range
    ("slot-minutes-0", setting("event", "slot_minutes", 0), ("event.slot_minutes:", "greater than 0", "0")),
    (
        "changeover-negative",
        setting("event", "changeover_minutes", -5),
        ("event.changeover_minutes:", "greater than or equal to 0", "-5"),
    ),
    ("turnover-negative", setting("event", "room_turnover_minutes", -1), ("event.room_turnover_minutes:", "-1")),
    ("interpreter-teams-negative", setting("event", "interpreter_teams", -1), ("event.interpreter_teams:", "-1")),
    ("no-days", setting("event", "days", []), ("event.days:", "at least 1")),
    ("capacity-0", setting("rooms", 0, "capacity", 0), ("rooms[0].capacity:", "greater than 0", "0")),
    ("room-level-negative", setting("rooms", 0, "level", -1), ("rooms[0].level:", "-1")),
    ("delegation-level-negative", setting("delegations", 1, "level", -1), ("delegations[1].level:", "-1")),
    ("size-0", setting("delegations", 3, "size", 0), ("delegations[3].size:", "greater than 0", "0")),
    (
        "max-per-day-negative",
        setting("delegations", 0, "max_meetings_per_day", -1),
        ("delegations[0].max_meetings_per_day:", "-1"),
    ),
    ("priority-0", setting("requests", 1, "priority", 0), ("requests[1].priority:", "greater than or equal to 1")),
    ("duration-0", setting("requests", 0, "duration_minutes", 0), ("requests[0].duration_minutes:", "greater than 0")),
    ("seats-0", setting("requests", 0, "seats", 0), ("requests[0].seats:", "greater than 0")),
    # ids
    ("id-with-space", setting("requests", 0, "id", "A B"), ("requests[0].id:", "pattern", "'A B'")),
    ("id-65-chars", setting("rooms", 0, "id", ID_65), ("rooms[0].id:", "pattern", ID_65[:40])),
    ("id-empty", setting("programme", 0, "id", ""), ("programme[0].id:", "pattern", "''")),
    ("id-slash", setting("delegations", 0, "home_room", "../R1"), ("delegations[0].home_room:", "'../R1'")),
    ("duplicate-room", appending("rooms", room("R1")), ("rooms[1].id:", "duplicate id 'R1'", "rooms[0]")),
    ("duplicate-room-case", appending("rooms", room("r1")), ("rooms[1].id:", "duplicate id 'r1'", "rooms[0]")),
    ("duplicate-delegation", appending("delegations", delegation("B")), ("delegations[4].id:", "duplicate id 'B'")),
    ("duplicate-delegation-case", appending("delegations", delegation("c")), ("delegations[4].id:", "'c'")),
    ("duplicate-request", appending("requests", request("AB", "AC")), ("requests[2].id:", "duplicate id 'AB'")),
    ("duplicate-request-case", appending("requests", request("ab", "AC")), ("requests[2].id:", "duplicate id 'ab'")),
    (
        "duplicate-programme-case",
        appending("programme", {"id": "p1", "title": "Lunch", "start": f"{DAY}T11:00", "end": f"{DAY}T11:30"}),
        ("programme[1].id:", "duplicate id 'p1'"),
    ),
    # unknown ids and party rules
    ("unknown-party", setting("requests", 1, "parties", 1, "Q"), ("requests[1].parties[1]:", "unknown delegation 'Q'")),
    (
        "unknown-party-wrong-case",
        setting("requests", 0, "parties", 0, "a"),
        ("requests[0].parties[0]:", "unknown delegation 'a'"),
    ),
    (
        "unknown-attendee",
        setting("programme", 0, "attendees", 1, "Z"),
        ("programme[0].attendees[1]:", "unknown delegation 'Z'"),
    ),
    ("unknown-host", setting("requests", 0, "host", "Q"), ("requests[0].host:", "'Q'")),
    ("host-not-a-party", setting("requests", 0, "host", "C"), ("requests[0].host:", "'C'", "not one of the parties")),
    (
        "party-twice",
        setting("requests", 0, "parties", ["A", "B", "A"]),
        ("requests[0].parties[2]:", "'A'", "listed twice"),
    ),
    ("one-party", setting("requests", 1, "parties", ["C"]), ("requests[1].parties:", "at least 2")),
    (
        "unknown-home-room",
        setting("delegations", 2, "home_room", "R9"),
        ("delegations[2].home_room:", "unknown room 'R9'"),
    ),
    (
        "unknown-salon-owner",
        setting("rooms", 0, "reserved_for", "XYZ"),
        ("rooms[0].reserved_for:", "unknown delegation 'XYZ'"),
    ),
    ("salon-owner-not-an-id", setting("rooms", 0, "reserved_for", 7), ("rooms[0].reserved_for:",)),
    (
        "home-room-reserved-for-another",
        both(setting("rooms", 0, "reserved_for", "A"), setting("delegations", 2, "home_room", "R1")),
        ("delegations[2].home_room:", "room 'R1' is reserved for 'A'"),
    ),
    (
        "unknown-fixed-room",
        setting("requests", 0, "fixed", {"start": f"{DAY}T10:00", "room": "R9"}),
        ("requests[0].fixed.room:", "unknown room 'R9'"),
    ),
    ("unknown-programme-room", setting("programme", 0, "room", "Hall"), ("programme[0].room:", "unknown room 'Hall'")),
    # windows, days and programme items whose end is not after their start
    (
        "window-end-before-start",
        setting("requests", 0, "window", [window("11:00", "10:00")]),
        ("requests[0].window[0].end:", "'2024-10-31T10:00'", "not after"),
    ),
    (
        "window-empty",
        setting("requests", 1, "preferred", [window("09:00", "10:00"), window("10:00", "10:00")]),
        ("requests[1].preferred[1].end:", "not after"),
    ),
    (
        "room-available-backwards",
        setting("rooms", 0, "available", [window("12:00", "09:00")]),
        ("rooms[0].available[0].end:", "not after"),
    ),
    (
        "delegation-available-backwards",
        setting("delegations", 3, "available", [window("10:00", "09:45")]),
        ("delegations[3].available[0].end:", "not after"),
    ),
    ("programme-item-backwards", setting("programme", 0, "end", f"{DAY}T08:00"), ("programme[0].end:", "not after")),
    ("day-end-before-start", setting("event", "days", 0, "end", "08:00"), ("event.days[0].end:", "08:00", "not after")),
    ("day-end-equals-start", setting("event", "days", 0, "end", "09:00"), ("event.days[0].end:", "not after")),
    (
        "same-date-twice",
        adding_day({"date": DAY, "start": "14:00", "end": "16:00"}),
        ("event.days[1].date:", DAY, "listed twice"),
    ),
    ("day-not-a-date", setting("event", "days", 0, "date", "2024-02-30"), ("event.days[0].date:", "'2024-02-30'")),
    ("day-month-13", setting("event", "days", 0, "date", "2024-13-01"), ("event.days[0].date:", "'2024-13-01'")),
    ("day-time-24h", setting("event", "days", 0, "end", "24:00"), ("event.days[0].end:", "'24:00'")),
    (
        "window-not-a-date",
        setting("requests", 0, "window", [{"start": "2023-02-29T09:00", "end": f"{DAY}T10:00"}]),
        ("requests[0].window[0].start:", "'2023-02-29T09:00'"),
    ),
    # times not written exactly as the contract says
    (
        "datetime-with-space",
        setting("requests", 0, "window", [{"start": f"{DAY} 09:00", "end": f"{DAY}T10:00"}]),
        ("requests[0].window[0].start:", "pattern", f"'{DAY} 09:00'"),
    ),
    (
        "datetime-with-seconds",
        setting("requests", 0, "fixed", {"start": f"{DAY}T09:00:00"}),
        ("requests[0].fixed.start:", "pattern", f"'{DAY}T09:00:00'"),
    ),
    (
        "datetime-with-offset",
        setting("programme", 0, "start", f"{DAY}T09:00+03:00"),
        ("programme[0].start:", "pattern", "+03:00"),
    ),
    (
        "time-one-digit-hour",
        setting("event", "days", 0, "start", "9:00"),
        ("event.days[0].start:", "pattern", "'9:00'"),
    ),
    ("date-with-slashes", setting("event", "days", 0, "date", "31/10/2024"), ("event.days[0].date:", "'31/10/2024'")),
    # dates out of the range 2000-01-01 to 2100-12-31 (the calendar writer overflows near year 9999)
    ("day-year-9999", setting("event", "days", 0, "date", "9999-12-31"),
     ("event.days[0].date:", "2000-01-01 to 2100-12-31", "'9999-12-31'")),
    ("day-year-1999", setting("event", "days", 0, "date", "1999-12-31"),
     ("event.days[0].date:", "2000-01-01 to 2100-12-31", "'1999-12-31'")),
    ("window-year-2101", setting("requests", 0, "window", [{"start": "2101-01-01T09:00", "end": f"{DAY}T10:00"}]),
     ("requests[0].window[0].start:", "2000-01-01 to 2100-12-31", "'2101-01-01T09:00'")),
    ("programme-year-9999", setting("programme", 0, "end", "9999-12-31T10:00"),
     ("programme[0].end:", "2000-01-01 to 2100-12-31", "'9999-12-31T10:00'")),
    ("fixed-year-1999", setting("requests", 0, "fixed", {"start": "1999-12-31T09:00"}),
     ("requests[0].fixed.start:", "2000-01-01 to 2100-12-31", "'1999-12-31T09:00'")),
    ("available-year-9999", setting("rooms", 0, "available", [{"start": f"{DAY}T09:00", "end": "9999-12-31T10:00"}]),
     ("rooms[0].available[0].end:", "2000-01-01 to 2100-12-31")),
    # ids made only of dots (path steps, not names: unreachable in a URL)
    ("id-one-dot", setting("requests", 0, "id", "."), ("requests[0].id:", "only of dots", "'.'")),
    ("id-two-dots", setting("delegations", 3, "id", ".."), ("delegations[3].id:", "only of dots", "'..'")),
    ("id-three-dots", setting("event", "id", "..."), ("event.id:", "only of dots", "'...'")),
    ("party-two-dots", setting("requests", 1, "parties", 1, ".."), ("requests[1].parties[1]:", "only of dots")),
    # JSON that Python reads and JSON does not allow
    ("nan", writing("rooms", 0, "capacity", "NaN"), ("rooms[0].capacity:", "NaN", "finite")),
    ("infinity", writing("event", "slot_minutes", "Infinity"), ("event.slot_minutes:", "Infinity", "finite")),
    ("minus-infinity", writing("requests", 0, "priority", "-Infinity"),
     ("requests[0].priority:", "-Infinity", "finite")),
    ("1e400", writing("requests", 1, "duration_minutes", "1e400"),
     ("requests[1].duration_minutes:", "1e400 is out of range")),
    ("huge-integer", writing("delegations", 0, "size", "9" * 5000), ("delegations[0].size:", "out of range")),
    ("lone-surrogate", writing("delegations", 0, "name", '"\\ud800"'), ("delegations[0].name:", "surrogate")),
    ("lone-surrogate-key", surrogate_key, ("\\udc00:", "surrogate")),
    # time zones and DST
    ("timezone-mars", setting("event", "timezone", "Mars/Olympus"), ("event.timezone:", "'Mars/Olympus'")),
    ("timezone-typo", setting("event", "timezone", "Europe/Minks"), ("event.timezone:", "'Europe/Minks'")),
    ("timezone-empty", setting("event", "timezone", ""), ("event.timezone:", "unknown time zone ''")),
    ("timezone-path", setting("event", "timezone", "../../etc/passwd"), ("event.timezone:", "'../../etc/passwd'")),
    ("timezone-folder", setting("event", "timezone", "Europe"), ("event.timezone:", "unknown time zone 'Europe'")),
    (
        "dst-skipped-window-start",
        vienna_dst_window,
        ("requests[0].window[0].start:", "2024-03-31T02:30", "does not exist", "Europe/Vienna"),
    ),
    (
        "dst-skipped-day-start",
        lambda data: data["event"].update(
            timezone="Europe/Vienna", days=[{"date": "2024-03-31", "start": "02:15", "end": "12:00"}]
        ),
        ("event.days[0].start:", "2024-03-31T02:15", "does not exist"),
    ),
    # pins
    (
        "fixed-off-grid",
        setting("requests", 0, "fixed", {"start": f"{DAY}T09:10"}),
        ("requests[0].fixed.start:", f"'{DAY}T09:10'", "off the 15-minute grid"),
    ),
    (
        "fixed-before-day",
        setting("requests", 0, "fixed", {"start": f"{DAY}T08:00"}),
        ("requests[0].fixed.start:", f"'{DAY}T08:00'", "outside every day"),
    ),
    (
        "fixed-at-day-end",
        setting("requests", 0, "fixed", {"start": f"{DAY}T12:00"}),
        ("requests[0].fixed.start:", "outside every day"),
    ),
    (
        "fixed-other-date",
        setting("requests", 1, "fixed", {"start": "2024-11-01T09:00", "room": "R1"}),
        ("requests[1].fixed.start:", "'2024-11-01T09:00'", "outside every day"),
    ),
]


@pytest.mark.parametrize(("mutate", "fragments"), [pytest.param(m, f, id=i) for i, m, f in CASES])
def test_bad_input_exits_2_naming_the_path(cli, mutate: Mutation, fragments: tuple[str, ...]):
    data = valid()
    text = mutate(data)
    assert_bad_input(cli(text if isinstance(text, str) else data), *fragments)


def test_the_cases_start_from_a_valid_instance(cli, tmp_path):
    code, output, out = cli(valid())
    assert code == 0, output
    assert (out / "schedule.json").is_file()


def test_float_integers_are_rejected_everywhere(cli):
    """Strict mode: 30.0 is not an int, wherever it is."""
    data = valid()
    data["requests"][0]["duration_minutes"] = 30.0
    data["rooms"][0]["capacity"] = 10.0
    data["delegations"][0]["size"] = 2.0
    assert_bad_input(
        cli(data), "requests[0].duration_minutes:", "30.0", "rooms[0].capacity:", "10.0", "delegations[0].size:"
    )


def test_several_problems_one_line_each(cli):
    data = valid()
    data["requests"][0]["parties"] = ["A", "Q", "A"]
    data["requests"][0]["host"] = "D"
    data["requests"][1]["fixed"] = {"start": f"{DAY}T09:10", "room": "R9"}
    data["requests"].append(request("ab", "CD"))
    data["programme"][0]["attendees"] = ["A", "Nobody"]
    data["delegations"][0]["home_room"] = "Hall"
    data["event"]["days"].append({"date": DAY, "start": "13:00", "end": "14:00"})
    paths = [
        "event.days[1].date:",
        "programme[0].attendees[1]:",
        "delegations[0].home_room:",
        "requests[0].parties[1]:",
        "requests[0].parties[2]:",
        "requests[0].host:",
        "requests[1].fixed.room:",
        "requests[1].fixed.start:",
        "requests[2].id:",
    ]
    code, output, out = cli(data)
    assert_bad_input((code, output, out), *paths)
    assert f"({len(paths)} problems)" in output
    problem_lines = [line.strip() for line in output.splitlines() if line.startswith("  ")]
    for path in paths:
        assert sum(line.startswith(path) for line in problem_lines) == 1, output


def test_several_pydantic_problems_one_line_each(cli):
    data = valid()
    del data["event"]["name"]
    data["event"]["slot_minutes"] = "15"
    data["rooms"][0]["capacity"] = 0
    data["delegations"][1]["colour"] = "blue"
    data["requests"][1]["priority"] = True
    paths = [
        "event.name:",
        "event.slot_minutes:",
        "rooms[0].capacity:",
        "delegations[1].colour:",
        "requests[1].priority:",
    ]
    code, output, out = cli(data)
    assert_bad_input((code, output, out), *paths)
    assert f"({len(paths)} problems)" in output


def test_each_problem_is_exactly_one_line(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    data = valid()
    data["requests"][0]["fixed"] = {"start": f"{DAY}T09:10"}
    data["requests"][1]["host"] = "Z" * 64
    code, output, out = cli(data)
    assert code == 2
    lines = output.splitlines()
    assert any(
        line.startswith("  requests[0].fixed.start:") and line.endswith("(which starts at 09:00)") for line in lines
    ), output


def test_a_bad_timezone_does_not_hide_other_problems(cli):
    data = valid()
    data["event"]["timezone"] = "Mars/Olympus"
    data["requests"][0]["parties"][1] = "Q"
    assert_bad_input(cli(data), "event.timezone:", "requests[0].parties[1]:", "unknown delegation 'Q'")


def test_the_offending_value_is_shown_verbatim(cli):
    data = valid()
    data["event"]["timezone"] = "Europe/:fire:"
    assert_bad_input(cli(data), "event.timezone:", "'Europe/:fire:'")


def test_the_input_file_name_is_shown_verbatim(tmp_path):
    source = tmp_path / "[bold]input.json"
    source.write_text("[]", encoding="utf-8")
    result = CliRunner().invoke(app, ["solve", str(source), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 2
    assert "[bold]input.json" in result.output


HUGE = 10**20


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        pytest.param(setting("requests", 0, "priority", HUGE), "requests[0].priority", id="priority-1e20"),
        # (without the programme item, which would rule out every placement before the model is built)
        pytest.param(
            both(
                setting("event", "changeover_minutes", HUGE),
                setting("requests", 1, "parties", ["A", "C"]),
                setting("programme", []),
            ),
            "event.changeover_minutes",
            id="changeover-1e20",
        ),
        pytest.param(
            both(setting("event", "room_turnover_minutes", HUGE), setting("programme", [])),
            "event.room_turnover_minutes",
            id="turnover-1e20",
        ),
        pytest.param(
            lambda data: [r.update(priority=2**62) for r in data["requests"]],
            "requests[1].priority",
            id="priority-sum-overflows",
        ),
    ],
)
def test_huge_integers_do_not_crash(cli, mutate: Mutation, path: str):
    data = valid()
    mutate(data)
    code, output, out = cli(data)
    assert "Traceback" not in output, output
    assert code == 2, output  # the README: integers are limited to 1,000,000
    assert path in output
    assert_nothing_written(out)


# --- not bad input: a request that merely cannot be placed ----------------------------------------


@pytest.mark.parametrize(
    ("change", "request_id"),
    [
        pytest.param(lambda data: data["requests"][0].update(duration_minutes=240), "AB", id="longer-than-any-day"),
        pytest.param(lambda data: data["requests"][1].update(requires=["video"]), "CD", id="feature-no-room-has"),
        pytest.param(lambda data: data["requests"][1].update(seats=50), "CD", id="more-seats-than-any-room"),
        pytest.param(lambda data: data["delegations"][0].update(available=[]), "AB", id="party-never-available"),
    ],
)
def test_a_request_that_cannot_be_placed_is_not_bad_input(cli, tmp_path, change, request_id: str):
    data = valid()
    change(data)
    code, output, out = cli(data)
    assert code == 0, output
    assert "Traceback" not in output
    schedule = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    unscheduled = {u["request"]: u["reason"] for u in schedule["unscheduled"]}
    assert request_id in unscheduled, schedule
    assert isinstance(unscheduled[request_id], str) and unscheduled[request_id].strip()
    assert request_id not in {m["request"] for m in schedule["meetings"]}
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")]


# --- scheduler check ------------------------------------------------------------------------------


def run_check(tmp_path: Path, input_text: str, schedule_text: str):
    source = tmp_path / "input.json"
    schedule = tmp_path / "schedule.json"
    source.write_text(input_text, encoding="utf-8")
    schedule.write_text(schedule_text, encoding="utf-8")
    return CliRunner().invoke(app, ["check", str(source), str(schedule)])


def solved_schedule(cli) -> str:
    code, output, out = cli(valid())
    assert code == 0, output
    return (out / "schedule.json").read_text(encoding="utf-8")


def test_check_accepts_a_solved_schedule(cli, tmp_path):
    result = run_check(tmp_path, json.dumps(valid()), solved_schedule(cli))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("input_text", "fragment"),
    [
        pytest.param("{oops", "not valid JSON", id="not-json"),
        pytest.param(json.dumps(instance(event_timezone="Europe/Minks")), "event.timezone:", id="bad-timezone"),
        pytest.param(
            json.dumps(instance(requests=[request("AB", "AQ")])), "requests[0].parties[1]:", id="unknown-party"
        ),
    ],
)
def test_check_with_bad_input_exits_2(cli, tmp_path, input_text: str, fragment: str):
    result = run_check(tmp_path, input_text, solved_schedule(cli))
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "schedule_text",
    [
        pytest.param("this is not json", id="not-json"),
        pytest.param("", id="empty"),
        pytest.param("[]", id="array"),
        pytest.param('{"meetings": [], "status": "optimal", "scheduled_priority": ' + "9" * 5000 + "}", id="huge-int"),
        pytest.param('{"meetings": [{"request": "\\ud800"}]}', id="lone-surrogate"),
        pytest.param('{"meetings": [], "figures": {"gap": NaN}}', id="nan"),
    ],
)
def test_check_with_a_bad_schedule_file_exits_2(tmp_path, schedule_text: str):
    result = run_check(tmp_path, json.dumps(valid()), schedule_text)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "schedule" in result.output
    if "\\ud800" in schedule_text or "NaN" in schedule_text:
        assert "not valid JSON" in result.output, result.output


def test_check_with_a_missing_schedule_file_exits_2(tmp_path):
    source = tmp_path / "input.json"
    source.write_text(json.dumps(valid()), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(source), str(tmp_path / "missing.json")])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
