"""Why a request is left out: causes confirmed by a solve (scheduler.explain.why), and `scheduler explain`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scheduler.contract.domain import Meeting
from scheduler.contract.parse import load_conference
from scheduler.explain.why import explain
from tests.support.instances import instance, request, solve_checked


def _meeting(conference, rid: str, start: int) -> Meeting:
    r = conference.request(rid)
    return Meeting(rid, r.parties, "R1", start, start + r.duration)


def test_the_named_cause_is_the_real_one_and_dropping_it_lets_the_request_in() -> None:
    # A's three hours are filled by AB (120 min) and AD (60 min): AC cannot be held.
    data = instance(requests=[request("AB", "AB", 120, 5), request("AD", "AD", 60, 4), request("AC", "AC", 60, 1)])
    conference = load_conference(json.dumps(data))
    schedule = [_meeting(conference, "AB", 0), _meeting(conference, "AD", 120)]
    answer = explain(conference, schedule, "AC")
    assert answer.confirmed
    blockers = {c.meeting for c in answer.causes if c.meeting}
    assert blockers and blockers <= {"AB", "AD"}
    assert "A's time" in answer.reason and "priority" in answer.reason
    assert "AB" not in answer.party_reason and "priority" not in answer.party_reason
    # dropping the meetings named lets AC fit: checked by explaining again without them
    rest = [m for m in schedule if m.request not in blockers]
    assert not explain(conference, rest, "AC").causes
    # the displacement what-if is priced and judged against AC's priority
    assert any("not worth it" in w.office for w in answer.what_ifs)


def test_two_causes_each_enough_alone_are_both_named_and_dropping_them_lets_the_request_in() -> None:
    # AC (180 min) needs the whole morning of A and of C: AB holds A at 11:00, CD holds C at 11:00. Naming
    # one of them would be true, but dropping it alone would not let AC in.
    data = instance(requests=[request("AB", "AB", 60, 5), request("CD", "CD", 60, 3), request("AC", "AC", 180, 1)],
                    rooms=[{"id": r, "name": r, "capacity": 10, "features": [], "level": 2} for r in ("R1", "R2")])
    conference = load_conference(json.dumps(data))
    schedule = [Meeting("AB", ("A", "B"), "R1", 120, 180), Meeting("CD", ("C", "D"), "R2", 120, 180)]
    answer = explain(conference, schedule, "AC")
    assert {c.meeting for c in answer.causes if c.meeting} == {"AB", "CD"}
    assert "A's time is taken by AB (priority 5)" in answer.reason
    assert "C's time is taken by CD (priority 3)" in answer.reason
    for alone in schedule:
        assert explain(conference, [alone], "AC").causes  # either one alone still keeps AC out
    assert not explain(conference, [], "AC").causes


def test_every_left_out_request_of_a_solve_gets_a_specific_confirmed_reason() -> None:
    data = instance(requests=[request("AB", "AB", 120, 5), request("AC", "AC", 120, 3), request("CD", "CD", 120, 2),
                              request("BD", "BD", 120, 1)])  # fmt: skip
    outcome = solve_checked(data)
    assert outcome.unscheduled
    for u in outcome.unscheduled:
        assert u.confirmed is True
        assert "time" in u.reason or "room" in u.reason, u.reason


@pytest.mark.slow
def test_scheduler_explain_answers_for_a_left_out_request_and_refuses_a_scheduled_one(tmp_path: Path) -> None:
    data = instance(requests=[request("AB", "AB", 120, 5), request("AD", "AD", 60, 4), request("AC", "AC", 60, 1)])
    (tmp_path / "in.json").write_text(json.dumps(data))
    cli = [sys.executable, "-m", "scheduler"]
    subprocess.run([*cli, "solve", "in.json", "--out", "out", "--time-limit", "10", "--quiet"], cwd=tmp_path,
                   check=True)  # fmt: skip
    schedule = json.loads((tmp_path / "out" / "schedule.json").read_text())
    left = schedule["unscheduled"][0]["request"]
    done = subprocess.run([*cli, "explain", "in.json", "out/schedule.json", "--request", left], cwd=tmp_path,
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{left} (") and "cannot be placed" in done.stdout
    held = schedule["meetings"][0]["request"]
    refused = subprocess.run([*cli, "explain", "in.json", "out/schedule.json", "--request", held], cwd=tmp_path,
                             capture_output=True, text=True)  # fmt: skip
    assert refused.returncode == 2 and "is in the schedule" in refused.stderr
