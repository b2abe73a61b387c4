"""What keeps a left-out request out most (`cause`, a rule of the registry) and the confirmed what-ifs that are
one edit each (`edits`): what an office's tool groups the left-out requests by, and the actions it offers."""

from __future__ import annotations

import json

from scheduler.contract import rule_names as names
from scheduler.contract.left_out import HEADINGS, NOT_REACHED, left_out_heading
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.registry import RULES
from tests.support.instances import instance, request, solve_checked


def _left_out(data: dict) -> dict:
    outcome = solve_checked(data)
    document = schedule_document(load_conference(json.dumps(data)), outcome)
    return {u.request: u for u in document.unscheduled}


def test_a_request_whose_party_is_busy_is_grouped_under_its_time_and_offers_its_pin() -> None:
    # A's three hours: AB (120 min, priority 5) and AD (60 min, 4) fill them; AC (priority 1) is left out
    data = instance(requests=[request("AB", "AB", 120, 5), request("AD", "AD", 60, 4), request("AC", "AC", 60, 1)])
    ac = _left_out(data)["AC"]
    assert ac.confirmed and ac.cause == names.ONE_PLACE_AT_A_TIME
    assert left_out_heading(ac.cause) == "Parties' time taken by other meetings"
    pins = [e for e in ac.edits or () if e.kind == "pin"]
    assert [p.subject for p in pins] == ["AC"]
    assert pins[0].room == "R1" and pins[0].start.startswith("2024-10-31T") and pins[0].words in ac.what_if


def test_a_request_no_room_seats_is_grouped_under_the_seats_rule() -> None:
    data = instance(requests=[request("AB", "AB", 60, 1, seats=40)])
    ab = _left_out(data)["AB"]
    assert ab.cause == names.SEATS and left_out_heading(ab.cause) == "No room large enough"


def test_a_party_that_leaves_too_early_offers_the_window_that_would_let_the_meeting_in() -> None:
    # B leaves at 10:00 and A is busy until 10:00 with AC: AB fits only if B stayed until 11:00
    delegations = instance()["delegations"]
    delegations[1]["available"] = [{"start": "2024-10-31T09:00", "end": "2024-10-31T10:00"}]
    data = instance(delegations=delegations,
                    requests=[request("AC", "AC", 60, 5, fixed={"start": "2024-10-31T09:00"}),
                              request("AB", "AB", 60, 1)])
    ab = _left_out(data)["AB"]
    widen = [e for e in ab.edits or () if e.kind == "availability"]
    assert widen and widen[0].subject == "B"
    assert widen[0].start < widen[0].end and widen[0].end.startswith("2024-10-31T1")


def test_every_rule_names_the_group_of_what_it_keeps_out_and_no_two_share_a_heading() -> None:
    assert set(HEADINGS) == {rule.name for rule in RULES} | {NOT_REACHED}
    assert len(set(HEADINGS.values())) == len(HEADINGS)
    assert left_out_heading("no such rule") == "Other reasons"
