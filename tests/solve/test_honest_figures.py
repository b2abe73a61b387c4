"""A solve stopped before the optimum says so: status `feasible` and a proven bound at or above the optimum.

`status: optimal` is a promise to a protocol office ("this is the best possible"), so it must never be given
for a schedule that is not optimal, and `upper_bound` must never fall below what is possible. The instance is
generated (15 delegations, 70 requests, 3 rooms: tight enough that neither the greedy nor the LP's rounded
start is already optimal); a deterministic limit of 0.01 stops the primary phase well before its optimum
(339 against 355), which a longer solve proves.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.generator import generate
from scheduler.check.validator import check_schedule
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve


@pytest.fixture(scope="module")
def conference():
    return load_conference(json.dumps(generate("honest", 15, 70, 3, seed=2)))


@pytest.fixture(scope="module")
def optimum(conference) -> int:
    truth = solve(conference, SolveOptions(time_limit=120, workers=1, seed=1, deterministic_time=30, secondary=False))
    assert truth.status == "optimal" and truth.upper_bound == truth.scheduled_priority
    return truth.scheduled_priority


def _early(conference, secondary: bool):
    options = SolveOptions(time_limit=120, workers=1, seed=1, deterministic_time=0.01, secondary=secondary)
    return solve(conference, options)


@pytest.mark.slow
def test_a_primary_phase_stopped_early_reports_feasible_and_a_true_bound(conference, optimum) -> None:
    early = _early(conference, secondary=False)
    assert early.scheduled_priority < optimum, "the premise: this limit stops the solve before the optimum"
    assert early.status == "feasible"
    assert early.upper_bound >= optimum > early.scheduled_priority
    assert check_schedule(conference, schedule_document(conference, early)).ok


@pytest.mark.slow
def test_a_whole_solve_stopped_early_never_claims_more_than_it_proved(conference, optimum) -> None:
    early = _early(conference, secondary=True)
    assert early.upper_bound >= optimum
    if early.status == "optimal":
        assert early.scheduled_priority == optimum
    else:
        assert early.scheduled_priority < early.upper_bound
    document = schedule_document(conference, early)
    assert document.solve.phases[0].phase == "priority"
    assert check_schedule(conference, document).ok
