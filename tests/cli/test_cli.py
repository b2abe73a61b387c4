"""The `scheduler` command end to end: files written, folders swapped whole, exit codes, schema."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import scheduler.cli
from scheduler.cli import app
from scheduler.contract.parse import load_conference
from scheduler.solve.options import SolveOptions
from scheduler.solve.solver import solve
from scheduler.solve.types import Outcome, Progress
from tests.support.instances import instance, request
from tests.support.paths import ROOT

MINSK = ROOT / "examples" / "minsk-2024.json"
TINY = ROOT / "examples" / "tiny.json"
runner = CliRunner()


def _solve(source: Path, out: Path, *args: str):
    return runner.invoke(app, ["solve", str(source), "--out", str(out), "--quiet", "--workers", "1", *args])


def test_solve_writes_schedule_csv_and_an_agenda_per_delegation(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _solve(TINY, out, "--seed", "1")
    assert result.exit_code == 0, result.output
    schedule = json.loads((out / "schedule.json").read_text())
    table = pd.read_csv(out / "schedule.csv")
    assert len(table) == len(schedule["meetings"]) > 0
    assert set(table["request"]) == {m["request"] for m in schedule["meetings"]}
    delegations = json.loads(TINY.read_text())["delegations"]
    for d in delegations:
        agenda = (out / "agendas" / f"{d['id']}.md").read_text()
        assert d["name"] in agenda
        for m in schedule["meetings"]:
            if d["id"] in m["parties"]:
                start = m["start"][11:16]
                assert start in agenda, (d["id"], m["request"])
    # every request left out is explained in each of its parties' agendas, in the words meant for them
    parties = {r["id"]: r["parties"] for r in json.loads(TINY.read_text())["requests"]}
    assert schedule["unscheduled"]
    for u in schedule["unscheduled"]:
        assert u["reason"] and u["party_reason"]
        for party in parties[u["request"]]:
            assert f"{u['request']}: {u['party_reason']}" in (out / "agendas" / f"{party}.md").read_text()


def test_an_unwritable_output_folder_is_exit_1_and_nothing_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = _solve(TINY, blocker / "out")
    assert result.exit_code == 1
    assert "cannot write" in result.output
    assert "Traceback" not in result.output
    assert blocker.read_text() == "not a folder"


def test_infeasible_pins_exit_3_naming_requests_and_rule(tmp_path: Path) -> None:
    data = instance(
        requests=[
            request("AB", "AB", fixed={"start": "2024-10-31T10:00"}),
            request("AC", "AC", fixed={"start": "2024-10-31T10:30"}),
        ]
    )
    source = tmp_path / "input.json"
    source.write_text(json.dumps(data))
    result = _solve(source, tmp_path / "out")
    assert result.exit_code == 3
    assert "AB" in result.output and "AC" in result.output
    assert "one_place_at_a_time" in result.output
    assert not (tmp_path / "out").exists()


def test_no_schedule_in_time_is_exit_4_and_nothing_written(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(scheduler.cli, "solve", lambda *args, **kwargs: Outcome("no_schedule"))
    result = _solve(TINY, tmp_path / "out")
    assert result.exit_code == 4
    assert "--time-limit" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_very_short_time_limit_still_writes_a_valid_schedule(tmp_path: Path) -> None:
    """Minsk has mandatory and pinned requests; even a 0.3 s limit gives a checked schedule."""
    out = tmp_path / "out"
    result = _solve(MINSK, out, "--time-limit", "0.3")
    assert result.exit_code == 0, result.output
    schedule = json.loads((out / "schedule.json").read_text())
    assert schedule["status"] in ("optimal", "feasible")
    assert schedule["upper_bound"] >= schedule["scheduled_priority"] > 0
    checked = runner.invoke(app, ["check", str(MINSK), str(out / "schedule.json")])
    assert checked.exit_code == 0, checked.output


@pytest.mark.slow
def test_minsk_salons_receive_only_their_own_delegations_guests(tmp_path: Path) -> None:
    """The example reserves Belarus's and Russia's salons for them (rule 13): no third party meets there."""
    data = json.loads(MINSK.read_text())
    owners = {r["id"]: r["reserved_for"] for r in data["rooms"] if "reserved_for" in r}
    homes = {d["home_room"]: d["id"] for d in data["delegations"] if d.get("home_room")}
    assert owners == homes == {"salon-blr": "BLR", "salon-rus": "RUS"}
    out = tmp_path / "out"
    assert _solve(MINSK, out, "--time-limit", "5", "--seed", "1").exit_code == 0
    meetings = json.loads((out / "schedule.json").read_text())["meetings"]
    in_salons = [m for m in meetings if m["room"] in owners]
    assert in_salons and all(owners[m["room"]] in m["parties"] for m in in_salons)


def test_check_names_the_broken_rule(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _solve(TINY, out).exit_code == 0
    schedule = json.loads((out / "schedule.json").read_text())
    first, second = schedule["meetings"][:2]
    second["room"], second["start"], second["end"] = first["room"], first["start"], first["end"]
    (out / "tampered.json").write_text(json.dumps(schedule))
    result = runner.invoke(app, ["check", str(TINY), str(out / "tampered.json")])
    assert result.exit_code == 1
    assert "room_use:" in result.output


def test_schema_describes_the_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert set(schema["required"]) >= {"event", "rooms", "delegations", "requests"}
    assert schema["additionalProperties"] is False
    target = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "--out", str(target)]).exit_code == 0
    assert json.loads(target.read_text()) == schema


def test_progress_reports_and_stop_keeps_a_schedule() -> None:
    conference = load_conference(MINSK.read_bytes())
    seen: list[Progress] = []
    stop = threading.Event()

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        stop.set()  # stop at the first report: the best schedule so far must still come back

    outcome = solve(conference, SolveOptions(time_limit=60, workers=1, seed=1), progress=on_progress, stop=stop)
    assert seen and seen[0].phase == "priority"
    assert outcome.has_schedule
    assert {r.id for r in conference.requests if r.must_happen} <= {m.request for m in outcome.meetings}


def test_progress_line_renders_without_a_terminal() -> None:
    line = scheduler.cli._ProgressLine()
    line(Progress("priority", 1.5, 10, 12))
    text = line.render().plain
    assert "best 10" in text and "bound 12" in text and "16.7%" in text
    assert io.StringIO(text).read()
