"""The B2B importer: the published instances map onto the contract as the benchmark README says."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.contract.b2b import B2BFormatError, import_b2b
from scheduler.contract.parse import load_conference
from scheduler.solve.solver import solve
from tests.support.instances import DETERMINISTIC
from tests.support.paths import IN_CI, SHARED

B2B = SHARED / "benchmarks" / "b2b"
TINY = """
nBusiness = 4;
nMeetings = 3;
nTables = 1;
nTotalSlots = 4;
nMorningSlots = 2;
requested = [|1, 2,1,
|1, 3,3,
|3, 4,2,
|];
forbidden = [{0},{0,1},{0},{0,4}];
fixed = [0,0,0];
precedences = [{},{},{}];
"""


def test_the_mapping() -> None:
    data = import_b2b(TINY, "tiny")
    conference = load_conference(json.dumps(data))
    assert [r.capacity for r in conference.rooms] == [2]
    assert all(r.mandatory and r.duration == 20 for r in conference.requests)
    morning, either, afternoon = conference.requests
    assert morning.window[0].end - morning.window[0].start == 40  # two 20-minute morning slots
    assert either.window is None
    assert afternoon.window[0].start == 40
    p2 = conference.delegation("P2")
    assert [(w.start, w.end) for w in p2.available] == [(20, 80)]  # slot 1 forbidden
    assert conference.event.changeover_minutes == conference.event.room_turnover_minutes == 0


def test_a_tiny_forum_has_its_minimum_breaks() -> None:
    """P1-P2 can only be at slot 2 and P3-P4 at slot 3 (one table): P1-P3 at slot 1 leaves P3 a break,
    at slot 4 it leaves P1 one. So one break is the minimum."""
    conference = load_conference(json.dumps(import_b2b(TINY, "tiny")))
    outcome = solve(conference, DETERMINISTIC)
    assert outcome.status == "optimal" and len(outcome.meetings) == 3
    assert outcome.breaks == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [("fixed = [0,0,0];", "fixed = [0,2,0];"), ("precedences = [{},{},{}];", "precedences = [{},{1},{}];")],
    ids=["fixed", "precedences"],
)
def test_pins_and_precedences_are_refused_not_dropped(change: str, field: str) -> None:
    with pytest.raises(B2BFormatError, match=field.split(" ")[0]):
        import_b2b(TINY.replace(change, field))


def test_cli_prints_contract_json(tmp_path) -> None:
    source = tmp_path / "tiny.original.dzn"
    source.write_text(TINY)
    result = CliRunner().invoke(app, ["import-b2b", str(source)])
    assert result.exit_code == 0
    assert load_conference(result.stdout).event.name == "tiny"
    source.write_text(TINY.replace("fixed = [0,0,0];", "fixed = [1,0,0];"))
    assert CliRunner().invoke(app, ["import-b2b", str(source)]).exit_code == 2


@pytest.mark.skipif(not B2B.is_dir() and not IN_CI, reason=f"{B2B} not found")
def test_every_published_instance_imports() -> None:
    paths = sorted(B2B.glob("*.dzn"))
    assert paths, f"no published B2B instances (*.dzn) under {B2B}"
    for path in paths:
        data = import_b2b(path.read_text(), path.name.split(".")[0])
        conference = load_conference(json.dumps(data))
        assert len(conference.requests) > 0 and all(r.mandatory for r in conference.requests)
