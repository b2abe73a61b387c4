"""`scheduler serve` as the processes it is: it starts on a busy machine without uvicorn killing a web process
while it starts, every process it started ends with it (SIGTERM, SIGINT, or SIGKILL to its PID alone), and it
refuses at once, in one line, a SQLite database or queue file it cannot write."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from api.storage.db import Database
from benchmarks.generator import generate
from tests.support.processes import command_line, cpu_burners, still_running, tree
from tests.support.served import Served
from tests.support.service import Worker, settings_for, start_service, wait_for

WEB = "multiprocessing.spawn"  # uvicorn's web processes are spawned
WORKER = "api.cli worker"


def _started(server: Served, processes: int) -> set[int]:
    """serve's whole tree once its web processes are up and its worker runs (perhaps still starting: it
    is told of serve's end from its first line on)."""
    def whole() -> set[int] | None:
        found = tree(server.process.pid)
        lines = [command_line(p) for p in found]
        web = sum(WEB in line for line in lines)
        up = server.log.read_text().count("Application startup complete") == processes
        ready = sum(WORKER in line for line in lines) == 1 and web == (processes if processes > 1 else 0)
        return found if ready and up else None

    return wait_for(whole, timeout=120)


@pytest.mark.slow
def test_serve_starts_on_a_busy_machine_without_a_web_process_restarted(tmp_path: Path) -> None:
    """Both cores busy, as on a venue laptop running a solve: each web process comes up once."""
    with cpu_burners(2):
        server = Served(settings_for(tmp_path), tmp_path, "--processes", "2")
        try:
            _started(server, 2)
        finally:
            output = server.stop()
    assert output.count("Application startup complete") == 2, output[-3000:]
    for sign in ("died", "not ready", "failed to start", "Traceback"):
        assert sign not in output, output[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["TERM", "INT", "KILL"])
def test_every_process_of_serve_ends_with_it(tmp_path: Path, processes: int, sig: int) -> None:
    """The signal goes to serve's PID alone (not its process group); then nothing serve started runs on (and
    after SIGKILL, where serve itself runs no cleanup, serve starts again on the same port)."""
    server = Served(settings_for(tmp_path), tmp_path, "--processes", str(processes))
    started: set[int] = set()
    try:
        started = _started(server, processes)
        os.kill(server.process.pid, sig)
        left = still_running(started, 15.0)
        assert not left, [command_line(p) for p in left]
        server.process.wait(5)
        output = server.log.read_text()
        assert "Traceback" not in output, output[-3000:]
        if sig == signal.SIGKILL:  # nothing holds the port any longer
            server.start()
    finally:
        server.stop()
        for pid in still_running(started, 0):  # what a failure left behind
            os.kill(pid, signal.SIGKILL)


@contextmanager
def _unwritable(path: Path) -> Iterator[None]:
    """`path` (a file or a folder) that this user cannot write: read-only for anyone but root, immutable for
    root (whom permissions do not stop; `chattr +i` needs a file system that has the flag)."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"running as root and chattr +i is refused here: {made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.parametrize("what", ["the file", "its folder"])
def test_serve_refuses_a_database_it_cannot_write(tmp_path: Path, what: str) -> None:
    """Once, before any process starts, with status 2 and one line naming the file (it restarted its web
    processes forever, never answering)."""
    data = tmp_path / "data"
    data.mkdir()
    settings = settings_for(data)
    database = data / "bilateral.db"
    db = Database(settings.database_url)
    db.migrate()  # an installation that has run before
    db.dispose()
    env = {**os.environ, **settings.to_env()}
    command = [sys.executable, "-m", "api.cli", "serve", "--port", "1", "--processes", "2"]
    with _unwritable(database if what == "the file" else data):
        serve = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, start_new_session=True)
        try:
            _, stderr = serve.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)  # serve and whatever it started
            serve.communicate()
            raise AssertionError("serve was still running after 30 s") from None
    assert serve.returncode == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and str(database) in lines[0] and "cannot write" in lines[0], stderr


@pytest.mark.slow
def test_a_worker_killed_outright_leaves_no_solver_child(tmp_path: Path) -> None:
    """The solve's LP bound runs in a child process of the worker (scheduler.model.child); SIGKILL to the worker
    ends it too (it lived on for minutes, holding the worker's database and queue connections)."""
    settings = settings_for(tmp_path)
    data = generate("big", 100, 600, 12, seed=5)  # an LP that takes seconds: its child outlives the kill
    data["event"]["id"] = "conf"
    service = start_service(settings, data)
    worker = Worker(settings)
    children: set[int] = set()
    try:
        worker.wait_ready()
        started = service.post("host", "/events/conf/solves", json={"time_limit": 60})
        assert started.status_code == 202, started.text
        children = wait_for(lambda: tree(worker.process.pid) - {worker.process.pid}, timeout=60, every=0.02)
        worker.stop(signal.SIGKILL)
        left = still_running(children, 3.0)
        assert not left, [command_line(p) for p in left]
    finally:
        worker.stop(signal.SIGKILL)
        for pid in still_running(children, 0):
            os.kill(pid, signal.SIGKILL)
