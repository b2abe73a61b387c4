"""What each rule between meetings finds in the way of a request at one room and start (`scheduler.rules.between`).

One test per function, named after its rule, on a tiny instance with meetings placed by hand. Minute 0 is
the first day's start (09:00 in the base instance).
"""

from __future__ import annotations

import json

from scheduler.contract.domain import Conference, Meeting
from scheduler.contract.parse import load_conference
from scheduler.rules.between import Blocker, Placed, daily_load, interpreters, one_place_at_a_time, room_use
from tests.support.instances import instance, request
from tests.support.rule_instances import DAY, TWO_ROOMS, delegations

SECOND_DAY = "2024-11-01"


def _conference(**changes) -> Conference:
    data = instance(
        rooms=TWO_ROOMS,
        event_days=[{"date": d, "start": "09:00", "end": "12:00"} for d in (DAY, SECOND_DAY)],
        requests=[request(rid, rid) for rid in ("AB", "AC", "CD", "BC", "AD")],
        **changes,
    )
    return load_conference(json.dumps(data))


def _meeting(rid: str, room: str, start: int, end: int) -> Meeting:
    return Meeting(rid, tuple(rid), room, start, end)


def _placed(conference: Conference, *meetings: Meeting, interpreted: frozenset[str] = frozenset()) -> Placed:
    return Placed.of(conference, meetings, interpreted.__contains__)


def test_placed_indexes_meetings_by_delegation_room_day_and_interpretation() -> None:
    conference = _conference()
    ab, cd = _meeting("AB", "R1", 0, 60), _meeting("CD", "R2", 60 * 24, 60 * 25)
    placed = _placed(conference, ab, cd, interpreted=frozenset({"CD"}))
    assert placed.by_party["A"] == [ab] and placed.by_party["D"] == [cd]
    assert placed.by_room["R1"] == [ab] and placed.by_room["R2"] == [cd]
    assert placed.by_party_day["B", 0] == [ab] and placed.by_party_day["C", 1] == [cd]
    assert placed.interpreting == [cd]


def test_one_place_at_a_time_names_each_party_whose_time_is_taken_within_the_changeover() -> None:
    conference = _conference(event_changeover_minutes=15)
    ab = _meeting("AB", "R1", 0, 60)
    placed = _placed(conference, ab)
    ac = conference.request("AC")
    assert one_place_at_a_time(placed, ac, False, "R2", 60) == [Blocker("A", (ab,))]  # 10:00: no changeover
    assert one_place_at_a_time(placed, ac, False, "R2", 75) == []  # 10:15: the changeover kept
    assert one_place_at_a_time(placed, conference.request("CD"), False, "R2", 0) == []  # no party shared
    both = conference.request("AB")
    assert one_place_at_a_time(placed, both, False, "R2", 30) == [Blocker("A", (ab,)), Blocker("B", (ab,))]


def test_room_use_names_the_meetings_in_that_room_within_the_turnover() -> None:
    conference = _conference(event_room_turnover_minutes=15)
    ab = _meeting("AB", "R1", 0, 60)
    placed = _placed(conference, ab)
    cd = conference.request("CD")
    assert room_use(placed, cd, False, "R1", 60) == [Blocker("rooms", (ab,))]
    assert room_use(placed, cd, False, "R1", 75) == []
    assert room_use(placed, cd, False, "R2", 0) == []  # another room


def test_daily_load_names_a_party_whose_meetings_of_that_day_reach_its_limit() -> None:
    conference = _conference(delegations=delegations(A={"max_meetings_per_day": 1}, C={"max_meetings_per_day": 0}))
    ab = _meeting("AB", "R1", 0, 60)
    placed = _placed(conference, ab)
    ad = conference.request("AD")
    assert daily_load(placed, ad, False, "R2", 120) == [Blocker("A", (ab,), 1)]  # any time and room that day
    assert daily_load(placed, ad, False, "R2", 60 * 24) == []  # the next day
    # a limit of 0 closes every day with no meeting in the way
    assert daily_load(placed, conference.request("BC"), False, "R2", 60 * 24) == [Blocker("C", (), 0)]


def test_interpreters_names_each_instant_at_which_every_team_is_busy() -> None:
    conference = _conference(event_interpreter_teams=2)
    first, second = _meeting("AB", "R1", 0, 60), _meeting("CD", "R2", 30, 90)
    placed = _placed(conference, first, second, interpreted=frozenset({"AB", "CD"}))
    ac = conference.request("AC")
    # 09:00-10:00: both run from 09:30; the instant 09:00 has one team free
    assert interpreters(placed, ac, True, "R1", 0) == [Blocker("teams", (first, second), 2)]
    assert interpreters(placed, ac, True, "R1", 60) == []  # 10:00-11:00: only CD runs
    assert interpreters(placed, ac, False, "R1", 0) == []  # a meeting without interpretation takes no team
    one_after_the_other = (_meeting("AB", "R1", 0, 30), _meeting("CD", "R2", 30, 60))
    apart = _placed(conference, *one_after_the_other, interpreted=frozenset({"AB", "CD"}))
    assert interpreters(apart, ac, True, "R1", 0) == []  # both run during it, never at once
