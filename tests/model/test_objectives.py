"""The secondary objectives build one model whatever Python's string-hash seed: a seeded solve then repeats.

A loop over a `set` of ids follows `PYTHONHASHSEED`, which differs from one process to the next: the model's
variables and constraints come in another order and CP-SAT, one worker and a seed notwithstanding, ends a
phase elsewhere (Minsk, seed 1, one worker, a deterministic limit: 74, 75 or 79 room pairs in use, as the
rooms phase built its literals in hash order).
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.paths import ROOT

_BUILD = """
import hashlib, json
from scheduler.contract.parse import load_conference
from scheduler.model.objectives import breaks_value, compactness_value, preferred_value, rooms_used_value
from scheduler.model.variables import ConferenceModel
from scheduler.registry import model_parts, placement_rules
from scheduler.rules.placement import placements
conference = load_conference(open("examples/minsk-2024.json", "rb").read())
out = {}
for build in (preferred_value, compactness_value, breaks_value, rooms_used_value):
    cm = ConferenceModel.build(conference, placements(conference, placement_rules()), model_parts())
    build(cm)
    out[build.__name__] = hashlib.sha256(str(cm.model.proto).encode()).hexdigest()
print(json.dumps(out))
"""


def _models(hash_seed: str) -> str:
    return subprocess.run([sys.executable, "-c", _BUILD], cwd=ROOT, check=True, capture_output=True, text=True,
                          env={**os.environ, "PYTHONHASHSEED": hash_seed}).stdout  # fmt: skip


def test_each_secondary_objective_builds_the_same_model_whatever_the_hash_seed() -> None:
    assert _models("1") == _models("2") == _models("3")
