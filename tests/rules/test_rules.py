"""Each hard rule of the contract, made binding on a tiny instance, and the objective's order.

Every instance is small enough for the solver to prove optimality at once. A test named
`test_<rule>_...` uses the rule's name from `scheduler.contract.rule_names`: in each, the optimum would differ
without that rule, and the test states exactly what the solver must do (value, what is left out and
why, where and when the rest goes). Minute 0 is the first day's start (09:00 in the base instance).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from functools import partial

import pytest

from scheduler.contract import rule_names as rn
from scheduler.contract.parse import load_conference
from scheduler.model.variables import STRENGTHENING
from scheduler.publish.from_outcome import schedule_document
from tests.support import instances as conftest
from tests.support.instances import DETERMINISTIC, instance, placed, request, solve_checked
from tests.support.rule_instances import DAY, TWO_ROOMS, at, delegations, room


@pytest.fixture(autouse=True, params=["strengthened", "plain"])
def strengthening(request, monkeypatch):
    """Every test runs on the model with its redundant constraints and without them: a rule that lost its
    teeth must not hide behind a constraint it implies."""
    chosen = STRENGTHENING if request.param == "strengthened" else frozenset()
    options = dataclasses.replace(DETERMINISTIC, strengthening=chosen)
    monkeypatch.setattr(sys.modules[__name__], "solve_checked", partial(conftest.solve_checked, options=options))
    return request.param




def win(start: str, end: str, day: str = DAY) -> dict:
    return {"start": at(start, day), "end": at(end, day)}


def minute(hhmm: str) -> int:
    """Minutes after 09:00 on the first day."""
    hours, minutes = map(int, hhmm.split(":"))
    return hours * 60 + minutes - 9 * 60








def reason(outcome, rid: str) -> str:
    reasons = {u.request: u.reason for u in outcome.unscheduled}
    assert rid in reasons, f"{rid} is scheduled: {placed(outcome)}"
    return reasons[rid]


def optimal(outcome, value: int):
    assert outcome.status == "optimal"
    assert outcome.scheduled_priority == value
    assert outcome.upper_bound == value
    return outcome


def by_request(outcome) -> dict:
    return {m.request: m for m in outcome.meetings}


# --- 1. once ---------------------------------------------------------------------------------------


def test_once_request_is_held_at_most_once():
    # Room and time for six copies of AB, but it counts (and is held) once.
    out = optimal(solve_checked(instance(requests=[request("AB", "AB", 30, 5)])), 5)
    assert [m.request for m in out.meetings] == ["AB"]
    assert out.unscheduled == ()


def test_once_mandatory_request_is_held_even_at_the_cost_of_priority():
    # Without "a mandatory one exactly once", AC (priority 5) would win A's only day over AB (priority 1).
    data = instance(requests=[request("AB", "AB", 180, 1, mandatory=True), request("AC", "AC", 60, 5)])
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"AB": ("R1", 0)}
    words = reason(out, "AC")
    assert "A's time" in words and "AB" in words


def test_once_request_that_can_never_be_placed_is_simply_unscheduled():
    out = optimal(solve_checked(instance(requests=[request("AB", "AB", 240, 3), request("CD", "CD", 60, 1)])), 1)
    assert "AB" not in placed(out)
    assert "longer than any day" in reason(out, "AB")


def test_once_mandatory_request_that_can_never_be_placed_is_infeasible():
    out = solve_checked(instance(requests=[request("AB", "AB", 240, mandatory=True)]))
    assert out.status == "infeasible" and not out.has_schedule
    assert out.conflict.requests == ("AB",)
    assert out.conflict.rules == (rn.DAY_HOURS_AND_GRID,)


# --- 2. day hours and grid -------------------------------------------------------------------------


def test_day_hours_and_grid_meetings_start_on_the_grid():
    # A is present 09:05-10:25 (80 min): two 40-min meetings would fit off the grid (09:05, 09:45),
    # but on the 15-min grid only one fits, starting at 09:15, 09:30 or 09:45.
    data = instance(
        delegations=delegations(A={"available": [win("09:05", "10:25")]}),
        rooms=TWO_ROOMS,
        requests=[request("AB", "AB", 40, 2), request("AC", "AC", 40, 1)],
    )
    out = optimal(solve_checked(data), 2)
    _, start = placed(out)["AB"]
    assert start in (15, 30, 45)
    assert "A's time" in reason(out, "AC")


def test_day_hours_and_grid_meeting_stays_inside_the_day():
    # The window runs past the day's end (12:00): a 60-min meeting can only start at 11:00.
    data = instance(requests=[request("AB", "AB", 60, window=[win("11:00", "13:00")])])
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"AB": ("R1", minute("11:00"))}
    assert by_request(out)["AB"].end == minute("12:00")


def test_day_hours_and_grid_window_outside_the_day_hours_leaves_request_unscheduled():
    data = instance(requests=[request("AB", "AB", 60, 4, window=[win("11:30", "13:00")]), request("CD", "CD", 30)])
    out = optimal(solve_checked(data), 1)
    assert "day hours" in reason(out, "AB")


def test_day_hours_and_grid_grid_counts_from_each_days_own_start():
    # Day 2 starts at 09:10: its grid is 09:10, 09:25, ... which is not on day 1's 09:00 grid.
    data = instance(
        event_days=[
            {"date": DAY, "start": "09:00", "end": "10:00"},
            {"date": "2024-11-01", "start": "09:10", "end": "10:10"},
        ],
        requests=[request("AB", "AB", 60, window=[win("09:00", "10:10", "2024-11-01")])],
    )
    out = optimal(solve_checked(data), 1)
    day2_start = 24 * 60 + 10
    assert placed(out) == {"AB": ("R1", day2_start)}
    conference = load_conference(json.dumps(data))
    [meeting] = schedule_document(conference, out).meetings
    assert meeting.start == "2024-11-01T09:10:00+03:00"
    assert meeting.end == "2024-11-01T10:10:00+03:00"


# --- 3. presence -----------------------------------------------------------------------------------


def test_presence_party_availability_decides_the_time_and_what_fits():
    # A is present 10:00-11:00 only: of AB and AC (60 min each) just one fits, at 10:00.
    data = instance(
        delegations=delegations(A={"available": [win("10:00", "11:00")]}),
        rooms=TWO_ROOMS,
        requests=[request("AB", "AB", 60, 1), request("AC", "AC", 60, 2)],
    )
    out = optimal(solve_checked(data), 2)
    assert placed(out)["AC"][1] == minute("10:00")
    assert "A's time" in reason(out, "AB")


def test_presence_request_window_decides_the_time():
    # One room: AB may only be held 11:00-12:00, CD anywhere; both fit only if AB takes 11:00.
    data = instance(requests=[request("AB", "AB", 60, window=[win("11:00", "12:00")]), request("CD", "CD", 120)])
    out = optimal(solve_checked(data), 2)
    assert placed(out) == {"AB": ("R1", minute("11:00")), "CD": ("R1", 0)}


def test_presence_no_common_availability_leaves_request_unscheduled():
    data = instance(
        delegations=delegations(A={"available": [win("09:00", "10:00")]}, B={"available": [win("10:00", "12:00")]}),
        requests=[request("AB", "AB", 30, 5), request("CD", "CD", 30, 1)],
    )
    out = optimal(solve_checked(data), 1)
    words = reason(out, "AB")
    assert "A and B" in words and "never available" in words


def test_presence_touching_windows_merge():
    # 09:00-10:00 and 10:00-11:00 touch: a 90-min meeting across 10:00 is inside their union.
    data = instance(
        delegations=delegations(A={"available": [win("10:00", "11:00"), win("09:00", "10:00")]}),
        requests=[request("AB", "AB", 90, window=[win("09:15", "10:45")])],
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"AB": ("R1", minute("09:15"))}


# --- 4. one place at a time ------------------------------------------------------------------------


def test_one_place_at_a_time_changeover_keeps_a_delegations_meetings_apart():
    # 90 + 10 + 90 > 180: with the changeover only one of A's meetings fits (two rooms, so rooms are no issue).
    data = instance(
        event_changeover_minutes=10, rooms=TWO_ROOMS, requests=[request("AB", "AB", 90, 2), request("AC", "AC", 90, 1)]
    )
    out = optimal(solve_checked(data), 2)
    assert set(placed(out)) == {"AB"}
    words = reason(out, "AC")
    assert "A's time" in words and "AB (priority 2)" in words


def test_one_place_at_a_time_different_delegations_meet_in_parallel():
    data = instance(rooms=TWO_ROOMS, requests=[request("AB", "AB", 180), request("CD", "CD", 180)])
    out = optimal(solve_checked(data), 2)
    assert {r: s for r, (_, s) in placed(out).items()} == {"AB": 0, "CD": 0}


def test_one_place_at_a_time_meeting_avoids_programme_item_with_changeover():
    # A attends 09:45-10:45; with a 15-min changeover a 60-min AB can only start at 11:00
    # (without the changeover it could also start at 10:45).
    data = instance(
        event_changeover_minutes=15,
        programme=[{"id": "P", "title": "Plenary", "start": at("09:45"), "end": at("10:45"), "attendees": ["A"]}],
        requests=[request("AB", "AB", 60)],
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"AB": ("R1", minute("11:00"))}


def test_one_place_at_a_time_programme_item_without_attendees_binds_everyone():
    data = instance(
        programme=[{"id": "P", "title": "Plenary", "start": at("09:00"), "end": at("11:00")}],
        requests=[request("CD", "CD", 60)],
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"CD": ("R1", minute("11:00"))}


def test_one_place_at_a_time_programme_item_with_empty_attendees_binds_nobody():
    data = instance(
        programme=[{"id": "P", "title": "Reception", "start": at("09:00"), "end": at("11:00"), "attendees": []}],
        requests=[request("CD", "CD", 180)],
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"CD": ("R1", 0)}


def test_one_place_at_a_time_programme_item_filling_the_day_leaves_request_unscheduled():
    data = instance(
        event_changeover_minutes=10,
        programme=[{"id": "P", "title": "Plenary", "start": at("09:30"), "end": at("11:30"), "attendees": ["A"]}],
        requests=[request("AB", "AB", 30, 5), request("CD", "CD", 30, 1)],
    )
    out = optimal(solve_checked(data), 1)
    words = reason(out, "AB")
    assert "programme item" in words and "changeover" in words


# --- 5. room use -----------------------------------------------------------------------------------


def test_room_use_turnover_keeps_meetings_in_one_room_apart():
    # One room, 15-min turnover: 90 + 15 + 90 > 180, so only the priority-2 meeting is held.
    data = instance(event_room_turnover_minutes=15, requests=[request("AB", "AB", 90, 2), request("CD", "CD", 90, 1)])
    out = optimal(solve_checked(data), 2)
    assert set(placed(out)) == {"AB"}
    words = reason(out, "CD")
    assert "Room 1" in words and "taken" in words


def test_room_use_turnover_is_kept_between_meetings_in_one_room():
    # One room, 15-min turnover: AB and CD (60 min each) both fit, the second starting >= 15 min after the first ends.
    data = instance(event_room_turnover_minutes=15, requests=[request("AB", "AB", 60), request("CD", "CD", 60)])
    out = optimal(solve_checked(data), 2)
    first, second = sorted(out.meetings, key=lambda m: m.start)
    assert second.start - first.end >= 15


def test_room_use_room_availability():
    data = instance(rooms=[room("R1", available=[win("10:30", "12:00")])], requests=[request("AB", "AB", 90)])
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"AB": ("R1", minute("10:30"))}


def test_room_use_programme_item_held_in_the_room_with_turnover():
    # R1 hosts a 09:00-10:00 item nobody of A-D attends; with a 15-min turnover a 105-min AB starts at 10:15
    # (without the turnover 10:00 would also do).
    data = instance(
        event_room_turnover_minutes=15,
        programme=[
            {"id": "P", "title": "Press", "start": at("09:00"), "end": at("10:00"), "attendees": [], "room": "R1"}
        ],
        requests=[request("AB", "AB", 105)],
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"AB": ("R1", minute("10:15"))}


def test_room_use_room_booked_by_programme_all_day_leaves_request_unscheduled():
    data = instance(
        programme=[
            {"id": "P", "title": "Press", "start": at("09:00"), "end": at("12:00"), "attendees": [], "room": "R1"}
        ],
        requests=[request("AB", "AB", 30)],
    )
    out = optimal(solve_checked(data), 0)
    words = reason(out, "AB")
    assert "Room 1" in words and "programme" in words


# --- 6. seats --------------------------------------------------------------------------------------


def test_seats_meeting_goes_to_a_room_that_seats_it():
    data = instance(
        rooms=[room("R1", capacity=4), room("R2", capacity=10)], requests=[request("AB", "AB", 60, seats=8)]
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out)["AB"][0] == "R2"


def test_seats_only_one_room_seats_it_so_only_one_fits():
    # Two all-day meetings needing 8 seats, one room seating 8: the priority-3 one is held there.
    data = instance(
        rooms=[room("R1", capacity=4), room("R2", capacity=10)],
        requests=[request("AB", "AB", 180, 1, seats=8), request("CD", "CD", 180, 3, seats=8)],
    )
    out = optimal(solve_checked(data), 3)
    assert placed(out) == {"CD": ("R2", 0)}
    assert "Room 2" in reason(out, "AB")


def test_seats_default_is_the_sum_of_party_sizes():
    data = instance(
        delegations=delegations(A={"size": 6}, B={"size": 6}),
        requests=[request("AB", "AB", 30, 5), request("CD", "CD", 30, 1)],
    )
    out = optimal(solve_checked(data), 1)
    words = reason(out, "AB")
    assert "seats 12" in words


def test_seats_explicit_seats_override_party_sizes():
    data = instance(
        delegations=delegations(A={"size": 6}, B={"size": 6}), requests=[request("AB", "AB", 30, 5, seats=10)]
    )
    optimal(solve_checked(data), 5)


def test_seats_mandatory_request_no_room_seats_is_infeasible():
    out = solve_checked(instance(requests=[request("AB", "AB", 30, mandatory=True, seats=20)]))
    assert out.status == "infeasible" and out.meetings == ()
    assert out.conflict.requests == ("AB",)
    assert out.conflict.rules == (rn.SEATS,)
    assert "seats 20" in out.conflict.message


# --- 7. features -----------------------------------------------------------------------------------


def test_features_parties_without_a_common_language_need_interpretation():
    data = instance(
        delegations=delegations(C={"languages": ["en"]}),
        rooms=[room("R1", features=()), room("R2", features=("interpretation",))],
        requests=[request("AC", "AC", 60), request("AB", "AB", 60, window=[win("09:00", "10:00")])],
    )
    out = optimal(solve_checked(data), 2)
    assert placed(out)["AC"][0] == "R2"


def test_features_a_party_with_no_languages_shares_none():
    data = instance(
        delegations=delegations(A={"languages": []}),
        rooms=[room("R1", features=())],
        requests=[request("AB", "AB", 30, 4), request("CD", "CD", 30, 1)],
    )
    out = optimal(solve_checked(data), 1)
    assert "interpretation" in reason(out, "AB")


def test_features_one_shared_language_is_enough():
    data = instance(
        delegations=delegations(A={"languages": ["en", "ru"]}, B={"languages": ["ru", "de"]}),
        rooms=[room("R1", features=())],
        requests=[request("AB", "AB", 30)],
    )
    optimal(solve_checked(data), 1)


def test_features_required_feature_decides_the_room():
    data = instance(
        rooms=[room("R1", features=("interpretation",)), room("R2", features=("video",))],
        requests=[request("AB", "AB", 60, requires=["video"])],
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out)["AB"][0] == "R2"


def test_features_no_room_with_interpretation_leaves_request_unscheduled():
    data = instance(
        delegations=delegations(B={"languages": ["en"]}),
        rooms=[room("R1", features=("video",))],
        requests=[request("AB", "AB", 30, 9), request("CD", "CD", 30, 1)],
    )
    out = optimal(solve_checked(data), 1)
    assert "interpretation" in reason(out, "AB")


def test_features_missing_required_feature_leaves_request_unscheduled():
    data = instance(requests=[request("AB", "AB", 30, 9, requires=["video"]), request("CD", "CD", 30, 1)])
    out = optimal(solve_checked(data), 1)
    assert "video" in reason(out, "AB")


# --- 8. protocol level -----------------------------------------------------------------------------


def test_protocol_level_highest_party_level_decides_the_room():
    data = instance(
        delegations=delegations(B={"level": 2}),
        rooms=[room("R1", level=1), room("R2", level=2)],
        requests=[request("AB", "AB", 60)],
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out)["AB"][0] == "R2"


def test_protocol_level_only_one_room_is_grand_enough_so_only_one_fits():
    data = instance(
        delegations=delegations(A={"level": 2}, C={"level": 2}),
        rooms=[room("R1", level=1), room("R2", level=2)],
        requests=[request("AB", "AB", 180, 2), request("CD", "CD", 180, 1)],
    )
    out = optimal(solve_checked(data), 2)
    assert placed(out) == {"AB": ("R2", 0)}
    assert "Room 2" in reason(out, "CD")


def test_protocol_level_no_room_of_the_level_leaves_request_unscheduled():
    data = instance(
        delegations=delegations(A={"level": 3}), requests=[request("AB", "AB", 30, 9), request("CD", "CD", 30, 1)]
    )
    out = optimal(solve_checked(data), 1)
    words = reason(out, "AB")
    assert "level 3" in words


# --- 9. home rooms ---------------------------------------------------------------------------------


def test_home_rooms_a_partys_home_room_is_used():
    data = instance(delegations=delegations(B={"home_room": "R2"}), rooms=TWO_ROOMS, requests=[request("AB", "AB", 60)])
    out = optimal(solve_checked(data), 1)
    assert placed(out)["AB"][0] == "R2"


def test_home_rooms_the_hosts_home_room_wins():
    data = instance(
        delegations=delegations(A={"home_room": "R1"}, B={"home_room": "R2"}),
        rooms=TWO_ROOMS,
        requests=[request("AB", "AB", 60, host="B"), request("BA", "BA", 60, host="A")],
    )
    out = optimal(solve_checked(data), 2)
    assert placed(out)["AB"][0] == "R2"
    assert placed(out)["BA"][0] == "R1"


def test_home_rooms_host_without_home_room_falls_back_to_parties_home_rooms():
    data = instance(
        delegations=delegations(B={"home_room": "R2"}), rooms=TWO_ROOMS, requests=[request("AB", "AB", 60, host="A")]
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out)["AB"][0] == "R2"


def test_home_rooms_binding_two_meetings_share_one_home_room():
    # A and C both live in R1: AB and CD (all day) must both be held there, so only the priority-2 one is.
    data = instance(
        delegations=delegations(A={"home_room": "R1"}, C={"home_room": "R1"}),
        rooms=TWO_ROOMS,
        requests=[request("AB", "AB", 180, 2), request("CD", "CD", 180, 1)],
    )
    out = optimal(solve_checked(data), 2)
    assert placed(out) == {"AB": ("R1", 0)}
    assert "Room 1" in reason(out, "CD")


def test_home_rooms_are_not_reserved():
    # R2 is A's home room; R1 is open only 09:00-10:00, so CD (no home rooms, 120 min) must share R2 with AB.
    data = instance(
        delegations=delegations(A={"home_room": "R2"}),
        rooms=[room("R1", available=[win("09:00", "10:00")]), room("R2")],
        requests=[request("AB", "AB", 60), request("CD", "CD", 120)],
    )
    out = optimal(solve_checked(data), 2)
    spots = placed(out)
    assert spots["AB"][0] == "R2" and spots["CD"][0] == "R2"


def test_home_rooms_home_room_too_small_leaves_request_unscheduled():
    data = instance(
        delegations=delegations(A={"home_room": "R2"}),
        rooms=[room("R1"), room("R2", capacity=3)],
        requests=[request("AB", "AB", 30, 9), request("CD", "CD", 30, 1)],
    )
    out = optimal(solve_checked(data), 1)
    words = reason(out, "AB")
    assert "Room 2" in words and "home room" in words


# --- 10. daily load --------------------------------------------------------------------------------


def test_daily_load_limit_drops_the_lower_priority_meeting():
    data = instance(
        delegations=delegations(A={"max_meetings_per_day": 1}),
        requests=[request("AB", "AB", 30, 2), request("AC", "AC", 30, 3)],
    )
    out = optimal(solve_checked(data), 3)
    assert set(placed(out)) == {"AC"}
    words = reason(out, "AB")
    assert "max_meetings_per_day" in words and "A" in words


def test_daily_load_limit_is_per_day():
    data = instance(
        event_days=[
            {"date": DAY, "start": "09:00", "end": "12:00"},
            {"date": "2024-11-01", "start": "09:00", "end": "12:00"},
        ],
        delegations=delegations(A={"max_meetings_per_day": 1}),
        requests=[request("AB", "AB", 30), request("AC", "AC", 30)],
    )
    out = optimal(solve_checked(data), 2)
    days = {rid: start // (24 * 60) for rid, (_, start) in placed(out).items()}
    assert sorted(days.values()) == [0, 1]


def test_daily_load_zero_means_no_meetings():
    data = instance(
        delegations=delegations(A={"max_meetings_per_day": 0}),
        requests=[request("AB", "AB", 30, 5), request("CD", "CD", 30)],
    )
    out = optimal(solve_checked(data), 1)
    assert "max_meetings_per_day" in reason(out, "AB")


def test_daily_load_two_mandatory_over_the_limit_is_infeasible():
    data = instance(
        delegations=delegations(A={"max_meetings_per_day": 1}),
        rooms=TWO_ROOMS,
        requests=[request("AB", "AB", 30, mandatory=True), request("AC", "AC", 30, mandatory=True)],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert set(out.conflict.requests) == {"AB", "AC"}
    assert out.conflict.rules == (rn.DAILY_LOAD,)


# --- 11. interpreters ------------------------------------------------------------------------------


def _interpreted(**event) -> dict:
    """A, C speak ru; B, D speak en: AB and CD need interpretation, AC and BD do not."""
    return dict(
        delegations=delegations(B={"languages": ["en"]}, D={"languages": ["en"]}),
        rooms=TWO_ROOMS,
        **{f"event_{k}": v for k, v in event.items()},
    )


def test_interpreters_one_team_serialises_interpreted_meetings():
    # Two rooms, but one team: AB and CD (120 min each) cannot run together, and 240 > 180.
    data = instance(
        **_interpreted(interpreter_teams=1), requests=[request("AB", "AB", 120, 2), request("CD", "CD", 120, 1)]
    )
    out = optimal(solve_checked(data), 2)
    assert set(placed(out)) == {"AB"}
    assert "interpreter" in reason(out, "CD")


def test_interpreters_meetings_sharing_a_language_need_no_team():
    # One team, two rooms: AB needs interpretation, CD (both ru) does not, so they run side by side.
    data = instance(
        delegations=delegations(B={"languages": ["en"]}),
        rooms=TWO_ROOMS,
        event_interpreter_teams=1,
        requests=[request("AB", "AB", 180), request("CD", "CD", 180)],
    )
    out = optimal(solve_checked(data), 2)
    assert {s for _, s in placed(out).values()} == {0}


def test_interpreters_two_teams_run_two_interpreted_meetings_at_once():
    data = instance(**_interpreted(interpreter_teams=2), requests=[request("AB", "AB", 180), request("CD", "CD", 180)])
    out = optimal(solve_checked(data), 2)
    assert {s for _, s in placed(out).values()} == {0}


def test_interpreters_zero_teams_leave_interpreted_meetings_unscheduled():
    data = instance(
        **_interpreted(interpreter_teams=0), requests=[request("AB", "AB", 30, 5), request("AC", "AC", 30, 1)]
    )
    out = optimal(solve_checked(data), 1)
    assert "interpreter" in reason(out, "AB")


def test_interpreters_a_three_language_meeting_takes_one_team():
    # Two teams: ABC (ru, en, de) takes one, DE (fr, es) the other, side by side all day.
    people = delegations(B={"languages": ["en"]}, C={"languages": ["de"]}, D={"languages": ["fr"]})
    people.append({"id": "E", "name": "E", "head": "Head of E", "size": 2, "languages": ["es"]})
    data = instance(
        delegations=people,
        rooms=TWO_ROOMS,
        event_interpreter_teams=2,
        requests=[request("ABC", "ABC", 180), request("DE", "DE", 180)],
    )
    out = optimal(solve_checked(data), 2)
    assert {s for _, s in placed(out).values()} == {0}


# --- 12. pinned ------------------------------------------------------------------------------------


def test_pinned_meeting_is_held_at_its_start_and_room():
    data = instance(rooms=TWO_ROOMS, requests=[request("AB", "AB", 30, fixed={"start": at("10:15"), "room": "R2"})])
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"AB": ("R2", minute("10:15"))}


def test_pinned_meeting_without_room_is_held_at_its_start():
    data = instance(rooms=TWO_ROOMS, requests=[request("AB", "AB", 45, fixed={"start": at("11:15")})])
    out = optimal(solve_checked(data), 1)
    assert placed(out)["AB"][1] == minute("11:15")
    assert by_request(out)["AB"].end == minute("12:00")


def test_pinned_meeting_is_held_even_at_the_cost_of_priority():
    # Without the pin, AC (priority 5, all day) would take A's day.
    data = instance(
        rooms=TWO_ROOMS,
        requests=[request("AB", "AB", 30, 1, fixed={"start": at("10:00"), "room": "R2"}), request("AC", "AC", 180, 5)],
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"AB": ("R2", minute("10:00"))}
    assert "A's time" in reason(out, "AC")


def test_pinned_room_is_held_so_others_move_around_it():
    # AB is pinned 10:00-11:00 in R1, the only room: of three 60-min C-D meetings two fit, at 09:00 and 11:00.
    data = instance(
        requests=[
            request("AB", "AB", 60, 1, fixed={"start": at("10:00"), "room": "R1"}),
            request("CD1", "CD", 60, 3),
            request("CD2", "CD", 60, 3),
            request("CD3", "CD", 60, 2),
        ]
    )
    out = optimal(solve_checked(data), 7)
    spots = placed(out)
    assert spots["AB"] == ("R1", minute("10:00"))
    assert sorted(spots) == ["AB", "CD1", "CD2"]
    assert sorted(s for _, s in spots.values()) == [0, 60, 120]


def test_pinned_outside_a_partys_availability_is_infeasible():
    data = instance(
        delegations=delegations(A={"available": [win("09:00", "10:00")]}),
        requests=[request("AB", "AB", 60, fixed={"start": at("10:00")})],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert out.conflict.requests == ("AB",)
    assert out.conflict.rules == (rn.PRESENCE,)


def test_pinned_past_the_days_end_is_infeasible():
    data = instance(requests=[request("AB", "AB", 60, fixed={"start": at("11:30")})])
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert out.conflict.requests == ("AB",)
    assert rn.DAY_HOURS_AND_GRID in out.conflict.rules


def test_pinned_in_a_room_that_cannot_seat_it_is_infeasible():
    data = instance(
        rooms=[room("R1"), room("R2", capacity=3)],
        requests=[request("AB", "AB", 60, fixed={"start": at("10:00"), "room": "R2"})],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert out.conflict.requests == ("AB",)
    assert rn.SEATS in out.conflict.rules


def test_pinned_two_meetings_of_one_delegation_overlapping_is_infeasible():
    data = instance(
        rooms=TWO_ROOMS,
        requests=[
            request("AB", "AB", 60, fixed={"start": at("09:00")}),
            request("AC", "AC", 60, fixed={"start": at("09:30")}),
            request("CD", "CD", 30),
        ],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert set(out.conflict.requests) == {"AB", "AC"}
    assert out.conflict.rules == (rn.ONE_PLACE_AT_A_TIME,)


def test_pinned_meetings_apart_by_less_than_the_changeover_is_infeasible():
    data = instance(
        rooms=TWO_ROOMS,
        event_changeover_minutes=10,
        requests=[
            request("AB", "AB", 60, fixed={"start": at("09:00"), "room": "R1"}),
            request("AC", "AC", 60, fixed={"start": at("10:00"), "room": "R2"}),
        ],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert set(out.conflict.requests) == {"AB", "AC"}
    assert out.conflict.rules == (rn.ONE_PLACE_AT_A_TIME,)


def test_pinned_two_meetings_in_one_room_overlapping_is_infeasible():
    data = instance(
        rooms=TWO_ROOMS,
        requests=[
            request("AB", "AB", 60, fixed={"start": at("09:00"), "room": "R1"}),
            request("CD", "CD", 60, fixed={"start": at("09:30"), "room": "R1"}),
        ],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert set(out.conflict.requests) == {"AB", "CD"}
    assert out.conflict.rules == (rn.ROOM_USE,)


def test_pinned_and_mandatory_clash_names_both():
    data = instance(
        rooms=TWO_ROOMS,
        requests=[
            request("AB", "AB", 60, fixed={"start": at("10:00")}),
            request("AC", "AC", 150, mandatory=True),
            request("CD", "CD", 30, mandatory=True),
        ],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert set(out.conflict.requests) == {"AB", "AC"}
    assert out.conflict.rules == (rn.ONE_PLACE_AT_A_TIME,)


def test_pinned_interpreted_meetings_over_the_teams_is_infeasible():
    data = instance(
        **_interpreted(interpreter_teams=1),
        requests=[
            request("AB", "AB", 60, fixed={"start": at("09:00")}),
            request("CD", "CD", 60, fixed={"start": at("09:45")}),
        ],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert set(out.conflict.requests) == {"AB", "CD"}
    assert out.conflict.rules == (rn.INTERPRETERS,)


# --- 13. reserved rooms (contract v1.1) -------------------------------------------------------------


def test_reserved_rooms_a_salon_is_not_lent_to_other_delegations():
    # R1 is A's salon and R2 is open 09:00-10:00 only: of CD and BD (both with D) only one is held, in R2;
    # lent to others, R1 would take BD at 10:00
    data = instance(
        rooms=[room("R1", reserved_for="A"), room("R2", available=[win("09:00", "10:00")])],
        requests=[request("CD", "CD", 60, 2), request("BD", "BD", 60, 1)],
    )
    out = optimal(solve_checked(data), 2)
    assert placed(out) == {"CD": ("R2", 0)}
    assert "D's time" in reason(out, "BD")


def test_reserved_rooms_the_owner_receives_its_guests_there():
    data = instance(rooms=[room("R1", reserved_for="A")], requests=[request("AB", "AB", 60), request("ACD", "ACD", 60)])
    out = optimal(solve_checked(data), 2)
    assert {r for r, _ in placed(out).values()} == {"R1"}


def test_reserved_rooms_only_reserved_rooms_left_names_room_and_owner():
    data = instance(
        rooms=[room("R1", reserved_for="A"), room("R2", reserved_for="B", capacity=12)],
        requests=[request("CD", "CD", 60), request("AB", "AB", 60)],
    )
    out = optimal(solve_checked(data), 1)
    assert reason(out, "CD") == "R1 is reserved for A and R2 is reserved for B"


def test_reserved_rooms_programme_items_may_still_use_the_salon():
    # the plenary is held in A's salon; A's guests meet there around it
    data = instance(
        rooms=[room("R1", reserved_for="A")],
        programme=[{"id": "P", "title": "Press", "start": at("09:00"), "end": at("11:00"), "room": "R1",
                    "attendees": ["D"]}],
        requests=[request("AB", "AB", 60)],
    )
    out = optimal(solve_checked(data), 1)
    assert placed(out) == {"AB": ("R1", minute("11:00"))}


def test_reserved_rooms_the_owner_may_be_any_party():
    # R1, the only room, is B's salon: A-B (B second) and the trilateral C-D-B (B last) are held there; C-D,
    # worth more than both, is not
    data = instance(
        rooms=[room("R1", reserved_for="B")],
        requests=[request("AB", "AB", 60, 1), request("CDB", "CDB", 60, 1), request("CD", "CD", 60, 5)],
    )
    out = optimal(solve_checked(data), 2)
    assert {rid: r for rid, (r, _) in placed(out).items()} == {"AB": "R1", "CDB": "R1"}
    assert reason(out, "CD") == "R1 is reserved for B"


def test_reserved_rooms_a_pin_in_anothers_salon_is_infeasible_naming_the_rule():
    data = instance(
        rooms=[room("R1", reserved_for="A"), room("R2")],
        requests=[request("CD", "CD", 60, fixed={"start": at("09:00"), "room": "R1"})],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert out.conflict.rules == (rn.RESERVED_ROOMS,)
    assert "R1 is reserved for A" in out.conflict.message


def test_reserved_rooms_identical_salons_of_two_owners_are_not_one_pool():
    # R1 and R2 are alike but belong to A and B: AC must be in R1, BD in R2, at the same time
    data = instance(
        rooms=[room("R1", reserved_for="A"), room("R2", reserved_for="B")],
        requests=[request("AC", "AC", 180), request("BD", "BD", 180)],
    )
    out = optimal(solve_checked(data), 2)
    assert placed(out) == {"AC": ("R1", 0), "BD": ("R2", 0)}


# --- durations and time zones ----------------------------------------------------------------------


def test_day_hours_and_grid_durations_are_not_rounded_to_the_slot():
    # 09:00-11:00, 10-min changeover, 15-min grid: 50 + 10 + 50 fits (09:00-09:50, 10:00-10:50);
    # rounded up to 60 min the second meeting could not start before 10:15 and would run past 11:00.
    data = instance(
        event_days=[{"date": DAY, "start": "09:00", "end": "11:00"}],
        event_changeover_minutes=10,
        requests=[request("AB", "AB", 50), request("AC", "AC", 50)],
    )
    out = optimal(solve_checked(data), 2)
    assert sorted((m.start, m.end) for m in out.meetings) == [(0, 50), (60, 110)]


def test_day_hours_and_grid_dst_offsets_follow_each_day():
    # Vienna leaves summer time on 27 Oct 2024: 26 Oct is +02:00, 28 Oct is +01:00, and the 49 hours
    # between the two 09:00 starts are counted as elapsed minutes.
    data = instance(
        event_timezone="Europe/Vienna",
        event_days=[
            {"date": "2024-10-26", "start": "09:00", "end": "12:00"},
            {"date": "2024-10-28", "start": "09:00", "end": "12:00"},
        ],
        requests=[
            request("AB", "AB", 60, window=[win("09:00", "10:00", "2024-10-26")]),
            request("CD", "CD", 60, window=[win("11:00", "12:00", "2024-10-28")]),
        ],
    )
    out = optimal(solve_checked(data), 2)
    assert placed(out) == {"AB": ("R1", 0), "CD": ("R1", 49 * 60 + 120)}
    document = schedule_document(load_conference(json.dumps(data)), out)
    times = {m.request: (m.start, m.end) for m in document.meetings}
    assert times == {
        "AB": ("2024-10-26T09:00:00+02:00", "2024-10-26T10:00:00+02:00"),
        "CD": ("2024-10-28T11:00:00+01:00", "2024-10-28T12:00:00+01:00"),
    }


# --- the objective ---------------------------------------------------------------------------------


def test_objective_primary_is_never_traded_for_preferences():
    # AB (priority 5) can only be held 09:00-11:00, outside every preferred window; AC and AD (priority 2
    # each) prefer 09:00-11:00. Both in their preferred time (preferred_met 4) would leave out AB:
    # priority 4 < 7, so AB is held and one of AC/AD is held afterwards, unpreferred.
    preferred = [win("09:00", "11:00")]
    data = instance(
        rooms=TWO_ROOMS,
        requests=[
            request("AB", "AB", 120, 5, window=[win("09:00", "11:00")], preferred=[win("11:00", "12:00")]),
            request("AC", "AC", 60, 2, preferred=preferred),
            request("AD", "AD", 60, 2, preferred=preferred),
        ],
    )
    out = optimal(solve_checked(data), 7)
    spots = placed(out)
    assert spots["AB"][1] == 0
    assert len(spots) == 2
    assert out.preferred_met == 0


def test_objective_preferred_met_counts_priority_not_requests():
    # All three fit in A's day; only 60 min of it is preferred by all three. AB (priority 3) there beats
    # AC and AD (priority 1 each, two requests) there.
    preferred = [win("09:00", "10:00")]
    data = instance(
        requests=[
            request("AC", "AC", 30, 1, preferred=preferred),
            request("AD", "AD", 30, 1, preferred=preferred),
            request("AB", "AB", 60, 3, preferred=preferred),
        ]
    )
    out = optimal(solve_checked(data), 5)
    assert placed(out)["AB"] == ("R1", 0)
    assert out.preferred_met == 3


def test_objective_breaks_are_minimised_back_to_back_with_changeover():
    # A's two 30-min meetings in a 3-hour day, AB from 10:00 on: the only gap that is not a break
    # (< 10 + 15 min) is 15 min on the grid, so AC goes right before or after AB.
    data = instance(
        event_changeover_minutes=10,
        requests=[request("AB", "AB", 30, window=[win("10:00", "12:00")]), request("AC", "AC", 30)],
    )
    out = optimal(solve_checked(data), 2)
    assert out.breaks == 0
    first, second = sorted(out.meetings, key=lambda m: m.start)
    assert second.start - first.end == 15


def test_objective_breaks_count_programme_items():
    # A attends 10:00-11:00; AB (30 min) next to it is no break: it ends at 10:00 or starts at 11:00.
    data = instance(
        programme=[{"id": "P", "title": "Plenary", "start": at("10:00"), "end": at("11:00"), "attendees": ["A"]}],
        requests=[request("AB", "AB", 30)],
    )
    out = optimal(solve_checked(data), 1)
    assert out.breaks == 0
    assert placed(out)["AB"][1] in (minute("09:30"), minute("11:00"))


def test_objective_preferences_come_before_breaks():
    # Meeting both preferences costs A a break; preferences win.
    data = instance(
        requests=[
            request("AB", "AB", 30, preferred=[win("09:00", "09:30")]),
            request("AC", "AC", 30, preferred=[win("11:30", "12:00")]),
        ]
    )
    out = optimal(solve_checked(data), 2)
    assert placed(out) == {"AB": ("R1", 0), "AC": ("R1", minute("11:30"))}
    assert out.preferred_met == 2
    assert out.breaks == 1


def test_objective_rooms_tie_breaker_keeps_a_delegation_in_one_room():
    data = instance(rooms=TWO_ROOMS, requests=[request("AB", "AB", 30), request("AC", "AC", 30)])
    out = optimal(solve_checked(data), 2)
    assert out.breaks == 0
    rooms = {r for r, _ in placed(out).values()}
    assert len(rooms) == 1
