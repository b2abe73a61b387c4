"""Random small instances: every schedule passes the validator, and the optimum matches a brute force.

The brute force (`tests/support/brute_force.py`) reads the raw JSON and applies the contract's rules itself,
sharing nothing with the package: it tries every room and grid start for every request and keeps the best
combination that breaks no rule. Each property also counts what its draws exercise and asserts the share,
so a strategy that drifts towards trivial instances fails instead of passing quietly.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from ortools.sat.python import cp_model

from scheduler.contract.parse import load_conference
from scheduler.model.bounds import static_bound
from scheduler.model.variables import ConferenceModel
from scheduler.registry import model_parts, placement_rules
from scheduler.rules.placement import placements
from scheduler.solve.options import SolveOptions
from tests.support.brute_force import brute_force
from tests.support.instances import solve_checked
from tests.support.strategies import instances

OPTIONS = SolveOptions(time_limit=60, workers=1, seed=3, deterministic_time=30)
SETTINGS = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)






# --- the properties ----------------------------------------------------------------------------------


def _share(counts: list[bool]) -> float:
    return sum(counts) / max(1, len(counts))


@pytest.mark.slow
def test_every_schedule_passes_the_validator() -> None:
    """Whatever comes back is valid (solve_checked runs the validator), or a clear infeasibility; and the
    draws are worth checking: at least half of them schedule two meetings or more."""
    several: list[bool] = []

    @SETTINGS
    @given(instances())
    def every_schedule(data: dict) -> None:
        outcome = solve_checked(data, OPTIONS)
        assert outcome.status in ("optimal", "infeasible")
        if outcome.status == "infeasible":
            assert outcome.conflict is not None and outcome.conflict.requests
            assert outcome.conflict.message
        else:
            assert len(outcome.meetings) + len(outcome.unscheduled) == len(data["requests"])
            assert all(u.reason for u in outcome.unscheduled)
        several.append(len(outcome.meetings) >= 2)
        event("two or more meetings" if several[-1] else "fewer than two meetings")

    every_schedule()
    assert _share(several) >= 0.5, f"only {sum(several)} of {len(several)} examples schedule two meetings"


@pytest.mark.slow
def test_optimum_matches_brute_force() -> None:
    """The solver's proven optimum equals the independent brute force's; in at least a third of the draws a
    rule between meetings (or a must-happen request) costs priority, so the comparison tests the model."""
    binding: list[bool] = []

    @SETTINGS
    @given(instances(max_requests=4, max_day_minutes=120, slots=(30,)))
    def optimum(data: dict) -> None:
        expected = brute_force(data)
        outcome = solve_checked(data, OPTIONS)
        if expected is None:
            assert outcome.status == "infeasible"
            binding.append(True)
        else:
            assert outcome.status == "optimal"
            assert outcome.scheduled_priority == expected.priority == outcome.upper_bound
            binding.append(expected.between_meetings_bind)
        event("a rule between meetings binds" if binding[-1] else "every request as good as alone")

    optimum()
    assert _share(binding) >= 1 / 3, f"a rule between meetings binds in only {sum(binding)} of {len(binding)}"


@pytest.mark.slow
def test_every_bound_source_is_at_least_the_brute_force_optimum() -> None:
    """Each upper bound the solve may report (scheduler.model.bounds) is at least the brute force's optimum: the
    static sum, and CP-SAT's bound of a search stopped at its first schedule, before any proof (without
    presolve, so that the bound is the relaxation's, not a finished search's). A bound below the optimum
    would be a false proof; in some draws the stopped bound is above the optimum, so the test has teeth."""
    above: list[bool] = []

    @SETTINGS
    @given(instances(max_requests=4, max_day_minutes=120, slots=(30,)))
    def bounds(data: dict) -> None:
        expected = brute_force(data)
        assume(expected is not None)
        conference = load_conference(json.dumps(data))
        where = placements(conference, placement_rules())
        assert static_bound(where) >= expected.priority
        cm = ConferenceModel.build(conference, where, model_parts())
        cm.model.maximize(cm.priority_value())
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_presolve = False
        solver.parameters.stop_after_first_solution = True
        status = solver.solve(cm.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            bound = math.floor(solver.best_objective_bound + 1e-6)
            assert bound >= expected.priority
            above.append(bound > expected.priority)
            event("stopped bound above the optimum" if above[-1] else "stopped bound at the optimum")

    bounds()
    assert any(above), "the stopped search proved every draw: the CP-SAT bound was never tested unproven"
