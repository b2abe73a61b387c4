"""How a solve shares its time: the priority phase until it stalls, then the rest (scheduler.search.phase_time).

On a fake clock: the stall rule, and that a secondary phase never starts with less time than it needs to
build its model (it is skipped and recorded instead, and no solver runs for it).
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from scheduler.contract.parse import load_conference
from scheduler.model.variables import ConferenceModel
from scheduler.registry import model_parts, placement_rules
from scheduler.rules.placement import placements
from scheduler.search.phase_time import LEAST_SECONDS, Stall, may_start
from scheduler.solve import polish as polish_module
from scheduler.solve.options import SolveOptions
from scheduler.solve.polish import PHASES, polish
from scheduler.solve.run import Run
from scheduler.solve.types import SolveStats
from tests.support.instances import instance, request, solve_checked


class FakeClock:
    def __init__(self, left: float, elapsed: float = 0.0):
        self._left, self._elapsed = left, elapsed

    def elapsed(self) -> float:
        return self._elapsed

    def left(self) -> float:
        return self._left


def test_a_phase_is_stalled_when_nothing_moved_for_a_share_of_its_budget_and_as_long_as_it_took() -> None:
    stall = Stall(share=0.4, ratio=1.0)  # the rule's shape, on figures easy to follow
    # a 50 s budget: at least 20 s of quiet; in a 60 s budget, the last improvement 30 s into the search: 30 s more
    assert not stall.stalled(now=21.9, started=1.0, last_change=2.0, budget=50.0)
    assert stall.stalled(now=22.0, started=1.0, last_change=2.0, budget=50.0)
    assert not stall.stalled(now=60.9, started=1.0, last_change=31.0, budget=60.0)
    assert stall.stalled(now=61.0, started=1.0, last_change=31.0, budget=60.0)
    # before the search's first report (the model is still being built and presolved) it never stalls
    assert not stall.stalled(now=500.0, started=None, last_change=0.0, budget=50.0)


@pytest.mark.parametrize(("left", "build", "why"), [
    (LEAST_SECONDS / 2, 0.0, "skipped: no time left"),
    (1.0, 0.5, "skipped: the model would take too long to build"),
    (10.0, 0.5, None),
])  # fmt: skip
def test_a_phase_may_start_only_with_the_time_to_build_it(left: float, build: float, why: str | None) -> None:
    assert may_start(build, FakeClock(left)) == why


def _model():
    data = instance(requests=[request("AB", "AB", 60, 3, preferred=[{"start": "2024-10-31T09:00",
                                                                        "end": "2024-10-31T10:00"}]),
                              request("CD", "CD", 60, 2)])  # fmt: skip
    conference = load_conference(json.dumps(data))
    where = placements(conference, placement_rules())
    return conference, ConferenceModel.build(conference, where, model_parts())


@pytest.mark.parametrize("left", [0.0, LEAST_SECONDS / 2])
def test_no_secondary_phase_starts_when_no_time_is_left_and_each_is_recorded_skipped(monkeypatch, left) -> None:
    conference, cm = _model()
    runs: list[str] = []
    monkeypatch.setattr(Run, "cpsat", lambda self, cm, phase, *a, **k: runs.append(phase))
    stats = SolveStats()
    best = polish(Run(SolveOptions(), FakeClock(left), stats=stats), cm, [], conference)
    assert runs == [] and best == []
    assert [p["phase"] for p in stats.phases] == [p.name for p in PHASES]
    assert {p["status"] for p in stats.phases} == {"skipped: no time left"}


def test_a_phase_whose_model_takes_too_long_to_build_is_skipped_and_the_next_still_runs(monkeypatch) -> None:
    conference, cm = _model()
    slow = [dataclasses.replace(p, build_seconds=lambda cm: 100.0) if p.name == "breaks" else p for p in PHASES]
    monkeypatch.setattr(polish_module, "PHASES", tuple(slow))
    stats = SolveStats()
    meetings = solve_checked(instance(requests=[request("AB", "AB", 60, 3), request("CD", "CD", 60, 2)])).meetings
    polish(Run(SolveOptions(time_limit=5, workers=1), FakeClock(10.0), stats=stats), cm, list(meetings), conference)
    status = {p["phase"]: p["status"] for p in stats.phases}
    assert status["breaks"] == "skipped: the model would take too long to build"
    assert status["rooms"] in ("OPTIMAL", "FEASIBLE")
    assert all("ended_seconds" in p for p in stats.phases if not p["status"].startswith("skipped"))


def test_the_priority_phase_records_when_it_ended_and_the_bound_source() -> None:
    outcome = solve_checked(instance(requests=[request("AB", "AB", 60, 3), request("CD", "CD", 60, 2)]),
                            SolveOptions(time_limit=10, workers=1, explain_share=0.0))  # fmt: skip
    first = outcome.stats.phases[0]
    assert first["phase"] == "priority" and first["ended_seconds"] <= outcome.stats.wall_time
    assert outcome.stats.bound_source == "optimal"
