"""A solve's progress in an officer's words (issue 22): "67 of 120 meetings placed · priority 338 · best
possible: proven", the phase in words ("now reducing idle gaps"), the time spent and left by the service's clock.
The figures are the priority phases' alone: a later phase (breaks, preferences) moves only the phase, so the
best value no longer jumps 338 → 0 → 63, and no share or gap passes 1."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from api import progress_words as words
from api.identity import now
from api.services.solves import progress_in_words
from api.storage.models import SolveRow
from api.worker import _Watch
from scheduler.solve.choices import KINDS
from scheduler.solve.types import Progress
from tests.support.service import Worker, settings_for, solve_and_wait, start_service


def test_the_watch_keeps_the_figures_of_the_priority_phases_only() -> None:
    watch = _Watch(None, None, "s_x")  # no database: `progress` only keeps the report for the watch's thread
    watch.progress(Progress("priority", 3.0, 338, 352, 67))
    for phase, value, bound in (("stability", 4, 4), ("preferences", 0, 63), ("compactness", 17, 0),
                                ("breaks", 63, 63), ("rooms", 3, 2), ("reasons", None, None)):
        watch.progress(Progress(phase, 9.0, value, bound, None))
        assert (watch.latest.phase, watch.latest.incumbent, watch.latest.bound, watch.latest.placed) == (
            phase, 338, 352, 67)
    watch.progress(Progress("neighbourhoods", 10.0, 340, 350, 68))
    assert (watch.latest.incumbent, watch.latest.bound, watch.latest.placed) == (340, 350, 68)
    watch.progress(Progress("balanced: breaks", 11.0, 5, 5, None))
    assert (watch.latest.phase, watch.latest.incumbent) == ("balanced: breaks", 340)
    watch.progress(Progress("balanced: priority", 12.0, 345, None, 69))
    assert (watch.latest.incumbent, watch.latest.bound, watch.latest.placed) == (345, 350, 69)
    watch.progress(Progress("balanced: priority", 12.5, None, 346, None))  # a bound alone keeps the schedule's
    assert (watch.latest.incumbent, watch.latest.bound, watch.latest.placed) == (345, 346, 69)


@pytest.mark.parametrize(("phase", "said"), [
    ("priority", "now placing the highest-priority meetings"),
    ("neighbourhoods", "now improving the schedule part by part"),
    ("stability", "now keeping published meetings where they were"),
    ("preferences", "now fitting preferred times"),
    ("compactness", "now reducing idle gaps"),
    ("breaks", "now keeping breaks"),
    ("rooms", "now using fewer rooms"),
    ("reasons", "now confirming why requests were left out"),
    ("balanced: compactness", "choice “Balanced”: now reducing idle gaps"),
    ("nothing-moves: priority", "choice “Nothing moves”: now placing the highest-priority meetings"),
    ("relaxation", "now working on the schedule"),  # a code with no words: a neutral sentence, never the code
])
def test_each_phase_in_words(phase: str, said: str) -> None:
    assert words.phase_words(phase) == said


def test_the_choices_read_as_the_office_calls_them() -> None:
    assert {kind.name: kind.label for kind in KINDS} == words.CHOICE_LABELS


def test_the_figures_in_words() -> None:
    assert words.figures_words(67, 120, 338, 352) == "67 of 120 meetings placed · priority 338 · best possible ≤ 352"
    proven = "120 of 120 meetings placed · priority 352 · best possible: proven"
    assert words.figures_words(120, 120, 352, 352) == proven
    assert words.figures_words(None, 120, None, 352) == "no schedule found yet · best possible ≤ 352"


def _row(started_seconds_ago: float, time_limit: float, state: str = "running", **progress: object) -> SolveRow:
    at = now()
    return SolveRow(id="s_x", state=state, time_limit=time_limit, input={"requests": [{}] * 120},
                    started_at=at - timedelta(seconds=started_seconds_ago),
                    finished_at=at if state == "done" else None, progress={"phase": "priority", **progress})


def test_no_share_or_gap_passes_one_and_the_time_is_the_services() -> None:
    early = progress_in_words(_row(30, 120, elapsed=2.0, incumbent=0, bound=6000, placed=0))
    assert early.gap == 1.0 and early.time_share == pytest.approx(0.25, abs=0.02)
    assert early.elapsed_seconds == pytest.approx(30, abs=2) and early.remaining_seconds == pytest.approx(90, abs=2)
    assert (early.requests, early.words) == (120, "0 of 120 meetings placed · priority 0 · best possible ≤ 6000")
    late = progress_in_words(_row(200, 120, elapsed=5.0, incumbent=338, bound=352, placed=67))
    assert (late.time_share, late.remaining_seconds) == (1.0, 0.0) and 0 <= late.gap <= 1
    assert late.phase_words == "now placing the highest-priority meetings"
    over = progress_in_words(_row(10, 120, incumbent=400, bound=352, placed=67))  # a best past a stale bound
    assert over.words.endswith("best possible: proven") and over.gap <= 1


def test_a_real_solve_ends_with_its_progress_in_words(tmp_path: Path, workers) -> None:
    service = start_service(settings_for(tmp_path))
    workers.append(Worker(service.settings))
    done = solve_and_wait(service, time_limit=3)
    assert done["state"] == "done", done
    progress = done["progress"]
    assert progress["words"].startswith("2 of 2 meetings placed · priority 8 · best possible")
    assert progress["phase_words"] == "finished" and progress["time_share"] == 1.0
    assert progress["remaining_seconds"] == 0.0 and 0 <= progress["gap"] <= 1
