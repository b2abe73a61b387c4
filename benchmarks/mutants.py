"""Mutation check of the rules: apply each mutant to the source, run the rule-related tests, say whether a
test failed (KILLED) or not (SURVIVED), restore the file.

    python -m benchmarks.mutants [WORD ...]     # only the mutants whose name contains a WORD

Every mutant must be KILLED; one that survives names a rule whose tests cannot tell it is broken.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = [
    (
        "changeover dropped from rule_parts.one_place_at_a_time",
        "scheduler/model/rule_parts.py",
        'cm.interval(mv, gap, mv.held, f"busy[{party}]")',
        'cm.interval(mv, 0, mv.held, f"busy[{party}]")',
    ),
    (
        "primary proven whenever FEASIBLE",
        "scheduler/solve/solver.py",
        "proven = (result.status == cp_model.OPTIMAL and baseline.proves_primary) or value >= bound",
        "proven = (result.found and baseline.proves_primary) or value >= bound",
    ),
    (
        "once: mandatory not forced",
        "scheduler/model/rule_parts.py",
        "        if mv.request.mandatory:\n            cm.model.add(mv.held == 1)",
        "        if False:\n            cm.model.add(mv.held == 1)",
    ),
    (
        "day_hours_and_grid: any minute",
        "scheduler/rules/placement.py",
        "range(day.start, day.end - request.duration + 1, slot)}",
        "range(day.start, day.end - request.duration + 1, 1)}",
    ),
    (
        "day_hours_and_grid: past the day's end",
        "scheduler/rules/placement.py",
        "range(day.start, day.end - request.duration + 1, slot)}",
        "range(day.start, day.end, slot)}",
    ),
    (
        "presence: one party's window enough",
        "scheduler/rules/placement.py",
        "return [s for s in starts if all(inside_union(w, s, s + request.duration) for w in windows)]",
        "return [s for s in starts if any(inside_union(w, s, s + request.duration) for w in windows) or not windows]",
    ),
    (
        "one_place_at_a_time: programme items ignored",
        "scheduler/rules/placement.py",
        "return [s for s in starts if all(apart(s, s + d, p.start, p.end, gap) for p in items)]",
        "return list(starts)",
    ),
    (
        "room_use: turnover dropped in the model",
        "scheduler/model/rule_parts.py",
        "    gap = cm.conference.event.room_turnover_minutes\n    by_pool",
        "    gap = 0\n    by_pool",
    ),
    (
        "room_use: no-overlap dropped",
        "scheduler/model/rule_parts.py",
        "        if size == 1 and len(intervals) > 1:\n            cm.model.add_no_overlap(intervals)",
        "        if size == 1 and len(intervals) > 1:\n            pass",
    ),
    (
        "room_use: room availability ignored",
        "scheduler/rules/placement.py",
        "        if inside_union(room.available, s, s + duration)\n",
        "        if True\n",
    ),
    (
        "seats ignored",
        "scheduler/rules/placement.py",
        "return room.capacity >= need.request.seats",
        "return room.capacity >= 0",
    ),
    (
        "features: interpretation forgotten",
        "scheduler/rules/placement.py",
        "return set(need.wanted) <= room.features",
        "return set(need.request.requires) <= room.features",
    ),
    (
        "protocol_level ignored",
        "scheduler/rules/placement.py",
        "return room.level >= need.level",
        "return room.level >= 0",
    ),
    (
        "home_rooms: host ignored",
        "scheduler/rules/placement.py",
        "    if request.host is not None:\n        host_room",
        "    if False:\n        host_room",
    ),
    (
        "daily_load: one too many",
        "scheduler/model/rule_parts.py",
        "cm.model.add(sum(lits) <= left)",
        "cm.model.add(sum(lits) <= left + 1)",
    ),
    (
        "interpreters: one team too many",
        "scheduler/model/rule_parts.py",
        "cm.model.add_cumulative(intervals, demands, teams)",
        "cm.model.add_cumulative(intervals, demands, teams + 1)",
    ),
    (
        "pinned: not forced in the model",
        "scheduler/model/rule_parts.py",
        "        if mv.request.pinned:\n            cm.model.add(mv.held == 1)",
        "        if False:\n            cm.model.add(mv.held == 1)",
    ),
    (
        "pinned: any later start",
        "scheduler/rules/placement.py",
        "return [s for s in starts if s == request.fixed_start]",
        "return [s for s in starts if s >= request.fixed_start]",
    ),
    (
        "reserved_rooms: only the first party counts",
        "scheduler/rules/placement.py",
        "return room.reserved_for is None or room.reserved_for in need.request.parties",
        "return room.reserved_for is None or room.reserved_for == need.request.parties[0]",
    ),
    (
        "reserved_rooms ignored",
        "scheduler/rules/placement.py",
        "return room.reserved_for is None or room.reserved_for in need.request.parties",
        "return True",
    ),
]
TESTS = [
    "tests/rules/test_rules.py",
    "tests/rules/test_registry.py",
    "tests/contract/test_conformance.py",
    "tests/solve/test_properties.py",
    "tests/solve/test_lexicographic.py",
    "tests/solve/test_honest_figures.py",
]
only = sys.argv[1:]
for name, path, old, new in MUTANTS:
    if only and not any(o in name for o in only):
        continue
    file = ROOT / path
    text = file.read_text()
    assert text.count(old) == 1, (name, text.count(old))
    file.write_text(text.replace(old, new))
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *TESTS],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        failed = [line for line in run.stdout.splitlines() if line.startswith("FAILED")]
        print(f"{'KILLED' if run.returncode else 'SURVIVED'}: {name}: {failed[:1]}", flush=True)
    finally:
        file.write_text(text)
