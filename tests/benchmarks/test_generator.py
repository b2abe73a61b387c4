"""The benchmark generator: valid input at every size, deterministic per seed, jointly feasible pins."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time

import pytest

from benchmarks.generator import NAMED, generate, instance
from scheduler.check.validator import check_schedule
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from tests.support.paths import ROOT


def digest(document: dict) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_instance_parses_with_its_size(name):
    spec = NAMED[name]
    document = instance(name)
    conference = load_conference(json.dumps(document))  # raises BadInput on any problem
    assert len(conference.delegations) == spec["delegations"]
    assert len(conference.requests) == spec["requests"]
    assert len(conference.rooms) == spec["rooms"]
    assert len(conference.event.days) == spec.get("days", 2)


def test_named_sizes_span_the_suite():
    sizes = [(spec["delegations"], spec["requests"]) for spec in NAMED.values()]
    assert min(sizes) == (30, 80)
    assert max(sizes) == (300, 3000)
    assert len({spec["seed"] for spec in NAMED.values()}) == len(NAMED)


def test_instance_is_realistic():
    document = instance("forum-120x800")
    conference = load_conference(json.dumps(document))
    host = document["delegations"][0]
    requests = document["requests"]
    assert host["home_room"] and host["level"] == 3
    assert sum(r.get("host") == host["id"] for r in requests) >= 20
    assert {d["level"] for d in document["delegations"]} == {1, 2, 3}
    assert any(r["level"] == 3 for r in document["rooms"])
    assert any("interpretation" in r["features"] for r in document["rooms"])
    assert any("interpretation" not in r["features"] for r in document["rooms"])
    no_common = [
        r
        for r in conference.requests
        if not frozenset.intersection(*(conference.delegation(p).languages for p in r.parties))
    ]
    assert len(no_common) >= 50
    late = sum("available" in d for d in document["delegations"])
    assert 0.1 * len(document["delegations"]) <= late <= 0.2 * len(document["delegations"])
    everyone = [p for p in document["programme"] if "attendees" not in p]
    subsets = [p for p in document["programme"] if p.get("attendees")]
    assert everyone and subsets and any("room" in p for p in subsets)
    trilaterals = sum(len(r["parties"]) == 3 for r in requests)
    assert 0.03 * len(requests) <= trilaterals <= 0.07 * len(requests)
    assert any("window" in r for r in requests) and any("preferred" in r for r in requests)
    assert any("fixed" in r for r in requests) and any(r.get("mandatory") for r in requests)
    durations = {r["duration_minutes"] for r in requests}
    assert min(durations) >= 20 and max(durations) <= 60
    assert any(d % document["event"]["slot_minutes"] for d in durations)
    assert all(2 <= d["size"] <= 5 for d in document["delegations"])


def test_same_seed_same_instance_and_different_seeds_differ():
    a = generate("x", 40, 150, 10, seed=5)
    b = generate("x", 40, 150, 10, seed=5)
    c = generate("x", 40, 150, 10, seed=6)
    assert json.dumps(a) == json.dumps(b)
    assert digest(a) != digest(c)


def test_independent_of_hash_seed():
    """No set iteration order leaks into the output: two processes with different hash seeds agree."""
    code = (
        "import hashlib, json; from benchmarks.generator import instance; "
        "print(hashlib.sha256(json.dumps(instance('forum-60x300')).encode()).hexdigest())"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_largest_instance_is_fast():
    started = time.perf_counter()
    document = instance("fair-300x3000")
    assert time.perf_counter() - started < 10  # generous: it takes a fraction of a second
    assert len(document["requests"]) == 3000


def test_knobs_switch_off_pins_and_mandatory_and_reject_typos():
    document = generate("x", 30, 80, 8, seed=1, pins=0, mandatory=0, interpreter_teams=2)
    assert not any("fixed" in r or r.get("mandatory") for r in document["requests"])
    assert document["event"]["interpreter_teams"] == 2
    with pytest.raises(TypeError):
        generate("x", 30, 80, 8, seed=1, pin=3)


@pytest.mark.parametrize(
    ("delegations", "requests", "rooms", "days"),
    [(2, 1, 1, 1), (3, 6, 1, 1), (5, 12, 2, 1), (12, 40, 4, 2), (20, 60, 5, 3)],
)
@pytest.mark.slow
def test_small_sizes_parse_and_must_happen_requests_fit(delegations, requests, rooms, days):
    options = SolveOptions(time_limit=20, workers=1, seed=1, deterministic_time=2, secondary=False)
    for seed in range(3):
        document = generate("small", delegations, requests, rooms, seed=seed, days=days)
        conference = load_conference(json.dumps(document))
        outcome = solve(conference, options)
        assert outcome.status in ("optimal", "feasible"), (seed, outcome.conflict)
        assert check_schedule(conference, schedule_document(conference, outcome)).ok


@pytest.mark.slow
def test_smallest_named_instance_solves_and_checks():
    conference = load_conference(json.dumps(instance("conf-30x80")))
    assert any(r.pinned for r in conference.requests) and any(r.mandatory for r in conference.requests)
    outcome = solve(conference, SolveOptions(time_limit=20, workers=1, seed=1, deterministic_time=5))
    assert outcome.status in ("optimal", "feasible")
    report = check_schedule(conference, schedule_document(conference, outcome))
    assert report.ok, report
    placed = {m.request for m in outcome.meetings}
    assert all(r.id in placed for r in conference.requests if r.must_happen)
