"""A solver helper's child process (scheduler.model.child) ends with the process that forked it, however that
one ends: a service worker killed with SIGKILL runs no cleanup, and its child (the LP bound, MaxSAT on the
breaks) once lived on for minutes, holding the worker's database and queue connections."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scheduler.model.child import Child
from tests.support.paths import ROOT
from tests.support.processes import running, still_running

A_WORKER_IN_A_SOLVE = """
import time
from scheduler.model.child import Child

child = Child(time.sleep, 600)  # a helper that would run far past its parent
print(child.process.pid, flush=True)
time.sleep(600)
"""


def test_the_child_ends_when_its_parent_is_killed_outright() -> None:
    parent = subprocess.Popen([sys.executable, "-c", A_WORKER_IN_A_SOLVE], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        child = int(parent.stdout.readline())
        assert running(child)
        parent.kill()
        parent.wait()
        assert not still_running({child}, 5.0), "the child outlived its parent killed with SIGKILL"
    finally:
        parent.kill()
        parent.wait()
        if running(child):
            os.kill(child, 9)


def _pipe_ends() -> set[tuple[int, str]]:
    """The pipes this process holds open: (inode, "read" or "write") for each descriptor."""
    ends = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
            info = Path(f"/proc/self/fdinfo/{fd}").read_text().splitlines()
            flags = next(line for line in info if line.startswith("flags:"))
        except (OSError, StopIteration):
            continue
        if target.startswith("pipe:["):
            ends.add((int(target[6:-1]), "write" if int(flags.split()[1], 8) & 0o3 else "read"))
    return ends


def test_the_child_holds_only_its_own_end_of_the_pipe() -> None:
    """A child that kept the parent's read end open would never see its parent gone: its write of a large
    answer would block forever instead of failing."""
    child = Child(_pipe_ends)
    pipe = os.fstat(child.receive.fileno()).st_ino
    ends = child.result(30.0)
    assert ends is not None
    assert (pipe, "write") in ends
    assert (pipe, "read") not in ends
