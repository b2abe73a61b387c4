"""One benchmark run in its own process (so its peak memory is its own): prints one JSON line.

python -m benchmarks.worker INSTANCE MODE TIME_LIMIT WORKERS
MODE: full (the solver as shipped), plain (no strengthening, no warm start, no greedy fallback, primary only).
INSTANCE: a generator name (benchmarks.generator.NAMED), `minsk`, or `b2b:NAME` (../shared/benchmarks/b2b).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from benchmarks.generator import NAMED
from benchmarks.generator import instance as generated
from scheduler.check.validator import check_schedule
from scheduler.contract.b2b import import_b2b
from scheduler.contract.parse import load_conference
from scheduler.publish.from_outcome import schedule_document
from scheduler.registry import placement_rules
from scheduler.rules.placement import placements
from scheduler.search.greedy import greedy_schedule
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve

ROOT = Path(__file__).resolve().parents[1]
B2B = ROOT.parent / "shared" / "benchmarks" / "b2b"


def load(name: str) -> dict:
    """The instance dict for a benchmark name."""
    if name == "minsk":
        return json.loads((ROOT / "examples" / "minsk-2024.json").read_text())
    if name.startswith("b2b:"):
        stem = name.removeprefix("b2b:")
        return import_b2b((B2B / f"{stem}.original.dzn").read_text(), stem)
    if name in NAMED:
        return generated(name)
    raise SystemExit(f"unknown instance {name!r}")


def options(mode: str, time_limit: float, workers: int) -> SolveOptions:
    if mode == "full":
        return SolveOptions(time_limit=time_limit, workers=workers, seed=0)
    if mode == "plain":
        return SolveOptions(
            time_limit=time_limit,
            workers=workers,
            seed=0,
            strengthening=frozenset(),
            warm_start=False,
            greedy_fallback=False,
            secondary=False,
            relaxation=False,
        )
    raise SystemExit(f"unknown mode {mode!r}")


def run(name: str, mode: str, time_limit: float, workers: int) -> dict:
    data = load(name)
    conference = load_conference(json.dumps(data))
    started = time.monotonic()
    greedy = greedy_schedule(conference, placements(conference, placement_rules()))
    greedy_value = sum(conference.request(m.request).priority for m in greedy)
    greedy_seconds = time.monotonic() - started
    outcome = solve(conference, options(mode, time_limit, workers))
    wall = time.monotonic() - started - greedy_seconds
    row = {
        "instance": name,
        "mode": mode,
        "delegations": len(conference.delegations),
        "requests": len(conference.requests),
        "rooms": len(conference.rooms),
        "time_limit": time_limit,
        "workers": workers,
        "status": outcome.status,
        "value": outcome.scheduled_priority,
        "bound": outcome.upper_bound,
        "placed": len(outcome.meetings),
        "preferred_met": outcome.preferred_met,
        "breaks": outcome.breaks,
        "time_to_best": outcome.stats.time_to_best,
        "time_to_proof": outcome.stats.time_to_proof,
        "bound_source": outcome.stats.bound_source,
        "wall_time": round(wall, 2),
        "greedy_value": greedy_value,
        "greedy_seconds": round(greedy_seconds, 2),
        "phases": outcome.stats.phases,
        "valid": None,
    }
    if outcome.has_schedule:
        report = check_schedule(conference, schedule_document(conference, outcome))
        row["valid"] = report.ok
        row["violations"] = [str(v) for v in report.violations[:5]]
    row["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return row


if __name__ == "__main__":
    name, mode, limit, workers = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    print(json.dumps(run(name, mode, limit, workers)))
