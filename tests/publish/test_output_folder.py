"""The output folder: replaced whole, but only when it is new, empty or bilateral's own earlier output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

import scheduler.cli
from scheduler.cli import app
from scheduler.publish.folders import MARKER
from scheduler.solve.types import Outcome
from tests.support.paths import ROOT

TINY = ROOT / "examples" / "tiny.json"
runner = CliRunner()


def _solve(out: Path | str, *args: str):
    return runner.invoke(app, ["solve", str(TINY), "--out", str(out), "--quiet", "--workers", "1", "--seed", "1",
                               *args])


def _tree(folder: Path) -> dict[str, bytes]:
    """relative path -> content of every file below folder (links as their target's name)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            found[name] = path.read_bytes()
    return found


def _precious(folder: Path) -> dict[str, bytes]:
    (folder / "keep").mkdir(parents=True)
    (folder / "keep" / "notes.txt").write_text("precious")
    (folder / "thesis.docx").write_text("precious")
    return _tree(folder)


@pytest.fixture
def no_solve(monkeypatch):
    """Count the solves the CLI starts from here on: a refused folder must cost no solve time."""
    started: list[int] = []

    def solve(*args, **kwargs):
        started.append(1)
        return Outcome("no_schedule")

    yield lambda: monkeypatch.setattr(scheduler.cli, "solve", solve)
    assert not started, "the solve ran although the output folder was refused"


def test_a_folder_with_the_users_files_is_refused_before_solving(tmp_path: Path, no_solve) -> None:
    out = tmp_path / "outtest"
    before = _precious(out)
    no_solve()
    result = _solve(out)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert str(out) in lines[0] and "keep/notes.txt" in lines[0] and "--replace" in lines[0]
    assert "Traceback" not in result.output
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outtest"]  # no staging folder left either


def test_a_previous_output_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    written = runner.invoke(app, ["calendars", str(TINY), str(_first_schedule(tmp_path)), "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert (out / "all.ics").exists()
    result = _solve(out)
    assert result.exit_code == 0, result.output
    assert not (out / "all.ics").exists()  # the calendars run's file went with its folder
    assert (out / "schedule.json").exists() and (out / "calendars" / "all.ics").exists()
    marker = json.loads((out / MARKER).read_text())
    assert set(marker["files"]) == set(_tree(out)) - {MARKER}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first", "out"]


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert _solve(out).exit_code == 0
    assert (out / "schedule.json").exists()


def test_a_previous_output_with_a_file_added_is_refused(tmp_path: Path, no_solve) -> None:
    out = tmp_path / "first"
    _first_schedule(tmp_path)
    (out / "agendas" / "minister-notes.txt").write_text("mine")
    before = _tree(out)
    no_solve()
    result = _solve(out)
    assert result.exit_code == 2
    assert "agendas/minister-notes.txt" in result.output
    assert _tree(out) == before


def test_a_previous_output_with_a_file_changed_is_refused(tmp_path: Path, no_solve) -> None:
    out = tmp_path / "first"
    _first_schedule(tmp_path)
    agenda = next((out / "agendas").iterdir())
    agenda.write_text(agenda.read_text() + "\nCar at 9:40 from the hotel.\n")
    before = _tree(out)
    no_solve()
    result = _solve(out)
    assert result.exit_code == 2
    assert f"agendas/{agenda.name} was changed" in result.output
    assert _tree(out) == before


def test_an_empty_folder_added_to_a_previous_output_is_refused(tmp_path: Path, no_solve) -> None:
    out = tmp_path / "first"
    _first_schedule(tmp_path)
    (out / "drafts").mkdir()
    no_solve()
    result = _solve(out)
    assert result.exit_code == 2
    assert "drafts/" in result.output
    assert (out / "drafts").is_dir()


def test_replace_replaces_a_foreign_folder_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "outtest"
    _precious(out)
    result = _solve(out, "--replace")
    assert result.exit_code == 0, result.output
    assert not (out / "thesis.docx").exists()
    assert (out / "schedule.json").exists()


@pytest.mark.parametrize("option", [[], ["--replace"]], ids=["plain", "replace"])
@pytest.mark.parametrize("where", [".", "..", "~", "/"])
def test_the_current_folder_its_parents_home_and_root_are_refused(
    tmp_path: Path, monkeypatch, no_solve, where: str, option: list[str]
) -> None:
    home = tmp_path / "home"
    work = home / "work"
    work.mkdir(parents=True)
    (work / "thesis.docx").write_text("precious")
    (home / "photo.jpg").write_text("precious")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    before = _tree(tmp_path)
    target = str(home) if where == "~" else where  # the shell expands ~ before the command sees it
    no_solve()
    result = _solve(target, *option)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert _tree(tmp_path) == before


def test_a_parent_of_the_home_folder_is_refused_even_with_replace(tmp_path: Path, monkeypatch, no_solve) -> None:
    home = tmp_path / "users" / "officer"
    home.mkdir(parents=True)
    (home / "thesis.docx").write_text("precious")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    no_solve()
    result = _solve(tmp_path / "users", "--replace")
    assert result.exit_code == 2 and "parent of the home folder" in result.output
    assert (home / "thesis.docx").read_text() == "precious"


def test_a_parent_further_up_is_refused(tmp_path: Path, monkeypatch, no_solve) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    no_solve()
    result = _solve(tmp_path / "a", "--replace")
    assert result.exit_code == 2
    assert "parent of the current folder" in result.output
    assert deep.is_dir()


def test_a_link_inside_is_refused_and_with_replace_its_target_is_untouched(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "budget.xlsx").write_text("precious")
    out = tmp_path / "first"
    _first_schedule(tmp_path)
    (out / "shared").symlink_to(outside, target_is_directory=True)
    (out / "budget-link.xlsx").symlink_to(outside / "budget.xlsx")
    refused = _solve(out)
    assert refused.exit_code == 2
    assert "budget-link.xlsx, a symbolic link" in refused.output
    replaced = _solve(out, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert not (out / "shared").exists() and not (out / "budget-link.xlsx").exists()
    assert (outside / "budget.xlsx").read_text() == "precious"


def test_an_output_folder_that_is_a_link_is_refused(tmp_path: Path, no_solve) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "out").symlink_to(real, target_is_directory=True)
    no_solve()
    result = _solve(tmp_path / "out", "--replace")
    assert result.exit_code == 2
    assert "symbolic link" in result.output
    assert (tmp_path / "out").is_symlink() and list(real.iterdir()) == []


def test_a_file_as_output_folder_is_refused(tmp_path: Path, no_solve) -> None:
    target = tmp_path / "report.pdf"
    target.write_text("precious")
    no_solve()
    result = _solve(target, "--replace")
    assert result.exit_code == 2
    assert "is a file" in result.output
    assert target.read_text() == "precious"


def test_a_file_added_while_solving_is_kept_and_nothing_written(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "first"
    _first_schedule(tmp_path)
    before = _tree(out)
    real_solve = scheduler.cli.solve

    def solve_while_the_user_saves_a_file(*args, **kwargs):
        (out / "late.txt").write_text("saved during the solve")
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(scheduler.cli, "solve", solve_while_the_user_saves_a_file)
    result = _solve(out)
    assert result.exit_code == 2
    assert "late.txt" in result.output
    assert _tree(out) == {**before, "late.txt": b"saved during the solve"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first"]


def test_the_calendars_command_refuses_a_foreign_folder(tmp_path: Path) -> None:
    schedule = _first_schedule(tmp_path)
    out = tmp_path / "outtest"
    before = _precious(out)
    result = runner.invoke(app, ["calendars", str(TINY), str(schedule), "--out", str(out)])
    assert result.exit_code == 2
    assert "keep/notes.txt" in result.output
    assert _tree(out) == before


def _first_schedule(tmp_path: Path) -> Path:
    """Solve tiny into tmp_path/first once; returns its schedule.json."""
    first = tmp_path / "first"
    if not first.exists():
        result = _solve(first)
        assert result.exit_code == 0, result.output
    return first / "schedule.json"
