"""The breaks by MaxSAT (scheduler.model.breaks_maxsat): on forums of one-slot meetings that all happen, its
proven fewest breaks equal an independent brute force's, its schedules pass the validator, and it is only
used where it sees every rule."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from scheduler.check.validator import check_schedule
from scheduler.contract import figures
from scheduler.contract.b2b import import_b2b
from scheduler.contract.parse import load_conference
from scheduler.model.breaks_maxsat import FewestBreaks, shape
from scheduler.publish.from_outcome import schedule_document
from scheduler.registry import placement_rules
from scheduler.rules.placement import placements
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from tests.support.brute_force import brute_force
from tests.support.instances import assert_valid_meetings
from tests.support.paths import SHARED

SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _at(minutes: int) -> str:
    return f"2024-01-15T{_clock(minutes)}"


@st.composite
def forums(draw) -> dict:
    """A tiny B2B forum as `scheduler.contract.b2b` imports one: one day of 20-min slots, tables of two seats,
    every meeting mandatory and one slot long, some in the morning or afternoon only, some participants
    away for a slot."""
    slots = draw(st.integers(3, 5))
    start = 9 * 60
    end = start + 20 * slots
    participants = [f"P{i}" for i in range(draw(st.integers(4, 6)))]
    pairs = [(a, b) for i, a in enumerate(participants) for b in participants[i + 1:]]
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=4, max_size=6, unique=True))
    half = start + 20 * (slots // 2)
    sessions = [None, {"start": _at(start), "end": _at(half)}, {"start": _at(half), "end": _at(end)}]
    delegations = []
    for p in participants:
        delegation = {"id": p, "name": p, "head": p, "size": 1, "languages": ["en"]}
        away = draw(st.sampled_from([None, None, *range(slots)]))
        if away is not None:
            windows = [(start, start + 20 * away), (start + 20 * (away + 1), end)]
            delegation["available"] = [{"start": _at(a), "end": _at(b)} for a, b in windows if b > a]
        delegations.append(delegation)
    requests = []
    for i, (a, b) in enumerate(chosen):
        request = {"id": f"M{i}", "parties": [a, b], "duration_minutes": 20, "mandatory": True}
        session = draw(st.sampled_from([0, 0, 1, 2]))
        if sessions[session] is not None:
            request["window"] = [sessions[session]]
        requests.append(request)
    tables = draw(st.integers(1, 2))
    return {
        "event": {"id": "forum", "name": "forum", "timezone": "UTC", "slot_minutes": 20,
                  "days": [{"date": "2024-01-15", "start": _clock(start), "end": _clock(end)}],
                  "changeover_minutes": 0, "room_turnover_minutes": 0},
        "programme": [],
        "rooms": [{"id": f"T{t}", "name": f"Table {t}", "capacity": 2, "features": [], "level": 0}
                  for t in range(tables)],
        "delegations": delegations,
        "requests": requests,
    }


@pytest.mark.slow
def test_the_fewest_breaks_equal_the_brute_force_and_pass_the_validator() -> None:
    """In enough draws the tables bind (one more table would need fewer breaks) and some break is needed."""
    with_breaks: list[bool] = []
    tables_bind: list[bool] = []

    @SETTINGS
    @given(forums())
    def fewest(data: dict) -> None:
        expected = brute_force(data, lexicographic=True)
        assume(expected is not None)
        conference = load_conference(json.dumps(data))
        where = placements(conference, placement_rules())
        assert shape(conference, where)
        meetings = FewestBreaks(conference, where).result(60)
        assert meetings is not None and len(meetings) == len(data["requests"])
        assert figures.breaks(conference, meetings) == expected.breaks
        assert_valid_meetings(conference, meetings)
        with_breaks.append(expected.breaks > 0)
        event("the fewest breaks are above zero" if with_breaks[-1] else "no break needed")
        more = json.loads(json.dumps(data))
        more["rooms"].append({"id": "T9", "name": "Table 9", "capacity": 2, "features": [], "level": 0})
        tables_bind.append(brute_force(more, lexicographic=True).breaks < expected.breaks)
        event("the tables bind" if tables_bind[-1] else "the tables do not bind")

    fewest()
    assert sum(with_breaks) >= 5, f"only {sum(with_breaks)} draws need a break: the breaks are hardly tested"
    assert sum(tables_bind) >= 3, f"the tables bind in only {sum(tables_bind)} draws"


def _tiny() -> dict:
    return import_b2b((SHARED / "benchmarks" / "b2b" / "tic-12.original.dzn").read_text(), "tic-12")


def _shape_of(data: dict) -> bool:
    conference = load_conference(json.dumps(data))
    return shape(conference, placements(conference, placement_rules()))


def test_it_is_only_used_where_it_sees_every_rule() -> None:
    """A changeover, an optional request, a preferred window or a daily limit are rules the encoding does
    not hold: then the CP-SAT phases decide the breaks alone."""
    assert _shape_of(_tiny())
    changeover = _tiny()
    changeover["event"]["changeover_minutes"] = 5
    optional = _tiny()
    optional["requests"][0]["mandatory"] = False
    preferred = _tiny()
    preferred["requests"][0]["preferred"] = [{"start": _at(9 * 60), "end": _at(10 * 60)}]
    limited = _tiny()
    limited["delegations"][0]["max_meetings_per_day"] = 9
    for data in (changeover, optional, preferred, limited):
        assert not _shape_of(data)


@pytest.mark.slow
def test_a_solve_of_a_b2b_forum_takes_the_proven_breaks() -> None:
    """tic-13crafc: the paper's optimum is 4 breaks; CP-SAT alone ended at 9 in 30 s (full profile of
    2026-11-27). MaxSAT beside the CP-SAT phases proves 4, and the breaks phase records it."""
    data = import_b2b((SHARED / "benchmarks" / "b2b" / "tic-13crafc.original.dzn").read_text(), "tic-13crafc")
    conference = load_conference(json.dumps(data))
    outcome = solve(conference, SolveOptions(time_limit=40, workers=2, explain_share=0))
    assert outcome.breaks == 4
    assert len(outcome.meetings) == len(data["requests"])
    report = check_schedule(conference, schedule_document(conference, outcome))
    assert report.ok and report.breaks == 4
    breaks = next(p for p in outcome.stats.phases if p["phase"] == "breaks")
    assert breaks["engine"] == "maxsat" and breaks["kept"] == 4
