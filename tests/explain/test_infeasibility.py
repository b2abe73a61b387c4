"""Exit 3: the clashing must-happen requests, exactly the rules that clash, and a move confirmed by solving.

A rule is named when it keeps the requests apart on its own (solved with only that rule between meetings),
or, when none does, as one of the fewest rules that do so together. The move the message proposes is
applied to the input and solved again here: it must let every mandatory and pinned request be held.
"""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest

from scheduler.contract import rule_names as rn
from scheduler.contract.parse import load_conference
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from tests.support.instances import DETERMINISTIC, instance, request, solve_checked
from tests.support.paths import ROOT

DAY = "2024-10-31"


def room(rid: str, *features: str) -> dict:
    return {"id": rid, "name": f"Room {rid}", "capacity": 10, "features": ["interpretation", *features], "level": 2}


def delegation(did: str, language: str) -> dict:
    return {"id": did, "name": did, "head": f"Head of {did}", "size": 2, "languages": [language]}


def moved(data: dict, outcome) -> dict:
    """The input with the conflict's proposed move applied to the pin."""
    move = outcome.conflict.move
    assert move is not None, outcome.conflict.message
    conference = load_conference(json.dumps(data))
    changed = copy.deepcopy(data)
    at = conference.clock.to_datetime(move.start).strftime("%Y-%m-%dT%H:%M")
    for item in changed["requests"]:
        if item["id"] == move.request:
            item["fixed"] = {**item["fixed"], "start": at}
    return changed


def test_two_pins_of_one_delegation_in_one_room_name_both_rules_each_alone_and_the_minutes():
    data = instance(
        rooms=[room("R1"), room("R2")],
        requests=[
            request("AB", "AB", 60, 2, fixed={"start": f"{DAY}T09:00", "room": "R1"}),
            request("AC", "AC", 60, 1, fixed={"start": f"{DAY}T09:30", "room": "R1"}),
        ],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert set(out.conflict.requests) == {"AB", "AC"}
    assert out.conflict.rules == (rn.ONE_PLACE_AT_A_TIME, rn.ROOM_USE)
    message = out.conflict.message
    assert "AB and AC both need A at 31 Oct 09:30–10:00" in message
    assert "AB and AC can only be held in Room R1 and both need it at 31 Oct 09:30–10:00" in message
    assert "each of these rules alone keeps them apart" in message
    # the lower-priority pin moves, to the nearest start that works: when AB ends (no changeover here)
    assert out.conflict.move.request == "AC"
    assert "moving AC to 31 Oct 10:00 would let all the mandatory and pinned requests be held" in message
    assert solve_checked(moved(data, out)).has_schedule


def test_rules_that_clash_only_together_are_named_together():
    # CD needs interpretation and the video room R1 between 09:00 and 11:00. R1 is taken by EF at 10:00,
    # the one interpreter team by AB at 09:00: each alone leaves CD a time, both together none.
    data = instance(
        event_interpreter_teams=1,
        event_room_turnover_minutes=0,
        rooms=[room("R1", "video"), room("R2")],
        delegations=[delegation(d, "en" if d in "BD" else "ru") for d in "ABCDEF"],
        requests=[
            request("AB", "AB", 60, fixed={"start": f"{DAY}T09:00", "room": "R2"}),
            request("EF", "EF", 60, fixed={"start": f"{DAY}T10:00", "room": "R1"}),
            request("CD", "CD", 60, mandatory=True, requires=["video"],
                    window=[{"start": f"{DAY}T09:00", "end": f"{DAY}T11:00"}]),
        ],
    )
    out = solve_checked(data)
    assert out.status == "infeasible"
    assert set(out.conflict.requests) == {"AB", "EF", "CD"}
    assert out.conflict.rules == (rn.ROOM_USE, rn.INTERPRETERS)
    assert "these rules clash only together" in out.conflict.message
    assert solve_checked(moved(data, out)).has_schedule


@pytest.mark.slow
def test_minsk_host_salon_pins_name_the_minutes_the_salon_and_a_move_that_fixes_both():
    """The issue's case on Minsk: BLR-HUN pinned in BLR's salon for 45 min, BLR-CIS pinned 15 min later
    (its only room is that salon, as BLR hosts it): no interpreter or daily limit is at stake."""
    data = json.loads((ROOT / "examples" / "minsk-2024.json").read_text(encoding="utf-8"))
    for item in data["requests"]:
        if item["id"] == "BLR-HUN":
            item.update(duration_minutes=45, fixed={"start": f"{DAY}T17:45", "room": "salon-blr"})
        if item["id"] == "BLR-CIS":
            item["fixed"] = {"start": f"{DAY}T18:00"}
    options = dataclasses.replace(DETERMINISTIC, time_limit=30)
    out = solve(load_conference(json.dumps(data)), options)
    assert out.status == "infeasible"
    assert set(out.conflict.requests) == {"BLR-HUN", "BLR-CIS"}
    assert out.conflict.rules == (rn.ONE_PLACE_AT_A_TIME, rn.ROOM_USE)
    message = out.conflict.message
    assert "BLR-HUN and BLR-CIS both need BLR at 31 Oct 18:00–18:30" in message
    assert "can only be held in Salon of the Minister of Foreign Affairs of Belarus and both need it" in message
    assert "no single rule" not in message and "daily_load" not in message and "interpreters" not in message
    assert out.conflict.move.request == "BLR-CIS"  # priority 8 moves before BLR-HUN's 9
    assert "would let all the mandatory and pinned requests be held (checked by solving)" in message
    fixed = solve(load_conference(json.dumps(moved(data, out))), SolveOptions(time_limit=20, workers=1, seed=1))
    assert fixed.has_schedule, fixed.conflict and fixed.conflict.message
