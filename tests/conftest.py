"""Fixtures for every test: the CLI in-process (plain helpers are in `tests/support/`)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from scheduler.cli import app


@pytest.fixture
def cli(tmp_path):
    """Run the CLI in-process on an instance dict; returns (exit code, stdout+stderr, output folder)."""
    runner = CliRunner()

    def run(data: dict | str, *args: str):
        source = tmp_path / "input.json"
        source.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        out = tmp_path / "out"
        result = runner.invoke(app, ["solve", str(source), "--out", str(out), "--quiet", "--workers", "1", *args])
        return result.exit_code, result.output, out

    return run
