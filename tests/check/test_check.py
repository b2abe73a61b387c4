"""The validator: each hard rule broken on its own is caught by name, and the figures are recomputed."""

from __future__ import annotations

import ast
import copy
import json
import sys
from datetime import datetime

import pytest

from scheduler.check.validator import BadSchedule, check_schedule, check_schedule_text, count_breaks
from scheduler.contract import rule_names as rn
from scheduler.contract.document import ScheduleDocument
from scheduler.contract.domain import Conference
from scheduler.contract.parse import load_conference
from tests.support.paths import ROOT

DAY1, DAY2 = "2024-10-31", "2024-11-01"

BASE = {
    "event": {
        "name": "validator tests",
        "timezone": "Europe/Minsk",
        "slot_minutes": 15,
        "days": [{"date": day, "start": "09:00", "end": "13:00"} for day in (DAY1, DAY2)],
        "changeover_minutes": 10,
        "room_turnover_minutes": 5,
    },
    "programme": [],
    "rooms": [
        {"id": "R1", "name": "Room 1", "capacity": 10, "features": ["interpretation", "video"], "level": 2},
        {"id": "R2", "name": "Room 2", "capacity": 10, "features": ["interpretation", "video"], "level": 2},
    ],
    "delegations": [{"id": x, "name": x, "head": f"Head of {x}", "size": 2, "languages": ["ru"]} for x in "ABCD"],
    "requests": [
        {"id": "AB", "parties": ["A", "B"], "duration_minutes": 30, "priority": 2},
        {"id": "CD", "parties": ["C", "D"], "duration_minutes": 30, "priority": 3},
    ],
}


def conference(change=None) -> Conference:
    """The base conference, after `change` edited a copy of its input dict."""
    data = copy.deepcopy(BASE)
    if change is not None:
        change(data)
    return load_conference(json.dumps(data))


def at(local: str) -> str:
    """'10:00' (first day) or '2024-11-01T10:00' -> ISO with Minsk's offset."""
    text = local if "T" in local else f"{DAY1}T{local}"
    return f"{text}:00+03:00"


def schedule(conf: Conference, placements: list[tuple[str, str, str]], **overrides) -> dict:
    """A schedule.json with meetings (request, room, local start) and right figures for them."""
    meetings = []
    for rid, room, start in placements:
        request = conf.request(rid)
        begin = datetime.fromisoformat(at(start))
        end = conf.clock.to_datetime(conf.clock.to_minute(begin) + request.duration)
        meetings.append(
            {
                "request": rid,
                "parties": list(request.parties),
                "room": room,
                "start": begin.isoformat(),
                "end": end.isoformat(),
            }
        )
    placed = {rid for rid, _, _ in placements}
    out = {
        "status": "feasible",
        "scheduled_priority": 0,
        "upper_bound": 1000,
        "preferred_met": 0,
        "breaks": 0,
        "meetings": meetings,
        "unscheduled": [{"request": r.id, "reason": "no room"} for r in conf.requests if r.id not in placed],
    }
    report = check_schedule(conf, out)
    out.update(scheduled_priority=report.scheduled_priority, preferred_met=report.preferred_met, breaks=report.breaks)
    out.update(overrides)
    return out


def rules(conf: Conference, sched: dict | ScheduleDocument) -> set[str]:
    return {v.rule for v in check_schedule(conf, sched).violations}


def assert_only(conf: Conference, bad: dict, good: dict, rule: str) -> None:
    report = check_schedule(conf, bad)
    assert {v.rule for v in report.violations} == {rule}, [str(v) for v in report.violations]
    assert all("\n" not in str(v) for v in report.violations)
    clean = check_schedule(conf, good)
    assert clean.ok, [str(v) for v in clean.violations]


def test_clean_schedule_passes():
    conf = conference()
    report = check_schedule(conf, schedule(conf, [("AB", "R1", "09:00"), ("CD", "R2", "09:00")]))
    assert report.ok
    assert (report.scheduled_priority, report.preferred_met, report.breaks) == (5, 0, 0)


# --- one schedule per hard rule ---------------------------------------------------------------------


def test_rule_1_once_twice():
    conf = conference()
    bad = schedule(conf, [("AB", "R1", "09:00"), ("AB", "R1", "11:00"), ("CD", "R2", "09:00")])
    assert_only(conf, bad, schedule(conf, [("AB", "R1", "09:00"), ("CD", "R2", "09:00")]), rn.ONCE)
    assert check_schedule(conf, bad).scheduled_priority == 5


def test_rule_1_once_mandatory_missing():
    conf = conference(lambda d: d["requests"][0].update(mandatory=True))
    bad = schedule(conf, [("CD", "R2", "09:00")])
    assert_only(conf, bad, schedule(conf, [("AB", "R1", "09:00")]), rn.ONCE)


def test_rule_2_outside_day_and_off_grid():
    conf = conference()
    good = schedule(conf, [("AB", "R1", "12:30")])
    assert_only(conf, schedule(conf, [("AB", "R1", "12:45")]), good, rn.DAY_HOURS_AND_GRID)
    assert_only(conf, schedule(conf, [("AB", "R1", "08:45")]), good, rn.DAY_HOURS_AND_GRID)
    assert_only(conf, schedule(conf, [("AB", "R1", "09:10")]), good, rn.DAY_HOURS_AND_GRID)


def test_rule_2_grid_counts_from_each_days_start():
    def shift(d):
        d["event"]["days"][1]["start"] = "09:10"

    conf = conference(shift)
    assert_only(
        conf,
        schedule(conf, [("AB", "R1", f"{DAY2}T09:15")]),
        schedule(conf, [("AB", "R1", f"{DAY2}T09:25")]),
        rn.DAY_HOURS_AND_GRID,
    )


def test_rule_3_presence():
    def limit(d):
        d["delegations"][1]["available"] = [
            {"start": f"{DAY1}T10:00", "end": f"{DAY1}T10:30"},
            {"start": f"{DAY1}T10:30", "end": f"{DAY1}T11:00"},
        ]
        d["requests"][1]["window"] = [{"start": f"{DAY2}T09:00", "end": f"{DAY2}T13:00"}]

    conf = conference(limit)
    # touching windows merge, so 10:15-10:45 is inside B's availability
    good = schedule(conf, [("AB", "R1", "10:15"), ("CD", "R1", f"{DAY2}T09:00")])
    late = schedule(conf, [("AB", "R1", "10:45"), ("CD", "R1", f"{DAY2}T09:00")])
    assert_only(conf, late, good, rn.PRESENCE)
    assert_only(conf, schedule(conf, [("AB", "R1", "10:15"), ("CD", "R2", "10:15")]), good, rn.PRESENCE)


def test_rule_4_one_place_at_a_time():
    def more(d):
        d["requests"].append({"id": "AC", "parties": ["A", "C"], "duration_minutes": 30})

    conf = conference(more)
    bad = schedule(conf, [("AB", "R1", "09:00"), ("AC", "R2", "09:30")])
    good = schedule(conf, [("AB", "R1", "09:00"), ("AC", "R2", "09:45")])
    assert_only(conf, bad, good, rn.ONE_PLACE_AT_A_TIME)
    [v] = check_schedule(conf, bad).violations
    assert "of A are 0 min apart" in v.message and "31 Oct 09:00-09:30" in v.message


def test_rule_4_against_programme():
    def plenary(d):
        d["programme"] = [
            {"id": "plenary", "title": "Plenary", "start": f"{DAY1}T10:00", "end": f"{DAY1}T11:00", "attendees": ["A"]}
        ]

    conf = conference(plenary)
    good = schedule(conf, [("AB", "R1", "09:15"), ("CD", "R2", "10:00")])  # C and D do not attend
    bad = schedule(conf, [("AB", "R1", "11:00"), ("CD", "R2", "10:00")])
    assert_only(conf, bad, good, rn.ONE_PLACE_AT_A_TIME)


def test_rule_5_room_turnover_and_programme_room_and_availability():
    def room(d):
        d["programme"] = [
            {
                "id": "gala",
                "title": "Gala",
                "start": f"{DAY1}T11:00",
                "end": f"{DAY1}T12:00",
                "attendees": [],
                "room": "R2",
            }
        ]
        d["rooms"][0]["available"] = [{"start": f"{DAY1}T09:00", "end": f"{DAY1}T10:00"}]

    conf = conference(room)
    good = schedule(conf, [("AB", "R2", "09:00"), ("CD", "R2", "09:45")])
    assert_only(conf, schedule(conf, [("AB", "R2", "09:00"), ("CD", "R2", "09:30")]), good, rn.ROOM_USE)
    assert_only(conf, schedule(conf, [("AB", "R2", "10:30"), ("CD", "R2", "09:00")]), good, rn.ROOM_USE)
    assert_only(conf, schedule(conf, [("AB", "R1", "09:45"), ("CD", "R2", "09:00")]), good, rn.ROOM_USE)


def test_rule_6_seats():
    conf = conference(lambda d: d["rooms"][0].update(capacity=3))
    assert_only(conf, schedule(conf, [("AB", "R1", "09:00")]), schedule(conf, [("AB", "R2", "09:00")]), rn.SEATS)


def test_rule_7_required_feature_and_interpretation():
    def strip(d):
        d["rooms"][0]["features"] = []
        d["requests"][0]["requires"] = ["video"]
        d["delegations"][2]["languages"] = []  # C shares nothing with D

    conf = conference(strip)
    good = schedule(conf, [("AB", "R2", "09:00"), ("CD", "R2", "10:00")])
    assert_only(conf, schedule(conf, [("AB", "R1", "09:00"), ("CD", "R2", "10:00")]), good, rn.FEATURES)
    assert_only(conf, schedule(conf, [("AB", "R2", "09:00"), ("CD", "R1", "10:00")]), good, rn.FEATURES)


def test_rule_8_protocol_level():
    def levels(d):
        d["rooms"][0]["level"] = 1
        d["delegations"][1]["level"] = 2

    conf = conference(levels)
    assert_only(
        conf, schedule(conf, [("AB", "R1", "09:00")]), schedule(conf, [("AB", "R2", "09:00")]), rn.PROTOCOL_LEVEL
    )


def test_rule_9_host_home_room():
    def homes(d):
        d["delegations"][0]["home_room"] = "R1"
        d["delegations"][1]["home_room"] = "R2"
        d["requests"][0]["host"] = "B"

    conf = conference(homes)
    assert_only(conf, schedule(conf, [("AB", "R1", "09:00")]), schedule(conf, [("AB", "R2", "09:00")]), rn.HOME_ROOMS)


def test_rule_9_any_party_home_room():
    def homes(d):
        d["delegations"][0]["home_room"] = "R1"
        d["requests"][0]["host"] = "B"  # B has no home room, so any party's will do

    conf = conference(homes)
    assert_only(conf, schedule(conf, [("AB", "R2", "09:00")]), schedule(conf, [("AB", "R1", "09:00")]), rn.HOME_ROOMS)


def test_rule_10_daily_load():
    def busy(d):
        d["delegations"][0]["max_meetings_per_day"] = 1
        d["requests"].append({"id": "AC", "parties": ["A", "C"], "duration_minutes": 30})

    conf = conference(busy)
    bad = schedule(conf, [("AB", "R1", "09:00"), ("AC", "R1", "10:00")])
    good = schedule(conf, [("AB", "R1", "09:00"), ("AC", "R1", f"{DAY2}T10:00")])
    assert_only(conf, bad, good, rn.DAILY_LOAD)


def test_rule_11_interpreters():
    def teams(d):
        d["event"]["interpreter_teams"] = 1
        d["delegations"][0]["languages"] = ["be"]
        d["delegations"][2]["languages"] = ["en"]

    conf = conference(teams)
    bad = schedule(conf, [("AB", "R1", "09:00"), ("CD", "R2", "09:15")])
    good = schedule(conf, [("AB", "R1", "09:00"), ("CD", "R2", "09:30")])  # back to back: half-open
    assert_only(conf, bad, good, rn.INTERPRETERS)
    [v] = check_schedule(conf, bad).violations
    assert "31 Oct 09:15-09:30" in v.message


def test_rule_11_unlimited_when_null():
    def languages(d):
        d["delegations"][0]["languages"] = ["be"]
        d["delegations"][2]["languages"] = ["en"]

    conf = conference(languages)
    assert check_schedule(conf, schedule(conf, [("AB", "R1", "09:00"), ("CD", "R2", "09:00")])).ok


def test_rule_12_pinned():
    conf = conference(lambda d: d["requests"][0].update(fixed={"start": f"{DAY1}T10:00", "room": "R1"}))
    good = schedule(conf, [("AB", "R1", "10:00")])
    assert_only(conf, schedule(conf, [("AB", "R1", "10:15")]), good, rn.PINNED)
    assert_only(conf, schedule(conf, [("AB", "R2", "10:00")]), good, rn.PINNED)
    assert_only(conf, schedule(conf, [("CD", "R1", "10:00")]), good, rn.PINNED)


# --- structure and figures --------------------------------------------------------------------------


def test_output_problems():
    conf = conference()
    good = schedule(conf, [("AB", "R1", "09:00")])
    cases = []
    for edit in (
        lambda s: s["meetings"][0].update(room="R9"),
        lambda s: s["meetings"][0].update(parties=["A", "C"]),
        lambda s: s["meetings"][0].update(end=at("09:45")),
        lambda s: s["meetings"][0].update(start="2024-10-31T06:00:00+00:00", end="2024-10-31T06:30:00+00:00"),
        lambda s: s["unscheduled"].append({"request": "AB", "reason": "x"}),
        lambda s: s["unscheduled"].append({"request": "CD", "reason": "x"}),
        lambda s: s["unscheduled"].append({"request": "ZZ", "reason": "x"}),
        lambda s: s["unscheduled"].clear(),
        lambda s: s.update(status="great"),
        lambda s: s.update(upper_bound=1),
        lambda s: s.update(status="optimal"),
    ):
        bad = copy.deepcopy(good)
        edit(bad)
        cases.append(rules(conf, bad))
    assert all(rn_set == {"output"} for rn_set in cases), cases
    assert rules(conf, {**good, "status": "optimal", "upper_bound": 2}) == set()


def test_unknown_request_is_output():
    conf = conference()
    bad = schedule(conf, [("AB", "R1", "09:00")])
    bad["meetings"].append({**bad["meetings"][0], "request": "XY"})
    assert rules(conf, bad) == {"output"}


def test_extra_keys_are_ignored():
    conf = conference()
    sched = schedule(conf, [("AB", "R1", "09:00")], cancelled=[], solve={"seconds": 1})
    sched["meetings"][0]["sequence"] = 2
    assert check_schedule(conf, sched).ok


def test_wrong_figures():
    def prefer(d):
        d["requests"][1]["preferred"] = [{"start": f"{DAY1}T09:00", "end": f"{DAY1}T10:00"}]
        d["requests"].append(
            {
                "id": "AC",
                "parties": ["A", "C"],
                "duration_minutes": 30,
                "priority": 4,
                "preferred": [{"start": f"{DAY1}T09:00", "end": f"{DAY1}T09:45"}],
            }
        )

    conf = conference(prefer)
    sched = schedule(conf, [("AB", "R1", "09:00"), ("CD", "R2", "09:00"), ("AC", "R1", "09:45")])
    report = check_schedule(conf, sched)
    assert report.ok
    # CD lies inside its preference, AC ends 30 min past its own; A and C idle 15 min, short of 10+15
    assert (report.scheduled_priority, report.preferred_met, report.breaks) == (9, 3, 0)
    for key in ("scheduled_priority", "preferred_met", "breaks"):
        assert rules(conf, {**sched, key: sched[key] + 1}) == {"figures"}


# --- breaks -----------------------------------------------------------------------------------------


def with_programme(*items) -> Conference:
    """Base conference (changeover 10, slot 15: a break is idle >= 25 min) with programme items."""

    def add(d):
        d["programme"] = [
            {"id": f"p{i}", "title": f"Item {i}", "start": f"{DAY1}T{s}", "end": f"{DAY1}T{e}", "attendees": ["A"]}
            for i, (s, e) in enumerate(items)
        ]

    return conference(add)


def m(start: int, end: int, parties=("A", "B")) -> tuple[str, tuple[str, ...], int, int]:
    """A meeting in minutes after 09:00 on the first day."""
    return ("x", parties, start, end)


def test_breaks_threshold_is_changeover_plus_slot():
    conf = conference()
    assert count_breaks(conf, [m(0, 30), m(55, 85)]) == 2  # A and B each idle 25
    assert count_breaks(conf, [m(0, 30), m(54, 84)]) == 0
    assert count_breaks(conf, [m(0, 30), m(55, 85, ("A", "C"))]) == 1  # only A waits


def test_breaks_merge_overlapping_programme_items():
    # 10:00-11:00 holds 10:10-10:30; a meeting at 11:05 follows the merged block 5 min later
    conf = with_programme(("10:00", "11:00"), ("10:10", "10:30"))
    assert count_breaks(conf, [m(125, 155, ("A",))]) == 0
    assert count_breaks(conf, [m(0, 30, ("A",)), m(125, 155, ("A",))]) == 1  # 09:30 to 10:00 is 30 idle


def test_breaks_touching_items_and_programme_pairs():
    conf = with_programme(("10:00", "10:30"), ("10:30", "11:00"), ("12:00", "12:30"))
    assert count_breaks(conf, []) == 0  # programme-programme gaps never count
    assert count_breaks(conf, [m(145, 160, ("A",))]) == 1  # 11:00 to 11:25 is 25 idle; 11:40 to 12:00 is not
    assert count_breaks(conf, [m(144, 159, ("A",))]) == 0


def test_breaks_per_day_and_only_items_overlapping_the_day():
    # a meeting 11:30-12:00, then an item after the day's 13:00 close (ignored) or one running past it
    assert count_breaks(with_programme(("13:30", "14:00")), [m(150, 180, ("A",))]) == 0
    assert count_breaks(with_programme(("12:50", "13:30")), [m(150, 180, ("A",))]) == 1
    conf = conference()
    day2 = conf.event.days[1].start
    assert count_breaks(conf, [m(0, 30, ("B",)), m(day2 + 120, day2 + 150, ("B",))]) == 0


# --- the file itself --------------------------------------------------------------------------------


def test_bad_schedule_not_json():
    with pytest.raises(BadSchedule) as err:
        check_schedule_text(conference(), "{not json")
    assert "not valid JSON" in err.value.problems[0].message


def test_bad_schedule_without_offset_or_with_seconds():
    conf = conference()
    sched = schedule(conf, [("AB", "R1", "09:00"), ("CD", "R2", "09:00")])
    sched["meetings"][1]["start"] = "2024-10-31T09:00"
    sched["meetings"][0]["end"] = "2024-10-31T09:30:30+03:00"
    with pytest.raises(BadSchedule) as err:
        check_schedule_text(conf, json.dumps(sched))
    assert [p.path for p in err.value.problems] == ["meetings[0].end", "meetings[1].start"]


def test_bad_schedule_shape():
    conf = conference()
    sched = schedule(conf, [("AB", "R1", "09:00")])
    del sched["breaks"]
    sched["meetings"][0]["parties"] = "A,B"
    sched["upper_bound"] = True
    with pytest.raises(BadSchedule) as err:
        check_schedule(conf, sched)
    paths = sorted(p.path for p in err.value.problems)
    assert paths == ["breaks", "meetings[0].parties", "upper_bound"]
    with pytest.raises(BadSchedule):
        check_schedule_text(conf, "[]")


def test_dst_offsets():
    def berlin(d):
        d["event"]["timezone"] = "Europe/Berlin"
        d["event"]["days"] = [
            {"date": "2024-10-26", "start": "09:00", "end": "13:00"},
            {"date": "2024-10-27", "start": "09:00", "end": "13:00"},
        ]

    conf = conference(berlin)
    sched = schedule(conf, [])
    sched["meetings"] = [
        {
            "request": "AB",
            "parties": ["A", "B"],
            "room": "R1",
            "start": "2024-10-27T09:00:00+01:00",
            "end": "2024-10-27T09:30:00+01:00",
        }
    ]
    sched["unscheduled"] = [{"request": "CD", "reason": "x"}]
    sched["scheduled_priority"] = 2
    assert check_schedule(conf, sched).ok
    sched["meetings"][0].update(start="2024-10-27T10:00:00+02:00", end="2024-10-27T10:30:00+02:00")
    assert rules(conf, sched) == {"output"}  # the same instant, but not written in the local offset


def _imports(module: str) -> list[str]:
    tree = ast.parse(ROOT.joinpath("scheduler", module).read_text())
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import"
            modules.append(node.module)
    return modules


def test_imports_only_domain_parse_rule_names_the_document_model_and_stdlib():
    allowed = {f"scheduler.contract.{name}" for name in ("domain", "parse", "rule_names", "document", "problems",
                                                          "strict_json")}
    allowed |= {f"scheduler.check.{path.stem}" for path in ROOT.joinpath("scheduler", "check").glob("*.py")}
    for path in sorted(ROOT.joinpath("scheduler", "check").glob("*.py")):
        for module in _imports(f"check/{path.name}"):
            assert module in allowed or module.split(".")[0] in sys.stdlib_module_names, (path.name, module)


def test_the_document_model_it_may_import_is_pure_data():
    """scheduler.contract.document, .problems and .strict_json hold no solver code and import none."""
    for name in ("contract/document.py", "contract/problems.py", "contract/strict_json.py"):
        for module in _imports(name):
            pure = module in {"scheduler.contract.problems", "scheduler.contract.strict_json", "pydantic"}
            assert pure or module.split(".")[0] in sys.stdlib_module_names, (
                name,
                module,
            )


def test_a_typed_document_is_judged_as_the_json_it_writes():
    conf = conference()
    good = schedule(conf, [("AB", "R1", "09:00"), ("CD", "R2", "09:00")])
    assert check_schedule(conf, ScheduleDocument.model_validate(good)).ok
    bad = schedule(conf, [("AB", "R1", "09:00"), ("CD", "R1", "09:15")])
    assert rules(conf, ScheduleDocument.model_validate(bad)) == rules(conf, bad) == {rn.ROOM_USE}
